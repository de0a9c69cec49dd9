"""The young person's door (/ung/: no account, no JavaScript, the return code in a form field, never in a URL)
and the youth service's inbox (/ung/innboks: youth operators and the professional on duty)."""

from __future__ import annotations

from datetime import time

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from tik.auth.models import Role, User
from tik.auth.policy import public, requires
from tik.clock import now, utc_to_local
from tik.errors import DomainError
from tik.extensions import db, interface_language, limiter
from tik.forms import error_list
from tik.youth import figures, service
from tik.youth.forms import (
    AgainForm,
    AnswerForm,
    CertificateForm,
    CodeForm,
    ConsentForm,
    OutcomeForm,
    RatingForm,
    TopicForm,
    WriteForm,
)
from tik.youth.models import Outcome, YouthMessage

bp = Blueprint("youth", __name__, url_prefix="/ung")


@bp.before_request
def _door_of_this_guidebook():
    """A guidebook without youth.yaml has no youth door: every /ung/ route answers 404."""
    if not service.has_door():
        abort(404)
STAFF = (Role.YOUTH_OPERATOR, Role.YOUTH_PROFESSIONAL)
CODE_LIMIT = "10 per minute;60 per hour"  # every attempt counts, right or wrong: no oracle in the limit either


def hashed_address() -> str:
    """The rate limit's key: a keyed hash of the address, so not even the limiter's storage holds the IP."""
    from flask import request

    from tik.crypto import lookup_hash

    return lookup_hash(f"youth-door:{request.remote_addr or ''}")


def refusal(code: str) -> str:
    """The refusal `code` of tik.youth.service in the user's language."""
    return {
        "empty": _("Skriv noe før du sender."),
        "closed": _("Samtalen er avsluttet."),
        "not_answered": _("Du kan si hva du synes når du har fått svar."),
        "no_consent": _("Saken lages bare hvis du sier ja."),
        "no_offer": _("Ingen har tilbudt å gjøre samtalen til en sak."),
        "no_excerpt": _("Velg minst én melding."),
        "services": _("Velg minst én tjeneste."),
        "professional_only": _("Bare fagpersonen på vakt kan gjøre dette."),
        "ground": _("Velg grunnlaget for meldeplikten."),
        "talk": _("Skriv hvilken samtale som tilbys."),
        "unknown_service": _("Velg en tjeneste."),
        "assigned": _("Samtalen er tildelt en annen veileder. Bare hen og fagpersonen på vakt kan svare."),
        "not_assignable": _("Velg en i ungdomstjenesten."),
    }.get(code, _("Det gikk ikke. Prøv igjen."))


def _open_now() -> bool:
    """Whether the youth service is at work now (youth.yaml opening hours)."""
    y, at = service.youth(), utc_to_local(now())
    start, end = (time(*map(int, t.split(":"))) for t in (y.open_from, y.open_to))
    return at.weekday() in y.open_days and start <= at.time() < end


def _door(form: WriteForm, status: int = 200, not_safe: bool = False):
    return render_template("youth/door.html", form=form, y=service.youth(), L=interface_language(),
                           open_now=_open_now(), not_safe=not_safe, errors=error_list(form)), status


def _write_form() -> WriteForm:
    form = WriteForm()
    form.age_band.choices = [("", _("Vil ikke si"))] + [(b.key, b.label.get(interface_language()))
                                                       for b in service.youth().age_bands]
    return form


# -- the young person -----------------------------------------------------------------------------------------

@bp.get("/")
@public
def door():
    """What is on your mind: the form, what happens to it, when we answer, when we must tell."""
    return _door(_write_form())


@bp.get("/ikke-trygg")
@public
def not_safe():
    """"I am not safe now": the emergency numbers first, then the form with the choice already made."""
    form = _write_form()
    form.not_safe.data = True
    return _door(form, not_safe=True)


