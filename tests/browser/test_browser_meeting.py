"""A TIK-team meeting with an anonymised case: the team gives advice without ever seeing who the child is."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from browserkit import assert_accessible, download, login, pdf_text, shot
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

ALIAS = re.compile(r"Gutt, \d+ år, \d+\. trinn")


def _logout(page) -> None:
    page.get_by_role("button", name="Logg ut").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Logg inn i TIK")


def test_team_meeting_discusses_a_case_without_consent_anonymously(page, new_case):
    # A teacher's case where the family has not consented to the TIK-team.
    ref = new_case("laerer", "Jonas", "Fjellheim", gender="boy")

    # The teacher sets up a team meeting and brings the case.
    login(page, "laerer")
    page.get_by_role("navigation", name="Hovedmeny").get_by_role("link", name="Møter").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Møter")
    expect(page.get_by_role("link", name="TIK-team – neste ukemøte")).to_be_visible()
    shot(page, "meeting-1-index")
    assert_accessible(page)
    page.get_by_label("Tittel").fill("TIK-team – ekstramøte")
    page.get_by_label("Tidspunkt").fill(f"{date.today() + timedelta(days=3):%Y-%m-%d}T09:00")
    page.get_by_label("Sted").fill("Møterom 2, Fjordvik barneskole")
    page.get_by_role("button", name="Opprett møtet").click()
    expect(page.get_by_role("status").filter(has_text="Møtet er opprettet.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("TIK-team – ekstramøte")

    page.get_by_label("Saksnummer").fill(ref)
    page.get_by_role("button", name="Legg til", exact=True).click()
    expect(page.get_by_role("status").filter(has_text="Saken er satt på sakslisten.")).to_be_visible()
    page.get_by_label("Eller: anonym drøfting").fill("Jente, 14 år, 9. trinn – mye fravær")
    page.get_by_role("button", name="Legg til", exact=True).click()

    agenda = page.get_by_role("region", name="Saksliste")
    first = agenda.get_by_role("article").first
    expect(first.get_by_role("heading")).to_have_text(ALIAS)
    expect(first.get_by_role("heading")).to_contain_text("Anonymisert")
    expect(agenda.get_by_role("article").nth(1).get_by_role("heading")).to_contain_text("mye fravær")
    # Neither the name nor the reference is anywhere on the page, not even for the case's own holder.
    html = page.content()
    assert "Jonas" not in html and "Fjellheim" not in html and ref not in html
    expect(first.get_by_role("link", name="Åpne saken")).to_have_count(0)
    shot(page, "meeting-2-agenda")
    meeting_url = page.url
    _logout(page)

    # The health nurse, a team member outside the case, writes the team's advice into the minutes.
    login(page, "helsesykepleier")
    page.goto(meeting_url)
    first = page.get_by_role("region", name="Saksliste").get_by_role("article").first
    expect(first.get_by_role("heading")).to_have_text(ALIAS)
    first.get_by_label("Hva ble drøftet").fill("Gutten virker sliten og trekker seg unna i friminuttene.")
    first.get_by_label("Råd").fill("Snakk med gutten og foreldrene; bruk samtaleveilederen 6–12 år.")
    first.get_by_role("button", name="Lagre referat").click()
    expect(page.get_by_role("status").filter(has_text="Referatet er lagret.")).to_be_visible()
    first = page.get_by_role("region", name="Saksliste").get_by_role("article").first
    expect(first.get_by_label("Råd")).to_have_value("Snakk med gutten og foreldrene; bruk samtaleveilederen 6–12 år.")

    attendance = page.get_by_role("group", name="Kryss av for hvem som møtte")
    for person in ("Siri Tveitan", "Marte Solberg-Haugen", "Linn Hovda-Berg"):
        attendance.get_by_label(person).check()
    page.get_by_role("button", name="Lagre oppmøte").click()
    expect(page.get_by_role("status").filter(has_text="Oppmøtet er lagret.")).to_be_visible()
    html = page.content()
    assert "Jonas" not in html and "Fjellheim" not in html and ref not in html
    shot(page, "meeting-3-minutes")
    assert_accessible(page)

    # The minutes on paper keep the child anonymous too.
    _name, data = download(page, lambda: page.get_by_role("link", name="Referat som PDF").click())
    text = pdf_text(data)
    assert ALIAS.search(text) and "TIK-team – ekstramøte" in text
    assert "bruk samtaleveilederen 6–12 år" in text
    assert "Jonas" not in text and "Fjellheim" not in text and ref not in text
