"""Bidirectional isolation of user text: a right-to-left override typed into a name never turns the page's
own text around it. Every text a template reads from an object (`{{ child.first_name }}`, `{{ m.what }}`,
`{{ s["goals"] }}`) and that holds right-to-left letters or bidi controls is wrapped in FIRST STRONG ISOLATE
… POP DIRECTIONAL ISOLATE: the character form of `<bdi>`, which also holds inside attributes, titles,
translated sentences and PDFs, and which a template cannot forget.
"""

from __future__ import annotations

import re
from typing import Any

FSI, PDI = "\u2068", "\u2069"
# Right-to-left scripts (Hebrew, Arabic, Syriac, Thaana, N'Ko, …, their presentation forms) and the bidi
# controls: marks, embeddings, overrides, isolates.
BIDI_RELEVANT = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
                           "\U00010800-\U00010fff\U0001e800-\U0001efff]")
# A stray isolate control inside the text could end our isolate early: they are removed from it.
ISOLATES = re.compile("[\u2066-\u2069]")


def isolate(value: Any) -> Any:
    """`value` isolated if it is text that could reorder what surrounds it; anything else unchanged."""
    if not isinstance(value, str) or not BIDI_RELEVANT.search(value):
        return value
    if value.startswith(FSI) and value.endswith(PDI) and not ISOLATES.search(value[1:-1]):
        return value  # already isolated (read twice)
    inner = value
    for control in "\u2066\u2067\u2068\u2069":
        inner = inner.replace(control, "")  # on Markup, replace keeps it Markup (nothing is escaped twice)
    return FSI + inner + PDI


def isolate_user_text(env) -> None:
    """Make the Jinja environment isolate every text it reads from an attribute or an item.

    A page reads a couple of thousand attributes: the common case (the attribute exists and its value is no
    text with right-to-left letters) takes one `getattr` and one search, and Jinja's own lookup (an item for
    a missing attribute, Undefined for neither) only runs when the attribute is missing."""
    getattr_, getitem = env.getattr, env.getitem
    relevant = BIDI_RELEVANT.search

    def isolated_getattr(obj, attribute):
        try:
            value = getattr(obj, attribute)
        except AttributeError:
            return isolate(getattr_(obj, attribute))
        if isinstance(value, str) and relevant(value):
            return isolate(value)
        return value

    def isolated_getitem(obj, argument):
        return isolate(getitem(obj, argument))

    env.getattr, env.getitem = isolated_getattr, isolated_getitem
