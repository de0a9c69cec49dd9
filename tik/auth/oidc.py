"""Single sign-on with OpenID Connect through Authlib: the staff provider (Entra ID, Feide …) and ID-porten.

Authlib does the protocol and every check on the ID token: discovery, authorization code with PKCE (S256),
state, the signature against the provider's JWKS, issuer, audience, expiry and nonce. TIK configures it
and decides only who the signed-in person is: a staff member is matched on issuer + subject
(User.external_issuer, User.external_subject), never on a name or an e-mail address, and is created only
when the unit named in the token allows it (Unit.sso_signup).
"""

from __future__ import annotations

import secrets

import requests
from authlib.integrations.base_client import OAuthError
from authlib.integrations.flask_client import OAuth
from flask import Flask, abort, current_app
from joserfc.errors import JoseError
from sqlalchemy import select

from tik.auth.models import Role, User
from tik.auth.service import UsernameTaken, create_user
from tik.extensions import db
from tik.org.models import Unit

EXTENSION = "tik.oidc"
# What can go wrong between the callback and a validated ID token: the provider says no, the token fails a
# check, the provider cannot be reached or answers nonsense.
REFUSALS = (OAuthError, JoseError, requests.RequestException, ValueError, KeyError, TypeError)


def init_oidc(app: Flask) -> None:
    """One Authlib registry per app (its cached discovery and keys belong to that app's providers)."""
    oauth = OAuth(app)
    for kind, provider in app.config.get("TIK_OIDC", {}).items():
        oauth.register(
            kind, client_id=provider["client_id"], client_secret=provider["client_secret"],
            server_metadata_url=f"{provider['issuer']}/.well-known/openid-configuration",
            # Every request to the provider (discovery, keys, token) gives up after 10 s. Authlib's session
            # takes this as default_timeout: a "timeout" key here is kept as metadata and never used.
            client_kwargs={"scope": provider["scope"], "code_challenge_method": "S256", "default_timeout": 10},
        )
    app.extensions[EXTENSION] = oauth


def client(kind: str):
    """The Authlib client of provider `kind` ("staff", "family"), or None when it is not configured."""
    if kind not in current_app.config.get("TIK_OIDC", {}):
        return None
    return current_app.extensions[EXTENSION].create_client(kind)


def configured_client(kind: str):
    """The client of provider `kind` for a sign-in route: 404 when the municipality has not configured it."""
    provider = client(kind)
    if provider is None:
        abort(404)
    return provider


def claims_options(provider) -> dict:
    """What Authlib must check beyond its defaults: the issuer of the discovery document, and that the
    audience names this client (by default Authlib accepts a foreign `aud` when `azp` names us)."""
    return {"iss": {"essential": True, "values": [provider.load_server_metadata()["issuer"]]},
            "aud": {"essential": True, "values": [provider.client_id]}}


def provider_logout_page(kind: str, id_token: str | None, back_to: str):
    """The page that moves on to the provider's own sign-out, or None when it offers none. (A page of our
    own: the logout form's POST may only lead to this site.)"""
    from flask import render_template

    provider = client(kind)
    if provider is None:
        return None
    try:
        ends = provider.load_server_metadata().get("end_session_endpoint")
    except REFUSALS:
        ends = None
    if not ends:
        return None
    url = provider.create_logout_url(post_logout_redirect_uri=back_to, id_token_hint=id_token,
                                     client_id=provider.client_id)["url"]
    return render_template("auth/logged_out.html", provider_logout=url, provider=label(kind))


def label(kind: str) -> str | None:
    """The sign-in button's name of provider `kind`, None when it is not configured: the setting, else for the
    family the country's e-identification ("ID-porten", "BankID"), for staff "the municipality's sign-in"."""
    from flask_babel import gettext as _

    from tik import identity

    provider = current_app.config.get("TIK_OIDC", {}).get(kind)
    if not provider:
        return None
    if provider["label"]:
        return provider["label"]
    return identity.current().SIGN_IN_LABEL if kind == "family" else _("kommunens pålogging")


def national_id_claim(claims) -> str:
    """The national id in the family provider's ID token, as the country's rules store it (a personnummer
    as 12 digits): from the claim the settings name, else the country's (`pid`, `personal_identity_number`).
    Raises ValueError when it is missing or not a valid number."""
    from tik import identity

    rules = identity.current()
    name = current_app.config["TIK_OIDC"]["family"].get("id_claim") or rules.ID_CLAIM
    number = claims.get(name) if claims else None
    if not isinstance(number, str) or not number:
        raise ValueError(f"no national id in {name}")
    try:
        return rules.normalise(number)
    except identity.InvalidNationalId as error:
        raise ValueError(f"not a valid national id in {name}") from error


def counts_as_mfa(claims) -> bool:
    """Whether the provider says the person used more than a password: `amr` or `acr` (settings name which)."""
    amr = claims.get("amr") or []
    if isinstance(amr, str):
        amr = [amr]
    return bool(set(amr) & current_app.config["TIK_OIDC_MFA_AMR"]) or \
        claims.get("acr") in current_app.config["TIK_OIDC_MFA_ACR"]


def staff_user(claims) -> User | None:
    """The active TIK user with this issuer + subject; else a new employee when the token names a unit that
    allows sign-up through the provider; else None."""
    issuer, subject = claims.get("iss"), claims.get("sub")
    if not issuer or not subject:
        return None
    user = db.session.scalar(select(User).where(User.external_issuer == issuer, User.external_subject == subject))
    if user is not None:
        return user if user.active else None
    unit_key = claims.get(current_app.config["TIK_OIDC_UNIT_CLAIM"])
    unit = db.session.scalar(select(Unit).where(Unit.key == unit_key)) if isinstance(unit_key, str) else None
    if unit is None or not unit.sso_signup:
        return None
    wanted = str(claims.get("preferred_username") or claims.get("email") or f"sso-{subject}")
    for attempt in range(5):
        username = _free_username(wanted if attempt == 0 else f"{wanted[:60]}-{secrets.token_hex(3)}")
        try:
            # The password is random and never shown: this person signs in through the provider only.
            return create_user(username, str(claims.get("name") or username)[:200], unit,
                               secrets.token_urlsafe(32), {Role.EMPLOYEE}, external_issuer=issuer,
                               external_subject=subject, email=str(claims.get("email") or "")[:200])
        except UsernameTaken:  # by another municipality's user, whom this one's scope does not see
            continue
    return None


def _free_username(wanted: str) -> str:
    from sqlalchemy import func

    base = wanted[:70]
    name, n = base, 1
    while db.session.scalar(select(User.id).where(func.lower(User.username) == name.lower())):
        n += 1
        name = f"{base}-{n}"
    return name
