"""A small, real OpenID Connect provider for development and the tests: never for production.

Discovery, JWKS, an authorize endpoint that demands PKCE (S256), a token endpoint that checks the client's
secret, the code, the redirect URI and the code verifier, and an end-session endpoint. Tokens are RS256
JWTs signed with a key made at start (joserfc, the JOSE library under Authlib). Two clients: one like the
municipality's staff provider (Entra ID: `oid`, `preferred_username`, `amr`) and one like ID-porten (the
national id in `pid`, `acr` = idporten-loa-high).

`tik dev-idp` starts it for a newcomer next to `make run`; the tests start it in a thread on a free port
and make it misbehave on purpose (`Provider.tamper`) to see TIK refuse what it sends.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import threading
import time
from dataclasses import dataclass, field
from datetime import date
from html import escape
from urllib.parse import urlencode

from flask import Flask, abort, jsonify, redirect, request
from joserfc import jwt
from joserfc.jwk import RSAKey

from tik.identity import se

# Where `tik dev-idp` listens by default; the demo's teacher and leader are linked to this issuer.
DEV_PORT = 5001
DEV_ISSUER = f"http://127.0.0.1:{DEV_PORT}"


def synthetic_nin(born: date, individual: int = 100) -> str:
    """A synthetic national id of the kind Skatteetaten's test data uses (month + 80): valid control digits
    (the first one under the rule before 2032 too), never a real person's. `individual` is where to start
    looking for an individual number that gives valid control digits."""
    w1, w2 = (3, 7, 6, 1, 8, 9, 4, 5, 2), (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)
    for number in range(individual, individual + 100):
        base = f"{born:%d}{born.month + 80:02d}{born:%y}{number % 1000:03d}"
        d = [int(c) for c in base]
        k1 = (11 - sum(w * x for w, x in zip(w1, d, strict=True)) % 11) % 11
        k2 = (11 - sum(w * x for w, x in zip(w2, [*d, k1], strict=True)) % 11) % 11
        if k1 < 10 and k2 < 10:
            return f"{base}{k1}{k2}"
    raise ValueError("no individual number gives valid control digits")  # pragma: no cover - never in 100


def is_synthetic(pid: str) -> bool:
    """A valid national id (control digits, birth date) of a synthetic test person: month + 40 (NAV) or
    month + 80 (Skatteetaten). The test provider signs in no one else, so nobody types a real person's number."""
    from tik.identity.nin import is_valid

    return is_valid(pid) and int(pid[2:4]) > 40


