"""Malformed input never breaks the server: generated values posted to every POST route and put into every
converter of every GET route (walked from app.url_map) answer below 500, with CSRF on, as a logged-in user.

A fixed corpus of known-bad values (NUL, control characters, 20 digits, years 1 and 9999, 50 000 characters,
invalid UTF-8, a right-to-left override, CR/LF) goes to every route in every run; `make test` adds a few
generated examples per route, `make fuzz` many (TIK_FUZZ_EXAMPLES).

Kept within its budget (a minute per database in `make test`): its tests run on the worker's shared app as most
tests do (conftest's `app`: an emptied database, its own audit anchor and the fixed clock for each), the forms are
read from the pages once, and a request is followed by the "still logged in?" check only when its answer could
have ended the session.
"""

from __future__ import annotations

import os
import re
from datetime import timedelta
from html.parser import HTMLParser
from urllib.parse import quote, urlencode, urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support import PASSWORD
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import NotFound

from tik import create_app
from tik.clock import now
from tik.extensions import db

EXAMPLES = int(os.environ.get("TIK_FUZZ_EXAMPLES") or 12)
FUZZ_SETTINGS = settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=EXAMPLES <= 50,
                         suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                                HealthCheck.data_too_large])


def _rules():
    """Every route of the app, as (endpoint, rule, methods): walked, never listed by hand."""
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    return sorted((r.endpoint, r.rule, sorted(r.methods - {"HEAD", "OPTIONS"})) for r in app.url_map.iter_rules())


RULES = _rules()
POST_RULES = [(e, r) for e, r, m in RULES if "POST" in m]
GET_RULES = [(e, r) for e, r, m in RULES if "GET" in m and e not in ("static", "designsystem")]
STATIC_RULES = [(e, r) for e, r, m in RULES if e in ("static", "designsystem")]

# -- hostile values ---------------------------------------------------------------------------------------

SPECIAL = [
    "", " ", "\x00", "a\x00b", "\x01\x02\x1b[31m", "\x7f", "\u0085", "\u202eevil\u202c", "\u2066x\u2069",
    "\u202e", "\ufeff", "x" * 300, "y" * 20_000, "word " * 1200, "9" * 20, "-1", "0", "1", "2147483647",
    "2147483648", "1e309", "NaN", "²", "١٢", "0001-01-01", "9999-12-31", "1899-12-31", "2101-01-01", "2026-02-30",
    "31.12.9999", "00.00.0000", "0001-01-01T00:00", "9999-12-31T23:59", "2026-13-01T25:61", "true", "on", "yes",
    "no", "accept", "done", "<script>alert(1)</script>", "' OR 1=1 --", "%00", "../../etc/passwd", "TIK-2026-0001",
    "TIK-9999-99999999999999999999", "null", "[]", "{}", "\U0001f600" * 50,
]
text_values = st.one_of(st.sampled_from(SPECIAL), st.text(max_size=40),
                        st.text(alphabet=st.characters(max_codepoint=0x9F), max_size=20))
BOUNDARY_INTS = [2**31, 10**20, 2**63, 2**31 - 1, 2**63 - 1, 0, 1]
int_values = st.one_of(st.sampled_from(BOUNDARY_INTS), st.integers(min_value=0, max_value=2**70))


# -- the world the fuzzer works in -----------------------------------------------------------------------

class _Forms(HTMLParser):
    """Every <form method="post"> of a page: its action and the names (and offered values) of its fields."""

    def __init__(self, page_path: str) -> None:
        super().__init__()
        self.page_path, self.forms, self._current = page_path, [], None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "get").lower() == "post":
            self._current = {"action": urlsplit(a.get("action") or self.page_path).path, "fields": {}}
            self.forms.append(self._current)
        elif tag in ("input", "textarea", "select") and self._current is not None and a.get("name"):
            self._current["fields"].setdefault(a["name"], []).append(a.get("value") or "")
        elif tag == "option" and self._current is not None and self._current["fields"]:
            last = list(self._current["fields"])[-1]
            self._current["fields"][last].append(a.get("value") or "")

    def handle_endtag(self, tag):
        if tag == "form":
            self._current = None


