"""Corrections to the child's and the guardians' details, each on the timeline with old and new value."""

from __future__ import annotations

from datetime import date, datetime

from tik.audit.service import record
from tik.auth.models import User
from tik.cases.models import Case, EventKind
from tik.concerns.models import Guardian, name_key
from tik.db import unit_of_work
from tik.extensions import db
from tik.guidebook import family_language_default
from tik.timeline.service import log

CHILD_FIELDS = ("first_name", "last_name", "birth_date", "gender", "school", "class_name")
GUARDIAN_FIELDS = ("name", "relation", "phone", "email", "language")


@unit_of_work
def update_child(case: Case, by: User, changes: dict[str, object]) -> int:
    """Correct the child's details; each change on the timeline with old and new value. Refuses text the
    columns cannot hold as typed (tik.forms.check_text: TextRefused) before changing anything."""
    from tik.forms import check_text

    check_text(type(case.child), {k: v.strip() for k, v in changes.items() if k in CHILD_FIELDS and isinstance(v, str)})
    child = case.child
    count = 0
    for key in CHILD_FIELDS:
        if key not in changes:
            continue
        new = changes[key]
        new = new.strip() if isinstance(new, str) else new
        old = getattr(child, key)
        if new == old or new is None:
            continue
        setattr(child, key, new)
        if key in ("first_name", "last_name"):
            setattr(child, f"{key}_key", name_key(str(new)))
        log(case, EventKind.DETAILS, by, who="child", field=key, old=_plain(old), new=_plain(new))
        count += 1
    if count:
        record(by, "child.update", case)
    return count


@unit_of_work
def update_guardian(case: Case, by: User, guardian_id: int, changes: dict[str, str]) -> int:
    """Correct a guardian's details; refuses text the columns cannot hold as typed (TextRefused) first."""
    from tik.forms import check_text

    check_text(Guardian, {k: (changes[k] or "").strip() for k in GUARDIAN_FIELDS if k in changes})
    guardian = next((g for g in case.child.guardians if g.id == guardian_id), None)
    if guardian is None:
        raise LookupError(guardian_id)
    count = 0
    for key in GUARDIAN_FIELDS:
        if key in changes and (changes[key] or "").strip() != getattr(guardian, key):
            old, new = getattr(guardian, key), (changes[key] or "").strip()
            if key == "name" and not new:
                continue
            setattr(guardian, key, new)
            log(case, EventKind.DETAILS, by, who="guardian", guardian=guardian.name, field=key, old=old, new=new)
            count += 1
    if count:
        record(by, "guardian.update", case)
    return count


@unit_of_work
def add_guardian(case: Case, by: User, *, name: str, relation: str = "", phone: str = "", email: str = "",
                 language: str = ""):
    if not name.strip():
        raise ValueError("name")
    guardian = Guardian(name=name.strip(), relation=relation.strip(), phone=phone.strip(), email=email.strip(),
                        language=language or family_language_default())
    case.child.guardians.append(guardian)
    db.session.flush()
    log(case, EventKind.DETAILS, by, who="guardian", guardian=guardian.name, field="added", old="",
        new=guardian.name)
    record(by, "guardian.add", case)
    return guardian


@unit_of_work
def remove_guardian(case: Case, by: User, guardian_id: int) -> None:
    guardian = next((g for g in case.child.guardians if g.id == guardian_id), None)
    if guardian is None:
        raise LookupError(guardian_id)
    case.child.guardians.remove(guardian)
    log(case, EventKind.DETAILS, by, who="guardian", guardian=guardian.name, field="removed", old=guardian.name,
        new="")
    record(by, "guardian.remove", case)


def _plain(value: object) -> str:
    return value.isoformat() if isinstance(value, date | datetime) else str(value)
