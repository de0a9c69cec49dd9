"""Backup and restore of the whole database: SQLite's online backup API, pg_dump/pg_restore for PostgreSQL.

A backup is one file. Restoring replaces everything in the database with the backup's contents, in one
go: on PostgreSQL inside a single transaction (a failed restore leaves the database as it was), on
SQLite through the backup API page by page under the write lock.

On PostgreSQL the app's role is held by row-level security (tik/municipalities/rls.py): pg_dump run as that role
refuses ("query would be affected by row-level security policy"; with --enable-row-security it would copy
only the rows one municipality sees). So both commands connect as the maintenance role,
TIK_MAINTENANCE_DATABASE_URL (BYPASSRLS, the tables' owner), and without it say so before anything starts.
"""

from __future__ import annotations

import os
import secrets
import shutil
import sqlite3
import subprocess  # nosec B404
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click
from flask.cli import with_appcontext
from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, make_url

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_MAGIC = b"PGDMP"

# Runs inside the restore's transaction: everything the app's schema holds goes before the backup's
# objects come back, so tables that the backup does not have cannot linger.
_PG_EMPTY_SCHEMA = """
DO $$ DECLARE r record; BEGIN
  FOR r IN SELECT tablename FROM pg_tables WHERE schemaname = current_schema() LOOP
    EXECUTE format('DROP TABLE IF EXISTS %I CASCADE', r.tablename);
  END LOOP;
  FOR r IN SELECT sequencename FROM pg_sequences WHERE schemaname = current_schema() LOOP
    EXECUTE format('DROP SEQUENCE IF EXISTS %I CASCADE', r.sequencename);
  END LOOP;
  FOR r IN SELECT t.typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
           WHERE n.nspname = current_schema() AND t.typtype = 'e' LOOP
    EXECUTE format('DROP TYPE IF EXISTS %I CASCADE', r.typname);
  END LOOP;
END $$;
"""


class BackupError(RuntimeError):
    """The backup or restore could not be done; the message says why."""


def backup(url: str, path: Path) -> int:
    """Write a consistent copy of the database at `url` to `path`; returns its size in bytes."""
    parsed = make_url(url)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    private_file(path)  # a backup holds every child's data: readable by its owner only, from the first byte
    if parsed.get_backend_name() == "sqlite":
        _sqlite_backup(_sqlite_file(parsed), path)
    elif parsed.get_backend_name() == "postgresql":
        _refuse_a_held_role(parsed)
        _run([_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges", "--file", str(path)],
             parsed)
    else:
        raise BackupError(f"no backup for {parsed.get_backend_name()} databases")
    path.chmod(0o600)
    return path.stat().st_size


def private_file(path: Path) -> None:
    """Create `path` empty with mode 0600 (or make an existing one 0600) before anything is written to it."""
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
    path.chmod(0o600)


def restore(url: str, path: Path) -> None:
    """Replace everything in the database at `url` with the backup at `path`."""
    parsed = make_url(url)
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"{path}: no such file")
    with path.open("rb") as file:
        magic = file.read(16)
    if parsed.get_backend_name() == "sqlite":
        if not magic.startswith(SQLITE_MAGIC):
            raise BackupError(f"{path} is not a SQLite backup")
        _sqlite_restore(path, _sqlite_file(parsed))
    elif parsed.get_backend_name() == "postgresql":
        if not magic.startswith(PG_MAGIC):
            raise BackupError(f"{path} is not a pg_dump archive (made by `tik backup` on PostgreSQL)")
        _pg_restore(path, parsed)
    else:
        raise BackupError(f"no restore for {parsed.get_backend_name()} databases")


