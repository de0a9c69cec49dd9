"""The report to child welfare is need-to-know (issue 25): its draft, its record, its form and its PDF are seen by
the author, the holder, the holder's unit leader and a participant from child welfare only. A consented PPT
participant gets 404 on each and sees no report text on the case page; at most "a report was sent on <date>",
when the holder chooses to tell them."""

from __future__ import annotations

import pytest
from support import nora_waiting

from tik import clock
from tik.cases import steps
from tik.cases.models import ChildWelfareReport
from tik.cases.reports import GuardianInformed, complete_report
from tik.extensions import db

DRAFT = "UTKAST: Nora forteller at far slår henne."
SENT = "Nora har fortalt læreren at far slår henne når han er sint."


@pytest.fixture
def reported(app, make_unit, make_user, give_consent):
    """PPT and child welfare consented and invited on Nora's case; then a suspicion, registered by the holder as
    a second concern (its draft), reported through the hard stop and sent."""
    case, people = nora_waiting(make_unit, make_user, give_consent, services=("ppt", "child-welfare"), leader=True,
                                report_draft=DRAFT)
    holder = people["holder"]
    steps.decide(case, "report_child_welfare", {}, by=holder)
    report = db.session.scalar(db.select(ChildWelfareReport).where(ChildWelfareReport.case_id == case.id))
    complete_report(report, holder, guardians=[GuardianInformed(g["guardian_id"], False, "Mistanke mot far")
                                               for g in report.guardians],
                    child_told=True, child_not_told_reason="", interpreter_needed=False, interpreter_language="",
                    sent_on=clock.today(), sent_how="ks-fiks", text=SENT)
    return case, report, people


def test_a_consented_ppt_participant_gets_404_on_the_report_and_sees_no_report_text(client, login, reported):
    case, report, people = reported
    login(people["ppt"])
    page = client.get(f"/saker/{case.ref}")
    assert page.status_code == 200  # PPT does see the case
    text = page.get_data(as_text=True)
    assert "Nora forteller" not in text and "far slår henne" not in text and DRAFT not in text
    assert "Melding til barnevernet" not in text and f"/melding/{report.id}" not in text
    assert client.get(f"/saker/{case.ref}/melding/{report.id}.pdf").status_code == 404
    assert client.post(f"/saker/{case.ref}/melding/{report.id}", data={"sent_on": "2026-01-01"}).status_code == 404
    assert client.post(f"/saker/{case.ref}/melding/{report.id}/tilbakemelding").status_code == 404
    assert "far slår henne" not in client.get(f"/saker/{case.ref}/logg").get_data(as_text=True)


@pytest.mark.parametrize("who", ["holder", "leader", "welfare"])
def test_the_holder_the_leader_and_child_welfare_read_the_report(client, login, reported, who):
    case, report, people = reported
    login(people[who])
    page = client.get(f"/saker/{case.ref}").get_data(as_text=True)
    assert "Melding til barnevernet" in page
    assert client.get(f"/saker/{case.ref}/melding/{report.id}.pdf").status_code == 200


def test_the_draft_is_seen_by_its_author_and_not_by_ppt(client, login, reported):
    case, _report, people = reported
    login(people["holder"])
    assert DRAFT in client.get(f"/saker/{case.ref}").get_data(as_text=True)
    login(people["ppt"])
    assert DRAFT not in client.get(f"/saker/{case.ref}").get_data(as_text=True)


def test_ppt_sees_that_a_report_was_sent_only_when_the_holder_tells_them(client, login, reported):
    case, report, people = reported
    login(people["ppt"])
    assert "En melding til barnevernet ble sendt" not in client.get(f"/saker/{case.ref}").get_data(as_text=True)
    assert client.post(f"/saker/{case.ref}/melding/{report.id}/fortell", data={"told": "1"}).status_code == 404
    login(people["holder"])
    assert client.post(f"/saker/{case.ref}/melding/{report.id}/fortell", data={"told": "1"}).status_code == 302
    login(people["ppt"])
    page = client.get(f"/saker/{case.ref}").get_data(as_text=True)
    assert "En melding til barnevernet ble sendt" in page
    assert SENT not in page and "Mistanke mot far" not in page
