"""A teacher registers a concern between lessons, with the keyboard only: no mouse anywhere."""

from __future__ import annotations

import re

import pytest
from browserkit import assert_accessible, focused, login, shot, tab_to
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def _type_into(page, name: str, text: str) -> None:
    """Tab to the field called `name` and type `text` into it."""
    tab_to(page, lambda f: f["name"] == name)
    page.keyboard.type(text)


def test_teacher_registers_a_concern_with_the_keyboard_only(page):
    # Log in: Tab to the user name, type, Tab to the password, type, Enter.
    page.goto("/login")
    _type_into(page, "username", "laerer")
    page.keyboard.press("Tab")
    assert focused(page)["name"] == "password"
    page.keyboard.type("tik-demo-2026")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/min-side$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Hei, Marte")
    shot(page, "concern-1-min-side")

    # The skip link is the first stop, and it goes to the main content.
    page.keyboard.press("Tab")
    assert focused(page)["text"] == "Hopp til hovedinnhold"

    tab_to(page, lambda f: f["tag"] == "a" and f["text"] == "Ny bekymring")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Ny bekymring")

    # The two urgency questions: the first radio of each group is "Nei"; Space chooses it.
    acute = tab_to(page, lambda f: f["name"] == "acute")
    assert acute["value"] == "no"
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    assert focused(page)["name"] == "suspicion"
    page.keyboard.press("Space")
    expect(page.get_by_role("radio", name="Nei").first).to_be_checked()
    expect(page.get_by_role("group", name="Mistenker du vold").get_by_role("radio", name="Nei")).to_be_checked()
    shot(page, "concern-2-urgency")
    tab_to(page, lambda f: f["tag"] == "button" and f["text"] == "Fortsett")
    page.keyboard.press("Enter")

    # The form itself.
    expect(page).to_have_url(re.compile(r"/bekymring/skjema\?urgency=none$"))
    expect(page.get_by_text("Skriv det du har sett og hørt, ikke tolkninger.")).to_be_visible()
    assert focused(page)["name"] == "first_name"  # the form opens with the cursor in its first field
    page.keyboard.type("Nora")
    _type_into(page, "last_name", "Bakketun")
    _type_into(page, "birth_date", "04052015")  # typed, dd.mm.åååå with or without the dots
    expect(page.get_by_label("Fødselsdato")).to_have_value("04052015")
    _type_into(page, "school", "Fjordvik barneskole")
    _type_into(page, "class_name", "4B")
    # The optional national id and gender wait in a collapsed block: Enter opens it.
    tab_to(page, lambda f: f["tag"] == "summary" and f["text"].startswith("Fødselsnummer og kjønn"))
    page.keyboard.press("Enter")
    expect(page.get_by_label("Kjønn")).to_be_visible()
    tab_to(page, lambda f: f["name"] == "gender")
    page.keyboard.type("Jente")  # type-ahead in the closed select
    expect(page.get_by_label("Kjønn")).to_have_value("girl")
    _type_into(page, "guardians-0-name", "Hilde Bakketun")
    _type_into(page, "guardians-0-relation", "mor")
    _type_into(page, "guardians-0-phone", "412 34 567")
    _type_into(page, "observation", "Nora sover i timene og har ofte ikke med matpakke. Hun sa i dag: "
                                    "«Det er ingen som lager mat hjemme nå.»")
    _type_into(page, "since_when", "Siden høstferien")
    _type_into(page, "how_often", "Tre dager i uka")

    # A signal for her age group: open the group with Enter, Tab to the first sign, Space ticks it.
    tab_to(page, lambda f: f["tag"] == "summary" and f["text"].startswith("Skolebarn"))
    page.keyboard.press("Enter")
    expect(page.locator("details.tik-signals").nth(1)).to_have_attribute("open", "")
    sign = tab_to(page, lambda f: f["name"] == "signals")
    page.keyboard.press("Space")
    expect(page.locator(f"#{sign['id']}")).to_be_checked()
    shot(page, "concern-3-form-filled")

    tab_to(page, lambda f: f["tag"] == "button" and f["text"] == "Registrer bekymringen")
    page.keyboard.press("Enter")

    # The new case: the child's name, the teacher as stafettholder, level 0 and its first step.
    expect(page).to_have_url(re.compile(r"/saker/TIK-\d{4}-\d{4}"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Nora Bakketun")
    expect(page.locator("#step-title")).to_have_text(re.compile(r"^Konkretiser "))
    expect(page.locator(".tik-ladder [aria-current=step]")).to_contain_text("Undring")
    expect(page.get_by_role("complementary").get_by_text("Marte Solberg-Haugen").first).to_be_visible()
    shot(page, "concern-4-case")
    assert_accessible(page)


def test_skip_link_moves_focus_to_the_main_content(page):
    login(page, "laerer")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"#main$"))
    page.keyboard.press("Tab")
    # The next stop is inside the page's content, not back in the header.
    assert page.evaluate("document.activeElement.closest('main') !== null")
