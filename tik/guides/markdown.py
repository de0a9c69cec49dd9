"""Guidebook Markdown to safe HTML: CommonMark without raw HTML, then cleaned by nh3."""

from functools import lru_cache

import nh3
from markdown_it import MarkdownIt

_md = MarkdownIt("commonmark", {"html": False, "linkify": False})


@lru_cache(maxsize=512)
def render_markdown(source: str) -> str:
    """Safe HTML for `source`; raw HTML in the source is escaped, never passed through."""
    return nh3.clean(_md.render(source), url_schemes={"https", "mailto", "tel"})
