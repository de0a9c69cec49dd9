"""No N+1: each main page issues a handful of SQL statements, however much the case or the user holds.

Every request is counted from a fresh session (as in production, where each request has its own), after
one warm-up request (the guide is loaded once per process). On SQLite the `BEGIN IMMEDIATE` of each
transaction counts as a statement; on PostgreSQL the audit trail's advisory lock does.
"""

from __future__ import annotations

from collections import Counter
from contextlib import contextmanager
from datetime import timedelta

import pytest
from flows import TO_LEVEL1
from sqlalchemy import event
from support import seeded_municipality, statements_of

from tik.auth.models import Role
from tik.clock import today
from tik.extensions import db
from tik.plans import service as plans

LIMIT = 12  # a handful: what the page shows, its access check, and its audit event (2 statements)
FEW, MANY = 3, 30


@contextmanager
def _recording():
    """The statements themselves, so a failure names the ones that repeat."""
    seen: list[str] = []

    def before(conn, cursor, statement, params, context, executemany):
        if statement != "BEGIN":  # as count_queries: a DEFERRED begin takes no lock and reads nothing
            seen.append(" ".join(statement.split()))

    event.listen(db.engine, "before_cursor_execute", before)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", before)


def _count(client, count_queries, method: str, url: str, data: dict | None = None) -> tuple[int, list[str]]:
    """Statements of one request, after a warm-up request; asserts the page answered 200."""
    db.session.remove()
    assert client.open(url, method=method, data=data).status_code == 200
    db.session.remove()
    with count_queries() as n, _recording() as seen:
        response = client.open(url, method=method, data=data)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return n(), seen


def _listing(statements: list[str]) -> str:
    """Each distinct statement once, with how often it ran: what repeats is the N+1."""
    return "\n".join(f"  {k}× {s[:150]}" for s, k in Counter(statements).items())


def _assert_flat(page: str, few: tuple[int, list[str]], many: tuple[int, list[str]]) -> None:
    (n_few, _seen_few), (n_many, seen_many) = few, many
    assert n_many <= LIMIT, f"{page}: {n_many} statements (limit {LIMIT}). Statements:\n{_listing(seen_many)}"
    assert n_many == n_few, (f"{page}: {n_few} statements with {FEW}, {n_many} with {MANY}. "
                             f"Statements:\n{_listing(seen_many)}")


@pytest.fixture
def case_holding(make_user, make_case, move_case, give_consent):
    """A level-1 case with `k` measures, `k` more timeline entries, written by three people."""

    def build(k: int):
        people = [make_user(service=s, roles=(Role.EMPLOYEE, Role.COORDINATOR))
                  for s in ("school", "school", "health-nurse")]
        holder = people[0]
        case = make_case(by=holder)
        move_case(case, holder, TO_LEVEL1)
        give_consent(case, holder, ["health-nurse"])
        for i in range(k):
            by = people[i % len(people)]
            plans.add_measure(case, by, plans.MeasureInput(
                service_key=by.service_key, responsible=by.name, what=f"Tiltak {i}", goal="Bedre hverdag",
                start_on=today(), evaluate_on=today() + timedelta(weeks=6)))
        return holder, case

    return build


@pytest.fixture
def user_holding(make_user, make_case, give_consent):
    """A user who holds `k` open cases, all found by one search, each with a consent expiring soon."""

    def build(k: int):
        user = make_user(service="school", roles=(Role.EMPLOYEE, Role.COORDINATOR))
        for i in range(k):
            case = make_case(by=user, first_name=f"Barn{i}", last_name="Søkesen")
            give_consent(case, user, ["health-nurse"], days=10)
        return user

    return build


@pytest.fixture
def user_taking_part(make_user, make_unit, give_consent):
    """A PPT adviser who takes part in `k` cases, each held by another teacher and waiting for child welfare:
    each row needs the case's holder, its participants and consents (may the adviser know of the report?)."""
    from datetime import date

    from tik.cases.participants import invite_participant
    from tik.concerns.models import Urgency
    from tik.concerns.service import ChildInput, ConcernInput, GuardianInput, register_concern

    def build(k: int):
        adviser = make_user(service="ppt", unit=make_unit("ppt", "ppt"))
        for i in range(k):
            holder = make_user(service="school", roles=(Role.EMPLOYEE, Role.COORDINATOR))
            child = ChildInput(first_name=f"Barn{k}x{i}", last_name="Søkesen", birth_date=date(2015, 5, 1),
                               guardians=[GuardianInput("Per Søkesen", "far", "", "nb")])
            case = register_concern(child, ConcernInput(observation="Trøtt."), by=holder).case
            give_consent(case, holder, ["ppt"])
            invite_participant(case, adviser, holder)
            register_concern(child, ConcernInput(observation="Blåmerker.", urgency=Urgency.SUSPICION), by=holder)
        return adviser

    return build


