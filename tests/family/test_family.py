""""Min familie": guardians and young people signed in through the ID-porten-like client of a real test
provider, matched on the keyed hash of the national id in `pid`; the access matrix, withdrawal of consent with
its immediate effect on staff access, who has read the case, and family-visible text shown as text."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from urllib.parse import urlsplit

import pytest
import requests
from sqlalchemy import select
from support import PASSWORD, TEST_DAY

from tik import crypto
from tik.audit.models import AuditEvent
from tik.auth import sessions
from tik.auth.models import Role
from tik.cases.models import CaseEvent, Consent, ConsentForm, EventKind
from tik.cases.participants import ParticipantError, invite_participant
from tik.cases.queries import active_participant
from tik.extensions import db
from tik.guides.model import FAMILY_KINDS, TIMELINE_KINDS


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


def told(case, by=None):
    """Staff record that the family was told, through the service as a user does: the guide's steps up to and
    including the parents' conversation ("Min familie" shows a case only from then on)."""
    from flows import TO_LEVEL0_DECISION

    from tik.cases.steps import decide
    from tik.clock import today

    for decision, values in TO_LEVEL0_DECISION:
        held = {k: today().isoformat() for k in values if k == "conversation_date"}  # held today, never later
        decide(case, decision, values | held, by=by or case.coordinator)
    return case


def set_guardian_nin(guardian, nin: str, responsibility: bool = True):
    guardian.nin_encrypted = crypto.encrypt(nin)
    guardian.nin_lookup = crypto.lookup_hash(nin)
    guardian.responsibility = responsibility
    db.session.commit()


@pytest.fixture
def families(family_sso, make_case, make_user):
    holder = make_user("holder", roles=(Role.EMPLOYEE, Role.COORDINATOR))
    a = told(make_case(by=holder, first_name="Anna"))
    b = told(make_case(by=holder, first_name="Bror"))
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
    case = told(make_case(first_name="Ung", birth_date=born, nin=nin))
    client = family_sign_in(app, family_sso, nin)
    assert client.get(f"/min-familie/{case.ref}").status_code == (200 if sees else 404)
    assert (case.ref in client.get("/min-familie/").get_data(as_text=True)) == sees  # and in their list
    if not sees:  # under the consent age nothing of the case answers, not even the consent form
        assert client.post(f"/min-familie/{case.ref}/samtykke", data={"services": ["health-nurse"],
                                                                      "purpose": "Samarbeid"}).status_code == 404
        assert client.get(f"/min-familie/{case.ref}/brev.pdf").status_code == 404
        assert db.session.scalar(select(db.func.count()).select_from(Consent)) == 0


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
    table = page.split('id="family-readers"')[1].split("</ul>")[0]
    assert "Stafettholder" in table and holder.unit.name in table
    assert f'data-reads="{views}" data-prints="{prints}"' in table and f"lest {views}, skrevet ut {prints}" in table
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


# -- the family's session: server-side, like staff sessions ----------------------------------------------------


def _copy_session(source, target) -> None:
    target.set_cookie("session", source.get_cookie("session", domain="tik.test").value, domain="tik.test")


def test_a_family_cookie_copied_before_sign_out_is_refused_after_it(app, families, family_sso):
    _, a, _ = families
    family = family_sign_in(app, family_sso, MOTHER_A)
    thief = app.test_client()
    _copy_session(family, thief)
    assert thief.get(f"/min-familie/{a.ref}").status_code == 200  # the copy is the session, for now
    assert family.post("/min-familie/logg-ut").status_code in (200, 302)
    assert thief.get(f"/min-familie/{a.ref}").status_code == 302  # revoked on the server
    assert "Logg inn med" in thief.get("/min-familie/").get_data(as_text=True)
    [row] = db.session.scalars(select(sessions.UserSession)).all()
    assert row.revoked_at is not None and row.user_id is None and row.family_lookup == crypto.lookup_hash(MOTHER_A)
    assert [e.action for e in db.session.scalars(select(AuditEvent).where(AuditEvent.action.like("family.log%"))
                                                 .order_by(AuditEvent.id))] == ["family.login", "family.logout"]


def test_a_family_session_times_out_and_stays_out(app, families, family_sso, clock):
    _, a, _ = families
    start = clock.now()
    family = family_sign_in(app, family_sso, MOTHER_A)
    clock.travel(start + timedelta(minutes=29))
    assert family.get(f"/min-familie/{a.ref}").status_code == 200
    clock.travel(start + timedelta(minutes=29 + 31))
    assert family.get(f"/min-familie/{a.ref}").status_code == 302
    clock.travel(start)  # turning the clock back does not bring the session back
    assert family.get(f"/min-familie/{a.ref}").status_code == 302


def test_a_family_session_is_no_staff_session_and_a_staff_session_no_family_one(app, families, family_sso,
                                                                                  login, client):
    holder, a, _ = families
    token = sessions.start_family(crypto.lookup_hash(MOTHER_A))
    db.session.commit()
    week = timedelta(days=7)
    assert sessions.resume(token, idle=week, absolute=week) == (None, False)
    assert sessions.resume_family(token, idle=week, absolute=week) == (crypto.lookup_hash(MOTHER_A), False)
    staff_token = sessions.start(holder)
    db.session.commit()
    assert sessions.resume_family(staff_token, idle=week, absolute=week) == (None, False)
    login(holder)  # a signed-in member of staff is not signed in on "Min familie"
    assert client.get(f"/min-familie/{a.ref}").status_code == 302


# -- the family letter -------------------------------------------------------------------------------------


