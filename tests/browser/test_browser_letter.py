"""A coordinator prints the family letter in Polish from the plan page."""

from __future__ import annotations

import re

import pytest
from browserkit import download, login, pdf_text, shot
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_coordinator_prints_the_family_letter_in_polish_from_the_plan_page(page, new_case):
    ref = new_case("koordinator", "Emil", "Kowalski", guardian_language="pl")
    login(page, "koordinator")
    page.goto(f"/saker/{ref}/plan")
    page.get_by_label("Mål for barnet, med enkle ord").fill("Emil kommer på skolen hver dag.")
    page.get_by_role("button", name="Lagre planen").click()
    expect(page.get_by_role("status").filter(has_text="Planen er lagret.")).to_be_visible()
    letter = page.get_by_role("link", name="Brev til Hilde Kowalski")
    expect(letter).to_be_visible()
    expect(page.locator("li", has=letter)).to_contain_text("Polski")
    shot(page, "letter-01-plan-page-print")

    name, data = download(page, letter.click)
    assert re.fullmatch(rf"{ref}-plan-familie-pl-rev\d+\.pdf", name)
    text = pdf_text(data)
    for seen in ("Do: Hilde Kowalski", "Nasz plan: Emil", "Kto co robi i kiedy", "Co mogą Państwo zrobić",
                 "Możemy zamówić tłumacza", "Podpisy", "Emil kommer på skolen hver dag."):
        assert seen in text, f"{seen!r} is missing from the Polish letter"
    assert "Hvem gjør hva" not in text
