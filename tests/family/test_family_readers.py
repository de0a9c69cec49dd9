""""Min familie"'s list of who has read the case (tik.family.service.readers, issue 30): one row per role and unit,
or per person where the municipality shows staff names (TIK_FAMILY_STAFF_NAMES); reads and prints counted apart;
the latest reader first; and no name at all unless names are shown."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from support import PASSWORD, TEST_DAY
from test_family import MOTHER_A, family_sign_in, set_guardian_nin, told

from tik.auth.models import Role
from tik.cases.participants import invite_participant

ROW = re.compile(r'<li data-role="([^"]*)" data-unit="([^"]*)" data-reads="(\d+)" data-prints="(\d+)">(.*?)</li>',
                 re.DOTALL)


@pytest.fixture
def read_case(app, clock, family_sso, make_case, make_user, make_unit, give_consent, make_measure):
    """A case the family was told of, read in turn (five minutes apart) by its holder, two nurses of one unit (the
    second also prints the plan twice) and a nurse of another unit; the holder then exports it twice."""
    holder = make_user("holder", roles=(Role.EMPLOYEE, Role.COORDINATOR))
    case = told(make_case(by=holder, first_name="Anna"))
    set_guardian_nin(case.child.guardians[0], MOTHER_A)
    health, other = make_unit("helse", "health-nurse"), make_unit("helse-nord", "health-nurse")
    nurses = [make_user(name, unit=unit, roles=(Role.EMPLOYEE, Role.COORDINATOR))
              for name, unit in (("nurse1", health), ("nurse2", health), ("nurse3", other))]
    give_consent(case, holder, ["health-nurse"])
    for nurse in nurses:
        invite_participant(case, nurse, holder)
    make_measure(case, holder)
    start = datetime.combine(TEST_DAY, datetime.min.time()).replace(hour=9)
    for minutes, user, paths in ((0, holder, [f"/saker/{case.ref}"]),
                                 (5, nurses[0], [f"/saker/{case.ref}"]),
                                 (10, nurses[1], [f"/saker/{case.ref}", f"/saker/{case.ref}/plan.pdf",
                                                  f"/saker/{case.ref}/plan.pdf"]),
                                 (15, nurses[2], [f"/saker/{case.ref}"])):
        clock.travel(start + timedelta(minutes=minutes))
        staff = app.test_client()
        assert staff.post("/login", data={"username": user.username, "password": PASSWORD}).status_code == 302
        for path in paths:
            assert staff.get(path).status_code == 200
        if user is holder:
            for lang in ("nb", "pl"):
                assert staff.post(f"/saker/{case.ref}/innsyn-art15", data={"lang": lang}).status_code == 200
    return case, holder, nurses, (health, other)


def _rows(app, family_sso, case) -> list[tuple[str, str, int, int, str]]:
    family = family_sign_in(app, family_sso, MOTHER_A)
    table = family.get(f"/min-familie/{case.ref}").get_data(as_text=True).split('id="family-readers"')[1]
    return [(role, unit, int(reads), int(prints), " ".join(text.split()))
            for role, unit, reads, prints, text in ROW.findall(table.split("</ul>")[0])]


def test_without_names_one_row_per_role_and_unit_latest_first_and_no_name(app, family_sso, read_case):
    case, holder, nurses, (health, other) = read_case
    rows = _rows(app, family_sso, case)
    assert [r[:4] for r in rows if r[0] == "Deltaker"] == [("Deltaker", other.name, 1, 0),  # the latest reader
                                                           ("Deltaker", health.name, 2, 2)]  # the two nurses
    assert rows.index(next(r for r in rows if r[0] == "Deltaker")) == 0
    assert rows[-1][:2] == ("Stafettholder", holder.unit.name) and rows[-1][3] == 0  # the earliest reader
    holders = [r for r in rows if r[1] == holder.unit.name]
    assert len(holders) == 2 and sum(r[3] for r in holders) == 2  # both exports in one row
    for role, unit, _reads, _prints, text in rows:
        assert text.startswith(f"{role}, <bdi>{unit}</bdi>:"), text  # no name, not even an empty one
        for user in (holder, *nurses):
            assert user.name not in text


def test_with_names_one_row_per_person_named(app, family_sso, read_case):
    case, holder, nurses, (health, other) = read_case
    app.config["TIK_FAMILY_STAFF_NAMES"] = True
    rows = _rows(app, family_sso, case)
    named = {(role, unit, prints): text for role, unit, _reads, prints, text in rows if role != "Ansatt"}
    assert list(named) == [("Deltaker", other.name, 0), ("Deltaker", health.name, 2),
                           ("Deltaker", health.name, 0), ("Stafettholder", holder.unit.name, 0)]
    for text, user in zip(named.values(), (nurses[2], nurses[1], nurses[0], holder), strict=True):
        assert text.startswith(f"{'Stafettholder' if user is holder else 'Deltaker'} (<bdi>{user.name}</bdi>), "), text
