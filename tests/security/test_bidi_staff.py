"""On staff pages, a right-to-left override typed into a guardian's or a child's name stays inside that name:
every override on the page is inside an isolate (FSI … PDI, <bdi> or dir="auto"), so it cannot turn the page's
own words around it."""

from __future__ import annotations

import re

import pytest

from tik.bidi import FSI, PDI
from tik.concerns.service import GuardianInput

RLO = "\u202e"
# An isolate, or a form control (its value is laid out in a box of its own and reorders nothing outside it).
ISOLATED = re.compile(f"{FSI}[^{FSI}{PDI}]*{PDI}|<bdi>.*?</bdi>|<[^>]* dir=\"auto\"[^>]*>[^<]*|<input [^>]*>"
                      "|<textarea[^>]*>[^<]*</textarea>", re.S)


def _loose_overrides(page: str) -> list[str]:
    """The text around each override that no isolate holds."""
    rest = ISOLATED.sub("", page)
    return [rest[max(0, i - 40):i + 40] for i in (m.start() for m in re.finditer(RLO, rest))]


@pytest.mark.parametrize("path", ["/saker/{ref}", "/saker/{ref}/plan", "/saker/{ref}/logg", "/min-side"])
def test_an_override_in_a_guardian_s_name_stays_inside_it_on_staff_pages(client, login, make_user, make_case,
                                                                         path):
    holder = login(make_user())
    case = make_case(by=holder, first_name=f"Ola{RLO}", guardians=[
        GuardianInput(f"Kari {RLO}Hansen", "mor", "400 00 000", "nb")])
    page = client.get(path.format(ref=case.ref)).get_data(as_text=True)
    assert RLO in page or path == "/min-side"
    assert _loose_overrides(page) == []
