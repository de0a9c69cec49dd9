"""guidebook/youth.yaml: what the young person's door promises, says and answers with. Pure Python.

`load_youth(files, languages, services)` builds a frozen `Youth` or raises GuidebookInvalid naming every
problem with its file and entry; `check_youth(path)` is what `tik guide check` runs.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from tik.guides.loader import GuidebookInvalid, Problem, _UniqueKeyLoader, read_folder
from tik.guides.model import Text

FILE = "youth.yaml"
HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


@dataclass(frozen=True)
class Line:
    """A phone line: 113, 116 111 … `emergency` lines are shown at once to someone who is not safe."""

    key: str
    name: Text
    number: str
    emergency: bool


@dataclass(frozen=True)
class Entry:
    """A keyed text: an age band, a topic, an answer template, a report ground or a directory service."""

    key: str
    label: Text
    text: Text | None = None
    contact: str = ""


@dataclass(frozen=True)
class Youth:
    unit_services: tuple[str, ...]
    promise_hours: int
    promise_weekdays_only: bool
    promise: Text
    open_days: tuple[int, ...]
    open_from: str
    open_to: str
    opening_hours: Text
    what_happens: Text
    confidentiality: tuple[Text, ...]
    lines: tuple[Line, ...]
    age_bands: tuple[Entry, ...]
    topics: tuple[Entry, ...]
    risk_words: Mapping[str, tuple[str, ...]]
    templates: tuple[Entry, ...]
    retention_days: int
    directory: tuple[Entry, ...]
    share_with: tuple[str, ...]
    report_grounds: tuple[Entry, ...]

    def entry(self, kind: str, key: str) -> Entry | None:
        """The entry `key` of `kind` ("age_bands", "topics", "templates", "directory", "report_grounds")."""
        return next((e for e in getattr(self, kind) if e.key == key), None)

    def risky(self, text: str) -> bool:
        """Whether `text` holds a risk word of any language (case and spacing ignored)."""
        folded = " ".join(text.casefold().split())
        return any(word.casefold() in folded for words in self.risk_words.values() for word in words)


def check_youth(path: str | Path, languages: tuple[str, ...], services: set[str]) -> list[Problem]:
    """Every problem of youth.yaml in the guidebook folder at `path` (none when it is absent and valid)."""
    files = read_folder(path)
    if FILE not in files:  # a guidebook without a youth door: /ung/ answers 404
        return []
    try:
        load_youth(files, languages, services)
    except GuidebookInvalid as invalid:
        return invalid.problems
    return []


def load_youth(files: Mapping[str, bytes], languages: tuple[str, ...], services: set[str]) -> Youth:
    """Build the youth door's data from the guidebook's files; raises GuidebookInvalid listing every problem."""
    problems: list[Problem] = []

    def problem(entry: str, message: str) -> None:
        problems.append(Problem(FILE, entry, message))

    if FILE not in files:
        raise GuidebookInvalid([Problem(FILE, "-", "missing: the youth door needs it")])
    try:
        data = yaml.load(files[FILE], Loader=_UniqueKeyLoader) or {}  # nosec B506 - a safe loader
    except yaml.YAMLError as error:
        raise GuidebookInvalid([Problem(FILE, "-", f"not valid YAML: {error}")]) from None
    if not isinstance(data, dict):
        raise GuidebookInvalid([Problem(FILE, "-", "must be a mapping")])

    def text(entry: str, value: Any) -> Text:
        if not isinstance(value, dict):
            problem(entry, "must give a text per language")
            return Text({})
        for lang in languages:
            if not str(value.get(lang) or "").strip():
                problem(entry, f"missing language '{lang}'")
        return Text({str(k): str(v) for k, v in value.items()})

    def entries(kind: str, with_text: str | None = None, label: str = "label") -> tuple[Entry, ...]:
        items = data.get(kind) or []
        if not isinstance(items, list) or not items:
            problem(kind, "must list at least one entry")
            return ()
        out, seen = [], set()
        for i, item in enumerate(items):
            key = str(item.get("key") or "") if isinstance(item, dict) else ""
            if not key:
                problem(f"{kind}[{i}]", "needs a key")
                continue
            if key in seen:
                problem(f"{kind} '{key}'", "named twice")
            seen.add(key)
            out.append(Entry(key, text(f"{kind} '{key}' {label}", item.get(label)),
                             text(f"{kind} '{key}' {with_text}", item.get(with_text)) if with_text else None,
                             str(item.get("contact") or "")))
        return tuple(out)

    def number(key: str, low: int) -> int:
        value = data.get(key) if "." not in key else (data.get("promise") or {}).get(key.split(".")[1])
        if not isinstance(value, int) or isinstance(value, bool) or value < low:
            problem(key, f"must be a whole number of at least {low}")
            return low
        return value

    unit_services = tuple(str(s) for s in data.get("unit_services") or ())
    if not unit_services:
        problem("unit_services", "must name at least one service")
    share_with = tuple(str(s) for s in data.get("share_with") or ())
    for key in unit_services + share_with:
        if key not in services:
            problem("unit_services/share_with", f"unknown service '{key}'")

    promise = data.get("promise") or {}
    hours = data.get("opening_hours") or {}
    days = tuple(d for d in hours.get("days") or () if isinstance(d, int) and 0 <= d <= 6)
    if not days or len(days) != len(hours.get("days") or ()):
        problem("opening_hours.days", "must list weekdays 0 (Monday) to 6 (Sunday)")
    for edge in ("from", "to"):
        if not HHMM.match(str(hours.get(edge) or "")):
            problem(f"opening_hours.{edge}", "must be a time HH:MM")

    confidentiality = tuple(text(f"confidentiality[{i}]", t) for i, t in enumerate(data.get("confidentiality") or ()))
    if not confidentiality:
        problem("confidentiality", "must list when confidentiality is broken")

    lines = []
    for i, item in enumerate(data.get("national_lines") or ()):
        item = item if isinstance(item, dict) else {}
        key = str(item.get("key") or f"[{i}]")
        if not str(item.get("number") or "").strip():
            problem(f"national_lines '{key}'", "needs a number")
        lines.append(Line(key, text(f"national_lines '{key}' name", item.get("name")), str(item.get("number") or ""),
                          bool(item.get("emergency"))))
    if not any(line.emergency for line in lines):
        problem("national_lines", "must have at least one emergency line")

    risk = data.get("risk_words") or {}
    risk_words = {}
    for lang in languages:
        words = risk.get(lang) if isinstance(risk, dict) else None
        if not isinstance(words, list) or not all(str(w).strip() for w in words) or not words:
            problem(f"risk_words.{lang}", "must list words for every language")
            words = []
        risk_words[lang] = tuple(str(w) for w in words)

    youth = Youth(
        unit_services=unit_services, share_with=share_with,
        promise_hours=number("promise.hours", 1), promise_weekdays_only=bool(promise.get("weekdays_only")),
        promise=text("promise.text", promise.get("text")),
        open_days=days, open_from=str(hours.get("from") or "00:00"), open_to=str(hours.get("to") or "00:00"),
        opening_hours=text("opening_hours.text", hours.get("text")),
        what_happens=text("what_happens", data.get("what_happens")),
        confidentiality=confidentiality, lines=tuple(lines),
        age_bands=entries("age_bands"), topics=entries("topics"), risk_words=risk_words,
        templates=entries("templates", with_text="text", label="title"),
        retention_days=number("retention_days", 1),
        directory=entries("directory", with_text="offers", label="name"),
        report_grounds=entries("report_grounds"),
    )
    if problems:
        raise GuidebookInvalid(problems)
    return youth
