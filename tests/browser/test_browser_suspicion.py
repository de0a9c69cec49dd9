"""The suspicion path in a real browser, with its own TIK and test provider (devkit/devidp.py): the teacher
registers a concern as a suspicion and records the mother's national id; the mother signs in on "Min familie"
through the ID-porten-like client and does not see the case. And "Min familie" in Polish and Arabic: axe clean,
right to left for Arabic, no sideways scroll at 375 px, the header saying she is signed in."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from datetime import date

import pytest
from browserkit import assert_accessible, login, shot
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

MOTHER_PID = "02048510011"  # a synthetic national id with valid control digits (tests/family/test_family.py valid_nin)
POLISH_PID = "09068612087"


def _valid(nin: str) -> str:
    from tik.identity.nin import birth_date_of

    birth_date_of(nin)  # raises for an invalid number: the ids above must stay valid
    return nin


@pytest.fixture(scope="module")
def suspicion_server(tmp_path_factory) -> Iterator[tuple[str, str]]:
    """TIK with the demo municipality, the test provider as staff provider and ID-porten, two synthetic
    guardians at the provider, and a case of a Polish-speaking mother whose family was told (through the
    services: the guide's steps to the parents' conversation, a consent and a measure)."""
    from flows import TO_LEVEL0_DECISION
    from support import use_test_provider
    from werkzeug.serving import make_server

    from devkit import demo
    from devkit.devidp import dev_provider, serve
    from tik import create_app
    from tik.auth.models import User
    from tik.cases.consent import record_consent
    from tik.cases.models import ConsentForm
    from tik.cases.steps import decide
    from tik.clock import today
    from tik.concerns.service import ChildInput, ConcernInput, GuardianInput, register_concern
    from tik.extensions import db
    from tik.family.service import set_guardian_identity

    path = tmp_path_factory.mktemp("suspicion-db") / "tik.sqlite"
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}", "RATELIMIT_ENABLED": False})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    url = f"http://127.0.0.1:{server.server_port}"
    provider = dev_provider(url)
    for key, name, pid in (("t-mona", "Mona Lund (test)", MOTHER_PID), ("t-anna", "Anna Nowak (test)", POLISH_PID)):
        provider.identities[key] = {"client": "tik-family", "name": name, "pid": _valid(pid),
                                    "acr": "idporten-loa-high", "amr": ["BankID"]}
    idp = serve(provider)
    use_test_provider(app, provider, "staff", "family")
    with app.app_context():
        db.create_all()
        assert demo.load()
        holder = db.session.scalar(db.select(User).where(User.username == "laerer"))
        case = register_concern(
            ChildInput(first_name="Zofia", last_name="Nowak", birth_date=date(2015, 5, 4), school="Fjordvik",
                       guardians=[GuardianInput("Anna Nowak", "matka", "412 34 567", "pl")]),
            ConcernInput(observation="Zofia sover i timene.", since_when="i høst", how_often="ofte"), by=holder).case
        for decision, values in TO_LEVEL0_DECISION:
            decide(case, decision, values, by=holder)
        record_consent(case, holder, given_by="Anna Nowak", services=["health-nurse", "ppt"],
                       purpose="Samarbeid", form=ConsentForm.PAPER, given_on=today(),
                       expires_on=date(today().year + 1, 1, 1))
        set_guardian_identity(case, holder, case.child.guardians[0].id, nin=POLISH_PID, responsibility=True)
        ref = case.ref
        db.session.remove()
    thread = threading.Thread(target=server.serve_forever, name="tik-suspicion-server", daemon=True)
    thread.start()
    yield url, ref
    server.shutdown()
    idp.shutdown()
    thread.join(timeout=10)
    with app.app_context():
        db.engine.dispose()


def _family_sign_in(browser, url: str, person: str, width: int = 1280):
    context = browser.new_context(base_url=url, locale="nb-NO", viewport={"width": width, "height": 900})
    family = context.new_page()
    family.goto("/min-familie/")
    family.get_by_role("link", name="Logg inn med ID-porten (test)").click()
    family.get_by_role("button", name=person).click()
    expect(family).to_have_url(re.compile(r"/min-familie/$"))
    return context, family


def test_a_suspicion_concern_never_reaches_the_guardians_page(browser, suspicion_server):
    url, _ = suspicion_server
    staff_context = browser.new_context(base_url=url, locale="nb-NO", viewport={"width": 1280, "height": 900})
    teacher = staff_context.new_page()
    login(teacher, "lektor")
    teacher.goto("/bekymring/ny")
    teacher.get_by_role("group", name="Er barnet i akutt fare").get_by_role("radio", name="Nei").check()
    teacher.get_by_role("group", name="Mistenker du vold").get_by_role("radio", name="Ja").check()
    teacher.get_by_role("button", name="Fortsett").click()
    expect(teacher).to_have_url(re.compile(r"urgency=suspicion"))
    teacher.get_by_label("Fornavn").fill("Nora")
    teacher.get_by_label("Etternavn").fill("Lund")
    teacher.locator("#birth_date").fill("2012-02-03")
    teacher.locator("[name='guardians-0-name']").fill("Mona Lund")
    teacher.locator("[name='observation']").fill("Nora har blåmerker på armene og sier at far slår.")
    teacher.locator("[name='report_draft']").fill("UTKAST: Nora forteller at far slår henne.")
    teacher.get_by_role("button", name="Registrer bekymringen").click()
    expect(teacher).to_have_url(re.compile(r"/saker/TIK-\d{4}-\d{4}"))
    ref = re.search(r"TIK-\d{4}-\d{4}", teacher.url).group(0)
    expect(teacher.locator("#step-title")).to_have_text(re.compile("Venter på barnevernet"))
    shot(teacher, "suspicion-1-waiting")
    assert_accessible(teacher)
    # The guardian's national id for "Min familie" (the link sits on the guardian's own form page).
    teacher.locator("a[href*='/skjema/foresatt/']").first.click()
    teacher.goto(teacher.locator("a", has_text="Fødselsnummer og foreldreansvar (Min familie)").first
                 .get_attribute("href"))
    teacher.get_by_label("Fødselsnummer (11 siffer)").fill(MOTHER_PID)
    teacher.get_by_label("Har foreldreansvar").check()
    teacher.get_by_role("button", name=re.compile("Lagre")).click()
    expect(teacher.get_by_text("Opplysningene for Min familie er lagret.")).to_be_visible()

    context, mother = _family_sign_in(browser, url, "Mona Lund (test)")
    expect(mother.get_by_text("Vi fant ingen saker i TIK for deg eller barna dine.")).to_be_visible()
    expect(mother.locator("#family-signed-in")).to_contain_text("Du er logget inn med ID-porten")
    assert "Nora" not in mother.content()
    mother.goto(f"/min-familie/{ref}")
    assert "Nora" not in mother.content() and "barnevernet" not in mother.content()
    shot(mother, "suspicion-2-mother-sees-nothing")
    context.close()
    staff_context.close()


@pytest.mark.parametrize("lang, rtl", [("pl", False), ("ar", True)])
def test_min_familie_speaks_the_familys_language_at_375_px(browser, suspicion_server, lang, rtl):
    url, ref = suspicion_server
    context, family = _family_sign_in(browser, url, "Anna Nowak (test)", width=375)
    # Her own language first (Polish, as staff recorded it); any letter language at the switch.
    expect(family.locator("html")).to_have_attribute("lang", "pl")
    expect(family.get_by_role("heading", level=1)).to_have_text("Moja rodzina")
    if lang != "pl":
        family.get_by_label("Język").select_option(lang)
        family.get_by_role("button", name="Zmień język").click()
    family.get_by_role("link", name=re.compile("Zofia")).click()
    expect(family.locator("html")).to_have_attribute("lang", lang)
    expect(family.locator("html")).to_have_attribute("dir", "rtl" if rtl else "ltr")
    expect(family.locator("#family-signed-in")).to_be_visible()
    assert family.get_by_role("link", name=re.compile("Logg inn")).count() == 0
    timeline = family.locator("#family-timeline").inner_text()
    assert "Samtale med foreldrene" not in timeline  # translated, not bokmål
    for field in ("parents_words", "conversation_date", "national_id", "discussed_with", "l0-", "Snakk med"):
        assert field not in timeline
    consents = family.locator("#family-consents").inner_text()
    assert "(Helsestasjon og skolehelsetjeneste)" in consents  # the Norwegian name beside the family's own
    assert family.evaluate("document.documentElement.scrollWidth") <= 375
    shot(family, f"family-{lang}-375")
    assert_accessible(family)
    context.close()
