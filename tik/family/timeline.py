"""What the family reads of what happened in the case: a WHITELIST of entries, each with its own plain wording
written for the family, in the family's language (tik/family/texts.py).

An entry the whitelist does not name never reaches the family: the report to child welfare and its draft, the
emergency routine, the waiting for child welfare, hard-stop decisions, steps that do not face the family,
the leader's feedback, participants, corrections of details, restrictions, notes in a step's fields. No
field name, no step code and no internal step title is shown. The guidebook's `family.timeline` can narrow the
kinds shown, never widen them (tik/guides/model.py FAMILY_KINDS).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date

from markupsafe import Markup

from tik.cases.models import CaseEvent, EventKind
from tik.clock import utc_to_local
from tik.family.texts import FamilyTexts
from tik.guides.model import FAMILY_KINDS, Guide


@dataclass(frozen=True)
class FamilyEntry:
    """One entry as the family reads it: the day, the plain text, and their own words after it."""

    on: date
    text: str
    quote: str = ""
    kind: str = ""


def service_names(keys, guide: Guide, t: FamilyTexts) -> Markup:
    """The services' names in the family's language, with the Norwegian name beside where it differs (kept
    left to right inside a right-to-left sentence)."""
    names = []
    for key in keys:
        service = guide.services.get(key)
        if service is None:
            continue
        own, norwegian = service.name.get(t.lang), service.name.get("nb")
        names.append(Markup.escape(own) if own == norwegian
                     else Markup('%s <bdi lang="nb" dir="ltr">(%s)</bdi>') % (own, norwegian))
    return Markup(", ").join(names)


def _concern(event: CaseEvent, data: Mapping, guide: Guide, t: FamilyTexts) -> str | None:
    return None if data.get("attached") else t("Saken ble startet")


def _step(event: CaseEvent, data: Mapping, guide: Guide, t: FamilyTexts) -> str | None:
    if data.get("action") == "meeting.planned":
        return t("Et møte med familien er planlagt")
    step = guide.steps.get(event.step_id or "")
    if step is None or not step.faces_family or data.get("carried") or guide.is_consent_step(step):
        return None  # a step that does not face the family, or whose consent is on the timeline as a consent
    if event.decision not in {d.key for d in step.decisions}:
        return None  # hard stops and the family's no are never a step on the family's timeline
    if any(f.voice == "parents" for f in step.fields):
        return t("Samtale med foreldrene")
    return t("Et steg i arbeidet sammen med familien er gjort")


def msg(msgid: str) -> str:
    """Marks a text for the family catalogue (extracted with -k msg); translated where it is shown."""
    return msgid


LEVELS = {0: msg("Vi finner ut hva barnet trenger"), 1: msg("Tjenesten som har saken, setter inn tiltak"),
          2: msg("Flere tjenester samarbeider om tiltak"), 3: msg("Et tverrfaglig team samarbeider om barnet")}


def _level(event: CaseEvent, data: Mapping, guide: Guide, t: FamilyTexts) -> str | None:
    return t(LEVELS[event.level]) if event.level in LEVELS else None


def _consent(event: CaseEvent, data: Mapping, guide: Guide, t: FamilyTexts) -> str | None:
    action, by_family = data.get("action"), data.get("by_family")
    services = service_names(data.get("services") or [], guide, t)
    if action == "refused":
        return t("Familien sa nei til videre samarbeid")
    if action == "given" and data.get("renews"):
        return t("Samtykket er fornyet: %(services)s", services=services)
    if action == "given":
        if by_family == "young_person":
            return t("Samtykke gitt digitalt av ungdommen: %(services)s", services=services)
        if by_family:
            return t("Samtykke gitt digitalt av foresatte: %(services)s", services=services)
        return t("Samtykke registrert: %(services)s", services=services)
    if action == "withdrawn":
        return t("Samtykket er trukket tilbake: %(services)s", services=services)
    return None


def _plan(event: CaseEvent, data: Mapping, guide: Guide, t: FamilyTexts) -> str | None:
    action, what = data.get("action"), data.get("what") or ""
    if action in ("measure.added", "measure.changed"):
        return t("Planen er oppdatert: %(what)s", what=what)
    if action == "measure.evaluated":
        return t("Et tiltak er evaluert: %(what)s", what=what)
    if action == "plan.individual":
        return t("Planen er nå en individuell plan")
    if action == "plan.shared":
        return t("Familien har fått planen")
    return None


def _handover(event: CaseEvent, data: Mapping, guide: Guide, t: FamilyTexts) -> str | None:
    if data.get("action") == "accepted":
        return t("Ny stafettholder: %(name)s", name=data.get("to_user") or "")
    return None


def _closed(event: CaseEvent, data: Mapping, guide: Guide, t: FamilyTexts) -> str | None:
    return t("Saken er avsluttet")


def _reopened(event: CaseEvent, data: Mapping, guide: Guide, t: FamilyTexts) -> str | None:
    return t("Saken er åpnet igjen")


def _family(event: CaseEvent, data: Mapping, guide: Guide, t: FamilyTexts) -> str | None:
    return t("Ungdommen skrev før møtet") if data.get("who") == "young_person" else t("Foresatte skrev før møtet")


# The whitelist: the only kinds of entry the family reads, each with its family wording.
WORDING: Mapping[EventKind, Callable[[CaseEvent, Mapping, Guide, FamilyTexts], str | None]] = {
    EventKind.CONCERN: _concern,
    EventKind.STEP: _step,
    EventKind.CONVERSATION: _step,
    EventKind.LEVEL: _level,
    EventKind.CONSENT: _consent,
    EventKind.PLAN: _plan,
    EventKind.HANDOVER: _handover,
    EventKind.CLOSED: _closed,
    EventKind.REOPENED: _reopened,
    EventKind.FAMILY: _family,
}
assert {k.value for k in WORDING} == set(FAMILY_KINDS)


def family_entry(event: CaseEvent, guide: Guide, t: FamilyTexts) -> FamilyEntry | None:
    """The family's wording of `event`, or None when the family never reads it."""
    if event.kind.value not in guide.family_timeline or event.kind not in WORDING:
        return None
    data = event.data or {}
    text = WORDING[event.kind](event, data, guide, t)
    if text is None:
        return None
    quote = data.get("text") or "" if event.kind == EventKind.FAMILY else ""
    return FamilyEntry(utc_to_local(event.at).date(), text, quote, event.kind.value)
