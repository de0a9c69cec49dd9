"""Ask once: what a step's fields start from, carried from what TIK already knows (the first concern, the
last held meeting, the plan); the user can edit each value."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from tik.cases.models import Case
from tik.clock import local_date
from tik.concerns.models import Concern
from tik.dates import show_date
from tik.extensions import db
from tik.guides.model import Step
from tik.meetings.models import Meeting
from tik.plans.models import Plan


@dataclass(frozen=True)
class Carried:
    """Values a step's fields start from, and where each came from ("concern", "meeting", "plan")."""

    values: dict[str, str]
    sources: dict[str, str]


def carried(case: Case, step: Step, concerns: list | None = None, plan=False, meetings: bool = True) -> Carried:
    """Fill the step's fields from the concern, the last held meeting and the plan; the user can edit.
    `concerns` and `plan` may be passed when the caller has them loaded already."""
    wanted = [f for f in step.fields if f.carry]
    if not wanted:
        return Carried({}, {})
    sources = {f.carry.split(".")[0] for f in wanted}  # type: ignore[union-attr]
    known: dict[str, str] = {}
    if "concern" in sources:
        if concerns is not None:  # the first concern: the one that opened the case
            concern = min(concerns, key=lambda c: (c.created_at, c.id)) if concerns else None
        else:
            concern = db.session.scalar(select(Concern).where(Concern.case_id == case.id)
                                        .order_by(Concern.created_at, Concern.id).limit(1))
        if concern is not None:
            known |= {"concern.observation": concern.observation, "concern.since_when": concern.since_when,
                      "concern.how_often": concern.how_often}
    if "meeting" in sources and meetings:
        meeting = db.session.scalar(select(Meeting).where(Meeting.case_id == case.id)
                                    .order_by(Meeting.starts_at.desc()).limit(1))
        if meeting is not None:
            known["meeting.date"] = local_date(meeting.starts_at).isoformat()
            known["meeting.participants"] = "\n".join(
                f"{p.name}{', ' + p.role if p.role else ''}" for p in meeting.participants if p.attended is not False)
    if "plan" in sources:
        plan = plan if plan is not False else db.session.scalar(select(Plan).where(Plan.case_id == case.id))
        if plan is not None:
            known["plan.summary"] = plan_summary(plan)
    values = {f.key: known[f.carry] for f in wanted if known.get(f.carry or "")}
    return Carried(values, {k: next(f.carry for f in wanted if f.key == k).split(".")[0] for k in values})


def from_meeting(meeting, step: Step) -> Carried:
    """In a meeting, the step's date and participants come from the meeting itself (not typed again)."""
    known = {"meeting.date": local_date(meeting.starts_at).isoformat(),
             "meeting.participants": "\n".join(f"{p.name}{', ' + p.role if p.role else ''}"
                                               for p in meeting.participants if p.attended is not False)}
    values = {f.key: known[f.carry] for f in step.fields if f.carry in known and known[f.carry]}
    return Carried(values, {k: "meeting" for k in values})


def plan_summary(plan) -> str:
    """The plan's summary, derived from its goals and measures (never typed a second time)."""
    lines = [plan.goals.strip()] if plan.goals.strip() else []
    lines += [f"- {m.what} ({m.responsible}, evaluering {show_date(m.evaluate_on)})"
              for m in plan.measures if m.open_for_evaluation]
    return "\n".join(lines)
