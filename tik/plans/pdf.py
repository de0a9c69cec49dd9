"""The plan as PDF: WeasyPrint with a URL fetcher that refuses everything but our own static files."""

from __future__ import annotations

import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlsplit

from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

STATIC_ROOT = Path(__file__).resolve().parent.parent / "static"
# Tagged PDF/UA: headings, lists and reading order as structure, the document language from <html lang>.
PDF_OPTIONS = {"pdf_variant": "pdf/ua-1"}


class StaticOnlyFetcher(URLFetcher):
    """Serves files under the static folder; refuses every other URL (http, data, file elsewhere …)."""

    def __init__(self, root: Path = STATIC_ROOT) -> None:
        super().__init__(timeout=1, allowed_protocols={"file"}, allow_redirects=False)
        self.root = root.resolve()
        self.refused: list[str] = []

    def fetch(self, url: str, headers=None) -> URLFetcherResponse:
        parts = urlsplit(url)
        if parts.scheme == "file" and not parts.netloc:
            path = Path(unquote(parts.path)).resolve()
            if path.is_relative_to(self.root) and path.is_file():
                mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                return URLFetcherResponse(url, body=path.read_bytes(), headers={"Content-Type": mime})
        self.refused.append(url)
        raise PermissionError("TIK renders PDFs from its own static files only")


def render_pdf(html: str, fetcher: StaticOnlyFetcher | None = None) -> bytes:
    """Tagged PDF bytes for `html`; relative links resolve inside the static folder and nowhere else."""
    fetcher = fetcher or StaticOnlyFetcher()
    return HTML(string=html, base_url=STATIC_ROOT.as_uri() + "/", url_fetcher=fetcher).write_pdf(**PDF_OPTIONS)
