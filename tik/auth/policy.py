"""The access policy: who may see and do what with a case. Every view, CLI command and export asks here."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import wraps

from flask import abort
from flask_login import current_user
from sqlalchemy import and_, exists, or_, select
from sqlalchemy.orm import joinedload
from sqlalchemy.sql.elements import ColumnElement

from tik.auth.models import Role, User
from tik.cases.models import Case, Consent, ConsentService
from tik.clock import today
from tik.concerns.models import Child
from tik.extensions import db, login_manager


def consented_services(case: Case, on: date) -> set[str]:
    """The services an active consent on `case` covers on `on`."""
    return {key for c in case.consents if c.is_active(on) for key in c.services}


def can_view_case(user: User, case: Case, on: date) -> bool:
    """Holder, owning service, or a service an active consent covers. Nobody else, admins neither."""
    if not user.is_authenticated or not user.active:
        return False
    return (case.coordinator_id == user.id or case.owning_service == user.service_key
            or user.service_key in consented_services(case, on))


can_edit_case = can_view_case  # whoever may see the case works on it; the timeline says who did what


def can_hold_case(user: User, case: Case, on: date) -> bool:
    """Whether `user` may become the stafettholder: active and able to see the case."""
    return user.active and can_view_case(user, case, on)


def visible_cases(user: User, on: date) -> ColumnElement[bool]:
    """A WHERE clause selecting exactly the cases `user` may see (the SQL twin of can_view_case)."""
    covered = exists().where(
        Consent.case_id == Case.id, Consent.withdrawn_at.is_(None),
        Consent.given_on <= on, Consent.expires_on >= on,
        ConsentService.consent_id == Consent.id, ConsentService.service_key == user.service_key,
    )
    return or_(Case.coordinator_id == user.id, Case.owning_service == user.service_key,
               and_(covered))


def case_for(user: User, ref: str, action: str = "case.view") -> Case:
    """The case `ref` if `user` may see it, with the access audited; 404 otherwise (no probing)."""
    from tik.audit.service import record

    case = db.session.scalars(
        select(Case).where(Case.ref == ref)
        .options(joinedload(Case.child).joinedload(Child.guardians), joinedload(Case.coordinator),
                 joinedload(Case.consents).joinedload(Consent.service_rows))
    ).unique().one_or_none()
    if case is None or not can_view_case(user, case, today()):
        abort(404)
    record(user, action, case)
    return case


# -- route access -----------------------------------------------------------------------------------

ACCESS_ATTR = "tik_access"


def requires(*roles: Role) -> Callable:
    """Declare that a route needs a logged-in, active user (with one of `roles`, when given)."""

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if roles and not current_user.has_role(*roles):
                abort(404)
            return view(*args, **kwargs)

        setattr(wrapper, ACCESS_ATTR, roles or ("authenticated",))
        return wrapper

    return decorate


def public(view: Callable) -> Callable:
    """Declare that a route holds no personal data and anyone may use it (login, the handbook)."""
    setattr(view, ACCESS_ATTR, ("public",))
    return view
