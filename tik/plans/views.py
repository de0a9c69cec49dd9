"""The plan page, measures, revisions and the PDF download."""

from __future__ import annotations

import secrets

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from tik.auth.policy import abilities, case_for, requires, sight
from tik.clock import today
from tik.dates import show_date
from tik.errors import DomainError
from tik.extensions import db, interface_language
from tik.forms import error_list, query_int
from tik.guidebook import guide_of
from tik.messages import refusal_message
from tik.plans import service
from tik.plans.catalogue import catalogue_for, from_catalogue
from tik.plans.forms import (
    EditMeasureForm,
    EvaluationForm,
    NewMeasureForm,
    PlanForm,
    fill_measure_choices,
    measure_input,
    show_measure_refusal,
)
from tik.plans.known import known_for_plan, on_plan
from tik.plans.letter import print_options
from tik.plans.models import GoalReached, Measure, NextAction, PlanRevision
from tik.plans.printing import consent_form_pdf, plan_pdf, revision_pdf_bytes
from tik.versioning import StaleEdit
from tik.web import pdf_response

bp = Blueprint("plans", __name__)


def _plan_page(case, status: int = 200, **extra):
    plan = service.plan_of(case)
    plan_form = extra.pop("plan_form", None) or _from_what_is_known(
        case, PlanForm(obj=plan, version=plan.version if plan else 0))
    measure_form = extra.pop("measure_form", None)
    guide = guide_of(case)
    chosen = None
    if measure_form is None:
        # A measure from the guidebook's catalogue is a starting point: service, what and goal filled in.
        chosen = from_catalogue(case, guide, request.args.get("fra", ""), interface_language()) if request.args.get(
            "fra") else None
        measure_form = NewMeasureForm(idempotency_key=secrets.token_urlsafe(24), start_on=today(),
                                      evaluate_on=today() + service.EVALUATE_AFTER, **(chosen or {}))
        fill_measure_choices(measure_form, case, interface_language())
    response = render_template("plans/plan.html", case=case, plan=plan, guide=guide, L=interface_language(),
                               plan_form=plan_form, measure_form=measure_form,
                               catalogue=catalogue_for(case, guide), from_catalogue=bool(chosen),
                               revisions=service.revisions(plan) if plan else [], printing=print_options(case),
                               sight=sight(current_user, case, today()),
                               statements=on_plan(case, sight(current_user, case, today()), interface_language()),
                               errors=extra.pop("errors", []),
                               can_edit=abilities(current_user, case, today()).edit,
                               face_family=abilities(current_user, case, today()).face_family, **extra)
    return response, status


def _from_what_is_known(case, form: PlanForm) -> PlanForm:
    """The plan's goals and voices start from what the case already holds (tik/plans/known.py: the
    concretisation, the shared understanding, the minutes' decisions, the child's and the parents' last words),
    not asked again; a field typed or saved in the plan stays as it is. Nothing is saved until the user saves
    (and the version check still refuses a save over someone else's)."""
    lang = interface_language()
    known = known_for_plan(case, sight(current_user, case, today()), lang)
    lines = []
    for item in known.goals:
        source = item.label if item.source == "step" else _("Vedtak i møtet «%(title)s»", title=item.label)
        lines.append(f"{source} ({show_date(item.on, lang)}):\n{item.text}")
    starts = {form.goals: "\n\n".join(lines), form.child_voice: known.child_voice,
              form.parents_voice: known.parents_voice}
    form.prefilled = []  # the page says which fields start from the case
    for field, text in starts.items():
        if not (field.data or "").strip() and text:
            field.data = text
            form.prefilled.append(field.id)
    return form


@bp.get("/saker/<ref>/plan")
@requires()
def show(ref: str):
    return _plan_page(case_for(current_user, ref, action="plan.view"))


