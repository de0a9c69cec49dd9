"""A Swedish municipality with no Norwegian left on the screen (issue 28): every page the Swedish demo's users
reach (a crawl from the start page through every same-site link, as each of them), the family's pages signed in
through BankID, the plan PDF and the letter, the orosanmälan and the archive print: no bokmål-only word in any
visible text or label."""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path
from urllib.parse import urldefrag, urlparse

import pytest
from support import pdf_text

from tik.auth.models import User
from tik.cases.models import Case
from tik.extensions import db

# Words of bokmål that Swedish does not have (spelled so): one on a Swedish screen escaped the catalogue or the
# guidebook. Also the letters ø and æ, which Swedish never writes.
NORWEGIAN_WORDS = (
    "Bekymring", "bekymring", "fødselsnummer", "Fødselsnummer", "barnevern", "Barnevern", "foresatte", "Foresatte",
    "Lagre", "stafettholder", "Stafettholder", "tiltak", "Tiltak", "Logg inn", "Logg ut", "samtykke", "Samtykke",
    "ikke", "Ikke", "Hvem", "hvem", "Hva ", "hva ", "Saken", "saken", "tjeneste", "Tjeneste", "KS Fiks",
    "Melding til", "Tilbake", "Neste ", "Søk", "søk", "Ukjent", "dager", "kommune ", "foreldre", "Foreldre",
    "forvaltningsloven", "offentleglova", "desember", "Velg ", "velg ", "Legg til", "Fjern", "Oppdater", "Hvordan",
    "hvordan", "ID-porten",
)
NORWEGIAN_LETTERS = re.compile("[øæØÆ]")


def norwegian_in(text: str) -> list[str]:
    """The Norwegian words and letters in `text` (with a little context for the letters)."""
    found = [word for word in NORWEGIAN_WORDS if re.search(rf"(?<![\wåäö]){re.escape(word)}", text)]
    found += [text[max(0, m.start() - 20):m.end() + 20] for m in NORWEGIAN_LETTERS.finditer(text)]
    return found


ATTRIBUTES = re.compile(r'\s(?:placeholder|aria-label|title|alt|aria-description)="([^"]*)"')
BUTTON_VALUES = re.compile(r'<input[^>]*type="(?:submit|button)"[^>]*value="([^"]*)"')


def visible_text(html: str) -> str:
    """What a person (or a screen reader) gets of a page: the text outside scripts and styles, and the labels
    in attributes. The language menu lists each language in its own name and is left out."""
    html = re.sub(r"(?s)<(script|style)\b.*?</\1>", " ", html)
    html = re.sub(r'(?s)<select[^>]*name="lang"[^>]*>.*?</select>', " ", html)
    labels = " ".join(ATTRIBUTES.findall(html) + BUTTON_VALUES.findall(html))
    return unescape(re.sub(r"<[^>]+>", " ", html) + " " + labels)


# Links the crawl never follows: they change something on a GET or leave the page (logout is a POST anyway).
SKIP = re.compile(r"^/(static|logout|min-familie/logg-inn|login/oidc)|\.(css|js|png|svg|ico)$")


def links(html: str) -> list[str]:
    found = []
    for href in re.findall(r'href="([^"]+)"', html):
        href = urldefrag(unescape(href))[0]
        parsed = urlparse(href)
        if parsed.netloc or not href.startswith("/") or SKIP.search(parsed.path):
            continue
        if re.search(r"(?:^|&)lang=(?!sv\b)", parsed.query):  # a letter asked for in another language
            continue
        found.append(href)
    return found


def crawl(client, start: str = "/", limit: int = 400, pdfs: bool = True) -> dict[str, str]:
    """Every page reachable from `start` through same-site links: address → visible text (PDFs as their text;
    with `pdfs` False they are left out: printing is the slow part, and the case tests read them)."""
    seen: dict[str, str] = {}
    queue = [start]
    while queue and len(seen) < limit:
        url = queue.pop(0)
        if url in seen or (not pdfs and urlparse(url).path.endswith(".pdf")):
            continue
        response = client.get(url)
        assert response.status_code < 500, (url, response.status_code)
        if response.status_code in (301, 302, 303):
            seen[url] = ""
            queue.append(response.headers["Location"])
            continue
        if response.mimetype == "application/pdf":
            seen[url] = pdf_text(response.data)
            continue
        if response.mimetype != "text/html":
            seen[url] = ""
            continue
        html = response.get_data(as_text=True)
        seen[url] = visible_text(html)
        queue += [link for link in links(html) if link not in seen]
    return seen


