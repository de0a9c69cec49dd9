"""How a case appears where the family has not consented: an alias, never a name."""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _

from tik.concerns.models import Child


def school_year(child: Child, on: date) -> int | None:
    """The Norwegian school year (trinn) the child is in on `on`, or None before school / after 13th."""
    autumn_start = on.year if on.month >= 8 else on.year - 1
    year = autumn_start - child.birth_date.year - 5
    return year if 1 <= year <= 13 else None


def alias(child: Child, on: date) -> str:
    """For example "Gutt, 10 år, 5. trinn": gender, age and school year — no name, birth date, id or school."""
    gender = {"boy": _("Gutt"), "girl": _("Jente")}.get(child.gender, _("Barn"))
    parts = [gender, _("%(n)s år", n=child.age_on(on))]
    year = school_year(child, on)
    if year:
        parts.append(_("%(n)s. trinn", n=year))
    return ", ".join(parts)
