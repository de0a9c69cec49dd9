"""The nightly summary: read the cases once, write counts per month, unit, service, age group and level.

`tik stats refresh` (cron, nightly) and the demo call `refresh()`. It replaces every StatCell in one
transaction, so the statistics page never sees half a refresh. What each metric counts, and which month
it falls in, is listed in METRICS; the page (service.py) only ever sums these counts.
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache

from sqlalchemy import delete, insert, select, text, union

from tik.cases.models import Case, CaseEvent, CaseStatus, Consent, EventKind, Handover
from tik.clock import utc_to_local
from tik.concerns.models import Child, Concern
from tik.extensions import db
from tik.guidebook import current_guide
from tik.guides.model import Guide, age_on
from tik.meetings.models import AgendaItem, Meeting
from tik.municipalities import current_municipality
from tik.plans.models import Evaluation, Measure, Plan
from tik.stats.models import StatCell, StatRun

DAYS_EXACT = 60  # durations are counted in whole days up to two months …
DAYS_BANDS = (90, 180, 365)  # … then by the upper end of these bands; 366 means "over a year"
SERVICES_CAP = 9
STREAM = {"yield_per": 20_000}  # a million timeline rows are read in batches, never held at once
AGE_BANDS = ((0, 2), (3, 5), (6, 9), (10, 12), (13, 15), (16, 18), (19, 24))

# metric: (what one count is, the month it falls in)
METRICS = {
    "concern": ("a concern registered (also one added to an open case)", "the concern's month"),
    "concern_signal": ("a concern naming at least one signal of the category (key)", "the concern's month"),
    "case_opened": ("a case opened", "the month it opened"),
    "first_age": ("a child's first case, by the child's age band then (key, e.g. 6-9; 25+)", "the month it opened"),
    "end_level": ("a closed case, by its level when it closed (key)", "the month it closed"),
    "closing": ("a closed case, by the decision that closed it (key step:decision)", "the month it closed"),
    "days_child": ("days from concern to the first conversation with the child (key)", "the month it opened"),
    "days_parents": ("days from concern to the first conversation with the parents (key)", "the month it opened"),
    "days_decision": ("days from concern to the level-0 decision (key)", "the month it opened"),
    "services": ("a case, by the number of services in it: owner and every measure's service (key)",
                 "the month it opened"),
    "joint_meeting": ("a level 2/3 case with (yes) or without (no) a network or team meeting", "the month it opened"),
    "handover": ("a proposed handover, by its status (key)", "the month it was proposed"),
    "handover_days": ("an accepted handover, by days until it was accepted (key)", "the month it was proposed"),
    "plan_child": ("a plan with (yes) or without (no) the child's own words", "the month it was last changed"),
    "plan_parents": ("a plan with (yes) or without (no) the parents' words", "the month it was last changed"),
    "eval_goal": ("an evaluation, by goal reached yes/partly/no (key)", "the month of the evaluation"),
    "eval_child": ("an evaluation with (yes) or without (no) the child's experience", "the month of the evaluation"),
    "eval_parents": ("an evaluation with (yes) or without (no) what the parents said", "the month of the evaluation"),
    "consent_young": ("a consent for a young person of consent age, given by them (yes) or not (no)",
                      "the month it was given"),
    "measure_area": ("a measure, by the focus area of measures.yaml it comes from (key; other)", "its start month"),
    "measure_service": ("a measure, by its service (key)", "its start month"),
}


def local_day(moment: date | datetime) -> date:
    """The municipality's date of a stored (UTC) time; a date is already one. Months, ages and day counts
    use it, so a concern at 00:30 on a child's birthday in Oslo (23:30 UTC the day before) counts the new age."""
    if not isinstance(moment, datetime):
        return moment
    hour = moment.replace(minute=0, second=0, microsecond=0)
    return (moment + _offset_at(hour)).date()


@lru_cache(maxsize=200_000)
def _offset_at(hour: datetime) -> timedelta:
    """The local offset from UTC during one UTC hour (time zones change offset on the hour): a million timeline
    rows cost a million dictionary look-ups, not a million time-zone conversions (≈10 µs each here)."""
    return utc_to_local(hour) - hour


def month_of(day: date | datetime) -> date:
    day = local_day(day)
    return date(day.year, day.month, 1)


def age_group_of(guide: Guide, age: int) -> str:
    """The key of the guidebook's age group for `age` (the nearest group for ages outside them all)."""
    groups = guide.age_groups
    for group in groups:
        if group.ages[0] <= age <= group.ages[1]:
            return group.key
    return groups[0].key if age < groups[0].ages[0] else groups[-1].key


@dataclass
class _Case:
    unit_id: int | None
    service: str
    level: int
    age_group: str
    opened: datetime
    birth: date


def _days(start: datetime, end: datetime | date) -> int:
    """Whole days from `start` to `end`, exact up to DAYS_EXACT, then the upper end of a band (366: longer).

    Deadlines are days to weeks, so the share within a deadline and medians under two months stay exact
    while the summary keeps a few dozen values per group instead of hundreds."""
    days = max(0, (local_day(end) - local_day(start)).days)
    if days <= DAYS_EXACT:
        return days
    return next((upper for upper in DAYS_BANDS if days <= upper), 366)


