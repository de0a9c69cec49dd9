"""What a page shows, as lines: its visible text, its links and form targets, and what its fields hold.

The case page's before-and-after test (tests/cases/test_case_page_model.py) compares these for every demo case. The
one normalisation: a form that was a closed `<details>` on the page (its summary and everything in it) and a
link to that form's own page (`<a data-form-page>`) both become one line, `⟨form⟩ <summary or link text>`,
so a form moved to a page of its own compares equal to the closed form it was, and nothing else does.

    .venv/bin/python -m tests.page_snapshot   # writes tests/fixtures/case_pages.json from the pages as they are
"""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "case_pages.json"
SKIPPED = {"script", "style", "head"}
VOID = {"input", "br", "img", "meta", "link", "hr", "source", "wbr", "col", "area", "base", "embed", "track"}


class _Frame:
    """A closed <details> being read: its lines go here until it ends."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.summary: list[str] = []
        self.in_summary = False
        self.has_form = False


class _Snapshot(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self.frames: list[_Frame | None] = []  # one per open <details>: None when it is open on load
        self.skip = 0
        self.form_link: list[str] | None = None

    def _out(self, line: str) -> None:
        frame = next((f for f in reversed(self.frames) if f is not None), None)
        (frame.lines if frame else self.lines).append(line)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag in SKIPPED:
            self.skip += 1
        if self.skip:
            return
        if tag == "details":
            self.frames.append(None if "open" in a else _Frame())
        elif tag == "summary" and self.frames and self.frames[-1] is not None:
            self.frames[-1].in_summary = True
        elif tag == "form":
            for frame in self.frames:
                if frame is not None:
                    frame.has_form = True
            self._out(f"form {a.get('method', 'get')} {a.get('action', '')}")
        elif tag == "a" and "data-form-page" in a:
            self.form_link = []
        elif tag == "a" and a.get("href"):
            self._out(f"link {a['href']}")
        elif tag == "input" and a.get("type") != "hidden":
            kind = a.get("type", "text")
            state = " checked" if "checked" in a else ""
            self._out(f"input {kind} {a.get('name', '')}={a.get('value', '')}{state}")
        elif tag == "option":
            self._out(f"option {a.get('value', '')}{' selected' if 'selected' in a else ''}")

    def handle_endtag(self, tag):
        if tag in SKIPPED:
            self.skip -= 1
            return
        if self.skip:
            return
        if tag == "summary" and self.frames and self.frames[-1] is not None:
            self.frames[-1].in_summary = False
        elif tag == "a" and self.form_link is not None:
            text, self.form_link = " ".join(self.form_link), None
            self._out(f"⟨form⟩ {text}")
        elif tag == "details" and self.frames:
            frame = self.frames.pop()
            if frame is None:
                return
            if frame.has_form:
                self._out(f"⟨form⟩ {' '.join(frame.summary)}")
            else:
                for line in frame.lines:
                    self._out(line)

    def handle_data(self, data):
        text = " ".join(data.split())
        if self.skip or not text:
            return
        if self.form_link is not None:
            self.form_link.append(text)
            return
        frame = self.frames[-1] if self.frames else None
        if frame is not None and frame.in_summary:
            frame.summary.append(text)
        self._out(text)


def snapshot(html: str) -> list[str]:
    """The page's visible text, links, form targets and field values, one per line, in page order."""
    parser = _Snapshot()
    parser.feed(html)
    parser.close()
    return parser.lines


def demo_case_pages(app) -> dict[str, list[str]]:
    """Every demo case's page as its coordinator, its unit's leader and each participant see it."""
    from sqlalchemy import select

    from devkit import demo
    from tests.support import TEST_DAY
    from tik import clock
    from tik.cases.models import Case
    from tik.extensions import db

    # The pages show dates (when a case opened): the demo's weeks end on the fixed test day, and the pages are
    # read on it, so the fixture holds on any day it runs.
    assert demo.load(today=TEST_DAY.date()) is True
    clock.travel(TEST_DAY)
    cases = [(c.ref, c.coordinator.username, sorted(p.user.username for p in c.participants))
             for c in db.session.scalars(select(Case).order_by(Case.ref))]
    db.session.commit()
    pages: dict[str, list[str]] = {}
    for who in sorted({"leder"} | {u for _ref, holder, part in cases for u in (holder, *part)}):
        with app.app_context():
            client = app.test_client()
            answer = client.post("/login", data={"username": who, "password": demo.DEMO_PASSWORD})
            assert answer.status_code == 302, who
            for ref, holder, part in cases:
                if who not in (holder, "leder", *part):
                    continue
                response = client.get(f"/saker/{ref}")
                if response.status_code == 200:
                    pages[f"{ref} as {who}"] = snapshot(response.get_data(as_text=True))
    return pages


def write_fixture() -> None:
    """Run the suite's app on a scratch SQLite database at the test day and write the fixture."""
    import subprocess  # nosec B404 - a developer's tool: pytest writes the fixture through the test below
    import sys

    subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-n", "0",  # nosec B603
                    "tests/cases/test_case_page_model.py::test_every_demo_case_page_shows_what_it_showed"], check=True,
                   env={**__import__("os").environ, "TIK_WRITE_PAGE_FIXTURE": "1"})


if __name__ == "__main__":
    write_fixture()
    print(f"{FIXTURE}: {len(json.loads(FIXTURE.read_text()))} pages")
