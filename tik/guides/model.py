"""The guidebook as typed, immutable objects. Pure Python: nothing here knows about Flask."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

DEFAULT_LANGUAGE = "nb"
FIELD_KINDS = ("text", "textarea", "date", "choice", "services")
VOICES = ("child", "parents")
EFFECTS = ("individual_plan", "child_coordinator")
# Where a field's value may come from, so nothing is asked twice (the user can still edit it).
CARRY_SOURCES = ("concern.observation", "concern.since_when", "concern.how_often", "meeting.date",
                 "meeting.participants", "plan.summary")


@dataclass(frozen=True)
class Text:
    """A text given in several languages."""

    by_lang: Mapping[str, str]

    def get(self, lang: str | None = None) -> str:
        """The text in `lang`, else in bokmål, else in any language the guidebook has."""
        for candidate in (lang, DEFAULT_LANGUAGE):
            if candidate and self.by_lang.get(candidate):
                return self.by_lang[candidate]
        return next(iter(self.by_lang.values()), "")

    __call__ = get


@dataclass(frozen=True)
class Option:
    key: str
    label: Text


@dataclass(frozen=True)
class Field:
    """Something a step asks the user to record."""

    key: str
    label: Text
    kind: str
    required: bool = False
    voice: str | None = None
    hint: Text | None = None
    options: tuple[Option, ...] = ()
    effect: str | None = None  # what answering "yes" does to the plan (see EFFECTS)
    carry: str | None = None  # filled from what TIK already knows (see CARRY_SOURCES)


@dataclass(frozen=True)
class Decision:
    """A way out of a step: to a next step, or to an end."""

    key: str
    label: Text
    next: str | None = None
    end: str | None = None
    requires: tuple[str, ...] = ()
    hard_stop: bool = False
    guidance: str | None = None
    inform_parents: bool = True
    resume: bool = False  # only on the waiting-for-child-welfare step: the case goes on where it was


@dataclass(frozen=True)
class Step:
    id: str
    level: int | None  # None for closing steps: the case keeps its level
    title: Text
    role: str
    guidance: str
    tools: tuple[str, ...] = ()
    fields: tuple[Field, ...] = ()
    decisions: tuple[Decision, ...] = ()
    time_frame_days: int | None = None
    faces_family: bool = False  # talks with the parents, consent, family meetings, letters: never while waiting

    def field(self, key: str) -> Field | None:
        return next((f for f in self.fields if f.key == key), None)


@dataclass(frozen=True)
class Level:
    number: int
    title: Text
    summary: Text
    requires_consent: bool
    steps: tuple[Step, ...]


@dataclass(frozen=True)
class Tool:
    key: str
    title: Text
    body: Text  # Markdown


@dataclass(frozen=True)
class End:
    key: str
    title: Text
    closes_case: bool = True  # a report or the emergency routine leaves the case open unless the guide says so


@dataclass(frozen=True)
class EmergencyNumber:
    key: str
    name: Text
    number: str


@dataclass(frozen=True)
class Signal:
    key: str
    category: str
    text: Text


@dataclass(frozen=True)
class AgeGroup:
    key: str
    title: Text
    ages: tuple[int, int]
    signals: tuple[Signal, ...]


@dataclass(frozen=True)
class Service:
    key: str
    name: Text
    offers: Text
    kind: str
    consent: Text
    contact: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class MeasureTemplate:
    key: str
    area: str
    title: Text
    description: Text
    services: tuple[str, ...]
    levels: tuple[int, ...]


@dataclass(frozen=True)
class MeasureArea:
    key: str
    title: Text
    measures: tuple[MeasureTemplate, ...]


LETTER_TEXTS = ("why", "why_young", "interpreter", "contact", "closing")
LETTER_PLACEHOLDERS = ("child", "holder", "municipality")  # filled when the letter is printed


@dataclass(frozen=True)
class Letter:
    """How the family letter is worded and when it lists the emergency numbers (guidebook: letter.yaml)."""

    texts: Mapping[str, Text] = field(default_factory=dict)  # keys from LETTER_TEXTS; else TIK's defaults
    emergency_levels: tuple[int, ...] = ()
    emergency_services: tuple[str, ...] = ()

    def text(self, key: str, lang: str) -> str | None:
        """The guidebook's own wording of `key` in exactly `lang`, or None (TIK's catalogue text is used)."""
        text = self.texts.get(key)
        return text.by_lang.get(lang) if text else None

    def needs_emergency_numbers(self, level: int, services: Iterable[str]) -> bool:
        """True when the plan is at a level, or involves a service, for which the guidebook lists them."""
        return level in self.emergency_levels or bool(set(services) & set(self.emergency_services))


# The kinds of entry on a case's timeline (the values of tik.cases.models.EventKind; a test keeps the two equal).
TIMELINE_KINDS = ("concern", "step", "decision", "conversation", "level", "consent", "plan", "handover",
                  "participant", "report", "details", "feedback", "emergency", "closed", "reopened", "archived",
                  "restricted", "legal_hold", "family")
# The kinds of entry that have their own wording for the family on "Min familie" (tik/family/timeline.py): a
# whitelist. Everything else never reaches the family, whatever a guidebook says (`tik guide check` refuses
# it): the report to child welfare and its draft, the emergency routine, the waiting for child welfare, the
# leader's feedback, participants, corrections of details, restrictions, archive prints.
FAMILY_KINDS = ("concern", "step", "conversation", "level", "consent", "plan", "handover", "closed", "reopened",
                "family")


@dataclass(frozen=True)
class Lifecycle:
    """After closing: how long a case can be reopened, and when its working copy is deleted."""

    reopen_within_days: int = 90
    delete_after_months: int = 24


@dataclass(frozen=True)
class Guide:
    """A validated guidebook. `digest` is the content hash a case pins."""

    id: str
    title: Text
    version: str
    digest: str
    languages: tuple[str, ...]
    consent_age: int
    team_service: str | None
    emergency_numbers: tuple[EmergencyNumber, ...]
    ends: Mapping[str, End]
    hard_stops: tuple[Decision, ...]
    tools: Mapping[str, Tool]
    levels: tuple[Level, ...]
    closing_title: Text
    closing: tuple[Step, ...]
    guidance: Mapping[str, Text]  # guidance key -> Markdown per language
    age_groups: tuple[AgeGroup, ...]
    services: Mapping[str, Service]
    measure_areas: tuple[MeasureArea, ...]
    consent_withdrawn: Step | None = None  # replaces the current step while a consent level has no consent
    letter: Letter = Letter()
    report_feedback_days: int = 21  # when to remind the reporter to ask child welfare for feedback
    family_ends: Decision | None = None  # "the family says no / ends the cooperation", offered at every step
    # The timeline entry kinds guardians and young people see on "Min familie" (guide.yaml: family.timeline).
    family_timeline: frozenset[str] = frozenset()
    # The suspicion path: replaces the case's step while it waits for child welfare's answer (guide.yaml:
    # child_welfare_wait); nothing that faces the family is reachable from it.
    child_welfare_wait: Step | None = None

    @property
    def deadline_days(self) -> int | None:
        """The level 0 decision deadline in days (the last time frame of level 0)."""
        frames = [s.time_frame_days for s in self.levels[0].steps if s.time_frame_days] if self.levels else []
        return frames[-1] if frames else None

    def of_consent_age(self, birth: date, on: date) -> bool:
        """The one consent-age rule: a child born on `birth` has reached the guidebook's consent age on `on`
        (and consents themself). Callers say which day counts: the day a consent was given, or today."""
        return age_on(birth, on) >= self.consent_age

    def is_consent_step(self, step: Step) -> bool:
        """A step that records the consent: it asks which services the consent covers."""
        return any(f.kind == "services" for f in step.fields)
    lifecycle: Lifecycle = field(default_factory=lambda: Lifecycle())  # the defaults when guide.yaml has none

    @property
    def start(self) -> Step:
        """The first step of level 0: where every case begins."""
        return self.levels[0].steps[0]

    @property
    def steps(self) -> dict[str, Step]:
        all_steps = [s for level in self.levels for s in level.steps] + list(self.closing)
        if self.consent_withdrawn is not None:
            all_steps.append(self.consent_withdrawn)
        if self.child_welfare_wait is not None:
            all_steps.append(self.child_welfare_wait)
        return {s.id: s for s in all_steps}

    def step(self, step_id: str) -> Step:
        return self.steps[step_id]

    def level(self, number: int) -> Level:
        return next(level for level in self.levels if level.number == number)

    def decisions(self, step: Step) -> tuple[Decision, ...]:
        """The step's own decisions, the family's "no" (not at closing steps), then the hard stops."""
        family = (self.family_ends,) if self.family_ends is not None and step.level is not None else ()
        return step.decisions + family + self.hard_stops

    def signals_for_age(self, age: int) -> tuple[AgeGroup, ...]:
        """The age groups whose signals apply to a child of `age` years."""
        return tuple(g for g in self.age_groups if g.ages[0] <= age <= g.ages[1])

    @property
    def signals(self) -> dict[str, Signal]:
        return {s.key: s for g in self.age_groups for s in g.signals}

    @property
    def measures(self) -> dict[str, MeasureTemplate]:
        return {m.key: m for a in self.measure_areas for m in a.measures}


def age_on(birth: date, day: date) -> int:
    """Whole years of age on `day` for someone born on `birth` (a birthday on 29 February comes on 1 March)."""
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))
