"""The child's and the guardians' details on the case page. Views parse the form, call tik.cases.details,
redirect or re-render. Registered by the app factory."""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from tik.auth.policy import case_for, requires
from tik.cases import details
from tik.cases.page import FormState
from tik.cases.views import _form_page, bp
from tik.clock import today
from tik.concerns.models import Guardian
from tik.dates import parse_day
from tik.forms import EMAIL_INVALID, LANGUAGE_CHOICES, TextRefused, check_text, valid_email
from tik.guidebook import family_language_default


@bp.post("/saker/<ref>/barn")
@requires()
def edit_child(ref: str):
    case = case_for(current_user, ref, edit=True)
    form = request.form
    changes: dict[str, object] = {k: form[k] for k in ("first_name", "last_name", "school", "class_name")
                                  if k in form and (form[k].strip() or k in ("school", "class_name"))}
    if form.get("gender") in ("", "girl", "boy", "other"):
        changes["gender"] = form.get("gender", "")
    born = parse_day(form.get("birth_date", ""))
    if form.get("birth_date") and (born is None or born > today()):
        return _details_refused(case, "child", _("Skriv fødselsdatoen som åååå-mm-dd, ikke fram i tid."))
    if born:
        changes["birth_date"] = born
    try:
        details.update_child(case, current_user, changes)
    except TextRefused as error:
        return _details_refused(case, "child", error.message)
    flash(_("Opplysningene om barnet er lagret."))
    return redirect(url_for("cases.show", ref=ref) + "#details")


def _details_refused(case, name: str, message: str, guardian_id: int | None = None):
    """The child's or a guardian's form again, on its page, with what was typed and why it was refused."""
    guardian = None
    if guardian_id is not None:
        guardian = next((g for g in case.child.guardians if g.id == guardian_id), None)
        if guardian is None:
            abort(404)
    return _form_page(case, name, 422, FormState(name, dict(request.form), message=message), guardian=guardian)


def _guardian_values(form) -> dict[str, str]:
    languages = {k for k, _label in LANGUAGE_CHOICES}
    values = {k: form.get(k, "") for k in ("name", "relation", "phone", "email")}
    values["language"] = form.get("language") if form.get("language") in languages else family_language_default()
    return values


@bp.post("/saker/<ref>/foresatte/<int:guardian_id>")
@requires()
def edit_guardian(ref: str, guardian_id: int):
    case = case_for(current_user, ref, edit=True)
    try:
        if request.form.get("remove") == "1":
            details.remove_guardian(case, current_user, guardian_id)
            flash(_("Den foresatte er fjernet fra saken."))
        elif not valid_email(request.form.get("email", "")):
            return _details_refused(case, "guardian", EMAIL_INVALID, guardian_id)
        else:
            details.update_guardian(case, current_user, guardian_id, _guardian_values(request.form))
            flash(_("Opplysningene om den foresatte er lagret."))
    except TextRefused as error:
        return _details_refused(case, "guardian", error.message, guardian_id)
    except LookupError:
        abort(404)
    return redirect(url_for("cases.show", ref=ref) + "#details")


@bp.post("/saker/<ref>/foresatte")
@requires()
def add_guardian(ref: str):
    case = case_for(current_user, ref, edit=True)
    values = _guardian_values(request.form)
    if not values["name"].strip():
        return _details_refused(case, "add_guardian", _("Skriv navnet til den foresatte."))
    if not valid_email(request.form.get("email", "")):
        return _details_refused(case, "add_guardian", EMAIL_INVALID)
    try:
        check_text(Guardian, {k: v.strip() for k, v in values.items()})
    except TextRefused as error:
        return _details_refused(case, "add_guardian", error.message)
    details.add_guardian(case, current_user, **values)
    flash(_("Den foresatte er lagt til."))
    return redirect(url_for("cases.show", ref=ref) + "#details")
