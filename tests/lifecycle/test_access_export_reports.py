"""The family's Art. 15 export (issue 25): never a report to child welfare, its draft, the report or emergency
entries or anything on an open suspicion path; the holder may withhold further entries with a reason and a legal
ground from the guidebook, and the export says, in the family's language, on which ground something was withheld."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from flows import TALK_CHILD, TO_LEVEL0_DECISION
from support import pdf_text

from tik import clock
from tik.auth.models import Role
from tik.cases import steps
from tik.cases.models import CaseEvent, ChildWelfareReport, EventKind
from tik.cases.reports import GuardianInformed, complete_report, feedback_received, on_suspicion_path
from tik.concerns.models import Child
from tik.concerns.service import GuardianInput
from tik.extensions import db
from tik.lifecycle.access import WithholdError, subject_access, withhold_from_export

DRAFT = "Hun sa at far slo henne med beltet."
SENT = "Meldingen: barnet forteller om slag hjemme."
POLISH_GROUND = "Informacje dotyczą innych osób, a ich interesy są ważniejsze"


@pytest.fixture
def reported(app, make_user, make_case, move_case):
    """A case heard at level 0, then reported through the hard stop with the guardian not informed."""
    holder = make_user("holder", service="school", roles=[Role.EMPLOYEE, Role.COORDINATOR])
    case = make_case(by=holder, guardians=[GuardianInput("Anna Nowak", "mor", "", "pl")])
    move_case(case, holder, TO_LEVEL0_DECISION)
    steps.decide(case, "report_child_welfare", {}, by=holder)
    report = db.session.scalar(db.select(ChildWelfareReport).where(ChildWelfareReport.case_id == case.id))
    complete_report(report, holder, guardians=[GuardianInformed(g["guardian_id"], False, DRAFT)
                                               for g in report.guardians],
                    child_told=True, child_not_told_reason="", interpreter_needed=True,
                    interpreter_language="polsk", sent_on=clock.today(), sent_how="ks-fiks", text=SENT)
    return case, holder, report


def _child(case):
    return db.session.get(Child, case.child_id)


def test_a_case_on_an_open_suspicion_path_is_not_in_the_export(reported):
    case, holder, _report = reported
    assert on_suspicion_path(case)
    export = subject_access(_child(case), holder, lang="pl")
    assert json.loads(export.json)["cases"] == [] and case.ref not in pdf_text(export.pdf)


def test_the_polish_export_of_a_reported_case_holds_no_report_and_names_the_withholding_ground(
        client, login, reported):
    case, holder, report = reported
    feedback_received(report, holder, clock.today())
    assert on_suspicion_path(case)  # the case still waits until the holder records the answer and goes on
    steps.decide(case, "go_on", {"cw_answer": "investigating", "family_may_be_told": "yes",
                                 "family_told_from": clock.today().isoformat()}, by=holder)
    assert not on_suspicion_path(case)  # child welfare has answered: the path is no longer open
    talk = db.session.scalar(db.select(CaseEvent).where(CaseEvent.case_id == case.id,
                                                        CaseEvent.step_id == "l0-talk-child"))
    login(holder)
    response = client.post(f"/saker/{case.ref}/innsyn-art15/hold-tilbake",
                           data={"event_id": talk.id, "ground": "third-party", "reason": "Gjelder en annen elev."})
    assert response.status_code == 302
    package = zipfile.ZipFile(io.BytesIO(client.post(f"/saker/{case.ref}/innsyn-art15", data={"lang": "pl"}).data))
    text = pdf_text(package.read(f"innsyn-{case.ref}-pl.pdf"))
    data = package.read(f"innsyn-{case.ref}.json").decode()
    for secret in (SENT, DRAFT, TALK_CHILD["child_words"], "Gjelder en annen elev."):
        assert secret not in text and secret not in data
    assert "Meld til barnevernet" not in text and "Melding til barnevernet sendt" not in text
    exported = json.loads(data)["cases"][0]
    kinds = {e["kind"] for e in exported["tables"]["case_event"]}
    assert not kinds & {EventKind.REPORT.value, EventKind.EMERGENCY.value}
    assert "child_welfare_report" not in exported["tables"] and "report_draft" not in exported["tables"]
    assert not [a for a in exported["tables"]["audit_event"] if a["action"].startswith("report.")]
    assert exported["withheld"] == [{"ground": "third-party", "law": exported["withheld"][0]["law"], "entries": 1}]
    flat = " ".join(text.split())
    assert "Informacje, które zostały wstrzymane" in flat and POLISH_GROUND in flat
    assert "Wstrzymano 1 wpisów w sprawie" in flat


def test_only_the_holder_withholds_and_only_on_a_ground_the_guidebook_lists(reported, make_user):
    case, holder, report = reported
    talk = db.session.scalar(db.select(CaseEvent).where(CaseEvent.case_id == case.id,
                                                        CaseEvent.step_id == "l0-talk-child"))
    for by, ground, reason, code in ((make_user(service="school"), "third-party", "Grunn", "not_holder"),
                                     (holder, "i-feel-like-it", "Grunn", "unknown_ground"),
                                     (holder, "third-party", " ", "reason_required")):
        with pytest.raises(WithholdError) as refused:
            withhold_from_export(case, talk, by, ground, reason)
        assert refused.value.code == code
        db.session.rollback()
