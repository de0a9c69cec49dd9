"""What a youth conversation becomes: a case only with the young person's consent (their excerpt, their
services), deletion after the retention days with an anonymous statistics row left, and the published
answer times computed from the data and suppressed below the threshold."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest

from tik.cases.models import Case, Consent
from tik.concerns.models import Child, Concern
from tik.extensions import db
from tik.youth.models import YouthConversation, YouthMessage, YouthStat

CODE = re.compile(r'id="return-code">([a-z-]+)<')


def write(client, body: str) -> str:
    client.post("/logout")
    response = client.post("/ung/", data={"body": body, "answer_by": "here"})
    return CODE.search(response.get_data(as_text=True)).group(1)


def conversation_of(body: str) -> YouthConversation:
    return db.session.scalars(db.select(YouthConversation).join(YouthMessage)
                              .where(YouthMessage.body == body)).one()


def young_messages(conversation) -> list[YouthMessage]:
    return [m for m in conversation.messages if m.author == "young"]


@pytest.fixture
def offered(client, login, professional):
    """A conversation of two messages that the professional has offered to make a case; returns its code."""
    code = write(client, "Mamma drikker mye og jeg er redd.")
    client.post("/ung/skriv-igjen", data={"code": code, "body": "Bestevennen min heter Ola og vet om det."})
    conversation = conversation_of("Mamma drikker mye og jeg er redd.")
    login(professional)
    client.post(f"/ung/innboks/{conversation.id}/svar", data={"body": "Vil du at vi hjelper deg videre?"})
    client.post(f"/ung/innboks/{conversation.id}/utfall", data={"outcome": "concern"})
    client.post("/logout")
    return code, conversation


def consent_form(code, conversation, **change):
    first = young_messages(conversation)[0]
    return {"code": code, "messages": [str(first.id)], "services": ["youth-service", "nav"], "first_name": "Sofie",
            "last_name": "Berg", "birth_date": "2010-05-04", "agreed": "y", **change}


def test_with_consent_the_case_starts_with_the_agreed_excerpt_and_only_the_chosen_services(client, offered):
    code, conversation = offered
    page = client.post("/ung/les", data={"code": code}).get_data(as_text=True)
    assert "Vil du at dette blir en sak?" in page

    response = client.post("/ung/samtykke", data=consent_form(code, conversation))
    assert 'id="became-case"' in response.get_data(as_text=True)

    case = db.session.scalars(db.select(Case)).one()
    concern = db.session.scalars(db.select(Concern)).one()
    assert concern.observation == "Mamma drikker mye og jeg er redd."  # the excerpt, and nothing else
    assert "Ola" not in concern.observation
    consent = db.session.scalars(db.select(Consent)).one()
    assert set(consent.services) == {"youth-service", "nav"} and consent.young_person
    assert (case.child.first_name, case.child.last_name) == ("Sofie", "Berg")
    db.session.refresh(conversation)
    assert (conversation.outcome, conversation.case_id) == ("concern", case.id)


@pytest.mark.parametrize("change", [{"agreed": ""}, {"services": []}, {"messages": []}])
def test_without_consent_nothing_of_the_conversation_reaches_a_case(client, offered, change):
    code, conversation = offered
    response = client.post("/ung/samtykke", data=consent_form(code, conversation, **change))
    assert response.status_code == 422
    assert db.session.scalar(db.select(db.func.count()).select_from(Case)) == 0
    assert db.session.scalar(db.select(db.func.count()).select_from(Concern)) == 0
    assert db.session.scalar(db.select(db.func.count()).select_from(Child)) == 0


def test_without_the_professionals_offer_no_case_can_be_made(client, youth_unit):
    code = write(client, "Jeg vil bare prate.")
    conversation = conversation_of("Jeg vil bare prate.")
    response = client.post("/ung/samtykke", data=consent_form(code, conversation))
    assert response.status_code == 422
    assert db.session.scalar(db.select(db.func.count()).select_from(Case)) == 0


def test_retention_deletes_an_old_unconverted_conversation_and_keeps_its_statistics(
        client, clock, runner, offered):
    code, converted = offered
    client.post("/ung/samtykke", data=consent_form(code, converted))
    client.post("/ung/", data={"body": "Gammel melding.", "answer_by": "here", "age_band": "12-15"})
    old = conversation_of("Gammel melding.")
    old_id = old.id

    clock.travel(clock.now() + timedelta(days=29))
    write(client, "Ny melding.")
    clock.travel(clock.now() + timedelta(days=2))  # 31 days after the old one, 2 after the new one
    result = runner.invoke(args=["youth", "retention"])
    assert result.exit_code == 0 and "Slettet 1 samtale" in result.output

    db.session.expire_all()
    assert db.session.get(YouthConversation, old_id) is None
    assert db.session.scalar(db.select(db.func.count()).select_from(YouthMessage)
                             .where(YouthMessage.conversation_id == old_id)) == 0
    unlinked = db.session.scalars(db.select(YouthStat).where(YouthStat.conversation_id.is_(None))).one()
    assert unlinked.age_band == "12-15" and unlinked.month == "2026-11"
    assert db.session.get(YouthConversation, converted.id) is not None  # kept with the case
    assert conversation_of("Ny melding.") is not None


def test_answer_times_are_computed_from_the_data_and_suppressed_below_five(client, login, clock, operator):
    from tik.youth.figures import monthly_figures

    def conversation_answered_after(start: datetime, minutes: int, rating: int | None = None) -> None:
        clock.travel(start)
        code = write(client, f"Melding {start} {minutes}")
        conversation = conversation_of(f"Melding {start} {minutes}")
        clock.travel(start + timedelta(minutes=minutes))
        login(operator)
        client.post(f"/ung/innboks/{conversation.id}/svar", data={"body": "Svar."})
        if rating:
            client.post("/logout")
            client.post("/ung/vurder", data={"code": code, "rating": str(rating)})

    november = datetime(2026, 11, 2, 9, 0)  # a Monday
    for minutes, rating in ((30, 5), (60, 4), (90, 4), (120, 3), (4 * 24 * 60, 2)):  # the last one is late
        conversation_answered_after(november, minutes, rating)
    friday = datetime(2026, 11, 20, 9, 0)  # answered on Monday 09:00: 72 hours, 24 of them on weekdays
    conversation_answered_after(friday, 3 * 24 * 60)
    december = datetime(2026, 12, 1, 9, 0)
    for minutes in (10, 20, 30, 40):  # four: too few to publish
        conversation_answered_after(december, minutes)

    friday_row = db.session.scalars(db.select(YouthStat).where(YouthStat.answer_minutes == 3 * 24 * 60)).one()
    assert friday_row.within_promise  # 72 hours, but only 24 of them on weekdays
    late_row = db.session.scalars(db.select(YouthStat).where(YouthStat.answer_minutes == 4 * 24 * 60)).one()
    assert late_row.within_promise is False

    dec, nov = monthly_figures()
    assert nov.month == "2026-11" and nov.conversations == 6
    assert nov.median_minutes == 105  # median of 30, 60, 90, 120, 4320, 5760
    assert nov.within_promise_percent is None  # 5 of 6 within: the one late conversation would show (< 5)
    assert (nov.rating, nov.ratings) == (3.6, 5)
    assert dec == type(dec)("2026-12", None, None, None, None, None)

    page = client.get("/ung/svartider").get_data(as_text=True)
    assert "1 t 45 min" in page and "3,6 (5 svar)" in page and "&lt; 5" in page


def test_the_share_within_the_promise_is_published_when_neither_part_is_small(client, login, clock, operator):
    from tik.youth.figures import monthly_figures

    monday = datetime(2026, 11, 2, 9, 0)
    for i, minutes in enumerate([10] * 5 + [4 * 24 * 60] * 5):  # five within 48 hours, five on Friday: late
        clock.travel(monday + timedelta(seconds=i))
        write(client, f"Melding {i}")
        conversation = conversation_of(f"Melding {i}")
        clock.travel(monday + timedelta(seconds=i, minutes=minutes))
        login(operator)
        client.post(f"/ung/innboks/{conversation.id}/svar", data={"body": "Svar."})
    (nov,) = monthly_figures()
    assert (nov.conversations, nov.median_minutes, nov.within_promise_percent) == (10, 2885, 50)
