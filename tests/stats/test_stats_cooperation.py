"""Statistics for an inter-municipal cooperation (issue 28): a unit that belongs to several municipalities (a youth
centre of two, unit_municipality) gets its figures summed over all of them, shown to that unit's leaders only,
with the same protection as one municipality's figures: no published count under the threshold, only whole months,
quarters and years, every count rounded, so that the cooperation's figure less one municipality's never gives
back the other's hidden count (tests/stats/test_stats_subtraction.py for one municipality)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import pytest
from test_municipalities import log_in, use_file, write_file
from test_stats_subtraction import _candidates, _cells

from tik import clock
from tik.auth.models import Role
from tik.concerns.service import ChildInput, ConcernInput, GuardianInput, register_concern
from tik.extensions import db
from tik.guidebook import current_guide
from tik.municipalities import by_key, municipality_scope
from tik.stats import service
from tik.stats.refresh import refresh

A, B = "http://a.test", "http://b.test"
YEAR = 2026
# Concerns registered by the youth centre's worker in each municipality, and by a school of Vestvik alone.
CENTRE = {("vestvik", 9): 6, ("nordvik", 9): 4, ("vestvik", 10): 1, ("nordvik", 10): 2}
SCHOOL = {("vestvik", 9): 5}


@dataclass
class Cooperation:
    centre: object
    leader: object  # the youth centre's leader (a member of Vestvik's staff)
    worker: object
    school_leader: object  # a leader of a unit of Vestvik alone
    analyst: object
    other_leader: object  # a leader at the centre who is not one of its leaders


def _concerns(by, month: int, n: int, tag: str) -> None:
    for i in range(n):
        clock.travel(datetime(YEAR, month, 2 + i, 10, 0))
        register_concern(ChildInput(first_name=f"Barn{tag}{month}{i}", last_name="Nordmann",
                                    birth_date=date(2008, 1, 1), school="Ungdomscentralen", class_name="",
                                    guardians=[GuardianInput("Kari Nordmann", "mor", "400 00 000", "nb")]),
                         ConcernInput(observation="Har sluttet å komme."), by=by)


@pytest.fixture
def cooperation(app, tmp_path, make_unit, make_user) -> Cooperation:
    """Vestvik and Nordvik share a youth centre (its home Vestvik, a unit_municipality row for Nordvik); its
    worker registers concerns in both, a school of Vestvik in Vestvik only; each municipality's nightly summary."""
    from tik.municipalities.models import UnitMunicipality

    use_file(app, write_file(tmp_path))
    vestvik, nordvik = by_key("vestvik"), by_key("nordvik")
    with municipality_scope(vestvik):
        centre = make_unit("ungdomscentral", "health-nurse", name="Ungdomscentralen")
        worker = make_user("centre-worker", unit=centre, roles=[Role.EMPLOYEE, Role.COORDINATOR])
        leader = make_user("centre-leader", unit=centre, roles=[Role.EMPLOYEE, Role.LEADER])
        make_unit("ungdomscentral", leaders=[leader])
        # works at the centre and leads a unit of Vestvik's, but is not one of the centre's leaders
        other_leader = make_user("centre-deputy", unit=centre, roles=[Role.EMPLOYEE, Role.LEADER])
        db.session.add(UnitMunicipality(unit_id=centre.id, municipality_id=nordvik.id))
        school = make_unit("skole-a", "school", name="Skole A")
        teacher = make_user("teacher-a", unit=school, roles=[Role.EMPLOYEE, Role.COORDINATOR])
        school_leader = make_user("school-leader", unit=school, roles=[Role.EMPLOYEE, Role.LEADER])
        make_unit("skole-a", leaders=[school_leader, other_leader])
        analyst = make_user("analyst-a", service="culture-leisure", roles=[Role.ANALYST])
        db.session.commit()
    for (key, month), n in sorted(CENTRE.items(), key=lambda item: item[0][1]):
        with municipality_scope(by_key(key)):
            _concerns(worker, month, n, f"{key[0]}c")
            if (key, month) in SCHOOL:
                _concerns(teacher, month, SCHOOL[(key, month)], f"{key[0]}s")
    clock.travel(datetime(YEAR + 1, 1, 10, 12, 0))
    for municipality in (vestvik, nordvik):
        with municipality_scope(municipality):
            refresh()
    return Cooperation(centre, leader, worker, school_leader, analyst, other_leader)


