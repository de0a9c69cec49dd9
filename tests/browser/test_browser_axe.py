"""axe-core on every main page, as the users get it: no serious or critical violation anywhere."""

from __future__ import annotations

import pytest
from browserkit import assert_accessible, login, shot
from playwright.sync_api import expect

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
