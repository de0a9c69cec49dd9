""""Min familie": sign-in with ID-porten (the national id in `pid`), the family's cases, plan, consents and
who has read the case. Access is decided in tik/auth/policy.py (family_cases, family_case_for)."""

from __future__ import annotations

import time
from functools import wraps

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from tik import crypto
from tik.auth import oidc
from tik.auth.policy import ACCESS_ATTR, family_case_for, family_cases, public
from tik.clock import today
from tik.extensions import limiter
from tik.family import service
from tik.forms import without_controls
from tik.guidebook import guide_of
from tik.plans.service import plan_of

bp = Blueprint("family", __name__)


def _lookup() -> str | None:
    """The keyed hash of the signed-in family member's national id, while their session is fresh."""
    signed_in = session.get("family")
    if not signed_in:
        return None
    moment = time.time()
    idle = current_app.config["TIK_IDLE_MINUTES"] * 60
    absolute = current_app.config["TIK_ABSOLUTE_HOURS"] * 3600
    if moment - signed_in["seen"] > idle or moment - signed_in["at"] > absolute:
        session.pop("family", None)
        return None
    if moment - signed_in["seen"] > 60:
        signed_in["seen"] = moment
        session["family"] = signed_in
    return signed_in["lookup"]


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
    provider = oidc.client("family")
    if provider is None:
        abort(404)
    return provider.authorize_redirect(url_for("family.callback", _external=True))


@bp.get("/login/oidc/family/callback")
@public
@limiter.limit("30 per minute")
def callback():
    """ID-porten's answer: Authlib validates the ID token; the national id in `pid` is kept only as its
    keyed hash (the same hash TIK stores for children and guardians)."""
    provider = oidc.client("family")
    if provider is None:
        abort(404)
    try:
        token = provider.authorize_access_token(claims_options=oidc.claims_options(provider))
        claims = token.get("userinfo")
        pid = str(claims.get("pid") or "") if claims else ""
        if not pid.isdigit() or len(pid) != 11:
            raise ValueError("no national id in pid")
    except oidc.REFUSALS as error:
        service.audit_sign_in("family.login_failed", f"refused ({error.__class__.__name__})")
        return render_template("family/login.html", provider=oidc.label("family"),
                               alert=_("Innloggingen ble avvist. Prøv igjen.")), 401
    session.clear()
    moment = time.time()
    session["family"] = {"lookup": crypto.lookup_hash(pid), "name": str(claims.get("name") or "")[:200],
                         "at": moment, "seen": moment, "id_token": token.get("id_token")}
    service.audit_sign_in("family.login", "idporten")
    return redirect(url_for("family.index"))


@bp.post("/min-familie/logg-ut")
@public
def logout():
    id_token = (session.get("family") or {}).get("id_token")
    session.clear()
    page = oidc.provider_logout_page("family", id_token, url_for("family.index", _external=True)) if id_token \
        else None
    if page is not None:
        return page
    flash(_("Du er logget ut."))
    return redirect(url_for("family.index"))


@bp.get("/min-familie/<ref>")
@family_required
def case(ref: str):
    case, relation = family_case_for(_lookup(), ref)
    return render_template("family/case.html", case=case, relation=relation, plan=plan_of(case), guide=guide_of(case),
                           readers=service.readers(case), on=today(), L=str(get_locale() or "nb"))


@bp.post("/min-familie/<ref>/samtykke/<int:consent_id>/trekk")
@family_required
def withdraw(ref: str, consent_id: int):
    case, relation = family_case_for(_lookup(), ref, action="family.consent")
    if service.withdraw(case, consent_id, relation) is None:
        abort(404)
    flash(_("Samtykket er trukket tilbake. Tjenestene det gjaldt, har ikke lenger tilgang."))
    return redirect(url_for("family.case", ref=ref))


@bp.post("/min-familie/<ref>/for-motet")
@family_required
def before_the_meeting(ref: str):
    """What the child or the guardians want to say at the next meeting, in their own words."""
    case, relation = family_case_for(_lookup(), ref, action="family.view")
    text = without_controls(request.form.get("text", ""))[: service.MAX_WORDS].strip()
    if not text:
        flash(_("Skriv det du vil si før du sender."))
        return redirect(url_for("family.case", ref=ref))
    service.before_the_meeting(case, relation, text)
    flash(_("Takk. Det du skrev, står nå i saken, med dine ord."))
    return redirect(url_for("family.case", ref=ref))
