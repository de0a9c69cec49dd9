"""The unit of work: each service function is one transaction, begun and ended here, never in a view.

A view parses, calls one service function decorated with `unit_of_work`, and renders or redirects. The service
commits its change together with its timeline entry and audit event, or raises and leaves nothing behind. What
the request did before the call — the case it loaded and the audit event of that read (tik.audit.service
.record_view) — is kept: the service runs in a SAVEPOINT, so a refused or stale save undoes only itself and
the view re-renders from what it has loaded (409 or 422, the user's text kept), its read still audited.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import Any, TypeVar

from tik.extensions import db
from tik.idempotency import claim

F = TypeVar("F", bound=Callable[..., Any])
_OPEN = "tik_unit_of_work"


@contextmanager
def transaction() -> Iterator[None]:
    """Run the block as one unit of work: commit when it ends, undo it alone when it raises (and re-raise).

    Inside another unit of work the block is a savepoint of that unit and commits with it.
    """
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
