"""The case page as plain values: `case_page(case, user, on)` loads everything the page shows, once, in a
handful of statements, and the template reads only what it returns.

A form the user sent and the page refused comes back through a `FormState` (which form, what was typed, its
errors); a form that is closed on the case page (consent, handover, invite, the child's and the guardians'
details) is a page of its own: `form_page(case, user, on, name)` loads what that page shows.

Parts that features above `cases` contribute (the case's life, from tik.lifecycle) are loaded through
`PANELS`, which those features fill when they are imported: the layers forbid this module importing them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from tik.auth.models import User
from tik.auth.policy import (
    Abilities,
    Sight,
    abilities,
    allowed_services,
    can_manage_participants,
    can_see_report,
    consented_services,
    sight,
    visible_events,
)
from tik.cases import carry, steps
from tik.cases.consent import CONSENT_LASTS, CONSENT_WARNING
from tik.cases.leader_feedback import feedback_reporters, may_read_feedback
from tik.cases.models import Case, Consent, Handover
from tik.cases.participants import invitable_people
from tik.cases.queries import active_participants, pending_handovers
from tik.cases.reports import reports_of
from tik.cases.steps import current_step
from tik.concerns.models import Concern, Guardian, ReportDraft
from tik.extensions import db, interface_language
from tik.forms import LANGUAGE_CHOICES
from tik.guidebook import guide_of
from tik.guides.engine import StepView
from tik.plans.service import plan_of
from tik.timeline.loading import case_events, consents_of
from tik.timeline.maturity import consents_themself, maturity_of

TIMELINE_ON_PAGE = 20  # the latest events; the whole log is one click away (and in the archive print)
CONSENT_WARNING_DAYS = CONSENT_WARNING.days  # a consent that ends within this many days is flagged on the page

# Features above `cases` add a part of the page: name -> loader(case, user, on). tik.lifecycle adds "life".
PANELS: dict[str, Callable[[Case, User, date], Any]] = {}

@dataclass(frozen=True)
class FormState:
    """A form the user sent and the page shows again: which one (`open`), what was typed (`typed`: the step's
    values, the report's fields, the maturity answer, the consent's ticked kinds), its errors (`errors`:
    (field id, message) pairs) and the one message above it (`message`). `sent` is the WTForms form as sent,
    `keep` the decision carried through the consent form, `matches` the people an invite search named,
    `notice` a one-off note ("registered", "registered_again", "stale", "consent_saved"), `resume` the decision
    to offer first again."""

    open: str = ""
    typed: Mapping[str, Any] = field(default_factory=dict)
    errors: tuple[tuple[str, str], ...] = ()
    message: str = ""
    sent: Any = None
    keep: Mapping[str, str] = field(default_factory=dict)
    matches: tuple = ()
    notice: str = ""
    resume: str = ""

    @property
    def field_errors(self) -> dict[str, str]:
        return dict(self.errors)

    def is_open(self, name: str) -> bool:
        return self.open == name


NOTHING_SENT = FormState()  # the page as it loads: no form sent


@dataclass(frozen=True)
class CasePage:
    """Everything the case page shows."""

    case: Case
    child: Any
    guide: Any
    view: StepView
    L: str
    today: date
    can: Abilities
    sight: Sight
    form: FormState
    values: Mapping[str, str]  # the step's fields: what was typed, or what TIK already knows
    carried: Mapping[str, str]  # field key -> where its value was carried from
    timeline: list
    more_events: bool
    consents: list[Consent]
    covered: set[str]
    other_services: list[str]
    plan: Any
    concerns: list[Concern]
    drafts: list[ReportDraft]
    participants: list
    handovers: list[Handover]
    voices: list
    reports: list
    reports_told: list
    languages: dict[str, str]
    step_leaders: list[User]
    feedback_to: list[User]
    judges_maturity: bool
    maturity: Any  # the latest maturity judgement (a case event), or None
    panels: Mapping[str, Any] = field(default_factory=dict)
    people: Mapping[int, User] = field(default_factory=dict)  # by id: the participants, the reports' authors
    consent_warning_days: int = CONSENT_WARNING_DAYS

    def context(self) -> dict[str, Any]:
        """The page's values by name, for the template (which reads nothing else)."""
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


