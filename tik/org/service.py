"""The organisation in the database: units and their leaders, synchronised from the organisation file."""

from __future__ import annotations

from pathlib import Path

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from tik.audit.service import record
from tik.auth import sessions
from tik.auth.models import Role, User
from tik.auth.policy import led_by
from tik.auth.service import UserError, create_user
from tik.cases.handover import hand_to_leader
from tik.cases.models import Case, CaseStatus
from tik.cases.queries import row_of
from tik.config import ROOT
from tik.db import unit_of_work
from tik.extensions import db
from tik.guidebook import current_guide
from tik.guides.loader import Problem
from tik.municipalities import Municipality, all_municipalities, by_key, current_municipality, row_id
from tik.municipalities.models import UnitMunicipality
from tik.municipalities.scope import current_row_id
from tik.org.file import UnitSpec, read_organisation
from tik.org.models import Unit, UnitLeader

DEFAULT_FILE = ROOT / "organisation.yaml"


class OrganisationInvalid(Exception):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(map(str, problems)))
        self.problems = problems


def organisation_file() -> Path:
    from flask import current_app

    municipality = current_municipality()
    if not municipality.single:
        return Path(municipality.organisation)
    return Path(current_app.config.get("TIK_ORGANISATION") or DEFAULT_FILE)


def municipality_problems(municipality: Municipality) -> list[str]:
    """What stops `municipality`: its guidebook's and organisation file's problems, each naming file and entry."""
    from tik.guides.loader import check_guide
    from tik.guides.youth import check_youth

    folder = Path(municipality.guidebook)
    guide, problems = check_guide(folder)
    if guide is None:
        return [f"{folder}: {p}" for p in problems]
    problems = check_youth(folder, guide.languages, set(guide.services))
    if problems:
        return [f"{folder}: {p}" for p in problems]
    path = Path(municipality.organisation)
    _specs, problems = read_organisation(path, guide.services)
    return [f"{path}: {p}" for p in problems]


def check_municipalities(app) -> dict[str, list[str]]:
    """At start: each municipality's guidebook and organisation file checked; a broken one is stopped (its
    requests answer 503) and logged with its file and entry, the others serve. One municipality (no
    municipalities.yaml) is checked as before, by `tik guide check` and `tik org check`."""
    from tik.municipalities import BROKEN, MunicipalityFileError, all_municipalities

    try:
        every = all_municipalities(app)
    except MunicipalityFileError as error:
        app.logger.error("%s", error)
        raise
    broken = {}
    for municipality in every:
        if municipality.single:
            continue
        problems = municipality_problems(municipality)
        if problems:
            broken[municipality.key] = problems
            for problem in problems:
                app.logger.error("municipality %s is stopped: %s", municipality.key, problem)
    app.extensions[BROKEN] = broken
    return broken


def check_organisation(path: Path | None = None) -> tuple[list[UnitSpec], list[Problem]]:
    """Read and check the organisation file against the services of the guidebook in use (and a shared unit's
    municipalities against municipalities.yaml)."""
    path = path or organisation_file()
    specs, problems = read_organisation(path, current_guide().services)
    known = {m.key for m in all_municipalities()}
    for spec in specs:
        problems += [Problem(Path(path).name, f"units ({spec.key})", f"unknown municipality '{key}'")
                     for key in spec.municipalities if key not in known]
    return specs, problems


