"""What the plan starts from: what the case already holds, so goals and voices are not asked again.

The goals start from the latest answer of each field the guidebook marks `for_plan: true` (what was seen, the
shared understanding of each meeting with the family) and from the decisions in the minutes of the meetings
the case was on; the voices from what the child and the parents last said in a conversation. Only what the
reader may see: the timeline entries their consent shows (policy.visible_events), the minutes only with the
plan (policy.can_read_minutes). Pure reading: the plan page offers it in the form, nothing is saved."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from tik.auth.policy import Sight, visible_events
from tik.cases.models import Case, CaseEvent, EventKind
from tik.clock import local_date
from tik.extensions import db
from tik.guidebook import guide_of
from tik.meetings.models import AgendaItem, Meeting
from tik.timeline.voices import voices


@dataclass(frozen=True)
class KnownItem:
    """One thing the case knows: a step's field (`label` is the field's label) or a meeting's decisions
    (`label` is the meeting's title), on the day it was recorded or held."""

    source: str  # step | minutes
    label: str
    on: date
    text: str


@dataclass(frozen=True)
class Known:
    goals: list[KnownItem]  # oldest first
    child_voice: str
    parents_voice: str


def known_for_plan(case: Case, seen: Sight, lang: str) -> Known:
    guide = guide_of(case)
    wanted = {(step.id, f.key): f for step in guide.steps.values() for f in step.fields if f.for_plan}
    items: list[KnownItem] = []
    if wanted:
        events = list(db.session.scalars(
            select(CaseEvent).where(CaseEvent.case_id == case.id,
                                    CaseEvent.kind.in_((EventKind.STEP, EventKind.CONVERSATION)),
                                    CaseEvent.step_id.in_(sorted({sid for sid, _key in wanted})))
            .order_by(CaseEvent.at.desc(), CaseEvent.id.desc())))
        taken = set()
        for event in visible_events(case, events, seen):  # newest first: each field's latest answer
            fields = event.data.get("fields") or {}
            for (sid, key), field in wanted.items():
                text = str(fields.get(key) or "").strip()
                if sid == event.step_id and text and (sid, key) not in taken:
                    taken.add((sid, key))
                    on = _date(fields.get("meeting_date") or fields.get("conversation_date")) or local_date(event.at)
                    items.append(KnownItem("step", field.label.get(lang), on, text))
        items.reverse()  # oldest first, so that one day's entries read in the order they were written
    if seen.sees("plan"):
        for title, starts_at, decisions in db.session.execute(
                select(Meeting.title, Meeting.starts_at, AgendaItem.decisions)
                .join(AgendaItem, AgendaItem.meeting_id == Meeting.id)
                .where(AgendaItem.case_id == case.id, AgendaItem.anonymous.is_(False), AgendaItem.decisions != "")):
            items.append(KnownItem("minutes", title, local_date(starts_at), decisions.strip()))
    items.sort(key=lambda item: item.on)  # stable: the minutes of a day come after its steps
    heard = voices(case)
    last = {who: next((v.text for v in heard if v.who == who and seen.sees(f"{who}_voice")), "")
            for who in ("child", "parents")}
    return Known(items, last["child"], last["parents"])


@dataclass(frozen=True)
class PlanStatement:
    """What the printed plan states from a step's field (guide.yaml: `on_plan`): its label and latest answer."""

    label: str
    text: str


def on_plan(case: Case, seen: Sight, lang: str, until: datetime | None = None) -> list[PlanStatement]:
    """The latest recorded answer of each field the guidebook prints on the plan (`on_plan`: the SIP's
    huvudansvar), in the guidebook's order, labelled in `lang`; only from the timeline entries the reader's
    consent shows with their notes (policy.visible_events), and for a frozen revision (`until`) only what had been
    recorded by then. A choice prints its option's label; a field never answered is left out."""
    facts = guide_of(case).on_plan
    if not facts:
        return []
    query = (select(CaseEvent).where(CaseEvent.case_id == case.id,
                                     CaseEvent.kind.in_((EventKind.STEP, EventKind.CONVERSATION)),
                                     CaseEvent.step_id.in_(sorted({f.step_id for f in facts})))
             .order_by(CaseEvent.at.desc(), CaseEvent.id.desc()))
    if until is not None:
        query = query.where(CaseEvent.at <= until)
    events = visible_events(case, list(db.session.scalars(query)), seen)
    guide, shown = guide_of(case), []
    for fact in facts:
        value = next((str(fields.get(fact.field_key) or "").strip() for event in events  # newest first
                      if event.step_id == fact.step_id and (fields := event.data.get("fields") or {})
                      and str(fields.get(fact.field_key) or "").strip()), "")
        if not value:
            continue
        field = guide.step(fact.step_id).field(fact.field_key)
        option = next((o for o in field.options if o.key == value), None) if field else None
        shown.append(PlanStatement(fact.label.get(lang), option.label.get(lang) if option else value))
    return shown


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None
