"""Statistics that cannot be subtracted: only whole months, quarters and years are offered, and every count is
published rounded to 5, so no two published figures give back a cell hidden as "< 5" (docs/statistics.md)."""

from __future__ import annotations

from datetime import date, datetime
from itertools import combinations

import pytest

from tik import clock
from tik.auth.models import Role
from tik.concerns.service import ChildInput, ConcernInput, GuardianInput, register_concern
from tik.guidebook import current_guide
from tik.stats import service
from tik.stats.refresh import refresh

# Concerns per month and unit: September to November as in the probe (17 in all, 13 in the first two months).
CONCERNS = {(9, "school"): 4, (10, "school"): 6, (10, "kindergarten"): 3, (11, "school"): 3,
            (11, "kindergarten"): 1, (12, "school"): 7, (3, "kindergarten"): 2, (3, "school"): 9}
YEAR = 2026
WHOLE = service.Scope(whole=True)


def _offered_periods() -> list[tuple[date, date]]:
    months = [(date(YEAR, m, 1), date(YEAR, m, 1)) for m in range(1, 13)]
    quarters = [(date(YEAR, q, 1), date(YEAR, q + 2, 1)) for q in (1, 4, 7, 10)]
    return months + quarters + [(date(YEAR, 1, 1), date(YEAR, 12, 1))]


@pytest.fixture
def municipality(app, make_user):
    """Concerns from a school and a kindergarten over the year (each a unit of its own)."""
    users = {kind: make_user(service=kind, roles=(Role.EMPLOYEE, Role.COORDINATOR)) for kind in
             ("school", "kindergarten")}
    for (month, kind), n in CONCERNS.items():
        for i in range(n):
            clock.travel(datetime(YEAR, month, 3 + i, 10, 0))
            register_concern(ChildInput(first_name=f"Barn{month}{kind[:2]}{i}", last_name="Nordmann",
                                        birth_date=date(2016, 1, 1), school="Fjordvik", class_name="4A",
                                        guardians=[GuardianInput("Kari Nordmann", "mor", "400 00 000", "nb")]),
                             ConcernInput(observation="Trøtt"), by=users[kind])
    clock.travel(datetime(YEAR + 1, 1, 10, 12, 0))
    refresh()
    return [None, users["school"].unit_id, users["kindergarten"].unit_id]


# The columns that hold counts (the rest are days, deadlines, shares and averages of published counts).
COUNT_COLUMNS = {"joint_meeting": (0, 1), "voices": (0, 1)}


def _cells(sections) -> dict[tuple, service.Cell]:
    """The count cells of every table, keyed by (table, row, column)."""
    return {(t.key, r.label, i): r.cells[i] for s in sections for t in s.tables for r in t.rows
            for i in COUNT_COLUMNS.get(t.key, (0,))}


def _views(units, threshold: int) -> dict[tuple, dict[tuple, service.Cell]]:
    """Every period and unit offered: the published cells of each, keyed by (table, row, column)."""
    guide = current_guide()
    out = {}
    for start, end in _offered_periods():
        for unit in units:
            filters = service.Filters(start=start, end=end, unit_id=unit)
            out[(start, end, unit)] = _cells(service.sections(service.read(filters, WHOLE), filters, guide,
                                                              threshold, "nb"))
    return out


def _candidates(a: int, b: int, threshold: int) -> set[int]:
    """What a reader can tell a hidden count is, knowing it is the difference of the true counts behind two
    published ones: every difference of counts that publish as `a` and `b`, under the threshold."""
    def behind(shown: int) -> list[int]:
        return [n for n in range(max(0, shown - 20), shown + 21) if service.published(n) == shown]

    return {x - y for x in behind(a) for y in behind(b) if 0 <= x - y < threshold}


def test_no_pair_of_periods_and_units_offered_gives_back_a_hidden_count(app, municipality, monkeypatch):
    threshold = app.config["TIK_STATS_MIN_CELL"]
    with app.test_request_context():
        published = _views(municipality, threshold)
        with monkeypatch.context() as exact:  # the truth behind each published cell: not rounded, only 0 hidden
            exact.setattr(service, "published", lambda n: n)
            truth = _views(municipality, 1)
        published_as = service.published
    hidden_values = {truth[view][key].value for view, cells in published.items() for key, cell in cells.items()
                     if cell.hidden == "primary"} - {None}
    assert hidden_values & {1, 3, 4}  # November's 4, the kindergarten's 1 and 3: hidden somewhere
    numbers = [(view, key) for view, cells in published.items() for key, cell in cells.items()
               if isinstance(cell.value, int) and not cell.hidden and isinstance(truth[view][key].value, int)]
    assert service.published is published_as
    by_position: dict[tuple, list] = {}
    for view, key in numbers:
        by_position.setdefault(key, []).append(view)
    pairs = 0
    for key, views in by_position.items():  # the same figure in two periods, or for two units
        for one, other in combinations(views, 2):
            for big, small in ((one, other), (other, one)):
                difference = truth[big][key].value - truth[small][key].value
                if difference in hidden_values:
                    pairs += 1
                    found = _candidates(published[big][key].value, published[small][key].value, threshold)
                    assert len(found) > 1, f"{key}: {big} − {small} gives back {found}"
    for view, cells in published.items():  # two figures of one view (a row and its total)
        shown = [key for v, key in numbers if v == view]
        for one, other in combinations(shown, 2):
            for big, small in ((one, other), (other, one)):
                if truth[view][big].value - truth[view][small].value in hidden_values:
                    pairs += 1
                    found = _candidates(cells[big].value, cells[small].value, threshold)
                    assert len(found) > 1, f"{view}: {big} − {small} gives back {found}"
    assert pairs > 20  # the pairs that would have given a hidden count back, had the figures been exact


def test_only_whole_months_quarters_and_years_are_offered(app, municipality, client, login, make_user):
    login(make_user(service="culture-leisure", roles=(Role.ANALYST,)))
    for fra, til in (("2026-09", "2026-11"), ("2026-09", "2026-10"), ("2026-02", "2026-04"),
                     ("2026-03", "2027-02")):
        response = client.get(f"/statistikk/?fra={fra}&til={til}")
        assert response.status_code == 422, (fra, til)
        assert "Velg en hel måned, et kvartal eller et år" in response.get_data(as_text=True)
    for fra, til in (("2026-11", "2026-11"), ("2026-10", "2026-12"), ("2026-01", "2026-12")):
        assert client.get(f"/statistikk/?fra={fra}&til={til}").status_code == 200, (fra, til)


def test_the_probe_s_subtraction_gives_a_range_not_november_s_count(app, municipality):
    """September–November is not offered; what is (the quarter, its months) is rounded: November stays < 5."""
    with app.test_request_context():
        views = _views(municipality, app.config["TIK_STATS_MIN_CELL"])
    quarter = views[(date(YEAR, 10, 1), date(YEAR, 12, 1), municipality[1])]  # the school: 6 + 3 + 7
    october, december = (views[(date(YEAR, m, 1), date(YEAR, m, 1), municipality[1])] for m in (10, 12))
    total = ("concerns_month", "I alt", 0)
    assert quarter[("concerns_month", "11.2026", 0)].text == "< 5"
    assert (quarter[total].text, october[total].text, december[total].text) == ("15", "5", "5")
