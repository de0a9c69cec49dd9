"""The step/decision state machine: given a case's state, what may happen next. Pure Python."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from tik.guides.model import Decision, Guide, Step


class DecisionRefused(Exception):
    """A decision cannot be applied. `code` names the rule; `params` say what was wrong."""

    def __init__(self, code: str, **params: object) -> None:
        super().__init__(code, params)
        self.code = code
        self.params = params


@dataclass(frozen=True)
class CaseState:
    """What the engine needs to know about a case."""

    step_id: str
    level: int
    consented_services: frozenset[str] = frozenset()
    waiting: bool = False  # the suspicion path: waiting for child welfare's answer


@dataclass(frozen=True)
class Outcome:
    """The result of applying a decision: a new state, or an end."""

    decision: Decision
    values: dict[str, str]
    state: CaseState | None = None
    end: str | None = None
    level_changed: bool = False

    @property
    def step_id(self) -> str | None:
        return self.state.step_id if self.state else None


@dataclass(frozen=True)
class StepView:
    """The current step as a page shows it."""

    step: Step
    decisions: tuple[Decision, ...]
    required: tuple[str, ...] = field(default=())


def consent_lapsed(guide: Guide, state: CaseState) -> bool:
    """Whether the case stands at a level that needs consent without one: its work stops until the guide's
    consent-withdrawn step is decided (or a new consent is given). Closing steps are not held up."""
    step = guide.step(state.step_id)
    return (guide.consent_withdrawn is not None and step.level is not None
            and guide.level(state.level).requires_consent and not state.consented_services)


def step_at(guide: Guide, state: CaseState) -> Step:
    """The step the case is at now: its own, or the consent-withdrawn step while consent has lapsed. While the
    case waits for child welfare, the waiting step, unless the case went on from it to a step reachable while
    waiting (closing, say)."""
    if state.waiting and guide.child_welfare_wait is not None \
            and state.step_id not in reachable_while_waiting(guide) - {guide.child_welfare_wait.id}:
        return guide.child_welfare_wait
    return guide.consent_withdrawn if consent_lapsed(guide, state) else guide.step(state.step_id)  # type: ignore


def reachable_while_waiting(guide: Guide) -> set[str]:
    """The steps a case can reach from the waiting step without going on (`resume`): the waiting step itself
    and where its other decisions lead. `tik guide check` proves none of them faces the family."""
    wait = guide.child_welfare_wait
    if wait is None:
        return set()
    reached, queue = {wait.id}, [wait]
    while queue:
        step = queue.pop()
        for d in guide.decisions(step):
            if d.next and not d.resume and d.next in guide.steps and d.next not in reached:
                reached.add(d.next)
                queue.append(guide.step(d.next))
    return reached


def current(guide: Guide, state: CaseState) -> StepView:
    """The current step, the decisions it allows and the fields it requires."""
    step = step_at(guide, state)
    required = tuple(f.key for f in step.fields if f.required)
    return StepView(step=step, decisions=guide.decisions(step), required=required)


def apply(guide: Guide, state: CaseState, decision_key: str, values: Mapping[str, str]) -> Outcome:
    """Apply `decision_key` at the current step with the recorded `values`.

    Returns the next state or the end reached; raises DecisionRefused naming the broken rule.
    Hard stops need no fields: in an emergency nothing may stand in the way.
    """
    step = step_at(guide, state)
    decision = next((d for d in guide.decisions(step) if d.key == decision_key), None)
    if decision is None:
        raise DecisionRefused("decision_not_allowed", decision=decision_key, step=step.id)
    cleaned = {k: (values.get(k) or "").strip() for k in (f.key for f in step.fields)}
    if decision.hard_stop:
        return Outcome(decision=decision, values=cleaned, end=decision.end)
    if state.waiting and decision.next and guide.step(decision.next).faces_family:
        raise DecisionRefused("waiting_for_child_welfare")  # `guide check` makes this unreachable; still refused
    if decision is guide.family_ends:  # the family's no needs nothing filled in here: its step asks why
        target = guide.step(decision.next)  # type: ignore[arg-type]
        return Outcome(decision=decision, values=cleaned, state=CaseState(
            step_id=target.id, level=state.level, consented_services=state.consented_services,
            waiting=state.waiting))

    needed = [f.key for f in step.fields if f.required] + list(decision.requires)
    missing = [key for key in dict.fromkeys(needed) if not cleaned.get(key)]
    if missing:
        raise DecisionRefused("missing_fields", fields=missing)
    for f in step.fields:
        _check_value(guide, f, cleaned[f.key], state)

    if decision.end:
        return Outcome(decision=decision, values=cleaned, end=decision.end)
    if decision.resume:  # child welfare has answered: the case goes on where it was
        return Outcome(decision=decision, values=cleaned, state=CaseState(
            step_id=state.step_id, level=state.level, consented_services=state.consented_services))
    target = guide.step(decision.next)  # type: ignore[arg-type]  # validated by the loader
    level = state.level if target.level is None else target.level
    if level != state.level and guide.level(level).requires_consent and not state.consented_services:
        raise DecisionRefused("consent_required", level=level)
    new_state = CaseState(step_id=target.id, level=level, consented_services=state.consented_services,
                          waiting=state.waiting)
    return Outcome(decision=decision, values=cleaned, state=new_state, level_changed=level != state.level)


def _check_value(guide: Guide, f, value: str, state: CaseState) -> None:
    """Raise DecisionRefused if a recorded value is not acceptable for its field."""
    if not value:
        return
    if f.kind == "choice" and value not in {o.key for o in f.options}:
        raise DecisionRefused("invalid_choice", field=f.key)
    if f.kind == "date":
        try:
            date.fromisoformat(value)
        except ValueError:
            raise DecisionRefused("invalid_date", field=f.key) from None
    if f.kind == "services":
        chosen = {s for s in value.split(",") if s}
        unknown = sorted(chosen - set(guide.services))
        if unknown:
            raise DecisionRefused("unknown_services", field=f.key, services=unknown)
        uncovered = sorted(chosen - state.consented_services)
        if uncovered:
            raise DecisionRefused("services_not_consented", field=f.key, services=uncovered)


def paths_to_end(guide: Guide) -> dict[str, bool]:
    """For each step: can an end be reached from it without a hard stop?"""
    reaches: dict[str, bool] = {}
    steps = guide.steps
    changed = True
    while changed:
        changed = False
        for step in steps.values():
            if reaches.get(step.id):
                continue
            if any(d.end or reaches.get(d.next or "") for d in step.decisions):
                reaches[step.id] = changed = True
    return {sid: reaches.get(sid, False) for sid in steps}