def test_the_family_downloads_the_letter_in_their_language_audited_as_a_family_print(app, families, family_sso,
                                                                                    make_measure):
    from pdfcheck import plain_text

    holder, a, b = families
    a.child.guardians[0].language = "pl"
    db.session.commit()
    make_measure(a, holder, what="Leksehjelp to dager i uka")
    family = family_sign_in(app, family_sso, MOTHER_A)
    page = family.get(f"/min-familie/{a.ref}").get_data(as_text=True)
    assert f'href="/min-familie/{a.ref}/brev.pdf"' in page
    answer = family.get(f"/min-familie/{a.ref}/brev.pdf")
    assert answer.status_code == 200 and answer.headers["Content-Type"] == "application/pdf"
    assert f"{a.ref}-plan-familie-pl-rev" in answer.headers["Content-Disposition"]
    text = plain_text(answer.data)
    assert "Do: Kari Hansen" in text and "Leksehjelp to dager i uka" in text  # Polish, with staff's words
    assert "Til: Kari Hansen" in plain_text(family.get(f"/min-familie/{a.ref}/brev.pdf?lang=nb").data)
    [printed, _nb] = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "plan.print")
                                        .order_by(AuditEvent.id)).all()
    assert printed.username == "familie:guardian" and printed.user_id is None and printed.case_id == a.id
    assert printed.detail.startswith("family pl rev")
    assert db.session.scalar(select(db.func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "family.letter")) == 2
    assert family.get(f"/min-familie/{b.ref}/brev.pdf").status_code == 404
    assert app.test_client().get(f"/min-familie/{a.ref}/brev.pdf").status_code == 302


def _two_languages(make_case, make_user):
    """A told case of two guardians: the father (MOTHER_B's id) reads bokmål, the mother (MOTHER_A's) Polish."""
    from tik.concerns.service import GuardianInput

    holder = make_user("holder", roles=(Role.EMPLOYEE, Role.COORDINATOR))
    case = told(make_case(by=holder, guardians=[GuardianInput("Ola Hansen", "far", "", "nb"),
                                                GuardianInput("Kari Hansen", "mor", "", "pl")]))
    father, mother = sorted(case.child.guardians, key=lambda g: g.id)
    set_guardian_nin(father, MOTHER_B)
    set_guardian_nin(mother, MOTHER_A)
    return case


def test_each_guardian_gets_the_letter_in_their_own_language(app, family_sso, make_case, make_user):
    """Two guardians who read different languages: each signed-in guardian's letter is in their own, whoever
    is named first on the case."""
    from pdfcheck import plain_text

    case = _two_languages(make_case, make_user)
    for nin, lang, to in ((MOTHER_A, "pl", "Do: Kari Hansen"), (MOTHER_B, "nb", "Til: Ola Hansen")):
        answer = family_sign_in(app, family_sso, nin).get(f"/min-familie/{case.ref}/brev.pdf")
        assert f"{case.ref}-plan-familie-{lang}-rev" in answer.headers["Content-Disposition"]
        assert to in plain_text(answer.data)


# -- consents given and renewed digitally -------------------------------------------------------------------


def test_a_guardian_gives_a_consent_digitally_and_the_service_may_join(app, families, family_sso, make_unit,
                                                                        make_user, login, client):
    holder, a, _ = families
    nurse = make_user("nurse", unit=make_unit("helse", "health-nurse"), roles=(Role.EMPLOYEE, Role.COORDINATOR))
    with pytest.raises(ParticipantError):
        invite_participant(a, nurse, holder)  # no consent covers the nurse's service yet
    db.session.rollback()
    family = family_sign_in(app, family_sso, MOTHER_A)
    sent = family.post(f"/min-familie/{a.ref}/samtykke", data={
        "services": ["health-nurse"], "purpose": "Helsesykepleier og skolen samarbeider",
        "exclusions": "<b>Ikke</b> fastlegen"})
    assert sent.status_code == 302
    [consent] = db.session.scalars(select(Consent).where(Consent.case_id == a.id)).all()
    assert consent.form == ConsentForm.DIGITAL and consent.recorded_by_id is None
    assert consent.given_by == "Kari Hansen" and not consent.young_person and consent.services == ["health-nurse"]
    assert (consent.given_on, consent.expires_on) == (date(2026, 11, 20), date(2027, 11, 20))
    given = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "consent.record"))
    assert given.username == "familie:guardian" and given.user_id is None
    invite_participant(db.session.get(type(a), a.id), nurse, holder)  # the same rules as staff's consent
    login(holder)
    page = client.get(f"/saker/{a.ref}").get_data(as_text=True)
    assert "Samtykke gitt digitalt av foresatte" in page
    assert "&lt;b&gt;Ikke&lt;/b&gt; fastlegen" in page and "<b>Ikke</b>" not in page  # the family's text as text


def test_from_the_consent_age_the_guardian_cannot_consent_alone_and_the_young_person_can(app, family_sso,
                                                                                         make_case, clock):
    born = date(2009, 1, 2)  # 17 on the test day
    young_nin, mother_nin = valid_nin(born, 100), MOTHER_A
    case = told(make_case(first_name="Ung", birth_date=born, nin=young_nin))
    set_guardian_nin(case.child.guardians[0], mother_nin)
    mother = family_sign_in(app, family_sso, mother_nin)
    refused = mother.post(f"/min-familie/{case.ref}/samtykke", data={"services": ["health-nurse"],
                                                                     "purpose": "Samarbeid"})
    assert refused.status_code == 422
    assert "må selv samtykke" in refused.get_data(as_text=True)
    assert db.session.scalar(select(db.func.count()).select_from(Consent)) == 0
    young = family_sign_in(app, family_sso, young_nin)
    assert young.post(f"/min-familie/{case.ref}/samtykke", data={"services": ["health-nurse"],
                                                                 "purpose": "Samarbeid"}).status_code == 302
    [consent] = db.session.scalars(select(Consent)).all()
    assert consent.young_person and consent.given_by == case.child.name
    event = db.session.scalar(select(CaseEvent).where(CaseEvent.kind == EventKind.CONSENT))
    assert event.data["by_family"] == "young_person" and event.by_id is None


