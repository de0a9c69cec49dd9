"""A Swedish municipality (issue 28): the SIP guidebook in guidebooks/sv-sip passes the check, and a SIP runs in
Swedish from the concern to two agencies under consent, with no Norwegian on the case page."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from flows import form_data

from tik import clock
from tik.auth.models import Role
from tik.cases.models import Case
from tik.cli import guide as guide_cli
from tik.extensions import db
from tik.guides.loader import load_guide
from tik.org.service import check_organisation

ROOT = Path(__file__).resolve().parents[2]
GUIDEBOOK_DEFAULT = ROOT / "guidebook"
SIP = ROOT / "guidebooks" / "sv-sip"
ORGANISATION = ROOT / "guidebooks" / "sv-sip" / "organisation.yaml"
PERSONNUMMER = "20070315-2389"  # born 15 March 2007: 19 on the test day, consents alone
# Words only Norwegian has: one of them on a Swedish page is a string that escaped the catalogue or the guidebook.
NORWEGIAN = ("barnevern", "Fødsels", "fødsels", "stafettholder", "Stafettholder", "tjeneste", "Tjeneste", "Lagre",
             "Ikke ", "ikke ", "Hvem", "Hva ", "KS Fiks", "forvaltningsloven", "Saken", "saken", "Bekymring")


def test_the_swedish_sip_guidebook_passes_the_check():
    result = CliRunner().invoke(guide_cli, ["check", str(SIP)])
    assert result.exit_code == 0 and result.output.strip().endswith("OK"), result.output
    guide = load_guide(SIP)
    assert guide.country == "se" and guide.languages == ("sv",)
    assert (guide.consent.adult_alone_from, guide.consent.below) == (18, "maturity")
    assert guide.step("sip-call").time_frame_days == 5 and guide.is_consent_step(guide.step("sip-consent"))
    assert guide.step("sip-meeting").field("lead_agency").required  # huvudansvar beside the coordinator
    assert {"arbetsformedlingen", "forsakringskassan", "bup", "primary-care"} <= set(guide.services)
    assert guide.ends["child_welfare_report"].title.get("sv") == "Orosanmälan till socialtjänsten"
    for key, text in guide.guidance.items():  # every law reference is marked for checking against SFS
        body = text.get("sv")
        if re.search(r"lagen\b|\d+ kap\.", body):
            assert "[kontrolleras mot SFS]" in body, key


def test_the_example_organisation_has_the_agencies_as_units_of_their_own(sweden):
    units, problems = check_organisation(ORGANISATION)
    assert problems == []
    assert {u.service for u in units} >= {"arbetsformedlingen", "forsakringskassan", "bup", "primary-care",
                                          "school", "student-health", "social-services", "youth-centre"}
    assert {u.name for u in units} >= {"Kristinedalskolan", "ARENA Ungdomscentral Åmål–Vänersborg"}


def test_a_sip_in_swedish_with_two_agencies_under_the_young_adults_own_consent(sweden, client, login, make_user):
    login(make_user("mentor", service="school", name="Maja Mentor", locale="sv",
                    roles=(Role.EMPLOYEE, Role.COORDINATOR)))
    agency = make_user("af-handlaggare", service="arbetsformedlingen", name="Anders Arbetsförmedlare")
    make_user("fk-handlaggare", service="forsakringskassan", name="Frida Försäkring")
    outsider = make_user("bup-lakare", service="bup", name="Bodil BUP")

    response = client.post("/bekymring/skjema", data={
        "first_name": "Elsa", "last_name": "Lind", "nin": PERSONNUMMER, "school": "Kristinebergsskolan",
        "guardians-0-name": "Anna Lind", "guardians-0-language": "sv", "urgency": "none",
        "observation": "Elsa har inte varit i skolan sedan oktober och säger att hon mår dåligt."})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    case = db.session.scalar(db.select(Case))
    assert case.child.birth_date == date(2007, 3, 15)
    today = clock.today().isoformat()
    path = [("done", "s0-describe", {"observation": "Frånvaro sedan oktober.", "since_when": "Oktober"}),
            ("done", "s0-talk", {"conversation_date": today, "child_words": "Jag orkar inte gå dit."}),
            ("sip", "s0-decide", {"assessment": "Behöver stöd från Arbetsförmedlingen och Försäkringskassan."})]
    page = client.get(f"/saker/{case.ref}/skjema/samtykke").get_data(as_text=True)  # the consent form's page
    assert "Givet av (den unga vuxna själv, utan vårdnadshavare)" in page
    consent = client.post(f"/saker/{case.ref}/samtykke", data={
        "given_by": "Elsa Lind", "young_person": "y", "services": ["arbetsformedlingen", "forsakringskassan"],
        "purpose": "SIP", "form": "paper", "given_on": today, "idempotency_key": "sip-consent",
        "expires_on": (clock.today() + timedelta(days=365)).isoformat()})
    assert consent.status_code == 302, consent.get_data(as_text=True)[:2000]
    for decision, step, values in path:
        moved = client.post(f"/saker/{case.ref}/beslutning", data=form_data(values, decision, case.version, step))
        assert moved.status_code == 302, moved.get_data(as_text=True)[:2000]
        db.session.expire_all()
    # The consent step is carried by the consent just given (asked once): straight to the call, within 5 days.
    assert case.step_id == "sip-call" and case.deadline == clock.today() + timedelta(days=5)

    invited = client.post(f"/saker/{case.ref}/deltakere", data={"person": "af-handlaggare", "idempotency_key": "i1"})
    assert invited.status_code == 302
    refused = client.post(f"/saker/{case.ref}/deltakere", data={"person": "bup-lakare", "idempotency_key": "i2"})
    assert refused.status_code == 422  # BUP is not named in the consent

    page = client.get(f"/saker/{case.ref}").get_data(as_text=True)
    assert "Kalla till SIP-möte" in page and "Arbetsförmedlingen" in page and "Elsa Lind själv" in page
    main = page.split('<main id="main"')[1].split("</main>")[0]
    leaks = sorted({word for word in NORWEGIAN if word in main})
    assert leaks == [], leaks

    login(agency)
    assert client.get(f"/saker/{case.ref}").status_code == 200
    login(outsider)
    assert client.get(f"/saker/{case.ref}").status_code == 404


def test_the_report_path_and_the_archive_classification_come_from_the_guidebook(sweden, client, login,
                                                                                make_user, make_case):
    from support import pdf_text

    from tik.cases import steps
    from tik.cases.models import ChildWelfareReport
    from tik.cases.reports import GuardianInformed, ReportError, complete_report

    teacher = login(make_user(service="school", locale="sv"))
    case = make_case(by=teacher, birth_date=date(2012, 3, 15))
    steps.decide(case, "report_child_welfare", {}, by=teacher)
    report = db.session.scalar(db.select(ChildWelfareReport))
    page = client.get(f"/saker/{case.ref}").get_data(as_text=True)
    section = page.split('id="reports"')[1].split("</section>")[0]
    assert "Orosanmälan till socialtjänsten" in section and "KS Fiks" not in section
    assert 'value="ks-fiks"' not in section and 'value="paper"' in section
    guardian = report.guardians[0]["guardian_id"]
    with pytest.raises(ReportError):  # KS Fiks is not a channel of this guidebook's report
        complete_report(report, teacher, guardians=[GuardianInformed(guardian, True)], child_told=True,
                        child_not_told_reason="", interpreter_needed=False, interpreter_language="",
                        sent_on=clock.today(), sent_how="ks-fiks", text="Anmälan")
    db.session.rollback()
    text = pdf_text(client.get(f"/saker/{case.ref}/melding/{report.id}.pdf").data)
    assert "Orosanmälan till socialtjänsten" in text and "Socialtjänsten, Åmåls kommun" in text
    assert "Anmälningsplikt enligt socialtjänstlagen" in text and "barnevern" not in text
    guide = load_guide(SIP)
    assert guide.archive.classification.startswith("Sekretess enligt offentlighets- och sekretesslagen")
    assert guide.archive.screening_law == "OSL 26 kap. 1 §"


def test_ks_fiks_is_refused_outside_norway_and_the_defaults_stay_norwegian(tmp_path):
    from support import GUIDEBOOK, GuidebookCopy

    norwegian = load_guide(GUIDEBOOK)
    assert "ks-fiks" in norwegian.report.channels and norwegian.report.title.get("nb") == ""
    assert norwegian.archive.classification == "Taushetsbelagt, offl. § 13 jf. fvl. § 13"
    book = GuidebookCopy(tmp_path / "guidebook")
    book.edit(lambda data: data.update(country="se", report={"channels": ["ks-fiks", "paper", "fax"]}))
    problems = book.problems()
    assert "guide.yaml: report.channels 'ks-fiks': KS Fiks is for Norwegian municipalities" in problems
    assert any(p.startswith("guide.yaml: report.channels 'fax': unknown channel") for p in problems)


def test_the_report_fields_are_checked_and_worded_by_the_guidebook(tmp_path):
    from support import GuidebookCopy

    guide = load_guide(SIP)
    assert guide.report.label("informed", "sv", "Informert?", name="Anna Ek") == "Har Anna Ek fått veta om orosanmälan?"
    assert guide.report.label("interpreter", "nb", "Trengs tolk?") == "Trengs tolk?"  # no wording: TIK's own
    assert load_guide(GUIDEBOOK_DEFAULT).report.fields == {}
    book = GuidebookCopy(tmp_path / "guidebook")
    book.edit(lambda data: data.update(report={"fields": {"melder": {"nb": "Melder"}, "text": {"nb": "Meldingen"}}}))
    problems = book.problems()
    assert any(p.startswith("guide.yaml: report.fields.melder: unknown report field") for p in problems), problems
    assert any("report.fields.text: 'text' has no text in language 'nn'" in p for p in problems), problems


def test_a_swedish_letter_from_a_swedish_municipality_is_not_marked_as_translated(sweden, make_user, make_case):
    from support import pdf_text

    from tik.concerns.service import GuardianInput
    from tik.plans.printing import plan_pdf

    holder = make_user(service="school", name="Maja Mentor")
    case = make_case(by=holder, first_name="Elsa", birth_date=date(2012, 3, 15),
                     guardians=[GuardianInput("Anna Lind", "mor", "", "sv")])
    swedish = pdf_text(plan_pdf(case, holder, family=True, lang="sv")[1])
    assert "Vår plan för Elsa" in swedish
    assert "tolk" not in swedish and "norska" not in swedish  # staff write Swedish here: no translation note
    english = pdf_text(plan_pdf(case, holder, family=True, lang="en")[1])
    assert "translated" in english  # another language is still marked as a translation


def test_the_archive_print_of_a_swedish_case_is_classified_under_swedish_law(sweden, make_user, make_case):
    import io
    import json
    import zipfile

    import jsonschema

    from tik.cases.steps import decide
    from tik.lifecycle.archive import SCHEMA, print_archive

    holder = make_user(service="school")
    case = make_case(by=holder, birth_date=date(2012, 3, 15))
    today = clock.today().isoformat()
    for decision, values in [("done", {"observation": "Frånvaro.", "since_when": "Oktober"}),
                             ("done", {"conversation_date": today, "child_words": "Det är bra nu."}),
                             ("close", {"assessment": "Oron är utredd.", "close_reason": "Löst i samtal."})]:
        decide(case, decision, values, by=holder)
    package = print_archive(case, holder)
    with zipfile.ZipFile(io.BytesIO(package.data)) as z:
        metadata = json.loads(z.read(f"{case.ref}-metadata.json"))
    assert metadata["klassifikasjon"].startswith("Sekretess enligt offentlighets- och sekretesslagen")
    assert metadata["skjerming"]["skjermingshjemmel"] == "OSL 26 kap. 1 §"
    jsonschema.validate(metadata, json.loads(SCHEMA.read_text()), format_checker=jsonschema.FormatChecker())
