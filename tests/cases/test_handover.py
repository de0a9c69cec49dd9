"""Baton handover: the holder changes only when the proposed person accepts; a case never has no holder."""

from __future__ import annotations

import pytest

from tik.auth.models import Role
from tik.cases.handover import HandoverError, answer_handover, propose_handover
from tik.cases.models import Handover, HandoverStatus
from tik.cases.queries import handovers_waiting_for, pending_handovers
from tik.extensions import db
from tik.org import service as org

# What a handover records besides the new holder: the family's wish and which measures go with the case.
WISH = {"family_wish": "Mor ønsker at helsesykepleier tar over.", "measures_scope": "Samtalene med helsesykepleier"}


def test_propose_decline_propose_accept(client, login, make_user, make_case, give_consent):
    holder = make_user(username="holder", service="school")
    coordinator = (Role.EMPLOYEE, Role.COORDINATOR)  # only a coordinator may hold a case
    first = make_user(username="first", service="school", roles=coordinator, name="Første Kandidat")
    second = make_user(username="second", service="health-nurse", roles=coordinator, name="Andre Kandidat")
    case = make_case(by=holder)
    give_consent(case, holder, ["health-nurse"])

    propose_handover(case, first, holder)
    assert case.coordinator_id == holder.id
    login(first)
    page = client.get("/min-side").get_data(as_text=True)
    assert case.ref in page and "Ta imot stafetten" in page
    handover = db.session.scalar(db.select(Handover).where(Handover.to_id == first.id))
    refused = client.post(f"/stafett/{handover.id}", data={"answer": "decline", "reason": ""})
    assert refused.status_code == 302
    db.session.expire_all()
    assert handover.status == HandoverStatus.PENDING  # a decline needs a reason
    client.post(f"/stafett/{handover.id}", data={"answer": "decline", "reason": "Har ikke kapasitet nå"})
    db.session.expire_all()
    assert handover.status == HandoverStatus.DECLINED and case.coordinator_id == holder.id

    login(holder)
    response = client.post(f"/saker/{case.ref}/stafett", data={"to_user": second.username, "note": "Helse tar over",
                                                                "idempotency_key": "h2", **WISH})
    assert response.status_code == 302
    db.session.expire_all()
    assert case.coordinator_id == holder.id
    login(second)
    pending = db.session.scalar(db.select(Handover).where(Handover.to_id == second.id))
    client.post(f"/stafett/{pending.id}", data={"answer": "accept"})
    db.session.expire_all()
    assert case.coordinator_id == second.id
    timeline = client.get(f"/saker/{case.ref}").get_data(as_text=True)
    assert "Andre Kandidat tok over som stafettholder" in timeline and "Første Kandidat takket nei" in timeline


def test_only_someone_who_may_see_the_case_can_be_proposed(make_user, make_case):
    holder = make_user(service="school")
    outsider = make_user(service="nav")
    case = make_case(by=holder)
    with pytest.raises(HandoverError) as error:
        propose_handover(case, outsider, holder)
    assert error.value.code == "cannot_hold"


def test_only_the_proposed_person_can_answer(client, login, make_user, make_case):
    holder = make_user(service="school")
    proposed = make_user(service="school", roles=(Role.EMPLOYEE, Role.COORDINATOR))
    other = make_user(service="school")
    case = make_case(by=holder)
    handover = propose_handover(case, proposed, holder)
    login(other)
    assert client.post(f"/stafett/{handover.id}", data={"answer": "accept"}).status_code == 404
    db.session.expire_all()
    assert case.coordinator_id == holder.id


def test_deactivation_moves_cases_to_the_leaders_handover_list(client, login, make_user, make_case):
    leader = make_user(username="rektor", service="school", roles=(Role.EMPLOYEE, Role.LEADER), name="Rita Rektor")
    teacher = make_user(username="teacher", service="school", leader_id=leader.id)
    case_a, case_b = make_case(by=teacher), make_case(by=teacher)
    org.deactivate(teacher)
    for case in (case_a, case_b):
        db.session.refresh(case)
        assert case.coordinator_id == teacher.id  # never without a holder
    login(leader)
    page = client.get("/min-side").get_data(as_text=True)
    assert case_a.ref in page and case_b.ref in page and "deaktivert" in page
    for handover in handovers_waiting_for(leader):
        answer_handover(handover, leader, accept=True)
    db.session.expire_all()
    assert case_a.coordinator_id == leader.id and case_b.coordinator_id == leader.id


def test_proposing_by_name_finds_only_people_who_may_hold_the_case(client, login, make_user, make_case):
    holder = login(make_user(service="school"))
    make_user(username="nav1", service="nav", name="Nils Nav")
    make_user(username="twin1", service="school", roles=(Role.EMPLOYEE, Role.COORDINATOR), name="Tone Tvilling")
    make_user(username="twin2", service="school", roles=(Role.EMPLOYEE, Role.COORDINATOR), name="Tone Tvilling")
    case = make_case(by=holder)
    for who in ("Nils Nav", "Tone Tvilling", "nobody"):
        response = client.post(f"/saker/{case.ref}/stafett", data={"to_user": who, "idempotency_key": who, **WISH})
        assert response.status_code == 422 and "Fant ikke én koordinator" in response.get_data(as_text=True)
        assert who in response.get_data(as_text=True)  # what the user typed is kept
    response = client.post(f"/saker/{case.ref}/stafett", data={"to_user": "TWIN2", "idempotency_key": "k", **WISH})
    assert response.status_code == 302
    assert [h.to_user.username for h in pending_handovers(case)] == ["twin2"]
