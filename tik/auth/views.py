"""Login, logout and the user's language."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from tik.auth import oidc, service
from tik.auth.forms import LoginForm
from tik.auth.policy import public, requires
from tik.extensions import db, limiter
from tik.forms import error_list
from tik.web import LANGUAGES

bp = Blueprint("auth", __name__)


def safe_next(target: str | None) -> str:
    """Only a path on this site: never another host, never a scheme, never '//evil'."""
    if not target:
        return url_for("cases.my_work")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return url_for("cases.my_work")
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
            session.clear()
            service.log_in(user, detail="password")
            session["auth_method"] = "password"
            session["mfa"] = False
            login_user(user)
            return redirect(safe_next(request.args.get("next")))
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
    provider = oidc.client(kind)
    if provider is None:
        abort(404)
    session["oidc_next"] = safe_next(request.args.get("next"))
    return provider.authorize_redirect(url_for("auth.oidc_callback", kind=kind, _external=True))


@bp.get("/login/oidc/<any(staff):kind>/callback")
@public
@limiter.limit("30 per minute")
def oidc_callback(kind: str):
    """The provider's answer: Authlib redeems the code and validates the ID token; TIK finds the user."""
    from tik.audit.service import record

    provider = oidc.client(kind)
    if provider is None:
        abort(404)
    try:
        token = provider.authorize_access_token(claims_options=oidc.claims_options(provider))
        claims = token.get("userinfo")
        if not claims:
            raise ValueError("no validated ID token")
    except oidc.REFUSALS as error:
        record(None, "auth.login_failed", detail=f"oidc {kind}: refused ({error.__class__.__name__})")
        db.session.commit()
        return _login_page(alert=_("Innloggingen hos %(provider)s ble avvist. Prøv igjen.",
                                    provider=oidc.label(kind)), status=401)
    user = oidc.staff_user(claims)
    if user is None:
        record(None, "auth.login_failed", detail=f"oidc {kind}: no TIK user for this identity")
        db.session.commit()
        return _login_page(alert=_("Du har ingen bruker i TIK. Be lederen din om tilgang."), status=403)
    target = session.get("oidc_next")
    session.clear()
    mfa = oidc.counts_as_mfa(claims)
    service.log_in(user, detail=f"oidc {kind}" + (" mfa" if mfa else ""))
    session.update(auth_method=kind, mfa=mfa, oidc_id_token=token.get("id_token"))
    login_user(user)
    return redirect(safe_next(target))


@bp.post("/logout")
@requires()
def logout():
    method, id_token = session.get("auth_method"), session.get("oidc_id_token")
    service.log_out(current_user)
    logout_user()
    session.clear()
    flash(_("Du er logget ut."))
    provider = oidc.client(method) if method in ("staff", "family") else None
    if provider is not None:
        try:
            ends = provider.load_server_metadata().get("end_session_endpoint")
        except oidc.REFUSALS:
            ends = None
        if ends:
            # A page of our own that moves on to the provider: the form's POST may only lead to this site.
            url = provider.create_logout_url(post_logout_redirect_uri=url_for("auth.login", _external=True),
                                             id_token_hint=id_token, client_id=provider.client_id)["url"]
            return render_template("auth/logged_out.html", provider_logout=url,
                                   provider=oidc.label(method))
    return redirect(url_for("auth.login"))


@bp.post("/language")
@public
def set_language():
    lang = request.form.get("lang", "nb")
    if lang in LANGUAGES:
        session["lang"] = lang
        if current_user.is_authenticated:
            current_user.locale = lang
            db.session.commit()
    return redirect(safe_next(request.form.get("next")))