# Every guardian in the demo (devkit/demo.py records these on them), so staff and a newcomer can sign in as any
# of them on "Min familie". Born on made-up days; the numbers are synthetic.
DEMO_GUARDIANS: dict[str, str] = {
    name: synthetic_nin(date(1970 + i % 20, 1 + i % 12, 1 + (i * 7) % 28), 100 + i * 10)
    for i, name in enumerate((
        "Lene Johansen", "Kim André Johansen", "Agnieszka Nowak", "Tomasz Nowak", "Fadumo Hassan",
        "Abdirahman Hassan", "Hanne Vangsnes", "Rune Vangsnes", "Sarah Berge", "Magnus Berge", "Kjersti Lien",
        "Ane Aune", "Stian Aune", "Maria Sørbø", "Jørgen Sørbø", "Ida Dahl", "Morten Dahl", "Tone Kristiansen",
        "Kristine Solheim", "Ola Solheim", "Marit Eide", "Jurgita Lunde"))
}
DEMO_GUARDIAN_PID = DEMO_GUARDIANS["Lene Johansen"]  # Emil's mother
# The Swedish demo's people (devkit/demo_sv.py): synthetic personnummer (serials 980–999, tik/identity/se.py), so a
# young adult and a child's vårdnadshavare can sign in as through BankID or Freja eID.
SWEDISH_DEMO_PEOPLE: dict[str, str] = {
    "Elsa Lind": se.synthetic(date(2007, 3, 15), 981),  # the young adult, 19 in 2026: consents alone
    "Noah Ek": se.synthetic(date(2012, 5, 20), 983),  # the child, 14 in 2026
    "Anna Ek": se.synthetic(date(1981, 9, 2), 982),  # Noah's vårdnadshavare
    "Mikael Ek": se.synthetic(date(1979, 11, 23), 985),
    "Alva Berg": se.synthetic(date(2013, 8, 9), 982),  # the child of the orosanmälan, 13 in 2026
}
# Demo identities: `sub` → claims. "client" says which client may sign them in. The staff subjects are the
# demo usernames (devkit/demo.py links them); "leder" signs in with a password only, so no MFA.
DEMO_IDENTITIES: dict[str, dict] = {
    "laerer": {"client": "tik-staff", "name": "Marte Solberg-Haugen (demo)",
               "preferred_username": "marte.solberg-haugen@fjordvik.test", "email": "laerer@fjordvik.test",
               "oid": "7f0c9a1e-demo-laerer", "amr": ["pwd", "mfa"]},
    "leder": {"client": "tik-staff", "name": "Bente Kvamme (demo)", "preferred_username": "bente.kvamme@fjordvik.test",
              "email": "leder@fjordvik.test", "oid": "7f0c9a1e-demo-leder", "amr": ["pwd"]},
    "ukjent": {"client": "tik-staff", "name": "Ukjent Person", "preferred_username": "ukjent@fjordvik.test",
               "amr": ["pwd", "mfa"]},
    # Emil's mother in the demo (devkit/demo.py gives her this national id).
    "foresatt": {"client": "tik-family", "name": "Lene Johansen (demo)", "pid": DEMO_GUARDIAN_PID,
                 "acr": "idporten-loa-high", "amr": ["BankID"]},
}
FAMILY_CLIENT = "tik-family"


def test_person(pid: str) -> dict:
    """The claims of the synthetic person with national id `pid`, as ID-porten would send them; for a Swedish
    personnummer, as a BankID broker would (the number in `personal_identity_number`, amr `BankID`)."""
    if se.is_synthetic(pid):
        name = next((n for n, p in SWEDISH_DEMO_PEOPLE.items() if p == se.normalise(pid)), "Testperson")
        return {"client": FAMILY_CLIENT, "name": f"{name} (syntetisk)", "personal_identity_number": se.normalise(pid),
                "se_personnummer": se.normalise(pid), "amr": ["BankID"]}
    name = next((n for n, p in DEMO_GUARDIANS.items() if p == pid), "Testperson")
    return {"client": FAMILY_CLIENT, "name": f"{name} (syntetisk)", "pid": pid, "acr": "idporten-loa-high",
            "amr": ["TestID"]}


@dataclass
class Client:
    client_id: str
    secret: str
    redirect_uris: list[str]
    post_logout_redirect_uris: list[str] = field(default_factory=list)


