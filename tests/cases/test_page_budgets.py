"""The family's page and the plan's prints load through the case page's loader (tik.timeline.loading) in a fixed
number of statements, whatever the case holds: these budgets fail when a page or a print adds a query (or one
per entry, per measure, per consent)."""

from __future__ import annotations

from flows import TO_LEVEL1

from tik import crypto
from tik.extensions import db

# The route's audit event of the read (flushed by the first select), the plan with its measures, the events (one
# statement: the case page's loader), the holder and their unit, who has read the case.
FAMILY_PAGE = 6
# The print's unit of work (its savepoint and release), the plan with its measures, the latest events with every
# conversation's words (one statement: the case page's loader), the next meeting and the print's audit event;
# the staff print and the family letter alike. PostgreSQL adds one: the unit of work's savepoint sets the
# transaction's municipality again for row-level security (tik/municipalities/scope.py).
PLAN_PDF = 6


def _rich_case(make_case, make_measure, give_consent, more: int = 0):
    """A case at level 1 told to the family (its conversations on the timeline), a guardian with a national id,
    measures, consents, and `more` extra measures and consents (a bigger case must cost no more statements)."""
    from tik.cases.steps import decide

    case = make_case()
    for decision, values in TO_LEVEL1:
        decide(case, decision, values, by=case.coordinator)
    guardian = case.child.guardians[0]
    guardian.nin_encrypted = crypto.encrypt("02048512345")
    guardian.nin_lookup = crypto.lookup_hash("02048512345")
    guardian.responsibility = True
    db.session.commit()
    for i in range(2 + more):
        make_measure(case, case.coordinator, what=f"Tiltak {i}")
        give_consent(case, case.coordinator, ["health-nurse", "child-welfare"])
    return case.ref, guardian.nin_lookup


def _family_page_statements(app, count_queries, ref: str, lookup: str) -> tuple[int, int, str, int]:
    from flask import render_template

    from tik.auth.policy import family_case_for
    from tik.clock import today
    from tik.family.service import family_page
    from tik.family.texts import FamilyTexts

    db.session.remove()  # a fresh session, as a request has: nothing loaded before
    with app.test_request_context(f"/min-familie/{ref}"):
        case, relation = family_case_for(lookup, ref)  # the route's access-checked lookup, audited
        with count_queries() as loading:
            page = family_page(case, relation, lookup, FamilyTexts("nb"), today())
        with count_queries() as rendering:
            html = render_template("family/case.html", **page.context())
    return loading(), rendering(), html, len(page.timeline)


def test_the_family_page_loads_in_a_fixed_budget_and_its_template_asks_nothing(app, count_queries, make_case,
                                                                               make_measure, give_consent):
    small = _family_page_statements(app, count_queries, *_rich_case(make_case, make_measure, give_consent))
    big = _family_page_statements(app, count_queries, *_rich_case(make_case, make_measure, give_consent, more=4))
    for loading, rendering, html, entries in (small, big):
        assert "Tiltak 1" in html and entries > 3, (entries, html)
        assert loading <= FAMILY_PAGE, loading
        assert rendering == 0, f"the family template issued {rendering} statements"
    assert big[0] == small[0], (small[0], big[0])


def _plan_pdf_statements(app, count_queries, ref: str, family: bool) -> int:
    from sqlalchemy import select

    from tik.cases.models import Case
    from tik.plans.printing import plan_pdf

    db.session.remove()
    with app.test_request_context(f"/saker/{ref}"):
        case = db.session.scalar(select(Case).where(Case.ref == ref))
        _loaded = case.child.guardians, case.coordinator, case.consents  # what the route's case_for brings
        with count_queries() as printing:
            name, data = plan_pdf(case, case.coordinator, family=family)
        assert data.startswith(b"%PDF") and ref in name
    return printing()


def test_the_plan_prints_load_in_a_fixed_budget(app, count_queries, make_case, make_measure, give_consent):
    small_ref, _ = _rich_case(make_case, make_measure, give_consent)
    big_ref, _ = _rich_case(make_case, make_measure, give_consent, more=4)
    budget = PLAN_PDF + (db.engine.dialect.name == "postgresql")
    for family in (False, True):
        small = _plan_pdf_statements(app, count_queries, small_ref, family)
        big = _plan_pdf_statements(app, count_queries, big_ref, family)
        assert small <= budget and big == small, (family, small, big)
