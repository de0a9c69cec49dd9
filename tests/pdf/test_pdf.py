"""The plan PDF: real text, both versions, the family's language, and a fetcher that fetches nothing foreign."""

from __future__ import annotations

import http.server
import threading

import pytest
from support import pdf_text

from tik.concerns.service import GuardianInput
from tik.plans import service as plans
from tik.plans.pdf import StaticOnlyFetcher, render_pdf
from tik.plans.printing import plan_pdf


@pytest.fixture
def listener():
    """A local HTTP server that records every request it gets (none should arrive)."""
    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            hits.append(self.path)
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}", hits
    server.shutdown()


def test_the_fetcher_refuses_everything_but_own_static_files(listener, tmp_path):
    url, hits = listener
    secret = tmp_path / "secret.txt"
    secret.write_text("TOPPHEMMELIG")
    html = f"""<html><head><link rel="stylesheet" href="pdf.css">
      <link rel="stylesheet" href="{url}/evil.css">
      <style>body {{ background: url('{url}/bg.png'); }} @import url('{url}/import.css');</style></head>
      <body><p>Hei</p><img src="file:///etc/passwd"><img src="{url}/pixel.png">
      <img src="file://{secret}"><img src="../../pyproject.toml"><object data="{url}/obj"></object>
      <iframe src="{url}/frame"></iframe></body></html>"""
    fetcher = StaticOnlyFetcher()
    data = render_pdf(html, fetcher)
    assert "Hei" in pdf_text(data)
    assert hits == []
    assert "TOPPHEMMELIG" not in pdf_text(data)
    assert any("/etc/passwd" in u for u in fetcher.refused)
    assert any(str(secret) in u for u in fetcher.refused)
    assert any(u.endswith("pyproject.toml") for u in fetcher.refused)


def test_family_pdf_is_in_the_family_language(app, make_user, make_case):
    holder = make_user(service="school", name="Ingrid Lærer")
    case = make_case(by=holder, guardians=[GuardianInput("Sarah Smith", "mother", "", "en")])
    plans.update_plan(case, holder, goals="Be rested at school", child_voice="I like football",
                      parents_voice="We want help", internal_notes="hidden")
    _name, data = plan_pdf(case, holder, family=True)
    text = pdf_text(data)
    assert "Who does what" in text and "Signatures" in text
    assert "Hvem gjør hva" not in text
    _name, staff = plan_pdf(case, holder, family=False)
    assert "Tiltak" in pdf_text(staff)  # the staff version stays in bokmål


def test_sharing_with_the_family_freezes_the_revision(app, make_user, make_case):
    from datetime import date

    holder = make_user(service="school")
    case = make_case(by=holder)
    plans.update_plan(case, holder, goals="Første mål", child_voice="", parents_voice="")
    name, _ = plan_pdf(case, holder, family=True)
    assert name.endswith("rev1.pdf")
    plans.share_with_family(case, holder)
    plans.add_measure(case, holder, plans.MeasureInput("school", "Lærer", "Leksehjelp", "Bedre karakterer",
                                                       date(2026, 1, 1), date(2026, 2, 1)))
    plan = plans.plan_of(case)
    assert plan.revision == 2
    revisions = plans.revisions(plan)
    assert [r.number for r in revisions] == [1]
    assert revisions[0].snapshot["goals"] == "Første mål" and revisions[0].snapshot["measures"] == []


def test_pdf_has_page_numbers_and_is_a4(app, make_user, make_case):
    from io import BytesIO

    from pypdf import PdfReader

    holder = make_user()
    case = make_case(by=holder)
    _name, data = plan_pdf(case, holder, family=False)
    page = PdfReader(BytesIO(data)).pages[0]
    assert round(float(page.mediabox.width)) == 595 and round(float(page.mediabox.height)) == 842
    assert "1 / " in pdf_text(data)


def test_cli_prints_the_plan_as_the_given_user(app, runner, make_user, make_case, tmp_path):
    holder = make_user(username="holder")
    make_user(username="outsider", service="nav")
    case = make_case(by=holder)
    out = tmp_path / "plan.pdf"
    result = runner.invoke(args=["plan", "pdf", case.ref, "-o", str(out), "--user", "holder", "--family"])
    assert result.exit_code == 0, result.output
    assert "Underskrifter" in pdf_text(out.read_bytes())
    refused = runner.invoke(args=["plan", "pdf", case.ref, "-o", str(tmp_path / "x.pdf"), "--user", "outsider"])
    assert refused.exit_code != 0 and "no case" in refused.output
    assert not (tmp_path / "x.pdf").exists()


def test_a_new_catalogue_is_a_new_print_language_without_code(app, make_user, make_case, tmp_path, monkeypatch):
    """A municipality adds Persian by adding a letter catalogue; right-to-left languages get an RTL layout."""
    import shutil

    import tik.letter_texts as letter_texts
    from tik.plans.letter import family_language, letter_html

    translations = tmp_path / "translations"
    shutil.copytree(letter_texts.TRANSLATIONS, translations)
    folder = translations / "fa" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    (folder / "letter.po").write_text('msgid ""\nmsgstr "Content-Type: text/plain; charset=UTF-8\\n"\n\n'
                                      'msgid "Hvem gjør hva, og når"\nmsgstr "چه کسی چه کاری انجام می‌دهد"\n',
                                      encoding="utf-8")
    monkeypatch.setattr(letter_texts, "TRANSLATIONS", translations)

    holder = make_user()
    case = make_case(by=holder, guardians=[GuardianInput("Dariush Karimi", "پدر", "", "fa")])
    assert "fa" in letter_texts.letter_languages() and family_language(case) == "fa"
    persian = letter_html(case, plans.ensure_plan(case), "fa")
    assert 'lang="fa" dir="rtl"' in persian and "چه کسی چه کاری انجام می‌دهد" in persian