def test_the_family_renews_an_expired_consent(app, families, family_sso, give_consent, clock, login, client):
    from tik.cases.consent import record_consent

    holder, a, b = families
    # Given on paper in the child's name, for the plan and its measures only and not with the GP: the renewal
    # keeps those limits and what the family excluded, and is given in the name of the guardian who renews it.
    old = record_consent(a, holder, given_by=a.child.name, services=["health-nurse"], purpose="Samarbeid om tiltak",
                         form=ConsentForm.PAPER, given_on=clock.today(), expires_on=date(2026, 12, 20),
                         kinds={"health-nurse": ["plan-and-measures"]}, information="Plan og tiltak",
                         exclusions="Ikke fastlegen")
    clock.travel(date(2027, 1, 5))
    family = family_sign_in(app, family_sso, MOTHER_A)
    assert "Utløpt" in family.get(f"/min-familie/{a.ref}").get_data(as_text=True)
    assert family.post(f"/min-familie/{a.ref}/samtykke/{old.id}/forny").status_code == 302
    renewed = db.session.scalars(select(Consent).where(Consent.case_id == a.id)
                                 .order_by(Consent.id)).all()[-1]
    assert renewed.id != old.id and renewed.is_active(date(2027, 1, 5)) and renewed.expires_on == date(2028, 1, 5)
    assert (renewed.services, renewed.purpose) == (old.services, old.purpose)
    assert renewed.kinds_for("health-nurse") == ["plan-and-measures"]
    assert (renewed.information, renewed.exclusions) == ("Plan og tiltak", "Ikke fastlegen")
    assert renewed.given_by == "Kari Hansen"
    event = db.session.scalars(select(CaseEvent).where(CaseEvent.kind == EventKind.CONSENT)
                               .order_by(CaseEvent.id)).all()[-1]
    assert event.data["renews"] == old.id and event.data["by_family"] == "guardian"
    login(holder)
    assert "Samtykke fornyet digitalt av foresatte" in client.get(f"/saker/{a.ref}").get_data(as_text=True)
    assert family.post(f"/min-familie/{a.ref}/samtykke/999999/forny").status_code == 404
    consent_b = give_consent(b, holder, ["health-nurse"])
    assert family.post(f"/min-familie/{a.ref}/samtykke/{consent_b.id}/forny").status_code == 404
    assert family.post(f"/min-familie/{b.ref}/samtykke/{consent_b.id}/forny").status_code == 404


# -- what the family sees of the timeline --------------------------------------------------------------------


def test_the_family_timeline_is_a_whitelist_in_family_words_never_a_report(app, family_sso, make_case, make_user,
                                                                           make_unit, give_consent, clock,
                                                                           monkeypatch):
    """Through the services as staff work: the parents' conversation, a consent, the report to child welfare (the
    ordinary decision, every guardian informed), its feedback and the leader's feedback to the reporter. The
    family reads the consent and the conversation in their own wording; nothing of the report, the feedback or
    the notes in the step's fields, whatever the guidebook names."""
    from dataclasses import replace

    from flows import DECIDE, TO_LEVEL0_DECISION

    from tik.cases.leader_feedback import leader_feedback
    from tik.cases.reports import GuardianInformed, complete_report, feedback_received, reports_of
    from tik.cases.steps import decide
    from tik.family import service as family_service

    leader = make_user(service="school", roles=[Role.EMPLOYEE, Role.LEADER])
    make_unit("school-1", "school", leaders=[leader])
    holder = make_user(service="school", roles=(Role.EMPLOYEE, Role.COORDINATOR))
    a = make_case(by=holder, first_name="Anna", observation="Arbeidsnotat: far virket sliten")
    set_guardian_nin(a.child.guardians[0], MOTHER_A)
    for decision, values in TO_LEVEL0_DECISION:
        decide(a, decision, {**values, "staff_notes": "Arbeidsnotat om mor"}, by=holder)
    give_consent(a, holder, ["health-nurse"])
    decide(a, "report", {**DECIDE, "assessment": "Arbeidsnotat: vurdering"}, by=holder)
    report = reports_of(a)[0]
    complete_report(report, holder, guardians=[GuardianInformed(g["guardian_id"], True)
                                               for g in report.guardians],
                    child_told=True, child_not_told_reason="", interpreter_needed=False,
                    interpreter_language="", sent_on=clock.today(), sent_how="ks-fiks",
                    text="Meldingstekst: far slår")
    feedback_received(report, holder, clock.today())
    leader_feedback(a, leader, "received")
    family = family_sign_in(app, family_sso, MOTHER_A)

    def timeline_of() -> str:
        page = family.get(f"/min-familie/{a.ref}").get_data(as_text=True)
        return page.split('id="family-timeline"')[1].split("</ol>")[0] if 'id="family-timeline"' in page else ""

    shown = timeline_of()
    assert "Samtykke registrert: Helsestasjon og skolehelsetjeneste" in shown
    assert "Samtale med foreldrene" in shown and "Saken ble startet" in shown
    for never in ("barnevernet", "Melding", "Meldingstekst", "Takk for at du sa fra", "Arbeidsnotat",
                  "Konkretiser", "Drøft", "Snakk med", "Bestem", "l0-", "discussed_with", "observation"):
        assert never not in shown, never
    guide = family_service.guide_of(a)
    everything = replace(guide, family_timeline=frozenset(TIMELINE_KINDS))
    monkeypatch.setattr(family_service, "guide_of", lambda case: everything)
    shown = timeline_of()  # a guidebook that names every kind anyway (the check refuses it) shows no more
    for never in ("barnevernet", "Melding", "Takk for at du sa fra", "Arbeidsnotat", "national_id"):
        assert never not in shown, never
    monkeypatch.setattr(family_service, "guide_of", lambda case: replace(guide, family_timeline=frozenset()))
    assert timeline_of() == ""


