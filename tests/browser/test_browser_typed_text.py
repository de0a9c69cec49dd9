"""Nothing typed is lost: on each detour a person takes in the browser, the text typed before is still there
afterwards (a consent registered in the middle of a decision; a measure added from a meeting page)."""

from __future__ import annotations

import pytest
from browserkit import login
from playwright.sync_api import Page, expect

from tik.clock import today

pytestmark = pytest.mark.browser

TODAY = today().isoformat()


def _decide(page: Page, values: dict[str, str], decision: str) -> None:
    for key, value in values.items():
        field = page.locator(f"[name=f_{key}]")
        if field.first.get_attribute("type") == "radio":
            page.locator(f"[name=f_{key}][value={value}]").check()
        else:
            field.fill(value)
    page.get_by_role("button", name=decision, exact=True).click()
    expect(page.get_by_role("status").filter(has_text="Beslutningen er lagret.")).to_be_visible()


def test_the_assessment_survives_registering_the_consent_in_place(page, new_case):
    ref = new_case("koordinator", "Tekla", "Tekstvern")
    login(page, "koordinator")
    page.goto(f"/saker/{ref}")
    _decide(page, {"observation": "Tekla gråter i friminuttene.", "since_when": "Siden høstferien",
                   "how_often": "Daglig"}, "Beskrivelsen er ferdig")
    _decide(page, {"discussed_with": "leader", "advice": "Snakk med Tekla."}, "Drøftingen er gjennomført")
    _decide(page, {"conversation_date": TODAY, "child_words": "Ingen vil leke med meg."},
            "Samtalen med barnet er gjennomført")
    _decide(page, {"conversation_date": TODAY, "parents_words": "Hun sier det samme hjemme."},
            "Samtalen med foreldrene er gjennomført")

    assessment = "Tekla trenger helsesykepleier og skolen sammen – dette må ikke forsvinne."
    page.locator("[name=f_assessment]").fill(assessment)
    page.get_by_role("button", name="Gå til nivå 2: samarbeid med andre tjenester", exact=True).click()
    expect(page.get_by_text("Registrer samtykke først").first).to_be_visible()  # refused: consent first

    consent = page.locator("#consent-form")
    consent.get_by_label("Gitt av (foresatte)").fill("Kari Tekstvern")
    consent.get_by_label("Helsestasjon og skolehelsetjeneste", exact=True).check()
    consent.get_by_label("Formål", exact=True).fill("Samarbeid om Tekla")
    consent.get_by_role("button", name="Lagre samtykke").click()
    expect(page.locator("[name=f_assessment]")).to_have_value(assessment)  # after the detour


def test_unsaved_minutes_survive_adding_a_measure_from_the_meeting(page, new_case):
    ref = new_case("koordinator", "Mons", "Referatsen", gender="boy")
    login(page, "koordinator")
    page.goto(f"/moter/nettverk/{ref}")
    page.get_by_label("Tittel").fill("Ansvarsgruppe for Mons")
    page.get_by_role("button", name="Opprett møtet").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ansvarsgruppe for Mons")

    minutes = "Vi drøftet morgenene; mor foreslo fast frokost på skolen."
    page.get_by_label("Hva ble drøftet").fill(minutes)
    page.get_by_text("Beslutning: nytt tiltak i planen").click()
    page.get_by_role("button", name="Legg til tiltaket").click()  # refused: nothing in "Hva"
    expect(page.get_by_label("Hva ble drøftet")).to_have_value(minutes)

    page.get_by_label("Hva skal gjøres").fill("Frokost på skolen hver morgen")
    page.get_by_label("Mål med tiltaket").fill("Mons er mett og klar når timen starter")
    page.get_by_label("Eller ansvarlig utenfor TIK").fill("Kontaktlærer")
    page.get_by_role("button", name="Legg til tiltaket").click()
    expect(page.get_by_role("status").filter(has_text="Tiltaket er lagt til i planen.")).to_be_visible()
    expect(page.get_by_label("Hva ble drøftet")).to_have_value(minutes)  # saved with the measure
