"""Ask once, lose nothing: what a step can fill from what TIK already knows, the voices of the child and the
parents, the report to child welfare with what KS Fiks asks about it, the leader's feedback to the reporter,
and corrections to the child's and the guardians' details (each on the timeline with old and new value)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select, union
from sqlalchemy.orm import joinedload

from tik.audit.service import record
from tik.auth.models import User
from tik.auth.policy import visible_cases
from tik.cases.models import Case, CaseEvent, ChildWelfareReport, EventKind
from tik.cases.suspicion import enter_waiting
from tik.clock import local_date, today
from tik.concerns.models import Concern, Guardian, ReportDraft, Urgency, name_key
from tik.dates import show_date
from tik.db import unit_of_work
from tik.extensions import db
from tik.guidebook import guide_of
from tik.guides.model import Decision, Step
from tik.meetings.models import Meeting
from tik.plans.models import Plan
from tik.timeline.service import log
from tik.timeline.voices import Voice, voices

SUSPICION = "suspicion"  # why_not code: on the suspicion path the parents are not informed first
SENT_HOW = ("ks-fiks", "paper", "phone", "other")
FEEDBACK_MAX = 600


# -- carry, don't ask again ------------------------------------------------------------------------------

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
              for m in plan.measures if m.status.value in ("planned", "active")]
    return "\n".join(lines)


@dataclass(frozen=True)
class PageEvents:
    timeline: list[CaseEvent]  # the latest `limit` events
    voices: list[Voice]
    has_reports: bool
    has_meetings: bool


def page_events(case: Case, limit: int) -> PageEvents:
    """In one query: the latest `limit` events, and every conversation and report event (for the voices and the
    report record). The union holds the latest events, so its first `limit` rows are exactly those."""
    from sqlalchemy.orm import joinedload

    latest = (select(CaseEvent.id).where(CaseEvent.case_id == case.id)
              .order_by(CaseEvent.at.desc(), CaseEvent.id.desc()).limit(limit))
    events = list(db.session.scalars(
        select(CaseEvent).where(CaseEvent.case_id == case.id,
                                CaseEvent.id.in_(latest.scalar_subquery())
                                | CaseEvent.kind.in_((EventKind.CONVERSATION, EventKind.REPORT))
                                | ((CaseEvent.kind == EventKind.STEP) & (CaseEvent.step_id == "")))
        .options(joinedload(CaseEvent.by)).order_by(CaseEvent.at.desc(), CaseEvent.id.desc())))
    return PageEvents(events[:limit], voices(case, events),
                      any(e.kind == EventKind.REPORT and e.data.get("report_id") for e in events),
                      any(e.data.get("action") == "meeting.planned" for e in events))


# -- the report path ----------------------------------------------------------------------------------

def start_report(case: Case, decision: Decision, by: User) -> ChildWelfareReport:
    """A decision that ends in a report opens its record. On the suspicion path (the hard stop) every guardian
    defaults to "not informed" with the reason; otherwise whether they were informed is still to be answered."""
    suspicion = decision.hard_stop and not decision.inform_parents
    draft = db.session.scalar(select(ReportDraft).where(ReportDraft.case_id == case.id)
                              .order_by(ReportDraft.id.desc()).limit(1))
    report = ChildWelfareReport(
        case_id=case.id, created_by_id=by.id, hard_stop=suspicion, text=draft.text if draft else "",
        guardians=[{"guardian_id": g.id, "name": g.name, "informed": False if suspicion else None,
                    "why_not": SUSPICION if suspicion else ""} for g in case.child.guardians],
        interpreter_needed=any(g.language not in ("nb", "nn") for g in case.child.guardians),
        interpreter_language=", ".join(sorted({g.language for g in case.child.guardians
                                               if g.language not in ("nb", "nn")})))
    db.session.add(report)
    db.session.flush()
    return report


class ReportError(ValueError):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass
class GuardianInformed:
    guardian_id: int
    informed: bool
    why_not: str = ""


@unit_of_work
def complete_report(report: ChildWelfareReport, by: User, *, guardians: list[GuardianInformed],
                    child_told: bool, child_not_told_reason: str, interpreter_needed: bool,
                    interpreter_language: str, sent_on: date, sent_how: str, text: str) -> ChildWelfareReport:
    """Record what KS Fiks asks about the report; the reminder to ask for feedback follows from the guide."""
    if sent_how not in SENT_HOW or sent_how not in guide_of(report.case).report.channels:
        raise ReportError("sent_how")
    if sent_on > today():
        raise ReportError("sent_in_future")
    by_id = {g.guardian_id: g for g in guardians}
    rows = []
    for row in report.guardians:
        given = by_id.get(row["guardian_id"])
        if given is None:
            raise ReportError("guardian_missing")
        if not given.informed and not given.why_not.strip():
            raise ReportError("why_not_required")
        rows.append({**row, "informed": given.informed, "why_not": "" if given.informed else given.why_not.strip()})
    if not child_told and not child_not_told_reason.strip():
        raise ReportError("child_reason_required")
    report.guardians = rows
    report.child_told, report.child_not_told_reason = child_told, child_not_told_reason.strip()
    report.interpreter_needed, report.interpreter_language = interpreter_needed, interpreter_language.strip()
    report.sent_on, report.sent_how, report.text = sent_on, sent_how, text.strip()
    report.feedback_due = sent_on + timedelta(days=guide_of(report.case).report_feedback_days)
    if any(r["informed"] is False for r in rows):  # a guardian not informed: the suspicion path's state
        enter_waiting(report.case, by, "report")
    log(report.case, EventKind.REPORT, by, action="sent", report_id=report.id, sent_on=sent_on.isoformat(),
        sent_how=sent_how, informed={r["name"]: r["informed"] for r in rows}, child_told=child_told,
        feedback_due=report.feedback_due.isoformat())
    record(by, "report.complete", report.case)
    return report


@unit_of_work
def feedback_received(report: ChildWelfareReport, by: User, on: date) -> None:
    report.feedback_received_on = on
    log(report.case, EventKind.REPORT, by, action="feedback_received", report_id=report.id, on=on.isoformat())
    record(by, "report.feedback", report.case)


@unit_of_work
def tell_participants(report: ChildWelfareReport, by: User, told: bool) -> None:
    """The holder's choice: the case's other participants see "a report was sent on <date>", or nothing."""
    report.participants_told = told
    log(report.case, EventKind.REPORT, by, action="told" if told else "untold", report_id=report.id)
    record(by, "report.tell", report.case)


def on_suspicion_path(case: Case) -> bool:
    """Whether `case` is on an open suspicion path, for the family's export: while it waits for child welfare
    (tik.cases.suspicion), and also — the safer side — while a report the guardians were not all told of, or a
    concern registered as a suspicion, has no feedback from child welfare recorded on the report."""
    if case.waiting_since is not None:
        return True
    reports = reports_of(case)
    if any(r.feedback_received_on is None and (r.hard_stop or any(g.get("informed") is not True
                                                                  for g in r.guardians)) for r in reports):
        return True
    suspicion = db.session.scalar(select(Concern.id).where(Concern.case_id == case.id,
                                                           Concern.urgency == Urgency.SUSPICION).limit(1))
    return suspicion is not None and not any(r.feedback_received_on for r in reports)


def reports_of(case: Case) -> list[ChildWelfareReport]:
    return list(db.session.scalars(select(ChildWelfareReport).where(ChildWelfareReport.case_id == case.id)
                                   .order_by(ChildWelfareReport.id.desc())))


def feedback_reminders(user: User, on: date, within: timedelta = timedelta(days=7)) -> list[ChildWelfareReport]:
    """Reports the user sent (or on cases they hold) whose feedback from child welfare is due to be asked for.
    The cases are found from the user's side first (both indexed): the OR alone made SQLite read every case."""
    theirs = union(select(Case.id).where(Case.coordinator_id == user.id),
                   select(ChildWelfareReport.case_id).where(ChildWelfareReport.created_by_id == user.id))
    query = (select(ChildWelfareReport).join(Case, Case.id == ChildWelfareReport.case_id)
             .where(Case.id.in_(theirs), ChildWelfareReport.feedback_received_on.is_(None),
                    ChildWelfareReport.feedback_due.is_not(None),
                    ChildWelfareReport.feedback_due <= on + within, visible_cases(user, on),
                    (ChildWelfareReport.created_by_id == user.id) | (Case.coordinator_id == user.id))
             .order_by(ChildWelfareReport.feedback_due))
    return list(db.session.scalars(query))


