"""Helpers shared by the tests (fixtures live in conftest.py)."""

from __future__ import annotations

from datetime import datetime
from io import BytesIO

PASSWORD = "correct-horse-battery"
# Every non-browser test starts on this day (the `app` fixture moves tik.clock there), so dates the tests
# write — a conversation "today", a consent for a year — mean the same whenever the suite runs.
TEST_DAY = datetime(2026, 11, 20, 9, 0)


def pdf_text(data: bytes) -> str:
    """The text of a PDF as a reader (or a screen reader) gets it, with line breaks folded to spaces."""
    from pypdf import PdfReader

    reader = PdfReader(BytesIO(data))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)
