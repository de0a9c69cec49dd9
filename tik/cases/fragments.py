"""Parts of the case page that depend only on the guidebook and the language (and a few plain values such as
the case's level): rendered once per worker for each guidebook digest, language and values, then kept.

Nothing of a person, a case's content or a request (no CSRF token, no user) may go into a fragment: the
fragment templates (templates/cases/fragments/) are given the guide, the language and the named values only.
"""

from __future__ import annotations

from typing import Any

from flask import render_template
from markupsafe import Markup

LIMIT = 512  # fragments kept per worker (a few per step and level, per guidebook and language)
_kept: dict[tuple, Markup] = {}


def guide_fragment(name: str, guide: Any, lang: str, **values: Any) -> Markup:
    """The fragment `templates/cases/fragments/<name>.html` for `guide` (by its digest) in `lang`."""
    key = (name, guide.digest, lang, tuple(sorted(values.items())))
    kept = _kept.get(key)
    if kept is None:
        if len(_kept) >= LIMIT:  # a worker serving many guidebooks: start again rather than grow
            _kept.clear()
        kept = _kept[key] = Markup(render_template(f"cases/fragments/{name}.html", guide=guide, L=lang, **values))  # nosec B704 - a rendered, autoescaped template
    return kept

