"""Team meetings: the agenda shows a case by name only when consent covers the team; decisions land in cases."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from flows import CONCRETISE
from support import pdf_text

from tik.cases.models import CaseEvent
from tik.clock import now
from tik.extensions import db
from tik.meetings import service as meetings
from tik.meetings.models import Meeting
from tik.plans.models import Measure


@pytest.fixture
def team_world(make_user, make_case, give_consent):
    holder = make_user(username="holder", service="school", name="Helle Holder")
    nurse = make_user(username="nurse", service="health-nurse", name="Nina Nurse")
    ppt = make_user(username="ppt", service="ppt", name="Pål PPT")
    outsider = make_user(username="outsider", service="nav")
    team = meetings.create_team("TIK-team Fjordvik nord", [holder, nurse, ppt])
    a = make_case(by=holder, first_name="Astrid", last_name="Alfa", gender="girl")
    b = make_case(by=holder, first_name="Bjørn", last_name="Beta", gender="boy")
    c = make_case(by=holder, first_name="Cecilie", last_name="Hemmelig", gender="girl", school="Solstua skole")
    give_consent(a, holder, ["tik-team", "health-nurse"])
    give_consent(b, holder, ["tik-team", "ppt"])
    meeting = meetings.create_meeting(holder, title="Teammøte november", starts_at=now() + timedelta(days=2),
                                      place="Møterom 2", team=team)
    for case in (a, b, c):
        meetings.add_item(meeting, holder, case_ref=case.ref)
    return {"holder": holder, "nurse": nurse, "ppt": ppt, "outsider": outsider, "team": team,
            "cases": (a, b, c), "meeting": meeting}


def test_agenda_shows_the_case_without_team_consent_anonymised(client, login, team_world):
    a, b, c = team_world["cases"]
    login(team_world["nurse"])
    page = client.get(f"/moter/{team_world['meeting'].id}").get_data(as_text=True)
    assert "Astrid Alfa" in page and a.ref in page
    assert "Bjørn Beta" in page and b.ref in page
    assert "Jente, " in page and "Anonymisert" in page
    for leak in ("Cecilie", "Hemmelig", c.ref, "Solstua", c.child.birth_date.strftime("%d.%m.%Y")):
        assert leak not in page


def test_minutes_pdf_anonymises_the_same_case(client, login, team_world):
    a, b, c = team_world["cases"]
    meeting = team_world["meeting"]
    login(team_world["holder"])
    item_c = meeting.items[2]
    client.post(f"/moter/{meeting.id}/punkt/{item_c.id}", data={
        f"i{item_c.id}-discussion": "Drøftet skolefravær", f"i{item_c.id}-advice": "Kartlegg fravær",
        f"i{item_c.id}-decisions": "Ta opp igjen om fire uker", f"i{item_c.id}-version": str(item_c.version)})
    response = client.get(f"/moter/{meeting.id}/referat.pdf")
    assert response.status_code == 200
    text = pdf_text(response.data)
    assert "Astrid Alfa" in text and "Drøftet skolefravær" in text and "Taushetsbelagt" in text
    assert "Cecilie" not in text and "Hemmelig" not in text and c.ref not in text
    assert "Jente," in text


def test_a_case_brought_anonymously_stays_anonymous_even_with_consent(client, login, team_world):
    a = team_world["cases"][0]
    meeting = team_world["meeting"]
    meetings.add_item(meeting, team_world["holder"], case_ref=a.ref, anonymous=True)
    meetings.add_item(meeting, team_world["ppt"], description="Gutt, 8 år, 3. trinn – bekymret for språket")
    login(team_world["ppt"])
    page = client.get(f"/moter/{meeting.id}").get_data(as_text=True)
    assert page.count("Astrid Alfa") == 1  # the identified item only
    assert "Gutt, 8 år, 3. trinn – bekymret for språket" in page


def test_decisions_in_the_meeting_change_the_cases_with_a_link_to_the_meeting(client, login, team_world):
    a, b, _c = team_world["cases"]
    meeting = team_world["meeting"]
    item_a, item_b = meeting.items[0], meeting.items[1]
    login(team_world["holder"])
    prefix = f"m{item_a.id}-"
    response = client.post(f"/moter/{meeting.id}/punkt/{item_a.id}/tiltak", data={
        prefix + "service_key": "health-nurse", prefix + "responsible": "Nina Nurse",
        prefix + "what": "Samtaler hos helsesykepleier", prefix + "goal": "Bedre søvn",
        prefix + "start_on": "2026-12-01", prefix + "evaluate_on": "2027-01-15", prefix + "status": "planned",
        prefix + "idempotency_key": "meeting-measure-1"})
    assert response.status_code == 302, response.get_data(as_text=True)[:1500]
    measure = db.session.scalar(db.select(Measure).where(Measure.what == "Samtaler hos helsesykepleier"))
    assert measure is not None and measure.plan.case_id == a.id

    data = {f"f_{k}": v for k, v in CONCRETISE.items()}
    response = client.post(f"/moter/{meeting.id}/punkt/{item_b.id}/beslutning",
                           data={**data, "decision": "done", "version": str(b.version)})
    assert response.status_code == 302, response.get_data(as_text=True)[:1500]
    db.session.expire_all()
    assert b.step_id == "l0-discuss"

    for case in (a, b):
        events = db.session.scalars(db.select(CaseEvent).where(CaseEvent.case_id == case.id)).all()
        assert any(e.data.get("meeting_id") == meeting.id for e in events)
    page = client.get(f"/saker/{a.ref}").get_data(as_text=True)
    assert f"/moter/{meeting.id}" in page and "Besluttet i møte" in page


def test_decisions_are_refused_on_an_anonymised_case(client, login, team_world):
    meeting = team_world["meeting"]
    item_c = meeting.items[2]
    login(team_world["holder"])  # the holder could see the case, but the team item is anonymised
    response = client.post(f"/moter/{meeting.id}/punkt/{item_c.id}/beslutning", data={"decision": "done"})
    assert response.status_code == 404


def test_only_team_members_see_the_meeting(client, login, team_world):
    login(team_world["outsider"])
    assert client.get(f"/moter/{team_world['meeting'].id}").status_code == 404
    assert client.get(f"/moter/{team_world['meeting'].id}/referat.pdf").status_code == 404
    assert "Teammøte november" not in client.get("/moter/").get_data(as_text=True)


def test_a_member_cannot_put_a_case_they_cannot_see_on_the_agenda(team_world, make_case, make_user):
    other = make_case(by=make_user(service="nav"))
    with pytest.raises(meetings.MeetingError):
        meetings.add_item(team_world["meeting"], team_world["ppt"], case_ref=other.ref)


def test_creating_a_team_meeting_through_the_page(client, login, team_world):
    login(team_world["nurse"])
    response = client.post("/moter/", data={"team": str(team_world["team"].id), "title": "Desembermøtet",
                                           "starts_at": "2026-12-10T09:00", "place": "Helsestasjonen",
                                           "idempotency_key": "new-meeting"})
    assert response.status_code == 302
    meeting = db.session.scalar(db.select(Meeting).where(Meeting.title == "Desembermøtet"))
    assert meeting.starts_at == datetime(2026, 12, 10, 8, 0)  # 09:00 in Oslo (winter time) is 08:00 UTC
    assert "10.12.2026 09:00" in client.get(f"/moter/{meeting.id}").get_data(as_text=True)
    assert {p.name for p in meeting.participants} == {"Helle Holder", "Nina Nurse", "Pål PPT"}


def test_a_meeting_is_made_only_for_a_team_one_is_in_and_the_form_offers_those_by_name(client, login, team_world):
    nurse, outsider = team_world["nurse"], team_world["outsider"]
    db.session.add(meetings.create_team("Alfa-teamet", [nurse]))  # made after, first by name
    db.session.commit()
    login(nurse)
    form = client.get("/moter/").get_data(as_text=True).split('name="team"', 1)[1].split("</select>", 1)[0]
    assert re.findall(r"<option [^>]*>([^<]*)</option>", form) == ["Alfa-teamet", "TIK-team Fjordvik nord"]

    login(outsider)  # in no team: no form, and a team's id sent by hand is refused
    page = client.get("/moter/").get_data(as_text=True)
    assert "Du er ikke medlem av noe tverrfaglig team." in page and 'name="team"' not in page
    response = client.post("/moter/", data={"team": str(team_world["team"].id), "title": "Utenfra",
                                           "starts_at": "2026-12-10T09:00", "idempotency_key": "outside"})
    assert response.status_code == 422
    assert db.session.scalar(db.select(Meeting).where(Meeting.title == "Utenfra")) is None


def test_network_meeting_with_the_family_records_who_attended(client, login, make_user, make_case, give_consent):
    holder = login(make_user(service="school", name="Helle Holder"))
    case = make_case(by=holder)
    give_consent(case, holder, ["ppt"])
    response = client.post(f"/moter/nettverk/{case.ref}", data={
        "title": "Ansvarsgruppemøte", "starts_at": "2026-12-03T14:00", "place": "Skolen",
        "family": "Kari Hansen, mor\nOla Hansen, far", "idempotency_key": "net-1"})
    assert response.status_code == 302
    meeting = db.session.scalar(db.select(Meeting).where(Meeting.case_id == case.id))
    names = {p.name: p for p in meeting.participants}
    assert {"Helle Holder", "Kari Hansen", "Ola Hansen"} <= set(names)
    client.post(f"/moter/{meeting.id}/oppmote", data={"attended": [str(names["Kari Hansen"].id),
                                                                    str(names["Helle Holder"].id)]})
    db.session.expire_all()
    attended = {p.name: p.attended for p in meeting.participants}
    assert attended == {"Helle Holder": True, "Kari Hansen": True, "Ola Hansen": False}
    page = client.get(f"/moter/{meeting.id}").get_data(as_text=True)
    assert case.child.name in page  # a network meeting is about one case, with the family present
    pdf = pdf_text(client.get(f"/moter/{meeting.id}/referat.pdf").data)
    assert "Kari Hansen" in pdf and "Møtte ikke" in pdf


def _headings(page: str) -> list[str]:
    """Each agenda item's heading, in agenda order, as plain text."""
    return [" ".join(re.sub(r"<[^>]+>", " ", h).split())
            for h in re.findall(r'id="item-\d+-title">(.*?)</h3>', page, re.S)]


