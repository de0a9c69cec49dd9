"""The access policy: holder, owning service, services an active consent covers — nobody else."""

from __future__ import annotations

from datetime import date

import pytest
from flows import TO_LEVEL2

from tik.auth.models import Role
from tik.cases import service as cases
from tik.extensions import db

SERVICES = ("school", "health-nurse", "ppt", "nav")
LEVEL3 = [("done", {"services": "health-nurse,ppt"}),
          ("done", {"meeting_date": "2026-11-20", "participants": "x", "shared_understanding": "x"}),
          ("done", {"plan_summary": "x"}),
          ("level3", {"evaluation": "x", "child_experience": "x"})]


def _pages(ref: str) -> list[str]:
    return [f"/saker/{ref}", f"/saker/{ref}/plan", f"/saker/{ref}/plan.pdf", f"/saker/{ref}/plan.pdf?versjon=familie"]


@pytest.fixture
def world(app, make_user, make_case, move_case, give_consent):
    """Users from four services; a case at each level owned by the school; consent for health and PPT
    on the level 2 and 3 cases only."""
    users = {s: make_user(username=f"u-{s}", service=s) for s in SERVICES}
    users["admin"] = make_user(username="u-admin", service="culture-leisure", roles=[Role.ADMIN, Role.LEADER])
    holder = make_user(username="holder", service="school")
    built = {}
    for level in (0, 1, 2, 3):
        case = make_case(by=holder, first_name=f"Barn{level}")
        if level == 1:
            move_case(case, holder, TO_LEVEL2[:-1] + [("level1", {"assessment": "x"})])
        if level >= 2:
            give_consent(case, holder, ["health-nurse", "ppt"])
            move_case(case, holder, TO_LEVEL2)
        if level == 3:
            move_case(case, holder, LEVEL3)
        assert case.level == level
        built[level] = case
    return users, holder, built


def _status(client, login, user, url):
    login(user)
    return client.get(url).status_code


@pytest.mark.parametrize("level", [0, 1, 2, 3])
def test_access_matrix(client, login, world, level):
    users, holder, built = world
    case = built[level]
    consented = level >= 2
    expected = {"school": 200, "health-nurse": 200 if consented else 404, "ppt": 200 if consented else 404,
                "nav": 404, "admin": 404}
    for who, status in expected.items():
        login(users[who])
        for url in _pages(case.ref):
            assert client.get(url).status_code == status, (who, url)
        found = client.post("/saker", data={"q": case.child.first_name}).get_data(as_text=True)
        assert (case.ref in found) == (status == 200), (who, "search")


def test_withdrawing_consent_ends_access_at_once(client, login, world):
    users, holder, built = world
    case = built[2]
    login(users["ppt"])
    assert client.get(f"/saker/{case.ref}").status_code == 200
    consent = case.consents[0]
    cases.withdraw_consent(consent, holder)
    for url in _pages(case.ref):
        assert client.get(url).status_code == 404, url
    assert case.ref not in client.post("/saker", data={"q": "Barn2"}).get_data(as_text=True)
    login(users["school"])
    assert client.get(f"/saker/{case.ref}").status_code == 200


def test_an_expired_consent_gives_no_access(client, login, world):
    from tik import clock

    users, holder, built = world
    login(users["health-nurse"])
    clock.travel(date.fromordinal(clock.today().toordinal() + 400))
    login(users["health-nurse"])
    assert client.get(f"/saker/{built[2].ref}").status_code == 404


def test_the_holder_sees_the_case_wherever_they_work(client, login, make_user, make_case):
    holder = make_user(service="youth-service")
    case = make_case(by=holder)
    login(holder)
    assert client.get(f"/saker/{case.ref}").status_code == 200


def test_unknown_and_forbidden_cases_answer_the_same(client, login, world):
    users, _holder, built = world
    login(users["nav"])
    forbidden = client.get(f"/saker/{built[0].ref}")
    unknown = client.get("/saker/TIK-1999-9999")
    assert forbidden.status_code == unknown.status_code == 404
    same = forbidden.get_data(as_text=True).replace(built[0].ref, "REF")
    assert same == unknown.get_data(as_text=True).replace("TIK-1999-9999", "REF")


def test_viewers_page_is_for_the_holder_only(client, login, world):
    users, holder, built = world
    login(users["school"])
    assert client.get(f"/saker/{built[0].ref}").status_code == 200
    assert client.get(f"/saker/{built[0].ref}/innsyn").status_code == 404
    login(holder)
    page = client.get(f"/saker/{built[0].ref}/innsyn").get_data(as_text=True)
    assert users["school"].name in page and "Skole" in page


def test_every_route_declares_its_access(app):
    from tik.auth.policy import ACCESS_ATTR

    undeclared = [rule.rule for rule in app.url_map.iter_rules()
                  if not hasattr(app.view_functions[rule.endpoint], ACCESS_ATTR)]
    assert undeclared == []


def test_a_route_without_declaration_is_denied(app, client):
    app.add_url_rule("/leaky", "leaky", lambda: "secret")
    assert client.get("/leaky").status_code == 404


def test_case_pages_need_login(client, make_case):
    case = make_case()
    response = client.get(f"/saker/{case.ref}")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_alias_hides_name_birth_date_and_school(app, make_case):
    from tik.cases.anonymise import alias

    case = make_case(first_name="Oskar", birth_date=date(2015, 10, 2), gender="boy", school="Fjordvik skole")
    with app.test_request_context():
        text = alias(case.child, date(2026, 11, 23))
    assert text == "Gutt, 11 år, 6. trinn"
    for identifying in ("Oskar", case.child.last_name, "2015", "Fjordvik"):
        assert identifying not in text


def test_cases_hold_no_reader_list_in_memory(app, world):
    """The policy reads consent from the database each time: another worker sees a withdrawal at once."""
    from tik.auth.policy import can_view_case
    from tik.clock import today

    users, holder, built = world
    case = built[3]
    assert can_view_case(users["ppt"], case, today())
    db.session.execute(db.text("UPDATE consent SET withdrawn_at = CURRENT_TIMESTAMP"))
    db.session.commit()
    db.session.expire_all()
    assert not can_view_case(users["ppt"], case, today())
