"""The young person's door on a phone (375 px, Norwegian; the door has no script: tests/youth/test_youth.py): write,
get a return code, an operator answers from a template, the answer is read with the code; a wrong code is a
plain "not found".
(The rate limit on codes is tested against the real limiter in tests/youth/test_youth.py.)"""

from __future__ import annotations

import pytest
from browserkit import assert_accessible, login, shot
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 812}


@pytest.fixture
def phone(browser, live_server):
    ctx = browser.new_context(base_url=live_server.url, locale="nb-NO", viewport=PHONE, device_scale_factor=2,
                              is_mobile=True, has_touch=True, reduced_motion="reduce")
    yield ctx.new_page()
    ctx.close()


def test_a_young_person_writes_an_operator_answers_and_the_answer_is_read_with_the_code(phone, page):
    phone.goto("/ung/")
    expect(phone.get_by_role("heading", level=1)).to_have_text("Skriv til oss")
    expect(phone.get_by_text("Vi svarer innen 48 timer på hverdager.").first).to_be_visible()
    phone.get_by_label("Hva tenker du på?").fill("Jeg føler meg alene etter at vi flyttet hit.")
    phone.get_by_label("Alder (hvis du vil)").select_option("16-18")
    phone.get_by_role("button", name="Send", exact=True).click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Takk! Meldingen er sendt.")
    code = phone.locator("#return-code").inner_text()
    assert len(code.split("-")) == 5
    shot(phone, "youth-code")

    login(page, "ungdomsveileder")  # the operator, at a desk
    page.goto("/ung/innboks")
    page.locator("#queue a").last.click()
    expect(page.get_by_text("Jeg føler meg alene etter at vi flyttet hit.")).to_be_visible()
    page.get_by_label("Start fra en mal").select_option("thanks")
    page.get_by_role("button", name="Send svaret").click()
    expect(page.get_by_text("Svaret er sendt.")).to_be_visible()

    phone.goto("/ung/les")
    phone.get_by_label("Svarkoden din").fill(code)
    phone.get_by_role("button", name="Les", exact=True).click()
    expect(phone.get_by_text("Takk for at du skrev til oss. Det var modig.")).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot(phone, "youth-answer")
    assert_accessible(phone)

    phone.goto("/ung/les")
    phone.get_by_label("Svarkoden din").fill("bako-mire-tusa-lide-repo")
    phone.get_by_role("button", name="Les", exact=True).click()
    expect(phone.get_by_text("Fant ikke samtalen. Sjekk koden og prøv igjen.")).to_be_visible()
    expect(phone.get_by_text("Takk for at du skrev")).to_have_count(0)


def test_not_safe_shows_the_emergency_numbers_at_once(phone):
    phone.goto("/ung/")
    phone.get_by_role("link", name="Jeg er ikke trygg nå").click()
    expect(phone.locator("#emergency")).to_contain_text("113")
    expect(phone.locator("#emergency")).to_contain_text("116 111")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert_accessible(phone)