@pytest.mark.parametrize("page", ["case", "plan"])
def test_case_pages_issue_few_statements_whatever_the_case_holds(page, client, login, count_queries,
                                                                 case_holding):
    counts = []
    for k in (FEW, MANY):
        holder, case = case_holding(k)
        login(holder)
        url = f"/saker/{case.ref}" if page == "case" else f"/saker/{case.ref}/plan"
        counts.append(_count(client, count_queries, "GET", url))
    _assert_flat(f"{page} page", *counts)


@pytest.mark.parametrize(("page", "method", "url", "data"), [
    ("my cases", "GET", "/saker", None),
    ("search", "POST", "/saker", {"q": "søkesen"}),
    ("my work", "GET", "/min-side", None),
])
def test_list_pages_issue_few_statements_whatever_the_user_holds(page, method, url, data, client, login,
                                                                 count_queries, user_holding):
    counts = []
    for k in (FEW, MANY):
        login(user_holding(k))
        counts.append(_count(client, count_queries, method, url, data))
    _assert_flat(page, *counts)


@pytest.mark.parametrize(("page", "method", "url", "data"), [
    ("my cases", "GET", "/saker", None),
    ("search", "POST", "/saker", {"q": "søkesen"}),
])
def test_list_pages_issue_few_statements_whatever_the_user_takes_part_in(page, method, url, data, client, login,
                                                                         count_queries, user_taking_part):
    """The same lists for someone who holds none of their cases: each row's holder, and whether they may know
    why a waiting case stands still, come with the list, not a statement per row."""
    counts = []
    for k in (FEW, MANY):
        login(user_taking_part(k))
        counts.append(_count(client, count_queries, method, url, data))
    _assert_flat(page, *counts)


def test_the_case_page_stays_flat_with_500_timeline_events(client, login, count_queries, make_user, make_case):
    """The page shows the latest events (the whole log is one click away): 500 events cost what 10 do."""
    from tik.cases.models import EventKind
    from tik.cases.page import TIMELINE_ON_PAGE
    from tik.timeline import service

    counts = []
    for k in (10, 500):
        holder = make_user(service="school", roles=(Role.EMPLOYEE, Role.COORDINATOR))
        case = make_case(by=holder)
        total = k + len(service.timeline(case))  # registering writes the first events
        for i in range(k):
            service.log(case, EventKind.STEP, holder, step_id="l0-concretise", decision="done",
                        fields={"observation": f"Observasjon nummer {i}"})
        db.session.commit()
        login(holder)
        counts.append(_count(client, count_queries, "GET", f"/saker/{case.ref}"))
        page = client.get(f"/saker/{case.ref}").get_data(as_text=True)
        assert page.count('class="tik-timeline__item') == min(total, TIMELINE_ON_PAGE)
        assert f"Observasjon nummer {k - 1}" in page  # the newest first
        assert ("Observasjon nummer 0<" in page) == (total <= TIMELINE_ON_PAGE)
        assert ("Se hele stafettloggen" in page) == (total > TIMELINE_ON_PAGE)
    _assert_flat("case page, 10 vs 500 events", *counts)
    whole = client.get(f"/saker/{case.ref}/logg").get_data(as_text=True)
    assert whole.count('class="tik-timeline__item') == total and "Observasjon nummer 0<" in whole