def _sqlite_file(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError("an in-memory SQLite database has nothing to back up")
    return Path(url.database)


def _sqlite_backup(source: Path, target: Path) -> None:
    """Online backup: readers and writers go on; the copy is one consistent snapshot in one file."""
    if not source.is_file():
        raise BackupError(f"{source}: no such database")
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    private_file(partial)  # SQLite takes an empty file as an empty database, and keeps its mode
    src = sqlite3.connect(source)
    dst = sqlite3.connect(partial)
    try:
        src.backup(dst, pages=4096)
        # A backup is one self-contained file, not a WAL database that needs its -wal beside it.
        dst.execute("PRAGMA journal_mode=DELETE")
        if dst.execute("PRAGMA quick_check").fetchone()[0] != "ok":
            raise BackupError(f"the copy of {source} failed its integrity check")
    finally:
        dst.close()
        src.close()
    partial.replace(target)


def _sqlite_restore(backup_file: Path, target: Path) -> None:
    """Copy the backup's pages over the live database under its write lock (other processes wait)."""
    src = sqlite3.connect(f"file:{backup_file}?mode=ro", uri=True)
    try:
        if src.execute("PRAGMA quick_check").fetchone()[0] != "ok":
            raise BackupError(f"{backup_file} failed its integrity check; nothing was restored")
        dst = sqlite3.connect(target, timeout=30)
        try:
            src.backup(dst)
            dst.execute("PRAGMA journal_mode=WAL")  # the live database keeps DESIGN.md's journal mode
        finally:
            dst.close()
    finally:
        src.close()


def _pg_restore(path: Path, url: URL) -> None:
    """pg_restore writes the archive as SQL; psql applies it after emptying the schema, in one transaction."""
    env = _pg_env(url)
    reader = subprocess.Popen(  # nosec B603
        [_tool("pg_restore"), "--no-owner", "--no-privileges", "--file", "-", str(path)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    writer = subprocess.run(  # nosec B603
        [_tool("psql"), "--no-psqlrc", "--quiet", "--single-transaction", "-v", "ON_ERROR_STOP=1",
         "--command", _PG_EMPTY_SCHEMA, "--file", "-"],
        stdin=reader.stdout, capture_output=True, env=env, check=False)
    reader.stdout.close()
    reader_err = reader.stderr.read().decode(errors="replace")
    reader.wait()
    if reader.returncode != 0:
        raise BackupError(f"pg_restore failed; nothing was restored: {reader_err.strip()}")
    if writer.returncode != 0:
        said = writer.stderr.decode(errors="replace").strip()
        hint = (f" (run it as the tables' owner: set {MAINTENANCE_SETTING})" if "must be owner" in said else "")
        raise BackupError(f"psql failed; nothing was restored: {said}{hint}")


MAINTENANCE_SETTING = "TIK_MAINTENANCE_DATABASE_URL"


def _refuse_a_held_role(url: URL) -> None:
    """Refuse, naming the setting, when the role would be held by row-level security on any table: pg_dump
    would refuse anyway, after starting, with a message that names a table and not the cure."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            role, free = conn.execute(text("SELECT current_user, rolsuper OR rolbypassrls FROM pg_roles "
                                           "WHERE rolname = current_user")).one()
            held = conn.execute(text("SELECT count(*) FROM pg_class WHERE relrowsecurity "
                                     "AND relnamespace = current_schema()::regnamespace")).scalar()
    except Exception as error:  # noqa: BLE001 - any failure to connect is the backup's failure, named
        raise BackupError(f"cannot connect to the database: {error.__class__.__name__}") from None
    finally:
        engine.dispose()
    if held and not free:
        raise BackupError(
            f"the database role {role!r} is held by row-level security on {held} tables, so a backup would miss "
            f"other municipalities' rows; set {MAINTENANCE_SETTING} to a role with BYPASSRLS (the tables' owner; "
            "docs/operations.md, \"Backups\")")


def _tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise BackupError(f"{name} is not installed (Debian: apt-get install postgresql-client)")
    return found


def _pg_env(url: URL) -> dict[str, str]:
    """libpq settings from the URL, passed in the environment so the password never shows in `ps`."""
    env = dict(os.environ)
    values = {"PGHOST": url.host, "PGPORT": url.port, "PGUSER": url.username, "PGPASSWORD": url.password,
              "PGDATABASE": url.database, "PGSSLMODE": url.query.get("sslmode")}
    env.update({k: str(v) for k, v in values.items() if v})
    return env


def _run(args: list[str], url: URL) -> None:
    done = subprocess.run(args, capture_output=True, env=_pg_env(url), check=False)  # nosec B603
    if done.returncode != 0:
        raise BackupError(f"{Path(args[0]).name} failed: {done.stderr.decode(errors='replace').strip()}")


# -- scratch databases (tests and benchmarks) -----------------------------------------------------------


@contextmanager
def scratch_database(server_url: str, prefix: str = "tik_scratch") -> Iterator[str]:
    """A new, empty database for the duration of the block, dropped afterwards.

    For PostgreSQL `server_url` names any database on the server (a new one is created beside it);
    for SQLite it names the file to use, which is removed afterwards.
    """
    url = make_url(server_url)
    if url.get_backend_name() == "sqlite":
        path = _sqlite_file(url)
        _remove_sqlite(path)
        try:
            yield url.render_as_string(hide_password=False)
        finally:
            _remove_sqlite(path)
        return
    name = f"{prefix}_{secrets.token_hex(4)}"
    create_database(server_url, name)
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        drop_database(server_url, name)


def _remove_sqlite(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def create_database(server_url: str, name: str) -> None:
    """CREATE DATABASE `name` on the PostgreSQL server that `server_url` points at."""
    _admin(server_url, f'CREATE DATABASE "{_identifier(name)}"')


def drop_database(server_url: str, name: str) -> None:
    """DROP DATABASE `name` (ending its connections) on the server that `server_url` points at."""
    _admin(server_url, f'DROP DATABASE IF EXISTS "{_identifier(name)}" WITH (FORCE)')


def _identifier(name: str) -> str:
    if not name.replace("_", "").isalnum():
        raise BackupError(f"unsafe database name {name!r}")
    return name


def _admin(server_url: str, statement: str) -> None:
    engine = create_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text(statement))
    finally:
        engine.dispose()


# -- commands ---------------------------------------------------------------------------------------------


def _database_url() -> str:
    """The maintenance role's URL when set (PostgreSQL with row-level security), else the app's."""
    from flask import current_app

    return current_app.config.get(MAINTENANCE_SETTING) or current_app.config["SQLALCHEMY_DATABASE_URI"]


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup_command(path: Path) -> None:
    """Write a consistent backup of the whole database to PATH (while TIK keeps running)."""
    from tik.audit.service import record
    from tik.extensions import db

    # Recorded before the copy is taken, so the backup holds the record of itself; the path is not recorded
    # (it may name a person's folder).
    record(None, "backup")
    db.session.commit()
    try:
        size = backup(_database_url(), path)
    except BackupError as error:
        record(None, "backup.failed")
        db.session.commit()
        raise click.ClickException(str(error)) from None
    click.echo(f"Sikkerhetskopi skrevet til {path} ({size / 1_048_576:.1f} MB).")


@click.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.confirmation_option("--yes", prompt="Alt i databasen erstattes med sikkerhetskopien. Fortsette?",
                           help="Do not ask before replacing the database.")
@with_appcontext
def restore_command(path: Path) -> None:
    """Replace everything in the database with the backup at PATH (made by `tik backup`)."""
    from tik.extensions import db

    db.session.remove()
    db.engine.dispose()  # no pooled connection of ours holds a lock or a stale schema
    try:
        restore(_database_url(), path)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    from flask import current_app

    from tik.audit.chain import rebase_anchor
    from tik.municipalities import forget_ids

    forget_ids(current_app)  # the municipalities' row ids are the backup's now
    rebase_anchor()  # the chain now ends where the backup ended: anchored heads after it are superseded
    click.echo(f"Databasen er gjenopprettet fra {path}. Kjør `tik init-db` hvis sikkerhetskopien er eldre "
               "enn denne versjonen av TIK.")
