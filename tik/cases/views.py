"""The case page and the actions on it. Views parse, call the service, render or redirect."""

from __future__ import annotations

import secrets
from dataclasses import replace

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from tik.audit.service import record_view
from tik.auth.models import User
from tik.auth.policy import (
    abilities,
    can_answer_handover,
    can_manage_participants,
    can_see_viewers,
    can_view_case,
    can_withhold_from_export,
    case_for,
    requires,
    sight,
    visible_events,
)
from tik.cases import consent as consenting
from tik.cases import handover as handing_over
from tik.cases import participants, queries, steps
from tik.cases.consent import CONSENT_LASTS, record_consent
from tik.cases.forms import (
    AdultConsentForm,
    ConsentForm,
    DecisionForm,
    HandoverAnswerForm,
    HandoverForm,
    InviteForm,
    step_field_errors,
    step_values,
)
from tik.cases.fragments import guide_fragment
from tik.cases.leader_feedback import may_read_feedback
from tik.cases.models import Case, Consent, Handover
from tik.cases.models import ConsentForm as ConsentKind
from tik.cases.page import NOTHING_SENT, FormState, case_page, form_page
from tik.cases.participants import invitable_people, people_who_may_join
from tik.cases.queries import search_cases, who_has_seen
from tik.cases.steps import current_step
from tik.clock import today
from tik.concerns.models import Guardian
from tik.errors import DomainError
from tik.extensions import db, interface_language
from tik.forms import BlankForm, error_list
from tik.guidebook import guide_of
from tik.guides.engine import DecisionRefused
from tik.messages import refusal_message
from tik.timeline.service import timeline as case_timeline
from tik.versioning import StaleEdit

bp = Blueprint("cases", __name__)
bp.add_app_template_global(guide_fragment, "guide_fragment")


@bp.route("/saker", methods=["GET", "POST"])
@requires()
def my_cases():
    """My cases; a search posts its text so a child's name never lands in a URL or an access log."""
    q = request.form.get("q", "").strip() if request.method == "POST" else ""
    rows = search_cases(current_user, q) if q else queries.my_cases(current_user)
    # Both the list and a search name children: audited (the count, never the words searched for).
    record_view(current_user, "case.search" if q else "case.list", detail=f"{len(rows)} treff")
    return render_template("cases/list.html", rows=rows, q=q, L=interface_language(), today=today())


def _case_page(case: Case, status: int = 200, form: FormState = NOTHING_SENT):
    """Render the case page: everything it shows is loaded by `case_page`, in a handful of statements."""
    page = case_page(case, current_user, today(), form)
    return render_template("cases/case.html", **page.context()), status


def _form_page(case: Case, name: str, status: int = 200, form: FormState = NOTHING_SENT,
               guardian: Guardian | None = None):
    """Render one of the case's forms on its page; blank (for a GET) unless `form` brings what was sent."""
    if name in ("consent", "handover", "invite") and form.sent is None:
        blank = {"consent": _consent_form, "handover": _handover_form,
                 "invite": lambda _case: BlankForm(InviteForm, idempotency_key=secrets.token_urlsafe(24))}[name]
        form = replace(form, sent=blank(case))
    page = form_page(case, current_user, today(), name, form, guardian)
    return render_template("cases/form_page.html", **page.context()), status


def _consent_form(case: Case, formdata=None) -> ConsentForm | BlankForm:
    """The consent form: as sent (to validate, or to show again with its errors), or blank for the page."""
    guide = guide_of(case)
    choices = [(k, s.name.get(interface_language())) for k, s in guide.services.items()]
    kinds = [(k.key, k.label.get(interface_language())) for k in guide.information_kinds]
    alone = guide.consents_alone(case.child.birth_date, today())  # a young adult: no guardians asked
    form_class = AdultConsentForm if alone else ConsentForm
    if formdata is None:  # every kind ticked: the family's "no" is what is unticked (and written as exclusions)
        return BlankForm(form_class, choices={"services": choices, "kinds": kinds},
                         idempotency_key=secrets.token_urlsafe(24), given_on=today(),
                         expires_on=today() + CONSENT_LASTS, kinds=[k for k, _label in kinds],
                         given_by=case.child.name if alone else ", ".join(g.name for g in case.child.guardians))
    form = form_class(formdata=formdata)
    form.services.choices = choices
    form.kinds.choices = kinds
    return form


