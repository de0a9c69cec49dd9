"""Scale data: a large municipality's children, cases, plans, timelines and audit trail, in bulk.

`tik seed-scale --children N` fills an EMPTY database (it never mixes synthetic children with real ones)
in bulk: rows are built in Python as the services would have written them and written in batches
(PostgreSQL's COPY from a thread of its own while the next batch is built; SQLite's executemany). Cases
walk the guidebook in use, so every step, level and decision is one the guide has; references, each year's
counter, participants (invited from the services a consent covers; the old holder after a handover),
timelines and audit events are what the services make; the audit trail is sealed in Python exactly as the
audit sequencer does (keyed with TIK_AUDIT_KEY, the head anchored) and `tik audit verify` passes; the
statistics are refreshed at the end. National ids are synthetic test numbers (month + 80), never real ones.

Proportions: concerns arrive evenly over six years; a case reaches level 0/1/2/3 in 53/30/13/4 % of
cases and runs 10–60, 60–300, 120–540 or 240–800 days, so what is open today is what such a stream
leaves open: about 9 of 10 cases are closed, and the open ones stand at level 0/1/2/3 in roughly
13/40/31/15 %. 13 % of children have had more than one case (never two open). One user, `skala`
(school, coordinator), holds the same 15 open and 10 closed cases whatever N is, for benchmarks.
"""

from __future__ import annotations

import hashlib
import hmac
import queue
import random
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import func, select, text

from tik import crypto
from tik.audit.chain import GENESIS, anchor, audit_key, link
from tik.audit.models import AuditEvent
from tik.auth.models import Role, User
from tik.auth.service import hash_password
from tik.cases.consent import CONSENT_LASTS
from tik.cases.models import (
    Case,
    CaseCounter,
    CaseEvent,
    CaseParticipant,
    CaseStatus,
    Consent,
    ConsentForm,
    ConsentService,
    EventKind,
    Handover,
    HandoverStatus,
)
from tik.cases.steps import level_deadline
from tik.clock import now
from tik.concerns.models import Child, Concern, Guardian, ReportDraft, Urgency, name_key
from tik.extensions import db
from tik.guidebook import current_guide, pin_current_guide
from tik.guides.model import Guide, Step
from tik.municipalities import current_municipality
from tik.org.models import Unit, UnitLeader
from tik.plans.models import Measure, MeasureStatus, Plan, PlanRevision
from tik.stats.refresh import refresh

# The one password of the synthetic users, printed by the command: scale data is never real data.
PASSWORD = "tik-skala-2026"  # nosec B105
BENCH_USER = "skala"
BATCH_CASES = 5000
CHILDREN_PER_USER = 25
HISTORY_DAYS = 6 * 365  # TIK has been in use for six years
LEVEL_REACHED = (0.53, 0.30, 0.13, 0.04)  # the highest level a case reaches
DURATION_DAYS = ((10, 60), (60, 300), (120, 540), (240, 800))  # how long a case at that level runs
EXTRA_CASES = ((1, 0.87), (2, 0.11), (3, 0.02))
INVITED = 0.4  # the share of cases with a consent whose holder invites people of the covered services
REMOVED = 0.2  # the share of those invited who are removed again later
SERVICE_WEIGHTS = {"school": 30, "kindergarten": 20, "health-nurse": 12, "youth-service": 5, "ppt": 5,
                   "child-welfare": 5, "family-team": 4, "mental-health": 4, "culture-leisure": 3, "bup": 3,
                   "nav": 3, "gp": 2, "ot": 2, "police-slt": 1}
REPORTING_SERVICES = {"school": 45, "kindergarten": 30, "health-nurse": 15, "youth-service": 5, "gp": 5}
FIRST = ("Emma Nora Olivia Ella Sofie Leah Frida Ingrid Sara Maja Astrid Ida Tiril Hedda Linnea Amalie Selma "
         "Noah Oskar Lucas Jakob Filip Emil Aksel Henrik Isak Liam William Magnus Johannes Theo Elias Sander "
         "Mohammed Ali Amina Yasmin Zofia Aleksander Nikola Huda Abdi Fatima Olena Dmytro Maryam Omar Hanna "
         "Mathias Jonas Tobias Vilde Julie Marius Kasper Mia Eline").split()
LAST = ("Hansen Johansen Olsen Larsen Andersen Pedersen Nilsen Kristiansen Jensen Karlsen Johnsen Pettersen "
        "Eriksen Berg Haugen Hagen Johannessen Andreassen Jacobsen Dahl Jørgensen Henriksen Lund Halvorsen "
        "Sørensen Jakobsen Moen Gundersen Iversen Strand Solberg Svendsen Eide Knutsen Martinsen Paulsen "
        "Bakken Kristoffersen Mathisen Lie Ahmed Ali Mohamed Hussein Nowak Kowalski Nguyen Tran Kovalenko "
        "Shevchenko Abdi Yusuf Haile Aas Bråten Grønli Fjeld Myhre").split()
