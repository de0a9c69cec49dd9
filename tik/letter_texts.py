"""The fixed texts of what the family holds in its hands, in the family's language.

The family letter, the child's page, the consent form and the right-of-access export (GDPR Art. 15) print
their fixed texts from the `letter` catalogues: tik/translations/<lang>/LC_MESSAGES/letter.po, with the
bokmål text as the message id.
Adding a catalogue adds a print language (and a language a guardian can be given), without code.
What staff wrote is never translated: it prints in Norwegian, marked as such.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from functools import cache
from pathlib import Path

from babel import Locale
from babel.messages.pofile import read_po
from markupsafe import Markup

from tik.dates import show_date, show_time

TRANSLATIONS = Path(__file__).resolve().parent / "translations"
DOMAIN = "letter"
SOURCE_LANGUAGE = "nb"
# The order the languages are offered in: Norwegian first, then the rest by their own names.
FIRST = ("nb", "nn", "en")


@cache
def _catalogue(path: Path) -> dict[str, str]:
    with path.open("rb") as f:
        return {m.id: m.string for m in read_po(f) if m.id and m.string and not m.fuzzy}


def catalogue_path(lang: str, root: Path | None = None) -> Path:
    return (root or TRANSLATIONS) / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def letter_languages(root: Path | None = None) -> tuple[str, ...]:
    """Bokmål and every language with a letter catalogue, in the order they are offered."""
    return _languages_in(root or TRANSLATIONS)


@cache
def _languages_in(root: Path) -> tuple[str, ...]:
    # Looked up once per process: catalogues are part of the installed code, like the guidebook.
    found = {p.parent.parent.name for p in root.glob(f"*/LC_MESSAGES/{DOMAIN}.po")}
    found.add(SOURCE_LANGUAGE)
    first = [lang for lang in FIRST if lang in found]
    return tuple(first + sorted(found - set(first), key=language_name))


@cache
def language_name(lang: str) -> str:
    """The language's name in itself ("polski", "العربية"), capitalised where the script has case."""
    try:
        name = Locale.parse(lang).get_display_name(lang) or lang
    except (ValueError, LookupError):
        return lang
    return name[:1].upper() + name[1:]


def language_choices(root: Path | None = None) -> list[tuple[str, str]]:
    """(code, name) for a select: exactly the languages TIK can print a letter in."""
    return [(lang, language_name(lang)) for lang in letter_languages(root)]


def is_rtl(lang: str) -> bool:
    try:
        return Locale.parse(lang).character_order == "right-to-left"
    except (ValueError, LookupError):
        return False


class Texts:
    """`t(msgid, **params)`: the fixed text in one language; remembers every text it lacked."""

    def __init__(self, lang: str, root: Path | None = None) -> None:
        self.lang = lang
        self.rtl = is_rtl(lang)
        path = catalogue_path(lang, root)
        self.messages = _catalogue(path) if lang != SOURCE_LANGUAGE and path.exists() else {}
        self.missing: set[str] = set()

    def __call__(self, msgid: str, **params: object) -> Markup:
        """The text, HTML-escaped, with `params` escaped into it (Markup params, such as a macro's, as they are)."""
        text = self.messages.get(msgid)
        if text is None:
            if self.lang != SOURCE_LANGUAGE:
                self.missing.add(msgid)
            text = msgid
        if params and self.rtl:
            # Names and dates keep their own direction inside a right-to-left sentence (Unicode isolates).
            params = {k: Markup("\u2068%s\u2069") % v for k, v in params.items()}
        return Markup.escape(text) % params if params else Markup.escape(text)

    def date(self, day: date | datetime | None) -> str:
        """A date as the family reads it ("15 stycznia 2027", "15 يناير 2027"); a stored time by its local date."""
        return show_date(day, self.lang, "long")

    def time(self, moment: datetime | None) -> str:
        """A stored time as the local wall-clock time the family meets at ("14:00" in every language)."""
        return show_time(moment, self.lang)


PLACEHOLDER = re.compile(r"\{(child|holder|municipality)\}")


def fill(text: str, values: dict[str, str]) -> str:
    """A guidebook text with {child}, {holder} and {municipality} filled in; other braces stay as written."""
    return PLACEHOLDER.sub(lambda m: values.get(m.group(1), ""), text)
