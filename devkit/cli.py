"""The development commands: `tik demo` and `tik dev-idp` (and `tik seed-scale`, in devkit/scale.py).

They join the `tik` command as Flask plugin commands (devkit/pyproject.toml), so they exist only where the
development kit is installed."""

from __future__ import annotations

import click
from flask.cli import with_appcontext


@click.command("dev-idp")
@click.option("--port", default=5001, show_default=True, help="Port of the provider (on 127.0.0.1).")
@click.option("--tik-url", default="http://127.0.0.1:5000", show_default=True, help="Where TIK runs.")
def dev_idp(port: int, tik_url: str) -> None:
    """A local OpenID Connect test provider with demo people, for development only (README)."""
    from werkzeug.serving import make_server

    from devkit.devidp import dev_provider

    provider = dev_provider(tik_url)
    server = make_server("127.0.0.1", port, provider.app(), threaded=True)
    provider.issuer = f"http://127.0.0.1:{server.port}"
    click.echo(f"Testleverandør (OIDC) på {provider.issuer} – bare for utvikling. Start TIK med:")
    click.echo(f"  TIK_OIDC_STAFF_ISSUER={provider.issuer} TIK_OIDC_STAFF_CLIENT_ID=tik-staff "
               "TIK_OIDC_STAFF_CLIENT_SECRET=dev-staff-secret TIK_OIDC_STAFF_LABEL=Testleverandøren make run")
    click.echo("For Min familie / Min familj (ID-porten, or BankID in a Swedish municipality) add:")
    click.echo(f"  TIK_OIDC_FAMILY_ISSUER={provider.issuer} TIK_OIDC_FAMILY_CLIENT_ID=tik-family "
               "TIK_OIDC_FAMILY_CLIENT_SECRET=dev-family-secret")
    server.serve_forever()


@click.command("demo")
@click.option("--print-logins", is_flag=True, help="Only print the demo logins.")
@with_appcontext
def demo(print_logins: bool) -> None:
    """Load the demo municipalities into an empty database (never twice)."""
    from devkit import demo as demo_data

    if not print_logins:
        created = demo_data.load_all()
        click.echo(f"Lastet: {', '.join(created)}." if created else "Databasen har allerede data; demo ikke lastet.")
    click.echo(demo_data.logins_text())
