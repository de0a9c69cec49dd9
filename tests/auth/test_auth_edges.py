"""Rules of login and access at their edges, each found by a mutant that survived the other tests: the
lockout after failed second steps and for unknown names, who proposes the handover when an account is
closed, free usernames for people signing up through the provider, whose recovery code works, and who may
read the draft report."""

from __future__ import annotations

import calendar
from datetime import timedelta

import pyotp
import pytest
from sqlalchemy import select

from tik import clock
from tik.audit.models import AuditEvent
from tik.auth import policy
from tik.auth.models import Role, User
from tik.auth.oidc import staff_user
from tik.auth.service import LOCKOUT, MAX_FAILED_LOGINS, count_failure
from tik.auth.throttle import UnknownLoginFailure, count_unknown_failure, unknown_is_locked
from tik.cases.models import Handover
from tik.extensions import db
from tik.org.service import deactivate


def test_failed_second_steps_lock_the_account_and_are_audited_as_that_user(make_user):
    user = make_user()
    for n in range(1, MAX_FAILED_LOGINS):
        count_failure(user, "mfa totp")
        assert user.failed_logins == n and user.locked_until is None
    count_failure(user, "mfa totp")
    assert user.locked_until > clock.now() and user.failed_logins == 0  # locked; counting starts afresh
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "auth.login_failed")).all()
    assert len(events) == MAX_FAILED_LOGINS
    assert {(e.user_id, e.detail) for e in events} == {(user.id, "mfa totp")}


def test_closing_an_account_proposes_its_cases_to_the_leader_in_the_name_of_who_closed_it(make_user, make_unit,
                                                                                          make_case):
    leader, admin = make_user(), make_user()
    unit = make_unit("school-1", leaders=[leader])
    closed_by_admin, closed_alone = make_user(unit=unit), make_user(unit=unit)
    make_case(by=closed_by_admin)
    make_case(by=closed_alone)
    deactivate(closed_by_admin, by=admin)
    deactivate(closed_alone)
    proposed = {h.from_id: (h.to_id, h.proposed_by_id) for h in db.session.scalars(select(Handover))}
    assert proposed == {closed_by_admin.id: (leader.id, admin.id), closed_alone.id: (leader.id, closed_alone.id)}


def test_sign_up_through_the_provider_takes_the_next_free_username_whatever_its_case(app, make_user, make_unit):
    unit = make_unit("school-1")
    unit.sso_signup = True
    db.session.commit()
    make_user("Kari")

    def sign_up(subject: str, wanted: str) -> User:
        return staff_user({"iss": "https://idp.test", "sub": subject, "preferred_username": wanted,
                           "tik_unit": "school-1"})

    assert sign_up("a", "kari").username == "kari-2"
    assert sign_up("b", "KARI").username == "KARI-3"
    assert sign_up("c", "ola").username == "ola"
    long = "x" * 75
    assert sign_up("d", long).username == "x" * 70
    assert sign_up("e", long).username == "x" * 70 + "-2"


def test_a_username_is_taken_whatever_its_case_and_the_refusal_says_so(make_user, make_unit):
    from support import PASSWORD

    from tik.auth.service import UserError, create_user

    make_user("Kari")
    for taken in ("Kari", "kari", "KARI"):
        with pytest.raises(UserError, match="^Brukernavnet er allerede i bruk.$"):
            create_user(taken, "Kari Nordmann", make_unit("school-1"), PASSWORD)
    assert create_user("Kari2", "Kari Nordmann", make_unit("school-1"), PASSWORD).username == "Kari2"


def test_a_password_needs_ten_characters_and_ten_are_enough():
    from tik.auth.service import MIN_PASSWORD_LENGTH, UserError, _verify, hash_password

    assert MIN_PASSWORD_LENGTH == 10
    with pytest.raises(UserError, match="minst 10 tegn"):
        hash_password("x" * 9)
    assert _verify(hash_password("y" * 10), "y" * 10)


