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
    """The step the case is at now: its own, or the consent-withdrawn step while consent has lapsed."""
    return guide.consent_withdrawn if consent_lapsed(guide, state) else guide.step(state.step_id)  # type: ignore


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
    if decision is guide.family_ends:  # the family's no needs nothing filled in here: its step asks why
        target = guide.step(decision.next)  # type: ignore[arg-type]
        return Outcome(decision=decision, values=cleaned, state=CaseState(
            step_id=target.id, level=state.level, consented_services=state.consented_services))

    needed = [f.key for f in step.fields if f.required] + list(decision.requires)
    missing = [key for key in dict.fromkeys(needed) if not cleaned.get(key)]
    if missing:
        raise DecisionRefused("missing_fields", fields=missing)
    for f in step.fields:
        _check_value(guide, f, cleaned[f.key], state)

    if decision.end:
        return Outcome(decision=decision, values=cleaned, end=decision.end)
    target = guide.step(decision.next)  # type: ignore[arg-type]  # validated by the loader
    level = state.level if target.level is None else target.level
    if level != state.level and guide.level(level).requires_consent and not state.consented_services:
        raise DecisionRefused("consent_required", level=level)
    new_state = CaseState(step_id=target.id, level=level, consented_services=state.consented_services)
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
