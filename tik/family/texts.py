""""Min familie" in the family's language: every language the family letter has (tik/letter_texts.py).

The family's pages print their fixed texts from the `family` catalogues,
tik/translations/<lang>/LC_MESSAGES/family.po, with the bokmål text as the message id (extracted with
tik/translations/family.cfg; tests/family/test_family_language.py keeps every catalogue complete). The language is the
signed-in guardian's own (as staff recorded it), switchable on the page; what staff wrote stays as written.
"""

from __future__ import annotations

from pathlib import Path

from tik.letter_texts import SOURCE_LANGUAGE, TRANSLATIONS, Texts, _catalogue, is_rtl, language_name, letter_languages

DOMAIN = "family"


class FamilyTexts(Texts):
    """`t(msgid, **params)`: a fixed text of the family's pages in `lang` (the letter's Texts, its own catalogue)."""

    def __init__(self, lang: str, root: Path | None = None) -> None:
        self.lang = lang
        self.rtl = is_rtl(lang)
        path = (root or TRANSLATIONS) / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
        self.messages = _catalogue(path) if lang != SOURCE_LANGUAGE and path.exists() else {}
        self.missing: set[str] = set()

    @property
    def dir(self) -> str:
        return "rtl" if self.rtl else "ltr"


def family_languages() -> tuple[str, ...]:
    """The languages "Min familie" speaks: exactly those the family letter is printed in."""
    return letter_languages()


def choices() -> list[tuple[str, str]]:
    return [(lang, language_name(lang)) for lang in family_languages()]


def chosen(asked: str | None, own: str | None, municipality: tuple[str, ...] = ()) -> str:
    """The page's language: the one the person chose on the page, else their own (a guardian's recorded
    language), else the municipality's (its guidebook's languages: Swedish in Sweden), else bokmål; never a
    language without a catalogue."""
    for lang in (asked, own, *municipality):
        if lang in family_languages():
            return lang
    return SOURCE_LANGUAGE
