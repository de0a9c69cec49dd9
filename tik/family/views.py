""""Min familie": sign-in with ID-porten (the national id in `pid`), the family's cases, plan, letter, consents,
timeline and who has read the case; and the staff screen for a guardian's national id. Access is decided in
tik/auth/policy.py (family_cases, family_case_for, case_for); what changes, changes in tik/family/service.py."""

from __future__ import annotations

from functools import wraps

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from tik import identity
from tik.auth import oidc
from tik.auth.policy import (
    ACCESS_ATTR,
    case_for,
    family_case_for,
    family_cases,
    family_reach,
    public,
    requires,
)
from tik.cases.suspicion import WaitingForChildWelfare
from tik.clock import today, utc_to_local
from tik.errors import DomainError
from tik.extensions import limiter
from tik.family import service, texts
from tik.family.texts import FamilyTexts
from tik.family.timeline import service_names
from tik.forms import without_controls
from tik.guidebook import current_guide, guide_of
from tik.messages import refusal_message
from tik.plans.letter import printable
from tik.web import pdf_response

bp = Blueprint("family", __name__)


def _lookup() -> str | None:
    """The keyed hash of the signed-in family member's national id, while their server-side session holds."""
    if not hasattr(request, "tik_family"):  # once per request (the request, not `g`: tests share an app context)
        token = (session.get("family") or {}).get("token")
        request.tik_family = service.signed_in(token)
        if request.tik_family is None and token:
            session.pop("family", None)
    return request.tik_family


def _texts() -> FamilyTexts:
    """The family's page language (once per request): ?lang= switches it for the session; else the language
    staff recorded for the signed-in guardian; else the municipality's language, else bokmål (tik/family/texts.py)."""
    if not hasattr(request, "tik_family_texts"):
        asked = request.args.get("lang") if request.endpoint != "family.letter" else None
        if asked in texts.family_languages():
            session["family_lang"] = asked
        own = service.own_language(_lookup()) if "family_lang" not in session else None
        municipality = current_guide().languages
        request.tik_family_texts = FamilyTexts(texts.chosen(session.get("family_lang"), own, municipality))
    return request.tik_family_texts


def t(msgid: str, **params: object) -> str:
    """A fixed text of "Min familie" in the page's language (a flash, a refusal)."""
    return _texts()(msgid, **params)


@bp.context_processor
def family_page():
    """What every page of "Min familie" prints with: its texts in the family's language, the choice of language."""
    if not (request.blueprint == "family" and request.endpoint != "family.guardian_identity"):
        return {}
    return {"t": _texts(), "family_languages": texts.choices(), "signed_in": _lookup() is not None,
            "sign_in_label": sign_in_label(),
            "service_names": service_names, "local_date": lambda at: utc_to_local(at).date()}


def sign_in_label() -> str:
    """The family's e-identification by name: the provider's label, else the country's (ID-porten, BankID).
    The family catalogues say "ID-porten" in every language; pages put this name in its place."""
    return oidc.label("family") or identity.current().SIGN_IN_LABEL


@bp.app_errorhandler(WaitingForChildWelfare)
def waiting_refused(error):
    """Something that faces the family was asked for while the case waits for child welfare: refused."""
    ref = error.args[0] if error.args else ""
    return render_template("family/waiting_refused.html", message=refusal_message(error.code), ref=ref), 409


def family_required(view):
    """A route for a family member signed in with ID-porten; others go to the family's sign-in page."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        if _lookup() is None:
            return redirect(url_for("family.index"))
        return view(*args, **kwargs)

    setattr(wrapper, ACCESS_ATTR, ("family",))
    return wrapper


@bp.get("/min-familie/")
@public
def index():
    """The family's cases, or the ID-porten sign-in."""
    lookup = _lookup()
    if lookup is None:
        return render_template("family/login.html", provider=oidc.label("family"))
    return render_template("family/index.html", cases=family_cases(lookup, today()))


@bp.get("/min-familie/logg-inn")
@public
@limiter.limit("30 per minute")
def login():
    provider = oidc.configured_client("family")
    return provider.authorize_redirect(url_for("family.callback", _external=True))


@bp.get("/login/oidc/family/callback")
@public
@limiter.limit("30 per minute")
def callback():
    """ID-porten's answer: Authlib validates the ID token; the national id in `pid` is kept only as its
    keyed hash (the same hash TIK stores for children and guardians), in a server-side session."""
    provider = oidc.configured_client("family")
    try:
        token = provider.authorize_access_token(claims_options=oidc.claims_options(provider))
        claims = token.get("userinfo")
        pid = oidc.national_id_claim(claims)
        if not oidc.counts_as_mfa(claims):  # BankID, Freja eID loa3, ID-porten substantial/high: never less
            raise ValueError("the provider did not say the person used a second factor")
    except oidc.REFUSALS as error:
        service.audit_sign_in("family.login_failed", f"refused ({error.__class__.__name__})")
        return render_template("family/login.html", provider=oidc.label("family"),
                               alert=t("Innloggingen ble avvist. Prøv igjen.")), 401
    session.clear()
    session["family"] = {"token": service.sign_in(pid), "id_token": token.get("id_token")}
    return redirect(url_for("family.index"))


@bp.post("/min-familie/logg-ut")
@public
def logout():
    signed = session.get("family") or {}
    if signed.get("token"):
        service.sign_out(signed["token"])
    session.clear()
    id_token = signed.get("id_token")
    page = oidc.provider_logout_page("family", id_token, url_for("family.index", _external=True)) if id_token \
        else None
    if page is not None:
        return page
    flash(t("Du er logget ut."))
    return redirect(url_for("family.index"))


