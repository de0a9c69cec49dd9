"""The municipalities one install serves, and which one a request (or a command) works for.

municipalities.yaml (TIK_MUNICIPALITIES) lists them: key, name, country, host names, guidebook, organisation file,
reference prefix, time zone and interface languages. Without that file the install serves one municipality built
from TIK_MUNICIPALITY, TIK_GUIDEBOOK, TIK_ORGANISATION and TIK_TIMEZONE, as before.

A request's municipality is its host name's, else the one named by the path prefix /k/<key>/ (development: the
prefix moves into SCRIPT_NAME, so url_for keeps it), else the first (development only; in production an unknown
host is a 404). Outside a request a command works in `municipality_scope(m)`, or in the first municipality.
Every query and write is held to that municipality by tik/municipalities/scope.py.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from flask import abort, current_app, g, has_app_context, has_request_context, request
from sqlalchemy import insert, select

from tik.clock import now
from tik.config import LANGUAGES, local_timezone
from tik.municipalities.models import MunicipalityRow

KEY = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")
PREFIX = re.compile(r"^[A-Z][A-Z0-9]{1,7}$")
COUNTRIES = ("NO", "SE")
SINGLE_KEY = "default"  # the one municipality of an install without municipalities.yaml
REQUEST_KEY = "tik_municipality"  # on `g`: the request's municipality
ENVIRON_KEY = "tik.municipality"  # in the WSGI environ: the key the path prefix named


class MunicipalityFileError(ValueError):
    """municipalities.yaml is unreadable or names something wrongly; the message names the file and entry."""


@dataclass(frozen=True)
class Municipality:
    """One municipality as configured (the database row is tik.municipalities.models.MunicipalityRow)."""

    key: str
    name: str
    country: str = "NO"
    hosts: tuple[str, ...] = ()
    guidebook: str = ""
    organisation: str = ""
    reference_prefix: str = "TIK"
    timezone: str = "Europe/Oslo"
    languages: tuple[str, ...] = LANGUAGES
    single: bool = field(default=False, compare=False)  # built from the settings: no municipalities.yaml

    @property
    def id(self) -> int:
        """The database row's id (created on first write; tik/municipalities/scope.py)."""
        return row_id(self, create=True)


