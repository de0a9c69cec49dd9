"""Reading a PDF back the way a person looks at it: where every word lands, per page (poppler's pdftotext)."""

from __future__ import annotations

import html
import re
import subprocess
import tempfile
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

MM = 72 / 25.4
MARGIN_X = 18 * MM  # templates/pdf: @page margin left and right
MARGIN_TOP, MARGIN_BOTTOM = 22 * MM, 20 * MM
RTL_LETTERS = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff]")
BIDI_MARKS = dict.fromkeys(map(ord, "\u202a\u202b\u202c\u202d\u202e\u200e\u200f\u2066\u2067\u2068\u2069"))


@dataclass(frozen=True)
class Word:
    page: int
    text: str
    x0: float
    y0: float
    x1: float
    y1: float


@dataclass(frozen=True)
class Page:
    number: int
    width: float
    height: float
    words: list[Word]


def pages(data: bytes) -> list[Page]:
    """Every page with every word and its box, from `pdftotext -bbox`."""
    with tempfile.TemporaryDirectory() as tmp:
        pdf = Path(tmp) / "doc.pdf"
        pdf.write_bytes(data)
        out = Path(tmp) / "doc.html"
        subprocess.run(["pdftotext", "-bbox", str(pdf), str(out)], check=True, capture_output=True)
        markup = out.read_text(encoding="utf-8")
    result = []
    for n, (w, h, body) in enumerate(re.findall(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>',
                                                markup, re.S), start=1):
        words = [Word(n, html.unescape(t), float(a), float(b), float(c), float(d)) for a, b, c, d, t in
                 re.findall(r'<word xMin="([\d.-]+)" yMin="([\d.-]+)" xMax="([\d.-]+)" yMax="([\d.-]+)">(.*?)</word>',
                            body)]
        result.append(Page(n, float(w), float(h), words))
    return result


def outside_margins(data: bytes, tolerance: float = 1.0) -> list[Word]:
    """Words that reach into the left or right margin or past the page's edge (none should)."""
    bad = []
    for page in pages(data):
        for w in page.words:
            if (w.x0 < MARGIN_X - tolerance or w.x1 > page.width - MARGIN_X + tolerance
                    or w.y0 < 0 or w.y1 > page.height):
                bad.append(w)
    return bad


def body_text(data: bytes) -> str:
    """The text inside the page's content box, all pages run together, without whitespace and without
    right-to-left letters: running heads and page numbers are left out, so text that flows over a page
    break reads as one. (The boxes give right-to-left words in visual order; plain_text reads them.)"""
    words = [w.text for p in pages(data) for w in p.words
             if MARGIN_TOP <= (w.y0 + w.y1) / 2 <= p.height - MARGIN_BOTTOM]
    return without_rtl(squeeze("".join(words)))


def without_rtl(text: str) -> str:
    """`text` without Hebrew and Arabic letters."""
    return RTL_LETTERS.sub("", text)


def squeeze(text: str) -> str:
    """`text` without whitespace or bidi marks: what must survive line and page breaks."""
    return "".join(text.translate(BIDI_MARKS).split())


def page_numbers_present(data: bytes) -> bool:
    """Every page carries "n / total"."""
    all_pages = pages(data)
    total = len(all_pages)
    return all(f"{p.number}/{total}" in squeeze(" ".join(w.text for w in p.words)) for p in all_pages)


def plain_text(data: bytes) -> str:
    """pdftotext's reading of the whole document (logical order for right-to-left scripts), bidi marks removed."""
    with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
        f.write(data)
        f.flush()
        out = subprocess.run(["pdftotext", "-enc", "UTF-8", f.name, "-"], check=True, capture_output=True)
    return out.stdout.decode("utf-8").translate(BIDI_MARKS)


def tags(data: bytes) -> dict:
    """The catalogue entries that make a tagged PDF: StructTreeRoot, Lang, MarkInfo."""
    from pypdf import PdfReader

    root = PdfReader(BytesIO(data)).trailer["/Root"]
    mark = root.get("/MarkInfo")
    return {"struct_tree": "/StructTreeRoot" in root, "lang": str(root.get("/Lang", "")),
            "marked": bool(mark and mark.get_object().get("/Marked"))}


def ink_in_side_margins(data: bytes, dpi: int = 50, threshold: int = 200) -> list[tuple[int, str]]:
    """Pages rendered as images (poppler's pdftoppm): (page, side) for every page with anything drawn in its left
    or right margin — text, a table border or a box that ran past the content box. An empty list when none."""
    from PIL import Image

    found = []
    with tempfile.TemporaryDirectory() as tmp:
        pdf = Path(tmp) / "doc.pdf"
        pdf.write_bytes(data)
        subprocess.run(["pdftoppm", "-gray", "-r", str(dpi), str(pdf), str(Path(tmp) / "page")], check=True,
                       capture_output=True)
        images = sorted(Path(tmp).glob("page-*.pgm"), key=lambda p: int(p.stem.split("-")[-1]))
        assert images, "pdftoppm rendered no page"
        for number, path in enumerate(images, start=1):
            with Image.open(path) as image:
                width, height = image.size
                edge = int(MARGIN_X / 72 * dpi) - 1  # a pixel of slack for anti-aliasing at the content edge
                for side, box in (("left", (0, 0, edge, height)), ("right", (width - edge, 0, width, height))):
                    darkest, _ = image.crop(box).getextrema()
                    if darkest < threshold:
                        found.append((number, side))
    return found


def rules(data: bytes, page: int, dpi: int = 100, min_mm: float = 20) -> list[tuple[int, int, int]]:
    """The horizontal lines drawn on `page` (1-based), rendered as an image (pdftoppm): each as (top, start, end)
    in whole millimetres from the page's top and left edges, one entry per line however thick it is drawn. A
    signature line that runs into the next one reads as one long line here."""
    from PIL import Image

    with tempfile.TemporaryDirectory() as tmp:
        pdf = Path(tmp) / "doc.pdf"
        pdf.write_bytes(data)
        subprocess.run(["pdftoppm", "-gray", "-r", str(dpi), "-f", str(page), "-l", str(page), str(pdf),
                        str(Path(tmp) / "page")], check=True, capture_output=True)
        with Image.open(next(Path(tmp).glob("page-*.pgm"))) as image:
            width, height = image.size
            pixels = image.load()
            found: set[tuple[int, int, int]] = set()
            for y in range(height):
                x = 0
                while x < width:
                    if pixels[x, y] < 128:
                        start = x
                        while x < width and pixels[x, y] < 128:
                            x += 1
                        if (x - start) / dpi * 25.4 >= min_mm:
                            found.add((round(y / dpi * 25.4), round(start / dpi * 25.4), round(x / dpi * 25.4)))
                    x += 1
    return sorted(found)