def test_the_guidebooks_kinds_are_the_timelines_kinds():
    from tik.family.timeline import WORDING

    assert set(TIMELINE_KINDS) == {k.value for k in EventKind}
    assert set(FAMILY_KINDS) == {k.value for k in WORDING} < set(TIMELINE_KINDS)


# -- the family's words in the next evaluation ---------------------------------------------------------------


def test_the_familys_words_arrive_in_the_next_evaluation(app, families, family_sso, make_measure, login, client,
                                                        clock, give_consent):
    from tik.plans import service as plans
    from tik.plans.models import GoalReached, NextAction

    holder, a, _ = families
    measure = make_measure(a, holder)
    a.child.birth_date = date(2009, 1, 2)
    nin = valid_nin(a.child.birth_date, 150)
    a.child.nin_lookup = crypto.lookup_hash(nin)
    db.session.commit()
    give_consent(a, holder, [a.owning_service], young_person=True)  # the young person speaks within their reach
    mother = family_sign_in(app, family_sso, MOTHER_A)
    young = family_sign_in(app, family_sso, nin)
    mother.post(f"/min-familie/{a.ref}/for-motet", data={"text": "Mandagene er tunge <i>hjemme</i>"})
    young.post(f"/min-familie/{a.ref}/for-motet", data={"text": "Jeg vil ha hjelp i matte"})
    login(holder)
    page = client.get(f"/saker/{a.ref}/plan/tiltak/{measure.id}/evaluering").get_data(as_text=True)
    words = page.split('id="family-words"')[1].split("</section>")[0]
    assert "Familiens egne ord før møtet" in words
    assert "Foresatte" in words and "Mandagene er tunge &lt;i&gt;hjemme&lt;/i&gt;" in words
    assert "Ungdommen" in words and "Jeg vil ha hjelp i matte" in words and "<i>hjemme" not in page
    child_field = page.split('name="child_experience"')[1].split("</textarea>")[0]
    parents_field = page.split('name="parents_said"')[1].split("</textarea>")[0]
    assert "Jeg vil ha hjelp i matte" in child_field and "Mandagene" not in child_field
    assert "Mandagene er tunge &lt;i&gt;hjemme&lt;/i&gt;" in parents_field and "matte" not in parents_field
    clock.travel(clock.now() + timedelta(minutes=5))
    plans.evaluate_measure(a, measure, holder, plans.EvaluationInput(
        evaluated_on=clock.today(), goal_reached=GoalReached.PARTLY, child_experience="Jeg vil ha hjelp i matte",
        next_action=NextAction.CONTINUE, parents_said="Mandagene er tunge",
        next_evaluate_on=clock.today() + timedelta(weeks=6), note=""))
    page = client.get(f"/saker/{a.ref}/plan/tiltak/{measure.id}/evaluering").get_data(as_text=True)
    assert 'id="family-words"' not in page and "Mandagene" not in page  # taken up: not offered again
    clock.travel(clock.now() + timedelta(minutes=5))
    mother.post(f"/min-familie/{a.ref}/for-motet", data={"text": "Nå går det bedre"})
    page = client.get(f"/saker/{a.ref}/plan/tiltak/{measure.id}/evaluering").get_data(as_text=True)
    assert "Nå går det bedre" in page.split('id="family-words"')[1]


# -- the staff screen for a guardian's national id -----------------------------------------------------------


