"""Statistics: each indicator on a small hand-built municipality with known answers, who may see what,
and that no child's identity reaches the page, the PDF or the exports."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta

import pytest
from openpyxl import load_workbook
from support import pdf_text, statements_of

from tik import clock
from tik.auth.models import Role
from tik.cases import steps
from tik.cases.handover import answer_handover, propose_handover
from tik.concerns.service import ChildInput, ConcernInput, GuardianInput, register_concern
from tik.extensions import db
from tik.guidebook import current_guide
from tik.plans import service as plans
from tik.stats import service
from tik.stats.refresh import refresh

START = datetime(2026, 3, 2, 9, 0)
# (first name, birth date, days to the child conversation, to the parents, to the level-0 decision, decision)
CHILDREN = [
    ("Aurora", date(2018, 1, 1), 2, 5, 7, "close"),
    ("Birk", date(2018, 1, 1), 3, 5, 8, "close"),
    ("Cecilie", date(2018, 1, 1), 4, 6, 9, "close"),
    ("Didrik", date(2012, 1, 1), 10, 12, 14, "level1"),
    ("Embla", date(2010, 1, 1), 20, 30, 30, "level1"),
    ("Fride", date(2022, 1, 1), None, None, None, None),  # still waiting for the conversation
]
SIGNALS = {"Aurora": ["sc-sudden-change", "sc-withdrawn"], "Birk": ["sc-absence-pattern"], "Cecilie": []}


def _at(days: int) -> datetime:
    return START + timedelta(days=days)


def _walk(case, by, child_days, parents_days, decide_days, decision):
    clock.travel(_at(child_days))
    steps.decide(case, "done", {"observation": "Sett", "since_when": "i høst", "how_often": "ofte"}, by=by)
    steps.decide(case, "done", {"discussed_with": "leader", "advice": "Snakk med barnet"}, by=by)
    steps.decide(case, "done", {"conversation_date": _at(child_days).date().isoformat(),
                                "child_words": "Det er vanskelig"}, by=by)
    clock.travel(_at(parents_days))
    steps.decide(case, "done", {"conversation_date": _at(parents_days).date().isoformat(),
                                "parents_words": "Vi er bekymret"}, by=by)
    clock.travel(_at(decide_days))
    closing = {"close_reason": "Avklart", "family_informed": "yes"}
    values = {"assessment": "Vurdert"} | (closing if decision == "close" else {})
    steps.decide(case, decision, values, by=by)


@pytest.fixture
def town(app, make_user, give_consent):
    """Six children at one school (and one case at the kindergarten), with timelines, plans and a handover."""
    holder = make_user(username="holder", service="school", roles=(Role.EMPLOYEE, Role.COORDINATOR),
                       name="Hanne Holder")
    colleague = make_user(username="colleague", service="school", roles=(Role.EMPLOYEE, Role.COORDINATOR))
    opened = {}
    for name, birth, child_days, parents_days, decide_days, decision in CHILDREN:
        clock.travel(START)
        result = register_concern(
            ChildInput(first_name=name, last_name="Nordmann", birth_date=birth, school="Fjordvik skole",
                       class_name="5B", guardians=[GuardianInput("Kari Nordmann", "mor", "400 00 000", "nb")]),
            ConcernInput(observation="Trøtt", signals=SIGNALS.get(name, [])), by=holder)
        opened[name] = result.case
        if decision:
            _walk(result.case, holder, child_days, parents_days, decide_days, decision)
    kindergarten = make_user(username="kg", service="kindergarten", roles=(Role.EMPLOYEE, Role.COORDINATOR))
    clock.travel(START)
    register_concern(ChildInput(first_name="Gunnar", last_name="Nordmann", birth_date=date(2023, 5, 5),
                                school="Solsiden", class_name="", guardians=[]),
                     ConcernInput(observation="Gråter mye"), by=kindergarten)

    clock.travel(_at(40))
    didrik, embla = opened["Didrik"], opened["Embla"]
    plans.update_plan(didrik, holder, goals="Mer tilstede", child_voice="Jeg vil være med", parents_voice="")
    measure = plans.add_measure(didrik, holder, plans.MeasureInput(
        "school", "Lærer", "Plan for oppmøte", "Møte hver dag", date(2026, 4, 13), date(2026, 5, 25)))
    plans.evaluate_measure(didrik, measure, holder, plans.EvaluationInput(
        evaluated_on=date(2026, 5, 25), goal_reached=plans.GoalReached.YES, child_experience="Bedre nå",
        next_action=plans.NextAction.END))
    give_consent(embla, holder, ["school", "health-nurse"], young_person=True)
    plans.update_plan(embla, holder, goals="Sove bedre", child_voice="", parents_voice="Hun sover lite")
    plans.add_measure(embla, holder, plans.MeasureInput(
        "health-nurse", "Helsesykepleier", "Samtaler om søvn", "Sove bedre", date(2026, 4, 13), date(2026, 6, 1)))
    handover = propose_handover(didrik, colleague, holder)
    db.session.commit()
    clock.travel(_at(42))
    answer_handover(handover, colleague, accept=True)
    db.session.commit()
    clock.travel(datetime(2026, 12, 1, 12, 0))
    refresh()
    return {"holder": holder, "cases": opened}


WHOLE = service.Scope(whole=True)
YEAR = service.Filters(start=date(2026, 1, 1), end=date(2026, 12, 1))


def test_early_concerns_per_month_age_group_and_signal_category(town):
    figures = service.read(YEAR, WHOLE)
    assert figures.monthly[("concern", date(2026, 3, 1))] == 7
    assert figures.by_age == {"school-child": 3, "youth": 2, "kindergarten": 2}
    assert figures.of("concern_signal") == {"emotion": 1, "school": 1, "none": 5}


def test_early_level_at_end_and_age_at_first_concern(town):
    figures = service.read(YEAR, WHOLE)
    assert figures.of("end_level") == {"0": 3}
    assert figures.of("first_age") == {"6-9": 3, "13-15": 1, "16-18": 1, "3-5": 1, "0-2": 1}


def test_accessible_days_to_conversations_and_decision(town):
    figures = service.read(YEAR, WHOLE)
    child = service.ints(figures.of("days_child"))
    assert child == {2: 1, 3: 1, 4: 1, 10: 1, 20: 1}
    assert service.percentile(child, 0.5) == 4 and service.percentile(child, 0.9) == 20
    assert service.ints(figures.of("days_parents")) == {5: 2, 6: 1, 12: 1, 30: 1}
    decision = service.ints(figures.of("days_decision"))
    assert decision == {7: 1, 8: 1, 9: 1, 14: 1, 30: 1}
    row = service.duration_row("Beslutning", decision, 14, threshold=5)
    assert [c.text for c in row.cells[:4]] == ["5", "9", "30", "14"]
    assert row.cells[4].text == "x"  # 4 of 5 within: the one late case would show through the share


def test_cooperation_services_meetings_and_handovers(town):
    figures = service.read(YEAR, WHOLE)
    assert figures.of("services") == {"1": 6, "2": 1}  # Embla: school and the health nurse
    assert figures.of("joint_meeting") == {}  # nobody reached level 2
    assert figures.of("handover") == {"accepted": 1}
    assert figures.of("handover_days") == {"2": 1}
    assert figures.by_level == {(0, "1"): 5, (1, "1"): 1, (1, "2"): 1}


def test_user_involvement_voices_and_the_young_persons_consent(town):
    figures = service.read(YEAR, WHOLE)
    assert figures.of("plan_child") == {"yes": 1, "no": 1}
    assert figures.of("plan_parents") == {"yes": 1, "no": 1}
    assert figures.of("eval_child") == {"yes": 1}
    assert figures.of("eval_parents") == {"no": 1}
    assert figures.of("consent_young") == {"yes": 1}


def test_mastery_goals_closing_reasons_and_measures_by_area_and_service(town):
    figures = service.read(YEAR, WHOLE)
    assert figures.of("eval_goal") == {"yes": 1}
    assert figures.of("closing") == {"l0-decide:close": 3}
    assert service.closing_label(current_guide(), "l0-decide:close", "nb") == "Avslutt: bekymringen er avklart"
    assert figures.of("measure_area") == {"attendance": 1, "other": 1}
    assert figures.of("measure_service") == {"school": 1, "health-nurse": 1}


def test_filters_narrow_every_figure(town):
    youth = service.read(service.Filters(start=YEAR.start, end=YEAR.end, age_group="youth"), WHOLE)
    assert youth.by_age == {"youth": 2}
    assert service.ints(youth.of("days_child")) == {10: 1, 20: 1}
    kindergarten = service.read(service.Filters(start=YEAR.start, end=YEAR.end, service="kindergarten"), WHOLE)
    assert kindergarten.of("case_opened") == {"": 1}
    before = service.read(service.Filters(start=date(2025, 1, 1), end=date(2026, 2, 1)), WHOLE)
    assert before.totals == {}


def test_a_leaders_scope_is_their_own_unit(town, make_user):
    leader = make_user(service="kindergarten", roles=(Role.EMPLOYEE, Role.LEADER))
    scope = service.scope_for(leader)
    assert scope == service.Scope(whole=False, unit_id=leader.unit_id)
    assert service.read(YEAR, scope).of("case_opened") == {"": 1}
    assert service.scope_for(make_user(roles=(Role.EMPLOYEE, Role.COORDINATOR))) is None


# -- the page and who sees it -------------------------------------------------------------------------------


def test_analyst_sees_the_whole_municipality(town, client, login, make_user):
    login(make_user(service="culture-leisure", roles=(Role.ANALYST,)))
    page = client.get("/statistikk/?fra=2026-01&til=2026-12").get_data(as_text=True)
    assert "Hele kommunen." in page
    assert 'id="table-concerns_month"' in page and "data:image/svg+xml;base64," in page
    assert "<th scope=\"row\">I alt</th><td class=\"tik-num\">5</td>" in page  # 7, published rounded to 5


def test_leader_sees_only_their_own_unit(town, client, login, make_user):
    login(make_user(service="kindergarten", roles=(Role.EMPLOYEE, Role.LEADER)))
    response = client.get("/statistikk/?fra=2026-01&til=2026-12")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Din enhet." in page
    assert 'value="school"' not in page  # no other unit to pick
    assert "<th scope=\"row\">I alt</th><td class=\"tik-num\" data-hidden=\"primary\">&lt; 5</td>" in page
    asked_for_more = client.get("/statistikk/?fra=2026-01&til=2026-12&tjeneste=school&enhet=1")
    assert asked_for_more.status_code == 200  # no such filter for a leader: the figures stay the unit's own
    assert "<th scope=\"row\">I alt</th><td class=\"tik-num\">5</td>" not in asked_for_more.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/statistikk/", "/statistikk/eksport.csv", "/statistikk/eksport.xlsx",
                                  "/statistikk/arsrapport.pdf?ar=2026", "/statistikk/undersokelse"])
def test_a_teacher_gets_404_everywhere(town, client, login, make_user, path):
    login(make_user(roles=(Role.EMPLOYEE, Role.COORDINATOR)))
    assert client.get(path).status_code == 404


def test_a_leader_cannot_import_survey_figures(client, login, make_user):
    login(make_user(roles=(Role.EMPLOYEE, Role.LEADER)))
    assert client.get("/statistikk/undersokelse").status_code == 404


def test_viewing_and_exporting_are_audited(town, client, login, make_user):
    from sqlalchemy import select

    from tik.audit.models import AuditEvent

    analyst = login(make_user(username="analyst", service="culture-leisure", roles=(Role.ANALYST,)))
    client.get("/statistikk/?fra=2026-01&til=2026-12&niva=1")
    client.get("/statistikk/eksport.csv")
    events = db.session.execute(select(AuditEvent.action, AuditEvent.detail)
                                .where(AuditEvent.user_id == analyst.id)).all()
    assert ("stats.view", "2026-01..2026-12 level=1") in events
    assert any(action == "stats.export" and detail.startswith("csv") for action, detail in events)


def test_a_bad_month_is_an_error_on_the_field(client, login, make_user):
    login(make_user(service="culture-leisure", roles=(Role.ANALYST,)))
    response = client.get("/statistikk/?fra=januar")
    assert response.status_code == 422
    assert "Skriv måneden som åååå-mm" in response.get_data(as_text=True)


# -- no identity anywhere -------------------------------------------------------------------------------------


def _identities(town) -> list[str]:
    out = []
    for case in town["cases"].values():
        out += [case.child.first_name, case.ref, case.child.birth_date.isoformat(),
                case.child.birth_date.strftime("%d.%m.%Y")]
    return out + ["Nordmann", "Hanne Holder"]


def test_no_child_name_reference_or_birth_date_in_page_pdf_or_exports(town, client, login, make_user):
    login(make_user(service="culture-leisure", roles=(Role.ANALYST,)))
    outputs = {
        "page": client.get("/statistikk/?fra=2026-01&til=2026-12").get_data(as_text=True),
        "csv": client.get("/statistikk/eksport.csv?fra=2026-01&til=2026-12").data.decode("utf-8-sig"),
        "pdf": pdf_text(client.get("/statistikk/arsrapport.pdf?ar=2026").data),
    }
    book = load_workbook(io.BytesIO(client.get("/statistikk/eksport.xlsx?fra=2026-01&til=2026-12").data))
    outputs["xlsx"] = "\n".join(str(v) for sheet in book for row in sheet.iter_rows(values_only=True) for v in row)
    assert "Bekymringer per måned" in outputs["pdf"] and "I alt" in outputs["xlsx"]
    for kind, text in outputs.items():
        for identity in _identities(town):
            assert identity not in text, f"{identity} in the {kind}"


# -- exports -------------------------------------------------------------------------------------------------------


def _published(town) -> list[service.Section]:
    figures = service.read(YEAR, WHOLE)
    return service.sections(figures, YEAR, current_guide(), 5, "nb")


def test_csv_round_trip_gives_back_every_published_table(town, client, login, make_user):
    login(make_user(service="culture-leisure", roles=(Role.ANALYST,)))
    data = client.get("/statistikk/eksport.csv?fra=2026-01&til=2026-12").data
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    expected = [[row.label, *(c.text for c in row.cells)] for s in _published(town) for t in s.tables
                for row in t.rows]
    body = [r for r in rows if len(r) > 1 and r[0]]
    assert body == expected
    assert ["I alt", "5"] in body and ["Skolebarn (6–12 år)", "< 5"] in body


def test_xlsx_round_trip_gives_back_every_published_table(town, client, login, make_user):
    login(make_user(service="culture-leisure", roles=(Role.ANALYST,)))
    book = load_workbook(io.BytesIO(client.get("/statistikk/eksport.xlsx?fra=2026-01&til=2026-12").data))
    tables = [t for s in _published(town) for t in s.tables]
    assert len(book.sheetnames) == len(tables)
    for sheet, table in zip(book, tables, strict=True):
        rows = list(sheet.iter_rows(values_only=True))
        assert rows[1][0].endswith(table.title)
        for got, row in zip(rows[3:], table.rows, strict=True):
            want = [row.label, *(c.value if c.value is not None and not c.text.endswith("%") else c.text
                                 for c in row.cells)]
            assert list(got) == want


# -- survey ----------------------------------------------------------------------------------------------------

GOOD_SURVEY = "år;indikator;prosent;antall_svar\n2025;Trives på skolen;87,5;1210\n2026;Trives på skolen;85;1180\n"


def test_survey_import_shows_beside_tiks_own_figures(town, client, login, make_user):
    login(make_user(service="culture-leisure", roles=(Role.ANALYST,)))
    response = client.post("/statistikk/undersokelse",
                           data={"fil": (io.BytesIO(GOOD_SURVEY.encode()), "ungdata.csv")})
    assert response.status_code == 302
    page = client.get("/statistikk/?fra=2026-01&til=2026-12").get_data(as_text=True)
    assert "Trives på skolen" in page and "87,5\u00a0%" in page and "Bekymringer i TIK" in page


def test_survey_import_refuses_a_malformed_file_naming_line_and_column(client, login, make_user):
    login(make_user(service="culture-leisure", roles=(Role.ANALYST,)))
    bad = "år;indikator;prosent;antall_svar\n2025;Trives på skolen;87,5;1210\n2025;Stress;mye;900\n"
    response = client.post("/statistikk/undersokelse", data={"fil": (io.BytesIO(bad.encode()), "ungdata.csv")})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Linje 3, kolonne «prosent»: «mye» er ikke en prosent mellom 0 og 100" in page
    from tik.stats.survey import values

    assert values() == []  # nothing of a refused file is kept


# -- the summary's shape ---------------------------------------------------------------------------------------


def test_a_period_reads_whole_years_from_yearly_rows_and_the_rest_by_month():
    assert service.period_parts(date(2025, 12, 1), date(2026, 11, 1)) == [(1, date(2025, 12, 1), date(2026, 11, 1))]
    assert service.period_parts(date(2021, 3, 1), date(2026, 2, 1)) == [
        (1, date(2021, 3, 1), date(2021, 12, 1)), (12, date(2022, 1, 1), date(2025, 1, 1)),
        (1, date(2026, 1, 1), date(2026, 2, 1))]
    assert service.period_parts(date(2024, 1, 1), date(2024, 12, 1)) == [(12, date(2024, 1, 1), date(2024, 1, 1))]


def test_yearly_rows_give_the_same_figures_as_the_months(town):
    by_year = service.read(service.Filters(start=date(2025, 1, 1), end=date(2026, 12, 1)), WHOLE)
    by_month = service.read(service.Filters(start=date(2025, 2, 1), end=date(2026, 12, 1)), WHOLE)
    assert by_year.totals == by_month.totals and by_year.by_age == by_month.by_age


def test_long_durations_are_counted_in_bands_and_shown_as_such(app):
    from tik.stats.refresh import _days

    start = datetime(2026, 1, 1, 9)
    assert [_days(start, start + timedelta(days=d)) for d in (0, 14, 60, 61, 120, 365, 400)] == [
        0, 14, 60, 90, 180, 365, 366]
    with app.test_request_context():
        assert [service.days_text(d) for d in (14, 90, 366)] == ["14", "61–90", "over 365"]


def test_the_nightly_refresh_is_a_command(runner, town):
    result = runner.invoke(args=["stats", "refresh"])
    assert result.exit_code == 0 and "Statistikken er oppdatert" in result.output
    assert service.last_run().cells > 0


def test_the_page_issues_a_handful_of_statements_whatever_the_period(town, client, login, make_user, count_queries):
    login(make_user(service="culture-leisure", roles=(Role.ANALYST,)))
    counts = []
    for query in ("", "?fra=2026-01&til=2026-12", "?fra=2026-07&til=2026-09", "?fra=2026-11"):
        with count_queries() as n:
            assert client.get(f"/statistikk/{query}").status_code == 200
        counts.append(n())
    assert max(counts) <= 20, counts


def test_an_analyst_can_narrow_to_one_unit(town, make_user):
    kindergarten = make_user(service="kindergarten").unit_id
    narrowed = service.read(service.Filters(start=YEAR.start, end=YEAR.end, unit_id=kindergarten), WHOLE)
    assert narrowed.of("case_opened") == {"": 1} and narrowed.by_age == {"kindergarten": 1}


def test_a_leader_without_a_unit_sees_no_statistics(app, make_user):
    leader = make_user(roles=(Role.EMPLOYEE, Role.LEADER))
    leader.unit_id = None
    assert service.scope_for(leader) is None


@pytest.mark.parametrize("birth, at", [
    (date(2020, 12, 25), datetime(2026, 12, 24, 23, 30)),  # winter: 00:30 on the sixth birthday in Oslo
    (date(2020, 6, 15), datetime(2026, 6, 14, 22, 30)),  # summer: 00:30 CEST
    (date(2020, 1, 1), datetime(2025, 12, 31, 23, 30)),  # new year's night: the concern is January's
])
def test_age_group_and_month_are_counted_on_the_local_date(app, make_user, birth, at):
    """A concern at 00:30 Oslo time on a child's sixth birthday (the day before in UTC) counts the child
    as six, a school child, in the local month."""
    teacher = make_user(username="teacher", service="school", roles=(Role.EMPLOYEE, Role.COORDINATOR))
    clock.travel(at)
    register_concern(ChildInput(first_name="Sol", last_name="Nordmann", birth_date=birth, school="Fjordvik skole",
                                class_name="1A", guardians=[]), ConcernInput(observation="Trøtt"), by=teacher)
    refresh()
    local = clock.local_date(at)
    month = date(local.year, local.month, 1)
    figures = service.read(service.Filters(start=month, end=month), WHOLE)
    assert figures.by_age == {"school-child": 1}
    assert figures.of("first_age") == {"6-9": 1}
    assert figures.monthly == {("concern", month): 1, ("case_opened", month): 1}


def _from_detailed_cells(filters: service.Filters) -> service.Figures:
    """The four sums of the whole municipality added up here, in Python, from the detailed cells alone."""
    from tik.stats.models import StatCell

    def within(cell) -> bool:
        return any(cell.months == months and first <= cell.month <= last
                   for months, first, last in service.period_parts(filters.start, filters.end))

    figures = service.Figures()
    for cell in db.session.scalars(db.select(StatCell).where(StatCell.grain == "")):
        sums = []
        if within(cell):
            sums.append((figures.totals, (cell.metric, cell.key)))
            if cell.metric == "concern":
                sums.append((figures.by_age, cell.age_group))
            if cell.metric == "services":
                sums.append((figures.by_level, (cell.level, cell.key)))
        if cell.months == 1 and cell.metric in ("concern", "case_opened"):
            sums.append((figures.monthly, (cell.metric, cell.month)))
        for into, key in sums:
            into[key] = into.get(key, 0) + cell.count
    return figures


@pytest.mark.parametrize("start, end", [(date(2026, 1, 1), date(2026, 12, 1)), (date(2026, 3, 1), date(2026, 4, 1)),
                                        (date(2025, 1, 1), date(2026, 12, 1)), (date(2026, 5, 1), date(2026, 5, 1))])
def test_the_unfiltered_page_reads_the_summed_grains_and_they_agree_with_the_detailed_cells(town, start, end):
    """The whole municipality, unfiltered, is read from the cells the refresh summed over units, services, age
    groups and levels (a few hundred whatever the municipality's size: docs/benchmarks.md); every figure equals
    what the detailed cells add up to, for whole years, months and both together."""
    from tik.stats.models import StatCell

    filters = service.Filters(start=start, end=end)
    read, seen = statements_of(lambda: service.read(filters, WHOLE))
    expected = _from_detailed_cells(filters)
    assert (read.totals, read.monthly, read.by_age, read.by_level) == (
        expected.totals, expected.monthly, expected.by_age, expected.by_level)
    grains = {p for _s, params in seen for p in (params.values() if isinstance(params, dict) else params)
              if p in ("", "whole", "age", "level")}
    assert grains == {"whole", "age", "level"}  # no detailed cell is read
    summed = db.session.scalar(db.select(db.func.count()).select_from(StatCell).where(StatCell.grain == "whole"))
    detailed = db.session.scalar(db.select(db.func.count()).select_from(StatCell).where(StatCell.grain == ""))
    assert 0 < summed < detailed


def test_a_unit_or_a_filter_reads_the_detailed_cells(town, make_user):
    leader = make_user(service="kindergarten", roles=(Role.EMPLOYEE, Role.LEADER))
    for filters, scope in ((YEAR, service.scope_for(leader)),
                           (service.Filters(start=YEAR.start, end=YEAR.end, level=1), WHOLE)):
        _figures, seen = statements_of(lambda filters=filters, scope=scope: service.read(filters, scope))
        grains = {p for _s, params in seen for p in (params.values() if isinstance(params, dict) else params)
                  if p in ("whole", "age", "level")}
        assert grains == set(), seen
