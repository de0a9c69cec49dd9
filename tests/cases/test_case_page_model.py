"""The case page's model: the page shows what it showed before the model, for every demo case and viewer (the
forms that were closed on load now sit on pages of their own), in a fixed number of statements."""

from __future__ import annotations

import json
import os

from tests.page_snapshot import FIXTURE, demo_case_pages


def test_every_demo_case_page_shows_what_it_showed(app):
    """The visible text, links, form targets and field values of every demo case's page, as its coordinator,
    its unit's leader and its participants see it, equal those the page showed before the page model
    (tests/fixtures/case_pages.json, written from the old template); the only normalisation is a closed form
    against the link to its page (tests/page_snapshot.py)."""
    pages = demo_case_pages(app)
    if os.environ.get("TIK_WRITE_PAGE_FIXTURE"):  # `python -m tests.page_snapshot`: the fixture from this tree
        FIXTURE.parent.mkdir(exist_ok=True)
        FIXTURE.write_text(json.dumps(pages, ensure_ascii=False, indent=0) + "\n")
    before = json.loads(FIXTURE.read_text())
    assert sorted(pages) == sorted(before)
    for key, lines in pages.items():
        assert lines == before[key], key


def _busiest_case(app):
    """The demo loaded, and the demo case with the most events, with its coordinator."""
    from sqlalchemy import func, select

    from devkit import demo
    from tik.cases.models import Case, CaseEvent
    from tik.extensions import db

    assert demo.load() is True
    ref = db.session.scalar(select(Case.ref).join(CaseEvent, CaseEvent.case_id == Case.id)
                            .group_by(Case.ref).order_by(func.count().desc(), Case.ref).limit(1))
    db.session.remove()  # a fresh session: nothing the demo loaded is cached in it
    case = db.session.scalar(select(Case).where(Case.ref == ref))
    return case, case.coordinator


STATEMENTS = 11  # the case page's loader on the demo's busiest case (see the test's docstring)


def test_the_case_page_loads_in_a_fixed_budget_and_the_template_asks_nothing(app, count_queries):
    """`case_page` loads the demo's busiest case for its coordinator in at most STATEMENTS statements (the
    step state, the events, the concerns, the plan, the consents, the participants, the handovers, the life
    panel, …), and rendering the page from the CasePage issues none: the template reads only the model."""
    from flask import render_template
    from flask_login import login_user

    from tik.cases.page import case_page
    from tik.clock import today

    case, holder = _busiest_case(app)
    with app.test_request_context(f"/saker/{case.ref}"):
        login_user(holder)
        with count_queries() as loading:
            page = case_page(case, holder, today())
        with count_queries() as rendering:
            html = render_template("cases/case.html", **page.context())
    assert case.child.name in html and "Stafettlogg" in html and len(page.timeline) > 5
    assert loading() <= STATEMENTS, loading()
    assert rendering() == 0, f"the template issued {rendering()} statements"


def test_guide_fragments_are_rendered_once_per_digest_language_and_values(app):
    """The parts of the page that only depend on the guidebook (the ladder, the step's decisions and tools, the
    hard stops) are rendered once per guidebook digest, language and values, and kept: the same key gives
    the same fragment without a render, another level, language or guidebook renders its own."""
    from dataclasses import replace

    from flask import template_rendered
    from flask_babel import force_locale

    from tik.cases import fragments
    from tik.guidebook import current_guide

    guide = current_guide()
    rendered = []

    def note(sender, template, context, **extra):
        rendered.append(template.name)

    fragments._kept.clear()
    template_rendered.connect(note, app)
    try:
        with app.test_request_context("/"):
            with force_locale("nb"):
                first = fragments.guide_fragment("ladder", guide, "nb", level=1)
                again = fragments.guide_fragment("ladder", guide, "nb", level=1)
                level_two = fragments.guide_fragment("ladder", guide, "nb", level=2)
                other_guide = fragments.guide_fragment("ladder", replace(guide, digest="0" * 64), "nb", level=1)
            with force_locale("en"):
                english = fragments.guide_fragment("ladder", guide, "en", level=1)
    finally:
        template_rendered.disconnect(note, app)
    assert rendered == ["cases/fragments/ladder.html"] * 4
    assert again is first and level_two != first and other_guide == first
    assert guide.levels[1].title.get("en") in english and guide.levels[1].title.get("nb") in first
    assert english != first