@pytest.fixture
def amal(app):
    """The app as Åmåls kommun with the Swedish demo loaded (devkit/demo_sv.py)."""
    from devkit.demo_sv import load_swedish
    from tik.config import ROOT

    sip = ROOT / "guidebooks" / "sv-sip"
    app.config.update(TIK_GUIDEBOOK=str(sip), TIK_ORGANISATION=str(sip / "organisation.yaml"),
                      TIK_MUNICIPALITY="Åmåls kommun")
    app.extensions.pop("tik_guide", None)
    assert load_swedish() is True
    yield app
    app.extensions.pop("tik_guide", None)


def sign_in(client, username: str) -> None:
    from devkit.demo_sv import DEMO_PASSWORD

    client.post("/logout")
    response = client.post("/login", data={"username": username, "password": DEMO_PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]


def leaks_of(pages: dict[str, str]) -> dict[str, list[str]]:
    return {url: found for url, text in pages.items() if (found := norwegian_in(text))}


def test_the_word_list_finds_bokmal_and_spares_swedish():
    assert norwegian_in("Lagre endringene") == ["Lagre"]
    assert norwegian_in("Fødselsnummeret er ikke gyldig") != []
    swedish = ("Spara ändringarna. Personnummer eller samordningsnummer. Vårdnadshavare. Samtycke till att bryta "
               "sekretessen. Orosanmälan till socialtjänsten. Logga in. Stafetthållare. Insatser. Given av den unga "
               "själv. Sök. Tillbaka. Nästa. Åmåls kommun. Välj.")
    assert norwegian_in(swedish) == []


def test_the_scan_finds_a_string_left_untranslated(amal, client):
    """Proof that the scan sees a leak: the Swedish catalogue loses one entry ("Lagre samtykke", the consent
    form's button), and the consent form's page then has Norwegian on it."""
    from flask_babel import get_domain

    sign_in(client, "arena.haddad")
    elsa = db.session.scalar(db.select(Case).where(Case.child.has(first_name="Elsa")))
    url = f"/saker/{elsa.ref}/skjema/samtykke"
    assert leaks_of({url: visible_text(client.get(url).get_data(as_text=True))}) == {}
    catalogue = get_domain().cache[("sv", "messages")]
    saved = catalogue._catalog.pop("Lagre samtykke")
    try:
        leaks = leaks_of({url: visible_text(client.get(url).get_data(as_text=True))})
    finally:
        catalogue._catalog["Lagre samtykke"] = saved
    assert leaks == {url: ["Lagre", "samtykke"]}


def test_the_start_page_and_sign_in_speak_swedish_without_a_user(amal, client):
    pages = crawl(client, "/login", limit=20)
    assert "Logga in" in pages["/login"]
    assert leaks_of(pages) == {}


@pytest.mark.parametrize("username", ["arena.haddad", "maja.mentor", "af.nilsson", "kurator.nystrom",
                                      "rektor.karlsson", "admin.amal"])
def test_no_page_a_swedish_user_reaches_has_norwegian(amal, client, username):
    sign_in(client, username)
    pages = crawl(client, pdfs=False)  # the prints: test_the_case_pages_… and the report's and family's tests
    assert len(pages) > 5
    assert leaks_of(pages) == {}


def test_the_case_pages_of_the_demo_are_swedish_and_reached(amal, client):
    sign_in(client, "arena.haddad")
    elsa = db.session.scalar(db.select(Case).join(Case.child).where(Case.child.has(first_name="Elsa")))
    pages = crawl(client, f"/saker/{elsa.ref}")
    noah = db.session.scalar(db.select(Case).where(Case.child.has(first_name="Noah")))
    sign_in(client, "maja.mentor")
    pages |= crawl(client, f"/saker/{noah.ref}")
    assert f"/saker/{noah.ref}/plan.pdf" in pages
    assert f"/saker/{elsa.ref}" in pages and any(url.endswith(".pdf") for url in pages), sorted(pages)
    page = pages[f"/saker/{elsa.ref}"]
    assert "Skriv SIP:en" in page and "Arbetsförmedlingen" in page
    assert leaks_of(pages) == {}


def test_the_orosanmalan_has_its_own_fields_and_texts_on_screen_and_in_its_pdf(amal, client):
    from tik.cases.models import ChildWelfareReport

    sign_in(client, "maja.mentor")
    alva = db.session.scalar(db.select(Case).where(Case.child.has(first_name="Alva")))
    report = db.session.scalar(db.select(ChildWelfareReport).where(ChildWelfareReport.case_id == alva.id))
    pages = crawl(client, f"/saker/{alva.ref}")
    page, pdf = pages[f"/saker/{alva.ref}"], pages[f"/saker/{alva.ref}/melding/{report.id}.pdf"]
    assert "Orosanmälan som PDF" in page and "Väntar på socialtjänsten" in page
    assert "Misstanke om våld, övergrepp eller allvarlig försummelse" in page  # the guidebook's text
    assert "Anmälare (yrkesverksam med anmälningsplikt)" in pdf and "Vårdnadshavare Namn" in pdf
    assert "Oron: vad har du sett och hört" in pdf and "Muntligt per telefon" in pdf
    assert "Socialtjänsten, Åmåls kommun" in pdf and "KS Fiks" not in pdf
    assert leaks_of(pages) == {}


def test_the_unlinked_pages_of_a_case_are_swedish_too(amal, client):
    """Pages no link leads to from the start (the concern form, a measure, the full log, the plan's revisions,
    the second factor's page): asked for by address."""
    sign_in(client, "arena.haddad")
    elsa = db.session.scalar(db.select(Case).where(Case.child.has(first_name="Elsa")))
    pages = {}
    for start in ("/bekymring/skjema", f"/saker/{elsa.ref}/logg", f"/saker/{elsa.ref}/plan/revisjon/1",
                  f"/saker/{elsa.ref}/plan/sammenlign", "/mfa", "/statistikk/undersokelse"):
        pages |= crawl(client, start, limit=40, pdfs=False)
    assert any("/plan/tiltak/" in url for url in pages), sorted(pages)
    form = pages["/bekymring/skjema"]
    assert "Personnummer eller samordningsnummer" in form and "Vårdnadshavare" in form
    assert leaks_of(pages) == {}


def test_the_family_pages_signed_in_through_bankid_are_swedish(amal, client):
    from devkit.devidp import SWEDISH_DEMO_PEOPLE
    from tik.family import service

    with client.session_transaction() as session:
        session["family"] = {"token": service.sign_in(SWEDISH_DEMO_PEOPLE["Elsa Lind"])}
    pages = crawl(client, "/min-familie/")
    case = db.session.scalar(db.select(Case).where(Case.child.has(first_name="Elsa")))
    assert {f"/min-familie/{case.ref}", f"/min-familie/{case.ref}/brev.pdf"} <= set(pages), sorted(pages)
    assert "Vår plan för Elsa" in pages[f"/min-familie/{case.ref}/brev.pdf"]  # the letter in Swedish
    assert leaks_of(pages) == {}


def test_the_demo_users_work_in_swedish():
    from devkit.demo_sv import SWEDISH_USERS

    assert {u[3] for u in SWEDISH_USERS} >= {"kristinedalskolan", "elevhalsan-amal", "socialtjansten-barn-unga",
                                             "arena-ungdomscentral", "arbetsformedlingen-amal",
                                             "forsakringskassan-vanersborg", "bup-dalsland", "vardcentralen-amal"}


def test_a_new_user_of_a_swedish_municipality_works_in_swedish(amal, app):
    """The demo gives no language: each user gets the municipality's (the guidebook's first), and so does a user
    an admin adds. In a Norwegian municipality it stays bokmål."""
    from tik.auth.service import create_user
    from tik.org.service import unit_by_key

    assert set(db.session.scalars(db.select(User.locale))) == {"sv"}
    added = create_user("ny.larare", "Ny Lärare", unit_by_key("kristinedalskolan"), "ett-langt-losenord-2026")
    assert added.locale == "sv"
    app.config["TIK_GUIDEBOOK"] = str(Path(__file__).resolve().parents[2] / "guidebook")
    app.extensions.pop("tik_guide", None)
    norwegian = create_user("ny.laerer", "Ny Lærer", unit_by_key("kristinedalskolan"), "et-langt-passord-2026")
    assert norwegian.locale == "nb"
