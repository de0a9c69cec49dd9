"""Baton handover: the holder changes only when the proposed person accepts; a case never has no holder."""

from __future__ import annotations

import pytest

from tik.auth.models import Role
from tik.cases.handover import HandoverError, answer_handover, propose_handover
from tik.cases.models import Handover, HandoverStatus
from tik.cases.queries import pending_handovers
from tik.clock import today
from tik.extensions import db
from tik.mywork.service import live_handovers_for
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
    waiting = live_handovers_for(leader, today())  # what "Min side" offers
    assert {h.case_id for h in waiting} == {case_a.id, case_b.id}
    for handover in waiting:
        answer_handover(handover, leader, accept=True)
    db.session.expire_all()
    assert case_a.coordinator_id == leader.id and case_b.coordinator_id == leader.id


def test_deactivation_hands_only_the_users_open_cases_to_the_first_other_leader_of_their_unit(
        client, login, make_user, make_unit, make_case):
    from tik.cases.models import CaseEvent, CaseStatus, EventKind
    from tik.org.models import UnitLeader

    school_a, school_b = make_unit("skole-a", "school"), make_unit("skole-b", "school")
    leader_b = make_user("leader-b", unit=school_b, roles=(Role.EMPLOYEE, Role.LEADER), name="Leder Annenskole")
    # The one who leaves is a leader of the unit too; the unit's leaders were named before the other's, in an
    # order that is not that of their ids.
    teacher = make_user("teacher", unit=school_a, roles=(Role.EMPLOYEE, Role.COORDINATOR), name="Tor Lærer")
    second = make_user("second", unit=school_a, roles=(Role.EMPLOYEE, Role.LEADER), name="Siri Nestleder")
    first = make_user("first", unit=school_a, roles=(Role.EMPLOYEE, Role.LEADER), name="Frida Rektor")
    colleague = make_user("colleague", unit=school_a, roles=(Role.EMPLOYEE, Role.COORDINATOR), name="Kari Kollega")
    admin = make_user("admin", unit=school_b, roles=(Role.ADMIN,), name="Ada Admin")
    for unit, leader in ((school_b, leader_b), (school_a, teacher), (school_a, first), (school_a, second)):
        db.session.add(UnitLeader(unit_id=unit.id, user_id=leader.id))
    db.session.commit()
    open_case, closed, restricted = make_case(by=teacher), make_case(by=teacher), make_case(by=teacher)
    others = make_case(by=colleague)
    earlier = propose_handover(open_case, colleague, teacher, **WISH)
    closed.status = CaseStatus.CLOSED
    restricted.restricted = True
    db.session.commit()

    org.deactivate(teacher, by=admin)
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Handover, earlier.id).status == HandoverStatus.WITHDRAWN
    [handover] = db.session.scalars(db.select(Handover).where(Handover.status == HandoverStatus.PENDING)).all()
    assert (handover.case_id, handover.from_id, handover.to_id, handover.proposed_by_id) == (
        open_case.id, teacher.id, first.id, admin.id)
    assert handover.holder_deactivated
    assert {c.coordinator_id for c in (open_case, closed, restricted)} == {teacher.id}  # never without a holder
    assert others.coordinator_id == colleague.id and pending_handovers(others) == []
    proposed = db.session.scalars(db.select(CaseEvent).where(CaseEvent.case_id == open_case.id,
                                                             CaseEvent.kind == EventKind.HANDOVER)
                                  .order_by(CaseEvent.id.desc())).first()
    assert proposed.by_id == admin.id
    assert proposed.data == {"action": "proposed", "to_user": first.name, "reason": "deactivated"}
    login(first)
    page = client.get(f"/saker/{open_case.ref}").get_data(as_text=True)
    assert "Stafettholder foreslått: Frida Rektor" in page


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
    # "Vilde" names a colleague who may not hold a case and one who may: only the latter is found, and proposed.
    make_user(username="vilde1", service="school", name="Vilde Assistent")
    make_user(username="vilde2", service="school", roles=(Role.EMPLOYEE, Role.COORDINATOR), name="Vilde Koordinator")
    response = client.post(f"/saker/{case.ref}/stafett", data={"to_user": "vilde", "idempotency_key": "v", **WISH})
    assert response.status_code == 302
    assert [h.to_user.username for h in pending_handovers(case)] == ["vilde2"]
