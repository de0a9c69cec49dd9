"""Emil's journey in a real browser (issue 15): registration fills "Konkretiser", and registering consent in the
middle of the level 0 decision brings the user back to the decision with the assessment text intact."""

from __future__ import annotations

import re

import pytest
from browserkit import assert_accessible, login, shot
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

ASSESSMENT = ("Emil trenger hjelp fra helsesykepleier: han er sliten, gråter i friminuttene og sier at han "
              "ikke får sove. Foreldrene ønsker samarbeid.")


def test_consent_in_the_middle_of_the_decision_keeps_the_assessment(page):
    login(page, "laerer")
    page.goto("/bekymring/ny")
    page.get_by_role("group", name="Er barnet i akutt fare").get_by_role("radio", name="Nei").check()
    page.get_by_role("group", name="Mistenker du vold").get_by_role("radio", name="Nei").check()
    page.get_by_role("button", name="Fortsett").click()
    page.locator("[name=first_name]").fill("Emil")
    page.locator("[name=last_name]").fill("Strandli")
    page.locator("[name=birth_date]").fill("2016-04-01")
    page.locator("[name='guardians-0-name']").fill("Sara Strandli")
    page.locator("[name='guardians-0-phone']").fill("412 00 000")
    page.locator("[name=observation]").fill("Emil gråter i friminuttene og sier han ikke får sove.")
    page.locator("[name=since_when]").fill("Siden jul")
    page.locator("[name=how_often]").fill("Nesten hver dag")
    page.get_by_role("button", name="Registrer bekymringen").click()

    # Confirmation, and "Konkretiser" already holds what the registration said (marked as from the concern).
    expect(page).to_have_url(re.compile(r"/saker/TIK-\d{4}-\d{4}"))
    expect(page.locator("#registered")).to_contain_text("Bekymringen er registrert")
    expect(page.locator("[name=f_observation]")).to_have_value("Emil gråter i friminuttene og sier han ikke får sove.")
    expect(page.locator("[name=f_since_when]")).to_have_value("Siden jul")
    expect(page.locator("[data-carried=concern]").first).to_be_visible()
    expect(page.get_by_text("412 00 000")).to_be_visible()  # the guardian's phone on the case page
    page.get_by_role("button", name="Beskrivelsen er ferdig").click()

    page.get_by_role("radio", name="Kollega").check()
    page.locator("[name=f_advice]").fill("Snakk med Emil og foreldrene.")
    page.get_by_role("button", name="Drøftingen er gjennomført").click()
    page.locator("[name=f_conversation_date]").fill("2026-11-18")
    page.locator("[name=f_child_words]").fill("Jeg er redd om natta.")
    page.get_by_role("button", name="Samtalen med barnet er gjennomført").click()
    page.locator("[name=f_conversation_date]").fill("2026-11-19")
    page.locator("[name=f_parents_words]").fill("Vi vil gjerne ha hjelp.")
    page.get_by_role("button", name="Samtalen med foreldrene er gjennomført").click()
    expect(page.locator("#step-title")).to_have_text("Bestem veien videre")
    # Both voices, newest first, dated.
    voices = page.locator("#voices li")
    expect(voices.nth(0)).to_contain_text("19.11.2026")
    expect(voices.nth(1)).to_contain_text("Jeg er redd om natta.")

    # Level 2 needs consent: the consent form's page answers the decision, and the assessment goes with it.
    page.locator("[name=f_assessment]").fill(ASSESSMENT)
    page.get_by_role("button", name="Gå til nivå 2: samarbeid med andre tjenester").click()
    expect(page.get_by_role("alert").first).to_contain_text("krever et samtykke")
    expect(page.get_by_role("heading", level=1)).to_have_text("Registrer samtykke")
    consent = page.locator("#consent-form")
    consent.get_by_label("Helsestasjon og skolehelsetjeneste", exact=True).check()
    consent.get_by_label("Formål", exact=True).fill("Samarbeid med helsesykepleier om Emils søvn og trivsel.")
    shot(page, "flow-1-consent-in-place")
    consent.get_by_role("button", name="Lagre samtykke").click()

    # Back at the decision with every word intact; one click moves on (consent is not asked again).
    expect(page.locator("#consent-saved")).to_be_visible()
    expect(page.locator("[name=f_assessment]")).to_have_value(ASSESSMENT)
    shot(page, "flow-2-text-intact")
    assert_accessible(page)
    page.get_by_role("button", name="Gå til nivå 2: samarbeid med andre tjenester").click()
    expect(page.locator("#step-title")).to_have_text("Samarbeidsmøte")
    expect(page.get_by_text(ASSESSMENT)).to_be_visible()  # on the timeline
