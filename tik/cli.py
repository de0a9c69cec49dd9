"""The `tik` command: database, guidebook check, users, plan PDF, audit (the demo: devkit/cli.py)."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import Flask
from flask.cli import FlaskGroup, ScriptInfo, with_appcontext
from sqlalchemy import select

from tik.guides.loader import check_guide
from tik.guides.youth import check_youth


def main() -> None:
    """Entry point of the `tik` console script. It names the app by its import path, as `flask --app tik`
    does: the app factory registers these commands, so this module never imports it (README, "Layout")."""
    cli = FlaskGroup(help="TIK — tidlig innsats for barn og unge.")
    _add_commands(cli)
    cli.main(prog_name="tik", obj=ScriptInfo(app_import_path="tik"))


def register_cli(app: Flask) -> None:
    """The same commands under `flask` (for `flask --app tik …`)."""
    for command in _commands():
        app.cli.add_command(command)


def _add_commands(cli: click.Group) -> None:
    for command in _commands():
        cli.add_command(command)


def _commands() -> list[click.Command]:
    from tik.backup import backup_command, restore_command
    from tik.cases.cli import consent_command
    from tik.lifecycle.cli import archive, retention
    from tik.stats.cli import stats_command
    from tik.youth.cli import youth_command

    # The development commands (`tik demo`, `tik seed-scale`, `tik dev-idp`) are not here: they come from the
    # development kit (devkit/), as Flask plugin commands, where it is installed.
    return [init_db, municipality, guide, org, users, plan, audit, reminders, backup_command, restore_command,
            stats_command, retention, archive, youth_command, consent_command]


@click.command("init-db")
@with_appcontext
def init_db() -> None:
    """Create or upgrade the database schema (Alembic migrations)."""
    from flask_migrate import upgrade

    upgrade()
    click.echo("Databasen er klar.")


@click.group()
def municipality() -> None:
    """The municipalities of the install (municipalities.yaml) and their rows in the database."""


@municipality.command("list")
@with_appcontext
def municipality_list() -> None:
    """Each municipality of the file: key, name, country, prefix, hosts, and whether it has its row yet."""
    from tik.municipalities import all_municipalities, row_id

    for m in all_municipalities():
        found = row_id(m)
        click.echo(f"{m.key:<16} {m.name:<28} {m.country}  {m.reference_prefix:<6} {', '.join(m.hosts) or '-':<30} "
                   f"{'id ' + str(found) if found else 'ikke lagt til'}")


@municipality.command("add")
@click.argument("key")
@with_appcontext
def municipality_add(key: str) -> None:
    """Add the municipality KEY of municipalities.yaml to the database (its name, hosts and files stay in the
    file); then load its organisation (`tik org load` with the municipality's file) and create its admin."""
    from tik.extensions import db
    from tik.municipalities import by_key, row_id

    found = by_key(key)
    if found is None:
        raise click.ClickException(f"'{key}' is not in municipalities.yaml (add it there first)")
    row = row_id(found, create=True)
    db.session.commit()
    click.echo(f"{found.name} ({found.key}) har id {row}.")


@click.group()
def guide() -> None:
    """The guidebook (handlingsveileder)."""


@guide.command("check")
@click.argument("path", required=False, type=click.Path(path_type=Path))
def guide_check(path: Path | None) -> None:
    """Validate a guidebook folder (default: the bundled one, or with municipalities.yaml every municipality's
    guidebook and organisation file); exit 1 listing every problem."""
    from tik.config import ROOT, settings_from_env

    municipalities = Path(settings_from_env()["TIK_MUNICIPALITIES"] or "")
    if path is None and municipalities.is_file():
        from tik.municipalities import MunicipalityFileError, read_file
        from tik.org.service import municipality_problems

        try:
            every = read_file(municipalities)
        except MunicipalityFileError as error:
            _exit_with_problems(municipalities, [str(error)])
        problems = [f"{m.key}: {p}" for m in every for p in municipality_problems(m)]
        _exit_with_problems(municipalities, problems)
        for m in every:
            click.echo(f"{m.key} ({m.name}): {m.guidebook}, {m.organisation}")
            _summary(check_guide(m.guidebook)[0])
        click.echo("OK")
        return
    path = path or ROOT / "guidebook"
    g, problems = check_guide(path)
    problems += check_youth(path, g.languages, set(g.services)) if g is not None else []  # the youth door (tik/youth)
    _exit_with_problems(path, problems)
    _summary(g)
    click.echo("OK")


def _summary(g) -> None:
    steps = sum(len(level.steps) for level in g.levels) + len(g.closing)
    click.echo(f"{g.title.get('nb')} ({g.id} {g.version}, {g.digest[:12]})")
    click.echo(f"  levels: {len(g.levels)}  steps: {steps}  tools: {len(g.tools)}  "
               f"signals: {len(g.signals)}  services: {len(g.services)}  measures: {len(g.measures)}  "
               f"languages: {', '.join(g.languages)}")


def _exit_with_problems(path: Path, problems: list) -> None:
    """List every problem a check found (file and entry each) and exit 1; nothing when there is none."""
    if problems:
        click.echo(f"{path}: {len(problems)} problem(s)", err=True)
        for p in problems:
            click.echo(f"  {p}", err=True)
        sys.exit(1)


@click.group()
def users() -> None:
    """Users of TIK."""


@users.command("create")
@click.argument("username")
@click.option("--name", required=True)
@click.option("--unit", "unit_key", required=True, help="Unit key from the organisation file")
@click.option("--role", "roles", multiple=True, default=["employee"],
              type=click.Choice(["employee", "coordinator", "team", "leader", "analyst", "admin"]))
@click.password_option()
@with_appcontext
def users_create(username: str, name: str, unit_key: str, roles: tuple[str, ...], password: str) -> None:
    """Create a user in a unit (and so in the unit's service)."""
    from tik.auth.models import Role
    from tik.auth.service import UserError, create_user
    from tik.extensions import db
    from tik.org.service import unit_by_key

    unit = unit_by_key(unit_key)
    if unit is None:
        raise click.BadParameter(f"unknown unit '{unit_key}' (load the organisation file: tik org load)",
                                 param_hint="--unit")
    try:
        create_user(username, name, unit, password, {Role(r) for r in roles})
    except UserError as error:
        raise click.ClickException(str(error)) from None
    db.session.commit()
    click.echo(f"Bruker {username} er opprettet.")


@users.command("mfa-code")
@click.argument("username")
@with_appcontext
def users_mfa_code(username: str) -> None:
    """Issue a one-time code with which USERNAME may set up a second factor (e.g. the first admin)."""
    from tik.auth import mfa
    from tik.auth.models import User
    from tik.extensions import db

    user = db.session.scalar(select(User).where(User.username == username))
    if user is None or not user.active:
        raise click.ClickException(f"no active user '{username}'")
    code = mfa.issue_enrolment_code(user, by=None)
    click.echo(f"Engangskode for {username} (én gang, {mfa.ENROLMENT_CODE_HOURS} timer): {code}")


@users.command("list")
@with_appcontext
def users_list() -> None:
    """List users: username, name, service, roles, active."""
    from sqlalchemy.orm import joinedload

    from tik.auth.models import User
    from tik.extensions import db

    for u in db.session.scalars(select(User).options(joinedload(User.unit)).order_by(User.username)):
        unit = u.unit.key if u.unit else "-"
        click.echo(f"{u.username:<16} {u.name:<28} {unit:<24} {u.roles_text:<24} "
                   f"{'aktiv' if u.active else 'deaktivert'}")


@click.group()
def org() -> None:
    """The organisation: units, their service and leaders (organisation.yaml)."""


@org.command("check")
@click.argument("path", required=False, type=click.Path(path_type=Path))
@click.option("--municipality", "key", default=None, help="The municipality (a key of municipalities.yaml).")
@with_appcontext
def org_check(path: Path | None, key: str | None) -> None:
    """Check an organisation file (default: TIK_ORGANISATION, or the municipality's); exit 1 listing every problem."""
    from tik.municipalities import all_municipalities, by_key, municipality_scope
    from tik.org.service import check_organisation, organisation_file

    chosen = by_key(key) if key else all_municipalities()[0]
    if chosen is None:
        raise click.BadParameter(f"unknown municipality '{key}'", param_hint="--municipality")
    with municipality_scope(chosen):
        path = path or organisation_file()
        specs, problems = check_organisation(path)
    _exit_with_problems(path, problems)
    click.echo(f"{path.name}: {len(specs)} units. OK")


@org.command("load")
@click.argument("path", required=False, type=click.Path(path_type=Path))
@with_appcontext
def org_load(path: Path | None) -> None:
    """Check the organisation file, then create or update its units and leaders in the database."""
    from tik.org.service import OrganisationInvalid, load_organisation

    try:
        missing = load_organisation(path)
    except OrganisationInvalid as invalid:
        for p in invalid.problems:
            click.echo(f"  {p}", err=True)
        sys.exit(1)
    for username in missing:
        click.echo(f"leader '{username}' has no user yet; create it and load again", err=True)
    click.echo("Organisasjonen er lastet.")


@click.group()
def plan() -> None:
    """The coordinated plan."""


@plan.command("pdf")
@click.argument("ref")
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True)
@click.option("--family", is_flag=True, help="The family version (plain language, no internal notes).")
@click.option("--user", "username", required=True, help="Who prints: the access policy applies as on the web.")
@click.option("--lang", default=None)
@with_appcontext
def plan_pdf_command(ref: str, output: Path, family: bool, username: str, lang: str | None) -> None:
    """Print a case's plan to a PDF file (audited as the given user)."""
    from werkzeug.exceptions import NotFound

    from tik.auth.models import User
    from tik.auth.policy import case_for
    from tik.extensions import db
    from tik.plans.printing import plan_pdf

    user = db.session.scalar(select(User).where(User.username == username))
    if user is None or not user.active:
        raise click.ClickException(f"unknown or inactive user '{username}'")
    try:
        case = case_for(user, ref, action="plan.pdf")
    except NotFound:
        raise click.ClickException(f"no case {ref} that {username} may see") from None
    _name, data = plan_pdf(case, user, family=family, lang=lang)
    output.write_bytes(data)
    click.echo(f"{output} ({len(data)} bytes)")