# The forms of the world's pages, read once: every world has the same rows with the same ids (the database is
# emptied and its ids start again at 1), so its pages offer the same fields.
_FIELDS: dict[str, dict[str, list[str]]] = {}


@pytest.fixture
def world(app, make_user, make_case, give_consent):
    """A user with a case, a plan with a measure, a consent, a handover to answer and a team meeting; CSRF on."""
    from tik.auth.models import Role
    from tik.cases.handover import propose_handover
    from tik.meetings import service as meetings
    from tik.plans import service as plans

    app.config["WTF_CSRF_ENABLED"] = True
    user = make_user(username="fuzzer", roles=tuple(Role))  # every role: every route is reachable
    other = make_user(username="colleague")
    case = make_case(by=user, last_name="Fuzzberg")
    theirs = make_case(by=other, last_name="Testrud")  # a name of its own: never the same child as `case`
    consent = give_consent(case, user, ["health-nurse", "tik-team"])
    measure = plans.add_measure(case, user, plans.MeasureInput("school", "Lærer", "Leksehjelp", "Mål",
                                                               now().date(), now().date() + timedelta(days=30)))
    plans.mark_shared(plans.plan_of(case), user)
    plans.update_plan(case, user, goals="Mål", child_voice="", parents_voice="")
    handover = propose_handover(theirs, user, other)
    team = meetings.create_team("Fuzzteam", [user, other])
    meeting = meetings.create_meeting(user, title="Møte", starts_at=now() + timedelta(days=1), team=team)
    item = meetings.add_item(meeting, user, case_ref=case.ref)
    ids = {"ref": case.ref, "measure_id": measure.id, "consent_id": consent.id, "handover_id": handover.id,
           "meeting_id": meeting.id, "item_id": item.id, "number": 1, "step_id": case.step_id, "key": "x",
           "user_id": other.id}
    client = app.test_client()
    _log_in(client)
    pages = [f"/saker/{case.ref}", f"/saker/{case.ref}/plan", f"/saker/{case.ref}/plan/tiltak/{measure.id}",
             f"/saker/{case.ref}/plan/tiltak/{measure.id}/evaluering", f"/moter/{meeting.id}", "/moter/",
             f"/moter/nettverk/{case.ref}", "/bekymring/ny", "/bekymring/skjema", "/saker", "/min-side",
             "/admin/brukere", "/admin/enheter", "/enhet"]
    fields = _FIELDS
    adapter = app.url_map.bind("tik.test")
    for path in pages if not fields else ():
        parser = _Forms(path)
        parser.feed(client.get(path).get_data(as_text=True))
        for form in parser.forms:
            try:
                endpoint, _args = adapter.match(form["action"], method="POST")
            except Exception:  # noqa: BLE001 - a form posting elsewhere (not ours) is not fuzzed here
                continue
            for name, values in form["fields"].items():
                fields.setdefault(endpoint, {}).setdefault(re.sub(r"^(m|i)\d+-", r"\g<1>N-", name), []).extend(values)
    return {"client": client, "ids": ids, "fields": fields, "item_id": item.id,
            "token": _token(client.get("/min-side").get_data(as_text=True))}


def _log_in(client) -> None:
    page = client.get("/login").get_data(as_text=True)
    response = client.post("/login", data={"username": "fuzzer", "password": PASSWORD, "csrf_token": _token(page)})
    assert response.status_code == 302, response.status_code


def _token(page: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)


def _path(rule: str, values: dict) -> str:
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", lambda m: str(values[m.group(1)]), rule)


def _args(rule: str) -> list[str]:
    return re.findall(r"<(?:[^:<>]+:)?([^<>]+)>", rule)


