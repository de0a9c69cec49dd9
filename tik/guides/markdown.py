"""Guidebook Markdown to safe HTML: CommonMark without raw HTML, then cleaned by nh3."""

from functools import lru_cache

import nh3
from markdown_it import MarkdownIt

_md = MarkdownIt("commonmark", {"html": False, "linkify": False})


@lru_cache(maxsize=512)
def render_markdown(source: str) -> str:
    """Safe HTML for `source`; raw HTML in the source is escaped, never passed through."""
    return nh3.clean(_md.render(source), url_schemes={"https", "mailto", "tel"})


@lru_cache(maxsize=512)
def render_guidance(source: str, top: int = 2) -> str:
    """Safe HTML for guidance shown under a page's own heading: a leading `# title` is left out (the page
    shows that title already) and the text's `##` headings become level `top`, so every page keeps one
    h1 and an unbroken heading outline."""
    tokens = _md.parse(source)
    if len(tokens) >= 3 and tokens[0].type == "heading_open" and tokens[0].tag == "h1":
        tokens = tokens[3:]
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            level = max(int(token.tag[1]), 2) - 2 + top
            token.tag = f"h{min(level, 6)}"
    html = _md.renderer.render(tokens, _md.options, {})
    return nh3.clean(html, url_schemes={"https", "mailto", "tel"})
