"""The plan starts from what the case already holds (issue 26): when the plan form opens, its goals start from
the concretisation, the shared understanding of the meeting with the family and the decisions in the minutes,
and the voices from the conversations with the child and the parents; all of it editable, nothing saved until
the user saves, nothing saved overwritten (the version check still refuses a stale save), and only what the
reader's consent shows. Through the web, as the holder and a participant reach it."""

from __future__ import annotations

import html
import re

import pytest
from flows import CONCRETISE, TALK_CHILD, TALK_PARENTS, TO_LEVEL1

from tik.auth.models import Role
from tik.cases.consent import record_consent
from tik.cases.models import ConsentForm
from tik.cases.participants import invite_participant
from tik.clock import today
from tik.extensions import db
from tik.meetings import service as meetings
from tik.meetings.models import AgendaItem
from tik.plans.models import Plan

UNDERSTANDING = "Emma trenger ro om morgenen og en voksen å snakke med i friminuttene."
DECISIONS = "Helsesykepleier har samtaler med Emma hver uke."


@pytest.fixture
def known(app, make_user, make_case, move_case, make_meeting):
    """Emma's case at level 1 with the shared understanding recorded, and a meeting whose minutes decided."""
    holder = make_user(username="holder", service="school", roles=(Role.EMPLOYEE, Role.COORDINATOR))
    case = make_case(by=holder)
    move_case(case, holder, TO_LEVEL1 + [("done", {"meeting_date": "2026-11-20", "shared_understanding":
                                                   UNDERSTANDING})])
    meeting = make_meeting(holder, case=case, days=0, title="Samarbeidsmøte")
    meetings.save_minutes(meeting.items[0], holder, discussion="Gjennomgang", advice="", decisions=DECISIONS)
    return case, holder


def _textarea(page: str, name: str) -> str:
    found = re.search(rf'<textarea[^>]*name="{name}"[^>]*>(.*?)</textarea>', page, re.S)
    return html.unescape(found.group(1)).strip() if found else ""


def _plan_form(page: str) -> dict:
    return {"csrf_token": "", "version": re.search(r'name="version" type="hidden" value="(\d+)"', page).group(1),
            **{name: _textarea(page, name) for name in ("goals", "child_voice", "parents_voice", "internal_notes")}}


def test_the_plan_form_opens_with_what_the_case_already_knows(client, login, known):
    case, holder = known
    login(holder)
    page = client.get(f"/saker/{case.ref}/plan").get_data(as_text=True)
    goals = _textarea(page, "goals")
    # Oldest first, each dated and named by where it came from.
    assert goals.index(CONCRETISE["observation"]) < goals.index(UNDERSTANDING) < goals.index(DECISIONS)
    assert "Hva har du sett eller hørt? (20.11.2026)" in goals
    assert "Felles forståelse av situasjonen (20.11.2026)" in goals
    assert "Vedtak i møtet «Samarbeidsmøte» (20.11.2026)" in goals
    assert _textarea(page, "child_voice") == TALK_CHILD["child_words"]
    assert _textarea(page, "parents_voice") == TALK_PARENTS["parents_words"]
    assert 'id="plan-prefilled"' in page
    assert db.session.scalar(db.select(Plan).where(Plan.case_id == case.id)) is None  # nothing saved by opening


def test_what_the_user_edits_is_saved_and_then_the_plan_keeps_its_own(client, login, known):
    case, holder = known
    login(holder)
    form = _plan_form(client.get(f"/saker/{case.ref}/plan").get_data(as_text=True))
    form["goals"] = "Emma skal komme uthvilt på skolen fire dager i uka."
    assert client.post(f"/saker/{case.ref}/plan", data=form).status_code == 302
    plan = db.session.scalar(db.select(Plan).where(Plan.case_id == case.id))
    assert plan.goals == form["goals"] and plan.child_voice == TALK_CHILD["child_words"]
    item = db.session.scalar(db.select(AgendaItem).where(AgendaItem.case_id == case.id))
    meetings.save_minutes(item, holder, discussion="", advice="", decisions="Nytt vedtak, ikke inn av seg selv.")
    page = client.get(f"/saker/{case.ref}/plan").get_data(as_text=True)
    assert _textarea(page, "goals") == form["goals"]  # the saved goals stay; nothing is put in front of them
    assert 'id="plan-prefilled"' not in page


def test_a_stale_save_of_the_prefilled_form_is_refused_and_overwrites_nothing(client, login, known):
    case, holder = known
    login(holder)
    stale = _plan_form(client.get(f"/saker/{case.ref}/plan").get_data(as_text=True))
    fresh = dict(stale, goals="Holderens egne mål.")
    assert client.post(f"/saker/{case.ref}/plan", data=fresh).status_code == 302
    refused = client.post(f"/saker/{case.ref}/plan", data=stale)  # opened before the save: its version is old
    assert refused.status_code == 409
    db.session.expire_all()
    assert db.session.scalar(db.select(Plan).where(Plan.case_id == case.id)).goals == "Holderens egne mål."


def test_a_participant_gets_only_what_their_consent_shows(client, login, known, make_user):
    """A health nurse whose consent covers the conversations with the child only: the child's words start the
    voice; the concretisation, the shared understanding, the minutes and the parents' words do not reach the
    form (the minutes go with the plan, the step's notes with the concern)."""
    case, holder = known
    nurse = make_user(username="nurse", service="health-nurse", roles=(Role.EMPLOYEE, Role.COORDINATOR))
    record_consent(case, holder, given_by="Kari Hansen", services=["health-nurse"], purpose="Samarbeid",
                   form=ConsentForm.PAPER, given_on=today(), expires_on=today().replace(year=today().year + 1),
                   kinds={"health-nurse": ["conversations-with-the-child"]})
    invite_participant(case, nurse, holder)
    login(nurse)
    page = client.get(f"/saker/{case.ref}/plan").get_data(as_text=True)
    for hidden in (CONCRETISE["observation"], UNDERSTANDING, DECISIONS, TALK_PARENTS["parents_words"]):
        assert hidden not in page
    assert _textarea(page, "child_voice") == TALK_CHILD["child_words"]
