"""The security rules of DESIGN.md, each checked so that breaking the rule fails its test: headers, no inline
scripts on any page, PDFs never cached nor titled with a child's name, user text escaped, CSRF on consent
withdrawal, and the audit labels of every kind of PDF."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from io import BytesIO

import pytest
from pypdf import PdfReader
from sqlalchemy import select
from support import pdf_text
from test_fuzz import GET_RULES, _args, _path, world  # noqa: F401 - the fuzzer's world: every kind of page has data

from tik.audit.models import AuditEvent
from tik.extensions import db

HOSTILE = '<b id="hostile">fet</b><img src=x onerror=alert(1)>'


# -- headers ----------------------------------------------------------------------------------------------

def test_production_sends_hsts_and_development_does_not(database_url, _schema):
    from tik import create_app

    config = {"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url}
    production = create_app({**config, "TIK_ENV": "production"}).test_client().get("/login")
    hsts = production.headers.get("Strict-Transport-Security", "")
    assert re.fullmatch(r"max-age=(\d+); includeSubDomains", hsts) and int(hsts.split("=")[1].split(";")[0]) >= 31536000
    assert "Strict-Transport-Security" not in create_app(config).test_client().get("/login").headers


def test_the_csp_allows_no_inline_code_and_no_framing(client):
    policy = client.get("/login").headers["Content-Security-Policy"]
    directives = dict((part.split(" ", 1) + [""])[:2] for part in (p.strip() for p in policy.split(";")) if part)
    assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy and "*" not in policy
    assert directives["default-src"] == "'self'" and directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'" and directives["frame-ancestors"] == "'none'"


# -- no inline scripts, on every page ---------------------------------------------------------------------

class _InlineCode(HTMLParser):
    """Collects whatever would run without a file of its own: inline <script>, on* handlers, javascript: URLs."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "script":
            self._in_script = True
            if not a.get("src"):
                self.found.append("<script> without src")
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"{tag} {name}=")
            if name in ("href", "src", "action", "formaction") and (value or "").strip().lower().startswith(
                    "javascript:"):
                self.found.append(f"{tag} {name}=javascript:")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script and data.strip():
            self.found.append("<script> with a body")


def _pages(world) -> list[str]:  # noqa: F811 - the fixture's value
    skip = ("healthz", "mywork.calendar")
    return [_path(rule, world["ids"]) for endpoint, rule in GET_RULES
            if endpoint not in skip and not rule.endswith((".pdf", ".ics", ".csv", ".xlsx")) and ".<" not in rule
            and all(name in world["ids"] for name in _args(rule))]  # downloads are not pages


def test_no_page_has_inline_code(world):  # noqa: F811
    client = world["client"]
    pages = _pages(world) + ["/login", "/nowhere"]
    assert len(pages) > 20
    for path in pages:
        response = client.get(path)
        if response.status_code == 302:
            continue
        parser = _InlineCode()
        parser.feed(response.get_data(as_text=True))
        assert parser.found == [], f"{path}: {parser.found}"


def test_the_inline_code_check_finds_inline_code():
    for html in ("<script>alert(1)</script>", '<a href="#" onclick="x()">', '<a href=" JavaScript:x">',
                 "<SCRIPT>x</SCRIPT>", '<body onload="x()">'):
        parser = _InlineCode()
        parser.feed(html)
        assert parser.found, html


# -- PDFs -------------------------------------------------------------------------------------------------

def _pdf_urls(world) -> list[str]:  # noqa: F811
    ids = world["ids"]
    return [f"/saker/{ids['ref']}/plan.pdf", f"/saker/{ids['ref']}/plan.pdf?versjon=familie",
            f"/saker/{ids['ref']}/plan/revisjon/1.pdf", f"/saker/{ids['ref']}/plan/revisjon/1.pdf?versjon=familie",
            f"/moter/{ids['meeting_id']}/referat.pdf"]


def test_pdfs_and_the_calendar_are_never_cached(world):  # noqa: F811
    for url in _pdf_urls(world) + ["/min-side/kalender.ics"]:
        response = world["client"].get(url)
        assert response.status_code == 200, url
        assert response.headers["Cache-Control"] == "no-store", url


def test_no_pdf_names_the_child_in_its_title_or_file_name(world):  # noqa: F811
    from tik.cases.models import Case

    case = db.session.scalar(select(Case).where(Case.ref == world["ids"]["ref"]))
    names = {case.child.first_name, case.child.last_name}
    for url in _pdf_urls(world):
        response = world["client"].get(url)
        title = PdfReader(BytesIO(response.data)).metadata.title or ""
        assert title and not any(n in title for n in names), (url, title)
        assert not any(n in response.headers["Content-Disposition"] for n in names), url
    assert case.child.first_name in pdf_text(world["client"].get(_pdf_urls(world)[0]).data)  # yet it is inside


# -- escaping ---------------------------------------------------------------------------------------------

def test_measure_text_and_guardian_names_are_escaped_in_pages_and_pdfs(client, login, make_user, make_case):
    from tik.clock import today
    from tik.concerns.service import GuardianInput
    from tik.plans import service as plans

    holder = login(make_user())
    case = make_case(by=holder, guardians=[GuardianInput(f"Kari {HOSTILE}", "mor", "", "nb")])
    plans.add_measure(case, holder, plans.MeasureInput("school", f"Lærer {HOSTILE}", f"Leksehjelp {HOSTILE}",
                                                       f"Mål {HOSTILE}", today(), today()))
    for url in (f"/saker/{case.ref}", f"/saker/{case.ref}/plan"):
        page = client.get(url).get_data(as_text=True)
        assert 'id="hostile"' not in page and "<img src=x onerror" not in page
        assert "&lt;b id=&#34;hostile&#34;&gt;fet&lt;/b&gt;" in page
    staff = pdf_text(client.get(f"/saker/{case.ref}/plan.pdf").data)
    family = pdf_text(client.get(f"/saker/{case.ref}/plan.pdf?versjon=familie").data)
    for text in (staff, family):  # as typed, shown as text: wherever markup was obeyed, "Kari fet" would show
        assert 'Kari <b id="hostile">fet' in text and "Kari fet" not in text
    assert 'Leksehjelp <b id="hostile">fet' in staff and "Leksehjelp fet" not in staff


# -- CSRF -------------------------------------------------------------------------------------------------

def test_consent_withdrawal_needs_the_csrf_token(app, client, login, make_user, make_case, give_consent):
    holder = login(make_user())
    case = make_case(by=holder)
    consent = give_consent(case, holder, ["health-nurse"])
    app.config["WTF_CSRF_ENABLED"] = True
    response = client.post(f"/saker/{case.ref}/samtykke/{consent.id}/trekk")
    assert response.status_code == 400
    db.session.expire_all()
    assert db.session.get(type(consent), consent.id).withdrawn_at is None


# -- audit labels of prints -------------------------------------------------------------------------------

@pytest.mark.parametrize("kind, action", [("plan", "plan.pdf"), ("revision", "plan.pdf"), ("minutes", "meeting.pdf")])
def test_every_pdf_is_audited_under_its_label(world, kind, action):  # noqa: F811
    ids = world["ids"]
    url = {"plan": f"/saker/{ids['ref']}/plan.pdf", "revision": f"/saker/{ids['ref']}/plan/revisjon/1.pdf",
           "minutes": f"/moter/{ids['meeting_id']}/referat.pdf"}[kind]
    before = db.session.scalar(select(db.func.max(AuditEvent.id))) or 0
    assert world["client"].get(url).status_code == 200
    actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.id > before)).all()
    assert action in actions and (kind == "minutes" or "plan.print" in actions), actions
