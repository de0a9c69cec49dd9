"""`tik youth retention`: delete unconverted youth conversations past the guidebook's retention days."""

from __future__ import annotations

import click
from flask.cli import with_appcontext


@click.group("youth")
def youth_command() -> None:
    """The young person's door (ungdomsdøra)."""


@youth_command.command("retention")
@with_appcontext
def retention() -> None:
    """Delete conversations that became neither a case nor a report, N days after their last message
    (youth.yaml `retention_days`); their anonymous statistics rows stay."""
    from tik.youth.service import apply_retention, youth

    deleted = apply_retention()
    click.echo(f"Slettet {deleted} samtale(r) eldre enn {youth().retention_days} dager etter siste melding.")
