"""The archive print: the whole of a rich demo case, as PDF/A, with metadata that validates against the
schema in the repository, in a zip; printing is audited and on the timeline."""

from __future__ import annotations

import io
import json
import zipfile
from collections import Counter
from datetime import timedelta

import jsonschema
import pytest
from lifecycle_support import close, rich_case
from pypdf import PdfReader
from sqlalchemy import select
from support import pdf_text

from devkit import demo
from tik import clock
from tik.audit.models import AuditEvent
from tik.audit.service import verify
from tik.auth.models import User
from tik.cases.models import Case, CaseEvent, Consent, EventKind, Handover
from tik.cases.steps import decide
from tik.concerns.models import Child, Concern
from tik.extensions import db
from tik.guidebook import guide_of
from tik.lifecycle.archive import SCHEMA, print_archive
from tik.lifecycle.service import LifeError
from tik.meetings import service as meetings
from tik.meetings.models import AgendaItem, Meeting
from tik.plans import service as plans
from tik.plans.models import Evaluation, GoalReached, Measure, NextAction, Plan, PlanRevision
from tik.timeline import service

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
PDFAID = "http://www.aiim.org/pdfa/ns/id/"
KIND_LABEL = {"concern": "Bekymring", "step": "Steg", "decision": "Beslutning", "conversation": "Samtale",
              "level": "Nivåendring", "consent": "Samtykke", "plan": "Plan", "handover": "Stafettoverlevering",
              "participant": "Deltaker", "report": "Melding til barnevernet", "emergency": "Akutt fare",
              "closed": "Avsluttet", "reopened": "Gjenåpnet", "archived": "Arkivutskrift",
              "restricted": "Begrenset behandling", "legal_hold": "Rettslig bevaring"}


