"""The staff consent form asks, per chosen service, which kinds of information it covers (a grid with one row
per service, `kinds-<service>`, every kind ticked at first); a refused submit keeps what was ticked (issue 25)."""

from __future__ import annotations

from flows import TALK_CHILD, TO_LEVEL0_DECISION

from tik.auth.models import Role
from tik.cases.models import Consent
from tik.cases.participants import invite_participant
from tik.extensions import db
from tik.guidebook import guide_of

CHILD_WORDS = TALK_CHILD["child_words"]


def _post(client, ref: str, kinds: dict[str, list[str]], **more):
    data = {"given_by": "Kari Hansen", "services": list(kinds), "kinds_grid": "1", "purpose": "Samarbeid om tiltak",
            "form": "paper", "given_on": "2026-03-02", "expires_on": "2027-03-01", "idempotency_key": "k" * 24,
            **{f"kinds-{s}": ks for s, ks in kinds.items()}, **more}
    return client.post(f"/saker/{ref}/samtykke", data=data)


def test_the_grid_records_each_services_own_kinds_and_each_sees_only_those(client, login, make_unit, make_user,
                                                                           make_case, move_case):
    holder = login(make_user("holder", service="school", roles=[Role.EMPLOYEE, Role.COORDINATOR]))
    case = make_case(by=holder)
    move_case(case, holder, TO_LEVEL0_DECISION)
    every = [k.key for k in guide_of(case).information_kinds]
    page = client.get(f"/saker/{case.ref}/skjema/samtykke").get_data(as_text=True)
    assert 'name="kinds-ppt" value="plan-and-measures" id="kinds-ppt-plan-and-measures" checked' in page
    assert 'name="kinds-health-nurse" value="conversations-with-the-child"' in page

    assert _post(client, case.ref, {"ppt": ["plan-and-measures"], "health-nurse": every}).status_code == 302
    consent = db.session.scalar(db.select(Consent).where(Consent.case_id == case.id))
    assert consent.kinds_for("ppt") == ["plan-and-measures"]
    assert sorted(consent.kinds_for("health-nurse")) == sorted(every)

    ppt = make_user("ppt", service="ppt", unit=make_unit("ppt", "ppt"))
    nurse = make_user("helsesykepleier", service="health-nurse", unit=make_unit("helsestasjon", "health-nurse"))
    invite_participant(case, ppt, holder)
    invite_participant(case, nurse, holder)
    login(ppt)
    assert CHILD_WORDS not in client.get(f"/saker/{case.ref}").get_data(as_text=True)
    assert CHILD_WORDS not in client.get(f"/saker/{case.ref}/logg").get_data(as_text=True)
    login(nurse)
    assert CHILD_WORDS in client.get(f"/saker/{case.ref}").get_data(as_text=True)


def test_a_refused_consent_keeps_what_was_ticked_in_the_grid(client, login, make_user, make_case, move_case):
    holder = login(make_user("holder", service="school", roles=[Role.EMPLOYEE, Role.COORDINATOR]))
    case = make_case(by=holder)
    move_case(case, holder, TO_LEVEL0_DECISION)
    refused = _post(client, case.ref, {"ppt": ["plan-and-measures"]}, purpose="")
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert 'id="kinds-ppt-plan-and-measures" checked' in page
    assert 'id="kinds-ppt-conversations-with-the-child">' in page  # left unticked, as sent
    assert 'id="kinds-health-nurse-plan-and-measures">' in page
    assert db.session.scalar(db.select(Consent).where(Consent.case_id == case.id)) is None

    empty = _post(client, case.ref, {"ppt": []})  # a service with no kind ticked
    assert empty.status_code == 422 and "Velg minst én type opplysninger" in empty.get_data(as_text=True)
