"""Small numbers never identify: primary and secondary suppression, checked by example and as a property."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tik.stats.service import count_table, share_row
from tik.stats.suppression import PRIMARY, SECONDARY, suppress_line


@pytest.fixture
def request_context(app):
    """Table labels are translated: a request (in bokmål) is needed."""
    with app.test_request_context():
        yield


def test_every_count_under_the_threshold_is_hidden_as_less_than(request_context):
    table = count_table("t", "T", "Saker", [("a", 12), ("b", 3), ("c", 0), ("d", 9)], threshold=5)
    assert [r.cells[0].text for r in table.rows] == ["10", "< 5", "< 5", "10", "25"]  # shown counts rounded to 5


def test_a_single_small_cell_takes_the_next_smallest_with_it(request_context):
    table = count_table("t", "T", "Saker", [("a", 12), ("b", 3), ("c", 9)], threshold=5)
    assert [r.cells[0].text for r in table.rows] == ["10", "< 5", "x", "25"]
    assert table.rows[2].cells[0].hidden == SECONDARY


def test_two_small_cells_that_would_add_up_to_their_maximum_take_a_third():
    """4 + 4 = 8 with both under 5 can only be 4 and 4: a third count is hidden."""
    line = suppress_line([4, 4, 20, 30], threshold=5)
    assert line.hidden == {0: PRIMARY, 1: PRIMARY, 2: SECONDARY} and not line.total_hidden


def test_when_everything_is_hidden_and_still_pinned_the_total_goes_too():
    line = suppress_line([4, 4], threshold=5)
    assert line.hidden == {0: PRIMARY, 1: PRIMARY} and line.total_hidden


def test_the_threshold_is_a_setting_but_never_below_five():
    from tik.config import settings_from_env

    assert settings_from_env({"TIK_STATS_MIN_CELL": "2"})["TIK_STATS_MIN_CELL"] == 5
    assert settings_from_env({"TIK_STATS_MIN_CELL": "10"})["TIK_STATS_MIN_CELL"] == 10
    assert settings_from_env({})["TIK_STATS_MIN_CELL"] == 5


def test_a_share_hides_when_the_part_or_the_rest_is_small(request_context):
    assert [c.text for c in share_row("x", 18, 20, 5).cells] == ["x", "20", "x"]
    assert [c.text for c in share_row("x", 3, 20, 5).cells] == ["< 5", "20", "x"]
    assert [c.text for c in share_row("x", 10, 20, 5).cells] == ["10", "20", "50\u00a0%"]


# -- the property ------------------------------------------------------------------------------------------


def _possible_values(values: list[int], hidden: dict[int, str], total_hidden: bool, threshold: int) -> dict:
    """By enumeration, independent of the implementation: every value each hidden count could have, given
    what a reader sees — the shown counts, the total (unless hidden), "< t" for primary cells and "x" (≥ t,
    since only shown counts are ever taken for secondary suppression) for secondary ones."""
    total = sum(values)
    cap = total + threshold  # with a hidden total, large values stay possible; this bound is enough to see two
    ranges = {i: range(0, threshold) if kind == PRIMARY else range(threshold, cap + 1) for i, kind in hidden.items()}
    rest = total - sum(v for i, v in enumerate(values) if i not in hidden)
    order = sorted(ranges)
    # reachable sums of the hidden counts after the first k of them, with the values each index took
    possible: dict[int, set[int]] = {i: set() for i in order}
    for i in order:
        others = [ranges[j] for j in order if j != i]
        sums = {0}
        for r in others:
            sums = {s + v for s in sums for v in (r.start, r.stop - 1, *range(r.start, min(r.stop, r.start + cap)))
                    if s + v <= cap * len(order)}
        for v in ranges[i]:
            if total_hidden or (rest - v) in sums:
                possible[i].add(v)
    return possible


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=14), min_size=1, max_size=5), st.integers(min_value=5, max_value=7))
def test_no_published_line_lets_a_hidden_count_be_recomputed(values, threshold):
    line = suppress_line(values, threshold)
    assert all(v >= threshold for i, v in enumerate(values) if i not in line.hidden), "a small count is shown"
    possible = _possible_values(values, line.hidden, line.total_hidden, threshold)
    for i, options in possible.items():
        assert values[i] in options
        assert len(options) >= 2, f"hidden count {i} of {values} can only be {options}"


def test_linked_tables_hide_together_when_one_must_hide_its_total(request_context):
    """Two months of 4 and 4 must hide their total 8; the age table would show 8: both go."""
    from tik.stats.service import Section, _linked

    months = count_table("concerns_month", "M", "n", [("01", 4), ("02", 4)], threshold=5)
    ages = count_table("concerns_age", "A", "n", [("6-12", 8), ("13-18", 0)], threshold=5)
    assert months.rows[-1].cells[0].value is None and ages.rows[-1].cells[0].text == "10"
    linked = _linked([Section("early", "E", "", (months, ages))], threshold=5)
    assert all(c.value is None for t in linked[0].tables for r in t.rows for c in r.cells)
