"""`tik consent expire` (nightly, for cron or a systemd timer): carry out the expiry of consents that ran out."""

from __future__ import annotations

import click
from flask.cli import with_appcontext


@click.group("consent")
def consent_command() -> None:
    """Consents: what ends when they expire."""


@consent_command.command("expire")
@with_appcontext
def consent_expire() -> None:
    """End what hung on every consent that expired (participants, pending handovers, the services' measures),
    on each case's timeline as on withdrawal. Idempotent: run it nightly, just after midnight."""
    from tik.cases.consent import settle_all_expired

    refs = settle_all_expired()
    for ref in refs:
        click.echo(ref)
    click.echo(f"{len(refs)} sak(er) med utløpt samtykke avsluttet.")
