"""The family's sign-in in a Swedish municipality: Swedish BankID or Freja eID through an OpenID Connect broker,
configured like ID-porten (issuer, client, label, the claim with the personnummer, the acr/amr values that count
as a second factor), tested against the local test provider (devkit/devidp.py) issuing a Swedish person."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
import requests
from support import use_test_provider
from test_sweden_screens import amal  # noqa: F401 - the Åmål app with the Swedish demo, a fixture

from devkit.devidp import SWEDISH_DEMO_PEOPLE
from tik.cases.models import Case
from tik.extensions import db

ELSA = SWEDISH_DEMO_PEOPLE["Elsa Lind"]


@pytest.fixture
def bankid(amal, oidc_provider):  # noqa: F811 - amal is the fixture imported above
    """The test provider as the municipality's BankID broker (the family client, no label or claim set)."""
    use_test_provider(amal, oidc_provider, "family")
    amal.config["TIK_OIDC"]["family"].update(label="", id_claim="")
    yield oidc_provider
    oidc_provider.tamper = {}


def sign_in(app, provider, number: str, tamper: dict | None = None):
    """A new browser signs in on "Min familj" through the broker as the synthetic person with personnummer
    `number` (the test provider's own form); returns the client and the callback's answer."""
    client = app.test_client()
    start = client.get("/min-familie/logg-inn")
    assert start.status_code == 302
    provider.tamper = dict(tamper or {})
    answer = requests.get(start.headers["Location"], params={"pid": number}, allow_redirects=False, timeout=10)
    assert answer.status_code == 302, answer.text[:300]
    back = urlsplit(answer.headers["Location"])
    return client, client.get(f"{back.path}?{back.query}")


def elsas_case() -> Case:
    return db.session.scalar(db.select(Case).where(Case.child.has(first_name="Elsa")))


def test_the_sign_in_page_offers_bankid_in_swedish(amal, bankid):  # noqa: F811
    page = amal.test_client().get("/min-familie/").get_data(as_text=True)
    assert "Logga in med BankID" in page and "ID-porten" not in page
    amal.config["TIK_OIDC"]["family"]["label"] = "Freja eID"
    page = amal.test_client().get("/min-familie/").get_data(as_text=True)
    assert "Logga in med Freja eID" in page


def test_the_personnummer_claim_finds_the_young_adults_own_case(amal, bankid):  # noqa: F811
    client, answer = sign_in(amal, bankid, ELSA)
    assert answer.status_code == 302
    page = client.get("/min-familie/").get_data(as_text=True)
    assert elsas_case().ref in page
    case_page = client.get(f"/min-familie/{elsas_case().ref}").get_data(as_text=True)
    assert "Du är inloggad med e-legitimation" in case_page and "ID-porten" not in case_page
    english = client.get(f"/min-familie/{elsas_case().ref}?lang=en").get_data(as_text=True)
    assert "You are signed in with BankID" in english and "ID-porten" not in english


def test_a_ten_digit_personnummer_from_the_broker_finds_the_same_case(amal, bankid):  # noqa: F811
    ten = f"{ELSA[2:8]}-{ELSA[8:]}"  # yymmdd-nnnk, as some brokers send it
    client, answer = sign_in(amal, bankid, ELSA, tamper={"personal_identity_number": ten})
    assert answer.status_code == 302
    assert elsas_case().ref in client.get("/min-familie/").get_data(as_text=True)


def test_the_claim_name_is_a_setting(amal, bankid):  # noqa: F811
    amal.config["TIK_OIDC"]["family"]["id_claim"] = "se_personnummer"
    client, answer = sign_in(amal, bankid, ELSA, tamper={"personal_identity_number": None})
    assert answer.status_code == 302
    assert elsas_case().ref in client.get("/min-familie/").get_data(as_text=True)
    amal.config["TIK_OIDC"]["family"]["id_claim"] = "personnummer"  # a claim the token does not have
    _client, answer = sign_in(amal, bankid, ELSA)
    assert answer.status_code == 401 and "Inloggningen avvisades" in answer.get_data(as_text=True)


def test_freja_eid_at_loa3_counts_and_a_password_alone_does_not(amal, bankid):  # noqa: F811
    client, answer = sign_in(amal, bankid, ELSA, tamper={"amr": ["pwd"], "acr": "loa3"})  # Freja eID Plus
    assert answer.status_code == 302
    assert elsas_case().ref in client.get("/min-familie/").get_data(as_text=True)
    _client, answer = sign_in(amal, bankid, ELSA, tamper={"amr": ["pwd"], "acr": "loa2"})
    assert answer.status_code == 401


def test_a_number_that_is_not_a_valid_personnummer_signs_nobody_in(amal, bankid):  # noqa: F811
    wrong = ELSA[:-1] + str((int(ELSA[-1]) + 1) % 10)  # the control digit off by one
    _client, answer = sign_in(amal, bankid, ELSA, tamper={"personal_identity_number": wrong})
    assert answer.status_code == 401
    _client, answer = sign_in(amal, bankid, ELSA, tamper={"personal_identity_number": "01017012345"})  # Norwegian
    assert answer.status_code == 401


def test_the_test_provider_refuses_a_personnummer_outside_the_synthetic_range(amal, bankid):  # noqa: F811
    from stdnum import luhn

    valid_but_not_synthetic = f"20070315238{luhn.calc_check_digit('070315238')}"  # serial 238, not 980-999
    start = amal.test_client().get("/min-familie/logg-inn")
    answer = requests.get(start.headers["Location"], params={"pid": valid_but_not_synthetic},
                          allow_redirects=False, timeout=10)
    assert answer.status_code == 422
