""""Min familie": guardians and young people signed in through the ID-porten-like client of a real test
provider, matched on the keyed hash of the national id in `pid`; the access matrix, withdrawal of consent with
its immediate effect on staff access, who has read the case, and family-visible text shown as text."""

from __future__ import annotations

from datetime import date
from urllib.parse import urlsplit

import pytest
import requests
from sqlalchemy import select
from support import PASSWORD

from tik import crypto
from tik.audit.models import AuditEvent
from tik.auth.models import Role
from tik.auth.oidc import init_oidc
from tik.cases.models import CaseEvent, EventKind
from tik.cases.participants import invite_participant
from tik.cases.queries import active_participant
from tik.extensions import db


def valid_nin(born: date, individual: int) -> str:
    """A national id with correct control digits (individual numbers < 500: born 1900–1999 … or 2000+ via
    500–999); enough for tests."""
    w1, w2 = (3, 7, 6, 1, 8, 9, 4, 5, 2), (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)
    while True:
        base = f"{born:%d%m%y}{individual:03d}"
        d = [int(c) for c in base]
        k1 = (11 - sum(w * x for w, x in zip(w1, d, strict=True)) % 11) % 11
        k2 = (11 - sum(w * x for w, x in zip(w2, d + [k1], strict=True)) % 11) % 11
        if k1 < 10 and k2 < 10:
            return f"{base}{k1}{k2}"
        individual += 1


MOTHER_A = valid_nin(date(1985, 4, 2), 100)
MOTHER_B = valid_nin(date(1986, 6, 9), 120)
STRANGER = valid_nin(date(1970, 1, 1), 130)


@pytest.fixture
def family_sso(app, oidc_provider):
    oidc_provider.tamper = {}
    app.config["TIK_OIDC"] = {"family": {"issuer": oidc_provider.issuer, "client_id": "tik-family",
                                         "client_secret": "dev-family-secret", "scope": "openid profile",
                                         "label": "ID-porten (test)"}}
    init_oidc(app)
    yield oidc_provider
    for key in [k for k in oidc_provider.identities if k.startswith("t-")]:
        del oidc_provider.identities[key]


def family_sign_in(app, provider, pid: str):
    """A new browser signs in on "Min familie" as the person with national id `pid`; returns the client."""
    client = app.test_client()
    key = f"t-{pid}"
    provider.identities[key] = {"client": "tik-family", "name": "Testperson", "pid": pid,
                                "acr": "idporten-loa-high", "amr": ["BankID"]}
    start = client.get("/min-familie/logg-inn")
    answer = requests.get(start.headers["Location"], params={"login": key}, allow_redirects=False, timeout=10)
    back = urlsplit(answer.headers["Location"])
    assert client.get(f"{back.path}?{back.query}").status_code == 302
    return client


def set_guardian_nin(guardian, nin: str, responsibility: bool = True):
    guardian.nin_encrypted = crypto.encrypt(nin)
    guardian.nin_lookup = crypto.lookup_hash(nin)
    guardian.responsibility = responsibility
    db.session.commit()


@pytest.fixture
def families(family_sso, make_case, make_user):
    holder = make_user("holder", roles=(Role.EMPLOYEE, Role.COORDINATOR))
    a = make_case(by=holder, first_name="Anna")
    b = make_case(by=holder, first_name="Bror")
    set_guardian_nin(a.child.guardians[0], MOTHER_A)
    set_guardian_nin(b.child.guardians[0], MOTHER_B)
    return holder, a, b


def test_a_guardian_sees_her_own_childs_case_and_no_other(app, families, family_sso):
    _, a, b = families
    client = family_sign_in(app, family_sso, MOTHER_A)
    page = client.get("/min-familie/").get_data(as_text=True)
    assert "Anna" in page and "Bror" not in page
    assert client.get(f"/min-familie/{a.ref}").status_code == 200
    assert client.get(f"/min-familie/{b.ref}").status_code == 404
    assert client.get("/min-familie/TIK-2099-9999").status_code == 404  # the same answer as for another's
    [seen] = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "family.view")).all()
    assert seen.case_id == a.id and seen.username == "familie:guardian" and seen.detail == "as:guardian"


def test_a_guardian_without_parental_responsibility_sees_nothing(app, families, family_sso):
    _, a, _ = families
    set_guardian_nin(a.child.guardians[0], MOTHER_A, responsibility=False)
    client = family_sign_in(app, family_sso, MOTHER_A)
    assert "Anna" not in client.get("/min-familie/").get_data(as_text=True)
    assert client.get(f"/min-familie/{a.ref}").status_code == 404


def test_a_stranger_sees_nothing(app, families, family_sso):
    _, a, _ = families
    client = family_sign_in(app, family_sso, STRANGER)
    assert "ingen saker" in client.get("/min-familie/").get_data(as_text=True)
    assert client.get(f"/min-familie/{a.ref}").status_code == 404


@pytest.mark.parametrize("age, sees", [(14, False), (15, True), (17, True)])
def test_a_young_person_sees_their_own_case_from_the_consent_age(app, family_sso, make_case, clock, age, sees):
    today = clock.today()
    born = date(today.year - age, 1, 2) if today >= date(today.year, 1, 2) else date(today.year - age - 1, 1, 2)
    nin = valid_nin(born, 510 if born.year >= 2000 else 100)
    case = make_case(first_name="Ung", birth_date=born, nin=nin)
    client = family_sign_in(app, family_sso, nin)
    assert client.get(f"/min-familie/{case.ref}").status_code == (200 if sees else 404)


