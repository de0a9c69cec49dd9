"""What the browser tests share: where chromium and axe-core are, logging in, screenshots, the axe check,
keyboard moves and reading a downloaded PDF back as text."""

from __future__ import annotations

import re
from io import BytesIO
from pathlib import Path

from playwright.sync_api import Page, expect

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "tests" / "artifacts"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
# A Norwegian browser (with Debian's chromium-l10n): date fields read dd.mm.åååå, as our users see them.
CHROMIUM_LOCALE = {"LANG": "nb_NO.UTF-8", "LANGUAGE": "nb"}
CHROMIUM_NORWEGIAN = Path("/usr/lib/chromium/locales/nb.pak")
DEMO_PASSWORD = "tik-demo-2026"
BLOCKING = ("serious", "critical")


def login(page: Page, username: str) -> None:
    """Log in through the login form as a demo user and land on Min side."""
    page.goto("/login")
    page.get_by_label("Brukernavn").fill(username)
    page.get_by_label("Passord").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Logg inn").click()
    expect(page).to_have_url(re.compile(r"/min-side$"))


def shot(page: Page, name: str) -> Path:
    """Save a full-page screenshot as tests/artifacts/<name>.png (ignored by git) and return its path."""
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def axe_violations(page: Page) -> list[dict]:
    """axe-core's serious and critical violations on the page as loaded, under the page's real CSP.

    axe is evaluated through the DevTools protocol rather than as a <script> tag: the app's
    Content-Security-Policy (script-src 'self') rightly refuses inline scripts, and the check must
    see the page exactly as users get it.
    """
    if not page.evaluate("typeof window.axe === 'object'"):
        page.evaluate(AXE.read_text(encoding="utf-8") + "\n;0")
    result = page.evaluate("""async () => {
        // a page still settling (a <details> just opened, a transition running) is measured once it has settled
        await Promise.all(document.getAnimations().map(a => a.finished.catch(() => null)));
        await new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)));
        const r = await axe.run(document, {resultTypes: ['violations']});
        return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.map(n => n.target.join(' ') + ' — ' + n.failureSummary)}));
    }""")
    return [v for v in result if v["impact"] in BLOCKING]


def assert_accessible(page: Page) -> None:
    """Fail with a readable list when axe finds a serious or critical violation."""
    found = axe_violations(page)
    assert not found, f"axe on {page.url}:\n" + "\n".join(
        f"- [{v['impact']}] {v['id']}: {v['help']}\n    " + "\n    ".join(v["nodes"][:5]) for v in found)


def focused(page: Page) -> dict:
    """What has keyboard focus: its tag, type, name, id, value and accessible text."""
    return page.evaluate("""() => { const e = document.activeElement;
        return {tag: e.tagName.toLowerCase(), type: e.type || '', name: e.name || '', id: e.id || '',
                value: e.value || '', text: (e.innerText || e.textContent || '').trim()}; }""")


def tab_to(page: Page, matches, limit: int = 80) -> dict:
    """Press Tab until the focused element satisfies `matches(focused)`; fails if it is never reached."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        now = focused(page)
        if matches(now):
            return now
    raise AssertionError(f"Tab never reached the element on {page.url}; last focus: {focused(page)}")


def pdf_text(data: bytes) -> str:
    """The PDF's text as a reader gets it, with line breaks folded to spaces."""
    from pypdf import PdfReader

    reader = PdfReader(BytesIO(data))
    return " ".join(" ".join((p.extract_text() or "").split()) for p in reader.pages)


def download(page: Page, click) -> tuple[str, bytes]:
    """Run `click()` and return the (file name, bytes) of the download it starts."""
    with page.expect_download() as info:
        click()
    dl = info.value
    return dl.suggested_filename, Path(dl.path()).read_bytes()
