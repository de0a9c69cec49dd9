"""The plan's table at 1280 px: dates and the "Endre"/"Evaluer" links stay whole (not broken letter by letter)."""

from __future__ import annotations

import pytest
from browserkit import login
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

LINES = """() => [...document.querySelectorAll('section[aria-labelledby=measures-heading] td.tik-nowrap')]
  .flatMap(td => td.querySelector('a') ? [...td.querySelectorAll('a')] : [td])
  .map(e => { const r = document.createRange(); r.selectNodeContents(e.querySelector('a') ? e : e);
              const lines = new Set([...r.getClientRects()].filter(x => x.width > 1).map(x => Math.round(x.top)));
              return [e.textContent.trim(), lines.size]; })"""


def test_the_plan_table_keeps_dates_and_links_whole_at_1280(page, demo_ref):
    login(page, "koordinator")
    page.goto(f"/saker/{demo_ref('koordinator', level=3)}/plan")
    expect(page.get_by_role("link", name="Endre").first).to_be_visible()
    cells = page.evaluate(LINES)
    assert cells, "no dates or links in the plan's table"
    broken = [(text, lines) for text, lines in cells if lines != 1]
    assert broken == []
