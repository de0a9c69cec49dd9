"""A coordinator takes a case from level 0 to a coordinated plan at level 2 and prints it for the family."""

from __future__ import annotations

import re

import pytest
from browserkit import assert_accessible, download, login, pdf_text, shot
from playwright.sync_api import Page, expect

from tik.clock import today

pytestmark = pytest.mark.browser

TODAY = today().isoformat()  # the app's own clock (UTC), as the server sees it


def _step(page: Page, title: str) -> None:
    """The case page shows `title` as the next step."""
    expect(page.locator("#step-title")).to_have_text(title)


def _decide(page: Page, values: dict[str, str], decision: str, then: str | None = None) -> None:
    """Fill the step's fields (f_<key>), press the decision button and see the decision saved."""
    for key, value in values.items():
        field = page.locator(f"[name=f_{key}]")
        if field.first.get_attribute("type") == "radio":
            page.locator(f"[name=f_{key}][value={value}]").check()
        else:
            field.fill(value)
    page.get_by_role("button", name=decision, exact=True).click()
    expect(page.get_by_role("status").filter(has_text="Beslutningen er lagret.")).to_be_visible()
    if then:
        _step(page, then)


def test_coordinator_takes_a_case_from_level_0_to_a_family_plan_at_level_2(page, new_case):
    ref = new_case("koordinator", "Sofie", "Nilsen")
    login(page, "koordinator")
    page.goto(f"/saker/{ref}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sofie Nilsen")
    _step(page, "Konkretiser det du har sett og hørt")
    shot(page, "plan-01-case-level-0")

    # Level 0: describe, discuss, talk with the child and the parents, decide.
    _decide(page, {"observation": "Sofie sover i timene, har ikke matpakke.", "since_when": "Siden august",
                   "how_often": "Tre dager i uka"}, "Beskrivelsen er ferdig", then="Drøft undringen")
    _decide(page, {"discussed_with": "leader", "advice": "Snakk med Sofie og foreldrene."},
            "Drøftingen er gjennomført", then="Snakk med barnet")
    _decide(page, {"conversation_date": TODAY, "child_words": "Jeg er så trøtt fordi mamma er syk."},
            "Samtalen med barnet er gjennomført", then="Snakk med foreldrene")
    _decide(page, {"conversation_date": TODAY, "parents_words": "Vi har hatt det tøft hjemme i høst."},
            "Samtalen med foreldrene er gjennomført", then="Bestem veien videre")
    shot(page, "plan-02-level-0-decide")
    _decide(page, {"assessment": "Behov for tiltak, først i egen tjeneste."},
            "Gå til nivå 1: tiltak i egen tjeneste", then="Felles forståelse med foreldre og barn")
    expect(page.locator(".tik-ladder [aria-current=step]")).to_contain_text("Tiltak i egen tjeneste")

    # Consent naming two services, registered on the case page.
    page.get_by_text("Registrer samtykke", exact=True).click()
    consent = page.locator("#consent-form")
    consent.get_by_label("Gitt av (foresatte)").fill("Hilde Nilsen")
    consent.get_by_label("Helsestasjon og skolehelsetjeneste", exact=True).check()
    consent.get_by_label("PPT (pedagogisk-psykologisk tjeneste)", exact=True).check()
    consent.get_by_label("Formål", exact=True).fill("Samarbeid om tiltak for Sofie")
    shot(page, "plan-03-consent-form")
    consent.get_by_role("button", name="Lagre samtykke").click()
    consents = page.get_by_role("complementary").locator("section", has=page.get_by_role("heading", name="Samtykke"))
    expect(consents).to_contain_text("Helsestasjon og skolehelsetjeneste")
    expect(consents).to_contain_text("PPT (pedagogisk-psykologisk tjeneste)")
    expect(consents).to_contain_text("Hilde Nilsen")

    # Level 1 to its evaluation, then on to level 2 with the other services.
    _decide(page, {"meeting_date": TODAY, "shared_understanding": "Sofie er sliten og sulten.",
                   "child_words": "Jeg vil ha det bedre på skolen."},
            "Felles forståelse er beskrevet", then="Avklar samtykke og informasjon")
    _decide(page, {}, "Samtykke er avklart", then="Bekreft stafettholder")
    _decide(page, {}, "Stafettholder er bekreftet", then="Lag handlingsplan med tiltak")
    # A plan step passes only with a dated measure with an owner: the first one, in the holder's own service.
    page.get_by_role("link", name="Åpne planen").click()
    page.get_by_text("Legg til tiltak", exact=True).click()
    page.get_by_label("Ansvarlig i saken").select_option(label="Linn Hovda-Berg")
    page.get_by_label("Hva skal gjøres").fill("Frokost på skolen hver morgen")
    page.get_by_label("Mål med tiltaket").fill("Sofie er mett og uthvilt")
    page.get_by_role("button", name="Legg til tiltaket").click()
    expect(page.get_by_role("status").filter(has_text="Tiltaket er lagt til i planen.")).to_be_visible()
    page.goto(f"/saker/{ref}")
    _decide(page, {"plan_summary": "Frokost på skolen og faste samtaler."}, "Handlingsplanen er klar",
            then="Gjennomfør og dokumenter tiltakene")
    _decide(page, {"progress": "Bedre uke for uke, men fortsatt trøtt."}, "Klar for evaluering",
            then="Evaluer tiltakene")
    shot(page, "plan-04-level-1-evaluate")
    _decide(page, {"evaluation": "Trenger flere tjenester.", "child_experience": "Litt bedre."},
            "Gå til nivå 2: samarbeid med andre tjenester", then="Samarbeidsmøte")
    # Consent is asked once: the consent registered above does the consent step, it is not asked again.
    expect(page.locator(".tik-ladder [aria-current=step]")).to_contain_text("Samarbeid med andre tjenester")
    expect(page.get_by_text("dekket av samtykket som allerede er registrert")).to_be_visible()
    _decide(page, {"meeting_date": TODAY, "participants": "Skole, helsesykepleier, PPT, mor",
                   "shared_understanding": "Sofie trenger mat, søvn og en voksen å snakke med."},
            "Møtet er holdt", then="Felles handlingsplan")
    shot(page, "plan-05-level-2")
    assert_accessible(page)

    # With the consent in place, the coordinator invites the health nurse by name into the case.
    page.get_by_text("Inviter en deltaker", exact=True).click()
    page.get_by_label("Søk etter navn eller brukernavn").fill("siri")  # part of her name is enough
    page.get_by_role("button", name="Søk og inviter", exact=True).click()
    expect(page.get_by_role("status").filter(has_text="Siri Tveitan er invitert")).to_be_visible()
    expect(page.locator("#participants")).to_contain_text("Siri Tveitan")

    # The plan: goals and voices, then one measure from each of the two services.
    page.get_by_role("link", name="Åpne planen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Handlingsplan")
    page.get_by_label("Mål for barnet").fill("Sofie skal være uthvilt og mett på skolen.")
    page.get_by_label("Barnets stemme").fill("Jeg vil ha en voksen å snakke med.")
    page.get_by_label("Foreldrenes stemme").fill("Vi trenger hjelp med rutiner.")
    page.get_by_label("Interne notater").fill("INTERNT: far har tidligere sak hos NAV.")
    page.get_by_role("button", name="Lagre planen").click()
    expect(page.get_by_role("status").filter(has_text="Planen er lagret.")).to_be_visible()
    for service, participant, outside, what in (
        ("Helsestasjon og skolehelsetjeneste", "Siri Tveitan", "", "Faste samtaler annenhver uke"),
        ("PPT (pedagogisk-psykologisk tjeneste)", "", "Tor Ivar Lunde", "Kartlegging av lese- og skriveferdigheter"),
    ):
        page.get_by_text("Legg til tiltak", exact=True).click()
        page.get_by_label("Tjeneste", exact=True).select_option(label=service)
        if participant:  # someone in the case: they will find it under "Mine saker"
            page.get_by_label("Ansvarlig i saken").select_option(label=participant)
        else:  # someone outside TIK, by name only
            page.get_by_label("Eller ansvarlig utenfor TIK").fill(outside)
        page.get_by_label("Hva skal gjøres").fill(what)
        page.get_by_label("Mål med tiltaket").fill("Bedre skolehverdag")
        page.get_by_role("button", name="Legg til tiltaket").click()
        expect(page.get_by_role("status").filter(has_text="Tiltaket er lagt til i planen.")).to_be_visible()
    table = page.get_by_role("table")
    expect(table).to_contain_text("Faste samtaler annenhver uke")
    expect(table).to_contain_text("Kartlegging av lese- og skriveferdigheter")
    shot(page, "plan-06-plan")
    assert_accessible(page)

    # The family's PDF: their words, the measures and whom to call; never the internal notes.
    name, data = download(page, lambda: page.get_by_role("link", name="Brev til Hilde Nilsen").click())
    assert re.fullmatch(rf"{ref}-plan-familie-nb-rev\d+\.pdf", name)
    text = pdf_text(data)
    for seen in ("Planen vår for Sofie", "Sofie Nilsen", "Målet vårt", "Sofie skal være uthvilt og mett på skolen.",
                 "Hvem gjør hva", "Faste samtaler annenhver uke", "Kartlegging av lese- og skriveferdigheter",
                 "Jeg vil ha en voksen å snakke med.", "Vi trenger hjelp med rutiner.", "Linn Hovda-Berg",
                 "Dette kan dere gjøre", "Til: Hilde Nilsen"):
        assert seen in text, f"{seen!r} is missing from the family PDF"
    assert "INTERNT" not in text and "Interne notater" not in text

    # The same plan in English when asked for.
    page.goto(f"/saker/{ref}/plan")
    _name, data = download(page, lambda: page.evaluate(
        "href => { const a = document.createElement('a'); a.href = href; document.body.append(a); a.click(); }",
        f"/saker/{ref}/plan.pdf?versjon=familie&lang=en"))
    english = pdf_text(data)
    assert "Our plan for Sofie" in english and "Who does what" in english and "Our goal" in english
    assert "Planen vår" not in english


