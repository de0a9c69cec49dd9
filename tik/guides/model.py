"""The guidebook as typed, immutable objects. Pure Python: nothing here knows about Flask."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

DEFAULT_LANGUAGE = "nb"
COUNTRIES = ("no", "se")  # whose national identity numbers the forms check (tik/identity/<country>.py)
STAFF_LANGUAGES = {"no": ("nb", "nn"), "se": ("sv",)}  # what staff write in, per country
CONSENT_BELOW = ("age", "maturity")  # below the adult age: a fixed consent age, or staff judge maturity
FIELD_KINDS = ("text", "textarea", "date", "choice", "services")
ON_PLAN_KINDS = ("text", "textarea", "choice")  # the kinds of field the printed plan can state (guide.yaml: on_plan)
VOICES = ("child", "parents")
EFFECTS = ("individual_plan", "child_coordinator")
# What a step may require besides its fields (guide.yaml: a step's `requires`), checked where the case is known
# (tik/cases/steps.py, check_step_rules): "measure" — a measure not ended, with a responsible person and an
# evaluation date; "consent_or_reason" — an active consent, or a reason recorded in the step's field
# `no_consent_reason`; "coordinator" — the step records who the baton holder is.
STEP_REQUIREMENTS = ("measure", "consent_or_reason", "coordinator")
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
    for_plan: bool = False  # the plan's goals start from this field's latest answer (tik/plans/known.py)


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
    requires: tuple[str, ...] = ()  # from STEP_REQUIREMENTS
    leader: bool = False  # records which of the holder's unit leaders took part (unless the holder is one)

    def field(self, key: str) -> Field | None:
        return next((f for f in self.fields if f.key == key), None)


@dataclass(frozen=True)
class FeedbackMessage:
    """A message the reporter's leader may give the one who reported a concern (guide.yaml: leader_feedback)."""

    key: str
    text: Text


@dataclass(frozen=True)
class LeaderFeedback:
    """The messages the leader chooses from, and whether a short free text is allowed too."""

    messages: tuple[FeedbackMessage, ...] = ()
    free_text: bool = False

    def message(self, key: str) -> FeedbackMessage | None:
        return next((m for m in self.messages if m.key == key), None)


@dataclass(frozen=True)
class Level:
    number: int
    title: Text
    summary: Text
    requires_consent: bool
    steps: tuple[Step, ...]
    # The level brings in services other than the holder's own (guide.yaml: involves_other_services), so
    # `guide check` requires consent for it.
    involves_other_services: bool = False


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


# What an information kind can show (sharing.yaml: information_kinds[].shows): the concern and the notes
# written in the steps, the child's and the parents' words, the plan and its measures.
INFORMATION_CONTENT = ("concern", "notes", "child_voice", "parents_voice", "plan")


@dataclass(frozen=True)
class InformationKind:
    """A kind of information a consent may cover for a service (sharing.yaml): what of the case it shows, and
    the services whose own entries belong to it (e.g. health information: what the health services wrote)."""

    key: str
    label: Text
    shows: tuple[str, ...] = ()
    from_services: tuple[str, ...] = ()


@dataclass(frozen=True)
class WithholdingGround:
    """A legal ground on which the holder may withhold an entry from the family's Art. 15 export."""

    key: str
    label: Text  # in the family's languages: printed in the export
    law: str = ""


@dataclass(frozen=True)
class Lifecycle:
    """After closing: how long a case can be reopened, and when its working copy is deleted."""

    reopen_within_days: int = 90
    delete_after_months: int = 24


REPORT_CHANNELS = ("ks-fiks", "paper", "phone", "other")  # how a report can be sent; KS Fiks is Norway's
# The report's fields and sections a guidebook can word itself (guide.yaml `report.fields`; {name} in `informed`).
REPORT_FIELDS = ("heading", "intro", "reporter", "child", "guardians", "informed", "why_not", "suspicion",
                 "child_told", "interpreter", "text", "voices", "sent", "sent_on", "sent_how", "submit", "pdf",
                 "feedback")


@dataclass(frozen=True)
class ReportPath:
    """The report path as data (guide.yaml: `report`): the report's name, the receiving authority, the law it
    rests on and how it can be sent. Empty texts mean TIK's own (Norwegian) wording: a report to barnevernet."""

    title: Text = Text({})
    receiver: Text = Text({})
    law: Text = Text({})
    channels: tuple[str, ...] = REPORT_CHANNELS
    # The report's own wording of its fields (`fields:` in guide.yaml), by TIK's field names (REPORT_FIELDS):
    # a Swedish orosanmälan asks "Har {name} informerats om anmälan?" where KS Fiks asks "orientert".
    fields: Mapping[str, Text] = field(default_factory=dict)

    def label(self, key: str, lang: str, default: str, **values: str) -> str:
        """The guidebook's label of report field `key` in `lang` ({name} filled), else `default` (TIK's)."""
        text = self.fields.get(key)
        worded = text.by_lang.get(lang, "") if text is not None else ""  # never another language's wording
        if not worded:
            return default
        for name, value in values.items():
            worded = worded.replace("{" + name + "}", value)
        return worded


@dataclass(frozen=True)
class Archive:
    """The archive print's classification and the law its screening rests on (guide.yaml: `archive`)."""

    classification: str = "Taushetsbelagt, offl. § 13 jf. fvl. § 13"
    screening_law: str = "Offl. § 13 jf. fvl. § 13"


@dataclass(frozen=True)
class PlanFact:
    """A field whose latest recorded answer the printed plan states, with its label (guide.yaml: `on_plan`):
    the SIP's huvudansvar, which the law asks the plan itself to name."""

    step_id: str
    field_key: str
    label: Text


@dataclass(frozen=True)
class ConsentRule:
    """Who consents (guide.yaml: `consent`). From `adult_alone_from` the young adult consents alone, without
    guardians. Below it, `below` says how: "age" (from `consent_age` the young person consents too) or
    "maturity" (no fixed age: staff judge whether the child is mature enough, and record why)."""

    adult_alone_from: int | None = None
    below: str = "age"


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
    # sharing.yaml: the service a report to child welfare goes to (its participants may read the report), the
    # kinds of information a consent covers per service, and the grounds for withholding from an export.
    child_welfare_service: str | None = None
    information_kinds: tuple[InformationKind, ...] = ()
    withholding_grounds: tuple[WithholdingGround, ...] = ()
    country: str = "no"  # one of COUNTRIES (guide.yaml: country)
    consent: ConsentRule = ConsentRule()
    report: ReportPath = ReportPath()
    archive: Archive = Archive()
    on_plan: tuple[PlanFact, ...] = ()  # what the printed plan states from the steps' fields, in this order

    @property
    def staff_languages(self) -> tuple[str, ...]:
        """The languages staff of the guide's country write in: a letter in another is marked as translated."""
        return STAFF_LANGUAGES[self.country]

    def consents_alone(self, birth: date, on: date) -> bool:
        """Whether someone born on `birth` consents alone on `on`, without guardians (consent.adult_alone_from)."""
        adult = self.consent.adult_alone_from
        return adult is not None and age_on(birth, on) >= adult

    def judges_maturity(self, birth: date, on: date) -> bool:
        """Whether staff judge the child's maturity to consent on `on` (consent.below: maturity, under the adult
        age); the judgement is a case's, recorded with its reason (tik.cases.consent.judge_maturity)."""
        return self.consent.below == "maturity" and not self.of_consent_age(birth, on)
    leader_feedback: LeaderFeedback = LeaderFeedback()  # without the section: free text only
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
