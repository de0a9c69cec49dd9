"""The interface in bokmål, nynorsk and English, chosen per user; the family's plan in the family's language."""

from __future__ import annotations

import re

import pytest
from browserkit import download, login, pdf_text, shot
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser


def _switch(page: Page, language: str) -> None:
    """Choose `language` in the header's language form and send it."""
    form = page.locator("form.tik-lang")
    form.get_by_role("combobox").select_option(label=language)
    form.get_by_role("button").click()


def test_a_user_switches_the_interface_to_nynorsk_and_english_and_it_stays(page, context):
    login(page, "psykhelse")
    nav = page.get_by_role("navigation", name="Hovedmeny")
    expect(nav.get_by_role("link", name="Min side")).to_be_visible()

    _switch(page, "Nynorsk")
    expect(page).to_have_url(re.compile(r"/min-side$"))  # back on the page it was sent from
    expect(page.locator("html")).to_have_attribute("lang", "nn")
    nav = page.get_by_role("navigation", name="Hovudmeny")
    expect(nav.get_by_role("link", name="Mi side")).to_be_visible()
    expect(nav.get_by_role("link", name="Handbok")).to_be_visible()
    shot(page, "lang-nn-min-side")

    _switch(page, "English")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    nav = page.get_by_role("navigation", name="Main menu")
    for link in ("My page", "New concern", "My cases", "Handbook"):
        expect(nav.get_by_role("link", name=link)).to_be_visible()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    page.goto("/bekymring/ny")
    expect(page.get_by_role("heading", level=1)).to_have_text("New concern")
    expect(page.get_by_role("group", name="Is the child in acute danger now?")).to_be_visible()
    shot(page, "lang-en-concern-start")

    # The choice belongs to the user: a new login in a fresh browser comes back in English.
    context.clear_cookies()
    login(page, "psykhelse")
    expect(page.get_by_role("link", name="My page")).to_be_visible()
    _switch(page, "Bokmål")
    expect(page.get_by_role("link", name="Min side")).to_be_visible()


def test_the_login_page_follows_the_language_chosen_before_logging_in(page):
    page.goto("/login")
    _switch(page, "English")
    expect(page.get_by_role("heading", level=1)).to_have_text("Log in to TIK")
    expect(page.get_by_label("Username")).to_be_visible()


def test_the_family_pdf_is_in_the_guardians_language(page, new_case):
    ref = new_case("koordinator", "Adam", "Kowalczyk", guardian_language="en")
    login(page, "koordinator")
    page.goto(f"/saker/{ref}")
    _name, data = download(page, lambda: page.get_by_role("link", name="PDF for familien").click())
    text = pdf_text(data)
    assert "Our plan for Adam" in text and "Who does what" in text and "What you can do" in text
    assert "Planen vår" not in text

    # Staff can ask for another language: nynorsk here.
    _name, data = download(page, lambda: page.evaluate(
        "href => { const a = document.createElement('a'); a.href = href; document.body.append(a); a.click(); }",
        f"/saker/{ref}/plan.pdf?versjon=familie&lang=nn"))
    assert "Kven gjer kva" in pdf_text(data)
