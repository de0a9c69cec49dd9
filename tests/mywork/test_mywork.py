"""My work: the right items on the right days, reminders without personal data, a calendar file."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from icalendar import Calendar

from tik import clock
from tik.extensions import db
from tik.meetings import service as meetings
from tik.mywork import service as mywork
from tik.mywork.models import OutboxMessage
from tik.plans import service as plans


def test_my_work_lists_the_right_items_at_the_right_dates(client, login, make_user, make_case, give_consent):
    clock.travel(date(2026, 11, 2))
    holder = make_user(username="holder", email="holder@fjordvik.kommune.no")
    older = make_case(by=holder, first_name="Eldre")          # level 0: deadline 16.11
    clock.travel(date(2026, 11, 9))
    newer = make_case(by=holder, first_name="Yngre")          # level 0: deadline 23.11
    plans.add_measure(newer, holder, plans.MeasureInput("school", "Lærer", "Leksehjelp", "Mål",
                                                        date(2026, 11, 9), date(2026, 11, 20)))
    give_consent(older, holder, ["ppt"], days=40)             # expires 19.12
    team = meetings.create_team("Team", [holder])
    meetings.create_meeting(holder, title="Teammøtet", starts_at=datetime(2026, 11, 25, 9), team=team)
    meetings.create_meeting(holder, title="Langt fram", starts_at=datetime(2027, 3, 1, 9), team=team)

    clock.travel(date(2026, 11, 10))
    work = mywork.work_for(holder)
    assert [r.ref for r in work.steps] == [older.ref, newer.ref]   # the earliest level 0 decision first
    assert work.evaluations == []                                   # 20.11 is more than a week away
    assert [m.title for m in work.meetings] == ["Teammøtet"]
    assert work.consents == []                                      # more than 30 days left

    clock.travel(date(2026, 11, 17))
    work = mywork.work_for(holder)
    assert work.steps[0].ref == older.ref and work.steps[0].overdue
    assert [e.measure.what for e in work.evaluations] == ["Leksehjelp"] and not work.evaluations[0].overdue
    assert work.consents == []                                      # expires 19.12: 32 days left
    login(holder)
    page = client.get("/min-side").get_data(as_text=True)
    assert older.ref in page and "passert" in page and "Leksehjelp" in page and "Teammøtet" in page

    clock.travel(date(2026, 11, 21))
    work = mywork.work_for(holder)
    assert work.evaluations[0].overdue
    assert [c.case_id for c in work.consents] == [older.id]         # 28 days left: warned


def test_min_side_lists_the_open_cases_i_hold_and_the_consents_on_them_that_end_within_30_days(
        client, login, make_user, make_case, move_case, give_consent):
    """"Min side": the steps of the open cases I hold, not a colleague's I take part in nor a closed one; a level 0
    decision first, then by deadline, undated last, equal ones by reference. Each row shows the case's level, its
    own step, its deadline, the child and me as holder (it does not wait). The warning lists the consents on those
    cases that end within 30 days, today and the 30th day included, the soonest first; not one that was withdrawn
    or has ended, nor one on a colleague's case or on a closed case."""
    from flows import DECIDE, TO_LEVEL0_DECISION, TO_LEVEL1

    from tik.auth.models import Role
    from tik.cases.consent import withdraw_consent
    from tik.cases.participants import invite_participant
    from tik.cases.queries import Access

    me = make_user("meg", roles=(Role.EMPLOYEE, Role.COORDINATOR), name="Mette Holder")
    colleague = make_user("kollega", roles=(Role.EMPLOYEE, Role.COORDINATOR))
    start = clock.now()
    clock.travel(start - timedelta(days=10))
    due = make_case(by=me, first_name="Frist")                            # level 0: its decision due in 4 days
    give_consent(due, me, ["ppt"], days=5)                                # ended 5 days ago
    clock.travel(start)
    new_undated = make_case(by=me, first_name="Iaar")
    clock.travel(datetime(2025, 12, 1, 9))
    old_undated = make_case(by=me, first_name="Ifjor")                   # a reference of last year, a later id
    clock.travel(start)
    for case in (old_undated, new_undated):
        move_case(case, me, TO_LEVEL1)                                    # level 1: a step without a deadline
    closed = make_case(by=me, first_name="Lukket")
    give_consent(closed, me, ["ppt"], days=10)
    move_case(closed, me, TO_LEVEL0_DECISION + [("close", {**DECIDE, "close_reason": "Avklart.",
                                                           "family_informed": "yes"})])
    theirs = make_case(by=colleague, first_name="Kollegas")
    give_consent(theirs, colleague, ["ppt"], days=10)
    invite_participant(theirs, me, colleague)                             # I take part in it, I do not hold it
    last_day = give_consent(due, me, ["ppt"], days=30)
    give_consent(due, me, ["ppt"], days=31)                               # not yet
    withdrawn = give_consent(due, me, ["health-nurse"], days=10)
    withdraw_consent(withdrawn, me)
    ends_today = give_consent(new_undated, me, ["ppt"], days=0)

    work = mywork.work_for(me)
    assert old_undated.ref < new_undated.ref and old_undated.id > new_undated.id
    assert [(r.ref, r.level, r.deadline) for r in work.steps] == [
        (due.ref, 0, start.date() + timedelta(days=4)), (old_undated.ref, 1, None), (new_undated.ref, 1, None)]
    for row, case in zip(work.steps, (due, old_undated, new_undated), strict=True):
        assert row.step.id == case.step_id and (row.waiting, row.paused) == (False, False)
        assert (row.child_name, row.coordinator_name, row.why) == (case.child.name, "Mette Holder", Access.HOLDER)
    assert [c.id for c in work.consents] == [ends_today.id, last_day.id]
    login(me)
    page = client.get("/min-side").get_data(as_text=True)
    assert closed.ref not in page and theirs.ref not in page and "Saken står stille nå" not in page