def test_staff_record_a_guardians_national_id_and_the_guardian_can_sign_in(app, families, family_sso, login,
                                                                           client):
    holder, a, _ = families
    guardian = a.child.guardians[0]
    guardian.nin_encrypted = guardian.nin_lookup = None
    db.session.commit()
    login(holder)
    url = f"/saker/{a.ref}/foresatte/{guardian.id}/min-familie"
    assert url in client.get(f"/saker/{a.ref}/skjema/foresatt/{guardian.id}").get_data(as_text=True)
    empty = client.get(url).get_data(as_text=True)  # nothing recorded: nothing said to be, nothing to remove
    assert 'id="guardian-nin-now"' not in empty and 'name="remove"' not in empty
    refused = client.post(url, data={"nin": "12345678901", "responsibility": "yes"})
    assert refused.status_code == 422 and "ikke gyldig" in refused.get_data(as_text=True)
    assert guardian.nin_lookup is None
    spaced = f"{MOTHER_A[:6]} {MOTHER_A[6:]}"
    assert client.post(url, data={"nin": spaced, "responsibility": "yes"}).status_code == 302
    db.session.expire_all()
    guardian = db.session.get(type(guardian), guardian.id)
    assert guardian.nin_lookup == crypto.lookup_hash(MOTHER_A) and crypto.decrypt(guardian.nin_encrypted) == MOTHER_A
    assert MOTHER_A.encode() not in guardian.nin_encrypted
    page = client.get(url).get_data(as_text=True)
    assert MOTHER_A not in page and MOTHER_A[:6] not in page and f"••{MOTHER_A[-2:]}" in page
    assert MOTHER_A not in client.get(f"/saker/{a.ref}").get_data(as_text=True)
    events = db.session.scalars(select(CaseEvent).where(CaseEvent.kind == EventKind.DETAILS)).all()
    assert [(e.data["field"], e.data["new"]) for e in events] == [("national_id", "recorded")]
    assert all(MOTHER_A not in str(e.data) for e in events)
    audited = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "guardian.identity")).all()
    assert [(e.user_id, e.detail) for e in audited] == [(holder.id, "national_id:recorded")]
    family = family_sign_in(app, family_sso, MOTHER_A)
    assert family.get(f"/min-familie/{a.ref}").status_code == 200

    # Parental responsibility removed on the same screen: the guardian sees nothing at once.
    assert client.post(url, data={"nin": ""}).status_code == 302
    assert family.get(f"/min-familie/{a.ref}").status_code == 404
    assert "Anna" not in family.get("/min-familie/").get_data(as_text=True)
    assert client.post(url, data={"remove": "1", "responsibility": "yes"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(type(guardian), guardian.id).nin_lookup is None
    assert 'id="guardian-nin-now"' not in client.get(url).get_data(as_text=True)
    assert family.get(f"/min-familie/{a.ref}").status_code == 404


def test_only_those_who_work_on_the_case_record_a_guardians_national_id(app, families, make_user, make_unit,
                                                                        login, client):
    holder, a, b = families
    guardian = a.child.guardians[0]
    url = f"/saker/{a.ref}/foresatte/{guardian.id}/min-familie"
    leader = make_user("sjef", unit=holder.unit, roles=(Role.EMPLOYEE, Role.LEADER))
    from tik.org.models import UnitLeader

    db.session.add(UnitLeader(unit_id=holder.unit_id, user_id=leader.id))
    db.session.commit()
    colleague = make_user("kollega", unit=holder.unit)
    for outsider in (leader, colleague):
        login(outsider)
        assert client.get(url).status_code == 404
        assert client.post(url, data={"nin": STRANGER, "responsibility": "yes"}).status_code == 404
    login(holder)
    assert client.get(f"/saker/{b.ref}/foresatte/{guardian.id}/min-familie").status_code == 404  # another case's
    db.session.expire_all()
    assert db.session.get(type(guardian), guardian.id).nin_lookup == crypto.lookup_hash(MOTHER_A)


def test_who_has_read_counts_every_staff_read_and_print_of_the_audit_trail_and_nothing_else(
        app, families, family_sso, make_unit, make_user, give_consent, make_measure):
    from tik.audit.service import READ_ACTIONS

    holder, a, b = families
    nurse = make_user("nurse", unit=make_unit("helse", "health-nurse"), roles=(Role.EMPLOYEE, Role.COORDINATOR))
    give_consent(a, holder, ["health-nurse"])
    invite_participant(a, nurse, holder)
    make_measure(a, holder)
    staff = {}
    for user in (holder, nurse):
        staff[user.id] = app.test_client()
        staff[user.id].post("/login", data={"username": user.username, "password": PASSWORD})
    staff[holder.id].get(f"/saker/{a.ref}")
    staff[holder.id].get(f"/saker/{a.ref}/plan")
    staff[holder.id].get(f"/saker/{b.ref}")  # another case: not on A's list
    staff[nurse.id].get(f"/saker/{a.ref}")
    staff[nurse.id].get(f"/saker/{a.ref}/plan.pdf")
    family = family_sign_in(app, family_sso, MOTHER_A)
    family.get(f"/min-familie/{a.ref}/brev.pdf")  # the family's own look and print are not staff reads
    page = family.get(f"/min-familie/{a.ref}").get_data(as_text=True)
    table = page.split('id="family-readers"')[1].split("</ul>")[0]
    rows = re.findall(r'data-role="([^"]*)" data-unit="([^"]*)" data-reads="(\d+)" data-prints="(\d+)"', table)
    shown = {(role, unit): (int(reads), int(prints)) for role, unit, reads, prints in rows}
    trail = db.session.scalars(select(AuditEvent).where(AuditEvent.case_id == a.id,
                                                        AuditEvent.action.in_(READ_ACTIONS))).all()
    expected = {}
    for event in trail:
        assert event.user_id in (holder.id, nurse.id)  # nobody else read it, and the family is not staff
        user = holder if event.user_id == holder.id else nurse
        role = {"as:holder": "Stafettholder", "as:participant": "Deltaker"}[event.detail]
        reads, prints = expected.get((role, user.unit.name), (0, 0))
        printed = event.action in ("plan.pdf", "case.export")
        expected[(role, user.unit.name)] = (reads + (not printed), prints + printed)
    assert shown == expected == {("Stafettholder", holder.unit.name): (2, 0), ("Deltaker", nurse.unit.name): (1, 1)}


def test_the_familys_own_hostile_words_are_text_on_their_own_page(app, families, family_sso):
    _, a, _ = families
    family = family_sign_in(app, family_sso, MOTHER_A)
    family.post(f"/min-familie/{a.ref}/for-motet", data={"text": '"><script>alert(1)</script><a href=x>lenke</a>'})
    page = family.get(f"/min-familie/{a.ref}").get_data(as_text=True)
    mine = page.split('id="family-timeline"')[1]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&lt;a href=x&gt;lenke&lt;/a&gt;" in mine
    assert "<script>alert" not in page and "<a href=x>" not in page


# -- the young person sees their case as far as their own consent reaches (issue #17) -----------------------

NURSE_MEASURE, PPT_MEASURE, SCHOOL_MEASURE = "Fredagssamtaler", "Leseutredning", "Fast voksen om morgenen"


@pytest.fixture
def young_case(family_sso, make_case, make_user, give_consent, make_measure, clock):
    """A case started on 2 March 2026 with the guardian's consent for the health nurse and PPT, before the
    child turned 15 (1 June 2026): a measure of each service, the PPT one evaluated. The clock stands on the
    test day again: the young person is 15, and the guardian's consent is live."""
    from tik.plans import service as plans
    from tik.plans.models import GoalReached, NextAction

    holder = make_user("holder", roles=(Role.EMPLOYEE, Role.COORDINATOR))
    born = date(2011, 6, 1)
    nin = valid_nin(born, 510)
    clock.travel(datetime(2026, 3, 2, 9, 0))
    case = told(make_case(by=holder, first_name="Ung", birth_date=born, nin=nin))
    set_guardian_nin(case.child.guardians[0], MOTHER_A)
    give_consent(case, holder, ["health-nurse", "ppt"])
    make_measure(case, holder, service="health-nurse", what=NURSE_MEASURE)
    ppt = make_measure(case, holder, service="ppt", what=PPT_MEASURE)
    make_measure(case, holder, what=SCHOOL_MEASURE)  # the holder's own service (the school)
    clock.travel(datetime(2026, 3, 20, 9, 0))
    plans.evaluate_measure(case, ppt, holder, plans.EvaluationInput(
        evaluated_on=clock.today(), goal_reached=GoalReached.PARTLY, child_experience="Bokstavene hopper",
        next_action=NextAction.CONTINUE, next_evaluate_on=clock.today() + timedelta(weeks=6)))
    clock.travel(TEST_DAY)
    return holder, case, nin


def _family_page(client, case) -> str:
    return client.get(f"/min-familie/{case.ref}").get_data(as_text=True)


def _part(page: str, element_id: str) -> str:
    return page.split(f'id="{element_id}"')[1].split("</ul>")[0] if f'id="{element_id}"' in page else ""


def test_a_young_person_without_their_own_consent_sees_the_case_and_its_consents_not_the_plan(
        app, young_case, family_sso, login, client):
    holder, case, nin = young_case
    mother = family_sign_in(app, family_sso, MOTHER_A)
    assert mother.post(f"/min-familie/{case.ref}/for-motet", data={"text": "Mor vil snakke om lekser"}
                       ).status_code == 302
    login(holder)
    client.get(f"/saker/{case.ref}")  # a staff read: "who has read" stays complete for the young person
    young = family_sign_in(app, family_sso, nin)
    page = _family_page(young, case)
    assert NURSE_MEASURE not in page and PPT_MEASURE not in page and 'id="family-plan"' not in page
    assert SCHOOL_MEASURE not in page
    assert 'id="family-timeline"' not in page and "Mor vil snakke om lekser" not in page
    assert 'id="family-letter"' not in page and "/for-motet" not in page
    assert "Du ser planen og det som skjer i saken din når du selv har gitt samtykke." in page
    assert holder.name in _part(page, "family-holder")
    assert "Helsestasjon og skolehelsetjeneste" in _part(page, "family-consents")  # what was agreed for them
    assert 'id="family-consent-form"' in page
    readers = page.split('id="family-readers"')[1]
    assert "Stafettholder" in readers and "Ingen har lest saken ennå." not in readers
    assert young.get(f"/min-familie/{case.ref}/brev.pdf").status_code == 404
    assert young.post(f"/min-familie/{case.ref}/for-motet", data={"text": "Hei fra meg"}).status_code == 404
    assert not [e for e in db.session.scalars(select(CaseEvent).where(CaseEvent.kind == EventKind.FAMILY))
                if e.data.get("who") == "young_person"]
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "family.view",
                                                      AuditEvent.username == "familie:young_person"))


