"""`tik stats refresh`: the nightly summary behind the statistics page (run it from cron)."""

from __future__ import annotations

import click
from flask.cli import with_appcontext


@click.group("stats")
def stats_command() -> None:
    """Anonymised statistics."""


@stats_command.command("refresh")
@with_appcontext
def refresh_command() -> None:
    """Recompute the statistics summary from the cases (nightly; takes seconds to a minute)."""
    from tik.municipalities import each_municipality
    from tik.stats.refresh import refresh

    for municipality in each_municipality():
        run = refresh()
        click.echo(f"Statistikken er oppdatert ({municipality.name}): {run.cells} celler på {run.seconds:.1f} s.")
