"""Several municipalities on one install (issue 28): each request works for one municipality, chosen by host
name or by the path prefix /k/<key>/, and nothing of another municipality is found, shown or reached.

The suite's app serves one municipality (no municipalities.yaml); the `two` fixture here points
TIK_MUNICIPALITIES to a file with two, Vestvik (host a.test, prefix /k/vestvik/) and Nordvik (b.test, /k/nordvik/),
both on the bundled guidebook so that the tests need nothing of the Swedish one.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
import yaml
from support import PASSWORD, family_sign_in_at

from tik.auth.models import Role
from tik.concerns.models import Urgency
from tik.concerns.service import ChildInput, ConcernInput, GuardianInput, register_concern
from tik.extensions import db
from tik.municipalities import all_municipalities, by_key, municipality_scope

ROOT = Path(__file__).resolve().parents[2]
A, B = "http://a.test", "http://b.test"


def write_file(folder: Path, second_guidebook: Path | None = None) -> Path:
    entries = [
        {"key": "vestvik", "name": "Vestvik kommune", "country": "NO", "hosts": ["a.test"],
         "guidebook": str(ROOT / "guidebook"), "organisation": str(ROOT / "organisation.yaml"),
         "reference_prefix": "VES", "timezone": "Europe/Oslo", "languages": ["nb", "nn", "en"]},
        {"key": "nordvik", "name": "Nordvik kommune", "country": "NO", "hosts": ["b.test"],
         "guidebook": str(second_guidebook or ROOT / "guidebook"), "organisation": str(ROOT / "organisation.yaml"),
         "reference_prefix": "NOR", "timezone": "Europe/Oslo", "languages": ["nb", "en"]},
    ]
    path = folder / "municipalities.yaml"
    path.write_text(yaml.safe_dump({"municipalities": entries}, allow_unicode=True))
    return path


def use_file(app, path: Path) -> None:
    from tik.org.service import check_municipalities

    app.config["TIK_MUNICIPALITIES"] = str(path)
    app.config["SERVER_NAME"] = None  # each municipality's own host name in the links it makes (sign-in returns)
    for key in ("tik_municipalities", "tik_municipality_ids"):
        app.extensions.pop(key, None)
    check_municipalities(app)


@pytest.fixture
def two(app, tmp_path):
    use_file(app, write_file(tmp_path))
    return by_key("vestvik"), by_key("nordvik")


@dataclass
class Place:
    municipality: object
    school: object
    holder: object
    leader: object
    admin: object
    analyst: object


@pytest.fixture
def places(two, make_unit, make_user):
    """In each municipality a school with a coordinator and a leader, an admin and an analyst."""
    made = []
    for municipality, tag in zip(two, ("a", "b"), strict=True):
        with municipality_scope(municipality):
            school = make_unit(f"skole-{tag}", "school", name=f"Skole {tag.upper()}")
            staff = make_unit(f"stab-{tag}", "culture-leisure")
            holder = make_user(f"holder-{tag}", unit=school, roles=[Role.EMPLOYEE, Role.COORDINATOR],
                               name=f"Holder {tag.upper()}mann")
            leader = make_user(f"leader-{tag}", unit=school, roles=[Role.EMPLOYEE, Role.LEADER])
            make_unit(f"skole-{tag}", leaders=[leader])
            admin = make_user(f"admin-{tag}", unit=staff, roles=[Role.ADMIN])
            analyst = make_user(f"analyst-{tag}", unit=staff, roles=[Role.ANALYST])
            made.append(Place(municipality, school, holder, leader, admin, analyst))
    return made


def register(by, first="Emma", last="Hansen", born=date(2016, 3, 14)):
    return register_concern(
        ChildInput(first_name=first, last_name=last, birth_date=born, school="Skolen", class_name="5B",
                   guardians=[GuardianInput("Kari Hansen", "mor", "400 00 000", "nb")]),
        ConcernInput(observation="Trøtt og lei seg i timene.", signals=[], urgency=Urgency.NONE), by)


def log_in(client, user, base_url):
    client.post("/logout", base_url=base_url)
    response = client.post("/login", data={"username": user.username, "password": PASSWORD}, base_url=base_url)
    assert response.status_code == 302, response.get_data(as_text=True)


def test_without_a_file_the_install_is_one_municipality_from_the_settings(app):
    (only,) = all_municipalities()
    assert only.single and only.name == app.config["TIK_MUNICIPALITY"]


def test_the_same_child_in_two_municipalities_gets_two_cases_and_no_join(places):
    a, b = places
    with municipality_scope(a.municipality):
        first = register(a.holder)
    with municipality_scope(b.municipality):
        second = register(b.holder)
    assert first.opened and second.opened  # a case each: the second school did not join the first one's
    assert first.case.child_id != second.case.child_id
    assert first.case.ref.startswith("VES-") and second.case.ref.startswith("NOR-")
    assert second.case.ref.endswith("-0001")  # each municipality its own series


def _case_routes(ref: str) -> list[str]:
    return [f"/saker/{ref}", f"/saker/{ref}/plan", f"/saker/{ref}/plan.pdf", f"/saker/{ref}/plan.pdf?versjon=familie",
            f"/saker/{ref}/plan/revisjon/1", f"/saker/{ref}/plan/sammenlign?fra=1&til=1", f"/saker/{ref}/innsyn",
            f"/saker/{ref}/hvem-har-sett"]


@pytest.mark.parametrize("how", ["host", "prefix"])
def test_every_case_route_of_one_municipality_answers_404_to_the_others_users(client, places, how):
    a, b = places
    with municipality_scope(a.municipality):
        case = register(a.holder).case
    log_in(client, a.holder, A)
    assert client.get(f"/saker/{case.ref}", base_url=A).status_code == 200  # the route works for its holder
    base, prefix = (B, "") if how == "host" else ("http://localhost", "/k/nordvik")  # any host: the first
    for person in (b.holder, b.leader, b.admin, b.analyst):
        log_in(client, person, base) if how == "host" else _log_in_prefixed(client, person)
        for url in _case_routes(case.ref):
            assert client.get(prefix + url, base_url=base).status_code == 404, (person.username, url)
        for url in (f"/saker/{case.ref}/innsyn-art15", f"/saker/{case.ref}/arkivutskrift"):  # the exports
            assert client.post(prefix + url, base_url=base).status_code == 404, (person.username, url)
        assert case.ref not in client.post(prefix + "/saker", data={"q": "Emma"}, base_url=base).get_data(as_text=True)
        assert case.ref not in client.get(prefix + "/saker", base_url=base).get_data(as_text=True)
        assert case.ref not in client.get(prefix + "/", base_url=base, follow_redirects=True).get_data(as_text=True)


def _log_in_prefixed(client, user):
    client.post("/k/nordvik/logout")
    response = client.post("/k/nordvik/login", data={"username": user.username, "password": PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)
    assert response.headers["Location"].startswith("/k/nordvik/")  # url_for keeps the prefix


def test_a_user_signs_in_only_at_their_own_municipality(client, places):
    a, b = places
    response = client.post("/login", data={"username": a.holder.username, "password": PASSWORD}, base_url=B)
    assert response.status_code != 302
    response = client.post("/k/nordvik/login", data={"username": a.holder.username, "password": PASSWORD})
    assert response.status_code != 302
    log_in(client, a.holder, A)  # at home it works


def test_a_unit_shared_by_both_municipalities_signs_its_staff_in_at_each(client, places, make_unit, make_user):
    from tik.municipalities.models import UnitMunicipality

    a, b = places
    with municipality_scope(a.municipality):
        centre = make_unit("ungdomscentral", "health-nurse")
        worker = make_user("centre-worker", unit=centre)
        db.session.add(UnitMunicipality(unit_id=centre.id, municipality_id=b.municipality.id))
        db.session.commit()
        case_a = register(a.holder).case
    log_in(client, worker, B)  # signs in at the other municipality too
    assert client.get(f"/saker/{case_a.ref}", base_url=B).status_code == 404  # but finds nothing of A there
    log_in(client, worker, A)
    assert client.get(f"/saker/{case_a.ref}", base_url=A).status_code == 404  # nor a case they were not invited to


def test_the_policy_and_its_sql_twin_refuse_a_case_of_another_municipality(places):
    from tik import clock
    from tik.auth.policy import can_view_case, reachable_case_ids, visible_cases
    from tik.cases.models import Case

    a, b = places
    with municipality_scope(a.municipality):
        case = register(a.holder).case
        assert can_view_case(a.holder, case, clock.today())
    # Loaded in A, judged in B (as if a query had forgotten its scope): the rule itself refuses it.
    with municipality_scope(b.municipality):
        assert not can_view_case(a.holder, case, clock.today())
        query = db.select(Case.id).where(visible_cases(a.holder, clock.today())).execution_options(
            all_municipalities=True)
        assert db.session.scalars(query).all() == []
        ids = db.session.scalars(db.select(db.literal_column("id")).select_from(
            reachable_case_ids(a.holder).subquery()).execution_options(all_municipalities=True)).all()
        assert ids == []


def test_a_query_that_forgets_its_scope_finds_nothing_of_another_municipality(places):
    from tik.auth.models import User
    from tik.cases.models import Case, CaseEvent
    from tik.concerns.models import Child, Concern, Guardian
    from tik.org.models import Unit

    a, b = places
    with municipality_scope(a.municipality):
        register(a.holder)
    with municipality_scope(b.municipality):
        for model in (Case, Child, Concern, CaseEvent, Guardian):
            assert db.session.scalars(db.select(model)).all() == [], model
        assert {u.username for u in db.session.scalars(db.select(User))} == {"holder-b", "leader-b", "admin-b",
                                                                             "analyst-b"}
        assert {u.key for u in db.session.scalars(db.select(Unit))} == {"skole-b", "stab-b"}
    with municipality_scope(a.municipality):
        assert len(db.session.scalars(db.select(Case)).all()) == 1


def test_one_statement_compiled_once_finds_each_municipalitys_own_rows(places):
    """The municipality's loader criteria keep their SQL cache key (tik/municipalities/scope.py, HeldCriteria):
    the same statement, compiled once and reused, runs with each municipality's own id, in turn."""
    from tik.cases.models import Case

    a, b = places
    with municipality_scope(a.municipality):
        register(a.holder, first="Anna")
    with municipality_scope(b.municipality):
        register(b.holder, first="Bror")
    for place, name in ((a, "Anna"), (b, "Bror"), (a, "Anna"), (b, "Bror")):
        with municipality_scope(place.municipality):
            assert [c.child.first_name for c in db.session.scalars(db.select(Case))] == [name]