@bp.post("/saker/<ref>/plan")
@requires()
def save(ref: str):
    case = case_for(current_user, ref, action="plan.view", edit=True)
    form = PlanForm()
    if not form.validate_on_submit():
        return _plan_page(case, 422, plan_form=form, errors=error_list(form))
    seen, plan = sight(current_user, case, today()), service.plan_of(case)
    # A voice the user's consent does not cover is not on their form: what the plan holds stays as it is.
    kept = {who: (getattr(form, f"{who}_voice").data or "") if seen.sees(f"{who}_voice")
            else getattr(plan, f"{who}_voice", "") for who in ("child", "parents")}
    try:
        service.update_plan(case, current_user, goals=form.goals.data or "", child_voice=kept["child"],
                            parents_voice=kept["parents"],
                            internal_notes=form.internal_notes.data or "",
                            expected_version=form.version.data if service.plan_of(case) else None)
    except StaleEdit as stale:
        return _plan_page(case, 409, plan_form=form, stale=stale.current)
    flash(_("Planen er lagret."))
    return redirect(url_for("plans.show", ref=ref))


@bp.post("/saker/<ref>/plan/tiltak")
@requires()
def add_measure(ref: str):
    case = case_for(current_user, ref, action="plan.view", edit=True)
    form = NewMeasureForm()
    fill_measure_choices(form, case, interface_language())
    if not form.validate_on_submit():
        return _plan_page(case, 422, measure_form=form, errors=error_list(form))
    try:
        added = service.add_measure(case, current_user, measure_input(form), form_key=form.idempotency_key.data)
    except DomainError as error:
        show_measure_refusal(form, error.code)
        return _plan_page(case, 422, measure_form=form, errors=error_list(form))
    if added is not None:
        flash(_("Tiltaket er lagt til i planen."))
    return redirect(url_for("plans.show", ref=ref))


def _measure_of(case, measure_id: int) -> Measure:
    """The case's measure `measure_id`; 404 otherwise."""
    measure = db.session.get(Measure, measure_id)
    if measure is None or measure.plan.case_id != case.id:
        abort(404)
    return measure


def _closed_measure(case, measure: Measure):
    """A measure ended with its consent: a clear message instead of a form (409 to a change sent anyway)."""
    return render_template("plans/measure_closed.html", case=case, measure=measure, guide=guide_of(case),
                           L=interface_language()), 409 if request.method == "POST" else 200


@bp.route("/saker/<ref>/plan/tiltak/<int:measure_id>", methods=["GET", "POST"])
@requires()
def edit_measure(ref: str, measure_id: int):
    case = case_for(current_user, ref, action="plan.view", edit=True)
    measure = _measure_of(case, measure_id)
    if measure.closed:
        return _closed_measure(case, measure)
    form = EditMeasureForm(obj=measure if request.method == "GET" else None)
    fill_measure_choices(form, case, interface_language())
    if request.method == "GET":
        form.version.data = measure.version
        form.status.data = measure.status.value
        form.responsible_id.data = str(measure.responsible_id or "")
        if measure.responsible_id:
            form.responsible.data = ""  # the name follows the person
    status, stale = 200, None
    if form.validate_on_submit():
        try:
            service.update_measure(case, measure, current_user, measure_input(form),
                                   expected_version=form.version.data)
            flash(_("Tiltaket er lagret."))
            return redirect(url_for("plans.show", ref=ref))
        except StaleEdit as error:
            status, stale = 409, error.current
        except DomainError as error:
            show_measure_refusal(form, error.code)
            status = 422
    elif request.method == "POST":
        status = 422
    response = render_template("plans/measure.html", case=case, measure=measure, form=form, stale=stale,
                               guide=guide_of(case), L=interface_language(), errors=error_list(form))
    return response, status


@bp.get("/saker/<ref>/plan/revisjon/<int:number>")
@requires()
def revision(ref: str, number: int):
    case = case_for(current_user, ref, action="plan.view")
    plan = service.plan_of(case)
    rev = plan and db.session.scalar(db.select(PlanRevision).where(PlanRevision.plan_id == plan.id,
                                                                    PlanRevision.number == number))
    if not rev:
        abort(404)
    return render_template("plans/revision.html", case=case, rev=rev, guide=guide_of(case), L=interface_language(),
                           sight=sight(current_user, case, today()))


@bp.post("/saker/<ref>/plan/delt")
@requires()
def share(ref: str):
    """The family got the plan: freeze this revision (printing alone never does)."""
    case = case_for(current_user, ref, action="plan.view")
    service.share_with_family(case, current_user)
    flash(_("Planen er merket som gitt til familien. Revisjonen er fryst; senere endringer blir en ny revisjon."))
    return redirect(url_for("plans.show", ref=ref))