def test_the_measures_a_user_answers_for_are_found_by_index_when_most_name_an_outside_person(make_user, make_case):
    """"Min side" finds my measures by `responsible_id`; most measures name an outside person and leave it empty
    (here all of them, as in a municipality that has just begun). A full index then holds one key, NULL, for
    (nearly) every row, and SQLite's planner, once the database is analysed, read the whole table instead, on
    every "Min side": the index is partial (only measures someone in TIK answers for)."""
    from sqlalchemy import insert, select, text

    from tik.plans.models import Measure, Plan

    holder = make_user()
    holder_id, plan_id = holder.id, plans.ensure_plan(make_case(by=holder)).id
    db.session.execute(insert(Measure), [
        dict(plan_id=plan_id, service_key="school", responsible="Ekstern", what="x", goal="y",
             start_on=today(), evaluate_on=today(), responsible_id=None) for _ in range(500)])
    db.session.commit()
    mine = select(Plan.case_id).join(Measure, Measure.plan_id == Plan.id).where(Measure.responsible_id == holder_id)
    with db.engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql("ANALYZE")
            sql = str(mine.compile(conn, compile_kwargs={"literal_binds": True}))
            steps = " / ".join(row[3] for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}"))
            assert "SEARCH measure USING INDEX ix_measure_responsible_id" in steps, steps
        else:  # PostgreSQL plans a table this small by scanning it: check the index is the partial one
            definition = conn.execute(text("SELECT indexdef FROM pg_indexes WHERE indexname = "
                                           "'ix_measure_responsible_id'")).scalar_one()
            assert "WHERE (responsible_id IS NOT NULL)" in definition, definition
    assert db.session.execute(mine).all() == []


def test_the_case_list_reads_the_cases_it_lists_by_primary_key_however_many_are_open(app, runner):
    """"Mine saker" on a seeded municipality, analysed: the statement that loads the listed cases reads them by
    primary key, never every open case of the municipality (a name search, which `search_cases` narrows the same
    way, is left to the planner: with few children of a name it rightly starts from the name's index). As one
    statement (the cases `IN` the union of the rule's three roots, with the rule) PostgreSQL's planner scanned
    every open case and hash-joined the union to them at any size: the list's cost grew with the municipality
    (p50 27.5 ms at 1 000 children, 80.6 ms at 100 000 in `make bench`). Both databases are held to the plan."""
    import re

    from sqlalchemy import func, select

    from tik.cases.models import Case, CaseStatus
    from tik.cases.queries import my_cases

    user = seeded_municipality(runner)
    open_cases = db.session.scalar(select(func.count()).select_from(Case).where(Case.status == CaseStatus.OPEN))
    listed, seen = statements_of(lambda: my_cases(user))
    statements = {"list": next((s, p) for s, p in seen if re.match(r'\s*SELECT "?case"?\.id, "?case"?\.ref', s))}
    assert 0 < len(listed) < open_cases
    for what, (statement, params) in statements.items():
        with db.engine.connect() as conn:
            cursor = conn.connection.cursor()
            if conn.dialect.name == "postgresql":
                cursor.execute("EXPLAIN (ANALYZE, COSTS OFF) " + statement, params)
                plan = "\n".join(row[0] for row in cursor.fetchall())
                assert "pk_case" in plan and 'Hash Cond: ("case".id' not in plan, f"{what}:\n{plan}"
                assert 'Seq Scan on "case"' not in plan, f"{what}:\n{plan}"
                removed = [int(n) for n in re.findall(r"Rows Removed by Filter: (\d+)", plan)]
                assert all(n < len(listed) * 2 for n in removed), f"{what}:\n{plan}"  # not every open case
            else:
                cursor.execute("EXPLAIN QUERY PLAN " + statement, params)
                steps = " / ".join(row[3] for row in cursor.fetchall())
                assert "SEARCH case USING INTEGER PRIMARY KEY" in steps, f"{what}: {steps}"
    # The ids the three roots reach, each root through its own index: the led units' root read every case of the
    # municipality on SQLite (`unit_id IN (the units I lead)`: 67 ms at 100 000 children for someone who leads
    # none, docs/benchmarks.md); it starts from the units the user leads now.
    # (PostgreSQL's planner rightly scans a table this small, either way; at 100 000 children `make bench` holds it.)
    statement, params = next((s, p) for s, p in seen if " UNION " in s)
    if db.engine.dialect.name == "sqlite":
        with db.engine.connect() as conn:
            cursor = conn.connection.cursor()
            cursor.execute("EXPLAIN QUERY PLAN " + statement, params)
            steps = " / ".join(row[3] for row in cursor.fetchall())
            assert not re.search(r"\bSCAN case\b", steps), steps