def test_the_author_of_a_draft_report_who_lost_access_to_the_case_no_longer_sees_it(make_user, make_case):
    holder, outsider = make_user(), make_user(service="health")
    case = make_case(by=holder)
    today = clock.today()
    assert policy.can_see_report(holder, case, holder.id, today)
    assert not policy.can_see_report(outsider, case, outsider.id, today)  # wrote it, then lost access


def _fail_unknown(name: str, times: int) -> None:
    for _ in range(times):
        count_unknown_failure(name, MAX_FAILED_LOGINS, LOCKOUT)
    db.session.commit()


def test_unknown_names_lock_each_on_its_own_and_count_afresh_after_the_lock(app):
    _fail_unknown("ghost", MAX_FAILED_LOGINS)
    assert unknown_is_locked("ghost") and unknown_is_locked(" GHOST ")  # as real names: case and spaces aside
    assert not unknown_is_locked("phantom")
    clock.travel(clock.now() + LOCKOUT + timedelta(seconds=1))
    assert not unknown_is_locked("ghost")
    _fail_unknown("ghost", MAX_FAILED_LOGINS - 1)
    assert not unknown_is_locked("ghost")
    _fail_unknown("ghost", 1)
    assert unknown_is_locked("ghost")


def test_unknown_names_are_stored_under_a_hash_keyed_with_the_secret(app):
    _fail_unknown("ghost", 1)
    first = db.session.scalars(select(UnknownLoginFailure.key)).all()
    app.config["SECRET_KEY"] = "another secret key of the same length as a real one"
    _fail_unknown("ghost", 1)
    keys = db.session.scalars(select(UnknownLoginFailure.key)).all()
    assert len(first) == 1 and len(keys) == 2  # without the secret the key would be the same: guessable
    assert all("ghost" not in key for key in keys)


def test_a_recovery_code_works_for_its_own_user_only(make_user):
    from tik.auth import mfa

    owner, other = make_user(), make_user()
    moment = calendar.timegm(clock.now().timetuple())
    codes = {user: mfa.confirm_enrolment(user, pyotp.TOTP(mfa.start_enrolment(user)).at(moment))
             for user in (owner, other)}
    code = codes[owner][0]
    assert mfa.verify(other, code) is None
    assert mfa.verify(owner, code) == "recovery"


def test_requires_declares_who_may_use_the_route(app):
    """The declaration the default deny (tik/web.py) looks for. Decorated here, at test time: the app's own
    routes are decorated at import, before a mutation test run could change `requires`."""
    from tik.auth.models import Role
    from tik.auth.policy import ACCESS_ATTR, requires

    def view():
        return "page"

    assert getattr(requires()(view), ACCESS_ATTR) == ("authenticated",)
    assert getattr(requires(Role.LEADER, Role.ADMIN)(view), ACCESS_ATTR) == (Role.LEADER, Role.ADMIN)
    assert requires()(view).__name__ == "view"


def _enrolled(user) -> tuple[str, list[str]]:
    from tik.auth import mfa

    secret = mfa.start_enrolment(user)
    codes = mfa.confirm_enrolment(user, _code(secret, 0))
    assert codes, "enrolment refused"
    return secret, codes


def _code(secret: str, seconds: int) -> str:
    return pyotp.TOTP(secret).at(calendar.timegm((clock.now() + timedelta(seconds=seconds)).timetuple()))


def test_totp_codes_one_step_either_side_are_accepted_and_no_further(make_user):
    from tik.auth import mfa

    start = clock.now()
    for seconds, accepted in ((-30, True), (30, True), (-60, False), (60, False)):
        clock.travel(start)
        user = make_user()
        secret, _ = _enrolled(user)
        clock.travel(start + timedelta(minutes=10))
        assert (mfa.verify(user, _code(secret, seconds)) == "totp") is accepted, seconds


def test_the_code_that_confirmed_enrolment_cannot_sign_in_and_enrolment_is_audited(make_user):
    from tik.auth import mfa

    user = make_user()
    secret = mfa.start_enrolment(user)
    assert mfa.confirm_enrolment(user, _code(secret, 0))
    assert mfa.verify(user, _code(secret, 0)) is None  # that step is used up
    [event] = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "auth.mfa_enrolled")).all()
    assert event.user_id == user.id


