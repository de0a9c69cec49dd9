"""Settings from the environment (TIK_*, DATABASE_URL). Development needs none of them."""

from __future__ import annotations

import base64
import os
import secrets
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
LANGUAGES = ("nb", "nn", "en", "sv")  # the interface's languages (bokmål first)
TIMEZONE = "Europe/Oslo"  # the municipality's clock, unless TIK_TIMEZONE names another


def local_timezone(env: dict[str, str] | None = None) -> str:
    """The municipality's time zone (IANA name, TIK_TIMEZONE): its dates decide "today" and every deadline."""
    name = (os.environ if env is None else env).get("TIK_TIMEZONE") or TIMEZONE
    try:
        from zoneinfo import ZoneInfo

        ZoneInfo(name)
    except (ValueError, KeyError, OSError) as error:
        raise ConfigError(f"TIK_TIMEZONE: unknown time zone {name!r}") from error
    return name


class ConfigError(RuntimeError):
    """The configuration is unsafe or incomplete; the app refuses to start."""


def instance_path() -> str:
    return os.environ.get("TIK_INSTANCE_PATH") or str(ROOT / "instance")


def kept_secret(folder: Path, name: str, make: callable) -> str:
    """A secret generated once into `folder` (readable by the owner only) and kept between runs. Written whole
    under another name and linked into place, so that of two processes starting at once (gunicorn's workers,
    the test workers) the first one's secret is the one both read, never a half-written file."""
    path = folder / name
    if not path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        descriptor, scratch = tempfile.mkstemp(dir=folder, prefix=f".{name}.")  # mode 0600: never readable by others
        try:
            with os.fdopen(descriptor, "w") as file:
                file.write(make())
            os.link(scratch, path)
        except FileExistsError:
            pass  # another process was first: its secret is kept
        finally:
            os.unlink(scratch)
    return path.read_text().strip()


def low_entropy(secret: bytes) -> bool:
    """Whether `secret` cannot be random: too few distinct bytes, or a short pattern repeated (32 × "a")."""
    if len(set(secret)) < 8:
        return True
    return any(secret[period:] == secret[:-period] for period in range(1, len(secret) // 2 + 1))


def private_sqlite_file(url: str) -> None:
    """Create the SQLite file of `url` with mode 0600 before SQLite does (it would follow the umask)."""
    if not url.startswith("sqlite:///") or url in ("sqlite:///", "sqlite:///:memory:"):
        return
    path = Path(url.removeprefix("sqlite:///").split("?")[0])
    if path.name and not path.exists() and path.parent.is_dir():
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))


