"""The Swedish municipality end to end in a real browser, in Swedish (issue 28), inside the two-municipality install
as `make run` serves it: one app with the repository's municipalities.yaml (Fjordvik kommune first, Åmåls kommun at
/k/amal/) and both demos loaded (devkit/demo.py load_all). A personnummer refused and then accepted on the concern
form, a young adult's own consent to two agencies, the SIP steps (the SIP meeting with huvudansvar beside the
coordinator, the SIP written), the agencies invited under that consent, the family letter (plan PDF) read back in
Swedish and looked at as a page image, the orosanmälan with the guidebook's own fields and texts, and the young
adult's sign-in through BankID (the test provider as the broker). Every page of the walk is scanned for Norwegian
(tests/municipalities/test_sweden_screens.py's word list), and a Fjordvik user at Fjordvik's address finds none
of it."""

from __future__ import annotations

import re
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from browserkit import ARTIFACTS, DEMO_PASSWORD, download, login, pdf_text, shot
from flask import Flask
from playwright.sync_api import Page, expect

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from pdfcheck import ink_in_side_margins, pages  # noqa: E402 - reading a PDF as a person looks at it
from test_sweden_screens import norwegian_in, visible_text  # noqa: E402 - the screen scan's word list

pytestmark = pytest.mark.browser

BORN = date(2007, 6, 1)  # 19 in 2026: an adult who consents alone
AMAL = "k/amal/"  # Åmål's path prefix in municipalities.yaml (development addresses, as `make run` prints them)


@dataclass(frozen=True)
class Install:
    """The two-municipality app and its addresses."""

    app: Flask
    url: str  # Fjordvik's (the first municipality answers at the root)

    @property
    def amal(self) -> str:
        return f"{self.url}/{AMAL}"


@pytest.fixture(scope="module")
def install(tmp_path_factory) -> Iterator[Install]:
    """One app for the module, as `make run` serves it: the repository's municipalities.yaml (Fjordvik and Åmål),
    both demos loaded, and the test provider as the family's sign-in (BankID for Åmål, its country's)."""
    from support import use_test_provider
    from werkzeug.serving import make_server

    from devkit.demo import load_all
    from devkit.devidp import dev_provider, serve
    from tik import create_app
    from tik.config import ROOT
    from tik.extensions import db
    from tik.municipalities import all_municipalities

    path = tmp_path_factory.mktemp("two-db") / "tik.sqlite"
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}", "RATELIMIT_ENABLED": False,
                      "TIK_MUNICIPALITIES": str(ROOT / "municipalities.yaml")})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    url = f"http://127.0.0.1:{server.server_port}"
    provider = dev_provider(f"{url}/{AMAL}")
    idp = serve(provider)
    use_test_provider(app, provider, "family")
    app.config["TIK_OIDC"]["family"].update(label="", id_claim="")  # the country's: BankID, its claim
    with app.app_context():
        assert [m.key for m in all_municipalities()] == ["fjordvik", "amal"]
        db.create_all()
        assert load_all() == ["Fjordvik kommune", "Åmåls kommun"]
        db.session.remove()
    thread = threading.Thread(target=server.serve_forever, name="tik-two-municipalities", daemon=True)
    thread.start()
    yield Install(app, url)
    server.shutdown()
    idp.shutdown()
    thread.join(timeout=10)
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def swedish(browser, install) -> Iterator[Page]:
    """A Swedish browser at Åmål's address: every path below is relative to /k/amal/."""
    context = browser.new_context(base_url=install.amal, locale="sv-SE", timezone_id="Europe/Stockholm",
                                  viewport={"width": 1280, "height": 900}, accept_downloads=True)
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