# -- the leader ---------------------------------------------------------------------------------------

class FeedbackError(ValueError):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def feedback_reporters(case: Case, leader: User) -> list[User]:
    """The people who reported a concern in `case` whose own unit `leader` leads (the leader gives each of them
    feedback; a leader who reported the concern gives none to themself). Empty for anyone else."""
    from tik.auth.models import User as Person
    from tik.org.models import UnitLeader

    led = select(UnitLeader.unit_id).where(UnitLeader.user_id == leader.id)
    return list(db.session.scalars(
        select(Person).join(Concern, Concern.reported_by_id == Person.id)
        .where(Concern.case_id == case.id, Person.unit_id.in_(led), Person.id != leader.id)
        .order_by(Concern.created_at, Concern.id)).unique())


@unit_of_work
def leader_feedback(case: Case, leader: User, message: str, text: str = "",
                    reporter_id: int | None = None) -> CaseEvent:
    """The reporter's own unit leader records the feedback given to the one who reported a concern: a message
    chosen from the guidebook's list (`leader_feedback`), with a short text of their own only where the
    guidebook allows it, and never sensitive details. Read by the reporter and the holder only (see
    `may_read_feedback`). It is a record, not an approval: nothing here can hold up a report (the duty to
    report is personal). Raises FeedbackError: "not_leader", "feedback_message", "feedback_text"."""
    reporters = feedback_reporters(case, leader)
    reporter = next((r for r in reporters if reporter_id is None or r.id == reporter_id), None)
    if reporter is None:
        raise FeedbackError("not_leader")
    rules = guide_of(case).leader_feedback
    chosen = rules.message(message)
    text = text.strip()
    if (text and not rules.free_text) or (chosen is None and not text):
        raise FeedbackError("feedback_message")
    if len(text) > FEEDBACK_MAX:
        raise FeedbackError("feedback_text")
    event = log(case, EventKind.FEEDBACK, leader, message=chosen.key if chosen else "", text=text,
                message_text=dict(chosen.text.by_lang) if chosen else {}, reporter_id=reporter.id,
                reporter=reporter.name)
    record(leader, "case.leader_feedback", case, detail=reporter.username)
    return event