@bp.post("/")
@public
@limiter.limit("20 per hour", key_func=hashed_address)
def write():
    form = _write_form()
    if not form.validate_on_submit():
        return _door(form, 422, not_safe=bool(form.not_safe.data))
    try:
        written = service.write_first(form.body.data, form.age_band.data or "", form.area.data or "",
                                      form.answer_by.data, bool(form.not_safe.data))
    except DomainError as refused:
        form.body.errors = [refusal(refused.code)]
        return _door(form, 422)
    return render_template("youth/code.html", code=written.code, conversation=written.conversation,
                           y=service.youth(), L=interface_language())


def _conversation_page(conversation, code: str, status: int = 200, again: AgainForm | None = None,
                       rating: RatingForm | None = None, consent: ConsentForm | None = None):
    y, lang = service.youth(), interface_language()
    again = again or AgainForm(formdata=None, code=code)
    rating = rating or RatingForm(formdata=None, code=code)
    consent = consent or ConsentForm(formdata=None, code=code)
    messages = service.visible_messages(conversation)
    consent.messages.choices = [(m.id, m.body[:80]) for m in messages if m.author == "young"]
    consent.services.choices = [(key, current_guide_name(key, lang)) for key in y.share_with]
    return render_template(
        "youth/conversation.html", conversation=conversation, messages=messages, again=again, rating=rating,
        consent=consent, offered=service.case_offered(conversation), y=y, L=lang, open_now=_open_now(),
        rated=service.rated(conversation),
        errors=error_list(again) + error_list(rating) + error_list(consent)), status


def current_guide_name(key: str, lang: str) -> str:
    from tik.guidebook import current_guide

    services = current_guide().services
    return services[key].name.get(lang) if key in services else key


def _not_found(form: CodeForm | None = None):
    """The one answer to a code that finds nothing: the same words, whatever was typed."""
    form = form or CodeForm(formdata=None)
    return render_template("youth/read.html", form=form, not_found=True), 404


@bp.get("/les")
@public
def read_form():
    return render_template("youth/read.html", form=CodeForm(), not_found=False)


@bp.post("/les")
@public
@limiter.limit(CODE_LIMIT, key_func=hashed_address)
def read():
    form = CodeForm()
    if not form.validate_on_submit():
        return render_template("youth/read.html", form=form, not_found=False), 422
    conversation = service.conversation_by_code(form.code.data)
    if conversation is None:
        return _not_found()
    return _conversation_page(conversation, service.normalise_code(form.code.data))


@bp.post("/skriv-igjen")
@public
@limiter.limit(CODE_LIMIT, key_func=hashed_address)
def write_again():
    form = AgainForm()
    return _with_code(form, "again", form.body,
                      lambda conversation: service.write_again(conversation, form.body.data, bool(form.not_safe.data)))


@bp.post("/vurder")
@public
@limiter.limit(CODE_LIMIT, key_func=hashed_address)
def rate():
    form = RatingForm()
    return _with_code(form, "rating", form.rating,
                      lambda conversation: service.rate(conversation, int(form.rating.data), form.words.data or ""))


def _with_code(form, slot: str, error_field, act):
    """A young person's post with their return code: an unknown code gets the same "not found" as ever; a form
    that is refused comes back (422) with what they typed, the refusal on `error_field`."""
    conversation = service.conversation_by_code(form.code.data or "")
    if conversation is None:
        return _not_found()
    if not form.validate_on_submit():
        return _conversation_page(conversation, form.code.data, 422, **{slot: form})
    try:
        act(conversation)
    except DomainError as refused:
        error_field.errors = [refusal(refused.code)]
        return _conversation_page(conversation, form.code.data, 422, **{slot: form})
    return _conversation_page(conversation, form.code.data)


