"""Login, logout and the user's language."""

from __future__ import annotations

import time
from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from markupsafe import Markup

from tik.auth import mfa, oidc, service
from tik.auth.forms import EnrolForm, EnrolmentCodeForm, LoginForm, SecondFactorForm
from tik.auth.models import User
from tik.auth.policy import public, requires
from tik.config import LANGUAGES
from tik.extensions import db, limiter
from tik.forms import error_list
from tik.municipalities import current_municipality

bp = Blueprint("auth", __name__)


def safe_next(target: str | None) -> str:
    """Only a path on this site: never another host, never a scheme, never '//evil'."""
    if not target:
        return url_for("mywork.start")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return url_for("mywork.start")
    return target


@bp.route("/login", methods=["GET", "POST"])
@public
@limiter.limit("10 per minute", methods=["POST"])
def login():
    form = LoginForm()
    status = 200
    if request.method == "POST" and not current_app.config["TIK_PASSWORD_LOGIN"]:
        abort(404)  # production without passwords: only the provider signs staff in
    if form.validate_on_submit():
        user = service.authenticate(form.username.data, form.password.data)
        if user is not None:
            return _signed_in(user, "password", False, request.args.get("next"))
        if service.is_locked(form.username.data):
            form.username.errors.append(_("For mange mislykkede forsøk. Kontoen er låst i 15 minutter."))
        else:
            form.password.errors.append(_("Feil brukernavn eller passord."))
        status = 422
    elif request.method == "POST":
        status = 422
    return _login_page(form, error_list(form), status)


def _login_page(form: LoginForm | None = None, errors=(), status: int = 200, alert: str | None = None):
    return render_template("auth/login.html", form=form or LoginForm(), errors=errors, alert=alert,
                           password_login=current_app.config["TIK_PASSWORD_LOGIN"],
                           staff_provider=oidc.label("staff")), status


@bp.get("/login/oidc/<any(staff):kind>")
@public
@limiter.limit("30 per minute")
def oidc_start(kind: str):
    """Send the browser to the provider (authorization code + PKCE; Authlib keeps state, nonce, verifier)."""
    provider = oidc.configured_client(kind)
    session["oidc_next"] = safe_next(request.args.get("next"))
    return provider.authorize_redirect(url_for("auth.oidc_callback", kind=kind, _external=True))


@bp.get("/login/oidc/<any(staff):kind>/callback")
@public
@limiter.limit("30 per minute")
def oidc_callback(kind: str):
    """The provider's answer: Authlib redeems the code and validates the ID token; TIK finds the user."""
    provider = oidc.configured_client(kind)
    try:
        token = provider.authorize_access_token(claims_options=oidc.claims_options(provider))
        claims = token.get("userinfo")
        if not claims:
            raise ValueError("no validated ID token")
    except oidc.REFUSALS as error:
        service.login_refused(f"oidc {kind}: refused ({error.__class__.__name__})")
        return _login_page(alert=_("Innloggingen hos %(provider)s ble avvist. Prøv igjen.",
                                    provider=oidc.label(kind)), status=401)
    user = oidc.staff_user(claims)
    if user is None:
        service.login_refused(f"oidc {kind}: no TIK user for this identity")
        return _login_page(alert=_("Du har ingen bruker i TIK. Be lederen din om tilgang."), status=403)
    return _signed_in(user, kind, oidc.counts_as_mfa(claims), session.get("oidc_next"), token.get("id_token"))


# How long the second-factor step may take after the first factor.
SECOND_FACTOR_SECONDS = 300
# Pages a user who must enrol a second factor can still reach.
BEFORE_ENROLMENT = {"auth.mfa_enrol", "auth.logout", "auth.set_language", "static", "designsystem"}


def _signed_in(user: User, method: str, second_factor: bool, target: str | None, id_token: str | None = None):
    """The first factor holds. With TOTP enrolled (and no MFA from the provider) the code is asked first;
    else the session starts, and a leader or admin who must have a second factor is sent to enrol."""
    session.clear()
    if not second_factor and mfa.enrolled(user):
        session["mfa_pending"] = {"user": user.id, "method": method, "next": safe_next(target),
                                  "at": int(time.time()), "id_token": id_token}
        return redirect(url_for("auth.mfa_verify"))
    _start_session(user, method, second_factor, id_token, "mfa" if second_factor else "")
    if not second_factor and mfa.required(user):
        session["mfa_enrol"] = True
        return redirect(url_for("auth.mfa_enrol"))
    return redirect(safe_next(target))


def _start_session(user: User, method: str, second_factor: bool, id_token: str | None, how: str) -> None:
    """Log in (audited as e.g. "password totp", "oidc staff mfa") and remember how, for MFA and sign-out."""
    label = "password" if method == "password" else f"oidc {method}"
    service.log_in(user, detail=f"{label} {how}".strip())
    session.update(auth_method=method, mfa=second_factor, oidc_id_token=id_token)
    login_user(user)


