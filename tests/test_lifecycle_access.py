"""The family's right of access (GDPR Art. 15): every table's rows about the child, and nothing of another child
with the same name; a readable PDF in the family's language beside the JSON; audited."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import date

from flask import current_app
from lifecycle_support import close, rich_case
from sqlalchemy import select
from support import pdf_text

from tik.audit.models import AuditEvent
from tik.auth.policy import case_for
from tik.cases.models import Case, CaseEvent, CaseParticipant, Consent, ConsentService, Handover
from tik.concerns.models import Child, Concern, Guardian, ReportDraft
from tik.extensions import db
from tik.lifecycle.access import subject_access
from tik.lifecycle.archive import print_archive
from tik.lifecycle.models import ArchivePrint
from tik.meetings.models import AgendaItem, Meeting
from tik.meetings.models import Participant as MeetingParticipant
from tik.plans.models import Evaluation, Measure, Plan, PlanRevision


def _ids(model, *where) -> set[int]:
    return set(db.session.scalars(select(model.id).where(*where)))


def _expected(case: Case) -> dict[str, set[int]]:
    """Every table's rows about the case, straight from the database."""
    plans = select(Plan.id).where(Plan.case_id == case.id)
    measures = select(Measure.id).where(Measure.plan_id.in_(plans))
    consents = select(Consent.id).where(Consent.case_id == case.id)
    network = select(Meeting.id).where(Meeting.case_id == case.id)
    return {
        "case": {case.id}, "concern": _ids(Concern, Concern.case_id == case.id),
        "case_event": _ids(CaseEvent, CaseEvent.case_id == case.id),
        "consent": _ids(Consent, Consent.case_id == case.id),
        "consent_service": _ids(ConsentService, ConsentService.consent_id.in_(consents)),
        "handover": _ids(Handover, Handover.case_id == case.id),
        "case_participant": _ids(CaseParticipant, CaseParticipant.case_id == case.id),
        "plan": _ids(Plan, Plan.case_id == case.id), "measure": _ids(Measure, Measure.plan_id.in_(plans)),
        "evaluation": _ids(Evaluation, Evaluation.measure_id.in_(measures)),
        "plan_revision": _ids(PlanRevision, PlanRevision.plan_id.in_(plans)),
        "meeting": _ids(Meeting, Meeting.case_id == case.id),
        "meeting_participant": _ids(MeetingParticipant, MeetingParticipant.meeting_id.in_(network)),
        "agenda_item": _ids(AgendaItem, AgendaItem.case_id == case.id),
        "report_draft": _ids(ReportDraft, ReportDraft.case_id == case.id),
        "archive_print": _ids(ArchivePrint, ArchivePrint.case_id == case.id),
        "audit_event": _ids(AuditEvent, AuditEvent.case_id == case.id),
    }


def test_the_export_lists_every_tables_rows_for_the_child_and_nothing_of_another(make_case, make_user,
                                                                                   give_consent):
    case, holder, participant, _ = rich_case(make_case, make_user, give_consent, first_name="Emma", last_name="Berg")
    with current_app.test_request_context():
        case_for(participant, case.ref)  # a read, for "who has read it"
    db.session.add(ReportDraft(case_id=case.id, created_by_id=holder.id, text="Utkast om Emma."))
    db.session.commit()
    close(case, holder)
    print_archive(case, holder)
    twin, twin_holder, *_ = rich_case(make_case, make_user, give_consent, first_name="Emma", last_name="Berg",
                                      birth_date=date(2014, 9, 2))
    assert twin.child_id != case.child_id  # same name, another child
    expected = _expected(case)
    assert all(expected.values()), {k for k, v in expected.items() if not v}  # something in every table
    others = _expected(twin)

    child = db.session.get(Child, case.child_id)
    export = subject_access(child, holder, lang="nb")
    data = json.loads(export.json)
    assert data["subject"]["child"]["id"] == child.id
    assert {g["id"] for g in data["subject"]["guardian"]} == _ids(Guardian, Guardian.child_id == child.id)
    [exported] = data["cases"]
    for table, ids in expected.items():
        got = {row["id"] for row in exported["tables"][table]}
        if table == "audit_event":  # the export's own audit event is written after the rows were read
            assert ids - got == set() or got >= ids - {max(ids)}
        else:
            assert got == ids, table
        assert not got & others[table] or table == "meeting", table
    assert exported["deleted_on"] and [r["name"] for r in exported["read_by"]] == ["Deltaker Dahl"]
    assert {p["purpose"] for p in data["purposes"]} >= {"early_intervention", "sharing_between_services"}
    twin_guardians = _ids(Guardian, Guardian.child_id == twin.child_id)
    assert not {g["id"] for g in data["subject"]["guardian"]} & twin_guardians
    assert "Utkast om Emma." in pdf_text(export.pdf)
    actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.case_id == case.id)).all()
    assert actions[-1] == "case.export"
    assert "case.export" not in db.session.scalars(select(AuditEvent.action)
                                                   .where(AuditEvent.case_id == twin.id)).all()


def test_the_pdf_is_in_the_chosen_language(make_case, make_user, give_consent):
    case, holder, *_ = rich_case(make_case, make_user, give_consent)
    child = db.session.get(Child, case.child_id)
    nb, nn = (pdf_text(subject_access(child, holder, lang=lang).pdf) for lang in ("nb", "nn"))
    assert "Hvem som har lest saken" in nb and "Drøft undringen" in nb  # the guidebook's step, in bokmål
    assert "Who has read the case" in pdf_text(subject_access(child, holder, lang="en").pdf)
    assert "Kven som har lese saka" in nn and "Drøft undringa" in nn and "Drøft undringen" not in nn


def test_staff_with_access_download_pdf_and_json_and_others_get_404(client, login, make_case, make_user,
                                                                    give_consent):
    case, holder, participant, _ = rich_case(make_case, make_user, give_consent)
    login(participant)
    response = client.post(f"/saker/{case.ref}/innsyn-art15", data={"lang": "en"})
    assert response.status_code == 200 and response.mimetype == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(response.data)).namelist()
    assert names == [f"innsyn-{case.ref}-en.pdf", f"innsyn-{case.ref}.json"]
    login(make_user(service="ppt", name="Utenfor Saken"))
    assert client.post(f"/saker/{case.ref}/innsyn-art15", data={"lang": "en"}).status_code == 404
