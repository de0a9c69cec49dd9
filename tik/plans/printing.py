"""Printing: the plan for the services, the family letter, the consent form, and earlier revisions."""

from __future__ import annotations

from datetime import date, datetime
from types import SimpleNamespace

from flask import render_template
from flask_babel import force_locale

from tik.audit.service import record
from tik.auth.models import User
from tik.auth.policy import Sight, sight, visible_events
from tik.cases.models import Case, EventKind
from tik.clock import today
from tik.config import LANGUAGES  # the interface's languages: the staff version prints in these
from tik.db import unit_of_work
from tik.guidebook import guide_of
from tik.letter_texts import letter_languages
from tik.plans import service
from tik.plans.known import on_plan
from tik.plans.letter import (
    consent_html,
    family_language,
    letter_html,
    next_meeting,
    of_consent_age,
    printable,
    printed_voices,
)
from tik.plans.models import MeasureStatus, Plan
from tik.plans.pdf import render_pdf
from tik.timeline.loading import case_events
from tik.timeline.maturity import adult_consents_alone

RECENT_LOG = 8

__all__ = ["family_language", "print_languages"]


def print_languages() -> tuple[str, ...]:
    """The languages a family letter can be printed in: bokmål and every letter catalogue."""
    return letter_languages()


def staff_html(case: Case, lang: str, plan=None, full_log: bool = False, seen: Sight | None = None) -> str:
    """The plan for the services as print HTML, with the latest log entries (all of them for the archive).
    `seen`: what the person printing sees (tik.auth.policy.Sight); None prints everything (the archive)."""
    guide = guide_of(case)
    plan = plan or service.plan_of(case)
    seen = seen or Sight(None, True)
    measures = list(plan.measures) if plan and seen.sees("plan") else []
    evaluations = sorted(m.evaluate_on for m in measures if m.evaluate_on >= today())
    # The latest entries (all for the archive) and every conversation's words: one statement, the case page's.
    events = case_events(case, None if full_log else RECENT_LOG, until=getattr(plan, "frozen_at", None))
    voices = {who: [v for v in said if seen.sees(f"{who}_voice")]
              for who, said in printed_voices(case, plan, events.voices).items()}
    log = events.timeline
    with force_locale(lang):
        return render_template(
            "pdf/plan.html", case=case, child=case.child, plan=plan, measures=measures, guide=guide, L=lang,
            # The leader's feedback to the reporter is theirs and the holder's: never in a print for the services.
            timeline=[e for e in visible_events(case, log, seen) if e.kind != EventKind.FEEDBACK], sight=seen,
            full_log=full_log, today=today(), meeting=next_meeting(case),
            next_evaluation=evaluations[0] if evaluations else None,
            signer_services=list(dict.fromkeys(m.service_key for m in measures)),
            young_signs=of_consent_age(case, guide), holder=case.coordinator, voices=voices,
            guardians_sign=not adult_consents_alone(case, today()),
            statements=on_plan(case, seen, lang, until=getattr(plan, "frozen_at", None)),
        )


def plan_html(case: Case, family: bool, lang: str, plan=None) -> str:
    """The print HTML of the live plan (or a frozen revision): the family letter or the staff version."""
    plan = plan or service.plan_of(case)
    if family:
        return letter_html(case, plan, printable(lang))
    return staff_html(case, lang if lang in LANGUAGES else staff_language(), plan)


def staff_language() -> str:
    """The language of a print for the services when none is asked: the interface's (the person printing), else
    the municipality's (a command, an archive print): Swedish in a Swedish municipality."""
    from flask import has_request_context
    from flask_babel import get_locale

    from tik.auth.service import interface_language_of_guide

    locale = str(get_locale() or "") if has_request_context() else ""
    return locale if locale in LANGUAGES else interface_language_of_guide()