def test_an_invited_nurse_finds_the_case_under_my_cases(page, new_case, live_server):
    """After consent, the holder invites the health nurse; she finds the case, with why she sees it."""
    from sqlalchemy import select

    from tik.auth.models import User
    from tik.cases.consent import record_consent
    from tik.cases.models import Case
    from tik.cases.models import ConsentForm as Kind
    from tik.extensions import db

    ref = new_case("laerer", "Nora", "Lie")
    login(page, "helsesykepleier")
    page.goto("/saker")
    expect(page.get_by_role("main")).not_to_contain_text(ref)
    with live_server.app.app_context():
        case = db.session.scalar(select(Case).where(Case.ref == ref))
        teacher = db.session.scalar(select(User).where(User.username == "laerer"))
        record_consent(case, teacher, given_by="Hilde Lie", services=["health-nurse"], purpose="Samarbeid",
                       form=Kind.PAPER, given_on=today(), expires_on=today().replace(year=today().year + 1))
        db.session.remove()
    context = page.context.browser.new_context(base_url=live_server.url, locale="nb-NO")
    teacher_page = context.new_page()
    login(teacher_page, "laerer")
    teacher_page.goto(f"/saker/{ref}")
    teacher_page.get_by_text("Inviter en deltaker", exact=True).click()
    picker = teacher_page.get_by_label("Eller velg fra listen")  # the people who may be invited, to pick from
    picker.select_option(value=picker.locator("option", has_text="Siri Tveitan").get_attribute("value"))
    teacher_page.get_by_role("button", name="Inviter", exact=True).click()
    expect(teacher_page.get_by_role("status").filter(has_text="Siri Tveitan er invitert")).to_be_visible()
    context.close()
    page.goto("/saker")
    row = page.get_by_role("row").filter(has_text=ref)
    expect(row).to_contain_text("deltaker")
    row.get_by_role("link", name=ref).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Nora Lie")
    assert_accessible(page)
