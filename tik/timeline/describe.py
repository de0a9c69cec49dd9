"""What a timeline entry says, in one place: the case page, the full log and the PDFs all show `describe(event)`.

Each kind of entry (`EventKind`) has one describer below; `DESCRIBERS` maps every kind to it, so a new kind
without words fails `tests/cases/test_timeline.py`. The entry's data is read here and nowhere else.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from flask_babel import gettext as _

from tik.cases.models import CaseEvent, EventKind
from tik.dates import show_date
from tik.guides.model import Guide


@dataclass(frozen=True)
class Field:
    """A field recorded with a step: its label, its value as shown, and whether it is someone's own words."""

    label: str
    value: str
    voice: bool


@dataclass(frozen=True)
class Line:
    """One entry as shown: who, what (and the family's own words after it), the meeting it was decided in,
    the fields recorded with it."""

    by: str
    text: str
    quote: str = ""
    meeting_id: int | None = None
    fields: tuple[Field, ...] = ()


def describe(event: CaseEvent, guide: Guide, lang: str) -> Line:
    data = event.data or {}
    text, quote = DESCRIBERS[event.kind](event, data, guide, lang)
    return Line(by=_by(event, data), text=text, quote=quote, meeting_id=data.get("meeting_id"),
                fields=_fields(event, data, guide, lang))


def _by(event: CaseEvent, data: Mapping) -> str:
    if event.by is not None:
        return event.by.name
    return _("Familien") if event.kind == EventKind.FAMILY or data.get("by_family") else _("System")


def _fields(event: CaseEvent, data: Mapping, guide: Guide, lang: str) -> tuple[Field, ...]:
    step = guide.steps.get(event.step_id)
    voices = data.get("voices") or {}
    shown = []
    for key, value in (data.get("fields") or {}).items():
        if key in RULE_IDS:  # who, by id, for the record; the name is shown under RULE_LABELS
            continue
        field = step.field(key) if step else None
        if field is not None and field.kind == "services":
            value = _services(value.split(","), guide, lang)
        elif field is not None and field.kind == "choice":
            option = next((o for o in field.options if o.key == value), None)
            value = option.label.get(lang) if option else value
        elif field is not None and field.kind == "date" and value:
            value = _day(value, lang)
        label = field.label.get(lang) if field else RULE_LABELS[key]() if key in RULE_LABELS else key
        shown.append(Field(label, value, bool(voices.get(key))))
    return tuple(shown)


# What the guide's step rules record with a step (tik.cases.steps.check_step_rules), besides its own fields.
RULE_LABELS: dict[str, Callable[[], str]] = {"leader": lambda: _("Leder"), "coordinator": lambda: _("Stafettholder")}
RULE_IDS = ("leader_id", "coordinator_id")


def _day(value: str, lang: str) -> str:
    """A recorded date (ISO) as the reader's date; as written if it is not one."""
    try:
        return show_date(value, lang)
    except ValueError:
        return value


def _services(keys, guide: Guide, lang: str) -> str:
    return ", ".join(guide.services[k].name.get(lang) if k in guide.services else k for k in keys)


def _reason(data: Mapping) -> str:
    return f": {data['reason']}" if data.get("reason") else ""


def _step_title(event: CaseEvent, guide: Guide, lang: str) -> str:
    step = guide.steps.get(event.step_id)
    return step.title.get(lang) if step else event.step_id


Said = tuple[str, str]  # the text, and the quote after it ("" for none)


def _step(event: CaseEvent, data: Mapping, guide: Guide, lang: str) -> Said:
    if data.get("carried") == "consent":
        return _step_title(event, guide, lang) + " – " + _("dekket av samtykket som allerede er registrert"), ""
    if data.get("action") == "meeting.planned":
        return _("Ansvarsgruppemøte planlagt"), ""
    step = guide.steps.get(event.step_id)
    decision = next((d for d in guide.decisions(step) if d.key == event.decision), None) if step else None
    return _step_title(event, guide, lang) + (f" – {decision.label.get(lang)}" if decision else ""), ""


def _concern(event, data, guide, lang) -> Said:
    return (_("Bekymring lagt til i saken") if data.get("attached") else _("Bekymring registrert")), ""


def _level(event, data, guide, lang) -> Said:
    return _("Nivå endret fra %(a)s til %(b)s", a=data.get("from_level"), b=event.level), ""


def _consent(event, data, guide, lang) -> Said:
    action = data.get("action")
    if action == "maturity":  # tik.cases.consent.judge_maturity; the reason stays on the case page
        return (_("Modenhet vurdert: barnet samtykker selv") if data.get("mature")
                else _("Modenhet vurdert: foresatte samtykker")), ""
    if action == "refused":
        return _("Familien sier nei / avslutter samarbeidet") + _reason(data), ""
    if action == "expired":
        return f"{_('Samtykket har gått ut')}: {_services(data.get('services', []), guide, lang)}", ""
    said = _digitally(data) or (_("Samtykke registrert") if action == "given" else _("Samtykke trukket tilbake"))
    return f"{said}: {_services(data.get('services', []), guide, lang)}", ""


def _digitally(data: Mapping) -> str:
    """A consent the guardian or the young person gave, renewed or withdrew on "Min familie"; "" for staff."""
    by_family = data.get("by_family")
    if not by_family:
        return ""
    young = by_family == "young_person"
    if data.get("action") == "given" and data.get("renews"):
        return _("Samtykke fornyet digitalt av ungdommen") if young else _("Samtykke fornyet digitalt av foresatte")
    if data.get("action") == "given":
        return _("Samtykke gitt digitalt av ungdommen") if young else _("Samtykke gitt digitalt av foresatte")
    return (_("Samtykke trukket tilbake digitalt av ungdommen") if young
            else _("Samtykke trukket tilbake digitalt av foresatte"))


