"""The guidebook in the user's language: a nynorsk user reads nynorsk guidance, tools, decisions, field labels,
signals, services and measures; bokmål is the fallback only where the guidebook lacks the language."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml

from tik.guides.loader import check_guide, load_guide

GUIDEBOOK = Path(__file__).resolve().parents[2] / "guidebook"


@pytest.fixture
def book(tmp_path):
    copy = tmp_path / "guidebook"
    shutil.copytree(GUIDEBOOK, copy)
    return copy


def _languages(book: Path, languages: list[str]) -> None:
    file = book / "guide.yaml"
    data = yaml.safe_load(file.read_text())
    data["languages"] = languages
    file.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))


def test_markdown_in_a_language_not_listed_is_still_used(book):
    _languages(book, ["nb", "en"])
    (book / "steps" / "l0-decide.nn.md").write_text("# Avgjer\n\nAvgjer innan {deadline_days} dagar.\n")
    (book / "tools" / "evaluation-guide.nn.md").unlink(missing_ok=True)
    guide = load_guide(book)
    assert guide.guidance["l0-decide"].get("nn") == "# Avgjer\n\nAvgjer innan 14 dagar.\n"
    # no nynorsk file: the bokmål text, not nothing and not English
    tool = guide.tools["evaluation-guide"].body
    assert tool.get("nn") == tool.get("nb") and tool.get("nb").startswith("#")


def test_a_listed_language_is_required_in_every_text_and_file(book):
    _languages(book, ["nb", "nn", "en"])
    (book / "steps" / "l0-decide.nn.md").unlink(missing_ok=True)
    file = book / "services.yaml"
    data = yaml.safe_load(file.read_text())
    data["services"][0]["offers"].pop("nn", None)
    file.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    guide, problems = check_guide(book)
    found = [str(p) for p in problems]
    assert guide is None
    assert "steps/l0-decide.nn.md: step 'l0-decide': missing file (referenced from guide.yaml)" in found
    assert "services.yaml: service 'kindergarten': 'offers' has no text in language 'nn'" in found


# (language, what that user must see, what they must not): step title, guidance, a tool, a field, a decision
CASE_PAGE = {
    "nn": (["Konkretiser det du har sett og høyrt", "Ei god skildring er grunnlaget for alt som kjem etterpå",
            "Teikn og signal – oversikt etter alder", "Kva har du sett eller høyrt?", "Skildringa er ferdig"],
           ["En god beskrivelse er grunnlaget", "Tegn og signaler – oversikt etter alder",
            "Hva har du sett eller hørt?"]),
    "nb": (["Konkretiser det du har sett og hørt", "En god beskrivelse er grunnlaget for alt som kommer etterpå",
            "Tegn og signaler – oversikt etter alder", "Hva har du sett eller hørt?", "Beskrivelsen er ferdig"],
           ["Ei god skildring er grunnlaget", "Teikn og signal – oversikt etter alder",
            "Kva har du sett eller høyrt?"]),
}


@pytest.mark.parametrize("lang", ["nn", "nb"])
def test_the_case_page_shows_the_guide_in_the_users_language(client, login, make_user, make_case, lang):
    teacher = login(make_user(locale=lang))
    case = make_case(by=teacher)
    assert case.step_id == "l0-concretise"
    page = client.get(f"/saker/{case.ref}").get_data(as_text=True)
    shown, hidden = CASE_PAGE[lang]
    assert [text for text in shown if text not in page] == []
    assert [text for text in hidden if text in page] == []


HANDBOOK = {  # url: (nynorsk, bokmål)
    "/handbok/steg/l0-decide": ("seinast 14 dagar etter at ho vart registrert", "senest 14 dager etter at den ble"),
    "/handbok/verktoy/signals-overview": ("Sjå etter <strong>mønster og endringar</strong>",
                                          "Se etter <strong>mønstre og endringer</strong>"),
    "/handbok/": ("Du undrar deg over eit barn eller ein ungdom", "Du undrer deg over et barn eller en ungdom"),
    "/handbok/tjenester": ("Helsesjukepleiar, jordmor og lege følgjer barn", "Helsesykepleier, jordmor og lege følger"),
    "/handbok/tegn": ("Vanskeleg å trøyste, eller søkjer ikkje trøyst hos vaksne",
                      "Vanskelig å trøste, eller søker ikke trøst hos voksne"),
    "/handbok/tiltak": ("Fast vaksen om morgonen", "Fast voksen om morgenen"),
}


@pytest.mark.parametrize("url", HANDBOOK)
def test_the_handbook_shows_the_guide_in_the_users_language(client, login, make_user, url):
    nynorsk, bokmaal = HANDBOOK[url]
    login(make_user(locale="nn"))
    page = client.get(url).get_data(as_text=True)
    assert nynorsk in page and bokmaal not in page
    login(make_user(locale="nb"))
    page = client.get(url).get_data(as_text=True)
    assert bokmaal in page and nynorsk not in page


def test_the_handbook_follows_the_language_chosen_without_logging_in(client):
    client.post("/language", data={"lang": "nn", "next": "/handbok/"})
    assert "Stafetthaldar er stadfesta" in client.get("/handbok/steg/l1-coordinator").get_data(as_text=True)


def test_signals_on_the_concern_form_are_in_the_users_language(client, login, make_user):
    login(make_user(locale="nn"))
    page = client.get("/bekymring/skjema").get_data(as_text=True)
    assert "Vanskeleg å trøyste, eller søkjer ikkje trøyst hos vaksne" in page
    assert "Vanskelig å trøste" not in page


def test_a_catalogue_measure_fills_the_form_in_the_users_language(client, login, make_user, make_case, move_case):
    from flows import TO_LEVEL1

    teacher = login(make_user(service="school", locale="nn"))
    case = make_case(by=teacher)
    move_case(case, teacher, TO_LEVEL1)
    page = client.get(f"/saker/{case.ref}/plan?fra=morning-contact").get_data(as_text=True)
    assert re.search(r'<textarea[^>]*name="what"[^>]*>\s*Fast vaksen om morgonen</textarea>', page)
    assert "Skulefråvær og læring" in page and ">Skule</option>" in page  # the catalogue's area, the service
    assert "Fast voksen om morgenen" not in page