def case_page(case: Case, user: User, on: date, form: FormState = NOTHING_SENT) -> CasePage:
    """Load the case page for `user` on `on`, with `form` (a refused form shown again) if there is one."""
    guide = guide_of(case)
    consents = consents_of(case)
    view = current_step(case)
    events = case_events(case, TIMELINE_ON_PAGE + 1)
    timeline = [e for e in events.timeline if may_read_feedback(user, case, e)]
    concerns = list(db.session.scalars(select(Concern).where(Concern.case_id == case.id)
                                       .options(joinedload(Concern.reported_by))
                                       .order_by(Concern.created_at.desc())))
    plan = plan_of(case)
    carried = (carry.carried(case, view.step, concerns, plan, events.has_meetings) if case.is_open
               else carry.Carried({}, {}))
    seen = sight(user, case, on)
    if seen.content is not None:  # nothing carried into a step from a kind of information not covered
        kept = {k: src for k, src in carried.sources.items() if src == "meeting" or seen.sees(src)}
        carried = carry.Carried({k: v for k, v in carried.values.items() if k in kept}, kept)
    reports = reports_of(case) if events.has_reports else []
    drafts = db.session.scalars(select(ReportDraft).where(ReportDraft.case_id == case.id)).all()
    can = abilities(user, case, on)
    participants = active_participants(case)
    named = {p.user_id for p in participants} | {r.created_by_id for r in reports}
    # The people the page names, in one statement: held here, the session's (weak) identity map then answers
    # each `p.user` and `r.created_by` without a statement of its own.
    people = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(sorted(named))))} if named else {}
    judges = guide.judges_maturity(case.child.birth_date, on)
    return CasePage(
        case=case, child=case.child, guide=guide, view=view, L=interface_language(), today=on, can=can,
        sight=seen, form=form,
        values=form.typed if form.open == "decision" else dict(carried.values),  # nothing typed: what is known
        carried=carried.sources,
        timeline=visible_events(case, timeline[:TIMELINE_ON_PAGE], seen),
        more_events=len(timeline) > TIMELINE_ON_PAGE, consents=consents,
        covered=consented_services(case, on), plan=plan if seen.sees("plan") else None,
        other_services=sorted(allowed_services(case, on) - {case.owning_service}),
        concerns=[c for c in concerns if seen.sees("concern")
                  and (seen.reports or c.urgency.value != "suspicion" or c.reported_by_id == user.id)],
        drafts=[d for d in drafts if can_see_report(user, case, d.created_by_id, on)],
        participants=participants, handovers=pending_handovers(case),
        voices=[v for v in events.voices if seen.sees(f"{v.who}_voice")],
        reports=[r for r in reports if can_see_report(user, case, r.created_by_id, on)],
        reports_told=[r for r in reports if r.participants_told and r.sent_on
                      and not can_see_report(user, case, r.created_by_id, on)],
        languages=dict(LANGUAGE_CHOICES),
        step_leaders=steps.unit_leaders(case) if view.step.leader and case.is_open else [],
        feedback_to=feedback_reporters(case, user) if case.is_open and can.leader_feedback else [],
        judges_maturity=judges, maturity=maturity_of(case) if judges else None,
        panels={name: load(case, user, on) for name, load in PANELS.items()}, people=people,
    )


# The forms that are closed on the case page, each a page of its own: name -> its heading's source text.
FORM_PAGES = ("consent", "handover", "invite", "child", "guardian", "add_guardian")


@dataclass(frozen=True)
class FormPage:
    """One form of the case on a page of its own: `name` (one of FORM_PAGES), the case's head, the form state
    and what that form offers."""

    name: str
    case: Case
    child: Any
    guide: Any
    L: str
    today: date
    form: FormState
    can: Abilities
    guardian: Guardian | None = None
    invitable: list[User] = field(default_factory=list)
    kind_services: list[tuple[str, str]] = field(default_factory=list)
    kinds_checked: Mapping[str, list[str]] = field(default_factory=dict)
    consents_themself: bool = False
    languages: dict[str, str] = field(default_factory=dict)

    def context(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


def form_page(case: Case, user: User, on: date, name: str, form: FormState = NOTHING_SENT,
              guardian: Guardian | None = None) -> FormPage:
    """Load the page of the closed form `name` of `case`."""
    guide = guide_of(case)
    lang = interface_language()
    extra: dict[str, Any] = {}
    if name == "consent":
        extra["kind_services"] = [(k, sv.name.get(lang)) for k, sv in guide.services.items()]
        extra["kinds_checked"] = form.typed if form.open == "consent" and form.typed else \
            {s: [k.key for k in guide.information_kinds] for s in guide.services}
        extra["consents_themself"] = consents_themself(case, on)
    if name == "invite" and case.is_open and can_manage_participants(user, case):
        extra["invitable"] = invitable_people(case)
    if name in ("guardian", "add_guardian"):
        extra["languages"] = dict(LANGUAGE_CHOICES)
    return FormPage(name=name, case=case, child=case.child, guide=guide, L=lang, today=on, form=form,
                    can=abilities(user, case, on), guardian=guardian, **extra)


def consent_defaults(case: Case, on: date) -> dict[str, Any]:
    """What a blank consent form starts with: given today for a year, by the guardians (or the young adult)."""
    alone = guide_of(case).consents_alone(case.child.birth_date, on)
    return {"given_on": on, "expires_on": on + CONSENT_LASTS,
            "given_by": case.child.name if alone else ", ".join(g.name for g in case.child.guardians)}
