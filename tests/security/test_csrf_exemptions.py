"""CSRF protection covers every route that changes something, except those declared exempt here on purpose.

Walked from app.url_map (never listed by hand): every POST (PUT, PATCH, DELETE) route is sent without a token
and must be refused by the CSRF check itself. Exempting a view or a whole blueprint (csrf.exempt) makes this
test fail until the route is added to EXEMPT with the reason it is safe.
"""

from __future__ import annotations

import re

import pytest
from flask_wtf.csrf import CSRFError

from tik import create_app

# endpoint -> why it is safe without a CSRF token. Empty: no route is exempt.
EXEMPT: dict[str, str] = {}
WRITES = {"POST", "PUT", "PATCH", "DELETE"}


def _writing_rules():
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    return sorted((r.endpoint, r.rule, sorted(r.methods & WRITES)) for r in app.url_map.iter_rules()
                  if r.methods & WRITES)


RULES = _writing_rules()
pytestmark = pytest.mark.own_app  # `strict` adds an error handler: an app that has served no request yet


def _path(rule: str) -> str:
    def value(match: re.Match) -> str:
        converter = match.group(1) or ""
        return "1" if converter.startswith("int") else "staff" if converter.startswith("any") else "x"

    return re.sub(r"<(?:([^:<>]+):)?[^<>]+>", value, rule)


@pytest.fixture
def strict(app):
    """The app with CSRF on, as in production, and a page that says when the CSRF check refused."""
    app.config["WTF_CSRF_ENABLED"] = True

    @app.errorhandler(CSRFError)
    def refused_by_csrf(_error):
        return "refused by the CSRF check", 400

    return app


def test_csrf_checks_every_writing_method_by_default(strict):
    assert strict.config.get("WTF_CSRF_CHECK_DEFAULT", True) is True
    assert WRITES <= set(strict.config.get("WTF_CSRF_METHODS") or WRITES)


def test_there_are_writing_routes_to_check():
    assert len(RULES) > 40 and any(e.startswith("family.") for e, _r, _m in RULES)


@pytest.mark.parametrize("endpoint, rule, methods", RULES, ids=[e for e, _r, _m in RULES])
def test_every_writing_route_is_refused_without_a_token_unless_declared_exempt(strict, endpoint, rule, methods):
    client = strict.test_client()
    for method in methods:
        response = client.open(_path(rule), method=method, data={"x": "1"})
        refused = response.status_code == 400 and response.get_data(as_text=True) == "refused by the CSRF check"
        if endpoint in EXEMPT:
            assert not refused, f"{endpoint} is declared exempt but is checked: remove it from EXEMPT"
        else:
            assert refused, f"{method} {rule} ({endpoint}) is not protected by CSRF: {response.status_code}"