@st.composite
def _url_values(draw, rule: str, ids: dict):
    """Real ids most of the time (to reach the code behind them), generated ones otherwise."""
    out = {}
    for name in _args(rule):
        is_int = f"<int:{name}>" in rule
        if name in ids and draw(st.booleans()):
            out[name] = ids[name]
        elif is_int:
            out[name] = draw(int_values)
        else:
            out[name] = draw(text_values.filter(lambda t: t and "/" not in t and "?" not in t and "#" not in t))
    return out


@st.composite
def _form(draw, known: dict[str, list[str]], token: str, prefix_id: int):
    """Form data: known fields left out, kept as offered, or given hostile values, repeated; unknown keys too."""
    pairs: list[tuple[str, str]] = []
    if draw(st.integers(0, 9)) > 0:
        pairs.append(("csrf_token", token))
    for name, offered in known.items():
        if name == "csrf_token":
            continue
        real = re.sub(r"^(m|i)N-", lambda m: f"{m.group(1)}{prefix_id}-", name)
        choice = draw(st.integers(0, 5))
        if choice == 0:
            continue  # missing
        if choice in (1, 2) and any(offered):
            pairs.append((real, draw(st.sampled_from([v for v in offered if v] or [""]))))
        else:
            for value in draw(st.lists(text_values, min_size=1, max_size=3)):  # repeated keys
                pairs.append((real, value))
    for key in draw(st.lists(st.sampled_from(["version", "id", "decision", "step_id", "f_observation", "lang",
                                              "next", "answer", "attended", "q", "name", "role"]), max_size=3)):
        pairs.append((key, draw(text_values)))
    return MultiDict(pairs)


def _assert_survives(world, method: str, url: str, **kwargs) -> None:
    status = _status(world, method, url, **kwargs)
    assert status < 500, f"{method} {url} answered {status}"


# Answers after which the session is as it was: the request was refused before it changed anything.
REFUSED = {400, 404, 405, 409, 410, 413, 414, 422}


def _status(world, method: str, url: str, **kwargs) -> int:
    """The answer's status; logs the fuzzer in again when the request logged it out (or locked it). A GET
    changes no session unless it redirects or refuses; a refused POST changes nothing either."""
    client = world["client"]
    status = client.open(url, method=method, **kwargs).status_code
    could_end_it = (300 <= status < 400 or status in (401, 403)) if method == "GET" else status not in REFUSED
    if could_end_it and client.get("/min-side").status_code != 200:  # logged out (or locked): carry on
        from tik.auth.models import User
        from tik.extensions import db

        db.session.execute(db.update(User).values(failed_logins=0, locked_until=None, active=True))
        db.session.commit()
        _log_in(client)
        world["token"] = _token(client.get("/min-side").get_data(as_text=True))
    return status


@pytest.mark.parametrize("endpoint, rule", POST_RULES, ids=[e for e, _ in POST_RULES])
def test_posting_generated_values_never_answers_5xx(world, endpoint, rule):
    known = world["fields"].get(endpoint, {})
    if endpoint == "auth.login":
        known = {"username": ["fuzzer", "nobody"], "password": [PASSWORD]}

    @FUZZ_SETTINGS
    @given(values=_url_values(rule, world["ids"]), data=st.data())
    def fuzz(values, data):
        form = data.draw(_form(known, world["token"], world["item_id"]))
        _assert_survives(world, "POST", _path(rule, values), data=form)

    fuzz()


QUERY_KEYS = ["versjon", "lang", "fra", "til", "urgency", "next", "expired", "q", "page"]