def _kinds_per_service(formdata, services: list[str], form: ConsentForm) -> dict[str, list[str]] | None:
    """The kinds of information the consent covers, per chosen service: the form's grid (`kinds-<service>`,
    one row per service); a form with one list of kinds for all services (`kinds`); None for a form without
    kinds (the consent then covers every kind)."""
    if formdata.get("kinds_grid"):
        return {s: formdata.getlist(f"kinds-{s}") for s in services}
    if formdata.get("kinds_shown"):
        return {s: form.kinds.data or [] for s in services}
    return None


def _handover_form(case: Case, formdata=None) -> HandoverForm | BlankForm:
    if formdata is None:
        return BlankForm(HandoverForm, idempotency_key=secrets.token_urlsafe(24))
    return HandoverForm(formdata=formdata)


def _one_person(case: Case, text: str, holders_only: bool = False) -> User | None:
    """The one person named by username or full name among those who may join (or hold) the case."""
    matches = people_who_may_join(case, text, holders_only=holders_only)
    return matches[0] if len(matches) == 1 else None


@bp.get("/saker/<ref>")
@requires()
def show(ref: str):
    case = case_for(current_user, ref)
    if not consenting.settled_for(current_user, case):  # a consent ran out: what hung on it ends now
        abort(404)
    notice = {"1": "registered", "again": "registered_again"}.get(request.args.get("registered", ""), "")
    return _case_page(case, form=FormState(notice=notice))


FORM_ROUTES = {"samtykke": "consent", "stafett": "handover", "deltaker": "invite", "barn": "child",
               "ny-foresatt": "add_guardian"}


@bp.get("/saker/<ref>/skjema/<name>")
@requires()
def form(ref: str, name: str):
    """A form that is closed on the case page, on a page of its own (a plain link, no script)."""
    if name not in FORM_ROUTES:
        abort(404)
    case = case_for(current_user, ref, edit=True)
    if not _may_open(case, FORM_ROUTES[name]):
        abort(404)
    return _form_page(case, FORM_ROUTES[name])


@bp.get("/saker/<ref>/skjema/foresatt/<int:guardian_id>")
@requires()
def guardian_form(ref: str, guardian_id: int):
    case = case_for(current_user, ref, edit=True)
    guardian = next((g for g in case.child.guardians if g.id == guardian_id), None)
    if guardian is None:
        abort(404)
    return _form_page(case, "guardian", guardian=guardian)


def _may_open(case: Case, name: str) -> bool:
    """The form's link is on the case page for this user (what the page offers, the form page offers)."""
    can = abilities(current_user, case, today())
    if name == "invite":
        return can.manage_participants
    if name == "consent":
        return can.face_family
    return True


@bp.post("/saker/<ref>/beslutning")
@requires()
def decide(ref: str):
    case = case_for(current_user, ref, action="case.view", edit=True)
    form = DecisionForm()
    decision = request.form.get("decision", "")
    guide = guide_of(case)
    # The user filled in the step they saw; someone may have moved the case on since.
    at = current_step(case).step
    seen = guide.steps.get(request.form.get("step_id", ""), at)
    values = step_values(seen, request.form)
    if not form.validate_on_submit():  # no version (or a malformed one): never a save that skips the check
        return _case_page(case, 422, FormState("decision", values, message=error_list(form)[0][1]))
    if errors := step_field_errors(values):
        return _case_page(case, 422, FormState("decision", values, tuple(errors.items()),
                                               message=next(iter(errors.values()))))
    try:
        if seen.id != at.id:
            raise StaleEdit(case)
        steps.decide(case, decision, values, by=current_user, expected_version=form.version.data)
    except StaleEdit:
        typed = [(f.label.get(interface_language()), values[f.key]) for f in seen.fields if values.get(f.key)]
        return _case_page(case, 409, FormState(typed=dict(typed), notice="stale"))
    except DecisionRefused as refused:
        errors = {key: refusal_message("missing_fields") for key in refused.params.get("fields", [])}
        if "field" in refused.params:
            errors[refused.params["field"]] = refusal_message(refused.code, **refused.params)
        # A decision that needs consent offers the consent form right here; the typed text goes with it.
        message = refusal_message(refused.code, **refused.params)
        if refused.code == "consent_required":
            keep = {"decision": decision, "step_id": seen.id, **values}
            return _form_page(case, "consent", 422, FormState("consent", keep=keep, message=message))
        return _case_page(case, 422, FormState("decision", values, tuple(errors.items()), message=message))
    flash(_("Beslutningen er lagret."))
    return redirect(url_for("cases.show", ref=ref))


