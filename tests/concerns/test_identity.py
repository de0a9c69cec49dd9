"""National identity numbers follow the guidebook's country (issue 28): Norwegian fødselsnummer by default,
Swedish personnummer and samordningsnummer with `country: se`; labels and messages follow."""

from __future__ import annotations

from datetime import date

import pytest
from support import GuidebookCopy

from tik import crypto
from tik.cases.models import Case
from tik.concerns.models import Child
from tik.extensions import db
from tik.identity import InvalidNationalId, no, rules, se

PERSONNUMMER = "20120315-2341"  # born 15 March 2012
SAMORDNINGSNUMMER = "20120375-2348"  # the same birth date, day + 60
WRONG = "20120315-2342"  # the control digit does not match

CHILD = {"first_name": "Elsa", "last_name": "Lind", "school": "Åmåls skola", "guardians-0-name": "Anna Lind",
         "guardians-0-language": "nb", "observation": "Elsa är ofta borta från skolan.", "urgency": "none"}


@pytest.fixture
def swedish(app, tmp_path):
    """The app running a copy of the default guidebook that says `country: se`."""
    book = GuidebookCopy(tmp_path / "guidebook")
    book.edit(lambda data: data.update(country="se"))
    app.config["TIK_GUIDEBOOK"] = str(book.path)
    app.extensions.pop("tik_guide", None)
    yield book
    app.extensions.pop("tik_guide", None)


@pytest.mark.parametrize("number", [PERSONNUMMER, "201203152341", "120315-2341", "1203152341", " 20120315 2341",
                                    "２０１２０３１５２３４１"])  # full-width digits: stdnum reads them as digits
def test_a_personnummer_in_any_usual_writing_gives_its_birth_date_and_one_stored_form(number):
    assert se.birth_date_of(number) == date(2012, 3, 15)
    assert se.normalise(number) == "201203152341"


def test_a_samordningsnummer_gives_the_birth_date_without_the_60():
    assert se.birth_date_of(SAMORDNINGSNUMMER) == date(2012, 3, 15)
    assert se.normalise("120375-2348") == "201203752348"


def test_the_plus_sign_means_a_hundred_years_more():
    assert se.birth_date_of("120315+2341") == date(1912, 3, 15)


@pytest.mark.parametrize("number", [WRONG, "20120375-2349", "20120315-234", "2012031x-2341", "20121315-2349",
                                    "20120395-2347",
                                    "01010112345", "²⁰¹²⁰³¹⁵²³⁴¹"])
def test_a_wrong_personnummer_is_refused(number):
    with pytest.raises(InvalidNationalId):
        se.birth_date_of(number)


def test_the_countries_keep_their_own_rules():
    assert rules("no") is no and rules("se") is se
    with pytest.raises(InvalidNationalId):
        no.birth_date_of("201203152341")


def test_an_unknown_country_is_a_problem_with_file_and_entry(tmp_path):
    book = GuidebookCopy(tmp_path / "guidebook")
    book.edit(lambda data: data.update(country="dk"))
    assert "guide.yaml: country: unknown country 'dk' (one of no, se)" in book.problems()


def test_a_guidebook_without_country_is_norwegian(app, client, login, make_user):
    login(make_user())
    page = client.get("/bekymring/skjema?urgency=none").get_data(as_text=True)
    assert "Fødselsnummer eller D-nummer" in page and "Personnummer" not in page
    response = client.post("/bekymring/skjema", data={**CHILD, "nin": PERSONNUMMER})
    assert response.status_code == 422 and "Fødselsnummeret er ikke gyldig" in response.get_data(as_text=True)


@pytest.mark.parametrize("number", [PERSONNUMMER, SAMORDNINGSNUMMER])
def test_a_swedish_guidebook_accepts_a_personnummer_and_a_samordningsnummer(swedish, client, login, make_user,
                                                                           number):
    login(make_user())
    page = client.get("/bekymring/skjema?urgency=none").get_data(as_text=True)
    assert "Personnummer eller samordningsnummer" in page and "Fødselsnummer eller D-nummer" not in page
    response = client.post("/bekymring/skjema", data={**CHILD, "nin": number})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    child = db.session.scalar(db.select(Child))
    assert child.birth_date == date(2012, 3, 15)
    assert child.nin_lookup == crypto.lookup_hash(number.replace("-", ""))
    assert db.session.scalar(db.select(db.func.count(Case.id))) == 1


def test_a_swedish_guidebook_refuses_a_wrong_personnummer_in_swedish_terms(swedish, client, login, make_user):
    login(make_user())
    response = client.post("/bekymring/skjema", data={**CHILD, "nin": WRONG})
    text = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Personnummeret er ikke gyldig" in text and "Fødselsnummeret" not in text
    assert WRONG in text  # what was typed is kept
    assert db.session.scalar(db.select(db.func.count(Case.id))) == 0


def test_a_swedish_user_is_told_in_swedish(swedish, client, login, make_user):
    login(make_user(locale="sv"))
    page = client.get("/bekymring/skjema?urgency=none").get_data(as_text=True)
    assert "Personnummer eller samordningsnummer (valfritt)" in page
    response = client.post("/bekymring/skjema", data={**CHILD, "nin": WRONG})
    text = response.get_data(as_text=True)
    assert response.status_code == 422 and "Personnumret är inte giltigt. Kontrollera siffrorna." in text


def test_a_guardians_number_follows_the_country_of_the_case(swedish, client, login, make_user, make_case):
    from tik.concerns.models import Guardian

    holder = login(make_user(locale="sv"))
    case = make_case(by=holder)
    guardian = db.session.scalar(db.select(Guardian))
    url = f"/saker/{case.ref}/foresatte/{guardian.id}/min-familie"
    page = client.get(url).get_data(as_text=True)
    assert "Personnummer (12 siffror)" in page and "11" not in page.split('for="guardian-nin">')[1][:40]
    refused = client.post(url, data={"nin": "19800101-0000"})
    assert refused.status_code == 422 and "Personnumret är inte giltigt" in refused.get_data(as_text=True)
    assert client.post(url, data={"nin": "19800101-0019"}).status_code == 302
    db.session.expire_all()
    assert guardian.nin_lookup == crypto.lookup_hash("198001010019")
