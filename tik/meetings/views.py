"""Meeting pages: list, create, agenda, minutes, decisions into cases, attendance, minutes PDF."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from tik.auth.policy import (
    can_read_minutes,
    can_view_meeting,
    case_for,
    consented_services,
    is_paused_unnamed,
    is_writable,
    requires,
)
from tik.cases.carry import Carried, from_meeting
from tik.cases.forms import DecisionForm, step_field_errors, step_values
from tik.cases.models import Case
from tik.cases.steps import current_step
from tik.cases.steps import decide as take_decision
from tik.clock import local_to_utc, now, today, utc_to_local
from tik.errors import DomainError
from tik.extensions import db, interface_language
from tik.forms import error_list
from tik.guidebook import guide_of
from tik.guides.engine import DecisionRefused
from tik.meetings import service
from tik.meetings.forms import AgendaForm, AttendanceForm, MeetingForm, MinutesForm, NetworkMeetingForm
from tik.meetings.models import AgendaItem, Meeting, MeetingKind
from tik.messages import refusal_message
from tik.plans import service as plans
from tik.plans.forms import NewMeasureForm, fill_measure_choices, measure_input, show_measure_refusal
from tik.plans.pdf import render_pdf
from tik.versioning import StaleEdit
from tik.web import pdf_response

bp = Blueprint("meetings", __name__, url_prefix="/moter")


def _meeting(meeting_id: int) -> Meeting:
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None or not can_view_meeting(current_user, meeting, today()):
        abort(404)
    return meeting


def _meeting_form(formdata=None) -> MeetingForm:
    form = MeetingForm(formdata=formdata)
    form.team.choices = [(t.id, t.name) for t in service.teams_of(current_user)]
    if formdata is None:
        form.idempotency_key.data = secrets.token_urlsafe(24)
        form.starts_at.data = (utc_to_local(now()) + timedelta(days=7)).replace(hour=9, minute=0, second=0,
                                                                                 microsecond=0)
    return form


@bp.route("/", methods=["GET", "POST"])
@requires()
def index():
    form = _meeting_form(request.form if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            team = next(t for t in service.teams_of(current_user) if t.id == form.team.data)
            meeting = service.create_meeting(current_user, title=form.title.data,
                                             starts_at=local_to_utc(form.starts_at.data),
                                             place=form.place.data or "", team=team,
                                             form_key=form.idempotency_key.data)
            if meeting is None:  # the same form again: the meeting it made is in the list
                return redirect(url_for("meetings.index"))
            flash(_("Møtet er opprettet."))
            return redirect(url_for("meetings.show", meeting_id=meeting.id))
        status = 422
    start = local_to_utc(datetime.combine(today(), datetime.min.time()))  # local midnight, as stored (UTC)
    all_meetings = service.meetings_for(current_user)
    upcoming = [m for m in all_meetings if m.starts_at >= start]
    past = [m for m in reversed(all_meetings) if m.starts_at < start]
    return render_template("meetings/index.html", upcoming=upcoming, past=past, form=form,
                           errors=error_list(form), teams=service.teams_of(current_user)), status


def _writable(meeting: Meeting) -> bool:
    """A network meeting about a closed (or restricted) case is part of its record: read, not changed."""
    case = db.session.get(Case, meeting.case_id) if meeting.case_id else None
    return case is None or is_writable(case)


def _page(meeting: Meeting, status: int = 200, **extra):
    views = service.agenda(meeting, current_user, today())
    service.audit_meeting_view(meeting, current_user, views)
    guides = {v.item.id: guide_of(v.item.case) for v in views if v.can_act}
    steps = {v.item.id: current_step(v.item.case) for v in views if v.can_act}
    covered_by_item = {v.item.id: consented_services(v.item.case, today()) for v in views if v.can_act}
    measure_forms = extra.pop("measure_forms", {})
    for v in views:
        if v.can_act and v.item.id not in measure_forms:
            f = NewMeasureForm(idempotency_key=secrets.token_urlsafe(24), start_on=today(),
                               evaluate_on=today() + plans.EVALUATE_AFTER, prefix=f"m{v.item.id}")
            fill_measure_choices(f, v.item.case, interface_language())
            measure_forms[v.item.id] = f
    minutes_forms = extra.pop("minutes_forms", {})
    for v in views:
        minutes_forms.setdefault(v.item.id, MinutesForm(obj=v.item, prefix=f"i{v.item.id}"))
    agenda_form = extra.pop("agenda_form", None) or AgendaForm(idempotency_key=secrets.token_urlsafe(24))
    carried_by_item = {item_id: from_meeting(meeting, view.step) for item_id, view in steps.items()}
    for item_id, typed in extra.pop("typed", {}).items():  # a refused decision keeps what was typed
        carried_by_item[item_id] = Carried(typed, {})
    writable_by_item = {v.item.id: v.item.case is None or is_writable(v.item.case) for v in views}
    paused = {v.item.id for v in views if v.can_act and is_paused_unnamed(current_user, v.item.case, today())}
    response = render_template("meetings/meeting.html", meeting=meeting, views=views, guides=guides, steps=steps,
                               writable_by_item=writable_by_item, meeting_writable=_writable(meeting),
                               carried_by_item=carried_by_item,
                               measure_forms=measure_forms, minutes_forms=minutes_forms, agenda_form=agenda_form,
                               covered_by_item=covered_by_item, paused=paused,
                               L=interface_language(), today=today(), values={}, field_errors={}, **extra)
    return response, status


@bp.get("/<int:meeting_id>")
@requires()
def show(meeting_id: int):
    return _page(_meeting(meeting_id))


@bp.post("/<int:meeting_id>/saker")
@requires()
def add_item(meeting_id: int):
    meeting = _meeting(meeting_id)
    form = AgendaForm()
    if form.validate_on_submit():
        try:
            added = service.add_item(meeting, current_user, case_ref=form.case_ref.data or "",
                                     anonymous=form.anonymous.data, description=form.description.data or "",
                                     form_key=form.idempotency_key.data)
        except DomainError as error:
            messages = {"unknown_case": _("Fant ingen sak med det nummeret som du har tilgang til."),
                        "description_required": _("Skriv et saksnummer, eller beskriv saken uten navn.")}
            form.case_ref.errors = [messages[error.code]]
            return _page(meeting, 422, agenda_form=form, agenda_errors=error_list(form))
        if added is not None:
            flash(_("Saken er satt på sakslisten."))
    return redirect(url_for("meetings.show", meeting_id=meeting.id))


def _item(meeting: Meeting, item_id: int) -> AgendaItem:
    item = db.session.get(AgendaItem, item_id)
    if item is None or item.meeting_id != meeting.id:
        abort(404)
    return item


@bp.post("/<int:meeting_id>/punkt/<int:item_id>")
@requires()
def minutes(meeting_id: int, item_id: int):
    meeting = _meeting(meeting_id)
    item = _item(meeting, item_id)
    if item.case is not None and not is_writable(item.case):
        abort(409)
    if item.case is not None and not can_read_minutes(current_user, item.case, today()):
        abort(404)  # the minutes go with the plan: not covered, not seen, not written
    form = MinutesForm(prefix=f"i{item.id}")
    if not form.validate_on_submit():
        return _page(meeting, 422, minutes_forms={item.id: form})
    try:
        service.save_minutes(item, current_user, discussion=form.discussion.data or "", advice=form.advice.data or "",
                             decisions=form.decisions.data or "", expected_version=form.version.data)
    except StaleEdit:
        return _page(meeting, 409, minutes_forms={item.id: form}, stale_item=item)
    flash(_("Referatet er lagret."))
    return redirect(url_for("meetings.show", meeting_id=meeting.id, _anchor=f"item-{item.id}"))


@bp.post("/<int:meeting_id>/punkt/<int:item_id>/tiltak")
@requires()
def add_measure(meeting_id: int, item_id: int):
    meeting = _meeting(meeting_id)
    item = _item(meeting, item_id)
    case = _case_to_act_on(item)
    form = NewMeasureForm(prefix=f"m{item.id}")
    fill_measure_choices(form, case, interface_language())
    # The minutes typed in the same form come along: kept when the measure is refused, saved with it.
    typed = MinutesForm(prefix=f"i{item.id}") if f"i{item.id}-version" in request.form else None
    kept = {item.id: typed} if typed else {}
    if not form.validate_on_submit():
        return _page(meeting, 422, measure_forms={item.id: form}, minutes_forms=kept)
    try:
        added = plans.add_measure(case, current_user, measure_input(form), meeting_id=meeting.id,
                                  form_key=form.idempotency_key.data)
    except DomainError as error:
        show_measure_refusal(form, error.code)
        return _page(meeting, 422, measure_forms={item.id: form}, minutes_forms=kept)
    if added is not None:
        flash(_("Tiltaket er lagt til i planen."))
    if typed and typed.validate() and _minutes_changed(item, typed):
        try:
            service.save_minutes(item, current_user, discussion=typed.discussion.data or "",
                                 advice=typed.advice.data or "", decisions=typed.decisions.data or "",
                                 expected_version=typed.version.data)
        except StaleEdit:
            return _page(meeting, 409, minutes_forms=kept, stale_item=item)
        flash(_("Referatet er lagret."))
    return redirect(url_for("meetings.show", meeting_id=meeting.id, _anchor=f"item-{item.id}"))


def _minutes_changed(item: AgendaItem, typed: MinutesForm) -> bool:
    return ((typed.discussion.data or "").strip(), (typed.advice.data or "").strip(),
            (typed.decisions.data or "").strip()) != (item.discussion, item.advice, item.decisions)


def _case_to_act_on(item: AgendaItem):
    try:
        return service.case_to_act_on(item, current_user)
    except DomainError:
        abort(404)


@bp.post("/<int:meeting_id>/punkt/<int:item_id>/beslutning")
@requires()
def decide(meeting_id: int, item_id: int):
    meeting = _meeting(meeting_id)
    item = _item(meeting, item_id)
    case = _case_to_act_on(item)
    step = guide_of(case).step(case.step_id)
    values = step_values(step, request.form)
    form = DecisionForm()
    if not form.validate_on_submit():  # no version (or a malformed one): never a save that skips the check
        return _page(meeting, 422, refusal=error_list(form)[0][1])
    if errors := step_field_errors(values):
        return _page(meeting, 422, refusal=next(iter(errors.values())))
    try:
        take_decision(case, request.form.get("decision", ""), values, by=current_user,
                      expected_version=form.version.data, meeting_id=meeting.id)
    except StaleEdit:
        return _page(meeting, 409, refusal=_("Noen andre har endret saken. Se saken og prøv igjen."))
    except DecisionRefused as refused:
        return _page(meeting, 422, refusal=refusal_message(refused.code, **refused.params), typed={item.id: values})
    flash(_("Beslutningen er lagret i saken."))
    return redirect(url_for("meetings.show", meeting_id=meeting.id, _anchor=f"item-{item.id}"))


@bp.post("/<int:meeting_id>/oppmote")
@requires()
def attendance(meeting_id: int):
    meeting = _meeting(meeting_id)
    if not _writable(meeting):
        abort(409)
    form = AttendanceForm()
    if not form.validate_on_submit():
        return _page(meeting, 422, refusal=error_list(form)[0][1])
    ids = {int(x) for x in request.form.getlist("attended") if x.isascii() and x.isdigit() and len(x) < 10}
    service.set_attendance(meeting, ids, (form.name.data or "", form.role.data or ""))
    flash(_("Oppmøtet er lagret."))
    return redirect(url_for("meetings.show", meeting_id=meeting.id))


@bp.get("/<int:meeting_id>/referat.pdf")
@requires()
def minutes_pdf(meeting_id: int):
    meeting = _meeting(meeting_id)
    views = service.agenda(meeting, current_user, today())
    service.audit_meeting_view(meeting, current_user, views, action="meeting.pdf")
    html = render_template("pdf/minutes.html", meeting=meeting, views=views, L=interface_language(), today=today())
    return pdf_response(f"referat-mote-{meeting.id}.pdf", render_pdf(html))


@bp.route("/nettverk/<ref>", methods=["GET", "POST"])
@requires()
def new_network(ref: str):
    """A network meeting (ansvarsgruppe) about one case, with the family."""
    case = case_for(current_user, ref, edit=True)
    form = NetworkMeetingForm()
    if request.method == "GET":
        form.idempotency_key.data = secrets.token_urlsafe(24)
        form.starts_at.data = (utc_to_local(now()) + timedelta(days=7)).replace(hour=9, minute=0, second=0,
                                                                                 microsecond=0)
        form.family.data = "\n".join(f"{g.name}, {g.relation}" for g in case.child.guardians)
    elif form.validate_on_submit():
        family = [tuple((line.split(",", 1) + [""])[:2]) for line in (form.family.data or "").splitlines()]
        meeting = service.create_meeting(current_user, title=form.title.data,
                                         starts_at=local_to_utc(form.starts_at.data),
                                         place=form.place.data or "", case=case, family=family,
                                         form_key=form.idempotency_key.data)
        # The same form again made nothing new: the meeting it made is on the case's page and in the list.
        return redirect(url_for("meetings.show", meeting_id=meeting.id) if meeting else url_for("meetings.index"))
    status = 422 if request.method == "POST" else 200
    return render_template("meetings/network_new.html", case=case, form=form, errors=error_list(form)), status


__all__ = ["bp", "MeetingKind"]