def settings_from_env(env: dict[str, str] | None = None) -> dict[str, Any]:
    """The app settings, read from environment variables. Raises ConfigError in unsafe production."""
    env = dict(os.environ if env is None else env)
    folder = Path(env.get("TIK_INSTANCE_PATH") or instance_path())
    production = env.get("TIK_ENV", "development") == "production"
    secret = env.get("TIK_SECRET_KEY")
    data_key = env.get("TIK_DATA_KEY")
    audit_key = env.get("TIK_AUDIT_KEY")
    if production:
        problems = []
        if env.get("FLASK_DEBUG", "0") not in ("", "0") or env.get("TIK_DEBUG"):
            problems.append("DEBUG must be off in production")
        if not secret or len(secret) < 32:
            problems.append("TIK_SECRET_KEY must be set to at least 32 characters")
        elif low_entropy(secret.encode()):
            problems.append("TIK_SECRET_KEY is not random (repeated characters or a repeated pattern)")
        if not data_key or len(_b64(data_key)) != 32:
            problems.append("TIK_DATA_KEY must be base64 of 32 random bytes")
        elif low_entropy(_b64(data_key)):
            problems.append("TIK_DATA_KEY is not random (repeated bytes or a repeated pattern)")
        problems += audit_key_problems(audit_key, data_key)
        problems += same_key_problems({"TIK_SECRET_KEY": secret, "TIK_DATA_KEY": data_key,
                                       "TIK_AUDIT_KEY": audit_key})
        if not env.get("DATABASE_URL"):
            problems.append("DATABASE_URL must be set in production (SQLite only when named explicitly)")
        if not env.get("TIK_REDIS_URL"):
            problems.append("TIK_REDIS_URL must be set in production: every worker must count the same "
                            "login attempts (in memory, each worker counts its own)")
        if env.get("TIK_PASSWORD_LOGIN", "1") in ("0", "off", "false") and not env.get("TIK_OIDC_STAFF_ISSUER"):
            problems.append("TIK_PASSWORD_LOGIN is off but no staff provider is set (TIK_OIDC_STAFF_ISSUER): "
                            "nobody could log in")
        if problems:
            raise ConfigError("; ".join(problems))
    else:
        secret = secret or kept_secret(folder, "secret_key", lambda: secrets.token_urlsafe(48))
        data_key = data_key or kept_secret(
            folder, "data_key", lambda: base64.b64encode(secrets.token_bytes(32)).decode()
        )
        audit_key = audit_key or kept_secret(
            folder, "audit_key", lambda: base64.b64encode(secrets.token_bytes(32)).decode()
        )
    database_url = env.get("DATABASE_URL") or f"sqlite:///{folder / 'tik.sqlite'}"
    return {
        "TIK_ENV": "production" if production else "development",
        "SECRET_KEY": secret,
        "TIK_DATA_KEY": data_key,
        "TIK_AUDIT_KEY": audit_key,
        # The audit chain's head is appended here on every seal (outside the database, append-only).
        "TIK_AUDIT_ANCHOR": env.get("TIK_AUDIT_ANCHOR") or str(folder / "audit-anchor"),
        "TIK_AUDIT_SYSLOG": env.get("TIK_AUDIT_SYSLOG", "") not in ("", "0", "off"),
        # "off" only for the bench's comparison: events are then written but never sealed by requests.
        "TIK_AUDIT_SEAL": env.get("TIK_AUDIT_SEAL", "on") != "off",
        "SQLALCHEMY_DATABASE_URI": database_url,
        # PostgreSQL with row-level security: the role `tik backup` and `tik restore` connect as (BYPASSRLS, the
        # tables' owner); the app's own role is held by the policies (tik/municipalities/rls.py).
        "TIK_MAINTENANCE_DATABASE_URL": env.get("TIK_MAINTENANCE_DATABASE_URL") or None,
        "SQLALCHEMY_SESSION_OPTIONS": {"expire_on_commit": False},
        "TIK_GUIDEBOOK": env.get("TIK_GUIDEBOOK") or str(ROOT / "guidebook"),
        "TIK_ORGANISATION": env.get("TIK_ORGANISATION") or str(ROOT / "organisation.yaml"),
        "TIK_MUNICIPALITY": env.get("TIK_MUNICIPALITY") or "Fjordvik kommune",
        # Several municipalities on one install (tik/municipalities): without this file, the one above.
        "TIK_MUNICIPALITIES": env.get("TIK_MUNICIPALITIES", str(ROOT / "municipalities.yaml")),
        "TIK_REDIS_URL": env.get("TIK_REDIS_URL"),
        "RATELIMIT_STORAGE_URI": env.get("TIK_REDIS_URL") or "memory://",
        "RATELIMIT_HEADERS_ENABLED": True,
        "SESSION_COOKIE_SECURE": production,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_DURATION": 0,
        "TIK_IDLE_MINUTES": int(env.get("TIK_IDLE_MINUTES") or 30),
        "TIK_ABSOLUTE_HOURS": int(env.get("TIK_ABSOLUTE_HOURS") or 10),
        "WTF_CSRF_TIME_LIMIT": None,
        "BABEL_DEFAULT_LOCALE": "nb",
        "BABEL_DEFAULT_TIMEZONE": local_timezone(env),
        "BABEL_TRANSLATION_DIRECTORIES": str(ROOT / "tik" / "translations"),
        "MAX_CONTENT_LENGTH": 2 * 1024 * 1024,
        "SEND_FILE_MAX_AGE_DEFAULT": 3600,  # static files: cached an hour (case pages are never cached)
        # Behind N reverse proxies: trust N X-Forwarded-For/-Proto hops, so the audit trail records the client.
        # Statistics: a count under this is shown as "< N"; never below 5, whatever the setting says.
        "TIK_STATS_MIN_CELL": max(5, int(env.get("TIK_STATS_MIN_CELL") or 5)),
        "TIK_PROXY_COUNT": int(env.get("TIK_PROXY_COUNT") or 0),
        **oidc_settings(env),
        "SMTP": {k: env.get(f"TIK_SMTP_{k}") for k in ("HOST", "PORT", "USER", "PASSWORD", "FROM")},
    }