def test_the_shared_unit_s_leader_sees_the_figures_summed_over_both_municipalities(client, cooperation):
    log_in(client, cooperation.leader, A)
    own = client.get("/statistikk/?fra=2026-09&til=2026-09", base_url=A).get_data(as_text=True)
    assert "/statistikk/samarbeid" in own  # the way there, from the leader's own page
    assert "5 i alt." in own and "10 i alt." not in own  # Vestvik's 6 alone, rounded
    response = client.get("/statistikk/samarbeid?fra=2026-09&til=2026-09", base_url=A)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Statistikk for samarbeidet Ungdomscentralen" in page and "Vestvik kommune, Nordvik kommune" in page
    assert "10 i alt." in page  # 6 in Vestvik + 4 in Nordvik: the centre's cases in both
    assert "15 i alt." not in page and "5 i alt." not in page  # neither the school's 5 nor one municipality alone
    log_in(client, cooperation.leader, B)  # the same figures at the other municipality's address
    assert "10 i alt." in client.get("/statistikk/samarbeid?fra=2026-09&til=2026-09", base_url=B).get_data(
        as_text=True)


def test_no_one_but_the_shared_unit_s_leaders_sees_the_cooperation(client, cooperation):
    for user in (cooperation.school_leader, cooperation.worker, cooperation.analyst, cooperation.other_leader):
        log_in(client, user, A)
        assert client.get("/statistikk/samarbeid", base_url=A).status_code == 404, user.username
    log_in(client, cooperation.school_leader, A)
    assert "/statistikk/samarbeid" not in client.get("/statistikk/", base_url=A).get_data(as_text=True)


def test_the_cooperation_s_figures_are_suppressed_like_one_municipality_s(app, client, cooperation):
    threshold = app.config["TIK_STATS_MIN_CELL"]
    log_in(client, cooperation.leader, A)
    october = client.get("/statistikk/samarbeid?fra=2026-10&til=2026-10", base_url=A).get_data(as_text=True)
    assert "3 i alt." not in october and f"&lt; {threshold}" in october  # 1 + 2: summed, then hidden
    assert client.get("/statistikk/samarbeid?fra=2026-09&til=2026-10", base_url=A).status_code == 422
    with app.test_request_context():
        together = service.cooperation_for(cooperation.leader)
        for start, end in _periods():
            filters = service.Filters(start=start, end=end)
            cells = _cells(service.sections(service.read_cooperation(filters, together), filters, current_guide(),
                                            threshold, "nb"))
            shown = [c.value for c in cells.values() if isinstance(c.value, int) and not c.hidden]
            assert all(n >= threshold for n in shown if n), (start, end, shown)


def _periods() -> list[tuple[date, date]]:
    months = [(date(YEAR, m, 1), date(YEAR, m, 1)) for m in range(1, 13)]
    return months + [(date(YEAR, q, 1), date(YEAR, q + 2, 1)) for q in (1, 4, 7, 10)] + [
        (date(YEAR, 1, 1), date(YEAR, 12, 1))]


def test_the_cooperation_less_one_municipality_never_gives_back_the_other_s_hidden_count(app, cooperation):
    """Every period offered: the centre's leader can read the cooperation's figure and the centre's figure in
    each municipality. Where one municipality's figure is hidden, the other two, rounded, leave it a range."""
    threshold = app.config["TIK_STATS_MIN_CELL"]
    pairs = 0
    with app.test_request_context():
        together = service.cooperation_for(cooperation.leader)
        unit = service.Scope(whole=False, unit_id=together.unit_id)
        for start, end in _periods():
            filters = service.Filters(start=start, end=end)
            views = {"both": service.read_cooperation(filters, together)}
            for key in ("vestvik", "nordvik"):
                with municipality_scope(by_key(key)):
                    views[key] = service.read(filters, unit)
            cells = {name: _cells(service.sections(figures, filters, current_guide(), threshold, "nb"))
                     for name, figures in views.items()}
            for hidden, other in (("nordvik", "vestvik"), ("vestvik", "nordvik")):
                for key, cell in cells[hidden].items():
                    both, known = cells["both"].get(key), cells[other].get(key)
                    if cell.hidden != "primary" or not both or not known:
                        continue
                    if isinstance(both.value, int) and isinstance(known.value, int) and not both.hidden \
                            and not known.hidden:
                        pairs += 1
                        found = _candidates(both.value, known.value, threshold)
                        assert len(found) > 1, f"{start}–{end} {key}: both − {other} gives back {found}"
    assert pairs > 0  # e.g. September: the cooperation's 10 less Vestvik's 5 leaves Nordvik's 4 a range
