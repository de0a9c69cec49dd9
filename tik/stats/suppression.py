"""Small numbers never identify: primary and secondary suppression of a published line of counts. Pure Python.

A line is a set of counts that add up to a total that is published beside them (a table's rows and its
"I alt" row). Every count under the threshold is hidden ("< 5": primary). Then, because the reader
knows the total, the hidden counts' sum is known too; and the reader knows that each primary cell is
between 0 and threshold − 1 and each secondary cell at least the threshold. From that alone a hidden
count is pinned down exactly when its feasible interval shrinks to one value. Secondary suppression
hides the next smallest shown count until no hidden count is pinned; if every count is hidden and one
still is, the total is hidden as well, and then nothing ties the hidden counts together.

With one linear relation (the sum) and interval bounds, the integers a hidden count can take form
exactly the interval computed in `feasible` — so "no interval is a single value" is the whole check,
and tests/stats/test_stats_suppression.py verifies it independently by enumeration.
"""

from __future__ import annotations

from dataclasses import dataclass

PRIMARY = "primary"
SECONDARY = "secondary"


@dataclass(frozen=True)
class Line:
    """The suppression of a line: what is hidden, and whether the total is hidden too."""

    hidden: dict[int, str]  # index -> PRIMARY | SECONDARY
    total_hidden: bool


def feasible(values: list[int], hidden: dict[int, str], threshold: int) -> dict[int, tuple[int, int | None]]:
    """For each hidden index, the interval (low, high; high None = unbounded) a reader can deduce it lies in,
    knowing the published total and the shown counts."""
    rest = sum(values) - sum(v for i, v in enumerate(values) if i not in hidden)
    bounds = {i: (0, threshold - 1) if kind == PRIMARY else (threshold, None) for i, kind in hidden.items()}
    out = {}
    for i, (low, high) in bounds.items():
        others = [b for j, b in bounds.items() if j != i]
        others_low = sum(b[0] for b in others)
        others_high = None if any(b[1] is None for b in others) else sum(b[1] for b in others)
        lo = low if others_high is None else max(low, rest - others_high)
        hi_candidates = [rest - others_low] + ([high] if high is not None else [])
        out[i] = (lo, min(hi_candidates))
    return out


def suppress_line(values: list[int], threshold: int) -> Line:
    """Which counts of `values` to hide (and whether to hide their total) so no hidden count can be recomputed."""
    hidden = {i: PRIMARY for i, v in enumerate(values) if v < threshold}
    if sum(values) < threshold:  # the total itself is small: hide everything
        return Line({i: PRIMARY if v < threshold else SECONDARY for i, v in enumerate(values)}, True)
    while hidden:
        pinned = [i for i, (lo, hi) in feasible(values, hidden, threshold).items() if lo == hi]
        if not pinned:
            return Line(hidden, False)
        shown = [i for i in range(len(values)) if i not in hidden]
        if not shown:
            return Line(hidden, True)
        hidden[min(shown, key=lambda i: (values[i], i))] = SECONDARY
    return Line(hidden, False)


def suppress_share(part: int, whole: int, threshold: int) -> Line:
    """A share (part of whole) is the line [part, whole − part] with its total `whole` published."""
    return suppress_line([part, whole - part], threshold)
