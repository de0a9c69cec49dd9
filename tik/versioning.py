"""Optimistic concurrency: a form carries the version it was based on; a save on an older one is refused."""

from __future__ import annotations


class StaleEdit(Exception):
    """Someone else saved first. `current` is what they saved; the caller keeps the user's text."""

    def __init__(self, current: object) -> None:
        super().__init__("stale edit")
        self.current = current


def check_version(obj, expected: int | None) -> None:
    """Raise StaleEdit when the user's form was based on an older version of `obj`."""
    if expected is not None and obj.version != expected:
        raise StaleEdit(obj)