@bp.post("/saker/<ref>/samtykke")
@requires()
def add_consent(ref: str):
    case = case_for(current_user, ref, edit=True)
    form = _consent_form(case, formdata=request.form)
    # The decision the user was writing when consent was needed: kept, and given back after the consent.
    keep = {k[5:]: v for k, v in request.form.items() if k.startswith("keep_")}
    typed = {k: v for k, v in keep.items() if k not in ("decision", "step_id")}
    # What was ticked in the grid comes back on a refused submit, row by row (an empty row stays empty).
    checked = {s: request.form.getlist(f"kinds-{s}") for s in guide_of(case).services} \
        if request.form.get("kinds_grid") else None
    if not form.validate_on_submit():
        return _form_page(case, "consent", 422, FormState("consent", checked or {}, tuple(error_list(form)),
                                                          sent=form, keep=keep))
    try:
        recorded = record_consent(case, current_user, given_by=form.given_by.data, services=form.services.data,
                                  purpose=form.purpose.data, form=ConsentKind(form.form.data),
                                  given_on=form.given_on.data, expires_on=form.expires_on.data,
                                  information=form.information.data or "", young_person=form.young_person.data,
                                  exclusions=form.exclusions.data or "", form_key=form.idempotency_key.data,
                                  kinds=_kinds_per_service(request.form, form.services.data, form))
    except DomainError as error:
        form.services.errors = [refusal_message(error.code)] if error.code in ("no_services", "unknown_service") \
            else []
        if error.code in ("no_kinds", "unknown_kind"):
            form.kinds.errors = [refusal_message(error.code)]
        if error.code == "expires_before_given":
            form.expires_on.errors = [refusal_message(error.code)]
        if error.code == "young_person_must_consent":
            form.young_person.errors = [refusal_message(error.code)]
        return _form_page(case, "consent", 422, FormState("consent", checked or {}, tuple(error_list(form)),
                                                          sent=form, keep=keep))
    if recorded is None:  # the same form again: the consent it recorded is on the page
        return redirect(url_for("cases.show", ref=ref))
    if keep:  # back to the decision, with every word still there
        return _case_page(case, 200, FormState("decision", typed, notice="consent_saved",
                                               resume=keep.get("decision", "")))
    flash(_("Samtykket er registrert."))
    return redirect(url_for("cases.show", ref=ref))


@bp.post("/saker/<ref>/samtykke/<int:consent_id>/trekk")
@requires()
def withdraw_consent(ref: str, consent_id: int):
    case = case_for(current_user, ref, edit=True)
    consent = db.session.get(Consent, consent_id)
    if consent is None or consent.case_id != case.id:
        abort(404)
    if consent.withdrawn_at is None:
        consenting.withdraw_consent(consent, current_user)
        flash(_("Samtykket er trukket tilbake. Tilgangen det ga er stengt."))
    return redirect(url_for("cases.show", ref=ref) if _still_visible(ref) else url_for("mywork.start"))


def _still_visible(ref: str) -> bool:
    case = db.session.scalar(select(Case).where(Case.ref == ref))
    return case is not None and can_view_case(current_user, case, today())


@bp.post("/saker/<ref>/stafett")
@requires()
def propose_handover(ref: str):
    case = case_for(current_user, ref, edit=True)
    form = _handover_form(case, formdata=request.form)
    if not form.validate_on_submit():
        return _form_page(case, "handover", 422, FormState("handover", errors=tuple(error_list(form)), sent=form))
    to = _one_person(case, form.to_user.data, holders_only=True)
    if to is None:
        form.to_user.errors = [_("Fant ikke én koordinator med det brukernavnet eller navnet i din enhet eller i en "
                                 "tjeneste samtykket gjelder. Skriv brukernavnet.")]
        return _form_page(case, "handover", 422, FormState("handover", errors=tuple(error_list(form)), sent=form))
    try:
        proposed = handing_over.propose_handover(case, to, current_user, note=form.note.data or "",
                                                 family_wish=form.family_wish.data,
                                                 measures_scope=form.measures_scope.data,
                                                 form_key=form.idempotency_key.data)
    except DomainError as error:
        form.to_user.errors = [refusal_message(error.code)]
        return _form_page(case, "handover", 422, FormState("handover", errors=tuple(error_list(form)), sent=form))
    if proposed is not None:
        flash(_("Forslaget er sendt. Du er stafettholder til det blir akseptert."))
    return redirect(url_for("cases.show", ref=ref))


