"""Helpers shared by the tests (fixtures live in conftest.py)."""

from __future__ import annotations

from io import BytesIO

PASSWORD = "correct-horse-battery"


def pdf_text(data: bytes) -> str:
    """The text of a PDF as a reader (or a screen reader) gets it, with line breaks folded to spaces."""
    from pypdf import PdfReader

    reader = PdfReader(BytesIO(data))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)