def test_min_side_reads_no_statement_by_scanning_the_whole_log_or_every_case(app, runner):
    """"Min side" on a seeded municipality, analysed: none of its statements reads the whole stafettlogg or every
    case. The leader's feedback to a reporter was found by reading every case event (a sequential scan: 400
    buffers at 1 000 children, growing with the municipality); events are indexed by kind and time now
    (ix_case_event_kind_at). Both databases are held to the plan."""
    import re

    from tik.mywork.service import work_for

    user = seeded_municipality(runner)
    work, seen = statements_of(lambda: work_for(user))
    seen = [(s, p) for s, p in seen if re.match(r"\s*SELECT", s)]
    assert work.steps and any("FROM case_event" in s for s, _p in seen)
    for statement, params in seen:
        with db.engine.connect() as conn:
            cursor = conn.connection.cursor()
            if conn.dialect.name == "postgresql":
                cursor.execute("EXPLAIN (COSTS OFF) " + statement, params)
                plan = "\n".join(row[0] for row in cursor.fetchall())
                # (its small tables, case and plan, it may scan at this size: the bench measures it at scale)
                assert "Seq Scan on case_event" not in plan, plan
            else:
                cursor.execute("EXPLAIN QUERY PLAN " + statement, params)
                plan = " / ".join(row[3] for row in cursor.fetchall())
                assert not re.search(r"\bSCAN (case_event|case)\b", plan), plan  # SEARCH (by a key) only


def test_the_statistics_page_reads_the_summary_from_its_covering_index_alone_after_a_refresh(app, runner, client):
    """The statistics page on a seeded municipality just after the night's refresh (`tik stats refresh`), as an
    analyst (the whole municipality): every sum is read from ix_stat_cell_covering alone, led by the metric.
    On PostgreSQL the refresh had left every row of the summary new: outside the visibility map, so each
    "index-only" read still visited every row in the table (Heap Fetches), and unknown to the planner (one row
    estimated), which then filtered the metric instead of seeking it: 7 066 buffers at 1 000 children, 17 981 at
    100 000 (docs/benchmarks.md). The refresh now vacuums and analyses the summary. Both databases are held."""
    import re

    from sqlalchemy import text

    from devkit.scale import BENCH_USER, PASSWORD, seed_scale_command

    result = runner.invoke(seed_scale_command, ["--children", "400", "--seed", "7"])
    assert result.exit_code == 0, result.output
    db.session.execute(text("UPDATE \"user\" SET roles = roles || ',analyst' WHERE username = :u"), {"u": BENCH_USER})
    db.session.commit()
    assert runner.invoke(args=["stats", "refresh"]).exit_code == 0
    assert client.post("/login", data={"username": BENCH_USER, "password": PASSWORD}).status_code == 302
    seen: list[tuple[str, object]] = []

    def before(conn, cursor, statement, params, context, executemany):
        if "FROM stat_cell" in statement:
            seen.append((statement, params))

    event.listen(db.engine, "before_cursor_execute", before)
    try:
        assert client.get("/statistikk/").status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", before)
    assert len(seen) >= 4
    for statement, params in seen:
        with db.engine.connect() as conn:
            cursor = conn.connection.cursor()
            if conn.dialect.name == "postgresql":
                cursor.execute("EXPLAIN (ANALYZE, COSTS OFF) " + statement, params)
                plan = "\n".join(row[0] for row in cursor.fetchall())
                assert "Index Only Scan using ix_stat_cell_covering" in plan, plan
                assert re.search(r"Index Cond: \(.*\bmetric = ", plan), plan  # sought, not filtered
                assert all(n == "0" for n in re.findall(r"Heap Fetches: (\d+)", plan)), plan
            else:
                cursor.execute("EXPLAIN QUERY PLAN " + statement, params)
                plan = " / ".join(row[3] for row in cursor.fetchall())
                assert "USING COVERING INDEX ix_stat_cell_covering" in plan, plan


def test_a_name_search_by_index_range_finds_a_name_whatever_character_follows_the_words_start(make_user, make_case):
    """The range a name's start is sought by reaches past every character, also one outside the Basic
    Multilingual Plane (a CJK character of some Chinese and Japanese names): `prefix + "\\uffff"` stopped
    short of those, and such a child was not found by the start of the name."""
    from tik.cases.queries import search_cases

    user = make_user()
    mei = make_case(by=user, first_name="Mei", last_name="王𠮷")
    other = make_case(by=user, first_name="Mei", last_name="Wang")
    assert [r.ref for r in search_cases(user, "王")] == [mei.ref]
    assert [r.ref for r in search_cases(user, "mei 王")] == [mei.ref]
    assert [r.ref for r in search_cases(user, "mei")] == [other.ref, mei.ref]
