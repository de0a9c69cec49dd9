"""The family's right of access (GDPR Art. 15): everything TIK holds about one child and the guardians, the
case history, who has read it, the purposes and legal bases, and the retention dates — as JSON and as a
readable PDF in the family's language. A staff member with access produces it today; the family's own page
(with the identity issue) calls `subject_access` the same way."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import render_template
from flask_babel import force_locale
from sqlalchemy import select

from tik.audit.models import AuditEvent
from tik.audit.service import READ_ACTIONS, record
from tik.auth.models import User
from tik.auth.policy import visible_cases
from tik.cases.models import Case, CaseEvent, EventKind
from tik.cases.reports import on_suspicion_path
from tik.clock import now, today
from tik.concerns.models import Child
from tik.db import unit_of_work
from tik.errors import DomainError
from tik.extensions import db
from tik.guidebook import current_guide, guide_of
from tik.letter_texts import SOURCE_LANGUAGE, Texts, is_rtl, language_name
from tik.lifecycle.models import ExportWithholding
from tik.lifecycle.record import case_rows, child_rows, people, plain
from tik.lifecycle.retention import due_on
from tik.plans.pdf import render_pdf
from tik.plans.printing import family_language, print_languages

# Why TIK holds the data, and on what basis (kept with the export so the family reads it beside the data).
PURPOSES = [
    {"purpose": "early_intervention",
     "legal_basis": "GDPR art. 6 nr. 1 e og art. 9 nr. 2 h; barnehageloven, opplæringslova, helse- og "
                    "omsorgstjenesteloven, barnevernsloven § 15-8 (samarbeid)"},
    {"purpose": "sharing_between_services",
     "legal_basis": "Samtykke fra foresatte (og ungdommen fra samtykkealder), forvaltningsloven § 13 a nr. 1"},
    {"purpose": "report_to_child_welfare",
     "legal_basis": "Opplysningsplikt, barnevernsloven § 13-2 (uten samtykke)"},
    {"purpose": "access_log",
     "legal_basis": "GDPR art. 32 (sikkerhet), pasientjournalloven/forskrift om informasjonssikkerhet"},
    {"purpose": "archive",
     "legal_basis": "Arkivlova §§ 6 og 9 (arkivplikt); GDPR art. 6 nr. 1 c"},
]


@dataclass(frozen=True)
class AccessExport:
    lang: str
    data: dict[str, Any]
    pdf: bytes

    @property
    def json(self) -> str:
        return json.dumps(self.data, ensure_ascii=False, indent=2)


@unit_of_work
def subject_access(child: Child, by: User | None, lang: str | None = None, cases: list[Case] | None = None
                   ) -> AccessExport:
    """The Art. 15 export for `child`: of the child's cases, those `by` may see (all of them when `cases` is
    given, e.g. by the family's own page). Audited on each case; the PDF in `lang` (default: the guardians')."""
    if cases is None:
        cases = list(db.session.scalars(select(Case).where(Case.child_id == child.id, visible_cases(by, today()))
                                        .order_by(Case.opened_at)))
    # A case on an open suspicion path is not in the family's export at all: not even a word that something was
    # withheld, which would tell the family before child welfare has assessed the report.
    cases = [case for case in cases if not on_suspicion_path(case)]
    data = export_data(child, cases)
    lang = lang if lang in print_languages() else (family_language(cases[0]) if cases else "nb")
    # The reads are listed first, then the export itself is audited (it is a read of the whole case too).
    for case in cases:
        record(by, "case.export", case, detail=f"art15:{lang}")
    pdf = render_pdf(access_html(child, cases, data, lang))
    return AccessExport(lang, data, pdf)


def export_data(child: Child, cases: list[Case]) -> dict[str, Any]:
    """The machine-readable export: the rows of every table about the child, per case, and the rest."""
    guide = current_guide()
    per_case = []
    for case in cases:
        rows, withheld = for_the_family(case, case_rows(case))
        users = people(rows)
        readers = [{"at": plain(a.at), "name": users[a.user_id].name if a.user_id in users else a.username,
                    "service": a.service_key, "action": a.action}
                   for a in db.session.scalars(select(AuditEvent).where(AuditEvent.case_id == case.id,
                                                                        AuditEvent.action.in_(READ_ACTIONS))
                                               .order_by(AuditEvent.id))
                   if not a.action.startswith(REPORT_ACTIONS)]
        retention = due_on(case.closed_at).isoformat() if case.closed_at else None
        per_case.append({"ref": case.ref, "tables": rows, "read_by": readers,
                         "people": {str(i): {"name": u.name, "service": u.service_key} for i, u in users.items()},
                         "deleted_on": retention, "legal_hold": case.legal_hold, "withheld": withheld})
    return {
        "format": "tik-art15/1",
        "generated_at": now().isoformat(timespec="seconds") + "Z",
        "subject": child_rows(child),
        "cases": per_case,
        "purposes": PURPOSES,
        "retention": {"delete_after_months_after_closing": guide.lifecycle.delete_after_months,
                      "archive": "Arkivutskrift til kommunens arkiv ved avslutning (arkivlova)"},
    }


# What the family's export never holds: the report to child welfare and its draft (tables), their audit trail,
# and the timeline's report, emergency and internal feedback entries (with the hard stops that led to them).
NEVER_TABLES = ("report_draft", "child_welfare_report")
NEVER_EVENTS = (EventKind.REPORT, EventKind.EMERGENCY, EventKind.FEEDBACK)
REPORT_ACTIONS = ("report.",)


def for_the_family(case: Case, rows: dict[str, list[dict[str, Any]]]
                   ) -> tuple[dict[str, list[dict[str, Any]]], list[dict[str, Any]]]:
    """The case's rows as the family's export holds them, and what the holder withheld: per legal ground, the
    ground's key, its law and how many entries (never which). Leaves out NEVER_TABLES, NEVER_EVENTS and every
    hard stop's entry, whatever was withheld."""
    guide = guide_of(case)
    hard = {d.key for d in guide.hard_stops} | {d.key for s in guide.steps.values() for d in s.decisions
                                                 if d.end in ("child_welfare_report", "emergency")}
    withheld = {w.event_id: w.ground for w in db.session.scalars(
        select(ExportWithholding).where(ExportWithholding.case_id == case.id))}
    kept = {table: list(found) for table, found in rows.items() if table not in NEVER_TABLES}
    never = {e.value for e in NEVER_EVENTS}
    kept["case_event"] = [e for e in rows["case_event"] if e["kind"] not in never and e["decision"] not in hard
                          and e["id"] not in withheld]
    kept["audit_event"] = [a for a in rows["audit_event"] if not str(a["action"]).startswith(REPORT_ACTIONS)]
    counts: dict[str, int] = {}
    for event in rows["case_event"]:
        if event["id"] in withheld and event["kind"] not in never and event["decision"] not in hard:
            counts[withheld[event["id"]]] = counts.get(withheld[event["id"]], 0) + 1
    grounds = {g.key: g for g in guide.withholding_grounds}
    return kept, [{"ground": key, "law": grounds[key].law if key in grounds else "", "entries": n}
                  for key, n in counts.items()]


