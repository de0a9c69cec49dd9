"""Load a guidebook folder into a validated Guide, or list every problem with file and entry."""

from __future__ import annotations

import hashlib
import re
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import yaml

from tik.guides.model import (
    CARRY_SOURCES,
    CONSENT_BELOW,
    COUNTRIES,
    EFFECTS,
    FAMILY_KINDS,
    FIELD_KINDS,
    INFORMATION_CONTENT,
    LETTER_PLACEHOLDERS,
    LETTER_TEXTS,
    ON_PLAN_KINDS,
    REPORT_CHANNELS,
    REPORT_FIELDS,
    STEP_REQUIREMENTS,
    TIMELINE_KINDS,
    VOICES,
    AgeGroup,
    Archive,
    ConsentRule,
    Decision,
    EmergencyNumber,
    End,
    FeedbackMessage,
    Field,
    Guide,
    InformationKind,
    LeaderFeedback,
    Letter,
    Level,
    Lifecycle,
    MeasureArea,
    MeasureTemplate,
    Option,
    PlanFact,
    ReportPath,
    Service,
    Signal,
    Step,
    Text,
    Tool,
    WithholdingGround,
)

YAML_FILES = ("guide.yaml", "signals.yaml", "services.yaml", "measures.yaml")

# steps/<guidance>.<lang>.md and tools/<key>.<lang>.md
MARKDOWN_NAME = re.compile(r"(?P<folder>[^/]+)/(?P<key>[^/]+)\.(?P<lang>[a-z]{2,3})\.md")
# Numbers in the texts come from the data: {consent_age} in a text prints the guide's consent age.
PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")
GUIDE_PLACEHOLDERS = ("consent_age", "deadline_days", "feedback_days")
STEP_PLACEHOLDERS = ("time_frame_days",)
# The two hard stops every guide must offer at every step (DOMAIN.md, "Hard stops").
HARD_STOP_ENDS = ("emergency", "child_welfare_report")


@dataclass(frozen=True)
class Problem:
    file: str
    entry: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.entry}: {self.message}"


class GuidebookInvalid(Exception):
    """The guidebook has problems; `problems` lists each with its file and entry."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


class _UniqueKeyLoader(yaml.SafeLoader):
    """A safe loader that refuses a mapping with the same key twice (PyYAML keeps the last)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r}", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def read_folder(path: str | Path) -> dict[str, bytes]:
    """All files of a guidebook folder as {relative posix path: bytes}."""
    root = Path(path)
    if not root.is_dir():
        raise GuidebookInvalid([Problem(str(root), "-", "not a folder")])
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and (p.suffix in (".yaml", ".yml", ".md")) and p.name != "FORMAT.md"
    }


def digest_of(files: Mapping[str, bytes]) -> str:
    """A content hash of the guidebook: changes when any file's name or content changes."""
    h = hashlib.sha256()
    for name in sorted(files):
        h.update(name.encode() + b"\0" + files[name] + b"\0")
    return h.hexdigest()


def load_guide(path: str | Path) -> Guide:
    """Load and validate the guidebook folder at `path`; raises GuidebookInvalid."""
    return load_files(read_folder(path))


def check_guide(path: str | Path) -> tuple[Guide | None, list[Problem]]:
    """Like load_guide but returns (guide or None, problems) instead of raising."""
    try:
        return load_guide(path), []
    except GuidebookInvalid as invalid:
        return None, invalid.problems


_LOADED: dict[str, Guide] = {}  # by digest: a Guide is immutable, so the same files build it once per process
_LOADED_MAX = 32


def load_files(files: Mapping[str, bytes]) -> Guide:
    """Build a Guide from the guidebook's files; raises GuidebookInvalid listing every problem. The same files
    (by digest) give the same Guide object: parsing the YAML is the dear part of starting an app."""
    digest = digest_of(files)
    guide = _LOADED.get(digest)
    if guide is None:
        guide = _Builder(files).build()
        if len(_LOADED) >= _LOADED_MAX:
            _LOADED.pop(next(iter(_LOADED)))
        _LOADED[digest] = guide
    return guide


