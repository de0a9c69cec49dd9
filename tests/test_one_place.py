"""One place per rule: the consent age is one function, and nothing else compares an age with it."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from tik.guides.model import age_on

ROOT = Path(__file__).resolve().parent.parent


def test_the_consent_age_is_reached_on_the_birthday(app):
    from tik.guidebook import current_guide

    with app.app_context():
        guide = current_guide()
    age = guide.consent_age
    birth = date(2010, 3, 15)
    assert not guide.of_consent_age(birth, date(2010 + age, 3, 14))
    assert guide.of_consent_age(birth, date(2010 + age, 3, 15))
    leap = date(2008, 2, 29)  # born on a leap day: the birthday is 1 March in other years
    assert age_on(leap, date(2009, 2, 28)) == 0 and age_on(leap, date(2009, 3, 1)) == 1


def test_nothing_but_the_rule_reads_the_consent_age():
    """Code and templates ask `guide.of_consent_age(birth, on)`; none compares an age with the number (showing
    the number, "from 15 the young person consents", is fine)."""
    allowed = {ROOT / "tik/guides/model.py", ROOT / "tik/guides/loader.py"}
    found = [f"{path.relative_to(ROOT)}:{n}"
             for path in [*ROOT.glob("tik/**/*.py"), *ROOT.glob("templates/**/*.html")] if path not in allowed
             for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
             if re.search(r"(?:[<>]=?|==)\s*[\w.()\[\]'\"]*\bconsent_age\b|\bconsent_age\b\s*(?:[<>]=?|==|[-+])", line)]
    assert not found, f"the consent age is read outside its rule: {found}"
