"""Every interface text has a nynorsk and an English translation, and the interface switches language."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def extracted(tmp_path_factory) -> set[str]:
    pot = tmp_path_factory.mktemp("pot") / "messages.pot"
    pybabel = Path(sys.executable).with_name("pybabel")
    subprocess.run([str(pybabel), "-q", "extract", "-F", "babel.cfg",
                    "-k", "_l", "-k", "lazy_gettext", "-o", str(pot), "."],
                   cwd=ROOT, check=True, capture_output=True)
    with pot.open("rb") as f:
        found = {m.id for m in read_po(f) if m.id}
    assert len(found) > 300, "extraction found (almost) nothing: the check would pass on an empty list"
    assert "Min side" in found and "Stafettlogg" in found
    return found


@pytest.mark.parametrize("lang", ["nn", "en", "sv"])
def test_every_message_is_translated(extracted, lang):
    with (ROOT / "tik" / "translations" / lang / "LC_MESSAGES" / "messages.po").open("rb") as f:
        catalog = read_po(f)
    translated = {m.id for m in catalog if m.id and m.string and not m.fuzzy}
    missing = sorted(extracted - translated)
    listed = "\n".join(f"  msgid {m!r}" for m in missing)
    assert missing == [], (f"{len(missing)} untranslated in tik/translations/{lang}/LC_MESSAGES/messages.po "
                           f"(run sh tik/translations/update.sh, then translate):\n{listed}")


@pytest.mark.parametrize("lang, text", [("nn", "Mi side"), ("en", "My page"), ("nb", "Min side"), ("sv", "Min sida")])
def test_pages_follow_the_users_language(client, login, make_user, lang, text):
    login(make_user(locale=lang))
    assert text in client.get("/min-side").get_data(as_text=True)


def test_swedish_can_be_chosen_and_dates_are_written_the_swedish_way(client, login, make_user, make_case):
    user = login(make_user())
    case = make_case(by=user)
    page = client.get("/min-side").get_data(as_text=True)
    assert '<option value="sv"' in page and "Svenska" in page
    client.post("/language", data={"lang": "sv", "next": "/min-side"})
    page = client.get("/min-side").get_data(as_text=True)
    assert "Min sida" in page and "Mina ärenden" in page and "Min side" not in page
    assert case.deadline.isoformat() in page  # the deadline on "Min sida", as Swedes write dates
    assert case.deadline.strftime("%d.%m.%Y") not in page
