"""A right-to-left override (U+202E) typed into user text stays inside that text, on pages and in PDFs."""

from __future__ import annotations

from support import pdf_text

from tik.bidi import FSI, PDI, isolate
from tik.concerns.service import GuardianInput
from tik.plans.printing import plan_pdf

RLO = "\u202e"


def test_user_text_with_an_override_is_isolated_on_the_case_page(client, login, make_user, make_case):
    holder = login(make_user())
    case = make_case(by=holder, school=f"{RLO}Fjordvik skole", class_name="5B")
    page = client.get(f"/saker/{case.ref}").get_data(as_text=True)
    assert f"{FSI}{RLO}Fjordvik skole{PDI}, 5B" in page
    assert f"{RLO}Fjordvik skole, 5B" not in page


def test_the_page_s_own_text_after_an_override_reads_the_right_way_in_the_pdf(app, make_user, make_case):
    holder = make_user()
    case = make_case(by=holder, guardians=[GuardianInput(f"Kari {RLO}Hansen", "mor", "", "nb")])
    _name, data = plan_pdf(case, holder, family=True)
    text = pdf_text(data)
    assert "Dato:" in text and ":otaD" not in text  # the letter's own words after the name read forwards


def test_arabic_names_are_isolated_and_plain_text_is_left_alone():
    assert isolate("سارة") == f"{FSI}سارة{PDI}"
    assert isolate("Emma Hansen") == "Emma Hansen"
    assert isolate(f"a{PDI}{RLO}b") == f"{FSI}a{RLO}b{PDI}"  # a stray PDI cannot end the isolate early
    assert isolate(isolate("سارة")) == isolate("سارة") and isolate(42) == 42


def test_markup_stays_markup_and_is_not_escaped_twice():
    from markupsafe import Markup

    out = isolate(Markup("<b>سارة</b> &amp;"))
    assert isinstance(out, Markup) and out == Markup(f"{FSI}<b>سارة</b> &amp;{PDI}")
