"""The Flask extensions, created here and bound to the app in create_app."""

import os

from flask import g, has_app_context
from flask_babel import Babel, get_locale
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
limiter = Limiter(key_func=get_remote_address, default_limits=[])


def interface_language() -> str:
    """The request's interface language ("nb", "nn" or "en"): what guidebook texts are shown in."""
    return str(get_locale() or "nb")


@event.listens_for(Engine, "connect")
def _sqlite_on_connect(dbapi_connection, _record) -> None:
    """SQLite as DESIGN.md says: WAL, busy_timeout, foreign keys; transactions begun by us."""
    if type(dbapi_connection).__module__.split(".")[0] != "sqlite3":
        return
    dbapi_connection.isolation_level = None  # let the "begin" hook below issue BEGIN IMMEDIATE
    cursor = dbapi_connection.cursor()
    for pragma in ("journal_mode=WAL", "busy_timeout=10000", "foreign_keys=ON", "synchronous=NORMAL"):
        cursor.execute(f"PRAGMA {pragma}")
    files = [row[2] for row in cursor.execute("PRAGMA database_list") if row[2]]
    cursor.close()
    for name in files:  # the database holds children's data: its owner only (-wal and -shm follow its mode)
        for path in (name, f"{name}-wal", f"{name}-shm"):
            if os.path.exists(path) and os.stat(path).st_uid == os.getuid():
                os.chmod(path, 0o600)


READING = "tik_reading"  # set on `g` while a request has only read (tik.db.read_request, stop_reading)


def reading() -> bool:
    """Whether the current request has so far only read: on SQLite its transaction then begins DEFERRED."""
    return has_app_context() and g.get(READING, False)


@event.listens_for(Engine, "begin")
def _sqlite_begin_immediate(conn) -> None:
    """Take the write lock at BEGIN: with DEFERRED, two writers can both read then lose an update.

    A connection opened with `execution_options(read_only=True)` (a long read such as `tik audit verify`)
    begins DEFERRED, so that writers go on while it reads; so does a page that only reads (`reading()`),
    which writes its audit event in a transaction of its own once the page is rendered (tik.db).
    """
    if conn.dialect.name == "sqlite":
        deferred = conn.get_execution_options().get("read_only") or reading()
        conn.exec_driver_sql("BEGIN" if deferred else "BEGIN IMMEDIATE")
