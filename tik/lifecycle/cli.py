"""`tik retention run` (for cron or a systemd timer) and `tik archive print`."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

REASONS = {"delete": "slettes: arkivutskrift finnes, fristen er passert",
           "legal_hold": "beholdes: rettslig bevaring",
           "no_archive_print": "beholdes: ingen arkivutskrift ennå",
           "not_due": "beholdes: fristen er ikke passert"}


@click.group()
def retention() -> None:
    """Deleting closed cases' working copies on the guidebook's schedule."""


@retention.command("run")
@click.option("--dry-run", is_flag=True, help="Only list what would be deleted, and why the rest is kept.")
@with_appcontext
def retention_run(dry_run: bool) -> None:
    """Delete every closed case that is due, has an archive print and no legal hold (one transaction each)."""
    from tik.clock import today
    from tik.lifecycle.retention import run_retention
    from tik.municipalities import each_municipality

    candidates = []
    for _municipality in each_municipality():  # each municipality's cases on its own guidebook and clock
        candidates += run_retention(today(), dry_run=dry_run)
    for c in candidates:
        click.echo(f"{c.ref}\tavsluttet {c.closed_on}\tfrist {c.due_on}\t{REASONS[c.action]}")
    deleted = sum(c.deletes for c in candidates)
    click.echo(f"{deleted} sak(er) {'ville blitt slettet' if dry_run else 'slettet'}, "
               f"{len(candidates) - deleted} beholdt.")
    if not dry_run:
        click.echo(f"{purge_sessions()} utløpte innlogginger slettet.")


def purge_sessions() -> int:
    """Logins that ended (logout, timeout, password change) are deleted with the same schedule run."""
    from datetime import timedelta

    from flask import current_app

    from tik.auth import sessions
    from tik.db import transaction

    with transaction():
        return sessions.purge(timedelta(hours=current_app.config["TIK_ABSOLUTE_HOURS"]))


@click.group("archive")
def archive() -> None:
    """The archive print of a closed case."""


@archive.command("print")
@click.argument("ref")
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True)
@click.option("--user", "username", required=True, help="Who prints: the holder or the unit leader.")
@with_appcontext
def archive_print(ref: str, output: Path, username: str) -> None:
    """Write the archive zip (PDF/A + metadata) of a closed case; audited and on the case's timeline."""
    from sqlalchemy import select
    from werkzeug.exceptions import NotFound

    from tik.auth.models import User
    from tik.auth.policy import case_for
    from tik.extensions import db
    from tik.lifecycle.archive import print_archive
    from tik.lifecycle.service import LifeError

    user = db.session.scalar(select(User).where(User.username == username))
    if user is None or not user.active:
        raise click.ClickException(f"unknown or inactive user '{username}'")
    try:
        package = print_archive(case_for(user, ref), user)
    except NotFound:
        raise click.ClickException(f"no case {ref} that {username} may see") from None
    except LifeError as error:
        raise click.ClickException(f"{ref}: {error.code}") from None
    output.write_bytes(package.data)
    click.echo(f"{output} ({len(package.data)} bytes)")