def test_reminders_hold_no_personal_data_and_come_once_a_day(make_user, make_case):
    holder = make_user(email="holder@fjordvik.kommune.no")
    make_case(by=holder, first_name="Hemmeligna")
    clock.travel(clock.today() + timedelta(days=20))               # the level 0 decision is overdue
    assert mywork.queue_reminders() == 1
    assert mywork.queue_reminders() == 0
    message = db.session.scalar(db.select(OutboxMessage))
    assert message.to_address == "holder@fjordvik.kommune.no"
    assert "Hemmeligna" not in message.body + message.subject and "TIK-" not in message.body


def test_reminders_are_sent_through_smtp(make_user, make_case, monkeypatch):
    sent = []

    class FakeSMTP:
        def __init__(self, host, port, timeout):
            sent.append(("connect", host, port))

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def send_message(self, mail):
            sent.append(("mail", mail["To"], mail["Subject"]))

    monkeypatch.setattr(mywork.smtplib, "SMTP", FakeSMTP)
    holder = make_user(email="h@fjordvik.kommune.no")
    make_case(by=holder)
    clock.travel(clock.today() + timedelta(days=20))
    mywork.queue_reminders()
    assert mywork.send_outbox({"HOST": "smtp.fjordvik.kommune.no", "PORT": "25"}) == 1
    assert ("mail", "h@fjordvik.kommune.no", "Du har oppgaver i TIK") in sent
    assert mywork.send_outbox({"HOST": "smtp.fjordvik.kommune.no"}) == 0
    assert mywork.send_outbox({}) == 0


def test_calendar_file_parses_and_holds_meetings_and_evaluations(client, login, make_user, make_case):
    holder = login(make_user())
    case = make_case(by=holder, first_name="Kalenderbarn")
    plans.add_measure(case, holder, plans.MeasureInput("school", "Lærer", "Leksehjelp", "Mål",
                                                       clock.today(), clock.today() + timedelta(days=40)))
    team = meetings.create_team("Team", [holder])
    meeting = meetings.create_meeting(holder, title="Teammøtet", starts_at=clock.now() + timedelta(days=3),
                                      place="Rom 1", team=team)
    response = client.get("/min-side/kalender.ics")
    assert response.headers["Content-Type"].startswith("text/calendar")
    cal = Calendar.from_ical(response.data)
    events = {str(e["summary"]): e for e in cal.walk("VEVENT")}
    assert "TIK: Teammøtet" in events and str(events["TIK: Teammøtet"]["location"]) == "Rom 1"
    starts = events["TIK: Teammøtet"].decoded("dtstart")
    assert str(starts.tzinfo) == "Europe/Oslo"  # the municipality's wall-clock time, the same instant
    assert starts.astimezone(UTC).replace(tzinfo=None) == meeting.starts_at.replace(microsecond=0)
    assert b"BEGIN:VTIMEZONE" in response.data and b"TZID:Europe/Oslo" in response.data
    assert f"TIK: evaluering {case.ref}" in events
    assert events[f"TIK: evaluering {case.ref}"].decoded("dtstart") == clock.today() + timedelta(days=40)
    assert b"Kalenderbarn" not in response.data


# -- "Mine saker" ----------------------------------------------------------------------------------------------


