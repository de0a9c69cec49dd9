"""Login, logout and the user's language."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from tik.auth import service
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
    if form.validate_on_submit():
        user = service.authenticate(form.username.data, form.password.data)
        if user is not None:
            session.clear()
            service.log_in(user)
            login_user(user)
            return redirect(safe_next(request.args.get("next")))
        if service.is_locked(form.username.data):
            form.username.errors.append(_("For mange mislykkede forsøk. Kontoen er låst i 15 minutter."))
        else:
            form.password.errors.append(_("Feil brukernavn eller passord."))
        status = 422
    elif request.method == "POST":
        status = 422
    return render_template("auth/login.html", form=form, errors=error_list(form)), status


@bp.post("/logout")
@requires()
def logout():
    service.log_out(current_user)
    logout_user()
    session.clear()
    flash(_("Du er logget ut."))
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