def test_confirming_without_a_started_enrolment_is_refused(make_user):
    from tik.auth import mfa

    assert mfa.confirm_enrolment(make_user(), "123456") is None


def test_new_recovery_codes_replace_only_the_user_s_own(make_user):
    from tik.auth import mfa

    owner, other = make_user(), make_user()
    _, old = _enrolled(owner)
    _, others = _enrolled(other)
    mfa.new_recovery_codes(owner)
    db.session.commit()
    assert mfa.remaining_recovery_codes(owner) == mfa.RECOVERY_CODES
    assert mfa.verify(owner, old[0]) is None  # the old set is gone
    assert mfa.verify(other, others[0]) == "recovery"


def test_a_provider_saying_amr_as_one_string_counts(app):
    from tik.auth.oidc import counts_as_mfa

    assert counts_as_mfa({"amr": "mfa"}) and not counts_as_mfa({"amr": "pwd"})


def test_sign_up_takes_name_email_and_role_from_the_token_and_needs_issuer_subject_and_a_unit(make_unit):
    unit = make_unit("school-1")
    unit.sso_signup = True
    db.session.commit()
    base = {"iss": "https://idp.test", "tik_unit": "school-1"}
    named = staff_user(base | {"sub": "a", "email": "kari@fjordvik.test", "name": "Kari " + "N" * 300})
    assert named.username == "kari@fjordvik.test" and named.email == "kari@fjordvik.test"
    assert named.name == ("Kari " + "N" * 300)[:200] and named.roles == {Role.EMPLOYEE}
    assert named.unit_id == unit.id and (named.external_issuer, named.external_subject) == ("https://idp.test", "a")
    bare = staff_user(base | {"sub": "b"})
    assert bare.username == bare.name == "sso-b" and bare.email == ""
    assert staff_user({"iss": "https://idp.test", "tik_unit": "school-1"}) is None  # no subject
    assert staff_user({"sub": "c", "tik_unit": "school-1"}) is None  # no issuer
    assert staff_user(base | {"sub": "d", "tik_unit": ["school-1"]}) is None  # a unit claim that is no key


def test_a_team_member_belongs_to_that_team_only(make_user):
    from tik.meetings.models import Team, TeamMember

    member = make_user()
    ours, theirs = Team(name="Nord", members=[TeamMember(user_id=member.id)]), Team(name="Sør")
    db.session.add_all([ours, theirs])
    db.session.commit()
    assert policy.is_team_member(member, ours.id) and not policy.is_team_member(member, theirs.id)
    assert not policy.is_team_member(member, None)


def test_a_leader_who_is_no_coordinator_may_still_hold_a_case_of_the_unit(make_user, make_case):
    holder = make_user()
    leader = make_user(roles=(Role.LEADER,), unit=holder.unit)
    employee = make_user(roles=(Role.EMPLOYEE,), unit=holder.unit)
    case = make_case(by=holder)
    assert policy.can_hold_case(leader, case, clock.today())  # takes the cases of a departing colleague
    assert not policy.can_hold_case(employee, case, clock.today())


def test_the_authenticator_app_is_given_the_username_and_tik_as_issuer(make_user):
    from urllib.parse import parse_qs, unquote, urlsplit

    from tik.auth import mfa

    user = make_user("kari.nordmann")
    secret = mfa.start_enrolment(user)
    uri = urlsplit(mfa.provisioning_uri(user))
    query = parse_qs(uri.query)
    assert uri.scheme == "otpauth" and unquote(uri.path) == f"/{mfa.ISSUER_NAME}:kari.nordmann"
    assert query["secret"] == [secret] and query["issuer"] == [mfa.ISSUER_NAME]


def test_a_login_refused_for_missing_fields_lists_each_error_linked_to_its_field(client):
    assert client.get("/login").status_code == 200
    page = client.post("/login", data={"username": "", "password": ""})
    html = page.get_data(as_text=True)
    assert page.status_code == 422
    summary = html.split('class="ds-error-summary"')[1].split("</div>")[0]
    assert 'href="#username"' in summary and 'href="#password"' in summary