@unit_of_work
def plan_pdf(case: Case, by: User, family: bool, lang: str | None = None, young: bool = False,
             child_page: bool = False, full_log: bool = False,
             services: set[str] | None = None) -> tuple[str, bytes]:
    """(file name, PDF bytes). The file name carries the reference and language, never the child's name.
    `services` limits the family letter's measures to those services (the young person's reach on "Min
    familie"); staff prints pass none and print every measure.

    Printing changes nothing (a plan not yet written prints empty; sharing with the family, which freezes
    the revision, is its own act: service.share_with_family). The print is audited: which version, which
    language, which revision.
    """
    plan = service.plan_of(case) or Plan(case_id=case.id, goals="", child_voice="", parents_voice="",
                                         internal_notes="", individual_plan=False, child_coordinator="",
                                         revision=1, shared=False)
    if family:
        case.refuse_if_waiting()  # the family's prints: never while the case waits for child welfare
        lang = printable(lang or family_language(case))
        html = letter_html(case, plan, lang, young=young, child_page=child_page, services=services,
                           seen=sight(by, case, today()) if isinstance(by, User) else None)
        name = f"{case.ref}-plan-familie-{lang}-rev{plan.revision}.pdf"
    else:
        lang = lang if lang in LANGUAGES else staff_language()
        html = staff_html(case, lang, plan, full_log=full_log, seen=sight(by, case, today()))
        name = f"{case.ref}-plan-tjeneste{'-logg' if full_log else ''}-rev{plan.revision}.pdf"
    data = render_pdf(html)
    record(by, "plan.print", case, detail=f"{'family' if family else 'staff'} {lang} rev {plan.revision}")
    return name, data


def consent_form_pdf(case: Case, consent_id: int | None, lang: str | None) -> tuple[str, bytes | None]:
    """(file name, PDF) of the consent form in `lang`: filled from the case's consent `consent_id`, or blank.
    (name, None) when the case has no such consent. The route audits the print (consent.pdf)."""
    case.refuse_if_waiting()
    consent = None
    if consent_id is not None:
        consent = next((c for c in case.consents if c.id == consent_id), None)
        if consent is None:
            return "", None
    lang = printable(lang or family_language(case))
    data = render_pdf(consent_html(case, consent, lang))
    return f"{case.ref}-samtykke-{lang}{f'-{consent.id}' if consent else ''}.pdf", data


def revision_view(snapshot: dict) -> SimpleNamespace:
    """A frozen revision shaped like a Plan, so the same print templates print it."""
    measures = [SimpleNamespace(**{**m, "start_on": date.fromisoformat(m["start_on"]),
                                   "evaluate_on": date.fromisoformat(m["evaluate_on"]),
                                   "status": MeasureStatus(m["status"])}) for m in snapshot["measures"]]
    frozen_at = snapshot.get("frozen_at")
    return SimpleNamespace(frozen_at=datetime.fromisoformat(frozen_at) if frozen_at else None,
                           goals=snapshot["goals"], child_voice=snapshot["child_voice"],
                           parents_voice=snapshot["parents_voice"], internal_notes="",
                           revision=snapshot["revision"], measures=measures,
                           individual_plan=snapshot.get("individual_plan", False),
                           child_coordinator=snapshot.get("child_coordinator", ""))


@unit_of_work
def revision_pdf_bytes(case: Case, by: User, number: int, family: bool = False,
                       lang: str | None = None) -> tuple[str, bytes | None]:
    """(file name, PDF) of revision `number` as it was; (name, None) if there is no such revision."""
    plan = service.plan_of(case)
    snap = service.revision_snapshot(plan, number) if plan else None
    name = f"{case.ref}-plan-{'familie' if family else 'tjeneste'}-rev{number}.pdf"
    if snap is None:
        return name, None
    frozen = revision_view(snap)
    if family:
        lang = printable(lang or family_language(case))
        html = letter_html(case, frozen, lang, seen=sight(by, case, today()))
    else:
        lang = "nb"
        html = staff_html(case, lang, frozen, seen=sight(by, case, today()))
    data = render_pdf(html)
    record(by, "plan.print", case, detail=f"{'family' if family else 'staff'} {lang} rev {number}")
    return name, data
