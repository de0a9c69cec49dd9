"""The unit of work: each service function is one transaction, begun and ended here, never in a view.

A view parses, calls one service function decorated with `unit_of_work`, and renders or redirects. The service
commits its change together with its timeline entry and audit event, or raises and leaves nothing behind. What
the request did before the call — the case it loaded and the audit event of that read (tik.audit.service
.record_view) — is kept: the service runs in a SAVEPOINT, so a refused or stale save undoes only itself and
the view re-renders from what it has loaded (409 or 422, the user's text kept), its read still audited.

A GET request is a reader until it writes (`read_request`, `stop_reading`): on SQLite, whose one write lock every
writer waits for, its reads begin DEFERRED and take no lock, and the page is rendered outside any write
transaction; its audit event is written after rendering, in a short transaction of its own.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import Any, TypeVar

from flask import g
from sqlalchemy import event
from sqlalchemy.orm import Session

from tik.extensions import READING, db, reading
from tik.idempotency import claim

F = TypeVar("F", bound=Callable[..., Any])
_OPEN = "tik_unit_of_work"


def read_request() -> None:
    """Begin a GET request as a reader (SQLite only): its transaction begins DEFERRED, so that rendering a page
    never holds the database's one write lock. The page's audit event is written afterwards, in a transaction
    of its own (tik.audit.service.record_view); anything that writes first calls `stop_reading()`.

    On PostgreSQL every transaction already reads without blocking writers: nothing changes there.
    """
    session = db.session()
    if session.get_bind().dialect.name == "sqlite" and not session.in_transaction():
        g.setdefault(READING, True)


def request_ended() -> None:
    """Forget the request's reading state (tests share one app context across requests)."""
    g.pop(READING, None)


def stop_reading() -> None:
    """About to write in a request that has only read: end its read transaction, keeping what it loaded, so
    that the write begins with the write lock (`BEGIN IMMEDIATE`). A DEFERRED transaction that writes late
    fails when another writer committed meanwhile (SQLITE_BUSY_SNAPSHOT): a reader never upgrades."""
    if not reading():
        return
    g.pop(READING, None)
    session = db.session()
    if session.in_transaction():
        if session.new or session.dirty or session.deleted:
            raise RuntimeError("a read request changed data before tik.db.stop_reading()")
        keep, session.expire_on_commit = session.expire_on_commit, False
        try:
            session.commit()  # nothing to write: only ends the read
        finally:
            session.expire_on_commit = keep


@contextmanager
def transaction() -> Iterator[None]:
    """Run the block as one unit of work: commit when it ends, undo it alone when it raises (and re-raise).

    Inside another unit of work the block is a savepoint of that unit and commits with it.
    """
    stop_reading()
    session = db.session()
    if session.info.get(_OPEN):
        with session.begin_nested():
            yield
        return
    session.info[_OPEN] = True
    try:
        if session.in_transaction():  # the request read first: keep that, undo only the block on failure
            with session.begin_nested():
                yield
        else:
            try:
                yield
            except BaseException:
                session.rollback()
                raise
        try:
            session.commit()
        except BaseException:
            session.rollback()
            raise
    finally:
        session.info.pop(_OPEN, None)


@event.listens_for(Session, "before_flush")
def _readers_do_not_write(session, _context, _instances) -> None:
    """A write slipped into a read request without `stop_reading()` (or a unit of work) would upgrade a
    DEFERRED transaction, which SQLite may refuse under load: refuse it always, so a test finds it first."""
    if reading():
        raise RuntimeError("a read request wrote without tik.db.stop_reading()")


def unit_of_work(fn: F | None = None, *, once_per_form: bool | Callable[[str], Any] = False) -> Any:
    """Decorate a service function: it runs in `transaction()`.

    With `once_per_form`, the function takes a keyword `form_key` (the create-form's idempotency key): the first
    call with a key does the work, a repeat (a double-submitted form) changes nothing and returns None, or
    `once_per_form(key)` when that is a function (what the first call made: the function then names a
    `form_key` parameter of its own, receives the key, and keeps it with what it makes). The key is claimed in
    the same transaction, so a refused create leaves it unused for the corrected form.
    """

    def decorate(function: F) -> F:
        keeps_key = "form_key" in inspect.signature(function).parameters

        @wraps(function)
        def run(*args: Any, **kwargs: Any) -> Any:
            form_key = (kwargs.get if keeps_key else kwargs.pop)("form_key", None) if once_per_form else None
            with transaction():
                if once_per_form and not claim(form_key):
                    return once_per_form(form_key) if callable(once_per_form) else None
                return function(*args, **kwargs)

        return run  # type: ignore[return-value]

    return decorate(fn) if fn is not None else decorate
