"""A network meeting's minutes of a case go with the plan (policy `can_read_minutes`): a participant whose
service's consent does not cover plan-and-measures reads no minutes or decision text of that case on the meeting
page or its PDF, and cannot write them; with plan-and-measures covered they do (issue 25)."""

from __future__ import annotations

import pytest
from flows import TO_LEVEL0_DECISION
from support import pdf_text

from tik.auth.models import Role
from tik.cases.participants import invite_participant
from tik.meetings import service as meetings

DISCUSSED = "Nora strever med lesingen og gruer seg til friminuttene."
DECIDED = "Lesekurs to ganger i uka fra neste mandag."


@pytest.fixture
def minuted(client, login, make_unit, make_user, make_case, move_case, make_meeting):
    """Nora's network meeting with minutes; PPT invited, its consent's kinds chosen by the test."""
    holder = login(make_user("holder", service="school", roles=[Role.EMPLOYEE, Role.COORDINATOR]))
    case = make_case(by=holder)
    move_case(case, holder, TO_LEVEL0_DECISION)
    ppt = make_user("ppt", service="ppt", unit=make_unit("ppt", "ppt"))

    def with_kinds(kinds: list[str]):
        given = client.post(f"/saker/{case.ref}/samtykke", data={
            "given_by": "Kari Hansen", "services": ["ppt"], "kinds_grid": "1", "kinds-ppt": kinds,
            "purpose": "Samarbeid om tiltak", "form": "paper", "given_on": "2026-03-02", "expires_on": "2027-03-01",
            "idempotency_key": "k" * 24})
        assert given.status_code == 302, given.get_data(as_text=True)[:2000]
        invite_participant(case, ppt, holder)
        meeting = make_meeting(holder, case=case, title="Ansvarsgruppe")
        meetings.save_minutes(meeting.items[0], holder, discussion=DISCUSSED, advice="", decisions=DECIDED)
        login(ppt)
        return meeting

    return with_kinds


def test_ppt_without_the_plan_reads_no_minutes_and_cannot_write_them(client, minuted):
    meeting = minuted(["conversations-with-the-child"])
    page = client.get(f"/moter/{meeting.id}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert DISCUSSED not in text and DECIDED not in text
    assert "Referatet følger planen og tiltakene" in text
    assert DECIDED not in pdf_text(client.get(f"/moter/{meeting.id}/referat.pdf").data)
    item = meeting.items[0]
    written = client.post(f"/moter/{meeting.id}/punkt/{item.id}", data={
        f"i{item.id}-discussion": "Overskrevet", f"i{item.id}-advice": "", f"i{item.id}-decisions": "",
        f"i{item.id}-version": str(item.version)})
    assert written.status_code == 404


def test_ppt_with_the_plan_reads_the_minutes(client, minuted):
    meeting = minuted(["plan-and-measures"])
    text = client.get(f"/moter/{meeting.id}").get_data(as_text=True)
    assert DISCUSSED in text and DECIDED in text
    assert DECIDED in pdf_text(client.get(f"/moter/{meeting.id}/referat.pdf").data)