def test_min_side_and_the_admins_lists_stay_in_their_municipality(client, places):
    a, b = places
    with municipality_scope(a.municipality):
        case = register(a.holder).case
    log_in(client, b.admin, B)
    users = client.get("/admin/brukere", base_url=B).get_data(as_text=True)
    assert "holder-b" in users and "holder-a" not in users
    units = client.get("/admin/enheter", base_url=B).get_data(as_text=True)
    assert "Skole B" in units and "Skole A" not in units
    log_in(client, b.holder, B)
    assert case.ref not in client.get("/min-side", base_url=B, follow_redirects=True).get_data(as_text=True)
    log_in(client, a.holder, A)
    assert case.ref in client.get("/min-side", base_url=A, follow_redirects=True).get_data(as_text=True)


def test_a_broken_guidebook_stops_only_its_municipality_naming_file_and_entry(app, client, places, tmp_path,
                                                                            caplog):
    broken = tmp_path / "broken-guidebook"
    shutil.copytree(ROOT / "guidebook", broken)
    guide = yaml.safe_load((broken / "guide.yaml").read_text())
    guide["levels"][0]["steps"][0]["decisions"][0]["next"] = "no-such-step"
    (broken / "guide.yaml").write_text(yaml.safe_dump(guide, allow_unicode=True, sort_keys=False))
    from tik.org.service import check_municipalities

    app.config["TIK_MUNICIPALITIES"] = str(write_file(tmp_path, second_guidebook=broken))
    app.extensions.pop("tik_municipalities", None)
    stopped = check_municipalities(app)
    assert list(stopped) == ["nordvik"]
    assert any("guide.yaml" in p and "no-such-step" in p for p in stopped["nordvik"]), stopped
    assert "no-such-step" in caplog.text and "nordvik" in caplog.text
    assert client.get("/login", base_url=B).status_code == 503
    assert client.get("/login", base_url=A).status_code == 200