def test_a_young_persons_own_consent_reaches_its_services_only(app, young_case, family_sso):
    from pdfcheck import plain_text

    _, case, nin = young_case
    young = family_sign_in(app, family_sso, nin)
    assert young.post(f"/min-familie/{case.ref}/samtykke", data={"services": ["health-nurse"],
                                                                 "purpose": "Samarbeid"}).status_code == 302
    page = _family_page(young, case)
    assert NURSE_MEASURE in _part(page, "family-plan") and PPT_MEASURE not in page
    assert SCHOOL_MEASURE in _part(page, "family-plan")  # the holder's service's own work with them
    timeline = page.split('id="family-timeline"')[1].split("</ol>")[0]
    assert f"Planen er oppdatert: {NURSE_MEASURE}" in timeline  # the measure in reach, added
    assert "Et tiltak er evaluert" not in timeline  # the PPT measure's evaluation (tied to it by its id only)
    assert "Samtykke gitt digitalt av ungdommen: Helsestasjon og skolehelsetjeneste" in timeline
    assert 'id="family-letter"' in page and "/for-motet" in page
    answer = young.get(f"/min-familie/{case.ref}/brev.pdf")
    assert answer.status_code == 200
    text = plain_text(answer.data)
    assert NURSE_MEASURE in text and SCHOOL_MEASURE in text and PPT_MEASURE not in text
    assert f"Til: {case.child.name}" in text and "Til: Kari Hansen" not in text  # the letter is to them
    assert young.post(f"/min-familie/{case.ref}/for-motet", data={"text": "Hei fra meg"}).status_code == 302


def test_a_young_person_reads_a_measures_entry_only_when_both_its_services_lie_within_their_reach(
        app, young_case, family_sso, make_measure):
    """An entry about a measure is tied to the service it names (the measure's then) and to the measure's service
    now: a measure moved between the health nurse and PPT shows the young person, whose consent reaches the nurse
    only, its entries from while it was the nurse's and is the nurse's, never one from PPT's side."""
    from tik.plans import service as plans

    holder, case, nin = young_case

    def moved(measure, service: str, what: str) -> None:
        plans.update_measure(case, measure, holder, plans.MeasureInput(
            service_key=service, responsible=measure.responsible, what=what, goal=measure.goal,
            start_on=measure.start_on, evaluate_on=measure.evaluate_on, status=measure.status))

    moved(make_measure(case, holder, service="ppt", what="Leseprøve hos PPT"), "health-nurse",
          "Samtaler hos helsesykepleier")
    moved(make_measure(case, holder, service="health-nurse", what="Søvnkurs hos helsesykepleier"), "ppt",
          "Kartlegging hos PPT")
    young = family_sign_in(app, family_sso, nin)
    young.post(f"/min-familie/{case.ref}/samtykke", data={"services": ["health-nurse"], "purpose": "Samarbeid"})
    for page in (_family_page(young, case), young.get(f"/min-familie/{case.ref}/logg").get_data(as_text=True)):
        timeline = page.split('id="family-timeline"')[1].split("</ol>")[0]
        assert "Planen er oppdatert: Samtaler hos helsesykepleier" in timeline  # the nurse's, and named so
        assert "Leseprøve hos PPT" not in timeline  # added on PPT's side
        assert "Søvnkurs hos helsesykepleier" not in timeline and "Kartlegging hos PPT" not in timeline  # PPT's now