def _flat(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture
def emil(app):
    """The demo's level-3 case (the richest: every level, consents, plan revisions, evaluations, meetings,
    a handover), reported to child welfare through the hard stop (the case stays open), then closed when the
    family ends the cooperation."""
    assert demo.load() is True
    case = db.session.scalar(select(Case).join(Child).where(Child.first_name == "Emil"))
    measure = db.session.scalar(select(Measure).join(Plan).where(Plan.case_id == case.id).limit(1))
    plans.evaluate_measure(case, measure, case.coordinator, plans.EvaluationInput(  # the demo has none yet
        evaluated_on=clock.today(), goal_reached=GoalReached.PARTLY, child_experience="«Litt bedre på mandager.»",
        next_action=NextAction.CONTINUE, parents_said="«Roligere hjemme.»",
        next_evaluate_on=clock.today() + timedelta(days=30)))
    team_meeting = db.session.scalar(select(Meeting).where(Meeting.title == "TIK-team – ukemøte"))
    item = meetings.add_item(team_meeting, case.coordinator, case_ref=case.ref)
    meetings.save_minutes(item, case.coordinator, discussion="Emil har det bedre på skolen.", advice="Fortsett.",
                          decisions="Ansvarsgruppen fortsetter; ny evaluering om en måned.")
    decide(case, "report_child_welfare", {}, by=case.coordinator)  # the case waits for child welfare's answer
    decide(case, "go_on", {"cw_answer": "no_action", "family_may_be_told": "yes",
                           "family_told_from": clock.today().isoformat()}, by=case.coordinator)
    decide(case, "family_ends", {}, by=case.coordinator)
    decide(case, "close", {"family_reason": "Foreldrene vil ikke mer.", "family_informed": "yes"},
           by=case.coordinator)
    closed = db.session.get(Case, case.id)
    assert not closed.is_open
    return closed


def test_the_archive_print_holds_every_event_and_row_of_a_rich_demo_case(emil):
    holder = emil.coordinator
    guide = guide_of(emil)
    events = list(db.session.scalars(select(CaseEvent).where(CaseEvent.case_id == emil.id)
                                     .order_by(CaseEvent.at, CaseEvent.id)))
    package = print_archive(emil, holder)
    text = pdf_text(package.pdf)
    kinds = Counter(e.kind.value for e in events)
    assert len(kinds) >= 8, kinds  # a rich case: many kinds of event
    assert f"Stafettlogg: alle hendelser ({len(events)})" in text
    for n, event in enumerate(events, start=1):
        assert f"Hendelse {n} · {KIND_LABEL[event.kind.value]}" in text, (n, event.kind)
        step = guide.steps.get(event.step_id)
        for key, value in event.data.get("fields", {}).items():
            kind = step.field(key).kind if step and step.field(key) else "text"
            if kind == "services":
                assert all(guide.services[k].name.get("nb") in text for k in value.split(",")), value
            elif kind == "choice":
                assert f"[{value}]" in text, value
            else:
                assert _flat(value)[:40] in text, value
    for model, heading in ((Concern, "Bekymringer"), (Consent, "Samtykker og tilbaketrekninger"),
                           (Measure, "Tiltak"), (Evaluation, "Evalueringer"), (PlanRevision, "Alle planrevisjoner"),
                           (Handover, "Stafettoverleveringer")):
        column = model.plan_id if model in (Measure, PlanRevision) else (
            model.measure_id if model is Evaluation else model.case_id)
        scope = {Measure: select(Plan.id).where(Plan.case_id == emil.id),
                 PlanRevision: select(Plan.id).where(Plan.case_id == emil.id),
                 Evaluation: select(Measure.id).join(Plan).where(Plan.case_id == emil.id)}.get(model)
        count = len(db.session.scalars(select(model).where(column.in_(scope) if scope is not None
                                                           else column == emil.id)).all())
        assert count > 0, model
        assert f"{heading} ({count})" in text, heading
    for consent in emil.consents:
        assert _flat(consent.purpose)[:40] in text
        if consent.withdrawn_at:
            assert "Trukket tilbake" in text
    decisions = [i.decisions for i in db.session.scalars(select(AgendaItem).where(AgendaItem.case_id == emil.id))
                 if i.decisions]
    assert decisions and all(_flat(d)[:40] in text for d in decisions)
    audit_rows = db.session.scalars(select(AuditEvent).where(AuditEvent.case_id == emil.id)).all()
    assert f"Tilgangslogg ({len(audit_rows) - 1})" in text  # all but the print's own event, written after
    assert "Lene Johansen" in text and "Taushetsbelagt, offl. § 13 jf. fvl. § 13" in text


def test_the_archive_print_is_pdf_a_and_its_metadata_validates_against_the_schema(make_case, make_user,
                                                                                    give_consent):
    case, holder, *_ = rich_case(make_case, make_user, give_consent)
    close(case, holder)
    package = print_archive(case, holder)
    reader = PdfReader(io.BytesIO(package.pdf))
    xmp = reader.xmp_metadata
    assert xmp is not None
    identification = next(d for d in xmp.rdf_root.getElementsByTagNameNS(RDF, "Description")
                          if d.hasAttributeNS(PDFAID, "part"))
    assert identification.getAttributeNS(PDFAID, "part") == "2"  # PDF/A-2b, per the XMP identification schema
    assert identification.getAttributeNS(PDFAID, "conformance") == "B"
    intents = reader.trailer["/Root"]["/OutputIntents"]
    assert [i.get_object()["/S"] for i in intents] == ["/GTS_PDFA1"]  # the output intent PDF/A requires

    with zipfile.ZipFile(io.BytesIO(package.data)) as z:
        names = set(z.namelist())
        assert names == {f"{case.ref}.pdf", f"{case.ref}-metadata.json", f"{case.ref}-metadata.xml", SCHEMA.name}
        metadata = json.loads(z.read(f"{case.ref}-metadata.json"))
        assert z.read(f"{case.ref}.pdf") == package.pdf
        xml_text = z.read(f"{case.ref}-metadata.xml").decode()
    schema = json.loads(SCHEMA.read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(metadata, schema, format_checker=jsonschema.FormatChecker())
    assert metadata["mappeID"] == case.ref and metadata["klassifikasjon"] == "Taushetsbelagt, offl. § 13 jf. fvl. § 13"
    import hashlib

    assert metadata["dokumentbeskrivelse"]["dokumentobjekt"]["sjekksum"] == hashlib.sha256(package.pdf).hexdigest()
    assert f"<mappeID>{case.ref}</mappeID>" in xml_text and "<skjermingshjemmel>" in xml_text
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({**metadata, "klassifikasjon": "Åpen"}, schema)


def test_printing_is_audited_and_on_the_timeline_and_only_for_a_closed_case(make_case, make_user, give_consent):
    case, holder, participant, _ = rich_case(make_case, make_user, give_consent)
    with pytest.raises(LifeError, match="not_closed"):
        print_archive(case, holder)
    close(case, holder)
    with pytest.raises(LifeError, match="not_allowed"):
        print_archive(case, participant)
    print_archive(case, holder)
    assert service.timeline(case)[0].kind == EventKind.ARCHIVED
    assert db.session.scalar(select(AuditEvent.action).order_by(AuditEvent.id.desc()).limit(1)) == "case.archive_print"
    assert verify() == []


def test_the_archive_zip_downloads_from_the_case_page(client, login, make_case, make_user, give_consent):
    case, holder, *_ = rich_case(make_case, make_user, give_consent)
    close(case, holder)
    login(holder)
    assert "Lag arkivutskrift" in client.get(f"/saker/{case.ref}").get_data(as_text=True)
    response = client.post(f"/saker/{case.ref}/arkivutskrift")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    assert zipfile.ZipFile(io.BytesIO(response.data)).namelist()[0] == f"{case.ref}.pdf"
    login(db.session.scalar(select(User).where(User.name == "Deltaker Dahl")))
    assert client.post(f"/saker/{case.ref}/arkivutskrift").status_code == 404