class WithholdError(DomainError):
    """An entry cannot be withheld from the export; `code` says why."""


@unit_of_work
def withhold_from_export(case: Case, event: CaseEvent, by: User, ground: str, reason: str) -> ExportWithholding:
    """The holder withholds a timeline entry from the family's export, with a reason and a legal ground from the
    guidebook (sharing.yaml). Raises WithholdError: not_holder, unknown_ground, reason_required, not_in_case."""
    if case.coordinator_id != by.id:
        raise WithholdError("not_holder")
    if event.case_id != case.id:
        raise WithholdError("not_in_case")
    if ground not in {g.key for g in guide_of(case).withholding_grounds}:
        raise WithholdError("unknown_ground")
    if not reason.strip():
        raise WithholdError("reason_required")
    existing = db.session.scalar(select(ExportWithholding).where(ExportWithholding.event_id == event.id))
    held = existing or ExportWithholding(case_id=case.id, event_id=event.id)
    held.ground, held.reason, held.by_id, held.at = ground, reason.strip(), by.id, now()
    db.session.add(held)
    record(by, "export.withhold", case, detail=f"event:{event.id} ground:{ground}")
    return held


def access_html(child: Child, cases: list[Case], data: dict[str, Any], lang: str,
                texts: Texts | None = None) -> str:
    """The readable export: fixed texts in `lang` from the letter catalogues (any language TIK prints a letter
    in), dates as the family reads them; what staff wrote as written (Norwegian)."""
    t = texts or Texts(lang)

    def day(value: str | None) -> str:
        """An ISO date or time from the data as a date in the family's language ("–" when there is none)."""
        return t.date(date.fromisoformat(value[:10])) if value else "–"

    with force_locale(SOURCE_LANGUAGE):  # the texts come from t(), never from the interface's catalogue
        return render_template("lifecycle/access_export.html", child=child, cases=cases, data=data, L=lang, t=t,
                               rtl=is_rtl(lang), translated=lang not in ("nb", "nn"), day=day,
                               language_name=language_name, guides={c.ref: guide_of(c) for c in cases},
                               today=today())
