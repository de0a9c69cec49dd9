"""A probe across the two demo municipalities finds nothing (issue 28, "Done when").

The real file (municipalities.yaml: Fjordvik on fjordvik.localhost and /k/fjordvik/, Åmål on amal.localhost and
/k/amal/) and the real demo (`devkit.demo.load_all()`). Every demo user of each municipality, signed in at their
own, asks for every GET route that names a case, meeting, report, measure, guardian or conversation of the OTHER
municipality, by host name and by path prefix: each answers 404 with the body of a reference that does not
exist, and no answer names the other's children or references. A user signing in at the other is refused.

To stay within its budget every user asks for every case's page, and for every route kind of one case (another
case per user, so that all cases are walked across the users); the ids (meetings, reports, measures, guardians,
conversations) are all asked for by every user.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import pytest
from markupsafe import escape
from sqlalchemy import or_
from support import family_sign_in_at
from test_municipalities import use_file

from tik.cases.views import FORM_ROUTES
from tik.extensions import db
from tik.municipalities import by_key, municipality_scope, row_id

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "tik-demo-2026"  # nosec B105 - the demo's password (devkit.demo.DEMO_PASSWORD)
BOGUS = "ZZZ-1999-9999"
SHARED = "kurator.nystrom"  # Åmål's school counsellor, invited to Noah's case in the demo
LISTS = ("/", "/saker", "/min-side", "/moter/", "/enhet", "/admin/brukere", "/admin/enheter", "/statistikk/",
         "/ung/innboks")


@dataclass
class Holdings:
    """What one municipality holds that another must never reach."""

    key: str
    host: str
    refs: list[str] = field(default_factory=list)
    names: set[str] = field(default_factory=set)
    revisions: dict[str, int] = field(default_factory=dict)
    ids: list[str] = field(default_factory=list)  # paths without a reference: meetings, conversations
    case_ids: dict[str, list[str]] = field(default_factory=dict)  # paths with the case's ref and an id
    usernames: list[str] = field(default_factory=list)
    people: set[str] = field(default_factory=set)  # staff's and units' names: the other's lists must not show them


def _holdings(municipality) -> Holdings:
    """Read with an explicit municipality filter, not through the scope under test (so that a broken scope
    cannot hide a case from the probe)."""
    from tik.auth.models import User
    from tik.cases.models import Case, ChildWelfareReport
    from tik.meetings.models import Meeting
    from tik.municipalities.models import UnitMunicipality
    from tik.org.models import Unit
    from tik.plans.models import Measure, Plan
    from tik.youth.models import YouthConversation

    held = Holdings(municipality.key, municipality.hosts[0])
    with municipality_scope(municipality):
        mid = row_id(municipality)

        def rows(statement):
            return db.session.execute(statement.execution_options(all_municipalities=True)).all()

        for (case,) in rows(db.select(Case).where(Case.municipality_id == mid).order_by(Case.id)):
            held.refs.append(case.ref)
            child = case.child
            held.names.add(f"{child.first_name} {child.last_name}")
            paths = [f"/saker/{case.ref}/foresatte/{g.id}/min-familie" for g in child.guardians]
            paths += [f"/saker/{case.ref}/skjema/foresatt/{g.id}" for g in child.guardians]
            held.case_ids[case.ref] = paths
        for measure_id, ref in rows(db.select(Measure.id, Case.ref).join(Plan, Measure.plan_id == Plan.id)
                                    .join(Case, Plan.case_id == Case.id).where(Case.municipality_id == mid)):
            held.case_ids[ref] += [f"/saker/{ref}/plan/tiltak/{measure_id}",
                                   f"/saker/{ref}/plan/tiltak/{measure_id}/evaluering"]
        reports = db.select(ChildWelfareReport.id, Case.ref).join(Case, ChildWelfareReport.case_id == Case.id)
        for report_id, ref in rows(reports.where(Case.municipality_id == mid)):
            held.case_ids[ref].append(f"/saker/{ref}/melding/{report_id}.pdf")
        for (meeting_id,) in rows(db.select(Meeting.id).where(Meeting.municipality_id == mid)):
            held.ids += [f"/moter/{meeting_id}", f"/moter/{meeting_id}/referat.pdf"]
        for (conversation_id,) in rows(db.select(YouthConversation.id).where(YouthConversation.municipality_id == mid)):
            held.ids.append(f"/ung/innboks/{conversation_id}")
        shared = db.select(UnitMunicipality.unit_id).where(UnitMunicipality.municipality_id == mid)
        held.usernames = sorted(name for (name,) in rows(db.select(User.username).where(
            User.active, or_(User.municipality_id == mid, User.unit_id.in_(shared)))))
        everywhere = db.select(UnitMunicipality.unit_id)  # a shared unit and its staff are listed in each
        held.people = {name for (name,) in rows(db.select(User.name).where(
            User.municipality_id == mid, User.unit_id.not_in(everywhere)))}
        held.people |= {name for (name,) in rows(db.select(Unit.name).where(
            Unit.municipality_id == mid, Unit.id.not_in(everywhere)))}
    return held


def _case_paths(ref: str, held: Holdings) -> list[str]:
    paths = [f"/saker/{ref}", f"/saker/{ref}/plan", f"/saker/{ref}/plan.pdf", f"/saker/{ref}/plan.pdf?versjon=familie",
             f"/saker/{ref}/plan/revisjon/1", f"/saker/{ref}/plan/revisjon/1.pdf",
             f"/saker/{ref}/plan/sammenlign?fra=1&til=1", f"/saker/{ref}/innsyn", f"/saker/{ref}/logg",
             f"/saker/{ref}/samtykkeskjema.pdf", f"/moter/nettverk/{ref}",
             f"/min-familie/{ref}", f"/min-familie/{ref}/brev.pdf", f"/min-familie/{ref}/logg"]
    paths += [f"/saker/{ref}/skjema/{name}" for name in FORM_ROUTES]
    return paths + held.case_ids[ref]


@pytest.fixture
def demo(app):
    from devkit.demo import load_all

    use_file(app, ROOT / "municipalities.yaml")
    assert len(load_all()) == 2
    _share_a_unit(by_key("amal"), by_key("fjordvik"), SHARED)
    return _holdings(by_key("fjordvik")), _holdings(by_key("amal"))


def _bogus(path: str, refs: list[str]) -> str:
    for ref in refs:
        path = path.replace(ref, BOGUS)
    return re.sub(r"/\d+(?=/|\.pdf|$)", "/999999", path)


def _answer(response) -> str:
    return f"{response.headers.get('Location', '')}\n{response.get_data(as_text=True)}"


def _normalised(body: str, prefix: str, path: str, refs: list[str]) -> str:
    """The page without the path it was asked for (the language picker returns there) and without references."""
    full = path if "?" in path else path + "?"  # request.full_path, where the picker returns
    for asked in (prefix + full, full, prefix + path, path):
        for form in (asked, str(escape(asked)), quote(asked, safe="")):
            body = body.replace(form, "PATH")
    for ref in refs:
        body = body.replace(ref, "REF")
    return body


def _share_a_unit(owner, other, username: str) -> None:
    """The unit of `username` (invited to a case of `owner` in the demo) serves `other` too, as an inter-municipal
    unit does: its staff sign in at both, so the municipality check, not the unit rule, is what keeps that case
    from them at `other`."""
    from tik.auth.models import User
    from tik.municipalities.models import UnitMunicipality

    with municipality_scope(owner):
        unit_id = db.session.scalar(db.select(User.unit_id).where(User.username == username))
    db.session.add(UnitMunicipality(unit_id=unit_id, municipality_id=row_id(other, create=True)))
    db.session.commit()


def _sign_in(client, username: str, base: str, prefix: str):
    client.post(prefix + "/logout", base_url=base)
    return client.post(prefix + "/login", data={"username": username, "password": PASSWORD}, base_url=base)


def _probe(client, home: Holdings, other: Holdings, how: str, turn: int) -> int:
    base, prefix = (f"http://{home.host}", "") if how == "host" else ("http://localhost", f"/k/{home.key}")
    asked = 0
    for n, username in enumerate(home.usernames):
        response = _sign_in(client, username, base, prefix)
        if response.status_code != 302 or "/mfa" in response.headers.get("Location", ""):
            continue  # needs a second factor (none in the demo today)
        one = other.refs[(n + turn) % len(other.refs)]
        paths = [f"/saker/{ref}" for ref in other.refs] + _case_paths(one, other) + other.ids
        unknown: dict[str, str] = {}  # the answer for a reference that does not exist
        for path in paths:
            response = client.get(prefix + path, base_url=base)
            # Staff asking for a family page are sent to the family's sign-in, as for any reference.
            expected_status = 302 if path.startswith("/min-familie/") else 404
            assert response.status_code == expected_status, (how, username, path, response.status_code)
            section = path.split("/")[1]  # the menu marks the section: one unknown answer per section
            if section not in unknown:  # the same answer, once the path asked for is taken out of it
                bogus = _bogus(path, other.refs)
                answer = client.get(prefix + bogus, base_url=base)
                assert answer.status_code == expected_status, (how, username, bogus)
                unknown[section] = _normalised(_answer(answer), prefix, bogus, [BOGUS])
            body = _answer(response)
            assert _normalised(body, prefix, path, other.refs) == unknown[section], (how, username, path)
            assert not [name for name in other.names if name in body], (how, username, path)
            asked += 1
        for path in (f"/saker/{one}/innsyn-art15", f"/saker/{one}/arkivutskrift"):  # the exports are posted
            response, answer = (client.post(prefix + p, base_url=base) for p in (path, _bogus(path, other.refs)))
            assert response.status_code == answer.status_code == 404, (how, username, path)
            assert (_normalised(_answer(response), prefix, path, other.refs)
                    == _normalised(_answer(answer), prefix, _bogus(path, other.refs), [BOGUS])), (how, username, path)
        for url in LISTS:  # each answers the user's own lists, or 404 to a user without the role
            response = client.get(prefix + url, base_url=base, follow_redirects=True)
            body = response.get_data(as_text=True)
            if url == "/admin/brukere" and response.status_code == 200:
                assert [name for name in home.people if name in body], username  # the list does list people
            assert not [ref for ref in other.refs if ref in body], (how, username, url)
            assert not [name for name in other.names | other.people if name in body], (how, username, url)
        first = sorted(other.names)[n % len(other.names)].split()[0]
        body = client.post(prefix + "/saker", data={"q": first}, base_url=base).get_data(as_text=True)
        assert not [ref for ref in other.refs if ref in body], (how, username, "search", first)
    return asked


@pytest.mark.parametrize("how", ["host", "prefix"])
def test_a_probe_across_the_two_demo_municipalities_finds_nothing(client, demo, how):
    fjordvik, amal = demo
    assert fjordvik.refs and amal.refs and fjordvik.ids  # Åmål's demo holds no meeting
    asked = _probe(client, fjordvik, amal, how, 0) + _probe(client, amal, fjordvik, how, 1)
    assert asked > 500  # the probe really walked


def test_a_demo_user_of_one_municipality_is_refused_at_the_other(client, demo):
    fjordvik, amal = demo
    for home, other in ((fjordvik, amal), (amal, fjordvik)):
        for username in home.usernames[:3]:
            assert _sign_in(client, username, f"http://{other.host}", "").status_code != 302, username
            assert _sign_in(client, username, "http://localhost", f"/k/{other.key}").status_code != 302, username
            assert _sign_in(client, username, f"http://{home.host}", "").status_code == 302, username


def _offered(page: str) -> list[str]:
    picker = page[page.index('id="lang-select"'):]
    return re.findall(r'<option value="(\w+)"', picker[:picker.index("</select>")])


def test_the_language_picker_offers_only_the_municipalitys_languages(app, client):
    use_file(app, ROOT / "municipalities.yaml")
    assert _offered(client.get("/login", base_url="http://amal.localhost").get_data(as_text=True)) == ["sv", "en"]
    assert _offered(client.get("/k/amal/login").get_data(as_text=True)) == ["sv", "en"]
    fjordvik = client.get("/login", base_url="http://fjordvik.localhost").get_data(as_text=True)
    assert _offered(fjordvik) == ["nb", "nn", "en"]
    client.post("/language", data={"lang": "nb", "next": "/login"}, base_url="http://amal.localhost")
    page = client.get("/login", base_url="http://amal.localhost").get_data(as_text=True)
    assert 'lang="sv"' in page  # bokmål is not Åmål's to choose, even by posting it
    client.post("/language", data={"lang": "en", "next": "/login"}, base_url="http://amal.localhost")
    assert 'lang="en"' in client.get("/login", base_url="http://amal.localhost").get_data(as_text=True)


def test_the_platform_admins_page_is_in_the_menu_for_that_role_only(client, login, make_unit, make_user):
    from tik.auth.models import Role

    staff = make_unit("drift", "culture-leisure")
    link = 'href="/plattform/kommuner"'
    login(make_user("platform", unit=staff, roles=[Role.PLATFORM_ADMIN]))
    page = client.get("/plattform/kommuner").get_data(as_text=True)
    assert link in page and 'aria-current="page">Kommuner<' in page
    for roles in ([Role.ADMIN], [Role.EMPLOYEE, Role.COORDINATOR, Role.LEADER], [Role.ANALYST]):
        login(make_user(f"user-{roles[0].value}", unit=staff, roles=roles))
        assert link not in client.get("/min-side", follow_redirects=True).get_data(as_text=True), roles


def _family_sign_in(app, provider, pid: str, base_url: str):
    """A new browser tries to sign in on "Min familie" at `base_url` as `pid`: the client and whether it got in."""
    client, _back, signed_in = family_sign_in_at(app, provider, pid, base_url)
    return client, signed_in


def test_a_fjordvik_guardian_finds_nothing_of_fjordvik_at_amal(app, demo, oidc_provider):
    """Fjordvik's demo guardians (with their national ids, as `tik dev-idp` signs them in) see their child's
    case at home; at Åmål they are refused (a Norwegian id there) or, if let in, find none of Fjordvik's."""
    from support import use_test_provider

    from devkit.devidp import DEMO_GUARDIANS

    fjordvik, amal = demo
    use_test_provider(app, oidc_provider, "family")
    uris = oidc_provider.clients["tik-family"].redirect_uris
    added = [f"http://{held.host}/login/oidc/family/callback" for held in demo]
    uris += added
    try:
        for name, pid in list(DEMO_GUARDIANS.items())[:3]:
            home, signed_in = _family_sign_in(app, oidc_provider, pid, f"http://{fjordvik.host}")
            own = [ref for ref in fjordvik.refs
                   if home.get(f"/min-familie/{ref}", base_url=f"http://{fjordvik.host}").status_code == 200]
            assert signed_in and own, name  # at home the guardian sees their child's case
            away, _ = _family_sign_in(app, oidc_provider, pid, f"http://{amal.host}")
            response = away.get("/min-familie/", base_url=f"http://{amal.host}", follow_redirects=True)
            page = response.get_data(as_text=True)
            assert not [ref for ref in fjordvik.refs if ref in page], name
            assert not [child for child in fjordvik.names if child in page], name
            for ref in own:
                assert away.get(f"/min-familie/{ref}", base_url=f"http://{amal.host}").status_code in (302, 404)
    finally:
        for uri in added:
            uris.remove(uri)
