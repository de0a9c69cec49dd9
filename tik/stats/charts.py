"""Charts of the published tables, drawn by pygal as SVG on the server (no scripts, no requests elsewhere).

A chart shows exactly the table's published values: a hidden cell is a gap, never a bar.
"""

from __future__ import annotations

import base64
from functools import lru_cache

import pygal
from pygal.etree import etree
from pygal.style import Style

from tik.stats.service import Table

# Designsystemet's accent and neutral colours, legible in print and for colour-blind readers (one series).
STYLE = Style(background="white", plot_background="white", foreground="#1e2b3c", foreground_strong="#1e2b3c",
              foreground_subtle="#68707c", colors=("#0062ba",), font_family="Inter, DejaVu Sans, sans-serif",
              label_font_size=13, major_label_font_size=13, title_font_size=15, value_font_size=12)


def chart_svg(table: Table) -> str | None:
    """The table's chart as an SVG document, or None when the table has no chart or nothing to show."""
    if table.chart == "none":
        return None
    points = tuple((row.label, row.cells[table.chart_column].value) for row in table.rows if not row.total)
    if not any(v is not None for _label, v in points):
        return None
    return _render(table.chart, table.title, table.columns[table.chart_column], points)


@lru_cache(maxsize=512)  # the same published figures draw the same picture; pygal takes ~10 ms a chart
def _render(kind: str, title: str, series: str, points: tuple[tuple[str, float | None], ...]) -> str:
    options = dict(style=STYLE, js=[], show_legend=False, width=720, height=320 if kind != "hbar" else
                   max(200, 34 * len(points) + 60), print_values=kind != "line", print_values_position="top",
                   truncate_label=-1, show_y_guides=True, margin=12, disable_xml_declaration=True,
                   include_x_axis=True)  # counts start at zero: no axis that exaggerates a change
    chart_class = {"line": pygal.Line, "hbar": pygal.HorizontalBar}.get(kind, pygal.Bar)
    chart = chart_class(**options)
    labels = [label for label, _v in points]
    if kind == "line" and len(labels) > 12:  # at most twelve month labels on the axis
        step = -(-len(labels) // 12)
        chart.x_labels_major = labels[::step]
        chart.show_minor_x_labels = False
    chart.x_labels = labels
    chart.add(series, [v for _label, v in points])
    tree = chart.render_tree()
    for parent in list(tree.iter()):  # pygal's tooltip configuration script is not wanted anywhere
        for child in list(parent):
            if child.tag in ("script", "{http://www.w3.org/2000/svg}script"):
                parent.remove(child)
    return etree.tostring(tree, encoding="unicode")


def data_uri(svg: str) -> str:
    """The SVG as an image address: the page's strict CSP allows `data:` images, and inside an image the
    chart's own styles apply without loosening the page's policy."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()
