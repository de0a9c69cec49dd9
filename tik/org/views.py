"""The leader's overview of the unit's cases, and the admin's users and units (never case content)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from tik.audit.service import record_view
from tik.auth.models import Role, User
from tik.auth.policy import can_deactivate, requires
from tik.extensions import db, interface_language
from tik.forms import error_list
from tik.guidebook import current_guide
from tik.org import service
from tik.org.forms import NewUserForm

bp = Blueprint("org", __name__)


@bp.get("/enhet")
@requires(Role.LEADER)
def unit_overview():
    """The open cases of the units I lead: level, step, deadline and holder (oversight, read only)."""
    units, rows = service.unit_overview(current_user)
    record_view(current_user, "unit.overview", detail=f"{len(rows)} saker")
    return render_template("org/unit.html", units=units, rows=rows, L=interface_language())


def _user_form() -> NewUserForm:
    form = NewUserForm()  # a POST's fields, else empty (formdata=None would have read nothing posted)
    form.unit.choices = [(u.key, u.name) for u in service.all_units()]
    return form


@bp.route("/admin/brukere", methods=["GET", "POST"])
@requires(Role.ADMIN)
def users():
    form = _user_form()
    status = 200
    if form.is_submitted():
        if form.validate():
            try:
                user = service.add_user(form, by=current_user, form_key=form.idempotency_key.data)
            except service.UserError as error:
                form.username.errors = [str(error)]
            else:
                if user is not None:  # None: the same form again, the user it made is in the list
                    flash(_("%(name)s er opprettet.", name=user.name))
                return redirect(url_for("org.users"))
        status = 422
    response = render_template("org/users.html", users=service.all_users(), form=form, errors=error_list(form))
    return response, status


@bp.post("/admin/brukere/<int:user_id>/deaktiver")
@requires(Role.ADMIN)
def deactivate(user_id: int):
    user = db.session.get(User, user_id)
    if user is None or not can_deactivate(current_user, user):
        abort(404)
    if user.active:
        service.deactivate(user, by=current_user)
        flash(_("%(name)s er deaktivert. Åpne saker er foreslått gitt til lederen.", name=user.name))
    return redirect(url_for("org.users"))


@bp.post("/admin/brukere/<int:user_id>/tofaktor-kode")
@requires(Role.ADMIN)
def mfa_code(user_id: int):
    """A one-time code with which `user` may set up a second factor: shown once, here."""
    from tik.auth import mfa

    user = db.session.get(User, user_id)
    if user is None or not mfa.may_issue_enrolment_code(current_user, user):
        abort(404)
    code = mfa.issue_enrolment_code(user, by=current_user)
    return render_template("org/mfa_code.html", user=user, code=code, hours=mfa.ENROLMENT_CODE_HOURS)


@bp.route("/admin/enheter", methods=["GET", "POST"])
@requires(Role.ADMIN)
def units():
    """The units and their leaders; the organisation file is reloaded on request, checked first."""
    from flask import request

    problems, missing = [], []
    if request.method == "POST":
        specs, problems = service.check_organisation()
        if not problems:
            try:
                missing = service.sync_units(specs, by=current_user)
            except service.OrganisationInvalid as invalid:  # a unit key another municipality has
                problems = invalid.problems
            else:
                flash(_("Organisasjonsfilen er lastet inn."))
    guide = current_guide()
    page = render_template("org/units.html", units=service.all_units(), problems=problems, missing=missing,
                           guide=guide, L=interface_language(), file=service.organisation_file())
    return page, 422 if problems else 200


@bp.route("/plattform/kommuner", methods=["GET", "POST"])
@requires(Role.PLATFORM_ADMIN)
def municipalities():
    """The platform admin's page: the install's municipalities, and adding one of the file to the database.
    No case, child or user of any municipality is shown here."""
    if request.method == "POST":
        added = service.add_municipality(request.form.get("key", ""), by=current_user)
        if added is None:
            abort(404)
        flash(_("%(name)s er lagt til.", name=added.name))
        return redirect(url_for("org.municipalities"))
    return render_template("org/municipalities.html", rows=service.municipalities_overview())