@bp.before_app_request
def second_factor_first():
    """A leader or admin who must have a second factor and has none reaches only the enrolment page."""
    if session.get("mfa_enrol") and request.endpoint not in BEFORE_ENROLMENT and current_user.is_authenticated:
        return redirect(url_for("auth.mfa_enrol"))
    return None


@bp.route("/login/mfa", methods=["GET", "POST"])
@public
@limiter.limit("10 per minute", methods=["POST"])
def mfa_verify():
    """The second step of a password (or provider) sign-in: a TOTP code or a recovery code."""
    pending = session.get("mfa_pending")
    user = db.session.get(User, pending["user"]) if pending else None
    if (user is None or not user.active or time.time() - pending["at"] > SECOND_FACTOR_SECONDS
            or service.is_locked(user.username)):
        session.pop("mfa_pending", None)
        return redirect(url_for("auth.login"))
    form = SecondFactorForm()
    status = 200
    if form.validate_on_submit():
        how = mfa.verify(user, form.code.data)
        if how:
            session.clear()
            _start_session(user, pending["method"], True, pending["id_token"], how)
            return redirect(safe_next(pending["next"]))
        service.count_failure(user, "wrong second factor")
        form.code.errors.append(_("Feil eller allerede brukt kode."))
        status = 422
    elif request.method == "POST":
        status = 422
    if status == 422 and not form.code.errors:
        service.login_refused("empty second factor", user)
    return render_template("auth/mfa_verify.html", form=form, errors=error_list(form)), status


@bp.route("/mfa", methods=["GET", "POST"])
@requires()
def mfa_enrol():
    """Set up TOTP: a QR code drawn on the server, a code from the app to confirm, recovery codes once."""
    form = EnrolForm()
    status = 200
    if mfa.enrolled(current_user) and request.method == "GET":
        return render_template("auth/mfa_enrol.html", enrolled=True,
                               remaining=mfa.remaining_recovery_codes(current_user))
    if session.get("mfa_enrol_code") != current_user.id and mfa.needs_enrolment_code(current_user,
                                                                                      bool(session.get("mfa"))):
        return _enrolment_code()
    if form.validate_on_submit() and current_user.totp_secret is not None:
        codes = mfa.confirm_enrolment(current_user, form.code.data)
        if codes:
            session.pop("mfa_enrol", None)
            session["mfa"] = True
            return render_template("auth/mfa_enrol.html", codes=codes)
        form.code.errors.append(_("Koden stemmer ikke. Prøv med koden som vises nå."))
        status = 422
    elif request.method == "POST":
        status = 422
    if current_user.totp_secret is None or (request.method == "GET" and not mfa.enrolled(current_user)):
        mfa.start_enrolment(current_user)
    # The SVG is drawn by the qrcode package from our own otpauth URI: markup we made, no user text in it.
    qr = Markup(mfa.qr_svg(mfa.provisioning_uri(current_user)))  # nosec B704 - only path data, see above
    return render_template("auth/mfa_enrol.html", form=form, errors=error_list(form), qr=qr,
                           secret=mfa.secret_of(current_user), required=session.get("mfa_enrol")), status


def _enrolment_code():
    """The password alone does not set up a required second factor: first the admin's one-time code."""
    form = EnrolmentCodeForm()
    if form.validate_on_submit():
        if mfa.redeem_enrolment_code(current_user, form.enrolment_code.data):
            session["mfa_enrol_code"] = current_user.id
            return redirect(url_for("auth.mfa_enrol"))
        form.enrolment_code.errors.append(_("Engangskoden stemmer ikke, er brukt eller har gått ut. "
                                            "Be en administrator om en ny."))
    status = 422 if request.method == "POST" else 200
    return render_template("auth/mfa_enrol.html", code_form=form, errors=error_list(form),
                           required=session.get("mfa_enrol")), status


@bp.post("/logout")
@requires()
def logout():
    method, id_token = session.get("auth_method"), session.get("oidc_id_token")
    service.log_out(current_user)
    logout_user()
    session.clear()
    flash(_("Du er logget ut."))
    if method in ("staff", "family"):
        page = oidc.provider_logout_page(method, id_token, url_for("auth.login", _external=True))
        if page is not None:
            return page
    return redirect(url_for("auth.login"))


@bp.post("/language")
@public
def set_language():
    lang = request.form.get("lang", "nb")
    if lang in LANGUAGES and lang in current_municipality().languages:  # only what this municipality offers
        session["lang"] = lang
        if current_user.is_authenticated:
            service.set_locale(current_user, lang)
    return redirect(safe_next(request.form.get("next")))
