"""The audit trail on an install of several municipalities: the pages that show audit events show only the
municipality's own, the chain itself (sequencer, verify) spans them all, and the platform admin sees no event of
a case. Row-level security on `audit_event` (PostgreSQL) is in tests/municipalities/test_rls.py."""

from __future__ import annotations

from types import SimpleNamespace

from support import PASSWORD
from test_municipalities import A, log_in, places, register, two  # noqa: F401 - the two municipalities' fixtures

from tik.audit.models import AuditEvent
from tik.audit.service import record, verify
from tik.auth.models import Role
from tik.extensions import db
from tik.municipalities import municipality_scope, row_id
from tik.municipalities.models import UnitMunicipality


def test_who_has_seen_a_case_shows_only_the_municipality_s_own_events(client, places, make_unit, make_user):  # noqa: F811
    """A counsellor of Nordvik's unit, shared with Vestvik, is a person Vestvik's pages may name; an event about
    Vestvik's case written in Nordvik (a row of another municipality) is still not Vestvik's to show."""
    a, b = places
    with municipality_scope(b.municipality):
        shared = make_unit("ung-b", "culture-leisure", name="Ungdomssenter B")
        counsellor = make_user("kurator-b", unit=shared, name="Kurt Kuratorsen")
    db.session.add(UnitMunicipality(unit_id=shared.id, municipality_id=row_id(a.municipality, create=True)))
    db.session.commit()
    with municipality_scope(a.municipality):
        case = register(a.holder).case
        ref = case.ref
    with municipality_scope(b.municipality):
        record(counsellor, "case.view", SimpleNamespace(id=case.id, ref=ref))
        db.session.commit()
    log_in(client, a.holder, A)
    assert client.get(f"/saker/{ref}", base_url=A).status_code == 200  # Vestvik's own read, by its holder
    page = client.get(f"/saker/{ref}/innsyn", base_url=A).get_data(as_text=True)
    assert a.holder.name in page
    assert "Kurt Kuratorsen" not in page  # the event is Nordvik's; the person alone would be shown
    with municipality_scope(a.municipality):  # the same held in the service, for every page that lists events
        actions = {e.action for e in db.session.scalars(db.select(AuditEvent).where(AuditEvent.case_id == case.id))}
        assert "case.view" in actions
        assert db.session.scalar(db.select(AuditEvent).where(AuditEvent.user_id == counsellor.id)) is None
    assert verify() == []  # the chain holds every municipality's events, sealed in one sequence


def test_the_platform_admin_s_page_shows_municipalities_and_no_event_of_a_case(client, places, make_user):  # noqa: F811
    a, _b = places
    with municipality_scope(a.municipality):
        case = register(a.holder).case
        platform = make_user("plattform", roles=[Role.PLATFORM_ADMIN], name="Plattform Admin")
    client.post("/logout", base_url=A)
    assert client.post("/login", data={"username": "plattform", "password": PASSWORD}, base_url=A).status_code == 302
    page = client.get("/plattform/kommuner", base_url=A).get_data(as_text=True)
    assert "Vestvik kommune" in page and "Nordvik kommune" in page
    assert case.ref not in page and a.holder.name not in page and "case." not in page
    assert client.get(f"/saker/{case.ref}/innsyn", base_url=A).status_code in (403, 404)
    assert platform.roles == {Role.PLATFORM_ADMIN}
