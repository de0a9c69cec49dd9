"""Register a concern: urgency first, then the two-minute form."""

from __future__ import annotations

import secrets

from flask import Blueprint, redirect, render_template, request, url_for
from flask_login import current_user

from tik.auth.policy import can_view_case, requires
from tik.clock import today
from tik.concerns.forms import ConcernForm, UrgencyForm
from tik.concerns.models import Urgency
from tik.concerns.service import ChildInput, ConcernInput, GuardianInput, register_concern
from tik.extensions import interface_language
from tik.forms import error_list
from tik.guidebook import current_guide, family_language_default
from tik.guides.markdown import render_markdown

bp = Blueprint("concerns", __name__, url_prefix="/bekymring")


def _page(template: str, status: int = 200, **context):
    guide = current_guide()
    return render_template(template, guide=guide, L=interface_language(), md=render_markdown,
                           **context), status


@bp.route("/ny", methods=["GET", "POST"])
@requires()
def start():
    """The two urgency questions come before anything else."""
    form = UrgencyForm()
    if not form.validate_on_submit():
        status = 422 if request.method == "POST" else 200
        return _page("concerns/start.html", status, form=form, errors=error_list(form))
    if form.acute.data == "yes":
        return _page("concerns/emergency.html")
    urgency = Urgency.SUSPICION if form.suspicion.data == "yes" else Urgency.NONE
    return redirect(url_for("concerns.new", urgency=urgency.value))


@bp.route("/skjema", methods=["GET", "POST"])
@requires()
def new():
    guide = current_guide()
    form = ConcernForm()
    lang = interface_language()
    form.signals.choices = [(s.key, s.text.get(lang)) for s in guide.signals.values()]
    if request.method == "GET":
        form.urgency.data = request.args.get("urgency", "none")
        form.idempotency_key.data = secrets.token_urlsafe(24)
        form.first_name.render_kw = {**(form.first_name.render_kw or {}), "autofocus": True}  # start typing at once
    if form.urgency.data not in {u.value for u in Urgency}:
        form.urgency.data = Urgency.NONE.value
    if not form.validate_on_submit():
        status = 422 if request.method == "POST" else 200
        return _page("concerns/form.html", status, form=form, errors=error_list(form))
    result = register_concern(_child_input(form), _concern_input(form), by=current_user,
                              form_key=form.idempotency_key.data or None)
    if result is None:  # the key of another form: nothing registered here, and nothing to show
        return redirect(url_for("mywork.start"))
    if result.opened or can_view_case(current_user, result.case, today()):
        return redirect(url_for("cases.show", ref=result.case.ref, registered="again" if result.repeated else 1))
    # The reporter learns only that a case exists and whom to contact, never its content.
    return _page("concerns/attached.html", holder=result.case.coordinator)


def _child_input(form: ConcernForm) -> ChildInput:
    return ChildInput(
        first_name=form.first_name.data, last_name=form.last_name.data, birth_date=form.birth_date.data,
        nin=form.nin.data or "", gender=form.gender.data or "", school=form.school.data or "",
        class_name=form.class_name.data or "",
        guardians=[GuardianInput(name=g.form.name.data or "", relation=g.form.relation.data or "",
                                 phone=g.form.phone.data or "", email=g.form.email.data or "",
                                 language=g.form.language.data or family_language_default())
                   for g in form.guardians],
    )


def _concern_input(form: ConcernForm) -> ConcernInput:
    return ConcernInput(observation=form.observation.data, since_when=form.since_when.data or "",
                        how_often=form.how_often.data or "", who_knows=form.who_knows.data or "",
                        signals=form.signals.data or [], urgency=Urgency(form.urgency.data),
                        report_draft=form.report_draft.data or "")
