"""The report to child welfare on the case page: its record, the feedback from child welfare, whether the
others are told, its PDF; and the leader's feedback to the reporter. Views parse the form, call
tik.cases.reports and tik.cases.leader_feedback, redirect or re-render. Registered by the app factory."""

from __future__ import annotations

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from tik.auth.policy import can_see_report, can_tell_of_report, case_for, requires
from tik.cases import leader_feedback as leading
from tik.cases import reports
from tik.cases.models import ChildWelfareReport
from tik.cases.page import FormState
from tik.cases.views import _case_page, bp
from tik.clock import today
from tik.dates import parse_day
from tik.errors import DomainError
from tik.extensions import db, interface_language
from tik.forms import LANGUAGE_CHOICES
from tik.guidebook import guide_of
from tik.messages import refusal_message
from tik.plans.pdf import render_pdf
from tik.plans.service import plan_of
from tik.timeline.voices import voices


def _report_of(case, report_id: int) -> ChildWelfareReport:
    """The case's report `report_id` if the user may see it (tik.auth.policy.can_see_report); 404 otherwise."""
    report = db.session.get(ChildWelfareReport, report_id)
    if report is None or report.case_id != case.id or not can_see_report(current_user, case, report.created_by_id,
                                                                         today()):
        abort(404)
    return report


@bp.post("/saker/<ref>/melding/<int:report_id>")
@requires()
def complete_report(ref: str, report_id: int):
    """Per guardian informed or not (and why not), the child told, interpreter, when and how it was sent."""
    case = case_for(current_user, ref, edit=True)
    report = _report_of(case, report_id)
    form = request.form
    guardians = [reports.GuardianInformed(int(row["guardian_id"]),
                                          form.get(f"informed_{row['guardian_id']}") == "yes",
                                          form.get(f"why_not_{row['guardian_id']}", ""))
                 for row in report.guardians]
    sent_on = parse_day(form.get("sent_on", ""))
    try:
        if sent_on is None:
            raise reports.ReportError("sent_on")
        reports.complete_report(report, current_user, guardians=guardians,
                                child_told=form.get("child_told") == "yes",
                                child_not_told_reason=form.get("child_not_told_reason", ""),
                                interpreter_needed=form.get("interpreter_needed") == "yes",
                                interpreter_language=form.get("interpreter_language", "")[:60],
                                sent_on=sent_on, sent_how=form.get("sent_how", ""), text=form.get("text", "")[:20000])
    except DomainError as error:
        return _case_page(case, 422, FormState("report", dict(form), message=refusal_message(error.code)))
    flash(_("Meldingen er registrert. Du får en påminnelse om å be barnevernet om tilbakemelding."))
    return redirect(url_for("cases.show", ref=ref) + "#reports")


@bp.post("/saker/<ref>/melding/<int:report_id>/tilbakemelding")
@requires()
def report_feedback(ref: str, report_id: int):
    case = case_for(current_user, ref, edit=True)
    report = _report_of(case, report_id)
    reports.feedback_received(report, current_user, parse_day(request.form.get("on", "")) or today())
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
    reports.tell_participants(report, current_user, request.form.get("told") == "1")
    return redirect(url_for("cases.show", ref=ref) + "#reports")


@bp.get("/saker/<ref>/melding/<int:report_id>.pdf")
@requires()
def report_pdf(ref: str, report_id: int):
    """The report to child welfare with the KS Fiks "bekymringsmelding" v2 fields, for printing or upload."""
    case = case_for(current_user, ref, action="report.print")
    report = _report_of(case, report_id)

    html = render_template("pdf/report.html", case=case, child=case.child, report=report, guide=guide_of(case),
                           L=interface_language(), by=report.created_by, plan=plan_of(case), voices=voices(case),
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
        leading.leader_feedback(case, current_user, request.form.get("message", ""), request.form.get("text", ""),
                                reporter_id=request.form.get("reporter", type=int))
    except DomainError as error:
        if error.code == "not_leader":
            abort(404)
        return _case_page(case, 422, FormState("feedback", message=refusal_message(error.code)))
    flash(_("Tilbakemeldingen til melderen er registrert."))
    return redirect(url_for("cases.show", ref=ref))

