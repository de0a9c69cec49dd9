"""Every table of the page as CSV and as XLSX, exactly as published (hidden cells stay hidden)."""

from __future__ import annotations

import csv
import io
import re

from openpyxl import Workbook

from tik.stats.service import Section


def _lines(section_list: list[Section], heading: str):
    """Rows of every table: its title, its header, its rows; a blank row between tables."""
    yield [heading]
    for section in section_list:
        for table in section.tables:
            yield []
            yield [f"{section.title}: {table.title}"]
            yield ["", *table.columns]
            for row in table.rows:
                yield [row.label, *(cell.text for cell in row.cells)]


def to_csv(section_list: list[Section], heading: str) -> bytes:
    """UTF-8 with BOM and semicolons, as Norwegian spreadsheets open it."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerows(_lines(section_list, heading))
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(section_list: list[Section], heading: str) -> bytes:
    """One sheet per table: shown numbers as numbers, hidden cells as the text shown ("< 5", "x")."""
    book = Workbook()
    book.remove(book.active)
    used: set[str] = set()
    for section in section_list:
        for table in section.tables:
            name = f"{len(used) + 1} " + re.sub(r"[\[\]:*?/\\]", "", table.title)
            name = name[:31]
            used.add(name)
            sheet = book.create_sheet(name)
            sheet.append([heading])
            sheet.append([f"{section.title}: {table.title}"])
            sheet.append(["", *table.columns])
            for row in table.rows:
                sheet.append([row.label, *(cell.value if cell.value is not None and not cell.text.endswith("%")
                                           else cell.text for cell in row.cells)])
            sheet.column_dimensions["A"].width = 48
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
