"""The case page's model: the page shows what it showed before the model, for every demo case and viewer (the
forms that were closed on load now sit on pages of their own), in a fixed number of statements."""

from __future__ import annotations

import json
import os

from tests.page_snapshot import FIXTURE, demo_case_pages


def test_every_demo_case_page_shows_what_it_showed(app):
    """The visible text, links, form targets and field values of every demo case's page, as its coordinator,
    its unit's leader and its participants see it, equal those the page showed before the page model
    (tests/fixtures/case_pages.json, written from the old template); the only normalisation is a closed form
    against the link to its page (tests/page_snapshot.py)."""
    pages = demo_case_pages(app)
    if os.environ.get("TIK_WRITE_PAGE_FIXTURE"):  # `python -m tests.page_snapshot`: the fixture from this tree
        FIXTURE.parent.mkdir(exist_ok=True)
        FIXTURE.write_text(json.dumps(pages, ensure_ascii=False, indent=0) + "\n")
    before = json.loads(FIXTURE.read_text())
    assert sorted(pages) == sorted(before)
    for key, lines in pages.items():
        assert lines == before[key], key