def test_a_question_for_advice_is_shown_anonymised_and_the_cases_after_it_still_follow(client, login, team_world):
    """An anonymous question for advice is one item among the others: shown by its description and tagged as
    anonymised, and the cases put on the agenda after it are on the page too (by name when consent covers the
    team, with the case's level)."""
    holder = team_world["holder"]
    a = team_world["cases"][0]
    meeting = meetings.create_meeting(holder, title="Drøftingsmøte", starts_at=now() + timedelta(days=3),
                                      team=team_world["team"])
    meetings.add_item(meeting, holder, description="Jente, 9 år – spør om råd")
    meetings.add_item(meeting, holder, case_ref=a.ref)
    login(team_world["nurse"])
    headings = _headings(client.get(f"/moter/{meeting.id}").get_data(as_text=True))
    assert headings == ["1. Jente, 9 år – spør om råd Anonymisert", f"2. Astrid Alfa ({a.ref}) Nivå 0"]


def test_the_agenda_offers_the_case_and_its_decisions_only_to_who_may_work_on_a_named_case(client, login,
                                                                                          team_world):
    """The link to the case and the decision forms come with an item whose child is named and whose case the
    reader may work on: the holder gets them for the named cases, not for the anonymised one; a team member who
    does not work on the case gets none."""
    a, b, c = team_world["cases"]
    meeting = team_world["meeting"]
    login(team_world["holder"])
    page = client.get(f"/moter/{meeting.id}").get_data(as_text=True)
    opened = re.findall(r'href="/saker/(TIK-[^"#]+)">Åpne saken', page)
    assert opened == [a.ref, b.ref]
    decides = re.findall(rf'action="/moter/{meeting.id}/punkt/(\d+)/beslutning"', page)
    assert decides == [str(meeting.items[0].id), str(meeting.items[1].id)]
    login(team_world["nurse"])
    page = client.get(f"/moter/{meeting.id}").get_data(as_text=True)
    assert "Åpne saken" not in page and "/beslutning" not in page