def test_a_young_person_who_withdraws_their_consent_sees_no_plan_at_once(app, young_case, family_sso):
    _, case, nin = young_case
    young = family_sign_in(app, family_sso, nin)
    young.post(f"/min-familie/{case.ref}/samtykke", data={"services": ["health-nurse"], "purpose": "Samarbeid"})
    own = db.session.scalar(select(Consent).where(Consent.case_id == case.id, Consent.young_person.is_(True)))
    assert NURSE_MEASURE in _family_page(young, case)
    assert young.post(f"/min-familie/{case.ref}/samtykke/{own.id}/trekk").status_code == 302
    page = _family_page(young, case)
    assert NURSE_MEASURE not in page and 'id="family-timeline"' not in page and 'id="family-letter"' not in page
    assert "Du ser planen og det som skjer i saken din når du selv har gitt samtykke." in page
    assert young.get(f"/min-familie/{case.ref}/brev.pdf").status_code == 404


def test_a_young_persons_expired_consent_reaches_nothing(app, young_case, family_sso, give_consent, clock):
    holder, case, nin = young_case
    give_consent(case, holder, ["health-nurse"], days=30, young_person=True)
    assert NURSE_MEASURE in _family_page(family_sign_in(app, family_sso, nin), case)
    clock.travel(TEST_DAY + timedelta(days=31))
    young = family_sign_in(app, family_sso, nin)
    page = _family_page(young, case)
    assert NURSE_MEASURE not in page and "Du ser planen og det som skjer i saken din" in page
    assert young.get(f"/min-familie/{case.ref}/brev.pdf").status_code == 404


def test_the_guardian_still_sees_the_whole_plan_of_a_young_persons_case(app, young_case, family_sso):
    from pdfcheck import plain_text

    _, case, nin = young_case
    family_sign_in(app, family_sso, nin).post(f"/min-familie/{case.ref}/samtykke",
                                              data={"services": ["health-nurse"], "purpose": "Samarbeid"})
    mother = family_sign_in(app, family_sso, MOTHER_A)
    page = _family_page(mother, case)
    assert NURSE_MEASURE in _part(page, "family-plan") and PPT_MEASURE in _part(page, "family-plan")
    assert f"Et tiltak er evaluert: {PPT_MEASURE}" in page.split('id="family-timeline"')[1]
    assert "Du ser planen og det som skjer" not in page and "/for-motet" in page
    text = plain_text(mother.get(f"/min-familie/{case.ref}/brev.pdf").data)
    assert NURSE_MEASURE in text and PPT_MEASURE in text
    assert "Til: Kari Hansen" in text and f"Til: {case.child.name}" not in text  # hers, to her


def test_staff_print_every_measure_of_a_young_persons_plan(app, young_case, family_sso, login, client):
    from pdfcheck import plain_text

    holder, case, nin = young_case
    family_sign_in(app, family_sso, nin).post(f"/min-familie/{case.ref}/samtykke",
                                              data={"services": ["health-nurse"], "purpose": "Samarbeid"})
    login(holder)
    answer = client.get(f"/saker/{case.ref}/plan.pdf?versjon=familie&til=ungdom")  # to the young person too
    assert answer.status_code == 200
    text = plain_text(answer.data)
    assert NURSE_MEASURE in text and PPT_MEASURE in text


def test_the_family_page_shows_the_latest_entries_and_the_rest_one_click_away(app, families, family_sso, clock):
    from tik.family.service import TIMELINE_ON_PAGE

    _, a, b = families
    family = family_sign_in(app, family_sso, MOTHER_A)
    start = clock.now()
    for n in range(TIMELINE_ON_PAGE + 5):  # the family's own words: a kind the family always sees
        clock.travel(start + timedelta(minutes=n + 1))
        assert family.post(f"/min-familie/{a.ref}/for-motet", data={"text": f"Ord nummer {n:02d}."}).status_code == 302
    page = _family_page(family, a)
    shown = page.split('id="family-timeline"')[1].split("</ol>")[0]
    assert f"Ord nummer {TIMELINE_ON_PAGE + 4:02d}." in shown and "Ord nummer 04." not in shown
    assert shown.count("Ord nummer") == TIMELINE_ON_PAGE
    assert f'href="/min-familie/{a.ref}/logg"' in page
    everything = family.get(f"/min-familie/{a.ref}/logg")
    assert everything.status_code == 200
    full = everything.get_data(as_text=True)
    assert all(f"Ord nummer {n:02d}." in full for n in range(TIMELINE_ON_PAGE + 5))
    assert family.get(f"/min-familie/{b.ref}/logg").status_code == 404  # another family's case
    assert db.session.scalar(select(db.func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "family.view", AuditEvent.case_id == a.id)) >= 2


def test_the_whole_log_is_not_for_a_young_person_without_their_own_consent(app, young_case, family_sso):
    _, case, nin = young_case
    young = family_sign_in(app, family_sso, nin)
    assert young.get(f"/min-familie/{case.ref}/logg").status_code == 404
    young.post(f"/min-familie/{case.ref}/samtykke", data={"services": ["health-nurse"], "purpose": "Samarbeid"})
    full = young.get(f"/min-familie/{case.ref}/logg").get_data(as_text=True)
    assert f"Planen er oppdatert: {NURSE_MEASURE}" in full  # the reach holds here too
    assert "Et tiltak er evaluert" not in full


