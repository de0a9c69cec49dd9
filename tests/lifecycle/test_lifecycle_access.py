"""The family's right of access (GDPR Art. 15): every table's rows about the child, and nothing of another child
with the same name; a readable PDF in the family's language beside the JSON; audited."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import date

from flask import current_app
from lifecycle_support import close, rich_case
from pdfcheck import body_text, ink_in_side_margins, outside_margins, page_numbers_present, plain_text, squeeze, tags
from sqlalchemy import select
from support import pdf_text

from devkit import demo
from tik.audit.models import AuditEvent
from tik.auth.policy import case_for
from tik.cases.models import Case, CaseEvent, CaseParticipant, ChildWelfareReport, Consent, ConsentService, Handover
from tik.concerns.models import Child, Concern, Guardian, ReportDraft
from tik.extensions import db
from tik.letter_texts import Texts, letter_languages
from tik.lifecycle.access import access_html, export_data, subject_access
from tik.lifecycle.archive import print_archive
from tik.lifecycle.models import ArchivePrint
from tik.meetings.models import AgendaItem, Meeting
from tik.meetings.models import Participant as MeetingParticipant
from tik.plans import service as plans
from tik.plans.models import Evaluation, Measure, Plan, PlanRevision

LONG_WORD = "Skolehelsetjenesteoppfølgingssamtalekoordineringsansvarlig60"  # 60 characters
# The export's headings, in bokmål (the catalogues' message ids) and as a Polish reader reads them.
POLISH = {"Barnet": "Dziecko", "Foresatte": "Opiekunowie prawni",
          "Hva som har skjedd i saken": "Co wydarzyło się w sprawie",
          "Hvem som har lest saken": "Kto czytał sprawę", "Samtykker": "Zgody", "Plan og tiltak": "Plan i działania",
          "Rettighetene deres": "Państwa prawa", "Når opplysningene slettes": "Kiedy informacje zostaną usunięte"}


def _letters(text: str) -> str:
    return "".join(ch for ch in text if ch.isalnum())


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
        "child_welfare_report": _ids(ChildWelfareReport, ChildWelfareReport.case_id == case.id),
        "archive_print": _ids(ArchivePrint, ArchivePrint.case_id == case.id),
        "audit_event": _ids(AuditEvent, AuditEvent.case_id == case.id),
    }


def test_the_export_lists_every_tables_rows_for_the_child_and_nothing_of_another(make_case, make_user,
                                                                                   give_consent):
    case, holder, participant, _ = rich_case(make_case, make_user, give_consent, first_name="Emma", last_name="Berg")
    with current_app.test_request_context():
        case_for(participant, case.ref)  # a read, for "who has read it"
    db.session.add(ReportDraft(case_id=case.id, created_by_id=holder.id, text="Utkast om Emma."))
    db.session.add(ChildWelfareReport(case_id=case.id, created_by_id=holder.id, text="Melding om Emma."))
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
    # The report to child welfare and its draft are never in the family's export (issue 25).
    assert "report_draft" not in exported["tables"] and "child_welfare_report" not in exported["tables"]
    for table, ids in expected.items():
        if table in ("report_draft", "child_welfare_report"):
            continue
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
    assert "Utkast om Emma." not in pdf_text(export.pdf) and "Melding om Emma." not in export.json
    actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.case_id == case.id)
                                 .order_by(AuditEvent.id)).all()
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


def test_every_fixed_text_of_the_export_is_in_every_letter_language(make_case, make_user, give_consent):
    case, holder, *_ = rich_case(make_case, make_user, give_consent)
    close(case, holder)
    child = db.session.get(Child, case.child_id)
    data = export_data(child, [case])
    assert set(letter_languages()) >= {"nb", "nn", "en", "pl", "lt", "uk", "ar", "so", "ti"}
    for lang in letter_languages():
        texts = Texts(lang)
        html = access_html(child, [case], data, lang, texts=texts)
        assert texts.missing == set(), f"untranslated in {lang}: {sorted(texts.missing)[:3]}"
        assert f'<html lang="{lang}" dir="{"rtl" if lang == "ar" else "ltr"}">' in html
        assert str(texts("Hvem som har lest saken")) in html


def test_the_polish_export_reads_in_polish_holds_the_childs_data_and_stays_inside_the_page(make_case, make_user,
                                                                                        give_consent):
    case, holder, *_ = rich_case(make_case, make_user, give_consent, first_name="Emil", last_name="Johansen")
    long = " ".join([LONG_WORD] + ["Emil er sliten om mandagene og trenger en fast voksen om morgenen."] * 60)
    plans.update_plan(case, holder, goals=long, child_voice="", parents_voice="")  # a report's text never prints
    child = db.session.get(Child, case.child_id)
    export = subject_access(child, holder, lang="pl")
    assert export.lang == "pl"
    text = plain_text(export.pdf)
    for bokmal, polish in POLISH.items():
        assert _letters(str(Texts("pl")(bokmal))) == _letters(polish)
        assert _letters(polish) in _letters(text), polish
        assert f"\n{bokmal}\n" not in f"\n{text}"  # no heading left in bokmål (the guidebook's labels are)
    # The child's data, as the JSON beside it holds it: names, the case, what was written, dates in Polish.
    data = json.loads(export.json)
    subject = data["subject"]["child"]
    assert f"{subject['first_name']} {subject['last_name']}" in text
    assert all(g["name"] in text for g in data["subject"]["guardian"])
    [exported] = data["cases"]
    assert exported["ref"] in text
    assert _letters(exported["tables"]["concern"][0]["observation"]) in _letters(text)
    assert Texts("pl").date(child.birth_date) in text  # "14 marca 2016"
    assert all(r["name"] in text for r in exported["read_by"])
    assert tags(export.pdf)["lang"] == "pl"
    # Laid out inside the page, however long what staff wrote: by the words' boxes and by the pixels.
    assert outside_margins(export.pdf) == [] and page_numbers_present(export.pdf)
    assert squeeze(long) in body_text(export.pdf)
    assert ink_in_side_margins(export.pdf) == []


def test_the_json_beside_the_pdf_is_the_same_in_every_language(make_case, make_user, give_consent):
    case, holder, *_ = rich_case(make_case, make_user, give_consent)
    child = db.session.get(Child, case.child_id)
    first, second = (json.loads(subject_access(child, holder, lang=lang).json) for lang in ("nb", "pl"))

    def without_the_exports_own_trace(data):
        for c in data["cases"]:
            c["tables"]["audit_event"] = [r for r in c["tables"]["audit_event"] if r["action"] != "case.export"]
            c["read_by"] = [r for r in c["read_by"] if r["action"] != "case.export"]
        return data | {"generated_at": None}

    assert without_the_exports_own_trace(first) == without_the_exports_own_trace(second)
    assert first["subject"]["child"]["first_name"] == child.first_name


def test_the_export_for_emil_in_the_demo_opens_in_polish_with_the_json_beside(app, client):
    assert demo.load() is True
    emil = db.session.scalar(select(Case).join(Child, Child.id == Case.child_id).where(Child.first_name == "Emil"))
    db.session.commit()
    assert client.post("/login", data={"username": emil.coordinator.username,
                                       "password": demo.DEMO_PASSWORD}).status_code == 302
    page = client.get(f"/saker/{emil.ref}").get_data(as_text=True)
    assert '<option value="pl" lang="pl" >Polski</option>' in page
    response = client.post(f"/saker/{emil.ref}/innsyn-art15", data={"lang": "pl"})
    assert response.status_code == 200
    with zipfile.ZipFile(io.BytesIO(response.data)) as package:
        assert package.namelist() == [f"innsyn-{emil.ref}-pl.pdf", f"innsyn-{emil.ref}.json"]
        pdf, data = package.read(f"innsyn-{emil.ref}-pl.pdf"), json.loads(package.read(f"innsyn-{emil.ref}.json"))
    text = plain_text(pdf)
    assert "Wgląd: informacje o dziecku (Emil Johansen)" in " ".join(text.split())
    assert "Kto czytał sprawę" in text and "Lene Johansen" in text
    assert data["subject"]["child"]["first_name"] == "Emil" and data["cases"][0]["ref"] == emil.ref