def may_read_feedback(user: User, case: Case, event: CaseEvent) -> bool:
    """The leader's feedback is read by the reporter it was given to, the holder and the leader who gave it;
    other participants and leaders never see it (not on the page, the log or the staff print)."""
    return event.kind != EventKind.FEEDBACK or user.id in (case.coordinator_id, event.by_id,
                                                           (event.data or {}).get("reporter_id"))


def feedback_for(user: User) -> list[tuple[CaseEvent, str]]:
    """Feedback the user's leader gave them as the reporter of a concern, with the case reference, newest first
    (on "Min side": the reporter may no longer see the case itself)."""
    return list(db.session.execute(
        select(CaseEvent, Case.ref).join(Case, Case.id == CaseEvent.case_id)
        .where(CaseEvent.kind == EventKind.FEEDBACK, CaseEvent.data["reporter_id"].as_integer() == user.id)
        .options(joinedload(CaseEvent.by)).order_by(CaseEvent.at.desc()).limit(10)).tuples())


# -- the child's and the guardians' details -----------------------------------------------------------

CHILD_FIELDS = ("first_name", "last_name", "birth_date", "gender", "school", "class_name")
GUARDIAN_FIELDS = ("name", "relation", "phone", "email", "language")


@unit_of_work
def update_child(case: Case, by: User, changes: dict[str, object]) -> int:
    """Correct the child's details; each change on the timeline with old and new value. Refuses text the
    columns cannot hold as typed (tik.forms.check_text: TextRefused) before changing anything."""
    from tik.forms import check_text

    check_text(type(case.child), {k: v.strip() for k, v in changes.items() if k in CHILD_FIELDS and isinstance(v, str)})
    child = case.child
    count = 0
    for key in CHILD_FIELDS:
        if key not in changes:
            continue
        new = changes[key]
        new = new.strip() if isinstance(new, str) else new
        old = getattr(child, key)
        if new == old or new is None:
            continue
        setattr(child, key, new)
        if key in ("first_name", "last_name"):
            setattr(child, f"{key}_key", name_key(str(new)))
        log(case, EventKind.DETAILS, by, who="child", field=key, old=_plain(old), new=_plain(new))
        count += 1
    if count:
        record(by, "child.update", case)
    return count


@unit_of_work
def update_guardian(case: Case, by: User, guardian_id: int, changes: dict[str, str]) -> int:
    """Correct a guardian's details; refuses text the columns cannot hold as typed (TextRefused) first."""
    from tik.forms import check_text

    check_text(Guardian, {k: (changes[k] or "").strip() for k in GUARDIAN_FIELDS if k in changes})
    guardian = next((g for g in case.child.guardians if g.id == guardian_id), None)
    if guardian is None:
        raise LookupError(guardian_id)
    count = 0
    for key in GUARDIAN_FIELDS:
        if key in changes and (changes[key] or "").strip() != getattr(guardian, key):
            old, new = getattr(guardian, key), (changes[key] or "").strip()
            if key == "name" and not new:
                continue
            setattr(guardian, key, new)
            log(case, EventKind.DETAILS, by, who="guardian", guardian=guardian.name, field=key, old=old, new=new)
            count += 1
    if count:
        record(by, "guardian.update", case)
    return count


@unit_of_work
def add_guardian(case: Case, by: User, *, name: str, relation: str = "", phone: str = "", email: str = "",
                 language: str = "nb"):
    if not name.strip():
        raise ValueError("name")
    guardian = Guardian(name=name.strip(), relation=relation.strip(), phone=phone.strip(), email=email.strip(),
                        language=language or "nb")
    case.child.guardians.append(guardian)
    db.session.flush()
    log(case, EventKind.DETAILS, by, who="guardian", guardian=guardian.name, field="added", old="",
        new=guardian.name)
    record(by, "guardian.add", case)
    return guardian


@unit_of_work
def remove_guardian(case: Case, by: User, guardian_id: int) -> None:
    guardian = next((g for g in case.child.guardians if g.id == guardian_id), None)
    if guardian is None:
        raise LookupError(guardian_id)
    case.child.guardians.remove(guardian)
    log(case, EventKind.DETAILS, by, who="guardian", guardian=guardian.name, field="removed", old=guardian.name,
        new="")
    record(by, "guardian.remove", case)


def _plain(value: object) -> str:
    return value.isoformat() if isinstance(value, date | datetime) else str(value)
