"""Consent binds what each service sees (issue 25): a consent names, per service, the kinds of information it
covers (sharing.yaml); a participant sees on every page and print only those kinds, the holder's own service
sees everything, and the consent form the family signs prints the kinds and the exclusions in their language."""

from __future__ import annotations

import pytest
from flows import TALK_CHILD, TO_LEVEL0_DECISION
from support import pdf_text

from tik.auth.models import Role
from tik.cases.consent import ConsentError, record_consent
from tik.cases.models import Consent, ConsentForm
from tik.cases.participants import invite_participant
from tik.extensions import db

CHILD_WORDS = TALK_CHILD["child_words"]
EXCLUSION = "PPT skal ikke ha det barnet har fortalt."


@pytest.fixture
def plan_only(app, client, login, make_unit, make_user, make_case, move_case, make_measure, make_meeting):
    """A case where the child has been heard, with a consent for PPT covering only the plan and its measures
    (given through the case page's consent form), a measure, PPT invited, and a network meeting."""
    holder = login(make_user("holder", service="school", roles=[Role.EMPLOYEE, Role.COORDINATOR]))
    case = make_case(by=holder)
    move_case(case, holder, TO_LEVEL0_DECISION)
    response = client.post(f"/saker/{case.ref}/samtykke", data={
        "given_by": "Kari Hansen", "services": ["ppt"], "kinds_shown": "1", "kinds": ["plan-and-measures"],
        "exclusions": EXCLUSION, "purpose": "Samarbeid om tiltak", "form": "paper",
        "given_on": "2026-03-02", "expires_on": "2027-03-01", "idempotency_key": "k" * 24})
    assert response.status_code in (200, 302), response.get_data(as_text=True)
    make_measure(case, holder, what="Lesekurs to ganger i uka")
    ppt = make_user("ppt", service="ppt", unit=make_unit("ppt", "ppt"))
    invite_participant(case, ppt, holder)
    meeting = make_meeting(holder, case=case, title="Ansvarsgruppe")
    return case, holder, ppt, meeting


def test_the_staff_form_records_the_kinds_per_service(plan_only):
    case, *_ = plan_only
    consent = db.session.scalar(db.select(Consent).where(Consent.case_id == case.id))
    assert consent.kinds_for("ppt") == ["plan-and-measures"] and consent.exclusions == EXCLUSION


def test_ppt_with_a_plan_only_consent_sees_no_conversation_with_the_child(client, login, plan_only):
    case, holder, ppt, meeting = plan_only
    login(ppt)
    page = client.get(f"/saker/{case.ref}").get_data(as_text=True)
    assert "Lesekurs to ganger i uka" in page  # the plan is covered
    assert CHILD_WORDS not in page and "Trøtt og lei seg i timene." not in page  # neither the child nor the concern
    assert CHILD_WORDS not in client.get(f"/saker/{case.ref}/logg").get_data(as_text=True)
    plan_print = pdf_text(client.get(f"/saker/{case.ref}/plan.pdf").data)
    assert "Lesekurs to ganger i uka" in plan_print and CHILD_WORDS not in plan_print
    assert CHILD_WORDS not in client.get(f"/saker/{case.ref}/plan").get_data(as_text=True)
    agenda = client.get(f"/moter/{meeting.id}")
    assert agenda.status_code == 200 and CHILD_WORDS not in agenda.get_data(as_text=True)


def test_saving_the_plan_without_the_childs_voice_keeps_what_the_plan_holds(client, login, plan_only):
    case, holder, ppt, _meeting = plan_only
    from tik.plans import service as plans

    plans.update_plan(case, holder, goals="Trygg skolehverdag", child_voice=CHILD_WORDS, parents_voice="")
    login(ppt)
    page = client.get(f"/saker/{case.ref}/plan").get_data(as_text=True)
    assert "Trygg skolehverdag" in page and CHILD_WORDS not in page
    plan = plans.plan_of(case)
    response = client.post(f"/saker/{case.ref}/plan", data={  # as the page posts it: the voices left empty
        "goals": "Trygg skolehverdag og lesing", "child_voice": "", "parents_voice": "", "internal_notes": "",
        "version": plan.version})
    assert response.status_code == 302
    db.session.expire_all()
    assert plans.plan_of(case).child_voice == CHILD_WORDS


def test_the_holders_own_service_needs_no_consent_and_sees_the_child(client, login, plan_only):
    case, holder, *_ = plan_only
    login(holder)
    assert CHILD_WORDS in client.get(f"/saker/{case.ref}").get_data(as_text=True)
    assert CHILD_WORDS in pdf_text(client.get(f"/saker/{case.ref}/plan.pdf").data)


def test_the_signed_consent_form_lists_the_kinds_and_the_exclusion(client, login, plan_only):
    case, holder, *_ = plan_only
    consent = db.session.scalar(db.select(Consent).where(Consent.case_id == case.id))
    nb = pdf_text(client.get(f"/saker/{case.ref}/samtykkeskjema.pdf?samtykke={consent.id}&lang=nb").data)
    assert "Planen og tiltakene" in nb and EXCLUSION in nb
    assert "Dette skal ikke deles" in nb and "Samtaler med barnet" in nb  # listed as left out
    pl = pdf_text(client.get(f"/saker/{case.ref}/samtykkeskjema.pdf?samtykke={consent.id}&lang=pl").data)
    assert "Plan i działania" in pl and "Rozmowy z dzieckiem" in pl and EXCLUSION in pl
    assert "Dette skal ikke deles" not in pl


def test_a_consent_without_kinds_for_a_service_is_refused(make_case, make_user):
    holder = make_user(service="school")
    case = make_case(by=holder)
    from tik import clock
    for kinds, code in (({"ppt": []}, "no_kinds"), ({"ppt": ["horoscope"]}, "unknown_kind")):
        with pytest.raises(ConsentError) as refused:
            record_consent(case, holder, given_by="Kari", services=["ppt"], purpose="Samarbeid",
                           form=ConsentForm.PAPER, given_on=clock.today(), expires_on=clock.today(), kinds=kinds)
        assert refused.value.code == code
        db.session.rollback()