@bp.get("/saker/<ref>/plan.pdf")
@requires()
def pdf(ref: str):
    """The plan for the services, or the family letter (?versjon=familie&lang=…&til=ungdom&barneside=ja)."""
    args = request.args
    case = case_for(current_user, ref, action="plan.pdf")
    filename, data = plan_pdf(case, current_user, family=args.get("versjon") == "familie",
                              lang=args.get("lang") or None, young=args.get("til") == "ungdom",
                              child_page=args.get("barneside") == "ja", full_log=args.get("logg") == "full")
    return pdf_response(filename, data)


@bp.get("/saker/<ref>/samtykkeskjema.pdf")
@requires()
def consent_form(ref: str):
    """The consent form to sign in the family's language: filled from ?samtykke=<id>, or blank."""
    case = case_for(current_user, ref, action="consent.pdf")
    filename, data = consent_form_pdf(case, request.args.get("samtykke", type=query_int),
                                      request.args.get("lang") or None)
    if data is None:
        abort(404)
    return pdf_response(filename, data)


@bp.route("/saker/<ref>/plan/tiltak/<int:measure_id>/evaluering", methods=["GET", "POST"])
@requires()
def evaluate(ref: str, measure_id: int):
    case = case_for(current_user, ref, action="plan.view", edit=True)
    measure = _measure_of(case, measure_id)
    if measure.closed:
        return _closed_measure(case, measure)
    form = EvaluationForm()
    family_words = service.words_for_evaluation(case)
    if request.method == "GET":
        form.idempotency_key.data = secrets.token_urlsafe(24)
        form.evaluated_on.data = today()
        form.next_evaluate_on.data = today() + service.EVALUATE_AFTER
        form.child_experience.data, form.parents_said.data = service.evaluation_prefill(family_words)
    status = 200
    if form.validate_on_submit():
        try:
            evaluated = service.evaluate_measure(case, measure, current_user, service.EvaluationInput(
                evaluated_on=form.evaluated_on.data, goal_reached=GoalReached(form.goal_reached.data),
                child_experience=form.child_experience.data, next_action=NextAction(form.next_action.data),
                parents_said=form.parents_said.data or "", next_evaluate_on=form.next_evaluate_on.data,
                note=form.note.data or ""), form_key=form.idempotency_key.data)
        except DomainError as error:
            form.next_evaluate_on.errors = [refusal_message(error.code)]
            status = 422
        else:
            if evaluated is not None:
                flash(_("Evalueringen er lagret, og planen har fått en ny revisjon."))
            return redirect(url_for("plans.show", ref=ref))
    elif request.method == "POST":
        status = 422
    response = render_template("plans/evaluate.html", case=case, measure=measure, form=form, guide=guide_of(case),
                               L=interface_language(), errors=error_list(form), family_words=family_words)
    return response, status


@bp.get("/saker/<ref>/plan/sammenlign")
@requires()
def compare(ref: str):
    """What changed between two revisions: measures added, ended, changed; goals and voices."""
    case = case_for(current_user, ref, action="plan.view")
    plan = service.plan_of(case)
    if plan is None:
        abort(404)
    old_n = request.args.get("fra", type=query_int) or max(plan.revision - 1, 1)
    new_n = request.args.get("til", type=query_int) or plan.revision
    old, new = service.revision_snapshot(plan, old_n), service.revision_snapshot(plan, new_n)
    if old is None or new is None:
        abort(404)
    response = render_template("plans/compare.html", case=case, plan=plan, diff=service.compare(old, new),
                               old_n=old_n, new_n=new_n, guide=guide_of(case), L=interface_language(),
                               numbers=range(1, plan.revision + 1), sight=sight(current_user, case, today()))
    return response


@bp.get("/saker/<ref>/plan/revisjon/<int:number>.pdf")
@requires()
def revision_pdf(ref: str, number: int):
    """An earlier revision printed as it was."""
    case = case_for(current_user, ref, action="plan.pdf")
    family = request.args.get("versjon") == "familie"
    filename, data = revision_pdf_bytes(case, current_user, number, family=family,
                                        lang=request.args.get("lang") or None)
    if data is None:
        abort(404)
    return pdf_response(f"{filename}", data)