@bp.post("/stafett/<int:handover_id>")
@requires()
def answer_handover(handover_id: int):
    handover = db.session.get(Handover, handover_id)
    if handover is None or not can_answer_handover(current_user, handover):
        abort(404)
    form = HandoverAnswerForm()
    accept = request.form.get("answer") == "accept"
    if not form.validate_on_submit():
        abort(400)
    consenting.settle_expired(handover.case)  # a consent that ran out ends the handover first
    try:
        handing_over.answer_handover(handover, current_user, accept=accept, reason=form.reason.data or "")
    except DomainError as error:
        if error.code in ("cannot_open", "not_yours"):  # ended, or a case they can no longer open: not there
            abort(404)
        flash(refusal_message(error.code), "error")
        return redirect(url_for("mywork.start"))
    if accept:
        flash(_("Du er nå stafettholder."))
        return redirect(url_for("cases.show", ref=handover.case.ref))
    flash(_("Du har takket nei."))
    return redirect(url_for("mywork.start"))


@bp.get("/saker/<ref>/logg")
@requires()
def full_timeline(ref: str):
    """The whole stafettlogg, every event with its fields."""
    case = case_for(current_user, ref, action="case.view")
    seen = sight(current_user, case, today())
    return render_template("cases/timeline.html", case=case, child=case.child, guide=guide_of(case),
                           timeline=[e for e in visible_events(case, case_timeline(case), seen)
                                     if may_read_feedback(current_user, case, e)],
                           L=interface_language(), withhold=can_withhold_from_export(current_user, case))


@bp.post("/saker/<ref>/deltakere")
@requires()
def invite_participant(ref: str):
    """The stafettholder invites a named person into the case."""
    case = case_for(current_user, ref, edit=True)
    form = InviteForm()
    if not can_manage_participants(current_user, case):
        abort(404)
    form.person_id.choices = [(0, "")] + [(u.id, u.name) for u in invitable_people(case)]
    if not form.validate_on_submit():
        return _form_page(case, "invite", 422, FormState("invite", errors=tuple(error_list(form)), sent=form))
    if form.person_id.data:  # picked from the list (or from the matches of a search)
        person = next((u for u in invitable_people(case) if u.id == form.person_id.data), None)
        matches = [person] if person else []
    else:
        matches = people_who_may_join(case, form.person.data)
        person = matches[0] if len(matches) == 1 else None
    if len(matches) > 1:  # a search that named several: the page lists them to pick from
        return _form_page(case, "invite", 200, FormState("invite", sent=form, matches=tuple(matches)))
    if person is None:
        form.person.errors = [_("Fant ingen som kan inviteres med det navnet. Du kan invitere kolleger i din "
                                "enhet og ansatte i tjenester som et gyldig samtykke gjelder.")]
        return _form_page(case, "invite", 422, FormState("invite", errors=tuple(error_list(form)), sent=form))
    try:
        invited = participants.invite_participant(case, person, current_user, form_key=form.idempotency_key.data)
    except DomainError as error:
        form.person.errors = [refusal_message(error.code)]
        return _form_page(case, "invite", 422, FormState("invite", errors=tuple(error_list(form)), sent=form))
    if invited is not None:
        flash(_("%(name)s er invitert og ser nå saken.", name=person.name))
    return redirect(url_for("cases.show", ref=ref))


@bp.post("/saker/<ref>/deltakere/<int:participant_id>/fjern")
@requires()
def remove_participant(ref: str, participant_id: int):
    case = case_for(current_user, ref, edit=True)
    participant = next((p for p in case.participants if p.id == participant_id), None)
    if participant is None or not can_manage_participants(current_user, case):
        abort(404)
    try:
        participants.remove_participant(case, participant, current_user)
        flash(_("%(name)s er fjernet fra saken og ser den ikke lenger.", name=participant.user.name))
    except DomainError:
        pass  # nothing changed; the page shows who takes part
    return redirect(url_for("cases.show", ref=ref))


@bp.get("/saker/<ref>/innsyn")
@requires()
def viewers(ref: str):
    """Who has seen this child: for the stafettholder and the unit leader."""
    case = case_for(current_user, ref, action="case.viewers")
    if not can_see_viewers(current_user, case, today()):
        abort(404)
    return render_template("cases/viewers.html", case=case, rows=who_has_seen(case), guide=guide_of(case),
                           L=interface_language())