LANGUAGES = {"nb": 80, "nn": 3, "en": 5, "pl": 4, "ar": 3, "so": 2, "uk": 2, "ti": 1}
OBSERVATIONS = (
    "Sover i timene og har ofte ikke med matpakke.", "Trekker seg unna de andre i friminuttene.",
    "Har vært borte mye den siste måneden, ofte mandager.", "Virker redd når det er tid for å gå hjem.",
    "Utbrudd av sinne flere ganger i uka, slår når hun blir frustrert.", "Har gått ned i vekt og spiser lite.",
    "Forteller at mor er syk og at han passer småsøsknene.", "Blir ikke hentet til avtalt tid.",
    "Bruker mye tid alene på nett om natta, trøtt på skolen.", "Snakker lite og gråter lett i barnehagen.",
    "Har sluttet på fotballen og vil ikke være med venner.", "Lukter røyk og har vært ruset på en fest.",
)
SENTENCES = (
    "Vi ble enige om å møtes igjen om tre uker.", "Barnet sier det er slitsomt hjemme for tiden.",
    "Foreldrene ønsker hjelp og er positive til samarbeid.", "Helsesykepleier følger opp med samtaler.",
    "Skolen lager en plan for oppmøte med morgenkontakt.", "Det er bedre i klassen, men fortsatt fravær.",
    "Mor forteller om økonomiske bekymringer.", "Far ønsker at PPT kobles inn.",
    "Han vil gjerne være med på fritidsklubben.", "Hun sier at hun trives bedre nå.",
)
GOALS = ("Gå på skolen hver dag og ha en voksen å snakke med.", "Sove og spise bedre, og ha venner å være med.",
         "Trygg hverdag hjemme og på skolen.", "Mindre fravær og mestring i fagene.")
SCHOOLS = {(0, 5): ("Solsikken barnehage", "Fjordvik barnehage", "Lia barnehage"),
           (6, 12): ("Fjordvik barneskole", "Sjøsiden skole", "Haugen skole"),
           (13, 15): ("Fjordvik ungdomsskole", "Nordby ungdomsskole"),
           (16, 19): ("Fjordvik videregående skole",), (20, 24): ("",)}
EPOCH = datetime(2000, 1, 1)
# The bench user's fixed portfolio (open?, level): 15 open at levels 0–3 and 10 closed, whatever N is.
BENCH_PORTFOLIO = [(True, lv) for lv, k in enumerate((5, 5, 3, 2)) for _ in range(k)] + [(False, 0)] * 10


class ScaleError(RuntimeError):
    """The scale data cannot be loaded here; the message says why."""


@dataclass
class PlannedCase:
    """What one case will look like, decided before ids are given out (ids follow the opening time)."""

    child: int
    opened: datetime
    open: bool
    level: int
    end: str | None = None
    closed: datetime | None = None
    holder: int | None = None  # a fixed holder (the bench user), else one of the owning service
    service: str = ""
    id: int = 0
    ref: str = ""


@dataclass
class Batch:
    """The rows of one batch of cases, table by table."""

    rows: dict = field(default_factory=lambda: defaultdict(list))

    def add(self, model, **row) -> dict:
        self.rows[model.__table__].append(row)
        return row