@bp.post("/samtykke")
@public
@limiter.limit(CODE_LIMIT, key_func=hashed_address)
def consent():
    form = ConsentForm()
    conversation = service.conversation_by_code(form.code.data or "")
    if conversation is None:
        return _not_found()
    y = service.youth()
    form.messages.choices = [(m.id, "") for m in service.visible_messages(conversation)]
    form.services.choices = [(key, key) for key in y.share_with]
    if not form.validate_on_submit():
        return _conversation_page(conversation, form.code.data, 422, consent=form)
    try:
        service.consent_to_case(conversation, first_name=form.first_name.data, last_name=form.last_name.data,
                                birth_date=form.birth_date.data, message_ids=form.messages.data,
                                services=form.services.data, agreed=bool(form.agreed.data),
                                nin=form.nin.data or "")
    except DomainError as refused:
        form.agreed.errors = [refusal(refused.code)]
        return _conversation_page(conversation, form.code.data, 422, consent=form)
    return _conversation_page(conversation, form.code.data)


@bp.get("/svartider")
@public
def answer_times():
    """The published answer times: median to the first answer, share within the promise, rating; per month."""
    return render_template("youth/answer_times.html", months=figures.monthly_figures(), y=service.youth(),
                           L=interface_language(), threshold=figures.threshold())


# -- the youth service ------------------------------------------------------------------------------------------

@bp.get("/innboks")
@requires(*STAFF)
def inbox():
    conversations = service.queue(current_user)
    return render_template("youth/inbox.html", conversations=conversations,
                           assigned=service.assigned_names(conversations),
                           professional=service.is_professional(current_user))


def _staff_page(conversation, status: int = 200, answer: AnswerForm | None = None,
                outcome: OutcomeForm | None = None, topic: TopicForm | None = None):
    y, lang = service.youth(), interface_language()
    answer = answer or AnswerForm(formdata=None)
    answer.template.choices = [("", _("Ingen mal"))] + [(t.key, t.label.get(lang)) for t in y.templates]
    topic = topic or TopicForm(formdata=None, topic=conversation.topic)
    topic.topic.choices = [(t.key, t.label.get(lang)) for t in y.topics]
    outcome = outcome or OutcomeForm(formdata=None)
    _outcome_choices(outcome, lang)
    return render_template(
        "youth/staff_conversation.html", conversation=conversation, answer=answer, topic=topic, outcome=outcome,
        y=y, L=lang, professional=service.is_professional(current_user),
        offered=service.case_offered(conversation), errors=error_list(answer) + error_list(outcome),
        assigned=service.assigned_names([conversation]).get(conversation.id),
        mine=service.assignee(conversation) == current_user.id, until=conversation.assigned_until,
        assignable=service.assignable(current_user) if service.is_professional(current_user) else []), status


def _outcome_choices(form: OutcomeForm, lang: str) -> None:
    y = service.youth()
    form.referral.choices = [("", "")] + [(d.key, d.label.get(lang)) for d in y.directory]
    form.ground.choices = [("", "")] + [(g.key, g.label.get(lang)) for g in y.report_grounds]
    if not service.is_professional(current_user):
        form.outcome.choices = [c for c in form.outcome.choices if c[0] == "answered"]


@bp.get("/innboks/<int:conversation_id>")
@requires(*STAFF)
def conversation(conversation_id: int):
    return _staff_page(service.conversation_for(current_user, conversation_id))


@bp.post("/innboks/<int:conversation_id>/svar")
@requires(*STAFF)
def answer(conversation_id: int):
    conversation = service.conversation_for(current_user, conversation_id)
    form = AnswerForm()
    form.template.choices = [("", "")] + [(t.key, t.key) for t in service.youth().templates]
    if not form.validate_on_submit():
        return _staff_page(conversation, 422, answer=form)
    try:
        chosen = service.youth().entry("templates", form.template.data or "")
        text = (form.body.data or "").strip() or (chosen.text.get(interface_language()) if chosen else "")
        message = service.answer(conversation, current_user, text, form.template.data or "")
    except DomainError as refused:
        form.body.errors = [refusal(refused.code)]
        return _staff_page(conversation, 422, answer=form)
    flash(_("Svaret venter på godkjenning fra fagpersonen på vakt.") if message.held else _("Svaret er sendt."))
    return redirect(url_for("youth.conversation", conversation_id=conversation_id))