plan_pdf_command.name = "pdf"


@click.command("reminders")
@with_appcontext
def reminders() -> None:
    """Queue today's reminder e-mails (no personal data) and send them when TIK_SMTP_HOST is set."""
    from flask import current_app

    from tik.municipalities import each_municipality
    from tik.mywork.service import queue_reminders, send_outbox

    queued = sent = 0
    for _municipality in each_municipality():
        queued += queue_reminders()
        sent += send_outbox(current_app.config["SMTP"])
    click.echo(f"{queued} påminnelser lagt i utboksen, {sent} sendt.")


@click.group()
def audit() -> None:
    """The audit trail."""


@audit.command("verify")
@with_appcontext
def audit_verify() -> None:
    """Seal pending events, then check the keyed chain, each event's MAC and the anchor file (required once
    anything is sealed); exit 1 naming each break."""
    from tik.audit.service import verify

    breaks = verify()
    for b in breaks:
        click.echo(str(b), err=True)
    if breaks:
        sys.exit(1)
    click.echo("Revisjonssporet er helt.")


@audit.command("seal")
@with_appcontext
def audit_seal() -> None:
    """Seal written events into the chain and anchor its head (for cron; requests seal on their own)."""
    from tik.audit.service import seal

    click.echo(f"{seal()} hendelser forseglet.")