class _Builder:
    """Reads the files once, collecting problems instead of stopping at the first."""

    def __init__(self, files: Mapping[str, bytes]) -> None:
        self.files = files
        self.problems: list[Problem] = []
        self.languages: tuple[str, ...] = ("nb",)
        self.params: dict[str, int | None] = {}
        self.step_params: dict[str, int | None] = {}

    def integer(self, file: str, entry: str, value: Any, name: str, default: int | None = None,
                minimum: int = 0) -> int | None:
        """`value` as a whole number, or a problem naming the file and entry (never a traceback)."""
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, int | str) or not re.fullmatch(r"-?\d+",
                                                                                          str(value).strip()):
            self.problem(file, entry, f"'{name}' must be a whole number, not {value!r}")
            return default
        number = int(value)
        if number < minimum:
            self.problem(file, entry, f"'{name}' must be at least {minimum}")
            return default
        return number

    def fill(self, file: str, entry: str, text: str, keep: tuple[str, ...] = ()) -> str:
        """Put the guide's numbers into a text; an unknown placeholder is a problem. Names in `keep` are
        filled later, where the text is used (the letter's {child}, {holder}, {municipality})."""
        values = {**self.params, **self.step_params}

        def replace(match: re.Match) -> str:
            name = match.group(1)
            if name in keep:
                return match.group(0)
            if name not in GUIDE_PLACEHOLDERS + STEP_PLACEHOLDERS:
                self.problem(file, entry, f"unknown placeholder '{{{name}}}' (one of "
                                          f"{', '.join(GUIDE_PLACEHOLDERS + STEP_PLACEHOLDERS)})")
                return match.group(0)
            if values.get(name) is None:
                self.problem(file, entry, f"placeholder '{{{name}}}' has no value here")
                return match.group(0)
            return str(values[name])

        return PLACEHOLDER.sub(replace, text)

    def problem(self, file: str, entry: str, message: str) -> None:
        self.problems.append(Problem(file, entry, message))

    # -- reading ---------------------------------------------------------------------------

    def yaml(self, name: str) -> dict:
        if name not in self.files:
            self.problem(name, "-", "missing file")
            return {}
        try:
            # _UniqueKeyLoader is a SafeLoader: no arbitrary objects are built.
            data = yaml.load(self.files[name].decode("utf-8"), Loader=_UniqueKeyLoader)  # nosec B506
        except (yaml.YAMLError, UnicodeDecodeError) as error:
            self.problem(name, "-", f"malformed YAML: {error}".replace("\n", " "))
            return {}
        if not isinstance(data, dict):
            self.problem(name, "-", "malformed YAML: expected a mapping at the top")
            return {}
        return data

    def text(self, file: str, entry: str, value: Any, name: str, optional: bool = False,
             keep: tuple[str, ...] = ()) -> Text:
        if value is None and optional:
            return Text({})
        if not isinstance(value, dict):
            self.problem(file, entry, f"'{name}' must give a text per language")
            return Text({})
        for lang in self.languages:
            if not str(value.get(lang) or "").strip():
                self.problem(file, entry, f"'{name}' has no text in language '{lang}'")
        return Text({str(k): self.fill(file, entry, str(v), keep) for k, v in value.items()})

    def markdown(self, folder: str, key: str, entry_file: str, entry: str) -> Text:
        """`<folder>/<key>.<lang>.md` in every language the guide requires, and in any other language the
        folder has (a text in a language not yet listed is still shown to users of that language)."""
        for lang in self.languages:
            name = f"{folder}/{key}.{lang}.md"
            if name not in self.files:
                self.problem(name, entry, f"missing file (referenced from {entry_file})")
        by_lang = {}
        for name in self.files:
            found = MARKDOWN_NAME.fullmatch(name)
            if found and found["folder"] == folder and found["key"] == key:
                try:
                    by_lang[found["lang"]] = self.fill(name, entry, self.files[name].decode("utf-8"))
                except UnicodeDecodeError:
                    self.problem(name, entry, "not UTF-8 text")
        return Text(by_lang)

    def unique(self, file: str, kind: str, keys: Iterable[str]) -> None:
        seen: set[str] = set()
        for key in keys:
            if key in seen:
                self.problem(file, f"{kind} '{key}'", "duplicate key")
            seen.add(key)

    def items(self, file: str, data: Any, name: str) -> list[dict]:
        if data is None:
            return []
        if not isinstance(data, list) or not all(isinstance(i, dict) for i in data):
            self.problem(file, name, "must be a list of entries")
            return []
        return data

    # -- building --------------------------------------------------------------------------

    def build(self) -> Guide:
        guide = self.yaml("guide.yaml")
        langs = guide.get("languages") or ["nb"]
        if not isinstance(langs, list):
            self.problem("guide.yaml", "languages", "must be a list of language codes")
            langs = ["nb"]
        self.languages = tuple(str(lang) for lang in langs)
        self.params = self.guide_params(guide)
        consent_rule = self.consent_rule(guide)
        services = self.services(self.yaml("services.yaml"))
        age_groups = self.signals(self.yaml("signals.yaml"))
        areas = self.measures(self.yaml("measures.yaml"), services)
        g = "guide.yaml"

        tools = {}
        for t in self.items(g, guide.get("tools"), "tools"):
            key = str(t.get("key"))
            tools[key] = Tool(key, self.text(g, f"tool '{key}'", t.get("title"), "title"),
                              self.markdown("tools", key, g, f"tool '{key}'"))
        self.unique(g, "tool", [str(t.get("key")) for t in self.items(g, guide.get("tools"), "tools")])
        ends = {}
        for e in self.items(g, guide.get("ends"), "ends"):
            ends[str(e.get("key"))] = End(str(e.get("key")), self.text(g, f"end '{e.get('key')}'",
                                                                          e.get("title"), "title"),
                                          bool(e.get("closes_case", True)))
        numbers = tuple(
            EmergencyNumber(str(n.get("key")), self.text(g, f"emergency number '{n.get('key')}'",
                                                         n.get("name"), "name"), str(n.get("number")))
            for n in self.items(g, guide.get("emergency_numbers"), "emergency_numbers")
        )
        guidance: dict[str, Text] = {}
        hard_stops = tuple(self.decision(g, "hard stop", d, hard_stop=True, guidance=guidance)
                           for d in self.items(g, guide.get("hard_stops"), "hard_stops"))

        levels = []
        for lv in self.items(g, guide.get("levels"), "levels"):
            entry = f"level {lv.get('level')}"
            number = self.integer(g, entry, lv.get("level"), "level", default=0)
            steps = tuple(self.step(s, number, guidance) for s in self.items(g, lv.get("steps"), entry))
            if not steps:
                self.problem(g, entry, "a level needs at least one step")
            levels.append(Level(number or 0, self.text(g, entry, lv.get("title"), "title"),
                                self.text(g, entry, lv.get("summary"), "summary"),
                                bool(lv.get("requires_consent")), steps,
                                bool(lv.get("involves_other_services"))))
        if not levels:
            self.problem(g, "levels", "a guide needs at least one level")
        closing = guide.get("closing") or {}
        closing_steps = tuple(self.step(s, None, guidance)
                              for s in self.items(g, closing.get("steps"), "closing"))
        family = None
        if isinstance(guide.get("family_ends"), dict):
            family = self.decision(g, "family_ends", guide["family_ends"], guidance=guidance)
            if not family.next:
                self.problem(g, "family_ends", "the family's decision leads to a step that records their reason")
        elif guide.get("family_ends") is not None:
            self.problem(g, "family_ends", "must be a decision")
        withdrawn = None
        if isinstance(guide.get("consent_withdrawn"), dict):
            withdrawn = self.step(guide["consent_withdrawn"], None, guidance)
        elif guide.get("consent_withdrawn") is not None:
            self.problem(g, "consent_withdrawn", "must be a step")
        elif any(lv.requires_consent for lv in levels):
            self.problem(g, "consent_withdrawn", "a guide with levels that require consent needs the step that "
                                                 "takes over when the consent is withdrawn or expires")

        waiting = None
        if isinstance(guide.get("child_welfare_wait"), dict):
            waiting = self.step(guide["child_welfare_wait"], None, guidance)
        elif guide.get("child_welfare_wait") is not None:
            self.problem(g, "child_welfare_wait", "must be a step")
        for step in [s for lv in levels for s in lv.steps] + list(closing_steps) + ([withdrawn] if withdrawn else []):
            for d in step.decisions:
                if d.resume:
                    self.problem(g, f"step '{step.id}' decision '{d.key}'",
                                 "'resume' belongs only on the child_welfare_wait step")

        result = Guide(
            id=str(guide.get("id") or ""),
            title=self.text(g, "guide", guide.get("title"), "title"),
            version=str(guide.get("version") or ""),
            digest=digest_of(self.files),
            languages=self.languages,
            consent_age=self.params["consent_age"] or 15,
            team_service=str(guide["team_service"]) if guide.get("team_service") else None,
            emergency_numbers=numbers,
            ends=ends,
            hard_stops=hard_stops,
            tools=tools,
            levels=tuple(levels),
            closing_title=self.text(g, "closing", closing.get("title"), "title"),
            closing=closing_steps,
            guidance=guidance,
            age_groups=age_groups,
            services=services,
            measure_areas=areas,
            consent_withdrawn=withdrawn,
            lifecycle=self.lifecycle(guide.get("lifecycle")),
            letter=self.letter(services, {lv.number for lv in levels}),
            report_feedback_days=self.params["feedback_days"] or 21,
            family_ends=family,
            family_timeline=self.family_page(guide.get("family")),
            **self.sharing(services),
            country=self.country(guide.get("country")),
            consent=consent_rule,
            report=self.report_path(guide.get("report"), country=str(guide.get("country") or "no")),
            archive=self.archive(guide.get("archive")),
            child_welfare_wait=waiting,
        )
        result = replace(result, leader_feedback=self.leader_feedback(guide.get("leader_feedback")),
                         on_plan=self.on_plan(guide.get("on_plan"), result.steps))
        if result.team_service and result.team_service not in services:
            self.problem(g, "team_service", f"unknown service '{result.team_service}'")
        if levels:
            self.check_graph(result)
        if self.problems:
            raise GuidebookInvalid(self.problems)
        return result

    def on_plan(self, data: Any, steps: dict[str, Step]) -> tuple[PlanFact, ...]:
        """The `on_plan` list: the fields (`field: <step id>.<field key>`) whose latest answer the printed plan
        states, each with an optional print `label` (else the field's own). Only text and choice fields print."""
        g = "guide.yaml"
        facts = []
        for item in self.items(g, data, "on_plan"):
            ref = str(item.get("field") or "")
            entry = f"on_plan '{ref}'"
            sid, _dot, key = ref.partition(".")
            step = steps.get(sid)
            field = step.field(key) if step else None
            if step is None:
                self.problem(g, entry, f"unknown step '{sid}' (give 'field: <step id>.<field key>')")
            elif field is None:
                self.problem(g, entry, f"unknown field '{key}' in step '{sid}'")
            elif field.kind not in ON_PLAN_KINDS:
                self.problem(g, entry, f"a {field.kind} field does not print (one of {', '.join(ON_PLAN_KINDS)})")
            for extra in set(item) - {"field", "label"}:
                self.problem(g, f"{entry} {extra}", "unknown setting")
            label = self.text(g, entry, item.get("label"), "label", optional=True)
            if field is not None:
                facts.append(PlanFact(sid, key, label if label.by_lang else field.label))
        self.unique(g, "on_plan field", [f"{f.step_id}.{f.field_key}" for f in facts])
        return tuple(facts)

    def consent_rule(self, guide: dict) -> ConsentRule:
        """The `consent` section: `adult_alone_from` (the age from which the young adult consents alone) and
        `below` ("age": today's `consent_age`; "maturity": staff judge it). With "maturity" there is no fixed
        consent age below the adult one, so the guide's consent age (and `{consent_age}` in texts) is the adult
        age. Without the section, `consent_age` alone rules, as before."""
        g = "guide.yaml"
        data = guide.get("consent")
        if data is None:
            return ConsentRule()
        if not isinstance(data, dict):
            self.problem(g, "consent", "must be a mapping with 'adult_alone_from' and 'below'")
            return ConsentRule()
        for key in set(data) - {"adult_alone_from", "below"}:
            self.problem(g, f"consent.{key}", "unknown setting")
        adult = self.integer(g, "consent.adult_alone_from", data.get("adult_alone_from"), "adult_alone_from",
                             minimum=1)
        below = data.get("below", "age")
        if below not in CONSENT_BELOW:
            self.problem(g, "consent.below", f"unknown rule {below!r} (one of {', '.join(CONSENT_BELOW)})")
            below = "age"
        if below == "maturity":
            if adult is None:
                self.problem(g, "consent.below", "'maturity' needs 'adult_alone_from': the age from which no "
                                                 "judgement is needed")
            elif guide.get("consent_age") is not None:
                self.problem(g, "consent_age", "give either a fixed 'consent_age' or 'consent.below: maturity'")
            else:
                self.params["consent_age"] = adult
        elif adult is not None and self.params["consent_age"] is not None and adult < self.params["consent_age"]:
            self.problem(g, "consent.adult_alone_from", "must not be below 'consent_age'")
        return ConsentRule(adult, str(below))

    def report_path(self, data: Any, country: str) -> ReportPath:
        """The `report` section: the report's name, the receiving authority, its law references (texts per
        language) and the channels it can be sent by. Without it: TIK's Norwegian report to barnevernet."""
        g = "guide.yaml"
        if data is None:
            return ReportPath()
        if not isinstance(data, dict):
            self.problem(g, "report", "must be a mapping")
            return ReportPath()
        for key in set(data) - {"title", "receiver", "law", "channels", "fields"}:
            self.problem(g, f"report.{key}", "unknown setting")
        channels = data.get("channels", list(REPORT_CHANNELS))
        if not isinstance(channels, list) or not channels:
            self.problem(g, "report.channels", f"must be a list of some of {', '.join(REPORT_CHANNELS)}")
            channels = list(REPORT_CHANNELS)
        for channel in channels:
            if channel not in REPORT_CHANNELS:
                self.problem(g, f"report.channels '{channel}'",
                             f"unknown channel (one of {', '.join(REPORT_CHANNELS)})")
        if "ks-fiks" in channels and country != "no":
            self.problem(g, "report.channels 'ks-fiks'", "KS Fiks is for Norwegian municipalities")
        return ReportPath(*(self.text(g, f"report.{key}", data.get(key), key, optional=True)
                            for key in ("title", "receiver", "law")),
                          tuple(str(c) for c in channels if c in REPORT_CHANNELS),
                          self.report_fields(data.get("fields")))

    def report_fields(self, data: Any) -> dict[str, Text]:
        """`report.fields`: the report's own wording of TIK's report fields (REPORT_FIELDS), a text per language."""
        g = "guide.yaml"
        if data is None:
            return {}
        if not isinstance(data, dict):
            self.problem(g, "report.fields", "must be a mapping of field names to texts")
            return {}
        fields = {}
        for key, value in data.items():
            if key not in REPORT_FIELDS:
                self.problem(g, f"report.fields.{key}", f"unknown report field (one of {', '.join(REPORT_FIELDS)})")
                continue
            fields[str(key)] = self.text(g, f"report.fields.{key}", value, key, keep=("name", "due"))
        return fields

    def archive(self, data: Any) -> Archive:
        """The `archive` section: the archive print's classification and screening law, as plain text."""
        g = "guide.yaml"
        if data is None:
            return Archive()
        if not isinstance(data, dict):
            self.problem(g, "archive", "must be a mapping")
            return Archive()
        for key in set(data) - {"classification", "screening_law"}:
            self.problem(g, f"archive.{key}", "unknown setting")
        values = {key: str(data[key]).strip() for key in ("classification", "screening_law") if key in data}
        for key, value in values.items():
            if not value:
                self.problem(g, f"archive.{key}", "must not be empty")
        return Archive(**{k: v for k, v in values.items() if v})

    def country(self, value: Any) -> str:
        """The `country` key: whose national identity numbers the forms check (Norway when absent)."""
        if value is None:
            return "no"
        if value not in COUNTRIES:
            self.problem("guide.yaml", "country", f"unknown country {value!r} (one of {', '.join(COUNTRIES)})")
            return "no"
        return str(value)

    def lifecycle(self, data: Any) -> Lifecycle:
        """The `lifecycle` section: whole numbers of days (reopening) and months (retention), each at least 1."""
        if data is None:
            return Lifecycle()
        if not isinstance(data, dict):
            self.problem("guide.yaml", "lifecycle", "must be a mapping")
            return Lifecycle()
        values = {}
        for key in ("reopen_within_days", "delete_after_months"):
            value = data.get(key, getattr(Lifecycle, key))
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                self.problem("guide.yaml", f"lifecycle.{key}", f"must be a whole number of at least 1, not {value!r}")
                continue
            values[key] = value
        for key in set(data) - {"reopen_within_days", "delete_after_months"}:
            self.problem("guide.yaml", f"lifecycle.{key}", "unknown setting")
        return Lifecycle(**values)

    def family_page(self, data: Any) -> frozenset[str]:
        """The `family` section: which timeline entry kinds the family sees on "Min familie" (none without it).
        Only kinds with their own family wording (FAMILY_KINDS) may be named: a whitelist."""
        g = "guide.yaml"
        if data is None:
            return frozenset()
        if not isinstance(data, dict):
            self.problem(g, "family", "must be a mapping")
            return frozenset()
        for key in set(data) - {"timeline"}:
            self.problem(g, f"family.{key}", "unknown setting")
        kinds = data.get("timeline", [])
        if not isinstance(kinds, list):
            self.problem(g, "family.timeline", "must be a list of timeline entry kinds")
            return frozenset()
        seen = set()
        for kind in kinds:
            if kind in TIMELINE_KINDS and kind not in FAMILY_KINDS:
                self.problem(g, f"family.timeline '{kind}'", "the family never sees this kind of entry (it has no "
                                                             f"family wording; one of {', '.join(FAMILY_KINDS)})")
            elif kind not in TIMELINE_KINDS:
                self.problem(g, f"family.timeline '{kind}'",
                             f"unknown kind of entry (one of {', '.join(FAMILY_KINDS)})")
            elif kind in seen:
                self.problem(g, f"family.timeline '{kind}'", "named twice")
            else:
                seen.add(kind)
        return frozenset(seen)

    def letter(self, services: Mapping[str, Service], levels: set[int]) -> Letter:
        """letter.yaml is optional: without it the letter uses TIK's texts and lists no emergency numbers."""
        f = "letter.yaml"
        if f not in self.files:
            return Letter()
        data = self.yaml(f)
        given = data.get("texts") or {}
        if not isinstance(given, dict):
            self.problem(f, "texts", "must map text keys to a text per language")
            given = {}
        texts = {}
        for key, value in given.items():
            if key not in LETTER_TEXTS:
                self.problem(f, f"text '{key}'", f"unknown text (one of {', '.join(LETTER_TEXTS)})")
            texts[str(key)] = self.text(f, f"text '{key}'", value, key, keep=LETTER_PLACEHOLDERS)
        emergency = data.get("emergency_numbers") or {}
        if not isinstance(emergency, dict):
            self.problem(f, "emergency_numbers", "must give 'levels' and/or 'services'")
            emergency = {}
        levels_named = tuple(x for x in emergency.get("levels") or () if isinstance(x, int))
        services_named = tuple(str(x) for x in emergency.get("services") or ())
        for number in emergency.get("levels") or ():
            if number not in levels:
                self.problem(f, "emergency_numbers", f"unknown level {number}")
        for key in services_named:
            if key not in services:
                self.problem(f, "emergency_numbers", f"unknown service '{key}'")
        return Letter(texts, levels_named, services_named)
    def guide_params(self, guide: dict) -> dict[str, int | None]:
        """The numbers texts may print, read before the texts are."""
        g = "guide.yaml"
        frames = []
        for lv in self.items(g, guide.get("levels"), "levels"):
            if str(lv.get("level")) == "0" and isinstance(lv.get("steps"), list):
                frames = [s.get("time_frame_days") for s in lv["steps"]
                          if isinstance(s, dict) and s.get("time_frame_days") is not None]
        deadline = None
        if frames:
            deadline = frames[-1] if isinstance(frames[-1], int) and not isinstance(frames[-1], bool) else None
        return {"consent_age": self.integer(g, "consent_age", guide.get("consent_age"), "consent_age",
                                            default=15, minimum=1),
                "deadline_days": deadline,
                "feedback_days": self.integer(g, "report_feedback_days", guide.get("report_feedback_days"),
                                              "report_feedback_days", default=21, minimum=1)}

    def step(self, s: dict, level: int | None, guidance: dict[str, Text]) -> Step:
        g = "guide.yaml"
        sid = str(s.get("id"))
        entry = f"step '{sid}'"
        frame = self.integer(g, entry, s.get("time_frame_days"), "time_frame_days", minimum=1)
        self.step_params = {"time_frame_days": frame}
        try:
            return replace(self._step(s, sid, entry, frame, level, guidance), **self.step_rules(s, entry))
        finally:
            self.step_params = {}

    def _step(self, s: dict, sid: str, entry: str, frame: int | None, level: int | None,
              guidance: dict[str, Text]) -> Step:
        g = "guide.yaml"
        fields = []
        for f in self.items(g, s.get("fields"), entry):
            fkey = str(f.get("key"))
            fentry = f"{entry} field '{fkey}'"
            kind = str(f.get("kind") or "text")
            if kind not in FIELD_KINDS:
                self.problem(g, fentry, f"unknown kind '{kind}' (one of {', '.join(FIELD_KINDS)})")
            voice = f.get("voice")
            if voice is not None and voice not in VOICES:
                self.problem(g, fentry, f"unknown voice '{voice}' (one of {', '.join(VOICES)})")
            options = tuple(Option(str(o.get("key")), self.text(g, f"{fentry} option '{o.get('key')}'",
                                                                 o.get("label"), "label"))
                            for o in self.items(g, f.get("options"), fentry))
            if kind == "choice" and not options:
                self.problem(g, fentry, "a choice needs options")
            effect = f.get("effect")
            if effect is not None and (effect not in EFFECTS or "yes" not in {o.key for o in options}):
                self.problem(g, fentry, f"effect '{effect}' needs a choice with a 'yes' option "
                                        f"and one of {', '.join(EFFECTS)}")
            carry = f.get("carry")
            if carry is not None and carry not in CARRY_SOURCES:
                self.problem(g, fentry, f"unknown carry '{carry}' (one of {', '.join(CARRY_SOURCES)})")
                carry = None
            fields.append(Field(fkey, self.text(g, fentry, f.get("label"), "label"), kind,
                                bool(f.get("required")), voice,
                                self.text(g, fentry, f.get("hint"), "hint", optional=True), options,
                                str(effect) if effect else None, carry, self.flag(g, fentry, f, "for_plan")))
        self.unique(g, f"{entry} field", [f.key for f in fields])
        decisions = tuple(self.decision(g, entry, d, guidance=guidance)
                          for d in self.items(g, s.get("decisions"), entry))
        self.unique(g, f"{entry} decision", [d.key for d in decisions])
        field_keys = {f.key for f in fields}
        for d in decisions:
            for req in d.requires:
                if req not in field_keys:
                    self.problem(g, f"{entry} decision '{d.key}'", f"requires unknown field '{req}'")
        gkey = str(s.get("guidance") or sid)
        guidance[gkey] = self.markdown("steps", gkey, g, entry)
        tools = s.get("tools") or ()
        if not isinstance(tools, list | tuple):
            self.problem(g, entry, "'tools' must be a list")
            tools = ()
        faces = s.get("faces_family", False)
        if not isinstance(faces, bool):
            self.problem(g, entry, "'faces_family' must be true or false")
        return Step(sid, level, self.text(g, entry, s.get("title"), "title"), str(s.get("role") or "employee"),
                    gkey, tuple(str(t) for t in tools), tuple(fields), decisions, frame, faces is True)

    def flag(self, g: str, entry: str, data: dict, key: str) -> bool:
        """An optional true/false setting (false when absent); anything else is a problem."""
        value = data.get(key, False)
        if not isinstance(value, bool):
            self.problem(g, entry, f"'{key}' must be true or false")
        return value is True

    def step_rules(self, s: dict, entry: str) -> dict:
        """The rules a step states besides its fields: `requires` (names from STEP_REQUIREMENTS; an unknown
        name is a problem, never ignored) and `leader` (true or false)."""
        g = "guide.yaml"
        requires = s.get("requires") or []
        if not isinstance(requires, list):
            self.problem(g, entry, "'requires' must be a list of requirements")
            requires = []
        for name in requires:
            if name not in STEP_REQUIREMENTS:
                self.problem(g, entry, f"unknown requirement '{name}' (one of {', '.join(STEP_REQUIREMENTS)})")
        leader = s.get("leader", False)
        if not isinstance(leader, bool):
            self.problem(g, entry, f"'leader' must be true or false, not {leader!r}")
            leader = False
        return {"requires": tuple(str(r) for r in requires if r in STEP_REQUIREMENTS), "leader": leader}

    def leader_feedback(self, data: Any) -> LeaderFeedback:
        """The `leader_feedback` section: the messages (a key and a text per language each) and `free_text`.
        Without the section the leader writes a short free text."""
        g = "guide.yaml"
        if data is None:
            return LeaderFeedback(free_text=True)
        if not isinstance(data, dict):
            self.problem(g, "leader_feedback", "must be a mapping")
            return LeaderFeedback(free_text=True)
        for key in set(data) - {"messages", "free_text"}:
            self.problem(g, f"leader_feedback.{key}", "unknown setting")
        free = data.get("free_text", False)
        if not isinstance(free, bool):
            self.problem(g, "leader_feedback.free_text", f"must be true or false, not {free!r}")
            free = False
        messages = tuple(FeedbackMessage(str(m.get("key")), self.text(g, f"leader_feedback message '{m.get('key')}'",
                                                                       m.get("text"), "text"))
                         for m in self.items(g, data.get("messages"), "leader_feedback.messages"))
        self.unique(g, "leader_feedback message", [m.key for m in messages])
        if not messages and not free:
            self.problem(g, "leader_feedback", "needs messages to choose from, or free_text: true")
        return LeaderFeedback(messages, free)

    def decision(self, g: str, entry: str, d: dict, guidance: dict[str, Text], hard_stop: bool = False
                 ) -> Decision:
        key = str(d.get("key"))
        dentry = f"{entry} decision '{key}'"
        if bool(d.get("next")) + bool(d.get("end")) + (d.get("resume") is True) != 1:
            self.problem(g, dentry, "a decision needs exactly one of 'next' or 'end'" +
                         (" or 'resume'" if "resume" in d else ""))
        gkey = d.get("guidance")
        if gkey:
            guidance[str(gkey)] = self.markdown("steps", str(gkey), g, dentry)
        requires = d.get("requires") or ()
        if not isinstance(requires, list | tuple):
            self.problem(g, dentry, "'requires' must be a list of field keys")
            requires = ()
        return Decision(key, self.text(g, dentry, d.get("label"), "label"),
                        str(d["next"]) if d.get("next") else None, str(d["end"]) if d.get("end") else None,
                        tuple(str(r) for r in requires), hard_stop,
                        str(gkey) if gkey else None, bool(d.get("inform_parents", True)), d.get("resume") is True)

    def check_graph(self, guide: Guide) -> None:
        """Unknown references, unreachable steps and steps from which no end can be reached."""
        g = "guide.yaml"
        all_steps = [s for lv in guide.levels for s in lv.steps] + list(guide.closing)
        if guide.consent_withdrawn is not None:
            all_steps.append(guide.consent_withdrawn)
        if guide.child_welfare_wait is not None:
            all_steps.append(guide.child_welfare_wait)
        self.unique(g, "step", [s.id for s in all_steps])
        steps = guide.steps
        for stop in guide.hard_stops:
            if stop.end and stop.end not in guide.ends:
                self.problem(g, f"hard stop '{stop.key}'", f"unknown end '{stop.end}'")
        for step in all_steps:
            for tool in step.tools:
                if tool not in guide.tools:
                    self.problem(g, f"step '{step.id}'", f"unknown tool '{tool}'")
            for d in step.decisions:
                if d.next and d.next not in steps:
                    self.problem(g, f"step '{step.id}' decision '{d.key}'", f"unknown step '{d.next}'")
                if d.end and d.end not in guide.ends:
                    self.problem(g, f"step '{step.id}' decision '{d.key}'", f"unknown end '{d.end}'")
        if guide.family_ends is not None and guide.family_ends.next and guide.family_ends.next not in steps:
            self.problem(g, "family_ends", f"unknown step '{guide.family_ends.next}'")
        roots = [guide.start.id] + ([guide.consent_withdrawn.id] if guide.consent_withdrawn else [])
        roots += [guide.child_welfare_wait.id] if guide.child_welfare_wait else []  # entered by the suspicion path
        if guide.family_ends is not None and guide.family_ends.next in steps:
            roots.append(guide.family_ends.next)  # entered from any step
        reached = set(roots)  # the consent-withdrawn step is entered from any step at a consent level
        queue = deque(roots)
        while queue:
            for d in steps[queue.popleft()].decisions:
                if d.next in steps and d.next not in reached:
                    reached.add(d.next)
                    queue.append(d.next)
        for sid in steps:
            if sid not in reached:
                self.problem(g, f"step '{sid}'", "unreachable from the start")
        from tik.guides.engine import paths_to_end

        for sid, ok in paths_to_end(guide).items():
            if not ok:
                self.problem(g, f"step '{sid}'", "no path to an end")
        self.check_safety(guide)

    def check_safety(self, guide: Guide) -> None:
        """The rules no municipality's edit may break (DOMAIN.md, "Hard stops"; consent before cooperation)."""
        g = "guide.yaml"
        stops = {stop.end: stop for stop in guide.hard_stops}
        for end in HARD_STOP_ENDS:
            if end not in stops:
                self.problem(g, "hard_stops", f"the hard stop ending in '{end}' is missing: it must be reachable "
                                              f"from every step")
            elif end not in guide.ends:
                pass  # reported as an unknown end above
        for stop in guide.hard_stops:
            if stop.next:
                self.problem(g, f"hard stop '{stop.key}'", "a hard stop must end the path at once, not lead to a step")
        report = stops.get("child_welfare_report")
        if report is not None and report.inform_parents:
            self.problem(g, f"hard stop '{report.key}'", "the report hard stop must never inform the parents first "
                                                         "(inform_parents: false)")
        self.check_consent_levels(guide)
        self.check_suspicion_path(guide)
        consent_levels = {lv.number for lv in guide.levels if lv.requires_consent}
        steps = guide.steps
        entries = [(s, d) for s in steps.values() for d in s.decisions]
        if guide.family_ends is not None:
            entries += [(s, guide.family_ends) for s in steps.values() if s.level is not None]
        for step, d in entries:
            target = steps.get(d.next or "")
            if target is None or target.level not in consent_levels:
                continue
            if step.level not in consent_levels and not guide.is_consent_step(target):
                self.problem(g, f"step '{step.id}' decision '{d.key}'",
                             f"leads to level {target.level} at '{target.id}' without a consent step first")

    def check_consent_levels(self, guide: Guide) -> None:
        """A level that involves other services (it says so, or one of its steps records which services a
        consent covers) must require consent: without it every consent rule is switched off."""
        for level in guide.levels:
            involves = level.involves_other_services or any(guide.is_consent_step(s) for s in level.steps)
            if involves and not level.requires_consent:
                self.problem("guide.yaml", f"level {level.number}",
                             "involves other services, so it needs 'requires_consent: true'")

    def sharing(self, services: Mapping[str, Service]) -> dict[str, Any]:
        """sharing.yaml (optional): the child welfare service, the kinds of information a consent covers, and
        the legal grounds for withholding an entry from the family's export. Guide fields by name."""
        f = "sharing.yaml"
        if f not in self.files:
            return {}
        data = self.yaml(f)
        for key in set(data) - {"child_welfare_service", "information_kinds", "withholding_grounds"}:
            self.problem(f, key, "unknown setting")
        welfare = str(data["child_welfare_service"]) if data.get("child_welfare_service") else None
        if welfare is not None and welfare not in services:
            self.problem(f, "child_welfare_service", f"unknown service '{welfare}'")
        kinds = []
        for k in self.items(f, data.get("information_kinds"), "information_kinds"):
            key, entry = str(k.get("key")), f"information kind '{k.get('key')}'"
            shows = tuple(str(x) for x in k.get("shows") or ())
            from_services = tuple(str(x) for x in k.get("from_services") or ())
            for content in shows:
                if content not in INFORMATION_CONTENT:
                    self.problem(f, entry, f"unknown content '{content}' (one of {', '.join(INFORMATION_CONTENT)})")
            for service in from_services:
                if service not in services:
                    self.problem(f, entry, f"unknown service '{service}'")
            if not shows and not from_services:
                self.problem(f, entry, "needs 'shows' and/or 'from_services'")
            kinds.append(InformationKind(key, self.text(f, entry, k.get("label"), "label"), shows, from_services))
        self.unique(f, "information kind", [k.key for k in kinds])
        grounds = []
        for g in self.items(f, data.get("withholding_grounds"), "withholding_grounds"):
            key, entry = str(g.get("key")), f"withholding ground '{g.get('key')}'"
            grounds.append(WithholdingGround(key, self.text(f, entry, g.get("label"), "label"),
                                             str(g.get("law") or "")))
        self.unique(f, "withholding ground", [g.key for g in grounds])
        return {"child_welfare_service": welfare, "information_kinds": tuple(kinds),
                "withholding_grounds": tuple(grounds)}
    def check_suspicion_path(self, guide: Guide) -> None:
        """The report hard stop leads into waiting for child welfare, and nothing that faces the family can be
        reached while the case waits (docs/family-and-suspicion.md)."""
        from tik.guides.engine import reachable_while_waiting

        g = "guide.yaml"
        waits = [stop for stop in guide.hard_stops if not stop.inform_parents]
        wait = guide.child_welfare_wait
        if waits and wait is None:
            self.problem(g, "child_welfare_wait", f"the hard stop '{waits[0].key}' does not inform the parents first: "
                                                  "the guide needs the step the case waits at for child welfare")
            return
        if wait is None:
            return
        for stop in waits:
            end = guide.ends.get(stop.end or "")
            if end is not None and end.closes_case:
                self.problem(g, f"hard stop '{stop.key}'", "leads into waiting for child welfare, so its end must "
                                                           "leave the case open (closes_case: false)")
        if not any(d.resume for d in wait.decisions):
            self.problem(g, f"step '{wait.id}'", "waiting for child welfare needs a decision that goes on "
                                                 "(resume: true) once child welfare has answered")
        steps = guide.steps
        for sid in sorted(reachable_while_waiting(guide)):
            if steps[sid].faces_family:
                self.problem(g, f"step '{sid}'", "faces the family but can be reached while the case waits for "
                                                 "child welfare")

    def services(self, data: dict) -> dict[str, Service]:
        f = "services.yaml"
        items = self.items(f, data.get("services"), "services")
        self.unique(f, "service", [str(s.get("key")) for s in items])
        result = {}
        for s in items:
            key = str(s.get("key"))
            e = f"service '{key}'"
            result[key] = Service(key, self.text(f, e, s.get("name"), "name"),
                                  self.text(f, e, s.get("offers"), "offers"), str(s.get("kind") or "municipal"),
                                  self.text(f, e, s.get("consent"), "consent"),
                                  {str(k): str(v) for k, v in (s.get("contact") or {}).items()})
        return result

    def signals(self, data: dict) -> tuple[AgeGroup, ...]:
        f = "signals.yaml"
        groups = []
        for grp in self.items(f, data.get("age_groups"), "age_groups"):
            key = str(grp.get("key"))
            e = f"age group '{key}'"
            ages = grp.get("ages") or [0, 24]
            if not isinstance(ages, list) or len(ages) != 2:
                self.problem(f, e, "'ages' must be two whole numbers, like [6, 12]")
                ages = [0, 24]
            ages = [self.integer(f, e, ages[0], "ages", default=0), self.integer(f, e, ages[1], "ages", default=24)]
            sigs = tuple(Signal(str(s.get("key")), str(s.get("category") or ""),
                                self.text(f, f"signal '{s.get('key')}'", s.get("text"), "text"))
                         for s in self.items(f, grp.get("signals"), e))
            groups.append(AgeGroup(key, self.text(f, e, grp.get("title"), "title"),
                                   (int(ages[0]), int(ages[1])), sigs))
        self.unique(f, "signal", [s.key for g in groups for s in g.signals])
        self.unique(f, "age group", [g.key for g in groups])
        return tuple(groups)

    def measures(self, data: dict, services: Mapping[str, Service]) -> tuple[MeasureArea, ...]:
        f = "measures.yaml"
        areas = []
        for a in self.items(f, data.get("areas"), "areas"):
            akey = str(a.get("key"))
            measures = []
            for m in self.items(f, a.get("measures"), f"area '{akey}'"):
                mkey = str(m.get("key"))
                e = f"measure '{mkey}'"
                svc = tuple(str(s) for s in m.get("services") or ())
                for s in svc:
                    if s not in services:
                        self.problem(f, e, f"unknown service '{s}'")
                measures.append(MeasureTemplate(mkey, akey, self.text(f, e, m.get("title"), "title"),
                                                self.text(f, e, m.get("description"), "description"),
                                                svc, tuple(self.integer(f, e, x, "levels", default=0)
                                                           for x in (m.get("levels") or ()))))
            areas.append(MeasureArea(akey, self.text(f, f"area '{akey}'", a.get("title"), "title"),
                                     tuple(measures)))
        self.unique(f, "measure", [m.key for a in areas for m in a.measures])
        return tuple(areas)
