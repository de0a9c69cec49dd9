"""Teachers use phones and tablets: at 375 px nothing scrolls sideways, and everything still works."""

from __future__ import annotations

import pytest
from browserkit import assert_accessible, login, shot
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 812}


@pytest.fixture
def phone(browser, live_server):
    """A tab the size of a phone (375 × 812 CSS pixels)."""
    ctx = browser.new_context(base_url=live_server.url, locale="nb-NO", viewport=PHONE, device_scale_factor=2,
                              is_mobile=True, has_touch=True, reduced_motion="reduce")
    yield ctx.new_page()
    ctx.close()


def _page_width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def test_the_concern_form_has_no_horizontal_scroll_at_375_px(phone):
    login(phone, "laerer")
    phone.goto("/bekymring/skjema?urgency=none")
    expect(phone.get_by_role("heading", level=1)).to_have_text("Ny bekymring")
    phone.get_by_text("Skolebarn (6–12 år)").click()  # an open signal group must fit too
    assert _page_width(phone) <= PHONE["width"]
    phone.get_by_role("button", name="Registrer bekymringen").click()  # and so must the error summary
    expect(phone.get_by_text("For å gå videre må du rette opp følgende:")).to_be_visible()
    assert _page_width(phone) <= PHONE["width"]
    shot(phone, "narrow-concern-form")
    assert_accessible(phone)


@pytest.mark.parametrize("path", ["/login", "/min-side", "/bekymring/ny", "/saker", "/saker/{ref}",
                                  "/saker/{ref}/plan", "/handbok/", "/handbok/tjenester", "/handbok/tiltak", "/moter"])
def test_main_pages_fit_a_phone(phone, demo_ref, path):
    login(phone, "laerer")
    phone.goto(path.format(ref=demo_ref("laerer", level=2)))
    expect(phone.get_by_role("heading", level=1)).to_be_visible()
    assert _page_width(phone) <= PHONE["width"], f"{path} scrolls sideways at 375 px"
    name = path.strip("/").replace("/", "-").replace("{ref}", "case") or "root"
    shot(phone, f"narrow-{name}")
    assert_accessible(phone)


@pytest.mark.parametrize("path", ["/min-side", "/bekymring/skjema?urgency=none", "/saker/{ref}", "/saker/{ref}/plan"])
def test_main_pages_fit_a_tablet_in_portrait(browser, live_server, demo_ref, path):
    ctx = browser.new_context(base_url=live_server.url, locale="nb-NO", viewport={"width": 768, "height": 1024},
                              has_touch=True, reduced_motion="reduce")
    tablet = ctx.new_page()
    try:
        login(tablet, "laerer")
        tablet.goto(path.format(ref=demo_ref("laerer", level=2)))
        expect(tablet.get_by_role("heading", level=1)).to_be_visible()
        assert tablet.evaluate("document.documentElement.scrollWidth") <= 768
        name = path.split("?")[0].strip("/").replace("/", "-").replace("{ref}", "case")
        shot(tablet, f"tablet-{name}")
    finally:
        ctx.close()
