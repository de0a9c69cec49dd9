"""The `tik` command: users, demo, reminders — the same service functions the web uses."""

from __future__ import annotations

from devkit.cli import demo as demo_command
from tik.auth.models import Role, User
from tik.extensions import db


def test_users_create_and_list(runner, make_unit):
    unit = make_unit("skole-a", "school")
    result = runner.invoke(args=["users", "create", "kari", "--name", "Kari Lærer", "--unit", "skole-a",
                                 "--role", "coordinator", "--role", "employee"],
                           input="et-langt-passord\net-langt-passord\n")
    assert result.exit_code == 0, result.output
    user = db.session.scalar(db.select(User).where(User.username == "kari"))
    assert user.roles == {Role.COORDINATOR, Role.EMPLOYEE} and user.password_hash.startswith("$argon2id$")
    assert user.unit_id == unit.id and user.service_key == "school"
    listing = runner.invoke(args=["users", "list"])
    assert "kari" in listing.output and "Kari Lærer" in listing.output and "skole-a" in listing.output


def test_users_create_refuses_unknown_unit_short_password_and_duplicates(runner, make_user, make_unit):
    make_unit("skole-a", "school")
    bad_unit = runner.invoke(args=["users", "create", "x", "--name", "X", "--unit", "astrology"],
                             input="et-langt-passord\net-langt-passord\n")
    assert bad_unit.exit_code != 0 and "unknown unit" in bad_unit.output
    short = runner.invoke(args=["users", "create", "y", "--name", "Y", "--unit", "skole-a"], input="kort\nkort\n")
    assert short.exit_code != 0 and "minst 10 tegn" in short.output  # in the municipality's language
    make_user(username="taken")
    dup = runner.invoke(args=["users", "create", "taken", "--name", "Z", "--unit", "skole-a"],
                        input="et-langt-passord\net-langt-passord\n")
    assert dup.exit_code != 0 and "Brukernavnet er allerede i bruk." in dup.output


def test_demo_command_loads_once_and_prints_the_logins(runner):
    first = runner.invoke(demo_command)
    assert first.exit_code == 0 and "laerer" in first.output and "tik-demo-2026" in first.output
    users = db.session.scalar(db.select(db.func.count(User.id)))
    second = runner.invoke(demo_command)
    assert second.exit_code == 0 and "allerede" in second.output
    assert db.session.scalar(db.select(db.func.count(User.id))) == users


def test_reminders_command(runner, make_user, make_case):
    from datetime import timedelta

    from tik import clock

    holder = make_user(email="h@fjordvik.kommune.no")
    make_case(by=holder)
    clock.travel(clock.today() + timedelta(days=20))
    result = runner.invoke(args=["reminders"])
    assert result.exit_code == 0 and "1 påminnelser" in result.output