def read_file(path: Path | str) -> tuple[Municipality, ...]:
    """The municipalities of `path`; MunicipalityFileError names the file and the entry of the first problem."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as error:
        raise MunicipalityFileError(f"{path}: cannot be read ({error})") from error
    entries = data.get("municipalities") if isinstance(data, dict) else None
    if not isinstance(entries, list) or not entries:
        raise MunicipalityFileError(f"{path}: no `municipalities:` list")
    found: list[Municipality] = []
    for number, entry in enumerate(entries, 1):
        where = f"{path}: municipality {number} ({entry.get('key', '?') if isinstance(entry, dict) else '?'})"
        found.append(_entry(entry, path.parent, where))
    for attribute in ("key", "reference_prefix"):
        values = [getattr(m, attribute) for m in found]
        twice = sorted({v for v in values if values.count(v) > 1})
        if twice:
            raise MunicipalityFileError(f"{path}: {attribute} used twice: {', '.join(twice)}")
    hosts = [h for m in found for h in m.hosts]
    if len(hosts) != len(set(hosts)):
        raise MunicipalityFileError(f"{path}: a host name is listed for two municipalities")
    return tuple(found)


def _entry(entry: object, folder: Path, where: str) -> Municipality:
    if not isinstance(entry, dict):
        raise MunicipalityFileError(f"{where}: not a mapping")
    missing = [k for k in ("key", "name", "guidebook", "organisation") if not entry.get(k)]
    if missing:
        raise MunicipalityFileError(f"{where}: missing {', '.join(missing)}")
    country = entry.get("country", "NO")
    country = "NO" if country is False else str(country).upper()  # YAML 1.1 reads an unquoted NO as false
    prefix = str(entry.get("reference_prefix", "TIK"))
    languages = tuple(entry.get("languages") or LANGUAGES)
    if not KEY.match(str(entry["key"])):
        raise MunicipalityFileError(f"{where}: key must be lower-case letters, digits and '-'")
    key = str(entry["key"])
    if country not in COUNTRIES:
        raise MunicipalityFileError(f"{where}: country must be one of {', '.join(COUNTRIES)}")
    if not PREFIX.match(prefix):
        raise MunicipalityFileError(f"{where}: reference_prefix must be 2–8 capital letters or digits")
    unknown = [lang for lang in languages if lang not in LANGUAGES]
    if unknown:
        raise MunicipalityFileError(f"{where}: unknown interface language {', '.join(unknown)}")
    try:
        timezone = local_timezone({"TIK_TIMEZONE": str(entry.get("timezone") or "Europe/Oslo")})
    except ValueError as error:
        raise MunicipalityFileError(f"{where}: {error}") from error
    return Municipality(key=key, name=str(entry["name"]), country=country,
                        hosts=tuple(str(h).lower() for h in entry.get("hosts") or ()),
                        guidebook=str(folder / str(entry["guidebook"])),
                        organisation=str(folder / str(entry["organisation"])),
                        reference_prefix=prefix, timezone=timezone, languages=languages)


def _single(config) -> Municipality:
    return Municipality(key=SINGLE_KEY, name=config["TIK_MUNICIPALITY"], guidebook=config["TIK_GUIDEBOOK"],
                        organisation=config.get("TIK_ORGANISATION") or "",
                        timezone=config.get("BABEL_DEFAULT_TIMEZONE") or "Europe/Oslo", single=True)


def all_municipalities(app=None) -> tuple[Municipality, ...]:
    """Every municipality of the install, the first being the default."""
    app = app or current_app
    path = app.config.get("TIK_MUNICIPALITIES")
    if not path or not Path(path).is_file():
        return (_single(app.config),)
    cached = app.extensions.get("tik_municipalities")
    if cached is None or cached[0] != path:
        cached = app.extensions["tik_municipalities"] = (path, read_file(path))
    return cached[1]


def by_key(key: str, app=None) -> Municipality | None:
    return next((m for m in all_municipalities(app) if m.key == key), None)


_scope: ContextVar[Municipality | None] = ContextVar("tik_municipality_scope", default=None)


@contextmanager
def municipality_scope(municipality: Municipality) -> Iterator[Municipality]:
    """Work for `municipality` (a command's loop over municipalities, a test): every query and write inside
    is held to it. The session's next statement sets PostgreSQL's row-level scope to it as well."""
    token = _scope.set(municipality)
    try:
        yield municipality
    finally:
        _scope.reset(token)


def each_municipality() -> Iterator[Municipality]:
    """Every municipality in turn, each in its scope (a nightly command's loop: statistics, retention, reminders)."""
    for municipality in all_municipalities():
        with municipality_scope(municipality):
            yield municipality


def current_municipality() -> Municipality:
    """The municipality of the scope, else of the request, else the install's first."""
    scoped = _scope.get()
    if scoped is not None:
        return scoped
    if has_app_context():
        chosen = g.get(REQUEST_KEY)
        if chosen is not None:
            return chosen
        return all_municipalities()[0]
    raise RuntimeError("no municipality outside the app")


def choose_for_request() -> Municipality:
    """The request's municipality (host name, else path prefix, else the first in development); 404 otherwise."""
    every = all_municipalities()
    host = request.host.split(":")[0].lower()
    by_host = next((m for m in every if host in m.hosts), None)
    named = request.environ.get(ENVIRON_KEY)
    by_prefix = next((m for m in every if m.key == named), None) if named else None
    if by_host and by_prefix and by_host != by_prefix:
        abort(404)
    chosen = by_host or by_prefix
    if chosen is None:
        if len(every) > 1 and current_app.config.get("TIK_ENV") == "production":
            abort(404)
        chosen = every[0]
    return chosen


def in_request() -> bool:
    return has_request_context() and g.get(REQUEST_KEY) is not None


class PathPrefix:
    """WSGI middleware: /k/<key>/… is municipality <key>'s; the prefix moves into SCRIPT_NAME (url_for keeps it)."""

    PATTERN = re.compile(r"^/k/([a-z0-9][a-z0-9-]{0,39})(/.*)?$")

    def __init__(self, wsgi_app, flask_app) -> None:
        self.wsgi_app = wsgi_app
        self.flask_app = flask_app

    def __call__(self, environ, start_response):
        match = self.PATTERN.match(environ.get("PATH_INFO") or "")
        if match and by_key(match.group(1), self.flask_app) is not None:
            environ["SCRIPT_NAME"] = f"{environ.get('SCRIPT_NAME', '')}/k/{match.group(1)}"
            environ["PATH_INFO"] = match.group(2) or "/"
            environ[ENVIRON_KEY] = match.group(1)
        return self.wsgi_app(environ, start_response)


BROKEN = "tik_broken_municipalities"  # app.extensions: key → the problems that stopped that municipality


_IDS = "tik_municipality_ids"


def row_id(municipality: Municipality, create: bool = False, session=None) -> int | None:
    """The id of the municipality's row (cached per app), inserted on first write when `create`."""
    ids = current_app.extensions.setdefault(_IDS, {})
    found = ids.get(municipality.key)
    if found is not None:
        return found
    from tik.extensions import db

    connection = (session or db.session()).connection()
    table = MunicipalityRow.__table__
    found = connection.execute(select(table.c.id).where(table.c.key == municipality.key)).scalar()
    if found is None and create:
        found = connection.execute(insert(table).values(
            key=municipality.key, name=municipality.name, country=municipality.country, created_at=now())
            .returning(table.c.id)).scalar()
    if found is not None:
        ids[municipality.key] = found
    return found


def forget_ids(app) -> None:
    """Forget the cached row ids (the database was emptied or restored)."""
    app.extensions.pop(_IDS, None)
