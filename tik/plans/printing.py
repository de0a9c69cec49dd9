"""Printing the plan: the staff version and the family version, in the family's language."""

from __future__ import annotations

from flask import render_template
from flask_babel import force_locale

from tik.auth.models import User
from tik.cases.models import Case
from tik.cases.service import guide_of, timeline
from tik.clock import today
from tik.extensions import db
from tik.plans import service
from tik.plans.pdf import render_pdf

PRINT_LANGUAGES = ("nb", "nn", "en")


def family_language(case: Case) -> str:
    """The first guardian's language when TIK can print in it, else bokmål."""
    for guardian in case.child.guardians:
        if guardian.language in PRINT_LANGUAGES:
            return guardian.language
    return "nb"


def plan_html(case: Case, family: bool, lang: str) -> str:
    """The plan as print HTML. The family version leaves internal notes, drafts and the log out."""
    guide = guide_of(case)
    plan = service.plan_of(case)
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

    Printing the family version shares the plan: that revision is frozen and stays readable.
    """
    lang = lang if lang in PRINT_LANGUAGES else (family_language(case) if family else "nb")
    plan = service.ensure_plan(case)
    if family:
        service.mark_shared(plan, by)
    data = render_pdf(plan_html(case, family, lang))
    db.session.commit()
    kind = "familie" if family else "tjeneste"
    return f"{case.ref}-plan-{kind}-rev{plan.revision}.pdf", data