def _family_sign_in(app, provider, pid: str, base_url: str):
    """A new browser signs in on "Min familie" at `base_url` as the person with national id `pid`."""
    from urllib.parse import urlsplit

    client, back, signed_in = family_sign_in_at(app, provider, pid, base_url)
    assert back.netloc == urlsplit(base_url).netloc  # back to the municipality where the sign-in began
    assert signed_in
    return client


def test_a_guardian_with_children_in_both_sees_each_case_only_on_its_municipalitys_page(app, places,
                                                                                        oidc_provider):
    from support import use_test_provider

    use_test_provider(app, oidc_provider, "family")
    family_sso = oidc_provider
    uris = oidc_provider.clients["tik-family"].redirect_uris
    added = [f"{base}/login/oidc/family/callback" for base in (A, B)]  # each municipality's own address
    uris += added
    try:
        _guardian_in_both(app, places, family_sso)
    finally:
        for uri in added:
            uris.remove(uri)


def _guardian_in_both(app, places, family_sso):
    from test_family import MOTHER_A, set_guardian_nin, told


    a, b = places
    with municipality_scope(a.municipality):
        anna = told(register(a.holder, first="Anna", last="Berg").case)
        set_guardian_nin(anna.child.guardians[0], MOTHER_A)
    with municipality_scope(b.municipality):
        bror = told(register(b.holder, first="Bror", last="Berg", born=date(2014, 5, 5)).case)
        set_guardian_nin(bror.child.guardians[0], MOTHER_A)
    at_a = _family_sign_in(app, family_sso, MOTHER_A, A)
    page = at_a.get("/min-familie/", base_url=A).get_data(as_text=True)
    assert "Anna" in page and "Bror" not in page
    assert at_a.get(f"/min-familie/{bror.ref}", base_url=A).status_code == 404
    at_b = _family_sign_in(app, family_sso, MOTHER_A, B)
    page = at_b.get("/min-familie/", base_url=B).get_data(as_text=True)
    assert "Bror" in page and "Anna" not in page
    assert at_b.get(f"/min-familie/{anna.ref}", base_url=B).status_code == 404
    assert at_b.get(f"/min-familie/{bror.ref}", base_url=B).status_code == 200