class Seeder:
    """Builds and inserts the scale data; ids are counted here, so each row is written once."""

    def __init__(self, children: int, seed: int, echo=print) -> None:
        self.n = children
        # Synthetic data, not secrets: a seeded generator makes runs repeatable.
        self.rng = random.Random(seed)  # nosec B311
        self.echo = echo
        self.guide: Guide = current_guide()
        self.now = now().replace(microsecond=0)
        self.next_id: dict = defaultdict(lambda: 1)
        self.audit: list[int] = []  # packed (time, case, user, action) so two million events sort cheaply
        self.actions: dict[tuple[str, str], int] = {}
        self.paths: dict = {}
        self.counts: dict[str, int] = defaultdict(int)
        self.consent_holds = True  # whether the consent just recorded still holds (not withdrawn)

    # -- ids, time, choices ----------------------------------------------------------------------------

    def id(self, model) -> int:
        value = self.next_id[model]
        self.next_id[model] = value + 1
        return value

    def pick(self, weights: dict):
        return self.rng.choices(list(weights), weights=list(weights.values()))[0]

    def between(self, start: datetime, end: datetime) -> datetime:
        span = max(int((end - start).total_seconds()), 1)
        return start + timedelta(seconds=self.rng.randrange(span))

    def spread(self, start: datetime, end: datetime, count: int) -> list[datetime]:
        """`count` times in order between start and end, as the steps of a case happen."""
        return sorted(self.between(start, end) for _ in range(count))

    def audit_event(self, at: datetime, user: int, action: str, case: PlannedCase | None = None,
                    detail: str = "") -> None:
        code = self.actions.setdefault((action, detail), len(self.actions))
        seconds = int((at - EPOCH).total_seconds())
        self.audit.append((seconds << 72) | ((case.id if case else 0) << 40) | (user << 16) | code)

    # -- users -------------------------------------------------------------------------------------------

    def users(self) -> None:
        services = list(self.guide.services)
        self.home = "school" if "school" in services else services[0]
        weights = {k: SERVICE_WEIGHTS.get(k, 2) for k in services}
        total = max(len(services) * 3, self.n // CHILDREN_PER_USER)
        password_hash = hash_password(PASSWORD)  # one argon2 hash: thousands would take minutes
        self.by_service: dict[str, list[int]] = defaultdict(list)
        self.user_rows: dict[int, dict] = {}
        # One unit per service (a municipality has more; access by unit works the same at any count).
        self.unit_of = {service: i + 1 for i, service in enumerate(services)}
        self.unit_rows = [dict(id=uid, key=f"{service}-skala", name=f"{service} (skala)", service_key=service)
                          for service, uid in self.unit_of.items()]
        self.leader_rows: list[dict] = []
        plan = [self.home] + [k for k in services for _ in range(2)]  # every service has people
        plan += [self.pick(weights) for _ in range(total - len(plan))]
        for i, service in enumerate(plan):
            uid = self.id(User)
            first, last = self.rng.choice(FIRST), self.rng.choice(LAST)
            roles = {Role.EMPLOYEE}
            if i == 0 or self.rng.random() < 0.3:
                roles.add(Role.COORDINATOR)
            if self.rng.random() < 0.1:
                roles.add(Role.TEAM)
            if len(self.by_service[service]) == 1:
                roles.add(Role.LEADER)
                self.leader_rows.append(dict(unit_id=self.unit_of[service], user_id=uid))
            self.user_rows[uid] = dict(
                id=uid, username=BENCH_USER if i == 0 else f"{service}-{uid:05d}", name=f"{first} {last}",
                title="", email=f"{first.lower()}.{last.lower()}.{uid}@fjordvik.kommune.no", phone="",
                service_key=service, unit_id=self.unit_of[service],
                roles=",".join(sorted(r.value for r in roles)), password_hash=password_hash,
                locale="nb", active=self.rng.random() > 0.03 or i == 0, leader_id=None, session_epoch=1,
                failed_logins=0, locked_until=None, external_issuer=None, external_subject=None,
                created_at=self.now - timedelta(days=5 * 365))
            self.by_service[service].append(uid)
        self.bench_user = 1
        # Random picks never land on the bench user, whose portfolio stays fixed.
        self.active = {s: [u for u in ids if self.user_rows[u]["active"] and u != self.bench_user]
                       for s, ids in self.by_service.items()}

    # -- planning cases ------------------------------------------------------------------------------------

    def plan_cases(self) -> list[PlannedCase]:
        """Every case's outcome and opening time; then ids and references in order of opening."""
        cases: list[PlannedCase] = []
        for child in range(self.n):
            if child < len(BENCH_PORTFOLIO):  # one case per child, so no child has two open cases
                is_open, level = BENCH_PORTFOLIO[child]
                case = self.fixed_outcome(is_open, level)
                case.child, case.holder, case.service = child, self.bench_user, self.home
                cases.append(case)
                continue
            count = self.rng.choices([c for c, _ in EXTRA_CASES], weights=[w for _, w in EXTRA_CASES])[0]
            mine = [self.outcome(self.between(self.now - timedelta(days=HISTORY_DAYS), self.now))]
            for _ in range(count - 1):  # earlier cases, closed a while before the next one opened
                before = mine[-1].opened - timedelta(days=60)
                earliest = self.now - timedelta(days=HISTORY_DAYS)
                if before <= earliest:
                    break
                mine.append(self.outcome(self.between(earliest, before), closed_by=before))
            for case in mine:
                case.child = child
            cases += mine
        cases.sort(key=lambda c: c.opened)
        per_year: dict[int, int] = defaultdict(int)
        for case in cases:
            case.id = self.id(Case)
            per_year[case.opened.year] += 1
            case.ref = f"TIK-{case.opened.year}-{per_year[case.opened.year]:04d}"
            if not case.service:
                case.service = self.pick({k: w for k, w in REPORTING_SERVICES.items() if k in self.active}
                                         or {k: 1 for k in self.active})
        return cases

    def outcome(self, opened: datetime, closed_by: datetime | None = None) -> PlannedCase:
        """A case opened at `opened`: the level it reaches and how long it runs decide whether it is
        still open today, so the open cases are those a steady stream of concerns leaves open."""
        level = self.rng.choices(range(4), weights=LEVEL_REACHED)[0]
        ends = opened + timedelta(days=self.rng.uniform(*DURATION_DAYS[level]))
        if closed_by is not None:
            ends = min(ends, closed_by)
        if ends >= self.now:
            return PlannedCase(0, opened, True, level)
        end = self.rng.choices(["closed", "child_welfare_report", "emergency"], weights=[90, 8, 2])[0]
        return PlannedCase(0, opened, False, level, end=end if end in self.guide.ends else "closed", closed=ends)

    def fixed_outcome(self, is_open: bool, level: int) -> PlannedCase:
        """A case of the bench user's portfolio: open at `level` today, or closed some time ago."""
        days = self.rng.uniform(*DURATION_DAYS[level])
        if is_open:
            return PlannedCase(0, self.now - timedelta(days=days * self.rng.uniform(0.1, 0.9)), True, level)
        opened = self.now - timedelta(days=days + self.rng.uniform(30, 700))
        return PlannedCase(0, opened, False, level, end="closed", closed=opened + timedelta(days=days))

    # -- walking the guide ----------------------------------------------------------------------------------

    def path(self, level: int, stop: int | None) -> list[tuple[Step, object]]:
        """The (step, decision) pairs that bring a new case to step `stop` of `level` (None: the last)."""
        key = (level, stop)
        if key not in self.paths:
            self.paths[key] = self._walk(level, stop)
        return self.paths[key]

    def _walk(self, target: int, stop: int | None) -> list[tuple[Step, object]]:
        steps = self.guide.steps
        target_steps = self.guide.level(target).steps
        goal = target_steps[-1 if stop is None else stop].id
        done, step = [], self.guide.start
        for _ in range(200):
            if step.id == goal:
                return done
            onward = [d for d in step.decisions if d.next and steps[d.next].level is not None]
            up = [d for d in onward if step.level < steps[d.next].level <= target]
            forward = [d for d in onward if steps[d.next].level == step.level
                       and _index(self.guide, d.next) > _index(self.guide, step.id)]
            choice = min(up, key=lambda d: steps[d.next].level) if up else (forward or onward)[0]
            done.append((step, choice))
            step = steps[choice.next]
        raise ScaleError(f"the guide has no path to {goal}")

    def closing(self, last: Step, end: str) -> list[tuple[Step, object]]:
        """How a case standing at `last` ends: the step's own close decision, a closing step, or a hard stop."""
        if end != "closed":
            stop = next(d for d in self.guide.hard_stops if d.end == end)
            return [(last, stop)]
        direct = next((d for d in last.decisions if d.end == "closed"), None)
        if direct:
            return [(last, direct)]
        via = next((d for d in last.decisions if d.next and self.guide.steps[d.next].level is None), None)
        if via is None:
            return [(last, next(d for d in self.guide.hard_stops))]
        closing_step = self.guide.steps[via.next]
        return [(last, via), (closing_step, next(d for d in closing_step.decisions if d.end))]

    # -- one case --------------------------------------------------------------------------------------------

    def build(self, case: PlannedCase, batch: Batch, child_row: dict) -> None:
        guide = self.guide
        holder = case.holder or self.rng.choice(self.active[case.service])
        reporter = holder if self.rng.random() < 0.8 else self.rng.choice(self.active[case.service])
        level_steps = guide.level(case.level).steps
        if case.open:
            first = 1 if case.level == 0 else 0
            stop = self.rng.randrange(first, len(level_steps))
            walk = self.path(case.level, stop)
            standing = level_steps[stop]
        else:
            stop = None if case.end == "closed" else self.rng.randrange(1 if case.level == 0 else 0,
                                                                        len(level_steps))
            walk = self.path(case.level, stop)
            standing = level_steps[-1 if stop is None else stop]
            walk = walk + self.closing(standing, case.end)
        end_time = self.now - timedelta(hours=self.rng.uniform(1, 48)) if case.open else case.closed
        end_time = max(end_time, case.opened + timedelta(hours=1))
        times = self.spread(case.opened + timedelta(minutes=2), end_time, len(walk) + 1)
        urgency = Urgency.NONE
        if case.end == "emergency":
            urgency = Urgency.ACUTE
        elif case.end == "child_welfare_report" and self.rng.random() < 0.5:
            urgency = Urgency.SUSPICION
        self.concern(batch, case, reporter, case.opened, urgency, attached=False)
        for _ in range(self.rng.choices((0, 1, 2), weights=(80, 15, 5))[0]):
            other = self.pick(REPORTING_SERVICES)
            if self.active.get(other):
                self.concern(batch, case, self.rng.choice(self.active[other]),
                             self.between(case.opened, end_time), Urgency.NONE, attached=True)
        consent_at = plan_at = None
        level = 0
        for (step, decision), at in zip(walk, times[1:], strict=False):
            self.step_event(batch, case, holder, step, decision, at, level)
            self.audit_event(at - timedelta(minutes=self.rng.randint(1, 30)), holder, "case.view", case)
            self.audit_event(at, holder, "case.decide", case, f"{step.id}:{decision.key}")
            if decision.next and guide.steps[decision.next].level not in (None, level):
                new_level = guide.steps[decision.next].level
                self.event(batch, case, holder, at, EventKind.LEVEL, level=new_level, data={"from_level": level})
                level = new_level
                if level >= 1 and consent_at is None:
                    consent_at, plan_at = at + timedelta(days=2), at + timedelta(days=7)
        for _ in range(self.rng.randint(0, 6)):
            viewer = self.rng.choice(self.active[case.service])
            self.audit_event(self.between(case.opened, end_time), viewer, "case.view", case)
        covered = self.consent(batch, case, holder, child_row, consent_at, end_time) if consent_at else []
        if covered and self.consent_holds:
            self.invite(batch, case, holder, covered, consent_at, end_time)
        if plan_at and plan_at < end_time and self.rng.random() < (0, 0.8, 0.95, 1)[case.level]:
            self.plan(batch, case, holder, plan_at, end_time, covered)
        if case.level >= 2 and self.rng.random() < 0.25:
            holder = self.handover(batch, case, holder, self.between(case.opened, end_time))
        elif case.open and case.level >= 1 and self.rng.random() < 0.01:
            self.pending_handover(batch, case, holder, end_time)
        if case.end == "child_welfare_report" or urgency == Urgency.SUSPICION:
            batch.add(ReportDraft, id=self.id(ReportDraft), case_id=case.id, created_by_id=holder,
                      created_at=times[-1], text=self.rng.choice(OBSERVATIONS), parents_informed=False,
                      sent_at=times[-1] if case.end == "child_welfare_report" else None)
        last_step_at = times[-1]
        deadline = None
        if case.open:
            frame = standing.time_frame_days
            deadline = (level_deadline(guide, 0, case.opened.date()) if case.level == 0
                        else (last_step_at.date() + timedelta(days=frame)) if frame else None)
        batch.add(Case, id=case.id, ref=case.ref, child_id=child_row["id"], level=case.level,
                  step_id=standing.id, status=CaseStatus.OPEN if case.open else CaseStatus.CLOSED,
                  end_key=None if case.open else case.end,
                  close_reason="" if case.open else self.rng.choice(SENTENCES),
                  coordinator_id=holder, owning_service=case.service, unit_id=self.unit_of[case.service],
                  guide_digest=guide.digest,
                  opened_at=case.opened, step_since=last_step_at, deadline=deadline,
                  closed_at=None if case.open else last_step_at, version=len(walk) + 1)

    def concern(self, batch: Batch, case: PlannedCase, by: int, at: datetime, urgency: Urgency,
                attached: bool) -> None:
        signals = self.rng.sample(self.signal_keys, k=min(len(self.signal_keys), self.rng.choice((0, 1, 2, 3))))
        concern = batch.add(Concern, id=self.id(Concern), case_id=case.id, reported_by_id=by,
                            service_key=self.user_rows[by]["service_key"], created_at=at,
                            observation=self.rng.choice(OBSERVATIONS), since_when="i høst",
                            how_often=self.rng.choice(("hver dag", "flere ganger i uka", "av og til")),
                            who_knows="", signals=signals, urgency=urgency, idempotency_key=None)
        self.event(batch, case, by, at, EventKind.CONCERN,
                   data={"concern_id": concern["id"], "urgency": urgency.value, "attached": attached})
        self.audit_event(at, by, "concern.attach" if attached else "concern.register", case)

    def event(self, batch: Batch, case: PlannedCase, by: int | None, at: datetime, kind: EventKind,
              step_id: str = "", decision: str = "", level: int | None = None, data: dict | None = None) -> None:
        batch.add(CaseEvent, id=self.id(CaseEvent), case_id=case.id, at=at, by_id=by, kind=kind, step_id=step_id,
                  decision=decision, level=level, data=data or {})

    def step_event(self, batch: Batch, case: PlannedCase, by: int, step: Step, decision, at: datetime,
                   level: int) -> None:
        values = {f.key: self.field_value(f, at) for f in step.fields if f.required or f.voice or
                  self.rng.random() < 0.5}
        voices = {f.key: f.voice for f in step.fields if f.voice and values.get(f.key)}
        kind = EventKind.CONVERSATION if voices else EventKind.STEP
        self.event(batch, case, by, at, kind, step.id, decision.key, level, {"fields": values, "voices": voices})
        if decision.end:
            end_kind = {"emergency": EventKind.EMERGENCY, "child_welfare_report": EventKind.REPORT}.get(
                decision.end, EventKind.CLOSED)
            self.event(batch, case, by, at, end_kind, step.id, decision.key,
                       data={"end": decision.end, "inform_parents": decision.inform_parents})

    def field_value(self, f, at: datetime) -> str:
        if f.kind == "date":
            return at.date().isoformat()
        if f.kind == "choice":
            return f.options[0].key if f.options else ""
        if f.kind == "services":
            return ",".join(self.rng.sample(list(self.active), k=2))
        return self.rng.choice(SENTENCES)

    def consent(self, batch: Batch, case: PlannedCase, by: int, child: dict, at: datetime,
                end_time: datetime) -> list[str]:
        if at >= end_time or (case.level == 1 and self.rng.random() > 0.7):
            return []
        others = [s for s in self.active if s != case.service]
        services = [case.service] + self.rng.sample(others, k=min(len(others), self.rng.randint(1, 3)))
        consent_id = self.id(Consent)
        given_on = at.date()
        withdrawn = self.between(at, end_time) if self.rng.random() < 0.03 else None
        self.consent_holds = withdrawn is None
        batch.add(Consent, id=consent_id, case_id=case.id, given_by=child["_guardians"],
                  young_person=self.guide.of_consent_age(child["birth_date"], given_on),
                  information="Opplysninger som trengs for å samarbeide om tiltakene.",
                  purpose="Samarbeid om tiltak for barnet", form=self.rng.choice(list(ConsentForm)),
                  given_on=given_on, expires_on=given_on + CONSENT_LASTS,
                  withdrawn_at=withdrawn,
                  recorded_by_id=by)
        for key in services:
            batch.add(ConsentService, id=self.id(ConsentService), consent_id=consent_id, service_key=key)
        self.event(batch, case, by, at, EventKind.CONSENT,
                   data={"consent_id": consent_id, "services": services, "action": "given"})
        self.audit_event(at, by, "consent.record", case)
        return services

    def invite(self, batch: Batch, case: PlannedCase, by: int, covered: list[str], at: datetime,
               end_time: datetime) -> None:
        """People of the other services the consent covers, invited by the holder (as
        tik.cases.participants.invite_participant does: a participant row, a timeline entry, an audit event);
        a few removed again later."""
        others = [s for s in covered if s != case.service and self.active.get(s)]
        if not others or self.rng.random() > INVITED:
            return
        for service in self.rng.sample(others, k=min(len(others), self.rng.randint(1, 2))):
            user = self.user_rows[self.rng.choice(self.active[service])]
            invited_at = self.between(at, end_time)
            row = batch.add(CaseParticipant, id=self.id(CaseParticipant), case_id=case.id, user_id=user["id"],
                            invited_by_id=by, invited_at=invited_at, removed_at=None, removed_reason="")
            self.event(batch, case, by, invited_at, EventKind.PARTICIPANT, data={"action": "invited",
                                                                               "user": user["name"]})
            self.audit_event(invited_at, by, "participant.invite", case, user["username"])
            if self.rng.random() < REMOVED:
                row["removed_at"], row["removed_reason"] = self.between(invited_at, end_time), "removed"
                self.event(batch, case, by, row["removed_at"], EventKind.PARTICIPANT,
                           data={"action": "removed", "user": user["name"], "reason": "removed"})
                self.audit_event(row["removed_at"], by, "participant.remove", case, user["username"])

    def plan(self, batch: Batch, case: PlannedCase, by: int, at: datetime, end_time: datetime,
             covered: list[str]) -> None:
        plan_id = self.id(Plan)
        fitting = [m for m in self.templates if case.level in m.levels] or self.templates
        measures = []
        for template in self.rng.sample(fitting, k=min(len(fitting), self.rng.randint(
                *((1, 2), (1, 3), (2, 5), (3, 8))[case.level]))):
            service = next((s for s in template.services if s in self.active), case.service)
            start = self.between(at, max(end_time, at + timedelta(days=1))).date()
            status = (self.rng.choice((MeasureStatus.DONE, MeasureStatus.ENDED)) if not case.open else
                      self.rng.choices(list(MeasureStatus), weights=(20, 65, 10, 5))[0])
            measure = batch.add(Measure, id=self.id(Measure), plan_id=plan_id, service_key=service,
                                responsible=self.user_rows[self.rng.choice(self.active[service])]["name"],
                                what=template.title.get("nb"), goal=self.rng.choice(GOALS), start_on=start,
                                evaluate_on=start + timedelta(weeks=self.rng.choice((4, 6, 8, 12))),
                                status=status, version=1)
            measures.append(measure)
            self.event(batch, case, by, at, EventKind.PLAN,
                       data={"action": "measure.added", "measure_id": measure["id"], "what": measure["what"],
                             "service": service, "revision": 1})
            self.audit_event(at, by, "measure.add", case)
        shared = self.rng.random() < 0.5
        plan = batch.add(Plan, id=plan_id, case_id=case.id, goals=self.rng.choice(GOALS),
                         child_voice=self.rng.choice(SENTENCES), parents_voice=self.rng.choice(SENTENCES),
                         internal_notes=self.rng.choice(SENTENCES), revision=1, shared=shared, updated_at=at,
                         version=len(measures) + 1)
        self.audit_event(at, by, "plan.update", case)
        for _ in range(self.rng.randint(1, 3)):
            self.audit_event(self.between(at, end_time), by, "plan.view", case)
        if shared:
            batch.add(PlanRevision, id=self.id(PlanRevision), plan_id=plan_id, number=1, created_at=at,
                      created_by_id=by, snapshot=_snapshot(plan, measures))
            self.audit_event(at + timedelta(minutes=5), by, "plan.pdf", case)

    def handover(self, batch: Batch, case: PlannedCase, holder: int, at: datetime) -> int:
        """An accepted handover to another person in the owning service; returns the new holder."""
        if case.holder:  # the bench user's cases stay with the bench user
            return holder
        to = self.rng.choice(self.active[case.service])
        if to == holder:
            return holder
        batch.add(Handover, id=self.id(Handover), case_id=case.id, from_id=holder, to_id=to, proposed_by_id=holder,
                  note=self.rng.choice(SENTENCES), status=HandoverStatus.ACCEPTED, reason="", created_at=at,
                  answered_at=at + timedelta(days=1))
        self.event(batch, case, holder, at, EventKind.HANDOVER,
                   data={"action": "proposed", "to_user": self.user_rows[to]["name"]})
        self.event(batch, case, to, at + timedelta(days=1), EventKind.HANDOVER,
                   data={"action": "accepted", "from_user": self.user_rows[holder]["name"],
                         "to_user": self.user_rows[to]["name"]})
        self.audit_event(at, holder, "handover.propose", case, self.user_rows[to]["username"])
        self.audit_event(at + timedelta(days=1), to, "handover.accept", case)
        # The one who handed the case over stays in it as a participant (tik.cases.handover.answer_handover).
        batch.add(CaseParticipant, id=self.id(CaseParticipant), case_id=case.id, user_id=holder, invited_by_id=to,
                  invited_at=at + timedelta(days=1), removed_at=None, removed_reason="")
        return to

    def pending_handover(self, batch: Batch, case: PlannedCase, holder: int, at: datetime) -> None:
        to = self.rng.choice(self.active[case.service])
        if to != holder:
            batch.add(Handover, id=self.id(Handover), case_id=case.id, from_id=holder, to_id=to,
                      proposed_by_id=holder, note=self.rng.choice(SENTENCES), status=HandoverStatus.PENDING,
                      reason="", created_at=at, answered_at=None)
            self.audit_event(at, holder, "handover.propose", case, self.user_rows[to]["username"])

    # -- children ----------------------------------------------------------------------------------------------

    def child(self, batch: Batch, first_case: PlannedCase) -> dict:
        group = self.rng.choices(list(SCHOOLS), weights=(25, 40, 20, 12, 3))[0]
        age = self.rng.randint(*group)
        birth = first_case.opened.date() - timedelta(days=age * 365 + self.rng.randrange(365))
        school = self.rng.choice(SCHOOLS[group])
        last = self.rng.choice(LAST)
        first = self.rng.choice(FIRST)
        row = batch.add(Child, id=self.id(Child), first_name=first, last_name=last,
                        first_name_key=name_key(first), last_name_key=name_key(last),
                        birth_date=birth, gender=self.rng.choice(("girl", "boy", "boy", "girl", "other", "")),
                        nin_encrypted=None, nin_lookup=None, school=school,
                        class_name=f"{max(1, age - 5)}{self.rng.choice('ABC')}" if 6 <= age <= 19 else "",
                        created_at=first_case.opened)
        if self.rng.random() < 0.6:
            nin = synthetic_nin(birth, self.rng)
            row["nin_encrypted"], row["nin_lookup"] = crypto.encrypt(nin), crypto.lookup_hash(nin)
        names = []
        for relation in ("mor", "far")[: self.rng.choices((1, 2), weights=(30, 70))[0]]:
            name = f"{self.rng.choice(FIRST)} {last}"
            names.append(name)
            batch.add(Guardian, id=self.id(Guardian), child_id=row["id"], name=name, relation=relation,
                      phone=f"4{self.rng.randrange(10**7):07d}", language=self.pick(LANGUAGES),
                      informed=True, not_informed_reason="")
        return {**row, "_guardians": ", ".join(names)}

    # -- the whole run -----------------------------------------------------------------------------------------

    def run(self) -> dict[str, int]:
        started = time.perf_counter()
        self.signal_keys = list(self.guide.signals)
        self.templates = list(self.guide.measures.values())
        pin_current_guide()
        db.session.commit()
        self.users()
        writer = self.writer = Writer()
        try:
            self.write(Unit.__table__, self.unit_rows)
            self.write(User.__table__, list(self.user_rows.values()))
            self.write(UnitLeader.__table__, self.leader_rows)
            self.lap("users", started)
            cases = self.plan_cases()
            self.write(CaseCounter.__table__, self.counter_rows(cases))
            self.lap(f"planned {len(cases)} cases", started)
            self.write_cases(cases)
            self.lap("children, cases, timelines, plans", started)
            head = self.write_audit(cases)
        finally:
            writer.close()
        if head:
            anchor(*head)
        self.lap(f"audit trail ({len(self.audit)} events, hash-chained)", started)
        _reset_sequences()
        self.counts["user"] = len(self.user_rows)
        return dict(self.counts)

    def write(self, table, rows: list[dict]) -> None:
        db.session.commit()  # this thread holds no transaction (on SQLite, a lock) while the writer writes
        self.writer.put(table, rows)
        self.counts[table.name] += len(rows)

    def counter_rows(self, cases: list[PlannedCase]) -> list[dict]:
        """Each year's reference counter at the last number given out (tik.cases.steps.next_reference)."""
        last: dict[int, int] = {}
        for case in cases:
            last[case.opened.year] = max(last.get(case.opened.year, 0), int(case.ref.rsplit("-", 1)[1]))
        return [dict(year=year, last=number) for year, number in sorted(last.items())]

    def write_cases(self, cases: list[PlannedCase]) -> None:
        children: dict[int, dict] = {}
        for start in range(0, len(cases), BATCH_CASES):
            batch = Batch()
            for case in cases[start:start + BATCH_CASES]:
                if case.child not in children:
                    children[case.child] = self.child(batch, case)
                self.build(case, batch, children[case.child])
            for table in db.metadata.sorted_tables:
                rows = batch.rows.get(table)
                if rows:
                    self.write(table, rows)
            # A child is only needed while its cases are built; cases come in time order, so keep it small.
            if len(children) > 4 * BATCH_CASES:
                later = {c.child for c in cases[start + BATCH_CASES:]}
                children = {k: v for k, v in children.items() if k in later}

    def write_audit(self, cases: list[PlannedCase]) -> tuple[int, int, str] | None:
        """Sort every audit event by time and write the hash chain in order, as audit.record would have;
        returns the chain's head to anchor once it is written."""
        refs = {c.id: c.ref for c in cases}
        codes = {code: key for key, code in self.actions.items()}
        self.audit.sort()
        prev = GENESIS
        key = audit_key()
        # tik.audit.chain's keyed digests, with the key's HMAC state made once and copied per digest (the
        # first row is checked against chain.link itself, so a change of the chain's format stops the seeder).
        base = hmac.new(key, b"tik-audit-v2\x1f", hashlib.sha256)
        bodies: dict[tuple[str, str], str] = {}

        def mac(*parts: str) -> str:
            digest = base.copy()
            digest.update("\x1f".join(parts).encode())
            return digest.hexdigest()

        rows: list[dict] = []
        mask16, mask24, mask32 = (1 << 16) - 1, (1 << 24) - 1, (1 << 32) - 1
        addresses = {uid: f"10.20.{uid // 250}.{uid % 250 + 1}" for uid in self.user_rows}
        event_id = 0
        for packed in self.audit:
            action, detail = codes[packed & mask16]
            user = self.user_rows[(packed >> 16) & mask24]
            case_id = (packed >> 40) & mask32
            event_id += 1
            case_ref = refs.get(case_id, "")
            row = dict(id=event_id, at=EPOCH + timedelta(seconds=packed >> 72), user_id=user["id"],
                       username=user["username"], service_key=user["service_key"], action=action,
                       case_id=case_id or None, case_ref=case_ref, remote_addr=addresses[user["id"]], detail=detail,
                       redacted=None)
            if event_id == 1:
                expected = link(key, dict(row), event_id, prev)
            body = bodies.get((case_ref, detail))
            if body is None:
                body = bodies[(case_ref, detail)] = mac("body", case_ref, detail)
                if len(bodies) > 100_000:
                    bodies.clear()
            number = str(event_id)
            digest = mac("row", number, number, prev, row["at"].isoformat(), str(user["id"]), user["username"],
                         user["service_key"], action, str(case_id or ""), row["remote_addr"], body)
            row.update(seq=event_id, prev_hash=prev, body_digest=body, hash=digest)
            if event_id == 1 and digest != expected:
                raise ScaleError("the seeder's audit chain differs from tik.audit.chain.link")
            prev = digest
            rows.append(row)
            if len(rows) == 20_000:
                self.write(AuditEvent.__table__, rows)
                rows = []
        self.write(AuditEvent.__table__, rows)
        return (event_id, event_id, prev) if event_id else None

    def lap(self, what: str, started: float) -> None:
        self.echo(f"  {time.perf_counter() - started:7.1f} s  {what}")


def _index(guide: Guide, step_id: str) -> int:
    step = guide.steps[step_id]
    return next(i for i, s in enumerate(guide.level(step.level).steps) if s.id == step_id)


def _snapshot(plan: dict, measures: list[dict]) -> dict:
    """The revision's frozen copy, shaped as tik.plans.service.snapshot makes it."""
    return {"revision": plan["revision"], "goals": plan["goals"], "child_voice": plan["child_voice"],
            "parents_voice": plan["parents_voice"],
            "measures": [{"id": m["id"], "service_key": m["service_key"], "responsible": m["responsible"],
                          "what": m["what"], "goal": m["goal"], "start_on": m["start_on"].isoformat(),
                          "evaluate_on": m["evaluate_on"].isoformat(), "status": m["status"].value}
                         for m in measures]}


def synthetic_nin(birth: date, rng: random.Random) -> str:
    """A synthetic test national id (Skatteetaten: month + 80) with valid control digits; never a real one."""
    from tik.identity.nin import W1, W2

    while True:
        individual = rng.randrange(500, 1000) if birth.year >= 2000 else rng.randrange(0, 500)
        digits = [int(c) for c in f"{birth.day:02d}{birth.month + 80:02d}{birth.year % 100:02d}{individual:03d}"]
        k1 = (11 - sum(w * d for w, d in zip(W1, digits, strict=False)) % 11) % 11
        if k1 == 10:
            continue
        digits.append(k1)
        k2 = (11 - sum(w * d for w, d in zip(W2, digits, strict=False)) % 11) % 11
        if k2 == 10:
            continue
        return "".join(map(str, digits + [k2]))


class Writer:
    """Writes rows in bulk, in the order given, one transaction per slice. PostgreSQL: COPY from a thread of its
    own, so that the server works while the next batch is built; each value goes through its column type's own
    bind processor and a column a row leaves out gets the model's default, so the stored rows are the ones a
    Core insert would have written. SQLite: Core's executemany in the seeding thread (a thread of its own and
    plain tuples measured slower there: one write lock, and the GIL). Rows of a table held to a municipality go
    to the current one (tik/municipalities)."""

    SLICE = 20_000

    def __init__(self) -> None:
        self.engine = db.engine
        self.municipality = current_municipality().id
        db.session.commit()  # the municipality's row, if it was just made, before the writer's connection writes
        self.queue: queue.Queue = queue.Queue(maxsize=3)
        self.error: BaseException | None = None
        self.thread = None
        if self.engine.dialect.name == "postgresql":
            self.thread = threading.Thread(target=self._work, name="seed-scale-writer", daemon=True)
            self.thread.start()

    def put(self, table, rows: list[dict]) -> None:
        if self.error is not None:
            raise self.error
        if rows and self.thread is None:
            self.insert(table, rows)
        elif rows:
            self.queue.put((table, rows))

    def close(self) -> None:
        """Wait until everything given is written; raises what the writer met."""
        if self.thread is None:
            return
        self.queue.put(None)
        self.thread.join()
        if self.error is not None:
            raise self.error

    def _work(self) -> None:
        while (item := self.queue.get()) is not None:
            if self.error is None:  # after an error, only drain, so that put() and close() never block
                try:
                    self.insert(*item)
                except BaseException as error:  # handed to the seeding thread by put() and close()
                    self.error = error

    def insert(self, table, rows: list[dict]) -> None:
        dialect = self.engine.dialect
        if "municipality_id" in table.c:
            rows = [{"municipality_id": self.municipality, **row} for row in rows]
        if dialect.name != "postgresql":
            for start in range(0, len(rows), self.SLICE):
                with self.engine.begin() as conn:
                    conn.execute(table.insert(), rows[start:start + self.SLICE])
            return
        given = set().union(*(row.keys() for row in rows[:50]))
        columns = [c for c in table.c if c.name in given or c.default is not None]
        defaults = {c.name: _default(c) for c in columns if c.name not in given}
        processors = [(c.name, c.type._cached_bind_processor(dialect)) for c in columns]

        def values(row: dict) -> tuple:
            out = []
            for name, process in processors:
                value = row[name] if name in row else defaults[name]()
                out.append(process(value) if process is not None and value is not None else value)
            return tuple(out)

        names = ", ".join(f'"{c.name}"' for c in columns)  # names from the models' metadata, never from input
        for start in range(0, len(rows), self.SLICE):
            part = [values(row) for row in rows[start:start + self.SLICE]]
            raw = self.engine.raw_connection()
            try:
                cursor = raw.cursor()
                with cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
                    for row in part:
                        copy.write_row(row)
                cursor.close()
                raw.commit()
            finally:
                raw.close()


def _default(column):
    """A column's model default as a function of nothing (a scalar, or the callable the model names)."""
    default = column.default
    if default.is_scalar:
        return lambda: default.arg
    return lambda: default.arg(None)


def _reset_sequences() -> None:
    """PostgreSQL: the id sequences continue after the ids written here (SQLite needs nothing)."""
    if db.engine.dialect.name != "postgresql":
        return
    with db.engine.begin() as conn:
        for table in db.metadata.sorted_tables:
            pk = list(table.primary_key.columns)
            if len(pk) == 1 and pk[0].autoincrement in (True, "auto") and pk[0].type.python_type is int:
                # Table and column names come from the models' metadata, never from input.
                name, column = table.name, pk[0].name
                last = f'SELECT MAX("{column}") FROM "{name}"'  # nosec B608
                conn.execute(text(f"SELECT setval(pg_get_serial_sequence('\"{name}\"', '{column}'), "
                                  f"COALESCE(({last}), 0) + 1, false)"))
        conn.execute(text("ANALYZE"))


def seed(children: int, seed: int = 2026, echo=print) -> dict[str, int]:
    """Fill an empty database with `children` children and everything around them; rows per table.

    Raises ScaleError when the database already holds users, children or cases.
    """
    for model in (User, Child, Case):
        if db.session.scalar(select(func.count()).select_from(model)):
            raise ScaleError(f"the database already has {model.__tablename__} rows; "
                             "scale data goes into an empty database only")
    started = time.perf_counter()
    counts = Seeder(children, seed, echo).run()
    counts["stat_cell"] = refresh().cells  # what the night's `tik stats refresh` would have left
    db.session.commit()  # reading the run began a transaction (on SQLite one that holds the write lock)
    echo(f"  {time.perf_counter() - started:7.1f} s  statistics refreshed ({counts['stat_cell']} cells)")
    if db.engine.dialect.name == "sqlite":
        with db.engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")
    return counts


@click.command("seed-scale")
@click.option("--children", type=click.IntRange(1), default=1000, show_default=True)
@click.option("--seed", "random_seed", type=int, default=2026, show_default=True, help="The random seed.")
@with_appcontext
def seed_scale_command(children: int, random_seed: int) -> None:
    """Fill an EMPTY database with synthetic scale data (benchmarks, load tests; never production)."""
    if current_app.config["TIK_ENV"] == "production":
        raise click.ClickException("seed-scale makes synthetic children; it refuses to run with TIK_ENV=production")
    started = time.perf_counter()
    click.echo(f"Lager skaladata for {children} barn …")
    try:
        counts = seed(children, random_seed, echo=click.echo)
    except ScaleError as error:
        raise click.ClickException(str(error)) from None
    for name, count in sorted(counts.items()):
        click.echo(f"  {name:<16} {count:>10}")
    click.echo(f"Ferdig på {time.perf_counter() - started:.1f} s. Alle brukere har passordet {PASSWORD}; "
               f"«{BENCH_USER}» (skole, koordinator) holder 15 åpne saker.")