def oidc_settings(env: dict[str, str]) -> dict[str, Any]:
    """Single sign-on: the staff provider (Entra ID, Feide …) and the family's e-identification (ID-porten in
    Norway; Swedish BankID or Freja eID through an OpenID Connect broker), each with issuer, client id and
    secret, the button's label (default: the staff provider's in the interface language, the family's from the
    country: "ID-porten", "BankID") and, for the family, the claim with the national id (default from the country:
    `pid`, `personal_identity_number`); which `amr`/`acr` values count as a second factor; password login on/off."""
    providers = {}
    for kind, scope in (("staff", "openid profile email"), ("family", "openid profile")):
        prefix = f"TIK_OIDC_{kind.upper()}_"
        if env.get(prefix + "ISSUER"):
            providers[kind] = {"issuer": env[prefix + "ISSUER"].rstrip("/"),
                               "client_id": env.get(prefix + "CLIENT_ID", ""),
                               "client_secret": env.get(prefix + "CLIENT_SECRET", ""),
                               "scope": env.get(prefix + "SCOPE") or scope,
                               "label": env.get(prefix + "LABEL") or "",
                               "id_claim": env.get(prefix + "ID_CLAIM") or ""}
    words = lambda name, default: {w for w in (env.get(name) or default).replace(",", " ").split() if w}  # noqa: E731
    return {
        "TIK_OIDC": providers,
        "TIK_OIDC_MFA_AMR": words("TIK_OIDC_MFA_AMR", "mfa otp hwk swk sc fpt face BankID"),
        # ID-porten's levels, and Freja eID's loa3 (through a broker; BankID says `BankID` in amr).
        "TIK_OIDC_MFA_ACR": words("TIK_OIDC_MFA_ACR", "idporten-loa-substantial idporten-loa-high loa3"),
        "TIK_OIDC_UNIT_CLAIM": env.get("TIK_OIDC_UNIT_CLAIM") or "tik_unit",
        "TIK_PASSWORD_LOGIN": env.get("TIK_PASSWORD_LOGIN", "1") not in ("0", "off", "false"),
        # Whether "Min familie" names the staff who read a case (else role and unit only).
        "TIK_FAMILY_STAFF_NAMES": env.get("TIK_FAMILY_STAFF_NAMES", "0") not in ("0", "off", "false", ""),
        # A second factor for leaders and admins: on by default in production, off in development and demo.
        "TIK_MFA_REQUIRED": (env.get("TIK_MFA_REQUIRED") or
                             ("1" if env.get("TIK_ENV") == "production" else "0")) not in ("0", "off", "false"),
    }


def audit_key_problems(audit_key: str | None, data_key: str | None) -> list[str]:
    """Why TIK_AUDIT_KEY is unfit for production (empty list when it is fit)."""
    raw = _b64(audit_key or "")
    if len(raw) != 32:
        return ["TIK_AUDIT_KEY must be base64 of 32 random bytes"]
    if low_entropy(raw):
        return ["TIK_AUDIT_KEY is not random (repeated bytes or a repeated pattern)"]
    if audit_key == data_key:
        return ["TIK_AUDIT_KEY must differ from TIK_DATA_KEY"]
    return []


def same_key_problems(keys: dict[str, str | None]) -> list[str]:
    """Each pair of keys in `keys` that is one key twice, as text or as the bytes its base64 stands for: the
    secret key, the data key and the audit key each guard something else, and one leaked must not give another."""
    def forms(value: str) -> set[bytes]:
        return {value.encode(), _b64(value)} - {b""}

    named = [(name, forms(value)) for name, value in keys.items() if value]
    return [f"{a} and {b} must differ" for i, (a, one) in enumerate(named) for b, other in named[i + 1:]
            if one & other]


def _b64(value: str) -> bytes:
    try:
        return base64.b64decode(value, validate=True)
    except ValueError:
        return b""


def engine_options(url: str) -> dict[str, Any]:
    """Connection settings for the database at `url` (the SQLite pragmas are set on connect).

    SQL parameters are never put into error messages or logs: they are children's names and concern text.
    """
    if url.startswith("sqlite"):
        # Threads share nothing: one connection per checkout, waits of up to 10 s for the write lock.
        return {"connect_args": {"timeout": 10, "check_same_thread": False}, "hide_parameters": True}
    return {"pool_pre_ping": True, "hide_parameters": True}