def test_statistics_are_computed_and_kept_per_municipality(places):
    from tik.stats.models import StatCell
    from tik.stats.refresh import refresh

    a, b = places
    with municipality_scope(a.municipality):
        for n in range(3):
            register(a.holder, first=f"Barn{n}", last="Vest", born=date(2015, 1, 1 + n))
        refresh()
        cells_a = db.session.scalars(db.select(StatCell)).all()
    with municipality_scope(b.municipality):
        register(b.holder)
        refresh()  # B's nightly run neither counts A's cases nor deletes A's figures
        cells_b = db.session.scalars(db.select(StatCell)).all()
        opened_b = sum(c.count for c in cells_b if c.metric == "case_opened" and c.months == 1 and c.grain == "")
    with municipality_scope(a.municipality):
        assert len(db.session.scalars(db.select(StatCell)).all()) == len(cells_a) > 0
        opened_a = sum(c.count for c in db.session.scalars(db.select(StatCell))
                       if c.metric == "case_opened" and c.months == 1 and c.grain == "")
    assert (opened_a, opened_b) == (3, 1)


def test_each_municipality_speaks_its_first_language_and_offers_only_its_own(app, client, tmp_path):
    path = write_file(tmp_path)
    text = path.read_text().replace("- nb\n  - en\n", "- en\n  - nb\n")  # Nordvik: English first
    path.write_text(text)
    use_file(app, path)
    assert 'lang="nb"' in client.get("/login", base_url=A).get_data(as_text=True)
    assert 'lang="en"' in client.get("/login", base_url=B).get_data(as_text=True)
    with client.session_transaction(base_url=B) as session:
        session["lang"] = "nn"  # not offered by Nordvik
    assert 'lang="en"' in client.get("/login", base_url=B).get_data(as_text=True)


