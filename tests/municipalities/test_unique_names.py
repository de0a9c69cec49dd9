"""Names that must be unique, on an install of several municipalities: a username is the install's (taken in
another municipality is taken), a unit key too (a shared unit is found by its key in each), a team's name only
within its municipality. A clash is told in the user's language, on the field, never a 500."""

from __future__ import annotations

import pytest
from support import PASSWORD
from test_municipalities import A, B, log_in, places, two  # noqa: F401 - the two municipalities' fixtures

from tik.auth.models import User
from tik.extensions import db
from tik.municipalities import municipality_scope


def _new_user(client, username: str, **fields):
    data = {"username": username, "name": "Kari Nymann", "title": "Lærer", "email": "kari@b.test", "phone": "",
            "unit": "skole-b", "roles": ["employee"], "password": PASSWORD, "idempotency_key": "k-" + username}
    return client.post("/admin/brukere", data=data | fields, base_url=B)


def test_a_username_of_another_municipality_is_refused_on_the_field_keeping_what_was_typed(client, places):  # noqa: F811
    a, b = places
    log_in(client, b.admin, B)
    response = _new_user(client, a.holder.username)  # holder-a: Vestvik's, not seen at Nordvik
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Brukernavnet er allerede i bruk." in page
    assert 'value="Kari Nymann"' in page and 'value="kari@b.test"' in page and f'value="{a.holder.username}"' in page
    with municipality_scope(b.municipality):
        assert db.session.scalar(db.select(User).where(User.name == "Kari Nymann")) is None
    assert _new_user(client, "kari-b", idempotency_key="k2").status_code == 302  # a free name is created


@pytest.mark.parametrize(("language", "said"), [("en", "The username is already in use."),
                                                ("nn", "Brukarnamnet er allereie i bruk.")])
def test_the_refusal_is_in_the_admin_s_language(client, places, language, said):  # noqa: F811
    a, b = places
    if language == "nn":  # Nordvik offers nb and en only: nynorsk is asked for at Vestvik
        admin, base, other = a.admin, A, b.holder.username
    else:
        admin, base, other = b.admin, B, a.holder.username
    admin.locale = language
    db.session.commit()
    log_in(client, admin, base)
    unit = "skole-a" if base == A else "skole-b"
    response = client.post("/admin/brukere", base_url=base, data={
        "username": other, "name": "Kari", "unit": unit, "roles": ["employee"], "password": PASSWORD,
        "idempotency_key": "k-lang"})
    assert response.status_code == 422
    assert said in response.get_data(as_text=True)


def test_the_command_refuses_a_username_of_another_municipality_with_a_message(runner, places):  # noqa: F811
    a, _b = places
    result = runner.invoke(args=["users", "create", places[1].holder.username, "--name", "Kari", "--unit",
                                 "skole-a", "--password", PASSWORD])  # the command works at Vestvik
    assert result.exit_code == 1
    assert "Brukernavnet er allerede i bruk." in result.output
    assert "Traceback" not in result.output and "IntegrityError" not in result.output
    assert a.holder.username != places[1].holder.username


def test_a_unit_key_another_municipality_has_is_refused_naming_it_and_nothing_is_loaded(client, places):  # noqa: F811
    """Both municipalities point at the same organisation file here: the second to load it is refused."""
    from tik.org.models import Unit

    a, b = places
    log_in(client, a.admin, A)
    assert client.post("/admin/enheter", base_url=A).status_code == 200
    log_in(client, b.admin, B)
    response = client.post("/admin/enheter", base_url=B)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "enhetsnøkkelen «fjordvik-barneskole» er allerede i bruk i en annen kommune" in page
    with municipality_scope(b.municipality):
        assert {u.key for u in db.session.scalars(db.select(Unit))} == {"skole-b", "stab-b"}  # nothing loaded


def test_a_team_name_is_unique_within_its_municipality_only(places):  # noqa: F811
    from tik.meetings import service as meetings
    from tik.meetings.service import MeetingError
    from tik.messages import refusal_message

    a, b = places
    with municipality_scope(a.municipality):
        meetings.create_team("TIK-team Sentrum", [a.holder])
        with pytest.raises(MeetingError) as refused:
            meetings.create_team("TIK-team Sentrum", [a.leader])
        assert refusal_message(refused.value.code) == "Kommunen har allerede et team med dette navnet."
    with municipality_scope(b.municipality):
        assert meetings.create_team("TIK-team Sentrum", [b.holder]).id  # the same name in another municipality