def test_reading_a_meeting_audits_one_read_per_case_shown_by_name(client, login, team_world):
    """Reading a meeting (the page or its minutes) is reading the cases it names: one audit event per named
    case, in the reader's name, pointing at the meeting; none for the anonymised case or a question for advice."""
    from tik.audit.models import AuditEvent

    a, b, _c = team_world["cases"]
    nurse, meeting = team_world["nurse"], team_world["meeting"]
    meetings.add_item(meeting, team_world["ppt"], description="Gutt, 8 år – bekymret for språket")
    login(nurse)
    assert client.get(f"/moter/{meeting.id}").status_code == 200
    assert client.get(f"/moter/{meeting.id}/referat.pdf").status_code == 200
    db.session.expire_all()
    events = db.session.scalars(db.select(AuditEvent).where(AuditEvent.action.in_(("meeting.view", "meeting.pdf")))
                                .order_by(AuditEvent.id)).all()
    assert [(e.action, e.user_id, e.case_id, e.case_ref, e.detail) for e in events] == [
        (action, nurse.id, case.id, case.ref, f"meeting:{meeting.id}")
        for action in ("meeting.view", "meeting.pdf") for case in (a, b)]


def test_one_sees_the_meetings_of_ones_teams_and_about_cases_one_may_see_soonest_first(
        make_user, make_case, give_consent, make_meeting, clock):
    """The meetings list: the team meetings of the teams one is in, and the network meetings about cases one
    may see (an invited participant whose service the consent covers sees them; another case's meeting stays
    hidden), soonest first; from a given moment, the meetings starting then or later."""
    from tik.cases.participants import invite_participant

    holder = make_user(username="holder", service="school", name="Helle Holder")
    nurse = make_user(username="nurse", service="health-nurse", name="Nina Nurse")
    seen = make_case(by=holder, first_name="Synlig")
    hidden = make_case(by=holder, first_name="Skjult")
    give_consent(seen, holder, ["health-nurse"])
    invite_participant(seen, nurse, holder)
    ours = meetings.create_team("Teamet vårt", [holder, nurse])
    theirs = meetings.create_team("Et annet team", [holder])
    about_seen = make_meeting(holder, case=seen, days=5, title="Om den synlige saken")
    make_meeting(holder, case=hidden, days=2, title="Om den skjulte saken")
    make_meeting(holder, team=theirs, days=3, title="Det andre teamets møte")
    ours_meeting = make_meeting(holder, team=ours, days=1, title="Vårt teammøte")

    assert [m.title for m in meetings.meetings_for(nurse)] == ["Vårt teammøte", "Om den synlige saken"]
    assert [m.title for m in meetings.meetings_for(holder)] == [
        "Vårt teammøte", "Om den skjulte saken", "Det andre teamets møte", "Om den synlige saken"]
    assert [m.title for m in meetings.meetings_for(nurse, start=about_seen.starts_at)] == ["Om den synlige saken"]
    assert [m.title for m in meetings.meetings_for(nurse, start=ours_meeting.starts_at)] == [
        "Vårt teammøte", "Om den synlige saken"]
    assert meetings.meetings_for(nurse, start=about_seen.starts_at + timedelta(minutes=1)) == []
