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
from tik.cases.models import Case
from tik.clock import now, today
from tik.concerns.models import Child
from tik.db import unit_of_work
from tik.extensions import db
from tik.guidebook import current_guide, guide_of
from tik.letter_texts import SOURCE_LANGUAGE, Texts, is_rtl, language_name
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
        rows = case_rows(case)
        users = people(rows)
        readers = [{"at": plain(a.at), "name": users[a.user_id].name if a.user_id in users else a.username,
                    "service": a.service_key, "action": a.action}
                   for a in db.session.scalars(select(AuditEvent).where(AuditEvent.case_id == case.id,
                                                                        AuditEvent.action.in_(READ_ACTIONS))
                                               .order_by(AuditEvent.id))]
        retention = due_on(case.closed_at).isoformat() if case.closed_at else None
        per_case.append({"ref": case.ref, "tables": rows, "read_by": readers,
                         "people": {str(i): {"name": u.name, "service": u.service_key} for i, u in users.items()},
                         "deleted_on": retention, "legal_hold": case.legal_hold})
    return {
        "format": "tik-art15/1",
        "generated_at": now().isoformat(timespec="seconds") + "Z",
        "subject": child_rows(child),
        "cases": per_case,
        "purposes": PURPOSES,
        "retention": {"delete_after_months_after_closing": guide.lifecycle.delete_after_months,
                      "archive": "Arkivutskrift til kommunens arkiv ved avslutning (arkivlova)"},
    }


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