@pytest.fixture
def norwegian(browser, install) -> Iterator[Page]:
    """A Norwegian browser at Fjordvik's address (the root)."""
    context = browser.new_context(base_url=f"{install.url}/", locale="nb-NO", timezone_id="Europe/Oslo",
                                  viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


def amal_case(install: Install, first_name: str) -> str:
    """The reference of Åmål's case of the child called `first_name` (read in Åmål's scope)."""
    from sqlalchemy import select

    from tik.cases.models import Case
    from tik.extensions import db
    from tik.municipalities import by_key, municipality_scope

    with install.app.app_context(), municipality_scope(by_key("amal")):
        ref = db.session.scalar(select(Case.ref).where(Case.child.has(first_name=first_name)).order_by(Case.id))
        db.session.remove()
    assert ref, first_name
    return ref


def log_in(page: Page, username: str) -> None:
    page.goto("login")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Logga in")
    no_norwegian(page)
    page.get_by_label("Användarnamn").fill(username)
    page.get_by_label("Lösenord").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Logga in", exact=True).click()
    expect(page).to_have_url(re.compile(r"/k/amal/min-side$"))
    no_norwegian(page)


def no_norwegian(page: Page) -> None:
    """The page as shown (its text, and the labels in its attributes, as
    tests/municipalities/test_sweden_screens.py reads a
    page) holds no Norwegian."""
    for text in (page.locator("body").inner_text(), visible_text(page.content())):
        assert norwegian_in(text) == [], (page.url, norwegian_in(text))


def decide(page: Page, button: str, **fields: str) -> None:
    """Fill the current step's fields (by label) and press the decision `button`."""
    for label, value in fields.items():  # a required field's label ends "(måste fyllas i)"
        page.locator("section.tik-step").get_by_label(re.compile("^" + re.escape(label))).fill(value)
    page.get_by_role("button", name=button, exact=True).click()


def test_a_sip_in_swedish_from_concern_to_the_printed_plan(swedish, install):
    from tik.identity import se

    page = swedish
    log_in(page, "maja.mentor")
    page.get_by_role("link", name="Ny oro").first.click()
    page.get_by_role("group", name="Är barnet i akut fara nu?").get_by_label("Nej").check()
    page.get_by_role("group", name=re.compile("^Misstänker du våld")).get_by_label("Nej").check()
    page.get_by_role("button", name="Fortsätt").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ny oro")
    no_norwegian(page)

    good = se.synthetic(BORN, 984)
    wrong = good[:-1] + str((int(good[-1]) + 1) % 10)  # the control digit off by one
    page.get_by_label("Förnamn").fill("Ella")
    page.get_by_label("Efternamn").fill("Ström")
    page.get_by_label("Födelsedatum").fill(BORN.isoformat())
    page.get_by_text("Personnummer och kön (valfritt)").click()  # the optional block, collapsed until opened
    page.get_by_label("Personnummer eller samordningsnummer (valfritt)").fill(f"{wrong[:8]}-{wrong[8:]}")
    page.get_by_label("Skola eller förskola").fill("ARENA Ungdomscentral")
    page.get_by_role("group", name="Vårdnadshavare 1").get_by_label("Namn").fill("Petra Ström")
    page.get_by_label("Vad har du sett eller hört?").fill("Ella har slutat komma till ARENA och svarar inte.")
    page.get_by_label("Sedan när?").fill("Oktober")
    page.get_by_role("button", name="Registrera oron").click()
    expect(page.get_by_text("Personnumret är inte giltigt. Kontrollera siffrorna.").first).to_be_visible()
    no_norwegian(page)
    shot(page, "sweden-1-personnummer-refused")

    nin = page.get_by_label("Personnummer eller samordningsnummer (valfritt)")
    expect(nin).to_be_visible()  # the block stays open when something is in it
    nin.fill(f"{good[:8]}-{good[8:]}")
    page.get_by_role("button", name="Registrera oron").click()
    # Åmål's own reference series, at Åmål's address
    expect(page).to_have_url(re.compile(r"/k/amal/saker/AML-\d{4}-\d{4}(\?|$)"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Ella Ström")
    ref = page.url.rsplit("/", 1)[1].split("?")[0]
    no_norwegian(page)

    # The young adult's own consent, to two agencies: the form says she gives it herself.
    page.get_by_text("Registrera samtycke").click()
    given_by = page.get_by_label("Givet av (den unga vuxna själv, utan vårdnadshavare)")
    given_by.fill("Ella Ström")
    page.get_by_label("Arbetsförmedlingen", exact=True).check()
    page.get_by_label("Försäkringskassan", exact=True).check()
    page.get_by_label("Syfte").fill("SIP: stöd till arbete och ersättning under tiden.")
    shot(page, "sweden-2-own-consent")
    page.get_by_role("button", name="Spara samtycke").click()
    expect(page.get_by_text("Ella Ström själv").first).to_be_visible()
    no_norwegian(page)

    decide(page, "Beskrivningen är klar", **{"Sedan när?": "Oktober"})
    no_norwegian(page)
    decide(page, "Samtalen är genomförda", **{"Datum för samtalet": date.today().isoformat(),
                                               "Den ungas egna ord": "Jag vill jobba, men jag orkar inte söka."})
    no_norwegian(page)
    decide(page, "Gå till SIP: insatser från flera huvudmän",
           Bedömning="Ella behöver Arbetsförmedlingen och Försäkringskassan.")
    expect(page.locator("#step-title")).to_have_text("Kalla till SIP-möte")  # the consent is asked once
    no_norwegian(page)

    # Both agencies invited under her consent.
    for name in ("Oskar Nilsson", "Fatima Ali"):
        page.get_by_text("Bjud in en deltagare").click()
        page.get_by_label("Sök på namn eller användarnamn").fill(name)
        page.get_by_role("button", name="Sök och bjud in").click()
        expect(page.get_by_role("region", name="Deltagare").get_by_text(name).first).to_be_visible()
        no_norwegian(page)
    # BUP is not named in her consent: the invitation is refused, in Swedish.
    page.get_by_text("Bjud in en deltagare").click()
    page.get_by_label("Sök på namn eller användarnamn").fill("Ingrid Wallin")
    page.get_by_role("button", name="Sök och bjud in").click()
    expect(page.get_by_role("alert").get_by_text("Hittade ingen med det namnet som kan bjudas in")).to_be_visible()
    no_norwegian(page)
    page.goto(f"saker/{ref}")
    expect(page.get_by_role("region", name="Deltagare").get_by_text("Ingrid Wallin")).to_have_count(0)
    no_norwegian(page)
    shot(page, "sweden-3-sip-call")

    # The SIP meeting: called, held (huvudansvar with one agency; the coordinator stays Maja), the SIP written.
    decide(page, "Kallelsen är skickad", **{"Datum för SIP-mötet": date.today().isoformat(),
                                             "Kallade": "Ella, Maja Lindqvist, Oskar Nilsson, Fatima Ali"})
    expect(page.locator("#step-title")).to_have_text("SIP-möte")
    no_norwegian(page)
    step = page.locator("section.tik-step")
    step.get_by_role("group", name=re.compile("^Är planen den ungas SIP")).get_by_label("Ja").check()
    decide(page, "Mötet är hållet", **{"Gemensam bild av situationen och behoven": "Ella vill arbeta men orkar inte.",
                                       "Huvudansvar": "Arbetsförmedlingen"})
    expect(page.locator("#step-title")).to_have_text("Skriv SIP:en")
    no_norwegian(page)
    decide(page, "SIP:en är klar och insatserna har börjat", **{
        "Sammanfattning av SIP:en": "Huvudansvar: Arbetsförmedlingen. Samordnare: Maja Lindqvist. Uppföljning i mars."})
    expect(page.locator("#step-title")).to_have_text("Följ upp SIP:en")
    expect(page.get_by_text("Arbetsförmedlingen").first).to_be_visible()
    no_norwegian(page)
    shot(page, "sweden-4-sip-written")

    # The plan for the family (the letter PDF), read back and looked at: Swedish, no Norwegian, within its margins.
    name, data = download(page, lambda: page.get_by_role("link", name="PDF för familjen").click())
    letter = pdf_text(data)
    assert name.startswith(f"{ref}-plan-familie-sv") and "Vår plan för Ella" in letter, letter[:400]
    assert norwegian_in(letter) == [], norwegian_in(letter)
    # Her consent is her own, given alone: the family copy is to Ella, not her mother, and names huvudansvar.
    assert "Till: Ella Ström" in letter and "Petra Ström" not in letter, letter[:400]
    assert "Huvudansvar: Arbetsförmedlingen" in letter, letter[:1200]
    swedish_month = "januari|februari|mars|april|maj|juni|juli|augusti|september|oktober|november|december"
    assert re.search(rf"\b\d{{1,2}} ({swedish_month}) \d{{4}}\b", letter), letter[:300]  # a Swedish date
    first = " ".join(w.text for w in pages(data)[0].words)  # where the words land on the page image's first page
    assert "Ella" in first and norwegian_in(first) == [], first[:300]
    assert ink_in_side_margins(data) == []  # the page images: nothing drawn outside the text column
    (ARTIFACTS / "sweden-5-plan-familj.pdf").write_bytes(data)
    # Her own letter, from the plan page: to Ella herself, in Swedish.
    page.goto(f"saker/{ref}/plan")
    no_norwegian(page)
    name, data = download(page, lambda: page.get_by_role("link", name="Brev till Ella Ström").click())
    own = pdf_text(data)
    assert "Till: Ella Ström" in own and "Vår plan för Ella" in own and norwegian_in(own) == [], own[:400]
    assert ink_in_side_margins(data) == []
    name, data = download(page, lambda: page.get_by_role("link", name="PDF för verksamheterna").click())
    staff_print = pdf_text(data)
    assert "Huvudansvar Arbetsförmedlingen" in staff_print, staff_print[:1200]  # the SIP names it (on_plan)
    assert "Åmåls kommun".upper() in staff_print.upper() and norwegian_in(staff_print) == [], staff_print[:400]
    assert "Fjordvik" not in staff_print and ink_in_side_margins(data) == []


def test_the_orosanmalan_with_its_own_fields_and_texts(swedish, install):
    ref = amal_case(install, "Noah")
    page = swedish
    log_in(page, "maja.mentor")
    page.goto(f"saker/{ref}")
    no_norwegian(page)
    page.get_by_text("Stopp-punkt").click()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name=re.compile("^Gör en orosanmälan till socialtjänsten")).click()
    reports = page.locator("#reports")
    expect(reports.get_by_role("heading", name="Orosanmälan till socialtjänsten")).to_be_visible()
    expect(reports.get_by_text("Har Anna Ek fått veta om orosanmälan?")).to_be_visible()
    expect(reports.get_by_label("Oron: vad har du sett och hört, när, och vad har barnet själv sagt?")).to_be_visible()
    expect(reports.get_by_text("KS Fiks")).to_have_count(0)
    for guardian in ("Anna Ek", "Mikael Ek"):
        reports.get_by_role("group", name=f"Har {guardian} fått veta om orosanmälan?").get_by_label("Nej").check()
    reports.get_by_role("group", name="Har barnet eller den unga fått veta om orosanmälan?") \
        .get_by_label("Ja").check()
    reports.get_by_label("Oron: vad har du sett och hört, när, och vad har barnet själv sagt?").fill(
        "Noah berättade i dag att han inte vågar gå hem.")
    reports.get_by_label("Hur lämnades anmälan till socialtjänsten?").select_option("phone")
    no_norwegian(page)
    shot(page, "sweden-6-orosanmalan")
    reports.get_by_role("button", name="Registrera orosanmälan").click()
    expect(page.get_by_role("link", name="Orosanmälan som PDF")).to_be_visible()
    no_norwegian(page)
    href = page.get_by_role("link", name="Orosanmälan som PDF").get_attribute("href")
    assert href.startswith("/k/amal/"), href
    answer = page.request.get(f"{install.url}{href}")  # shown in the browser, not downloaded: the same session
    assert answer.ok and answer.headers["content-type"] == "application/pdf"
    text = pdf_text(answer.body())
    assert "Anmälare (yrkesverksam med anmälningsplikt)" in text and "Socialtjänsten, Åmåls kommun" in text
    assert "Noah berättade i dag" in text and norwegian_in(text) == [], text[:500]


def test_the_young_adult_signs_in_with_bankid_and_finds_her_case(swedish):
    from devkit.devidp import SWEDISH_DEMO_PEOPLE

    page = swedish
    page.goto("min-familie/")
    no_norwegian(page)
    page.get_by_role("link", name="Logga in med BankID").click()
    page.get_by_label("Fødselsnummer / personnummer").fill(SWEDISH_DEMO_PEOPLE["Elsa Lind"])  # the test provider's
    page.locator("#pid").press("Enter")
    expect(page).to_have_url(re.compile(r"/k/amal/min-familie/$"))
    no_norwegian(page)
    page.get_by_role("link", name=re.compile("Elsa")).first.click()
    expect(page.get_by_text("Du är inloggad med e-legitimation")).to_be_visible()
    no_norwegian(page)
    shot(page, "sweden-7-min-familj")


def test_a_fjordvik_user_at_fjordvik_finds_nothing_of_amal(norwegian, install):
    """In the same app, Fjordvik's coordinator (who sees Fjordvik's cases) finds no Åmål case, child or name:
    not by its address, not by search, not on Min side; and cannot sign in at Åmål's address."""
    page = norwegian
    ella_or_noah = [amal_case(install, "Noah"), amal_case(install, "Elsa")]
    login(page, "koordinator")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    mine = page.locator("main").inner_text()
    assert "TIK-" in mine  # Fjordvik's own cases are there …
    assert not re.search(r"AML-|Noah|Elsa|Åmål", mine), mine  # … and nothing of Åmål's
    for ref in ella_or_noah:
        assert page.goto(f"saker/{ref}").status == 404
        assert page.goto(f"saker/{ref}/plan.pdf").status == 404
    for text in ("Noah", "Elsa Lind", *ella_or_noah):
        page.goto("saker")
        page.get_by_label("Søk på navn eller saksnummer").fill(text)
        page.get_by_role("button", name="Søk", exact=True).click()
        expect(page.get_by_text("Ingen saker.")).to_be_visible()  # the search answers, and finds nothing
        found = page.locator("main").inner_text().replace(f"«{text}»", "")  # less the words searched for
        assert not re.search(r"AML-|Noah|Elsa", found), (text, found)
    page.goto(f"{install.amal}login")  # Fjordvik's user at Åmål's address: not a user there
    page.get_by_label("Användarnamn").fill("koordinator")
    page.get_by_label("Lösenord").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Logga in", exact=True).click()
    expect(page).not_to_have_url(re.compile(r"/min-side$"))