@unit_of_work
def sync_units(specs: list[UnitSpec], by: User | None = None) -> list[str]:
    """Create or update the units of `specs` and their leaders (who get the leader role); audited when an
    admin (`by`) does it from the web.

    Returns the leader usernames that have no user yet (they are linked by a later sync). One transaction.
    Unit keys are the install's (a shared unit is found by its key in each municipality): a key another
    municipality's unit has is refused, naming it, and nothing is loaded (OrganisationInvalid).
    """
    own = select(Unit).where(Unit.municipality_id == current_row_id())  # a unit shared with us is its owner's
    units = {u.key: u for u in db.session.scalars(own.options(selectinload(Unit.leader_rows)))}
    missing: list[str] = []
    taken: list[Problem] = []
    for spec in specs:
        unit = units.get(spec.key) or Unit(key=spec.key)
        unit.name, unit.service_key = spec.name, spec.service
        try:
            with db.session.begin_nested():
                db.session.add(unit)
                db.session.flush()
        except IntegrityError:  # the key is another municipality's unit's, which our scope does not see
            taken.append(Problem(organisation_file().name, f"units ({spec.key})",
                                 _("enhetsnøkkelen «%(key)s» er allerede i bruk i en annen kommune; velg en annen",
                                   key=spec.key)))
            continue
        leaders = []
        for username in spec.leaders:
            user = db.session.scalar(select(User).where(func.lower(User.username) == username.lower()))
            if user is None:
                missing.append(username)
                continue
            user.roles = user.roles | {Role.LEADER}
            leaders.append(user.id)
        unit.leader_rows = [row for row in unit.leader_rows if row.user_id in leaders] + [
            UnitLeader(user_id=uid) for uid in leaders if uid not in unit.leader_ids]
        _share(unit, spec.municipalities)
    if taken:
        raise OrganisationInvalid(taken)
    if by is not None:
        record(by, "admin.units.load", detail=f"{len(specs)} enheter")
    return missing


def _share(unit: Unit, keys: tuple[str, ...]) -> None:
    """An inter-municipal unit: a unit_municipality row for each other municipality the file names."""
    for key in keys:
        mid = row_id(by_key(key), create=True)
        if mid != unit.municipality_id and db.session.get(UnitMunicipality, (unit.id, mid)) is None:
            db.session.add(UnitMunicipality(unit_id=unit.id, municipality_id=mid))


def load_organisation(path: Path | None = None) -> list[str]:
    """Check the organisation file and synchronise it; raises OrganisationInvalid listing every problem."""
    specs, problems = check_organisation(path)
    if problems:
        raise OrganisationInvalid(problems)
    return sync_units(specs)


def unit_by_key(key: str) -> Unit | None:
    return db.session.scalar(select(Unit).where(Unit.key == key))


def all_units() -> list[Unit]:
    return list(db.session.scalars(select(Unit).options(selectinload(Unit.leader_rows).selectinload(UnitLeader.user))
                                   .order_by(Unit.service_key, Unit.name)))


def all_users() -> list[User]:
    return list(db.session.scalars(select(User).options(selectinload(User.unit)).order_by(User.name)))


@unit_of_work(once_per_form=True)
def add_user(form, by: User) -> User:
    """Create a user from the admin's form; raises UserError (taken username, weak password)."""
    unit = unit_by_key(form.unit.data)
    if unit is None:
        raise UserError("unknown unit")
    user = create_user(form.username.data.strip(), form.name.data.strip(), unit, form.password.data,
                       {Role(r) for r in form.roles.data}, title=form.title.data or "", email=form.email.data or "",
                       phone=form.phone.data or "")
    record(by, "admin.user.create", detail=user.username)
    return user


def unit_overview(user: User) -> tuple[list[Unit], list]:
    """The units `user` leads and the open cases they own, earliest deadline first."""
    units = list(db.session.scalars(select(Unit).join(UnitLeader).where(UnitLeader.user_id == user.id)
                                    .order_by(Unit.name)))
    cases = db.session.scalars(select(Case).where(Case.status == CaseStatus.OPEN, led_by(user))
                               .options(selectinload(Case.child), selectinload(Case.coordinator))
                               .order_by(Case.deadline.is_(None), Case.deadline, Case.ref))
    return units, [row_of(c, user) for c in cases]


@unit_of_work
def deactivate(user: User, by: User | None = None) -> None:
    """Close the account and end every session of the user (audited as `by`'s act, when an admin does it).

    Their open cases stay with them (a case never has no holder) and go to their leader's handover list.
    """
    if by is not None:
        record(by, "admin.user.deactivate", detail=user.username)
    user.active = False
    sessions.end_all(user)
    hand_to_leader(user, by or user)


def municipalities_overview() -> list[tuple[Municipality, int | None]]:
    """The platform admin's list: each municipality of municipalities.yaml and its row id (None: not added)."""
    return [(m, row_id(m)) for m in all_municipalities()]


@unit_of_work
def add_municipality(key: str, by: User) -> Municipality | None:
    """Add the municipality `key` of municipalities.yaml to the database (its name, hosts and files stay in the
    file); None when the file has no such key. Audited."""
    found = by_key(key)
    if found is None:
        return None
    row_id(found, create=True)
    record(by, "platform.municipality.add", detail=found.key)
    return found
