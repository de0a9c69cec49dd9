"""The organisation file: units, their service and leaders, read and checked like the guidebook. Pure Python."""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

import yaml

from tik.guides.loader import Problem, _UniqueKeyLoader

KEY = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")


@dataclass(frozen=True)
class UnitSpec:
    """One unit as the file describes it."""

    key: str
    name: str
    service: str
    leaders: tuple[str, ...]  # usernames
    # An inter-municipal unit: the other municipalities (keys of municipalities.yaml) it also belongs to.
    municipalities: tuple[str, ...] = ()


def read_organisation(path: str | Path, services: Collection[str]) -> tuple[list[UnitSpec], list[Problem]]:
    """The units of the organisation file at `path`, and every problem with file and entry named.

    `services` are the service keys of the guidebook in use: a unit must belong to one of them.
    """
    path = Path(path)
    name = path.name
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_UniqueKeyLoader)  # noqa: S506  # nosec B506 - safe loader
    except FileNotFoundError:
        return [], [Problem(name, "-", "file not found")]
    except yaml.YAMLError as error:
        return [], [Problem(name, "-", f"not valid YAML: {error}".replace("\n", " "))]
    entries = data.get("units") if isinstance(data, dict) else None
    if not isinstance(entries, list) or not entries:
        return [], [Problem(name, "units", "must be a non-empty list of units")]
    units: list[UnitSpec] = []
    problems: list[Problem] = []
    seen: set[str] = set()
    for i, entry in enumerate(entries):
        where = f"units[{i}]"
        if not isinstance(entry, dict):
            problems.append(Problem(name, where, "must be a mapping with key, name, service and leaders"))
            continue
        key = entry.get("key")
        if isinstance(key, str):
            where = f"units[{i}] ({key})"
        found = _unit_problems(entry, services)
        if isinstance(key, str) and key in seen:
            found.append(f"duplicate unit key '{key}'")
        problems += [Problem(name, where, message) for message in found]
        if not found:
            seen.add(key)
            units.append(UnitSpec(key, entry["name"].strip(), entry["service"], tuple(entry["leaders"]),
                                  tuple(entry.get("municipalities") or ())))
    return units, problems


def _unit_problems(entry: dict, services: Collection[str]) -> list[str]:
    problems = []
    unknown = sorted(set(entry) - {"key", "name", "service", "leaders", "municipalities"})
    shared = entry.get("municipalities", [])
    if not isinstance(shared, list) or not all(isinstance(k, str) and KEY.fullmatch(k) for k in shared):
        problems.append("municipalities must be a list of municipality keys")
    if unknown:
        problems.append(f"unknown field(s): {', '.join(map(str, unknown))}")
    key = entry.get("key")
    if not isinstance(key, str) or not KEY.fullmatch(key):
        problems.append("key must be lower-case letters, digits and hyphens (at most 64)")
    name = entry.get("name")
    if not isinstance(name, str) or not name.strip() or len(name) > 200:
        problems.append("name is missing (or longer than 200 characters)")
    service = entry.get("service")
    if not isinstance(service, str) or service not in services:
        problems.append(f"unknown service '{service}'")
    leaders = entry.get("leaders")
    if not isinstance(leaders, list) or not leaders:
        problems.append("unit without leader: name at least one leader (username)")
    elif not all(isinstance(u, str) and u.strip() for u in leaders):
        problems.append("leaders must be usernames")
    return problems
