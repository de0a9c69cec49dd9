"""Sign-in through a real OpenID Connect provider in a real browser: the demo teacher through the staff
client, and a guardian through the ID-porten-like client who withdraws a consent on "Min familie" and so
ends a staff participant's access at once, then gives a new one digitally and downloads the family letter.
Its own TIK and provider (devkit/devidp.py) on free ports."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator

import pytest
from browserkit import assert_accessible, login, shot
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def sso_server(tmp_path_factory) -> Iterator[tuple[str, str]]:
    """TIK with the demo municipality and the test provider as its staff provider and ID-porten (the demo
    links the teacher, the leader and Emil's mother to the dev provider's people)."""
    from sqlalchemy import select
    from support import use_test_provider
    from werkzeug.serving import make_server

    from devkit import demo
    from devkit.devidp import dev_provider, serve
    from tik import create_app
    from tik.auth.models import User
    from tik.cases.models import Case
    from tik.concerns.models import Child
    from tik.extensions import db

    path = tmp_path_factory.mktemp("sso-db") / "tik.sqlite"
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}", "RATELIMIT_ENABLED": False})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    url = f"http://127.0.0.1:{server.server_port}"
    provider = dev_provider(url)
    idp = serve(provider)
    use_test_provider(app, provider, "staff", "family")
    with app.app_context():
        db.create_all()
        assert demo.load()
        for user in db.session.scalars(select(User).where(User.external_subject.is_not(None))):
            user.external_issuer = provider.issuer
        emil = db.session.scalar(select(Child).where(Child.first_name == "Emil"))
        ref = db.session.scalar(select(Case.ref).where(Case.child_id == emil.id))
        db.session.commit()
        db.session.remove()
    thread = threading.Thread(target=server.serve_forever, name="tik-sso-server", daemon=True)
    thread.start()
    yield url, ref
    server.shutdown()
    idp.shutdown()
    thread.join(timeout=10)
    with app.app_context():
        db.engine.dispose()


def test_staff_sign_in_through_the_provider(browser, sso_server):
    context = browser.new_context(base_url=sso_server[0], locale="nb-NO", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto("/login")
    page.get_by_role("link", name="Logg inn med Testleverandøren").click()
    expect(page.get_by_role("heading", name=re.compile("Testleverandør for TIK"))).to_be_visible()
    page.get_by_role("button", name="Marte Solberg-Haugen (demo)").click()
    expect(page).to_have_url(re.compile(r"/min-side$"))
    expect(page.get_by_text("Marte Solberg-Haugen").first).to_be_visible()
    shot(page, "identity-staff-signed-in")
    page.get_by_role("button", name="Logg ut").click()
    expect(page.get_by_role("heading", name="Du er logget ut av TIK")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Logg ut hos Testleverandøren").click()
    expect(page).to_have_url(re.compile(r"/login$"))
    page.goto("/min-side")
    expect(page).to_have_url(re.compile(r"/login"))
    context.close()


def test_a_guardian_withdraws_a_consent_and_the_staff_participant_loses_access(browser, sso_server):
    url, ref = sso_server
    staff_context = browser.new_context(base_url=url, locale="nb-NO")
    staff = staff_context.new_page()
    login(staff, "ppt")
    case_url = f"/saker/{ref}"
    assert staff.goto(case_url).status == 200

    family_context = browser.new_context(base_url=url, locale="nb-NO",
                                         viewport={"width": 1280, "height": 900})
    family = family_context.new_page()
    family.goto("/min-familie/")
    family.get_by_role("link", name="Logg inn med ID-porten (test)").click()
    family.get_by_role("button", name="Lene Johansen (demo)").click()
    expect(family).to_have_url(re.compile(r"/min-familie/$"))
    shot(family, "identity-family-list")
    family.get_by_role("link", name=re.compile("Emil")).click()
    expect(family.get_by_role("heading", name="Hvem har lest saken")).to_be_visible()
    assert_accessible(family)
    shot(family, "identity-family-case")
    while family.get_by_role("button", name="Trekk tilbake samtykket").count():
        family.get_by_role("button", name="Trekk tilbake samtykket").first.click()
        expect(family.get_by_text("Samtykket er trukket tilbake. Tjenestene")).to_be_visible()
    expect(family.get_by_text("Trukket tilbake").first).to_be_visible()

    answer = staff.goto(case_url)
    assert answer.status == 404  # the PPT adviser's access hung on the consent

    # The guardian gives a new consent digitally, sees what has happened and downloads the family letter.
    family.get_by_text("Gi et nytt samtykke").click()
    family.get_by_label(re.compile("^PPT")).check()
    family.get_by_role("button", name="Gi samtykket").click()
    expect(family.get_by_text("Samtykket er gitt")).to_be_visible()
    expect(family.get_by_text("(gitt digitalt av foresatte)")).to_be_visible()
    expect(family.locator("#family-timeline").get_by_text("Samtykke gitt digitalt av foresatte")).to_be_visible()
    assert_accessible(family)
    family.get_by_text("Gi et nytt samtykke").click()  # open again, to look at the form too
    shot(family, "identity-family-consent-given")
    with family.expect_download() as download:
        family.get_by_role("link", name="Last ned brevet om planen (PDF)").click()
    assert download.value.suggested_filename.startswith(f"{ref}-plan-familie-")
    family.get_by_role("button", name="Logg ut").click()
    family.goto(f"/min-familie/{ref}")
    expect(family.get_by_role("link", name="Logg inn med ID-porten (test)")).to_be_visible()
    staff_context.close()
    family_context.close()
