"""Measures from the guidebook's catalogue: what the case may use, and a new measure's starting values."""

from __future__ import annotations

from datetime import date

from tik.auth.policy import allowed_services
from tik.cases.models import Case
from tik.clock import today
from tik.guides.model import Guide


def from_catalogue(case: Case, guide: Guide, key: str, lang: str, on: date | None = None) -> dict[str, str] | None:
    """A new measure's starting values from a catalogue measure: the first service that usually carries it and
    the case may use, what (its title) and goal (its description). None if the measure is not offered here."""
    for _area, items in catalogue_for(case, guide, on):
        for measure, services in items:
            if measure.key == key:
                return {"service_key": services[0], "what": measure.title.get(lang),
                        "goal": measure.description.get(lang)}
    return None


def catalogue_for(case: Case, guide: Guide, on: date | None = None):
    """The guidebook's measures by focus area, each with the services that usually carry it that the case
    may use (the holder's own and those consent covers). Measures no allowed service carries are left out."""
    allowed = allowed_services(case, on or today())
    areas = []
    for area in guide.measure_areas:
        items = [(m, [s for s in m.services if s in allowed]) for m in area.measures]
        items = [(m, services) for m, services in items if services and (not m.levels or case.level in m.levels
                                                                          or case.level == 0)]
        if items:
            areas.append((area, items))
    return areas