def test_a_guardian_lists_each_of_their_childrens_cases_in_the_order_they_were_opened(app, family_sso, make_case,
                                                                                    make_user):
    """The list holds the cases of every child the guardian has parental responsibility for; a case where
    the same person is recorded without it is not listed."""
    holder = make_user("holder", roles=(Role.EMPLOYEE, Role.COORDINATOR))
    first, second, without = (told(make_case(by=holder, first_name=name)) for name in ("Første", "Andre", "Uten"))
    for case in (first, second):
        set_guardian_nin(case.child.guardians[0], MOTHER_A)
    set_guardian_nin(without.child.guardians[0], MOTHER_A, responsibility=False)
    page = family_sign_in(app, family_sso, MOTHER_A).get("/min-familie/").get_data(as_text=True)
    assert first.ref in page and second.ref in page and without.ref not in page
    assert page.index(first.ref) < page.index(second.ref)


def test_a_young_person_lists_their_own_case_from_the_consent_age_and_not_before(app, family_sso, make_case, clock):
    from datetime import timedelta as days

    born = clock.today().replace(year=clock.today().year - 15) - days(days=1)
    nin = valid_nin(born, 510 if born.year >= 2000 else 100)
    case = told(make_case(first_name="Ung", birth_date=born, nin=nin))
    assert case.ref in family_sign_in(app, family_sso, nin).get("/min-familie/").get_data(as_text=True)
    clock.travel(datetime.combine(born.replace(year=born.year + 15) - days(days=1), datetime.min.time()))
    assert case.ref not in family_sign_in(app, family_sso, nin).get("/min-familie/").get_data(as_text=True)


def _page_data(app, case, relation, nin: str | None):
    """The family's page of `case` as the service hands it to the template, for the person with `nin`."""
    from tik.family.service import family_page
    from tik.family.texts import FamilyTexts

    with app.test_request_context(f"/min-familie/{case.ref}"):
        return family_page(case, relation, crypto.lookup_hash(nin) if nin else None, FamilyTexts("nb"),
                           TEST_DAY)


def test_the_page_hands_a_young_person_without_reach_no_plan_and_a_guardian_the_whole_plan(app, young_case):
    """What family_page gives the template: the young person without their own consent gets no plan, no measures
    and no timeline (whatever the template would do with them), their consent age and the case's consents; the
    guardian the plan and its measures, and not the young person's wording."""
    from tik.auth.policy import FamilyRelation

    _, case, nin = young_case
    consents = [c.id for c in db.session.scalars(select(Consent).where(Consent.case_id == case.id)
                                                 .order_by(Consent.id))]
    young = _page_data(app, case, FamilyRelation.YOUNG_PERSON, nin)
    assert young.relation == FamilyRelation.YOUNG_PERSON and young.young is True
    assert not young.sees_plan and young.plan is None and young.measures == [] and young.timeline == []
    assert young.consent_age == 15 and [c.id for c in young.consents] == consents and consents
    mother = _page_data(app, case, FamilyRelation.GUARDIAN, MOTHER_A)
    assert mother.relation == FamilyRelation.GUARDIAN and mother.young is False
    assert mother.sees_plan and mother.plan is not None
    assert {m.what for m in mother.measures} == {NURSE_MEASURE, PPT_MEASURE, SCHOOL_MEASURE}
    assert [c.id for c in mother.consents] == consents


def test_the_page_offers_each_guardian_the_letter_in_their_own_language(app, family_sso, make_case, make_user):
    """The page's letter language is the signed-in guardian's own, not the first guardian's."""
    from tik.auth.policy import FamilyRelation
    case = _two_languages(make_case, make_user)
    assert _page_data(app, case, FamilyRelation.GUARDIAN, MOTHER_A).letter_lang == "pl"
    assert _page_data(app, case, FamilyRelation.GUARDIAN, MOTHER_B).letter_lang == "nb"


def test_each_guardians_pages_start_in_the_language_staff_recorded_for_her(app, family_sso, make_case, make_user):
    """"Min familie" speaks the signed-in guardian's own recorded language, not the other guardian's of the same
    child, from her list of cases on."""
    case = _two_languages(make_case, make_user)
    for nin, lang in ((MOTHER_A, "pl"), (MOTHER_B, "nb")):
        family = family_sign_in(app, family_sso, nin)
        for url in ("/min-familie/", f"/min-familie/{case.ref}"):
            assert f'<html lang="{lang}"' in family.get(url).get_data(as_text=True), (nin, url)


def test_the_page_links_the_full_timeline_only_past_the_entries_it_shows(app, families, family_sso):
    """The page shows the latest TIMELINE_ON_PAGE entries; the link to the whole timeline appears only when
    there are more than that, not when there are exactly that many."""
    from tik.family.service import TIMELINE_ON_PAGE, visible_timeline
    from tik.family.texts import FamilyTexts

    _, a, _ = families
    mother = family_sign_in(app, family_sso, MOTHER_A)

    def entries() -> int:
        with app.test_request_context(f"/min-familie/{a.ref}"):
            return len(visible_timeline(a, FamilyTexts("nb")))

    n = 0
    while entries() < TIMELINE_ON_PAGE:
        n += 1
        assert mother.post(f"/min-familie/{a.ref}/for-motet", data={"text": f"Ord nummer {n}"}).status_code == 302
    assert entries() == TIMELINE_ON_PAGE
    assert 'id="family-full-timeline"' not in mother.get(f"/min-familie/{a.ref}").get_data(as_text=True)
    assert mother.post(f"/min-familie/{a.ref}/for-motet", data={"text": "Ett ord for mye"}).status_code == 302
    assert 'id="family-full-timeline"' in mother.get(f"/min-familie/{a.ref}").get_data(as_text=True)
