"""Nothing typed is lost and nothing is asked twice: held dates are not in the future, a meeting's attendance
starts from the case's people, and minutes go with a measure added from the meeting page."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta

from flows import CONCRETISE, DISCUSS, TO_LEVEL2, form_data
from sqlalchemy import select

from tik import clock
from tik.auth.models import Role
from tik.cases.participants import invite_participant
from tik.cases.steps import decide
from tik.extensions import db
from tik.meetings.models import AgendaItem, Meeting
from tik.plans.models import Measure


def _at_talk_with_child(make_user, make_case):
    holder = make_user(roles=[Role.EMPLOYEE, Role.COORDINATOR])
    case = make_case(by=holder)
    for values in (CONCRETISE, DISCUSS):
        decide(case, "done", values, by=holder)
    assert case.step_id == "l0-talk-child"
    return holder, case


def test_a_conversation_dated_tomorrow_is_refused_and_keeps_the_words(client, login, make_user, make_case):
    holder, case = _at_talk_with_child(make_user, make_case)
    login(holder)
    words = "Jeg liker ikke friminuttene."
    tomorrow = (clock.today() + timedelta(days=1)).isoformat()
    response = client.post(f"/saker/{case.ref}/beslutning", data=form_data(
        {"conversation_date": tomorrow, "child_words": words}, "done", case.version, "l0-talk-child"))
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "Datoen er fram i tid" in page
    assert re.search(r'<input[^>]*name="f_conversation_date"[^>]*aria-invalid="true"', page)  # at the date
    assert re.search(r'<textarea[^>]*name="f_child_words"[^>]*>' + re.escape(words), page)
    db.session.expire_all()
    assert case.step_id == "l0-talk-child"


def test_a_conversation_held_today_in_oslo_is_accepted_after_midnight(client, login, make_user, make_case):
    holder, case = _at_talk_with_child(make_user, make_case)
    day = clock.today() + timedelta(days=3)
    clock.travel(datetime.combine(day, time(0, 30), tzinfo=clock.zone()))  # still the day before in UTC
    login(holder)
    response = client.post(f"/saker/{case.ref}/beslutning", data=form_data(
        {"conversation_date": day.isoformat(), "child_words": "Bra."}, "done", case.version, "l0-talk-child"))
    assert response.status_code == 302


def test_a_network_meetings_attendance_starts_from_the_case_participants_and_the_family(
        client, login, make_user, make_case, give_consent):
    holder = make_user(roles=[Role.EMPLOYEE, Role.COORDINATOR], name="Holder Hansen")
    nurse = make_user(service="health-nurse", name="Siri Tveitan")
    case = make_case(by=holder)
    give_consent(case, holder, ["health-nurse"])
    for decision, values in TO_LEVEL2:
        decide(case, decision, values, by=holder)
    invite_participant(case, nurse, holder)
    login(holder)
    form = client.get(f"/moter/nettverk/{case.ref}").get_data(as_text=True)
    assert "Kari Hansen, mor" in form  # the family, from the case
    response = client.post(f"/moter/nettverk/{case.ref}", data={
        "title": "Ansvarsgruppe", "starts_at": f"{clock.today() + timedelta(days=2)}T14:00",
        "family": "Kari Hansen, mor", "idempotency_key": "network-1"})
    assert response.status_code == 302
    meeting = db.session.scalar(select(Meeting).where(Meeting.case_id == case.id))
    assert {p.name for p in meeting.participants} == {"Holder Hansen", "Siri Tveitan", "Kari Hansen"}
    page = client.get(f"/moter/{meeting.id}").get_data(as_text=True)
    assert page.count('name="attended"') == 3


def test_minutes_typed_go_with_a_measure_added_from_the_meeting(client, login, make_user, make_case, make_meeting):
    holder = make_user(roles=[Role.EMPLOYEE, Role.COORDINATOR])
    case = make_case(by=holder)
    meeting = make_meeting(holder, case=case)
    item = db.session.scalar(select(AgendaItem).where(AgendaItem.meeting_id == meeting.id))
    login(holder)
    minutes = {f"i{item.id}-discussion": "Morgenene er vanskelige.", f"i{item.id}-advice": "Frokost på skolen.",
               f"i{item.id}-decisions": "Prøv i seks uker.", f"i{item.id}-version": str(item.version)}
    m = f"m{item.id}-"
    measure = {m + "service_key": "school", m + "responsible": "Kontaktlærer", m + "what": "",
               m + "goal": "Mett og klar", m + "start_on": clock.today().isoformat(),
               m + "evaluate_on": (clock.today() + timedelta(days=42)).isoformat(), m + "status": "planned",
               m + "idempotency_key": "meeting-measure"}
    url = f"/moter/{meeting.id}/punkt/{item.id}/tiltak"
    refused = client.post(url, data={**minutes, **measure})
    assert refused.status_code == 422 and "Morgenene er vanskelige." in refused.get_data(as_text=True)
    added = client.post(url, data={**minutes, **measure, m + "what": "Frokost hver morgen"})
    assert added.status_code == 302
    db.session.expire_all()
    assert db.session.scalar(select(Measure).where(Measure.what == "Frokost hver morgen")) is not None
    assert (item.discussion, item.advice, item.decisions) == (
        "Morgenene er vanskelige.", "Frokost på skolen.", "Prøv i seks uker.")


def test_the_childs_words_carried_to_the_next_step_appear_once_in_the_letter(app, make_user, make_case,
                                                                            make_measure):
    from flows import TALK_CHILD, TO_LEVEL1, TODAY

    from tik.plans.letter import letter_html
    from tik.plans.printing import staff_html
    from tik.plans.service import plan_of, update_plan

    holder = make_user(roles=[Role.EMPLOYEE, Role.COORDINATOR])
    case = make_case(by=holder)
    for decision, values in TO_LEVEL1:
        decide(case, decision, values, by=holder)
    words = TALK_CHILD["child_words"]
    # The level-1 meeting starts from the words already said (carried, not asked again) and keeps them.
    decide(case, "done", {"meeting_date": TODAY, "shared_understanding": "Vi ser det samme.", "child_words": words},
           by=holder)
    make_measure(case, holder)
    update_plan(case, holder, goals="Bedre søvn", child_voice=words, parents_voice="", internal_notes="")
    with app.test_request_context():
        for html in (letter_html(case, plan_of(case), "nb"), staff_html(case, "nb")):
            assert html.count(words) == 1


def test_the_plans_voices_start_from_what_was_said_in_the_conversations(client, login, make_user, make_case):
    from flows import TALK_CHILD, TALK_PARENTS, TO_LEVEL1

    holder = make_user(roles=[Role.EMPLOYEE, Role.COORDINATOR])
    case = make_case(by=holder)
    for decision, values in TO_LEVEL1:
        decide(case, decision, values, by=holder)
    login(holder)
    page = client.get(f"/saker/{case.ref}/plan").get_data(as_text=True)
    for key, said in (("child_voice", TALK_CHILD["child_words"]), ("parents_voice", TALK_PARENTS["parents_words"])):
        assert re.search(rf'<textarea[^>]*name="{key}"[^>]*>\s*{re.escape(said)}</textarea>', page), key