def test_retention_in_one_municipality_never_touches_another(app, places, make_case, make_user, give_consent):
    from datetime import timedelta

    from lifecycle_support import close, rich_case

    from tik import clock
    from tik.cases.models import Case
    from tik.lifecycle.archive import print_archive
    from tik.lifecycle.retention import add_months, plan_retention, run_retention

    a, b = places
    with municipality_scope(a.municipality):
        case, holder, *_ = rich_case(make_case, make_user, give_consent)
        close(case, holder)
        print_archive(db.session.get(Case, case.id), holder)
        ref, due = case.ref, add_months(case.closed_at.date(), 24)
    clock.travel(due + timedelta(days=1))
    with municipality_scope(b.municipality):
        assert plan_retention(clock.today()) == []  # B's schedule lists nothing of A
        run_retention(clock.today())
    with municipality_scope(a.municipality):
        assert db.session.scalar(db.select(Case.id).where(Case.ref == ref)) is not None
        assert [c.ref for c in plan_retention(clock.today()) if c.deletes] == [ref]  # due there, and only there


def test_the_platform_admin_adds_a_municipality_and_sees_no_content(client, two, make_unit, make_user):
    from tik.municipalities import row_id

    vestvik, nordvik = two
    with municipality_scope(vestvik):
        platform = make_user("platform", unit=make_unit("drift", "culture-leisure"), roles=[Role.PLATFORM_ADMIN])
        holder = make_user("holder-v", unit=make_unit("skole-v", "school"), roles=[Role.EMPLOYEE, Role.COORDINATOR])
        admin = make_user("admin-v", unit=make_unit("stab-v", "culture-leisure"), roles=[Role.ADMIN])
        case = register(holder).case
    assert row_id(nordvik) is None
    log_in(client, platform, A)
    page = client.get("/plattform/kommuner", base_url=A).get_data(as_text=True)
    assert "Vestvik kommune" in page and "Nordvik kommune" in page
    response = client.post("/plattform/kommuner", data={"key": "nordvik"}, base_url=A)
    assert response.status_code == 302 and row_id(nordvik) is not None
    assert client.post("/plattform/kommuner", data={"key": "nowhere"}, base_url=A).status_code == 404
    for url in (f"/saker/{case.ref}", "/admin/brukere", "/admin/enheter", "/statistikk/"):
        assert client.get(url, base_url=A).status_code == 404, url  # no content of any municipality
    assert case.ref not in client.get("/saker", base_url=A).get_data(as_text=True)
    log_in(client, admin, A)
    assert client.get("/plattform/kommuner", base_url=A).status_code == 404  # a municipality's admin: not this


def test_the_organisation_file_names_a_units_other_municipalities(client, two, tmp_path, make_user):
    from tik.org.models import Unit
    from tik.org.service import check_organisation, load_organisation

    vestvik, nordvik = two
    org = tmp_path / "organisation.yaml"
    org.write_text(yaml.safe_dump({"units": [
        {"key": "ungdomscentral", "name": "Ungdomscentralen", "service": "health-nurse", "leaders": ["uc-chef"],
         "municipalities": ["nordvik"]}]}))
    with municipality_scope(vestvik):
        load_organisation(org)
        unit = db.session.scalar(db.select(Unit).where(Unit.key == "ungdomscentral"))
        worker = make_user("uc-worker", unit=unit)
    with municipality_scope(nordvik):  # the unit is seen in the other municipality too
        assert db.session.scalar(db.select(Unit.key).where(Unit.key == "ungdomscentral")) == "ungdomscentral"
    log_in(client, worker, B)  # and its staff sign in there
    org.write_text(org.read_text().replace("nordvik", "nowhere"))
    with municipality_scope(vestvik):
        problems = [str(p) for p in check_organisation(org)[1]]
    assert any("ungdomscentral" in p and "nowhere" in p for p in problems), problems