def test_my_cases_lists_what_i_hold_then_take_part_in_then_lead_each_by_deadline_with_my_measures(
        make_user, make_unit, make_case, move_case, give_consent, make_measure):
    """"Mine saker": the open cases I hold first, then those I take part in, then those my unit's leadership
    gives me; within each the earliest deadline first, cases with none last. Each row says why I see it and
    names the measures I answer for in that case, nobody else's. Not listed: a closed case I held, a case I
    was removed from."""
    from flows import TO_LEVEL1, TO_LEVEL2

    from tik.auth.models import Role
    from tik.cases import steps
    from tik.cases.consent import withdraw_consent
    from tik.cases.participants import invite_participant
    from tik.cases.queries import Access, my_cases

    me = make_user("meg", roles=(Role.EMPLOYEE, Role.COORDINATOR, Role.LEADER))
    other_school = make_unit("school-2", "school", leaders=[me])
    colleague = make_user("kollega", unit=other_school, roles=(Role.EMPLOYEE, Role.COORDINATOR))
    nurse = make_user("nurse", unit=make_unit("helse", "health-nurse"), roles=(Role.EMPLOYEE, Role.COORDINATOR))

    clock.travel(clock.now() - timedelta(days=6))
    led = make_case(by=colleague, first_name="Leder")              # deadline: 6 days before mine, the earliest
    clock.travel(clock.now() + timedelta(days=1))
    joined = make_case(by=nurse, first_name="Deltar")
    removed = make_case(by=nurse, first_name="Fjernet")
    for case in (joined, removed):
        give_consent(case, nurse, ["school"])
        invite_participant(case, me, nurse)
    withdraw_consent(removed.consents[0], nurse)                    # my service is no longer covered: I leave
    make_measure(joined, nurse, service="health-nurse", what="Samtaler", responsible_id=me.id, responsible="")
    make_measure(joined, nurse, service="health-nurse", what="Helsesjekk", responsible_id=nurse.id, responsible="")
    clock.travel(clock.now() + timedelta(days=5))
    later = make_case(by=me, first_name="Senere")                   # opened today: deadline in 14 days
    make_measure(later, me, what="Leksehjelp", responsible_id=me.id, responsible="")
    undated = move_case(make_case(by=me, first_name="Udatert"), me, TO_LEVEL1)  # a step without a time frame
    closed = make_case(by=me, first_name="Avsluttet")
    steps.decide(closed, "family_ends", {}, by=me)
    steps.decide(closed, "close", {"family_reason": "Nei takk.", "family_informed": "yes"}, by=me)
    today = clock.now()
    clock.travel(today - timedelta(days=3))
    sooner = make_case(by=me, first_name="Snarere")                 # opened 3 days ago: due sooner, numbered later
    clock.travel(datetime(2025, 12, 1, 9))
    last_year = make_case(by=me, first_name="Ifjor")                # opened last year, registered here last
    clock.travel(today)
    give_consent(last_year, me, ["health-nurse"])
    move_case(last_year, me, TO_LEVEL2)                             # a meeting due in 14 days: as `later`

    rows = my_cases(me)
    assert [(r.ref, r.why, r.my_measures) for r in rows] == [
        (sooner.ref, Access.HOLDER, ()), (last_year.ref, Access.HOLDER, ()),
        (later.ref, Access.HOLDER, ("Leksehjelp",)),
        (undated.ref, Access.HOLDER, ()), (joined.ref, Access.PARTICIPANT, ("Samtaler",)),
        (led.ref, Access.LEADER, ())]
    assert undated.deadline is None and led.deadline < joined.deadline < sooner.deadline < later.deadline
    assert sooner.ref > later.ref  # the deadline orders them, not the reference
    assert last_year.deadline == later.deadline and last_year.ref < later.ref and last_year.id > later.id  # then it


def test_my_cases_says_a_case_waits_for_child_welfare_only_to_those_who_may_know(make_unit, make_user, give_consent):
    """A case waiting for child welfare in "Mine saker" (and on the holder's "Min side"): the holder's row says it
    waits (the waiting step); a participant who may not know of the report reads only that the case stands still
    (the need-to-know rule): their row carries the case's own step, not the waiting step."""
    from support import nora_waiting

    from tik.cases.queries import my_cases
    from tik.guidebook import guide_of

    case, people = nora_waiting(make_unit, make_user, give_consent)
    [held] = my_cases(people["holder"])
    [joined] = my_cases(people["ppt"])
    assert (held.ref, held.waiting, held.paused) == (case.ref, True, False)
    assert (joined.ref, joined.waiting, joined.paused) == (case.ref, False, True)
    [step] = mywork.work_for(people["holder"]).steps                      # "Min side" says so to the holder too
    assert (step.ref, step.waiting, step.paused, step.step) == (case.ref, True, False, held.step)
    assert held.step.id == guide_of(case).child_welfare_wait.id != case.step_id
    assert joined.step.id == case.step_id
