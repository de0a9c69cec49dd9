"""Printing the plan: the staff version and the family version, in the family's language."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from types import SimpleNamespace

from flask import render_template
from flask_babel import force_locale

from tik.audit.service import record
from tik.auth.models import User
from tik.cases.models import Case
from tik.cases.service import guide_of, timeline
from tik.clock import today
from tik.extensions import db
from tik.plans import service
from tik.plans.models import MeasureStatus, Plan
from tik.plans.pdf import render_pdf

TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"


def print_languages() -> set[str]:
    """Bokmål and every language with a catalogue: adding tik/translations/<lang>/ adds a print language."""
    return {"nb"} | {p.parent.parent.name for p in TRANSLATIONS.glob("*/LC_MESSAGES/messages.po")}


def family_language(case: Case) -> str:
    """The first guardian's language when TIK can print in it, else bokmål."""
    available = print_languages()
    for guardian in case.child.guardians:
        if guardian.language in available:
            return guardian.language
    return "nb"


def plan_html(case: Case, family: bool, lang: str, plan=None) -> str:
    """The plan as print HTML. The family version leaves internal notes, drafts and the log out.

    `plan` may be a frozen revision (see revision_view); by default the live plan is printed.
    """
    guide = guide_of(case)
    plan = plan or service.plan_of(case)
    measures = list(plan.measures) if plan else []
    evaluations = sorted(m.evaluate_on for m in measures if m.evaluate_on >= today())
    signers_services = list(dict.fromkeys(m.service_key for m in measures))
    young_signs = case.child.age_on(today()) >= guide.consent_age
    with force_locale(lang):
        return render_template(
            "pdf/plan.html", case=case, child=case.child, plan=plan, measures=measures, guide=guide, L=lang,
            family=family, events=[] if family else timeline(case, limit=8), today=today(),
            next_evaluation=evaluations[0] if evaluations else None, signer_services=signers_services,
            young_signs=young_signs, holder=case.coordinator,
        )


def plan_pdf(case: Case, by: User, family: bool, lang: str | None = None) -> tuple[str, bytes]:
    """(file name, PDF bytes). The file name carries the reference, never the child's name.

    Printing changes nothing (a plan not yet written prints empty; sharing with the family, which freezes
    the revision, is its own act: service.share_with_family). The print is audited: which version, which
    language, which revision.
    """
    lang = lang if lang in print_languages() else (family_language(case) if family else "nb")
    plan = service.plan_of(case) or Plan(case_id=case.id, goals="", child_voice="", parents_voice="",
                                         internal_notes="", individual_plan=False, child_coordinator="",
                                         revision=1, shared=False)
    data = render_pdf(plan_html(case, family, lang, plan=plan))
    kind = "familie" if family else "tjeneste"
    record(by, "plan.print", case, detail=f"{'family' if family else 'staff'} {lang} rev {plan.revision}")
    db.session.commit()
    return f"{case.ref}-plan-{kind}-rev{plan.revision}.pdf", data


def revision_view(snapshot: dict) -> SimpleNamespace:
    """A frozen revision shaped like a Plan, so the same print template prints it."""
    measures = [SimpleNamespace(**{**m, "start_on": date.fromisoformat(m["start_on"]),
                                   "evaluate_on": date.fromisoformat(m["evaluate_on"]),
                                   "status": MeasureStatus(m["status"])}) for m in snapshot["measures"]]
    return SimpleNamespace(goals=snapshot["goals"], child_voice=snapshot["child_voice"],
                           parents_voice=snapshot["parents_voice"], internal_notes="",
                           revision=snapshot["revision"], measures=measures,
                           individual_plan=snapshot.get("individual_plan", False),
                           child_coordinator=snapshot.get("child_coordinator", ""))


def revision_pdf_bytes(case: Case, by: User, number: int, family: bool = False) -> tuple[str, bytes | None]:
    """(file name, PDF) of revision `number` as it was; (name, None) if there is no such revision."""
    plan = service.plan_of(case)
    snap = service.revision_snapshot(plan, number) if plan else None
    name = f"{case.ref}-plan-{'familie' if family else 'tjeneste'}-rev{number}.pdf"
    if snap is None:
        return name, None
    lang = family_language(case) if family else "nb"
    data = render_pdf(plan_html(case, family, lang, plan=revision_view(snap)))
    record(by, "plan.print", case, detail=f"{'family' if family else 'staff'} {lang} rev {number}")
    db.session.commit()
    return name, data
