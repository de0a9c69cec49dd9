"""Case-page actions for issue 15: the report record and its PDF, the leader's feedback, the child's and the
guardians' details. Views parse the form, call tik.cases.flow, redirect or re-render."""

from __future__ import annotations

from datetime import date

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from tik.auth.policy import can_see_report, can_tell_of_report, case_for, requires
from tik.cases import flow
from tik.cases.models import ChildWelfareReport
from tik.cases.views import _case_page, bp
from tik.clock import today
from tik.concerns.models import Guardian
from tik.extensions import db, interface_language
from tik.forms import EMAIL_INVALID, LANGUAGE_CHOICES, TextRefused, check_text, valid_email
from tik.guidebook import family_language_default, guide_of
from tik.messages import refusal_message
from tik.plans.pdf import render_pdf
from tik.plans.service import plan_of


def _report_of(case, report_id: int) -> ChildWelfareReport:
    """The case's report `report_id` if the user may see it (tik.auth.policy.can_see_report); 404 otherwise."""
    report = db.session.get(ChildWelfareReport, report_id)
    if report is None or report.case_id != case.id or not can_see_report(current_user, case, report.created_by_id,
                                                                         today()):
        abort(404)
    return report


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        return None


@bp.post("/saker/<ref>/melding/<int:report_id>")
@requires()
def complete_report(ref: str, report_id: int):
    """Per guardian informed or not (and why not), the child told, interpreter, when and how it was sent."""
    case = case_for(current_user, ref, edit=True)
    report = _report_of(case, report_id)
    form = request.form
    guardians = [flow.GuardianInformed(int(row["guardian_id"]), form.get(f"informed_{row['guardian_id']}") == "yes",
                                       form.get(f"why_not_{row['guardian_id']}", ""))
                 for row in report.guardians]
    sent_on = _day(form.get("sent_on", ""))
    try:
        if sent_on is None:
            raise flow.ReportError("sent_on")
        flow.complete_report(report, current_user, guardians=guardians, child_told=form.get("child_told") == "yes",
                             child_not_told_reason=form.get("child_not_told_reason", ""),
                             interpreter_needed=form.get("interpreter_needed") == "yes",
                             interpreter_language=form.get("interpreter_language", "")[:60],
                             sent_on=sent_on, sent_how=form.get("sent_how", ""), text=form.get("text", "")[:20000])
    except flow.ReportError as error:
        return _case_page(case, 422, report_error=refusal_message(error.code), report_form=dict(form))
    flash(_("Meldingen er registrert. Du får en påminnelse om å be barnevernet om tilbakemelding."))
    return redirect(url_for("cases.show", ref=ref) + "#reports")


@bp.post("/saker/<ref>/melding/<int:report_id>/tilbakemelding")
@requires()
def report_feedback(ref: str, report_id: int):
    case = case_for(current_user, ref, edit=True)
    report = _report_of(case, report_id)
    flow.feedback_received(report, current_user, _day(request.form.get("on", "")) or today())
    flash(_("Tilbakemeldingen fra barnevernet er registrert."))
    return redirect(url_for("cases.show", ref=ref) + "#reports")


@bp.post("/saker/<ref>/melding/<int:report_id>/fortell")
@requires()
def tell_of_report(ref: str, report_id: int):
    """The holder chooses whether the other participants see that a report was sent, and when (never what)."""
    case = case_for(current_user, ref, edit=True)
    report = _report_of(case, report_id)
    if not can_tell_of_report(current_user, case):
        abort(404)
    flow.tell_participants(report, current_user, request.form.get("told") == "1")
    return redirect(url_for("cases.show", ref=ref) + "#reports")


@bp.get("/saker/<ref>/melding/<int:report_id>.pdf")
@requires()
def report_pdf(ref: str, report_id: int):
    """The report to child welfare with the KS Fiks "bekymringsmelding" v2 fields, for printing or upload."""
    case = case_for(current_user, ref, action="report.print")
    report = _report_of(case, report_id)

    html = render_template("pdf/report.html", case=case, child=case.child, report=report, guide=guide_of(case),
                           L=interface_language(), by=report.created_by, plan=plan_of(case), voices=flow.voices(case),
                           languages=dict(LANGUAGE_CHOICES), today=today())
    response = make_response(render_pdf(html))
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = f'inline; filename="{case.ref}-melding.pdf"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/saker/<ref>/leder")
@requires()
def leader_feedback(ref: str):
    """The reporter's unit leader records the feedback given to the reporter (a message from the guidebook's
    list). Never an approval of a report."""
    case = case_for(current_user, ref)
    try:
        flow.leader_feedback(case, current_user, request.form.get("message", ""), request.form.get("text", ""),
                             reporter_id=request.form.get("reporter", type=int))
    except flow.FeedbackError as error:
        if error.code == "not_leader":
            abort(404)
        return _case_page(case, 422, feedback_error=refusal_message(error.code))
    flash(_("Tilbakemeldingen til melderen er registrert."))
    return redirect(url_for("cases.show", ref=ref))


@bp.post("/saker/<ref>/barn")
@requires()
def edit_child(ref: str):
    case = case_for(current_user, ref, edit=True)
    form = request.form
    changes: dict[str, object] = {k: form[k] for k in ("first_name", "last_name", "school", "class_name")
                                  if k in form and (form[k].strip() or k in ("school", "class_name"))}
    if form.get("gender") in ("", "girl", "boy", "other"):
        changes["gender"] = form.get("gender", "")
    born = _day(form.get("birth_date", ""))
    if form.get("birth_date") and (born is None or born > today()):
        return _case_page(case, 422, details_error=_("Skriv fødselsdatoen som åååå-mm-dd, ikke fram i tid."))
    if born:
        changes["birth_date"] = born
    try:
        flow.update_child(case, current_user, changes)
    except TextRefused as error:
        return _case_page(case, 422, details_error=error.message)
    flash(_("Opplysningene om barnet er lagret."))
    return redirect(url_for("cases.show", ref=ref) + "#details")


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
            flow.remove_guardian(case, current_user, guardian_id)
            flash(_("Den foresatte er fjernet fra saken."))
        elif not valid_email(request.form.get("email", "")):
            return _case_page(case, 422, details_error=EMAIL_INVALID)
        else:
            flow.update_guardian(case, current_user, guardian_id, _guardian_values(request.form))
            flash(_("Opplysningene om den foresatte er lagret."))
    except TextRefused as error:
        return _case_page(case, 422, details_error=error.message)
    except LookupError:
        abort(404)
    return redirect(url_for("cases.show", ref=ref) + "#details")


@bp.post("/saker/<ref>/foresatte")
@requires()
def add_guardian(ref: str):
    case = case_for(current_user, ref, edit=True)
    values = _guardian_values(request.form)
    if not values["name"].strip():
        return _case_page(case, 422, details_error=_("Skriv navnet til den foresatte."))
    if not valid_email(request.form.get("email", "")):
        return _case_page(case, 422, details_error=EMAIL_INVALID)
    try:
        check_text(Guardian, {k: v.strip() for k, v in values.items()})
    except TextRefused as error:
        return _case_page(case, 422, details_error=error.message)
    flow.add_guardian(case, current_user, **values)
    flash(_("Den foresatte er lagt til."))
    return redirect(url_for("cases.show", ref=ref) + "#details")