# A PDF route renders a PDF for each example with real ids (a third of a second each): a third of the examples,
# since the fixed corpus below sends every known-bad value to its renderer too.
PDF_SETTINGS = settings(FUZZ_SETTINGS, max_examples=max(EXAMPLES // 3, 1))


def test_every_converter_and_query_of_every_get_route_answers_below_500(world):
    """Every GET route in one world: a GET changes nothing the next route reads (and a route that logs the
    fuzzer out is followed by a new login), so the routes need not each build their own."""
    for _endpoint, rule in GET_RULES:
        _fuzz_get(world, rule)


def _fuzz_get(world, rule: str) -> None:
    @(PDF_SETTINGS if rule.endswith(".pdf") else FUZZ_SETTINGS)
    @given(values=_url_values(rule, world["ids"]),
           query=st.lists(st.tuples(st.sampled_from(QUERY_KEYS), text_values), max_size=4))
    def fuzz(values, query):
        _assert_survives(world, "GET", _path(rule, values), query_string=MultiDict(query))

    fuzz()


def test_ids_beyond_the_database_range_are_not_found(world):
    answers = {}
    for _endpoint, rule, _methods in RULES:
        if "<int:" not in rule:
            continue
        for number in (2**31, 10**20):
            values = {name: number if f"<int:{name}>" in rule else world["ids"].get(name, "x") for name in _args(rule)}
            for method in ("GET", "POST"):
                url = _path(rule, values)
                answers[f"{method} {url}"] = world["client"].open(
                    url, method=method, data={"csrf_token": world["token"]}).status_code
    assert len(answers) >= 100
    assert {request: status for request, status in answers.items() if status not in (404, 405)} == {}


@pytest.mark.parametrize("endpoint, rule", STATIC_RULES, ids=[e for e, _ in STATIC_RULES])
def test_static_paths_answer_below_500(client, endpoint, rule):
    for name in ("../../etc/passwd", "%00", "a\x00b", "x" * 5000, "tik.css", ".."):
        assert client.get(_path(rule, {"filename": name})).status_code < 500


# -- the fixed corpus: every route × every known-bad value, in every run ----------------------------------

KNOWN_BAD = {
    "nul": "\x00", "nul-inside": "TIK-2026-\x000001", "controls": "a\x07\x1b[31m\x7f\x85b", "crlf": "a\r\nforged",
    "20-digits": "9" * 20, "year-1": "0001-01-01", "year-9999": "9999-12-31", "50000-chars": "x" * 50_000,
    "invalid-utf8": b"\xff\xfe\xc3(", "rlo": "\u202eevil\u202c",
}
REAL = {"kind": "staff", "report_id": 1, "guardian_id": 1, "participant_id": 1, "conversation_id": 1, "message_id": 1,
        "name": "samtykke"}
# A PDF takes a while to render: beside real ids, the query values that reach its renderer (lang, versjon) are
# tried with these few values; in the converters, with every value.
PDF_VALUES = ("nul", "controls", "invalid-utf8", "rlo")


@pytest.mark.parametrize("name", KNOWN_BAD)
def test_every_route_answers_each_known_bad_value_below_500(world, name):
    """The value in every converter, every known field and every query key, and beside real ids: no 5xx."""
    bad = KNOWN_BAD[name]
    encoded = quote(bad, safe="")
    query = urlencode([(key, bad) for key in QUERY_KEYS])
    failures = []
    for endpoint, rule, methods in RULES:
        if endpoint in ("static", "designsystem"):
            continue
        real = _path(rule, {**REAL, **world["ids"]})
        hostile = _path(rule, {arg: encoded for arg in _args(rule)})
        for method in methods:
            # A route without converters has no hostile path: its one request carries the value in the query
            # (GET) or in every field (POST), never the same request twice.
            if method == "GET":
                requests = [(f"{hostile}?{query}", {})]
                if _args(rule) and (not rule.endswith(".pdf") or name in PDF_VALUES):
                    requests.append((f"{real}?{query}", {}))
            else:
                fields = world["fields"].get(endpoint, {})
                body = urlencode([("csrf_token", world["token"])] + [
                    (re.sub(r"^(m|i)N-", lambda m: f"{m.group(1)}{world['item_id']}-", field), bad)
                    for field in fields if field != "csrf_token"])
                requests = [(real, {"data": body})]
                if _args(rule):
                    requests.append((hostile, {"data": urlencode([("csrf_token", world["token"])])}))
            for url, kwargs in requests:
                status = _status(world, method, url, content_type="application/x-www-form-urlencoded", **kwargs)
                if status >= 500:
                    failures.append(f"{method} {endpoint} {url[:80]!r}: {status}")
    assert failures == []


# -- the rules the corpus relies on, each checked where it lives ---------------------------------------------


def test_path_segments_with_control_characters_or_over_200_characters_match_no_route(app):
    adapter = app.url_map.bind("tik.test")
    for ref in ("TIK\x00-1", "a\nb", "a\x07b", "x" * 201):
        with pytest.raises(NotFound):
            adapter.match(f"/saker/{ref}")
    assert adapter.match("/saker/TIK-2026-0001") == ("cases.show", {"ref": "TIK-2026-0001"})


def test_ids_of_more_than_ten_digits_are_not_even_converted(app):
    adapter = app.url_map.bind("tik.test")
    for number in ("9" * 11, "9" * 5000, "0" * 11 + "1"):
        with pytest.raises(NotFound):
            adapter.match(f"/moter/{number}")


def test_a_revision_number_past_the_database_range_in_the_query_falls_back_to_the_latest(world):
    client, ref = world["client"], world["ids"]["ref"]
    for number in ("9" * 20, "2147483648", "-1", "١٢"):
        assert client.get(f"/saker/{ref}/plan/sammenlign?fra={number}&til={number}").status_code == 200


@pytest.mark.parametrize("field, value", [("first_name", "Ola\x00"), ("school", "Skole\x07\x1b"),
                                          ("last_name", "N" * 121), ("class_name", "7" * 41)])
def test_the_child_edit_form_refuses_what_its_columns_cannot_hold(client, login, make_user, make_case, field,
                                                                   value):
    from tik.concerns.models import Child

    user = make_user()
    case = make_case(by=user)
    login(user)
    before = getattr(case.child, field)
    response = client.post(f"/saker/{case.ref}/barn", data={field: value})
    assert response.status_code == 422
    assert "Teksten" in response.get_data(as_text=True)
    db.session.expire_all()
    assert getattr(db.session.get(Child, case.child.id), field) == before


@pytest.mark.parametrize("field, value", [("name", "Kari\x00"), ("relation", "mor\x1b"), ("name", "K" * 201),
                                          ("phone", "9" * 41), ("relation", "r" * 61)])
def test_the_guardian_forms_refuse_what_their_columns_cannot_hold(client, login, make_user, make_case, field,
                                                                   value):
    from tik.concerns.models import Guardian

    user = make_user()
    case = make_case(by=user)
    login(user)
    guardian = case.child.guardians[0]
    before = getattr(guardian, field)
    data = {"name": guardian.name, "relation": "", "phone": "", "email": "", "language": "nb", field: value}
    assert client.post(f"/saker/{case.ref}/foresatte/{guardian.id}", data=data).status_code == 422
    assert client.post(f"/saker/{case.ref}/foresatte", data=data).status_code == 422
    db.session.expire_all()
    assert getattr(db.session.get(Guardian, guardian.id), field) == before
    assert len(db.session.get(Guardian, guardian.id).child.guardians) == 1


def test_request_data_in_a_log_line_cannot_start_a_line_of_its_own(app, caplog):
    import logging

    caplog.set_level(logging.INFO)
    logging.getLogger("gunicorn.access").info('"%(m)s %(U)s" %(s)s', {"m": "GET", "U": "/x\r\nforged 200", "s": "404"})
    logging.getLogger("werkzeug").info('"%s" %s', "GET /x\nforged HTTP/1.1", 404)
    lines = [r.getMessage() for r in caplog.records if r.name in ("gunicorn.access", "werkzeug")]
    assert lines == ['"GET /x\\x0d\\x0aforged 200" 404', '"GET /x\\x0aforged HTTP/1.1" 404']