def age_band(age: int) -> str:
    return next((f"{lo}-{hi}" for lo, hi in AGE_BANDS if lo <= age <= hi), "25+")


def compute(guide: Guide) -> Counter:
    """Every count of METRICS, keyed by (metric, key, month, unit_id, service, age_group, level)."""
    cells: Counter = Counter()
    cases: dict[int, _Case] = {}
    first_case_of_child: dict[int, int] = {}
    rows = db.session.execute(
        select(Case.id, Case.child_id, Case.unit_id, Case.owning_service, Case.level, Case.status, Case.opened_at,
               Case.closed_at, Child.birth_date).join(Child, Child.id == Case.child_id).order_by(Case.opened_at))
    closed: dict[int, datetime] = {}
    for case_id, child_id, unit_id, service, level, status, opened, closed_at, birth in rows:
        c = _Case(unit_id, service, level, age_group_of(guide, age_on(birth, local_day(opened))), opened, birth)
        cases[case_id] = c
        first_case_of_child.setdefault(child_id, case_id)
        if status == CaseStatus.CLOSED and closed_at is not None:
            closed[case_id] = closed_at

    def add(metric: str, key: object, when: date | datetime, case_id: int, age_group: str | None = None) -> None:
        c = cases[case_id]
        cells[(metric, str(key), month_of(when), c.unit_id, c.service, age_group or c.age_group, c.level)] += 1

    for case_id, c in cases.items():
        add("case_opened", "", c.opened, case_id)
    for case_id in first_case_of_child.values():
        c = cases[case_id]
        add("first_age", age_band(age_on(c.birth, local_day(c.opened))), c.opened, case_id)

    _concerns(guide, cases, add)
    _timeline(guide, cases, closed, add)
    _cooperation(cases, add)
    _involvement(guide, cases, add)
    return cells


def _concerns(guide: Guide, cases: dict[int, _Case], add) -> None:
    categories = {key: s.category for key, s in guide.signals.items()}
    for case_id, at, signals in db.session.execute(select(Concern.case_id, Concern.created_at, Concern.signals),
                                                   execution_options=STREAM):
        group = age_group_of(guide, age_on(cases[case_id].birth, local_day(at)))
        add("concern", "", at, case_id, group)
        for category in sorted({categories.get(s, "other") for s in signals or []}) or ["none"]:
            add("concern_signal", category, at, case_id, group)


def _timeline(guide: Guide, cases: dict[int, _Case], closed: dict[int, datetime], add) -> None:
    """Conversations, the level-0 decision and the closing decision, from each case's timeline in order."""
    steps = guide.steps
    child_steps = {s.id for s in steps.values() if any(f.voice == "child" for f in s.fields)}
    parent_steps = {s.id for s in steps.values() if any(f.voice == "parents" for f in s.fields)}
    decision_steps = {s.id for s in guide.level(0).steps if s.time_frame_days}
    closing_steps = {s.id for s in guide.closing}
    ends = (EventKind.CLOSED, EventKind.REPORT, EventKind.EMERGENCY)
    events = db.session.execute(
        select(CaseEvent.case_id, CaseEvent.kind, CaseEvent.step_id, CaseEvent.decision, CaseEvent.at)
        .where(CaseEvent.kind.in_((EventKind.STEP, EventKind.CONVERSATION, *ends)))
        .order_by(CaseEvent.case_id, CaseEvent.id), execution_options=STREAM)
    current, seen, previous = None, set(), ""
    for case_id, kind, step_id, decision, at in events:
        if case_id != current:
            current, seen, previous = case_id, set(), ""
        opened = cases[case_id].opened
        if kind == EventKind.CONVERSATION:
            for metric, wanted in (("days_child", child_steps), ("days_parents", parent_steps)):
                if step_id in wanted and metric not in seen:
                    seen.add(metric)
                    add(metric, _days(opened, at), opened, case_id)
        if kind in ends:
            if case_id in closed and "closing" not in seen:
                seen.add("closing")
                reason = previous if step_id in closing_steps and previous else f"{step_id}:{decision}"
                add("closing", reason, closed[case_id], case_id)
                add("end_level", cases[case_id].level, closed[case_id], case_id)
            continue
        if step_id in decision_steps and "days_decision" not in seen:
            seen.add("days_decision")
            add("days_decision", _days(opened, at), opened, case_id)
        if step_id not in closing_steps:
            previous = f"{step_id}:{decision}"


