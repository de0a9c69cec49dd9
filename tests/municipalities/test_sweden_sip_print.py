"""The printed SIP (issue 28): the plan states who has huvudansvar (guide.yaml `on_plan`), in both copies and on the
plan page, as far as the reader's consent shows it; and the family's copy follows the consent in force: to a young
adult who consents alone, to the guardians of a 14-year-old."""

from __future__ import annotations

from datetime import timedelta

from click.testing import CliRunner
from flows import form_data
from support import pdf_text
from test_sweden import PERSONNUMMER, SIP

from tik import clock
from tik.auth.models import Role
from tik.auth.policy import Sight
from tik.cases.models import Case
from tik.cli import guide as guide_cli
from tik.extensions import db
from tik.plans.letter import letter_html
from tik.plans.models import Plan

LEAD = "Arbetsförmedlingen Åmål"


def _young_adults_sip(client, login, make_user) -> Case:
    """Elsa (19) consents alone to Arbetsförmedlingen and Försäkringskassan; the SIP meeting records huvudansvar."""
    login(make_user("mentor", service="school", name="Maja Mentor", locale="sv",
                    roles=(Role.EMPLOYEE, Role.COORDINATOR)))
    response = client.post("/bekymring/skjema", data={
        "first_name": "Elsa", "last_name": "Lind", "nin": PERSONNUMMER, "school": "Kristinebergsskolan",
        "guardians-0-name": "Anna Lind", "guardians-0-language": "sv", "urgency": "none",
        "observation": "Elsa har inte varit i skolan sedan oktober."})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    case = db.session.scalar(db.select(Case))
    today = clock.today().isoformat()
    consent = client.post(f"/saker/{case.ref}/samtykke", data={
        "given_by": "Elsa Lind", "young_person": "y", "services": ["arbetsformedlingen", "forsakringskassan"],
        "purpose": "SIP", "form": "paper", "given_on": today, "idempotency_key": "sip-consent",
        "expires_on": (clock.today() + timedelta(days=365)).isoformat()})
    assert consent.status_code == 302, consent.get_data(as_text=True)[:2000]
    for decision, step, values in [
            ("done", "s0-describe", {"observation": "Frånvaro sedan oktober.", "since_when": "Oktober"}),
            ("done", "s0-talk", {"conversation_date": today, "child_words": "Jag orkar inte gå dit."}),
            ("sip", "s0-decide", {"assessment": "Behöver stöd från två huvudmän."}),
            ("done", "sip-call", {"meeting_date": today, "participants": "Elsa, AF, FK"}),
            ("done", "sip-meeting", {"shared_understanding": "Elsa vill börja arbeta.", "lead_agency": LEAD,
                                     "is_sip": "yes"})]:
        moved = client.post(f"/saker/{case.ref}/beslutning", data=form_data(values, decision, case.version, step))
        assert moved.status_code == 302, moved.get_data(as_text=True)[:2000]
        db.session.expire_all()
    assert case.step_id == "sip-plan"
    return case


def _addressee(text: str) -> str:
    """The letter's "Till: …" line, up to its date."""
    return text.split("Till:", 1)[1].split("Datum:", 1)[0].strip()


def test_the_printed_sip_states_huvudansvar_and_goes_to_the_young_adult(sweden, client, login, make_user):
    case = _young_adults_sip(client, login, make_user)

    agencies = client.get(f"/saker/{case.ref}/plan.pdf")
    assert agencies.status_code == 200
    staff = pdf_text(agencies.data)
    assert f"Huvudansvar {LEAD}" in staff

    family = client.get(f"/saker/{case.ref}/plan.pdf?versjon=familie")  # the case page's "PDF för familjen"
    assert family.status_code == 200
    letter = pdf_text(family.data)
    assert f"Huvudansvar: {LEAD}" in letter
    assert _addressee(letter) == "Elsa Lind" and "Kära Elsa Lind," in letter
    assert "Anna Lind" not in letter  # neither to her mother nor signed by her: the consent is Elsa's alone
    assert "Det föräldrarna säger" not in letter  # her parents have no part in an adult's own plan
    html = letter_html(case, db.session.scalar(db.select(Plan).where(Plan.case_id == case.id)), "sv")
    # what staff wrote has its own paragraph, the margin line beside it, not a bar between label and text
    assert f'<p>Huvudansvar:</p><p class="staff-text" lang="nb" dir="ltr">{LEAD}</p>' in html

    page = client.get(f"/saker/{case.ref}/plan").get_data(as_text=True)
    statements = page.split('id="plan-statements"', 1)[1].split("</dl>", 1)[0]
    assert "Huvudansvar" in statements and LEAD in statements
    assert "Brev till Anna Lind" not in page  # the plan page offers Elsa's letter only


def test_huvudansvar_is_printed_only_where_the_readers_consent_shows_the_notes(sweden, client, login, make_user):
    from tik.plans.known import on_plan

    case = _young_adults_sip(client, login, make_user)
    assert [(s.label, s.text) for s in on_plan(case, Sight(None, True), "sv")] == [("Huvudansvar", LEAD)]
    without_notes = Sight(None, True, content=frozenset({"concern", "plan", "child_voice", "parents_voice"}))
    assert on_plan(case, without_notes, "sv") == []


def test_a_14_year_olds_family_copy_still_goes_to_the_guardians(sweden, client, login, make_user, make_case):
    from tik.concerns.service import GuardianInput

    holder = login(make_user("mentor14", service="school", name="Maja Mentor", locale="sv",
                             roles=(Role.EMPLOYEE, Role.COORDINATOR)))
    today = clock.today()
    case = make_case(by=holder, first_name="Leo", last_name="Berg",
                     birth_date=today.replace(year=today.year - 14) - timedelta(days=40),
                     guardians=[GuardianInput("Karin Berg", "mor", "", "sv")])
    consent = client.post(f"/saker/{case.ref}/samtykke", data={
        "given_by": "Karin Berg", "services": ["student-health"], "purpose": "Stöd", "form": "paper",
        "given_on": today.isoformat(), "idempotency_key": "c14",
        "expires_on": (today + timedelta(days=365)).isoformat()})
    assert consent.status_code == 302, consent.get_data(as_text=True)[:2000]
    letter = pdf_text(client.get(f"/saker/{case.ref}/plan.pdf?versjon=familie").data)
    assert _addressee(letter) == "Karin Berg" and "Kära Karin Berg," in letter
    assert "Leo Berg" not in _addressee(letter)
    assert "Det föräldrarna säger" in letter  # the guardians' copy keeps their words' place


def test_on_plan_naming_an_unknown_field_fails_the_check(tmp_path):
    import shutil

    import yaml

    book = tmp_path / "sv-sip"
    shutil.copytree(SIP, book)
    data = yaml.safe_load((book / "guide.yaml").read_text())
    data["on_plan"] = [{"field": "sip-meeting.huvudansvar", "label": {"sv": "Huvudansvar"}},
                       {"field": "sip-consent.services"}]
    (book / "guide.yaml").write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    result = CliRunner().invoke(guide_cli, ["check", str(book)])
    assert result.exit_code != 0
    assert "on_plan 'sip-meeting.huvudansvar': unknown field 'huvudansvar' in step 'sip-meeting'" in result.output
    assert "on_plan 'sip-consent.services': a services field does not print" in result.output