def _details(event, data, guide, lang) -> Said:
    whose = _("barnet") if data.get("who") == "child" else data.get("guardian")
    change = f" ({whose}): {data.get('field')}: «{data.get('old')}» → «{data.get('new')}»"
    return _("Opplysninger endret") + change, ""


def _feedback(event, data, guide, lang) -> Said:
    """The guidebook's message in the reader's language, then any short text of the leader's own."""
    message = guide.leader_feedback.message(data.get("message") or "")
    said = " ".join(t for t in (message.text.get(lang) if message else "", data.get("text") or "") if t)
    to = f" ({data['reporter']})" if data.get("reporter") else ""
    return _("Lederen har gitt melderen tilbakemelding") + f"{to}: {said}", ""


def _report(event, data, guide, lang) -> Said:
    action = data.get("action")
    if action == "sent":
        return _("Melding til barnevernet sendt %(on)s. Be om tilbakemelding innen %(due)s.",
                 on=data.get("sent_on"), due=data.get("feedback_due")), ""
    if action == "feedback_received":
        return _("Tilbakemelding fra barnevernet mottatt"), ""
    if action in ("told", "untold"):
        return (_("Deltakerne får se at en melding ble sendt") if action == "told"
                else _("Deltakerne får ikke se at en melding ble sendt")), ""
    still_open = " – " + _("saken er fortsatt åpen") if data.get("case_open") else ""
    return _("Melding til barnevernet") + still_open, ""


def _plan(event, data, guide, lang) -> Said:
    action = data.get("action")
    if action == "plan.individual":
        return _("Planen er individuell plan"), ""
    revision = " (" + _("revisjon") + f" {data.get('revision')})"
    if action == "measure.evaluated":
        return _("Tiltak evaluert") + f": {data.get('what')}{revision}", ""
    if action == "measure.ended":
        why = (_("samtykket er trukket tilbake") if data.get("reason") == "consent_withdrawn"
               else _("samtykket har gått ut"))
        return _("Tiltak avsluttet") + f": {data.get('what')} – {why}{revision}", ""
    return _("Planen er endret") + (f": {data['what']}" if data.get("what") else "") + revision, ""


def _handover(event, data, guide, lang) -> Said:
    action, name = data.get("action"), data.get("to_user")
    if action == "proposed":
        return _("Stafettholder foreslått: %(name)s", name=name), ""
    if action == "cancelled":
        return _("Forslaget om %(name)s som stafettholder er stoppet: samtykket dekker ikke lenger personen",
                 name=name), ""
    if action == "accepted":
        return _("%(name)s tok over som stafettholder", name=name), ""
    return _("%(name)s takket nei", name=name) + _reason(data), ""


def _participant(event, data, guide, lang) -> Said:
    if data.get("action") == "invited":
        return _("%(name)s er invitert som deltaker", name=data.get("user")), ""
    why = {"consent_withdrawn": _("samtykket som ga tilgang er trukket tilbake"),
           "consent_expired": _("samtykket som ga tilgang har gått ut"),
           "unit_changed": _("saken har fått stafettholder i en annen enhet, og samtykket dekker ikke personen"),
           }.get(data.get("reason"))
    return _("%(name)s er ikke lenger deltaker", name=data.get("user")) + (f" – {why}" if why else ""), ""


def _emergency(event, data, guide, lang) -> Said:
    return _("Akutt fare – nødrutinen fulgt"), ""


def _closed(event, data, guide, lang) -> Said:
    return _("Saken er avsluttet"), ""


def _reopened(event, data, guide, lang) -> Said:
    return _("Saken er gjenåpnet") + f": {data.get('reason')}", ""


def _archived(event, data, guide, lang) -> Said:
    return _("Arkivutskrift laget"), ""


def _restricted(event, data, guide, lang) -> Said:
    said = _("Behandlingen er begrenset") if data.get("action") == "set" else _("Begrensningen er opphevet")
    return said + _reason(data), ""


def _legal_hold(event, data, guide, lang) -> Said:
    said = _("Rettslig bevaring er satt") if data.get("action") == "set" else _("Rettslig bevaring er opphevet")
    return said + _reason(data), ""


def _family(event, data, guide, lang) -> Said:
    said = _("Ungdommen før møtet") if data.get("who") == "young_person" else _("Foresatte før møtet")
    return said, data.get("text") or ""


DESCRIBERS: Mapping[EventKind, Callable[[CaseEvent, Mapping, Guide, str], Said]] = {
    EventKind.STEP: _step,
    EventKind.CONVERSATION: _step,
    EventKind.DECISION: _step,
    EventKind.CONCERN: _concern,
    EventKind.LEVEL: _level,
    EventKind.CONSENT: _consent,
    EventKind.DETAILS: _details,
    EventKind.FEEDBACK: _feedback,
    EventKind.REPORT: _report,
    EventKind.PLAN: _plan,
    EventKind.HANDOVER: _handover,
    EventKind.PARTICIPANT: _participant,
    EventKind.EMERGENCY: _emergency,
    EventKind.CLOSED: _closed,
    EventKind.REOPENED: _reopened,
    EventKind.ARCHIVED: _archived,
    EventKind.RESTRICTED: _restricted,
    EventKind.LEGAL_HOLD: _legal_hold,
    EventKind.FAMILY: _family,
}