def _cooperation(cases: dict[int, _Case], add) -> None:
    services: dict[int, set[str]] = defaultdict(set)
    for case_id, service in db.session.execute(
            select(Plan.case_id, Measure.service_key).join(Measure, Measure.plan_id == Plan.id)):
        services[case_id].add(service)
    met = set(db.session.scalars(union(
        select(Meeting.case_id).where(Meeting.case_id.is_not(None)),
        select(AgendaItem.case_id).where(AgendaItem.case_id.is_not(None)))))
    for case_id, c in cases.items():
        count = len(services.get(case_id, set()) | {c.service})
        add("services", min(count, SERVICES_CAP), c.opened, case_id)
        if c.level >= 2:
            add("joint_meeting", "yes" if case_id in met else "no", c.opened, case_id)
    for case_id, status, created, answered in db.session.execute(
            select(Handover.case_id, Handover.status, Handover.created_at, Handover.answered_at)):
        add("handover", status.value, created, case_id)
        if status.value == "accepted" and answered is not None:
            add("handover_days", _days(created, answered), created, case_id)


def _involvement(guide: Guide, cases: dict[int, _Case], add) -> None:
    def yes(text: str | None) -> str:
        return "yes" if (text or "").strip() else "no"

    for case_id, updated, child_voice, parents_voice in db.session.execute(
            select(Plan.case_id, Plan.updated_at, Plan.child_voice, Plan.parents_voice)):
        add("plan_child", yes(child_voice), updated, case_id)
        add("plan_parents", yes(parents_voice), updated, case_id)
    for case_id, on, reached, child_said, parents_said in db.session.execute(
            select(Plan.case_id, Evaluation.evaluated_on, Evaluation.goal_reached, Evaluation.child_experience,
                   Evaluation.parents_said).join(Measure, Measure.id == Evaluation.measure_id)
            .join(Plan, Plan.id == Measure.plan_id)):
        add("eval_goal", reached.value, on, case_id)
        add("eval_child", yes(child_said), on, case_id)
        add("eval_parents", yes(parents_said), on, case_id)
    for case_id, given_on, young in db.session.execute(select(Consent.case_id, Consent.given_on, Consent.young_person)):
        if guide.of_consent_age(cases[case_id].birth, given_on):
            add("consent_young", "yes" if young else "no", given_on, case_id)
    areas = {title.strip().lower(): template.area for template in guide.measures.values()
             for title in template.title.by_lang.values()}
    for case_id, start, what, service in db.session.execute(
            select(Plan.case_id, Measure.start_on, Measure.what, Measure.service_key)
            .join(Plan, Plan.id == Measure.plan_id)):
        add("measure_area", areas.get((what or "").strip().lower(), "other"), start, case_id)
        add("measure_service", service, start, case_id)


# The summary's grains beside the detailed cells (grain ""): the same counts summed over what the unfiltered page
# of the whole municipality does not split by, keeping (the age group, the level): nothing ("whole"), the age
# group alone ("age"), the level alone ("level"). A summed cell keeps its metric, key and month; its unit is None,
# its service "", and its age group "" and level 0 where it is summed over them.
SUMMED_GRAINS = {"whole": (False, False), "age": (True, False), "level": (False, True)}


def in_grains(cells: Counter) -> dict[str, Counter]:
    """`cells` (keyed as compute() keys them) in the detailed grain and in each of SUMMED_GRAINS. Pure."""
    out = {"": cells}
    for grain, (keep_age, keep_level) in SUMMED_GRAINS.items():
        summed: Counter = Counter()
        for (m, k, mo, _u, _s, a, lv), n in cells.items():
            summed[(m, k, mo, None, "", a if keep_age else "", lv if keep_level else 0)] += n
        out[grain] = summed
    return out


def refresh(guide: Guide | None = None) -> StatRun:
    """Recompute the whole summary in one transaction and log the run; returns the run."""
    started = time.perf_counter()
    cells = compute(guide or current_guide())
    db.session.execute(delete(StatCell))
    years: Counter = Counter()
    for (m, k, mo, u, s, a, lv), n in cells.items():  # whole years summed too: long periods read few rows
        years[(m, k, date(mo.year, 1, 1), u, s, a, lv)] += n
    mid = current_municipality().id  # a bulk insert is not stamped by the session: the municipality is named here
    rows = [dict(municipality_id=mid, grain=grain, metric=m, key=k, month=mo, months=span, unit_id=u,
                 service_key=s, age_group=a, level=lv, count=n)
            for span, counted in ((1, cells), (12, years))
            for grain, summed in in_grains(counted).items() for (m, k, mo, u, s, a, lv), n in summed.items()]
    for start in range(0, len(rows), 5000):
        db.session.execute(insert(StatCell), rows[start:start + 5000])
    run = StatRun(cells=len(rows), seconds=round(time.perf_counter() - started, 2))
    db.session.add(run)
    db.session.commit()
    settle_summary()
    return run


def settle_summary() -> None:
    """PostgreSQL: vacuum and analyse the summary a refresh has just rewritten. Its rows are all new then: not
    yet in the visibility map, so every "index-only" read of the page still visited each row in the table
    (5 822 buffers, 20 ms for the monthly series at 1 000 children, growing with the cells), and unknown to the
    planner (estimated at one row). Afterwards the page reads the covering index alone (docs/benchmarks.md,
    "The statistics page on PostgreSQL"). Without the table's ownership PostgreSQL only warns; SQLite needs
    nothing (its planner reads the index either way)."""
    if db.engine.dialect.name != "postgresql":
        return
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM (ANALYZE) stat_cell"))