@bp.post("/innboks/<int:conversation_id>/godkjenn/<int:message_id>")
@requires(Role.YOUTH_PROFESSIONAL)
def approve(conversation_id: int, message_id: int):
    conversation = service.conversation_for(current_user, conversation_id)
    message = db.session.get(YouthMessage, message_id)
    if message is None or message.conversation_id != conversation.id:
        abort(404)
    service.approve(message, current_user)
    flash(_("Svaret er godkjent og sendt."))
    return redirect(url_for("youth.conversation", conversation_id=conversation_id))


@bp.post("/innboks/<int:conversation_id>/tildel")
@requires(*STAFF)
def assign(conversation_id: int):
    """Assign the conversation to a named operator (the professional), or take it yourself (`to` = yourself)."""
    conversation = service.conversation_for(current_user, conversation_id)
    to = db.session.get(User, request.form.get("to", type=int) or current_user.id)
    if to is None:
        abort(404)
    try:
        service.assign(conversation, to, current_user)
    except DomainError as refused:
        flash(refusal(refused.code), "error")
        return _staff_page(conversation, 409)
    flash(_("Samtalen er tildelt %(name)s.", name=to.name))
    return redirect(url_for("youth.conversation", conversation_id=conversation_id))


@bp.post("/innboks/<int:conversation_id>/frigi")
@requires(*STAFF)
def release(conversation_id: int):
    """Give the conversation back to the whole youth service."""
    conversation = service.conversation_for(current_user, conversation_id)
    try:
        service.release(conversation, current_user)
    except DomainError as refused:
        flash(refusal(refused.code), "error")
        return _staff_page(conversation, 409)
    flash(_("Samtalen er ikke lenger tildelt noen."))
    return redirect(url_for("youth.conversation", conversation_id=conversation_id))


@bp.post("/innboks/<int:conversation_id>/tema")
@requires(*STAFF)
def topic(conversation_id: int):
    conversation = service.conversation_for(current_user, conversation_id)
    form = TopicForm()
    form.topic.choices = [(t.key, t.key) for t in service.youth().topics]
    if form.validate_on_submit():
        service.set_topic(conversation, current_user, form.topic.data)
    return redirect(url_for("youth.conversation", conversation_id=conversation_id))


@bp.post("/innboks/<int:conversation_id>/utfall")
@requires(*STAFF)
def outcome(conversation_id: int):
    conversation = service.conversation_for(current_user, conversation_id)
    form = OutcomeForm()
    _outcome_choices(form, interface_language())
    if not form.validate_on_submit():
        return _staff_page(conversation, 422, outcome=form)
    chosen = Outcome(form.outcome.data)
    detail = {Outcome.TALK: form.talk.data, Outcome.REFERRAL: form.referral.data,
              Outcome.REPORT: form.ground.data}.get(chosen, "") or ""
    try:
        service.decide_outcome(conversation, current_user, chosen, detail)
    except DomainError as refused:
        form.outcome.errors = [refusal(refused.code)]
        return _staff_page(conversation, 422, outcome=form)
    flash(_("Utfallet er lagret."))
    return redirect(url_for("youth.conversation", conversation_id=conversation_id))


@bp.route("/sertifisering", methods=["GET", "POST"])
@requires(Role.ADMIN)
def certificates():
    """The admin records each youth operator's certification and its date."""
    form = CertificateForm()
    people = service.operators()
    form.user_id.choices = [(u.id, u.name) for u in people]
    status = 200
    if form.is_submitted():
        if form.validate():
            service.record_certificate(db.session.get(User, form.user_id.data), form.course.data,
                                       form.certified_on.data, current_user)
            flash(_("Sertifiseringen er lagret."))
            return redirect(url_for("youth.certificates"))
        status = 422
    return render_template("youth/certificates.html", form=form, people=people, errors=error_list(form),
                           certificates={u.id: service.certificates_of(u) for u in people}), status
