"""A youth conversation assigned to a named operator: taken by an operator or assigned by the professional on
duty, shown in the queue; only that operator (and the professional) answers it while assigned; released when
the young person has waited past the promise time (48 hours on weekdays) without an answer."""

from __future__ import annotations

from datetime import timedelta

import pytest
from test_youth_outcomes import conversation_of, write

from tik.audit.models import AuditEvent
from tik.auth.models import Role
from tik.extensions import db
from tik.youth.models import YouthMessage


@pytest.fixture
def other(make_user, youth_unit):
    return make_user("veileder2", service="youth-service", roles=(Role.YOUTH_OPERATOR,), unit=youth_unit,
                     name="Ola Annenveileder")


@pytest.fixture
def written(client):
    """A conversation waiting for its first answer, and its return code."""
    code = write(client, "Jeg klarer ikke å sove.")
    return code, conversation_of("Jeg klarer ikke å sove.")


@pytest.fixture
def waiting(written):
    return written[1]


def answers(conversation) -> list[str]:
    db.session.expire_all()
    return [m.body for m in db.session.scalars(db.select(YouthMessage).where(
        YouthMessage.conversation_id == conversation.id, YouthMessage.author != "young"))]


def answer(client, conversation, body: str):
    return client.post(f"/ung/innboks/{conversation.id}/svar", data={"body": body})


def test_an_operator_takes_a_conversation_and_no_other_operator_answers_it(client, login, operator, other,
                                                                            professional, waiting):
    login(operator)
    assert client.post(f"/ung/innboks/{waiting.id}/tildel").status_code == 302
    assert f"Tildelt <bdi>{operator.name}</bdi>" in client.get(f"/ung/innboks/{waiting.id}").get_data(as_text=True)

    login(other)
    queue = client.get("/ung/innboks").get_data(as_text=True)
    assert f'data-assigned="{operator.name}"' in queue  # shown in the queue, by name
    page = client.get(f"/ung/innboks/{waiting.id}").get_data(as_text=True)
    assert 'id="assigned-elsewhere"' in page and f"/ung/innboks/{waiting.id}/svar" not in page
    refused = answer(client, waiting, "Jeg svarer likevel.")
    assert refused.status_code == 422 and "tildelt en annen veileder" in refused.get_data(as_text=True)
    assert client.post(f"/ung/innboks/{waiting.id}/utfall", data={"outcome": "answered"}).status_code == 422
    assert client.post(f"/ung/innboks/{waiting.id}/tildel").status_code == 409  # cannot take it over
    assert client.post(f"/ung/innboks/{waiting.id}/frigi").status_code == 409  # nor give it back
    assert answers(waiting) == []

    login(operator)
    assert answer(client, waiting, "Så leit. Fortell mer?").status_code == 302
    login(professional)
    assert answer(client, waiting, "Fagpersonen her også.").status_code == 302
    assert answers(waiting) == ["Så leit. Fortell mer?", "Fagpersonen her også."]
    assert db.session.scalar(db.select(AuditEvent.detail).where(AuditEvent.action == "youth.assign")) \
        == f"youth:{waiting.id} user:{operator.id}"


def test_the_professional_assigns_to_a_named_operator_and_an_operator_cannot(client, login, operator, other,
                                                                              professional, waiting, make_user):
    login(other)
    assert client.post(f"/ung/innboks/{waiting.id}/tildel", data={"to": operator.id}).status_code == 409
    teacher = make_user("laerer")  # not of the youth service
    login(professional)
    assert client.post(f"/ung/innboks/{waiting.id}/tildel", data={"to": teacher.id}).status_code == 409
    assert client.post(f"/ung/innboks/{waiting.id}/tildel", data={"to": 99999}).status_code == 404
    assert client.post(f"/ung/innboks/{waiting.id}/tildel", data={"to": other.id}).status_code == 302
    assert f'data-assigned="{other.name}"' in client.get("/ung/innboks").get_data(as_text=True)

    login(operator)
    assert answer(client, waiting, "Jeg tar den.").status_code == 422
    login(other)
    assert answer(client, waiting, "Hei, jeg heter Ola.").status_code == 302
    assert answers(waiting) == ["Hei, jeg heter Ola."]


def test_an_unanswered_assignment_is_released_after_the_promise_time(client, login, clock, operator, other,
                                                                      professional, waiting):
    start = clock.now()  # a Friday morning: the promise (48 hours on weekdays) runs out on Tuesday morning
    assert start.weekday() == 4
    login(operator)
    client.post(f"/ung/innboks/{waiting.id}/tildel")

    clock.travel(start + timedelta(days=3, hours=23))  # Monday night: 39 weekday hours, still theirs
    login(other)
    assert answer(client, waiting, "For tidlig.").status_code == 422

    clock.travel(start + timedelta(days=4, minutes=1))  # Tuesday, past the promise: released
    login(other)  # (a new sign-in: the old session has timed out)
    assert "data-assigned" not in client.get("/ung/innboks").get_data(as_text=True)
    assert answer(client, waiting, "Jeg svarer nå.").status_code == 302
    assert answers(waiting) == ["Jeg svarer nå."]
    login(professional)
    assert answer(client, waiting, "Og fra fagpersonen.").status_code == 302
    login(operator)  # the lapsed assignment does not come back with the answers
    assert f"/ung/innboks/{waiting.id}/svar" in client.get(f"/ung/innboks/{waiting.id}").get_data(as_text=True)
    assert "Ikke tildelt" in client.get(f"/ung/innboks/{waiting.id}").get_data(as_text=True)


def test_an_answered_assignment_holds_until_the_young_person_waits_past_the_promise_again(
        client, login, clock, operator, other, written):
    code, waiting = written
    login(operator)
    client.post(f"/ung/innboks/{waiting.id}/tildel")
    answer(client, waiting, "Hei! Hva skjer om kvelden?")
    clock.travel(clock.now() + timedelta(days=14))  # nothing waits for them: still theirs
    login(other)
    assert answer(client, waiting, "Hei fra meg.").status_code == 422

    client.post("/logout")  # the young person writes again: it waits for them
    assert client.post("/ung/skriv-igjen", data={"code": code, "body": "Jeg tenker for mye."}).status_code == 200
    clock.travel(clock.now() + timedelta(days=1))
    login(other)
    assert answer(client, waiting, "Fortsatt deres.").status_code == 422
    clock.travel(clock.now() + timedelta(days=4))
    login(other)
    assert answer(client, waiting, "Nå kan jeg svare.").status_code == 302
    assert answers(waiting) == ["Hei! Hva skjer om kvelden?", "Nå kan jeg svare."]