@dataclass
class Provider:
    """One provider; `issuer` is set when it is served (the address it listens on)."""

    clients: dict[str, Client]
    identities: dict[str, dict] = field(default_factory=lambda: dict(DEMO_IDENTITIES))
    issuer: str = ""
    # For tests: claims to override in the next ID token, and "bad_signature" to sign it with a stranger key.
    tamper: dict = field(default_factory=dict)
    logouts: list[dict] = field(default_factory=list)
    codes: dict[str, dict] = field(default_factory=dict)

    def __post_init__(self):
        self.key = RSAKey.generate_key(2048, parameters={"kid": "dev-1", "use": "sig", "alg": "RS256"})
        # Same key id, different key: a token signed with it fails the signature check, not the key lookup.
        self.stranger = RSAKey.generate_key(2048, parameters={"kid": "dev-1"})
        self.lock = threading.Lock()

    def app(self) -> Flask:
        app = Flask("tik-dev-idp")

        @app.get("/.well-known/openid-configuration")
        def discovery():
            return jsonify({
                "issuer": self.issuer,
                "authorization_endpoint": f"{self.issuer}/authorize",
                "token_endpoint": f"{self.issuer}/token",
                "jwks_uri": f"{self.issuer}/jwks",
                "end_session_endpoint": f"{self.issuer}/logout",
                "response_types_supported": ["code"],
                "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "code_challenge_methods_supported": ["S256"],
                "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
                "scopes_supported": ["openid", "profile", "email"],
            })

        @app.get("/jwks")
        def jwks():
            return jsonify({"keys": [self.key.as_dict(private=False)]})

        @app.get("/authorize")
        def authorize():
            args = request.args
            client = self.clients.get(args.get("client_id", ""))
            if client is None or args.get("redirect_uri") not in client.redirect_uris:
                abort(400, "unknown client or redirect_uri")  # never redirect to an address not registered
            back = args["redirect_uri"]
            state = args.get("state", "")

            def error(code: str, description: str):
                query = urlencode({"error": code, "error_description": description, "state": state})
                return redirect(f"{back}?{query}")

            if args.get("response_type") != "code" or "openid" not in args.get("scope", "").split():
                return error("invalid_request", "response_type=code and scope openid are required")
            if not args.get("code_challenge") or args.get("code_challenge_method") != "S256":
                return error("invalid_request", "PKCE with S256 is required")
            login = args.get("login")
            if not login and args.get("pid") is not None and client.client_id == FAMILY_CLIENT:
                pid = args["pid"].replace(" ", "")
                if not (is_synthetic(pid) or se.is_synthetic(pid)):
                    return self._login_page(client.client_id, refused=pid), 422
                login = f"pid-{pid}"
                with self.lock:
                    self.identities.setdefault(login, test_person(pid))
            if not login:
                return self._login_page(client.client_id)
            claims = self.identities.get(login)
            if claims is None or claims["client"] != client.client_id:
                return error("access_denied", "no such person for this client")
            code = secrets.token_urlsafe(24)
            with self.lock:
                self.codes[code] = {"client_id": client.client_id, "redirect_uri": back, "sub": login,
                                    "nonce": args.get("nonce"), "challenge": args["code_challenge"],
                                    "at": time.time()}
            return redirect(f"{back}?{urlencode({'code': code, 'state': state})}")

        @app.post("/token")
        def token():
            client_id, secret = _client_credentials()
            client = self.clients.get(client_id or "")
            if client is None or not hmac.compare_digest(client.secret, secret or ""):
                return jsonify(error="invalid_client"), 401
            form = request.form
            if form.get("grant_type") != "authorization_code":
                return jsonify(error="unsupported_grant_type"), 400
            with self.lock:
                grant = self.codes.pop(form.get("code", ""), None)  # single use, even when refused below
            if (grant is None or grant["client_id"] != client_id or grant["redirect_uri"] != form.get("redirect_uri")
                    or time.time() - grant["at"] > 60):
                return jsonify(error="invalid_grant"), 400
            verifier = form.get("code_verifier", "")
            challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
            if not verifier or not hmac.compare_digest(challenge, grant["challenge"]):
                return jsonify(error="invalid_grant", error_description="PKCE verification failed"), 400
            access_token = secrets.token_urlsafe(24)
            kind = "Bearer"  # the token type of RFC 6750
            return jsonify({"access_token": access_token, "token_type": kind, "expires_in": 300,
                            "scope": "openid profile email",
                            "id_token": self._id_token(client_id, grant, access_token)})

        @app.get("/logout")
        def logout():
            self.logouts.append(request.args.to_dict())
            target = request.args.get("post_logout_redirect_uri")
            allowed = [uri for c in self.clients.values() for uri in c.post_logout_redirect_uris]
            if target and target in allowed:
                return redirect(target)
            return "<!doctype html><title>Logget ut</title><p>Du er logget ut hos testleverandøren.</p>"

        def _client_credentials():
            if request.authorization and request.authorization.type == "basic":
                return request.authorization.username, request.authorization.password
            return request.form.get("client_id"), request.form.get("client_secret")

        return app

    def _id_token(self, client_id: str, grant: dict, access_token: str) -> str:
        moment = int(time.time())
        claims = {k: v for k, v in self.identities[grant["sub"]].items() if k != "client"}
        claims.update({"iss": self.issuer, "sub": grant["sub"], "aud": client_id, "iat": moment,
                       "exp": moment + 300, "auth_time": moment})
        if grant["nonce"]:
            claims["nonce"] = grant["nonce"]
        digest = hashlib.sha256(access_token.encode()).digest()
        claims["at_hash"] = base64.urlsafe_b64encode(digest[:16]).rstrip(b"=").decode()
        with self.lock:
            tamper, self.tamper = self.tamper, {}
        key = self.stranger if tamper.pop("bad_signature", False) else self.key
        claims.update(tamper)
        return jwt.encode({"alg": "RS256", "kid": "dev-1"}, claims, key)

    def _login_page(self, client_id: str, refused: str | None = None):
        people = [(sub, c) for sub, c in self.identities.items() if c["client"] == client_id]
        buttons = "".join(
            f'<button type="submit" name="login" value="{escape(sub)}">{escape(c["name"])}</button><br>'
            for sub, c in people)
        hidden = "".join(f'<input type="hidden" name="{escape(k)}" value="{escape(v)}">'
                         for k, v in request.args.items() if k not in ("login", "pid"))
        page = ("<!doctype html><html lang=nb><meta charset=utf-8><title>Testleverandør</title>"
                "<h1>Testleverandør for TIK (bare for utvikling)</h1><p>Logg inn som:</p>"
                f'<form method="get" action="/authorize">{hidden}{buttons}</form>')
        if client_id == FAMILY_CLIENT:
            page += self._synthetic_person_form(hidden, refused)
        return page + "</html>"

    @staticmethod
    def _synthetic_person_form(hidden: str, refused: str | None) -> str:
        """Sign in as any synthetic test person: a national id typed, or one of the demo's guardians picked."""
        error = (f'<p id="pid-error" role="alert">«{escape(refused)}» er ikke et gyldig syntetisk fødselsnummer '
                 "(11 sifre, riktige kontrollsifre, måned + 40 eller + 80) eller syntetisk personnummer "
                 "(12 siffror, löpnummer 980–999).</p>" if refused is not None else "")
        options = "".join(f'<option value="{escape(pid)}">{escape(name)} – {pid}</option>'
                          for name, pid in (*DEMO_GUARDIANS.items(), *SWEDISH_DEMO_PEOPLE.items()))
        described = ' aria-describedby="pid-error" aria-invalid="true"' if refused is not None else ""
        return ("<h2>Syntetisk testperson</h2>"
                f'<form method="get" action="/authorize">{hidden}{error}'
                f'<label for="pid">Fødselsnummer / personnummer</label> <input id="pid" name="pid" inputmode="numeric" '
                f'autocomplete="off" value="{escape(refused or "")}"{described}> '
                '<button type="submit">Logg inn</button></form>'
                f'<form method="get" action="/authorize">{hidden}'
                '<label for="pick">Foresatt i demoen</label> '
                f'<select id="pick" name="pid">{options}</select> <button type="submit">Logg inn</button></form>')


def dev_provider(tik_url: str) -> Provider:
    """The two clients of a TIK at `tik_url` (its staff and family callbacks and the login page)."""
    tik_url = tik_url.rstrip("/")
    logout = [f"{tik_url}/login", f"{tik_url}/min-familie/"]
    return Provider(clients={
        "tik-staff": Client("tik-staff", "dev-staff-secret", [f"{tik_url}/login/oidc/staff/callback"], logout),
        "tik-family": Client("tik-family", "dev-family-secret", [f"{tik_url}/login/oidc/family/callback"], logout),
    })


def serve(provider: Provider, host: str = "127.0.0.1", port: int = 0):
    """Serve `provider` in a daemon thread; returns the werkzeug server (its `port`, `shutdown()`)."""
    from werkzeug.serving import make_server

    server = make_server(host, port, provider.app(), threaded=True)
    provider.issuer = f"http://{host}:{server.port}"
    threading.Thread(target=server.serve_forever, daemon=True, name="tik-dev-idp").start()
    return server
