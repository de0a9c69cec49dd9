"""axe-core on every main page, as the users get it: no serious or critical violation anywhere."""

from __future__ import annotations

import pytest
from browserkit import assert_accessible, login, shot
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

PUBLIC_PAGES = {
    "login": "/login",
    "handbook": "/handbok/",
    "handbook-step": "/handbok/steg/l0-concretise",
    "handbook-tool": "/handbok/verktoy/observation-checklist",
    "handbook-services": "/handbok/tjenester",
    "handbook-signals": "/handbok/tegn",
    "handbook-measures": "/handbok/tiltak",
}

STAFF_PAGES = {
    "my-work": "/min-side",
    "concern-start": "/bekymring/ny",
    "concern-form": "/bekymring/skjema?urgency=none",
    "concern-form-suspicion": "/bekymring/skjema?urgency=suspicion",
    "my-cases": "/saker",
    "case": "/saker/{ref}",
    "plan": "/saker/{ref}/plan",
    "viewers": "/saker/{ref}/innsyn",
    "meetings": "/moter",
    "handbook-logged-in": "/handbok/",
}


@pytest.mark.parametrize("name", PUBLIC_PAGES)
def test_public_page_has_no_serious_axe_violation(page, name):
    page.goto(PUBLIC_PAGES[name])
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    shot(page, f"axe-{name}")
    assert_accessible(page)


@pytest.mark.parametrize("name", STAFF_PAGES)
def test_staff_page_has_no_serious_axe_violation(page, demo_ref, name):
    login(page, "laerer")
    page.goto(STAFF_PAGES[name].format(ref=demo_ref("laerer", level=2)))
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    shot(page, f"axe-{name}")
    assert_accessible(page)


def test_form_errors_are_accessible_and_linked_to_the_fields(page):
    """A form sent empty shows the error summary; each message links to its field."""
    login(page, "laerer")
    page.goto("/bekymring/skjema?urgency=none")
    page.get_by_role("button", name="Registrer bekymringen").click()
    summary = page.get_by_role("alert").filter(has_text="For å gå videre må du rette opp følgende")
    expect(summary).to_be_visible()
    summary.get_by_role("link", name="Skriv barnets fornavn.").click()
    expect(page.get_by_label("Fornavn")).to_be_focused()
    expect(page.get_by_label("Fornavn")).to_have_attribute("aria-invalid", "true")
    shot(page, "axe-concern-form-errors")
    assert_accessible(page)


def test_login_errors_are_accessible(page):
    page.goto("/login")
    page.get_by_role("button", name="Logg inn").click()
    expect(page.get_by_text("Skriv brukernavnet ditt.").first).to_be_visible()
    shot(page, "axe-login-errors")
    assert_accessible(page)


def test_a_team_meeting_with_identified_cases_is_accessible(page):
    """The demo's next team meeting: cases with the family's consent, with minutes and decision forms."""
    login(page, "koordinator")
    page.goto("/moter")
    page.get_by_role("link", name="TIK-team – neste ukemøte").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("TIK-team – neste ukemøte")
    shot(page, "axe-meeting")
    assert_accessible(page)


def test_new_network_meeting_page_is_accessible(page, demo_ref):
    login(page, "laerer")
    page.goto(f"/moter/nettverk/{demo_ref('laerer', level=2)}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Nytt ansvarsgruppemøte")
    shot(page, "axe-network-meeting-new")
    assert_accessible(page)


def test_designsystemet_loads_under_the_content_security_policy(page):
    """The theme and the components come from npm through /designsystem/, allowed by the strict CSP."""
    response = page.goto("/login")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    button = page.get_by_role("button", name="Logg inn")
    assert button.evaluate("b => getComputedStyle(b).backgroundColor") == "rgb(0, 98, 186)"  # Designsystemet's accent
    font = page.evaluate("getComputedStyle(document.body).fontFamily")
    assert font.startswith("Inter") and "sans-serif" in font


def test_the_case_page_prints_without_menus_and_forms(page, demo_ref):
    login(page, "laerer")
    page.goto(f"/saker/{demo_ref('laerer', level=2)}")
    page.emulate_media(media="print")
    expect(page.get_by_role("navigation", name="Hovedmeny")).to_be_hidden()
    expect(page.locator("form").first).to_be_hidden()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.get_by_role("heading", name="Stafettlogg")).to_be_visible()


@pytest.mark.parametrize("username", ["analytiker", "leder"])
def test_the_statistics_page_is_accessible_with_its_charts(page, username):
    """Charts are images with a text alternative, each beside its data table and a written summary."""
    login(page, username)
    page.get_by_role("link", name="Statistikk").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Statistikk: virker den tidlige innsatsen?")
    expect(page.get_by_role("table", name="Bekymringer per måned")).to_be_visible()
    if username == "analytiker":  # the whole demo municipality: some counts are large enough to draw
        expect(page.get_by_role("img", name="Diagram: Bekymringer per måned").first).to_be_visible()
    else:  # one school's handful of cases: every count is hidden, so no chart can be drawn
        expect(page.get_by_text("Ingen diagram: alle tallene er for små til å vises.").first).to_be_visible()
    shot(page, f"axe-statistics-{username}")
    assert_accessible(page)


def test_the_statistics_page_prints_without_filters_and_links(page):
    login(page, "analytiker")
    page.goto("/statistikk/")
    page.emulate_media(media="print")
    expect(page.get_by_role("search", name="Filtrer statistikken")).to_be_hidden()
    expect(page.get_by_role("link", name="Last ned alle tabeller (CSV)")).to_be_hidden()
    expect(page.get_by_role("table", name="Tjenester per sak", exact=True)).to_be_visible()
    shot(page, "statistics-print")
