"""The young person's door: a return code instead of an account, answers read with it, a plain "not found"
under a rate limit, risk words and "not safe" to the professional, operators who see only their queue."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from tik.auth.models import Role
from tik.extensions import db
from tik.youth.models import YouthConversation, YouthMessage

CODE = re.compile(r'id="return-code">([a-z-]+)<')


def write(client, body="Jeg er lei meg hele tiden.", **extra) -> str:
    """Write on the public door as a young person; returns the return code shown."""
    response = client.post("/ung/", data={"body": body, "answer_by": "here", **extra})
    assert response.status_code == 200, response.get_data(as_text=True)
    return CODE.search(response.get_data(as_text=True)).group(1)


def read(client, code):
    client.post("/logout")
    return client.post("/ung/les", data={"code": code})


def only_conversation() -> YouthConversation:
    return db.session.scalars(db.select(YouthConversation)).one()


def test_the_door_shows_the_promise_confidentiality_and_the_national_lines(client, youth_unit):
    page = client.get("/ung/").get_data(as_text=True)
    assert "Vi svarer innen 48 timer på hverdager." in page
    assert "Hvis livet ditt eller noen andres liv er i fare." in page
    for number in ("116 111", "116 123", "800 333 21", "113"):
        assert number in page
    assert "<script" not in page  # the door works without JavaScript


def test_young_person_writes_gets_a_code_and_reads_the_operators_answer(client, login, youth_unit, operator):
    code = write(client, area="Fjordvik vgs", age_band="16-18")
    conversation = only_conversation()
    assert code not in conversation.code_hash and len(code.split("-")) == 5  # only a keyed hash is kept
    assert "Ingen har svart ennå." in read(client, code).get_data(as_text=True)

    login(operator)
    page = client.get(f"/ung/innboks/{conversation.id}").get_data(as_text=True)
    assert "Jeg er lei meg hele tiden." in page
    assert client.post(f"/ung/innboks/{conversation.id}/svar", data={"template": "thanks", "body": ""}
                       ).status_code == 302

    page = read(client, code).get_data(as_text=True)
    assert "Takk for at du skrev til oss. Det var modig." in page  # the template's text, in the door's language
    assert read(client, code.upper().replace("-", " ")).status_code == 200  # however it was written down

    again = client.post("/ung/skriv-igjen", data={"code": code, "body": "Takk, det hjalp litt."})
    assert "Takk, det hjalp litt." in again.get_data(as_text=True)
    actions = [a for (a,) in db.session.execute(db.text("SELECT action FROM audit_event ORDER BY id"))]
    assert {"youth.write", "youth.read", "youth.answer"} <= set(actions)


def test_nothing_of_the_young_persons_address_is_stored(client, youth_unit):
    client.post("/ung/", data={"body": "Hei", "answer_by": "here"}, environ_base={"REMOTE_ADDR": "203.0.113.7"})
    rows = db.session.execute(db.text("SELECT action, remote_addr FROM audit_event")).all()
    assert rows and all(addr == "" for action, addr in rows if action.startswith("youth."))
    for table in ("youth_conversation", "youth_message", "youth_stat"):
        for row in db.session.execute(db.text(f"SELECT * FROM {table}")):  # noqa: S608 - our own table names
            assert "203.0.113.7" not in " ".join(str(v) for v in row)


def test_a_wrong_code_gets_the_same_plain_not_found_as_a_deleted_one(client, clock, runner, youth_unit):
    code = write(client)
    clock.travel(clock.now() + timedelta(days=31))
    assert runner.invoke(args=["youth", "retention"]).exit_code == 0  # the conversation is gone now

    def answer(typed):
        response = read(client, typed)
        return response.status_code, re.sub(r'name="csrf_token"[^>]*', "", response.get_data(as_text=True))

    deleted, wrong, garbage = answer(code), answer("baba-baba-baba-baba-baba"), answer("!!")
    assert deleted[0] == wrong[0] == garbage[0] == 404
    assert "Fant ikke samtalen. Sjekk koden og prøv igjen." in wrong[1]
    assert deleted[1] == wrong[1] == garbage[1]


def test_code_lookups_are_rate_limited_for_right_and_wrong_codes_alike(database_url, _schema):
    from tik import create_app

    limited = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url, "WTF_CSRF_ENABLED": False,
                          "RATELIMIT_ENABLED": True, "SERVER_NAME": "tik.test"})
    with limited.app_context():
        from tik.org.models import Unit

        db.session.add(Unit(key="ungdom-rl", name="Ungdom", service_key="youth-service"))
        db.session.commit()
        client = limited.test_client()
        code = write(client)
        statuses = [client.post("/ung/les", data={"code": f"feil-{i}"}).status_code for i in range(10)]
        assert statuses == [404] * 10
        assert client.post("/ung/les", data={"code": code}).status_code == 429  # the right one is refused too
        db.session.execute(db.text("DELETE FROM youth_stat"))
        db.session.execute(db.text("DELETE FROM youth_message"))
        db.session.execute(db.text("DELETE FROM youth_conversation"))
        db.session.execute(db.text("DELETE FROM audit_event"))
        db.session.execute(db.text("DELETE FROM unit"))
        db.session.commit()
        db.session.remove()


@pytest.mark.parametrize("body, not_safe", [
    ("Noen ganger vil jeg bare ta livet mitt.", False),        # bokmål
    ("Eg tenkjer på sjølvmord om kveldane.", False),          # nynorsk
    ("Sometimes I want to kill myself.", False),              # English
    ("Det er vanskelig hjemme.", True),                      # "I am not safe now"
])
def test_risk_words_and_not_safe_go_to_the_professional_and_hold_the_operators_answer(
        client, login, youth_unit, operator, professional, body, not_safe):
    calm = write(client, body="Jeg lurer på noe om skolen.")
    extra = {"not_safe": "y"} if not_safe else {}
    response = client.post("/ung/", data={"body": body, "answer_by": "here", **extra})
    code = CODE.search(response.get_data(as_text=True)).group(1)
    assert 'id="emergency"' in response.get_data(as_text=True) and "116 111" in response.get_data(as_text=True)
    flagged = db.session.scalars(db.select(YouthConversation).where(YouthConversation.flagged)).one()

    login(professional)
    queue = client.get("/ung/innboks").get_data(as_text=True)
    listed = re.findall(r'href="/ung/innboks/(\d+)"', queue)
    assert listed == [str(flagged.id), str(flagged.id - 1)]  # the flagged one first, though it came last

    login(operator)
    client.post(f"/ung/innboks/{flagged.id}/svar", data={"body": "Vi er her for deg."})
    held = db.session.scalars(db.select(YouthMessage).where(YouthMessage.body == "Vi er her for deg.")).one()
    assert held.held
    page = read(client, code).get_data(as_text=True)
    assert "Vi er her for deg." not in page and 'id="emergency"' in page

    login(professional)
    client.post(f"/ung/innboks/{flagged.id}/godkjenn/{held.id}")
    assert "Vi er her for deg." in read(client, code).get_data(as_text=True)
    assert "Ingen har svart ennå." in read(client, calm).get_data(as_text=True)


def test_an_operators_answer_to_an_unflagged_conversation_is_not_held(client, login, youth_unit, operator):
    code = write(client)
    login(operator)
    client.post(f"/ung/innboks/{only_conversation().id}/svar", data={"body": "Hei, takk for meldingen."})
    assert "Hei, takk for meldingen." in read(client, code).get_data(as_text=True)


def test_a_youth_operator_sees_only_their_own_queue(client, login, make_unit, make_user, make_case, youth_unit,
                                                    operator):
    other_unit = make_unit("ungdom-nabo", "youth-service")
    write(client, body="Skrevet til vår enhet.")
    ours = only_conversation()
    theirs_op = make_user("naboveileder", service="youth-service", roles=(Role.YOUTH_OPERATOR,), unit=other_unit)
    case = make_case()

    login(theirs_op)
    assert client.get(f"/ung/innboks/{ours.id}").status_code == 404
    assert "Skrevet til vår enhet." not in client.get("/ung/innboks").get_data(as_text=True)

    login(operator)
    assert client.get(f"/saker/{case.ref}").status_code == 404       # never cases
    assert client.get("/ung/sertifisering").status_code == 404        # never the admin's pages
    assert client.get("/statistikk/").status_code == 404
    assert client.get(f"/ung/innboks/{ours.id}").status_code == 200


def test_staff_outside_the_youth_service_get_404_on_the_inbox(client, login, make_user, youth_unit):
    write(client)
    login(make_user(service="school"))
    assert client.get("/ung/innboks").status_code == 404
    assert client.get(f"/ung/innboks/{only_conversation().id}").status_code == 404


def test_a_youth_operator_never_takes_the_report_path_nor_closes_a_flagged_conversation(
        client, login, youth_unit, operator, professional):
    write(client, body="Bare et spørsmål.")
    calm = only_conversation()
    login(operator)
    page = client.get(f"/ung/innboks/{calm.id}").get_data(as_text=True)
    assert "Besvart og avsluttet" in page and "Meldeplikt" not in page  # the operator's only outcome
    assert client.post(f"/ung/innboks/{calm.id}/utfall", data={"outcome": "report", "ground": "avvergeplikt"}
                       ).status_code == 422

    write(client, not_safe="y")
    conversation = db.session.scalars(db.select(YouthConversation).where(YouthConversation.flagged)).one()
    login(operator)
    page = client.get(f"/ung/innboks/{conversation.id}").get_data(as_text=True)
    assert "Meldeplikt" not in page
    for outcome in ("report", "answered"):
        response = client.post(f"/ung/innboks/{conversation.id}/utfall",
                               data={"outcome": outcome, "ground": "avvergeplikt"})
        assert response.status_code == 422
    db.session.refresh(conversation)
    assert conversation.is_open

    login(professional)
    client.post(f"/ung/innboks/{conversation.id}/utfall", data={"outcome": "report", "ground": "avvergeplikt"})
    db.session.refresh(conversation)
    assert (conversation.outcome, conversation.outcome_detail) == ("report", "avvergeplikt")
    assert "Meldeplikt: grunnlaget føres avvergeplikt" in client.get(f"/ung/innboks/{conversation.id}").get_data(
        as_text=True)


def test_the_admin_records_an_operators_certification(client, login, make_user, youth_unit, operator):
    admin = make_user("sysadmin", roles=(Role.ADMIN,))
    login(admin)
    response = client.post("/ung/sertifisering", data={"user_id": operator.id, "course": "Grunnkurs",
                                                       "certified_on": "2026-10-01"}, follow_redirects=True)
    assert "Grunnkurs (01.10.2026)" in response.get_data(as_text=True)