def test_signed_out_and_unauthenticated_see_the_sign_in_only(client, families):
    _, a, _ = families
    assert "Logg inn med ID-porten (test)" in client.get("/min-familie/").get_data(as_text=True)
    assert client.get(f"/min-familie/{a.ref}").headers["Location"].endswith("/min-familie/")


def test_a_bad_token_signs_no_family_member_in(app, families, family_sso):
    client = app.test_client()
    family_sso.identities["t-bad"] = {"client": "tik-family", "name": "X", "pid": MOTHER_A}
    start = client.get("/min-familie/logg-inn")
    family_sso.tamper = {"bad_signature": True}
    answer = requests.get(start.headers["Location"], params={"login": "t-bad"}, allow_redirects=False, timeout=10)
    back = urlsplit(answer.headers["Location"])
    assert client.get(f"{back.path}?{back.query}").status_code == 401
    assert "Logg inn med" in client.get("/min-familie/").get_data(as_text=True)


def test_withdrawal_by_the_family_ends_staff_access_at_once(app, families, family_sso, make_unit, make_user,
                                                            give_consent, login):
    holder, a, _ = families
    nurse = make_user("nurse", unit=make_unit("helse", "health-nurse"), roles=(Role.EMPLOYEE, Role.COORDINATOR))
    consent = give_consent(a, holder, ["health-nurse"])
    invite_participant(a, nurse, holder)
    db.session.commit()
    staff = app.test_client()
    staff.post("/login", data={"username": "nurse", "password": PASSWORD})
    assert staff.get(f"/saker/{a.ref}").status_code == 200

    family = family_sign_in(app, family_sso, MOTHER_A)
    page = family.get(f"/min-familie/{a.ref}").get_data(as_text=True)
    assert "Trekk tilbake samtykket" in page
    done = family.post(f"/min-familie/{a.ref}/samtykke/{consent.id}/trekk")
    assert done.status_code == 302
    assert staff.get(f"/saker/{a.ref}").status_code == 404  # the nurse lost access in the same transaction
    db.session.expire_all()
    assert active_participant(db.session.get(type(a), a.id), nurse) is None
    withdrawn = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "consent.withdraw"))
    assert withdrawn.username == "familie:guardian" and withdrawn.user_id is None
    assert "Trukket tilbake" in family.get(f"/min-familie/{a.ref}").get_data(as_text=True)
    assert family.post(f"/min-familie/{a.ref}/samtykke/{consent.id}/trekk").status_code == 404  # once


def test_the_family_cannot_withdraw_another_familys_consent(app, families, family_sso, give_consent):
    holder, a, b = families
    consent_b = give_consent(b, holder, ["health-nurse"])
    family = family_sign_in(app, family_sso, MOTHER_A)
    assert family.post(f"/min-familie/{b.ref}/samtykke/{consent_b.id}/trekk").status_code == 404
    assert family.post(f"/min-familie/{a.ref}/samtykke/{consent_b.id}/trekk").status_code == 404
    assert consent_b.withdrawn_at is None


def test_who_has_read_matches_the_audit_trail(app, families, family_sso, make_user, login, client):
    holder, a, _ = families
    login(holder)
    client.get(f"/saker/{a.ref}")
    client.get(f"/saker/{a.ref}")
    client.get(f"/saker/{a.ref}/plan.pdf")
    reads = db.session.scalars(select(AuditEvent).where(AuditEvent.case_id == a.id,
                                                        AuditEvent.user_id == holder.id)).all()
    views = sum(1 for e in reads if e.action in ("case.view", "plan.view"))
    prints = sum(1 for e in reads if e.action in ("plan.pdf", "case.export"))
    assert views == 2 and prints == 1
    family = family_sign_in(app, family_sso, MOTHER_A)
    page = family.get(f"/min-familie/{a.ref}").get_data(as_text=True)
    table = page.split('id="family-readers"')[1].split("</table>")[0]
    assert "Stafettholder" in table and holder.unit.name in table
    assert f"<td>{views}</td><td>{prints}</td>" in table
    assert holder.name not in table  # names only where the municipality shows them
    app.config["TIK_FAMILY_STAFF_NAMES"] = True
    assert holder.name in family.get(f"/min-familie/{a.ref}").get_data(as_text=True)


def test_hostile_text_is_shown_as_text(app, families, family_sso, make_measure):
    holder, a, _ = families
    make_measure(a, holder, what='<script>alert("x")</script><img src=x onerror=alert(1)>')
    family = family_sign_in(app, family_sso, MOTHER_A)
    page = family.get(f"/min-familie/{a.ref}").get_data(as_text=True)
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(" in page


def test_before_the_meeting_arrives_on_the_timeline_as_text(app, families, family_sso, login, client):
    holder, a, _ = families
    family = family_sign_in(app, family_sso, MOTHER_A)
    hostile = 'Vi vil snakke om mandager. <script>alert("x")</script><b>fet</b>'
    assert family.post(f"/min-familie/{a.ref}/for-motet", data={"text": hostile}).status_code == 302
    event = db.session.scalar(select(CaseEvent).where(CaseEvent.case_id == a.id,
                                                            CaseEvent.kind == EventKind.FAMILY))
    assert event.data == {"text": hostile, "who": "guardian"} and event.by_id is None
    login(holder)
    page = client.get(f"/saker/{a.ref}").get_data(as_text=True)
    assert "Foresatte før møtet" in page and "Vi vil snakke om mandager." in page
    assert "<script>alert" not in page and "<b>fet</b>" not in page and "&lt;b&gt;fet&lt;/b&gt;" in page
    assert family.post(f"/min-familie/{a.ref}/for-motet", data={"text": "  "}).status_code == 302
    assert db.session.scalar(select(db.func.count()).select_from(CaseEvent)
                             .where(CaseEvent.kind == EventKind.FAMILY)) == 1