def _case_page(case, relation, status: int = 200, **extra):
    """The family's page of `case`: everything it shows is loaded by `service.family_page`."""
    page = service.family_page(case, relation, _lookup(), _texts(), today())
    return render_template("family/case.html", **page.context(), **extra), status


@bp.get("/min-familie/<ref>")
@family_required
def case(ref: str):
    case, relation = family_case_for(_lookup(), ref)
    return _case_page(case, relation)


@bp.get("/min-familie/<ref>/logg")
@family_required
def full_timeline(ref: str):
    """Everything the family sees of what has happened in the case, not only the latest entries."""
    case, relation = family_case_for(_lookup(), ref, plan=True)
    reach = family_reach(case, relation, today())
    return render_template("family/timeline.html", case=case, timeline=service.visible_timeline(case, _texts(), reach),
                           guide=guide_of(case))


@bp.get("/min-familie/<ref>/brev.pdf")
@family_required
def letter(ref: str):
    """The family letter of the current plan, in the person's language (?lang= for another)."""
    case, relation = family_case_for(_lookup(), ref, action="family.letter", plan=True)
    lang = request.args.get("lang")
    filename, data = service.letter(case, relation, _lookup(), printable(lang) if lang else None)
    return pdf_response(filename, data)


@bp.post("/min-familie/<ref>/samtykke")
@family_required
def give_consent(ref: str):
    """A consent given digitally by the guardian or the young person."""
    case, relation = family_case_for(_lookup(), ref, action="family.consent")
    form = request.form
    try:
        service.give_consent(case, relation, _lookup(), services=form.getlist("services"),
                             purpose=without_controls(form.get("purpose", ""))[:2000],
                             information=without_controls(form.get("information", ""))[:2000],
                             exclusions=without_controls(form.get("exclusions", ""))[:2000],
                             kinds={s: form.getlist("kinds") for s in form.getlist("services")}
                             if form.get("kinds_shown") else None)
    except DomainError as error:
        return _case_page(case, relation, 422, consent_error=refusal_message(error.code), typed=form)
    flash(t("Takk. Samtykket er gitt, og tjenestene det gjelder, kan nå samarbeide om saken."))
    return redirect(url_for("family.case", ref=ref))


@bp.post("/min-familie/<ref>/samtykke/<int:consent_id>/forny")
@family_required
def renew(ref: str, consent_id: int):
    case, relation = family_case_for(_lookup(), ref, action="family.consent")
    try:
        renewed = service.renew_consent(case, relation, _lookup(), consent_id)
    except DomainError as error:
        return _case_page(case, relation, 422, consent_error=refusal_message(error.code))
    if renewed is None:
        abort(404)
    flash(t("Samtykket er fornyet for ett år."))
    return redirect(url_for("family.case", ref=ref))


@bp.post("/min-familie/<ref>/samtykke/<int:consent_id>/trekk")
@family_required
def withdraw(ref: str, consent_id: int):
    case, relation = family_case_for(_lookup(), ref, action="family.consent")
    if service.withdraw(case, consent_id, relation) is None:
        abort(404)
    flash(t("Samtykket er trukket tilbake. Tjenestene det gjaldt, har ikke lenger tilgang."))
    return redirect(url_for("family.case", ref=ref))


@bp.post("/min-familie/<ref>/for-motet")
@family_required
def before_the_meeting(ref: str):
    """What the child or the guardians want to say at the next meeting, in their own words."""
    case, relation = family_case_for(_lookup(), ref, action="family.view", plan=True)
    text = without_controls(request.form.get("text", ""))[: service.MAX_WORDS].strip()
    if not text:
        flash(t("Skriv det du vil si før du sender."))
        return redirect(url_for("family.case", ref=ref))
    service.before_the_meeting(case, relation, text)
    flash(t("Takk. Det du skrev, står nå i saken, med dine ord."))
    return redirect(url_for("family.case", ref=ref))


# -- staff: a guardian's national id for "Min familie" -------------------------------------------------------


@bp.route("/saker/<ref>/foresatte/<int:guardian_id>/min-familie", methods=["GET", "POST"])
@requires()
def guardian_identity(ref: str, guardian_id: int):
    """Record a guardian's national id (never shown back in full) and parental responsibility: only those
    who work on the case."""
    case = case_for(current_user, ref, action="guardian.identity.view", edit=True)
    guardian = next((g for g in case.child.guardians if g.id == guardian_id), None)
    if guardian is None:
        abort(404)
    error, status = "", 200
    if request.method == "POST":
        form = request.form
        nin = "" if form.get("remove") == "1" else (form.get("nin", "").strip()[:20] or None)
        try:
            service.set_guardian_identity(case, current_user, guardian_id, nin=nin,
                                          responsibility=form.get("responsibility") == "yes")
        except DomainError as refused:
            error, status = refusal_message(refused.code), 422
            if refused.code == "national_id_invalid":  # in the terms of the case's country
                error = str(identity.rules(guide_of(case).country).INVALID)
        else:
            flash(_("Opplysningene for Min familie er lagret."))
            return redirect(url_for("family.guardian_identity", ref=ref, guardian_id=guardian_id))
    return render_template("family/guardian.html", case=case, guardian=guardian, error=error,
                           masked=service.masked(guardian),
                           nin_label=identity.rules(guide_of(case).country).GUARDIAN_LABEL,
                           sign_in_label=sign_in_label()), status
