"""Choosing whom to invite: the holder searches by any part of a name or picks from a list of the people who
may be invited (the holder's unit, and the services a valid consent covers), without JavaScript."""

from __future__ import annotations

import re

from flows import TO_LEVEL2

from tik.auth.models import Role
from tik.cases.queries import active_participant
from tik.cases.steps import decide
from tik.extensions import db


def _case(make_user, make_case, give_consent):
    holder = make_user("holder", roles=[Role.EMPLOYEE, Role.COORDINATOR], name="Marte Holder")
    case = make_case(by=holder)
    give_consent(case, holder, ["health-nurse"])
    for decision, values in TO_LEVEL2:
        decide(case, decision, values, by=holder)
    return holder, case


def _offered(page: str) -> set[str]:
    """The names the list of people to invite offers."""
    listing = page.split('id="invite-pick"', 1)[1].split("</select>", 1)[0]
    return {re.sub(r"[,(].*", "", name).strip() for name in re.findall(r"<option [^>]*>([^<]*)</option>", listing)}


def test_a_participant_is_invited_by_part_of_her_name(client, login, make_user, make_case, give_consent):
    holder, case = _case(make_user, make_case, give_consent)
    siri = make_user("stveit", service="health-nurse", name="Siri Tveitan")
    login(holder)
    response = client.post(f"/saker/{case.ref}/deltakere", data={"person": "siri", "idempotency_key": "k1"})
    assert response.status_code == 302
    assert active_participant(case, siri) is not None


def test_a_search_naming_several_lists_them_to_pick_from(client, login, make_user, make_case, give_consent):
    holder, case = _case(make_user, make_case, give_consent)
    make_user("st", service="health-nurse", name="Siri Tveitan")
    first = make_user("sb", service="health-nurse", name="Siri Berg")
    login(holder)
    page = client.post(f"/saker/{case.ref}/deltakere", data={"person": "Siri", "idempotency_key": "k2"})
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "Flere passer" in text
    assert -1 < text.index("Siri Berg") < text.index("Siri Tveitan")  # by name
    assert active_participant(case, first) is None
    picked = client.post(f"/saker/{case.ref}/deltakere", data={"person_id": first.id, "idempotency_key": "k2"})
    assert picked.status_code == 302 and active_participant(case, first) is not None


def test_only_people_who_may_be_invited_are_offered(client, login, make_user, make_case, give_consent):
    holder, case = _case(make_user, make_case, give_consent)
    nurse = make_user("nurse", service="health-nurse", name="Siri Tveitan")
    colleague = make_user("kollega", service="school", name="Kari Kollega")  # the holder's unit
    outsider = make_user("ppt", service="ppt", name="Siri Pedersen")  # no consent covers PPT
    gone = make_user("gone", service="health-nurse", name="Siri Sluttet")
    gone.active = False
    db.session.commit()
    login(holder)
    offered = _offered(client.get(f"/saker/{case.ref}/skjema/deltaker").get_data(as_text=True))
    assert {nurse.name, colleague.name} <= offered
    assert outsider.name not in offered and gone.name not in offered and holder.name not in offered

    # The search finds only the eligible Siri; the outsider cannot be picked by id either.
    assert client.post(f"/saker/{case.ref}/deltakere", data={"person": "Pedersen", "idempotency_key": "k3"}
                       ).status_code == 422
    assert client.post(f"/saker/{case.ref}/deltakere", data={"person_id": outsider.id, "idempotency_key": "k4"}
                       ).status_code == 422
    assert active_participant(case, outsider) is None
    assert client.post(f"/saker/{case.ref}/deltakere", data={"person": "siri", "idempotency_key": "k5"}
                       ).status_code == 302
    assert active_participant(case, nurse) is not None
    form = client.get(f"/saker/{case.ref}/skjema/deltaker").get_data(as_text=True)
    assert nurse.name not in _offered(form)  # now in it


def test_an_empty_invite_asks_for_a_name(client, login, make_user, make_case, give_consent):
    holder, case = _case(make_user, make_case, give_consent)
    login(holder)
    response = client.post(f"/saker/{case.ref}/deltakere", data={"person": " ", "idempotency_key": "k6"})
    assert response.status_code == 422 and "Skriv et navn eller velg en person." in response.get_data(as_text=True)


def test_the_list_is_ordered_by_unit_then_name_and_leaves_out_who_is_in_the_case(client, login, make_user, make_case,
                                                                                 give_consent):
    holder, case = _case(make_user, make_case, give_consent)  # the holder's school unit is the first one made
    make_user("olsen", service="school", name="Oda Olsen")  # made before Berg: the list sorts, not the ids
    make_user("berg", service="school", name="Berit Berg")
    joined = make_user("dahl", service="school", name="Dina Dahl")
    make_user("aas", service="health-nurse", name="Anna Aas")  # first by name, but of the unit made after
    login(holder)
    assert client.post(f"/saker/{case.ref}/deltakere", data={"person_id": joined.id, "idempotency_key": "k7"}
                       ).status_code == 302
    page = client.get(f"/saker/{case.ref}/skjema/deltaker").get_data(as_text=True)
    listing = page.split('id="invite-pick"', 1)[1].split("</select>", 1)[0]
    names = [re.sub(r"[,(].*", "", name).strip() for name in re.findall(r"<option [^>]*>([^<]*)</option>", listing)]
    # Neither the holder nor the one now taking part is offered; the rest by unit, then by name.
    assert [n for n in names if n] == ["Berit Berg", "Oda Olsen", "Anna Aas"]


def test_a_full_name_typed_exactly_names_that_one_person(client, login, make_user, make_case, give_consent):
    holder, case = _case(make_user, make_case, give_consent)
    berg = make_user("sb", service="health-nurse", name="Siri Berg")
    make_user("sbe", service="health-nurse", name="Siri Bergesen")  # her name holds "Siri Berg" too
    login(holder)
    response = client.post(f"/saker/{case.ref}/deltakere", data={"person": "siri berg", "idempotency_key": "k8"})
    assert response.status_code == 302 and active_participant(case, berg) is not None
