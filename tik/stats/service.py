"""The statistics page's figures: who sees what (scope), the few sums it reads, and the tables built from them.

Reading is four GROUP BY statements over the nightly summary (StatCell, in the grain that fits); everything else
here is pure Python on plain dicts, so each indicator can be checked on a hand-built data set.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from tik.auth.models import Role, User
from tik.extensions import db
from tik.guides.model import Guide
from tik.municipalities import Municipality, all_municipalities, municipality_scope, row_id
from tik.municipalities.models import UnitMunicipality
from tik.stats.models import StatCell, StatRun
from tik.stats.refresh import METRICS
from tik.stats.suppression import PRIMARY, SECONDARY, suppress_line, suppress_share

# -- who sees what -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """The part of the municipality a user's statistics cover: all of it, or one unit."""

    whole: bool
    unit_id: int | None = None


def scope_for(user: User) -> Scope | None:
    """An analyst sees the whole municipality, a leader their own unit (the cases it owns); anyone else,
    and a leader with no unit, nothing (None)."""
    if user.has_role(Role.ANALYST):
        return Scope(whole=True)
    if user.has_role(Role.LEADER) and user.unit_id is not None:
        return Scope(whole=False, unit_id=user.unit_id)
    return None


@dataclass(frozen=True)
class Cooperation:
    """An inter-municipal unit (a youth centre of two municipalities) and the municipalities it belongs to: its
    leaders see its figures summed over all of them."""

    unit_id: int
    unit_name: str
    municipalities: tuple[Municipality, ...]

    def names(self) -> str:
        return ", ".join(m.name for m in self.municipalities)


def cooperation_for(user: User) -> Cooperation | None:
    """The cooperation whose figures `user` may see: a leader of a unit that belongs to more than one
    municipality (its own and unit_municipality rows). Anyone else, a single municipality's unit's leader among
    them, None."""
    unit = user.unit if user.has_role(Role.LEADER) and user.unit_id is not None else None
    if unit is None or user.id not in unit.leader_ids:
        return None
    ids = {unit.municipality_id} | set(db.session.scalars(
        select(UnitMunicipality.municipality_id).where(UnitMunicipality.unit_id == unit.id)))
    found = tuple(m for m in all_municipalities() if row_id(m) in ids)
    return Cooperation(unit.id, unit.name, found) if len(found) > 1 else None


def read_cooperation(filters: Filters, cooperation: Cooperation) -> Figures:
    """The cooperation's figures: in each of its municipalities (in that municipality's scope, as its own page
    reads them) the cells of the cases the unit owns there, summed before anything is published: the page then
    suppresses the sums exactly as it suppresses one municipality's figures."""
    summed = Figures()
    unit_only = Scope(whole=False, unit_id=cooperation.unit_id)
    for municipality in cooperation.municipalities:
        with municipality_scope(municipality):
            figures = read(filters, unit_only)
        for name in ("totals", "monthly", "by_age", "by_level"):
            into = getattr(summed, name)
            for key, n in getattr(figures, name).items():
                into[key] = into.get(key, 0) + n
    return summed


def _scope_where(scope: Scope) -> list:
    """The one place the leader's unit becomes SQL: the cells of cases their unit owns."""
    if scope.whole:
        return []
    return [StatCell.unit_id == scope.unit_id]


# -- filters and reading ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    """What the page is filtered by. Months are first days of months; None means "all"."""

    start: date
    end: date
    service: str | None = None
    unit_id: int | None = None
    age_group: str | None = None
    level: int | None = None

    def describe(self) -> str:
        parts = [f"{self.start:%Y-%m}..{self.end:%Y-%m}"]
        parts += [f"{k}={v}" for k, v in (("service", self.service), ("unit", self.unit_id),
                                           ("age", self.age_group), ("level", self.level)) if v is not None]
        return " ".join(parts)


@dataclass
class Figures:
    """The sums the page is built from (plain data, no identities)."""

    totals: dict[tuple[str, str], int] = field(default_factory=dict)  # (metric, key) in the period
    monthly: dict[tuple[str, date], int] = field(default_factory=dict)  # (metric, month), all time
    by_age: dict[str, int] = field(default_factory=dict)  # concerns per age group in the period
    by_level: dict[tuple[int, str], int] = field(default_factory=dict)  # (level, services key) in the period

    def of(self, metric: str) -> dict[str, int]:
        return {k: n for (m, k), n in self.totals.items() if m == metric}


def period_parts(start: date, end: date) -> list[tuple[int, date, date]]:
    """The period as the summary stores it: (12, first Jan, last Jan) for the whole years inside it, and
    (1, first month, last month) for the months before and after them. Pure."""
    first_full = start.year if start.month == 1 else start.year + 1
    last_full = end.year if end.month == 12 else end.year - 1
    if first_full > last_full:
        return [(1, start, end)]
    parts = [(12, date(first_full, 1, 1), date(last_full, 1, 1))]
    if start.year < first_full:
        parts.insert(0, (1, start, date(start.year, 12, 1)))
    if end.year > last_full:
        parts.append((1, date(end.year, 1, 1), end))
    return parts


def read(filters: Filters, scope: Scope) -> Figures:
    """The four sums of the summary for `filters` within `scope` (a few index-only statements). The whole
    municipality unfiltered reads the summed grains (refresh.SUMMED_GRAINS: a few hundred cells whatever its
    size); a unit, or any filter, the detailed cells."""
    where = _scope_where(scope)
    for column, value in ((StatCell.service_key, filters.service), (StatCell.unit_id, filters.unit_id),
                          (StatCell.age_group, filters.age_group), (StatCell.level, filters.level)):
        if value is not None:
            where.append(column == value)
    summed_over = not where
    parts = period_parts(filters.start, filters.end)

    def summed(columns: tuple, metrics: tuple[str, ...], grain: str, parts=parts) -> dict:
        out: dict = defaultdict(int)
        for months, first, last in parts:
            for *key, n in db.session.execute(
                    select(*columns, func.sum(StatCell.count))
                    .where(StatCell.grain == (grain if summed_over else ""), StatCell.metric.in_(metrics),
                           StatCell.months == months, StatCell.month >= first, StatCell.month <= last, *where)
                    .group_by(*columns)):
                out[key[0] if len(key) == 1 else tuple(key)] += int(n)
        return dict(out)

    figures = Figures()
    figures.totals = summed((StatCell.metric, StatCell.key), tuple(METRICS), "whole")
    figures.monthly = summed((StatCell.metric, StatCell.month), ("concern", "case_opened"), "whole",
                             parts=[(1, date(1900, 1, 1), date(9999, 12, 1))])
    figures.by_age = summed((StatCell.age_group,), ("concern",), "age")
    figures.by_level = summed((StatCell.level, StatCell.key), ("services",), "level")
    return figures


def last_run() -> StatRun | None:
    return db.session.scalar(select(StatRun).order_by(StatRun.id.desc()).limit(1))


# -- pure statistics ------------------------------------------------------------------------------------------


def percentile(histogram: dict[int, int], share: float) -> int | None:
    """The nearest-rank percentile (0 < share ≤ 1) of a histogram value -> count; None when empty."""
    n = sum(histogram.values())
    if n == 0:
        return None
    rank = max(1, -(-int(share * n * 1000) // 1000))  # ceil(share × n) without float surprises
    seen = 0
    for value in sorted(histogram):
        seen += histogram[value]
        if seen >= rank:
            return value
    return None


def ints(counts: dict[str, int]) -> dict[int, int]:
    return {int(k): n for k, n in counts.items()}


# -- tables ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    """A published value: `value` None when hidden; `text` as shown ("12", "< 5", "x", "43 %")."""

    value: int | float | None
    text: str
    hidden: str = ""  # "" | PRIMARY | SECONDARY


@dataclass(frozen=True)
class Row:
    label: str
    cells: tuple[Cell, ...]
    total: bool = False


@dataclass(frozen=True)
class Table:
    """One published table: also what the chart, the exports and the PDF show."""

    key: str
    title: str
    columns: tuple[str, ...]
    rows: tuple[Row, ...]
    summary: str
    chart: str = "bar"  # bar | line | hbar | none
    chart_column: int = 0  # which column the chart plots


def _number(n: int | float) -> str:
    if isinstance(n, float):
        return f"{n:.1f}".replace(".", ",")
    return f"{n:,}".replace(",", "\u00a0")


ROUNDING = 5  # every published count is rounded to a multiple of this (docs/statistics.md)


def published(n: int) -> int:
    """A count as published: rounded to the nearest multiple of ROUNDING (halves up), each on its own.

    Two published figures then tell a difference only to within ±(ROUNDING − 1): never one value of a cell
    hidden as "< 5" (tests/stats/test_stats_subtraction.py tries every pair offered)."""
    return (n + ROUNDING // 2) // ROUNDING * ROUNDING


def counted_cell(n: int) -> Cell:
    """A shown count: the rounded value, and its text."""
    return Cell(published(n), _number(published(n)))


def shown(value: int, hidden: str, threshold: int) -> Cell:
    if hidden == PRIMARY:
        return Cell(None, f"< {threshold}", PRIMARY)
    if hidden == SECONDARY:
        return Cell(None, "x", SECONDARY)
    return counted_cell(value)


def count_table(key: str, title: str, column: str, labelled: list[tuple[str, int]], threshold: int,
                chart: str = "bar", total_label: str | None = None) -> Table:
    """Counts per category with their total, suppressed as one line."""
    values = [n for _label, n in labelled]
    line = suppress_line(values, threshold)
    rows = [Row(label, (shown(n, line.hidden.get(i, ""), threshold),)) for i, (label, n) in enumerate(labelled)]
    total = sum(values)
    total_cell = Cell(None, "x", SECONDARY) if line.total_hidden else counted_cell(total)
    if line.total_hidden and total < threshold:
        total_cell = Cell(None, f"< {threshold}", PRIMARY)
    rows.append(Row(total_label or _("I alt"), (total_cell,), total=True))
    return Table(key, title, (column,), tuple(rows), _count_summary(rows, threshold), chart)


def _count_summary(rows: list[Row], threshold: int) -> str:
    total = rows[-1].cells[0]
    if total.value is None:
        return _("Tallene er for små til å vises (færre enn %(n)s).", n=threshold)
    parts = [_("%(total)s i alt.", total=total.text)]
    visible = [r for r in rows[:-1] if r.cells[0].value is not None]
    if visible:
        top = max(visible, key=lambda r: r.cells[0].value)
        parts.append(_("Flest: %(label)s (%(value)s).", label=top.label, value=top.cells[0].text))
    hidden = sum(1 for r in rows[:-1] if r.cells[0].value is None)
    if hidden:
        parts.append(_("%(n)s tall er skjult for å beskytte små grupper.", n=hidden))
    return " ".join(parts)


def share_row(label: str, part: int, whole: int, threshold: int) -> Row:
    """"Part of whole" as count, total and share; hidden so neither part nor remainder can be small."""
    line = suppress_share(part, whole, threshold)
    part_cell = shown(part, line.hidden.get(0, ""), threshold)
    if line.total_hidden:
        whole_cell = Cell(None, f"< {threshold}", PRIMARY) if whole < threshold else Cell(None, "x", SECONDARY)
    else:
        whole_cell = counted_cell(whole)
    if part_cell.value is None or whole_cell.value is None or line.hidden:
        share_cell = Cell(None, "x", SECONDARY)
    else:  # from the published counts: the share tells nothing they do not
        pct = round(100 * part_cell.value / whole_cell.value)
        share_cell = Cell(pct, f"{pct}\u00a0%")
    return Row(label, (part_cell, whole_cell, share_cell))


def share_table(key: str, title: str, rows: list[Row]) -> Table:
    columns = (_("Antall"), _("Av"), _("Andel"))
    visible = [r for r in rows if r.cells[2].value is not None]
    if visible:
        summary = " ".join(_("%(label)s: %(share)s.", label=r.label, share=r.cells[2].text) for r in visible)
    else:
        summary = _("Tallene er for små til å vise andeler.")
    return Table(key, title, columns, tuple(rows), summary, "hbar", chart_column=2)


def duration_row(label: str, histogram: dict[int, int], deadline: int | None, threshold: int) -> Row:
    """n, median and 90th percentile in days, the deadline, and the share within it (hidden when n is small)."""
    n = sum(histogram.values())
    dash = Cell(None, "–")
    if n < threshold:
        return Row(label, (Cell(None, f"< {threshold}", PRIMARY), dash, dash,
                           Cell(deadline, str(deadline)) if deadline else dash, dash))
    median, p90 = percentile(histogram, 0.5), percentile(histogram, 0.9)
    cells = [counted_cell(n), Cell(median, days_text(median)), Cell(p90, days_text(p90))]
    if deadline is None:
        return Row(label, (*cells, dash, dash))
    within = sum(c for d, c in histogram.items() if d <= deadline)
    share = share_row(label, within, n, threshold).cells[2]
    return Row(label, (*cells, Cell(deadline, str(deadline)), share))


def days_text(days: int) -> str:
    """Days as the summary knows them: exact up to two months, then the band ("61–90", "over 365")."""
    from tik.stats.refresh import DAYS_BANDS, DAYS_EXACT

    if days <= DAYS_EXACT:
        return _number(days)
    lower = DAYS_EXACT
    for upper in DAYS_BANDS:
        if days <= upper:
            return f"{lower + 1}–{upper}"
        lower = upper
    return _("over %(n)s", n=DAYS_BANDS[-1])


DURATION_COLUMNS = (_l("Antall"), _l("Median (dager)"), _l("90-persentil (dager)"), _l("Frist (dager)"),
                    _l("Innen fristen"))


# -- labels ----------------------------------------------------------------------------------------------------

SIGNAL_CATEGORIES = {
    "emotion": _l("Følelser og atferd"), "physical": _l("Fysiske tegn"), "school": _l("Skole og læring"),
    "social": _l("Venner og sosialt"), "home": _l("Hjemmet"), "development": _l("Utvikling"),
    "substance": _l("Rus"), "online": _l("Nett"), "other": _l("Annet"), "none": _l("Ingen tegn valgt"),
}
GOAL_REACHED = {"yes": _l("Ja"), "partly": _l("Delvis"), "no": _l("Nei")}
HANDOVER_STATUS = {"accepted": _l("Akseptert"), "declined": _l("Avslått"), "pending": _l("Venter på svar"),
                   "withdrawn": _l("Trukket tilbake")}


def level_label(level: int | str) -> str:
    return _("Nivå %(n)s", n=level)


def closing_label(guide: Guide, key: str, lang: str) -> str:
    """The guidebook's own words for the decision that closed a case ("step:decision")."""
    step_id, _sep, decision = key.partition(":")
    step = guide.steps.get(step_id)
    options = (step.decisions if step else ()) + guide.hard_stops
    found = next((d for d in options if d.key == decision), None)
    return found.label.get(lang) if found else key


# -- the page -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    intro: str
    tables: tuple[Table, ...]


def months_between(start: date, end: date) -> list[date]:
    out, day = [], start
    while day <= end:
        out.append(day)
        day = date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return out


def sections(figures: Figures, filters: Filters, guide: Guide, threshold: int, lang: str) -> list[Section]:
    """Every indicator of the page, grouped by the programme's principles, suppressed and ready to show."""
    t = threshold

    def counted(metric: str, labels: dict[str, str], keep_order: bool = True) -> list[tuple[str, int]]:
        counts = figures.of(metric)
        keys = list(labels) if keep_order else sorted(counts)
        keys += [k for k in sorted(counts) if k not in labels]
        return [(str(labels.get(k, k)), counts.get(k, 0)) for k in keys if k in labels or counts.get(k)]

    # early
    months = months_between(filters.start, filters.end)
    per_month = [(f"{m:%m.%Y}", figures.monthly.get(("concern", m), 0)) for m in months]
    age_labels = {g.key: g.title.get(lang) for g in guide.age_groups}
    early = Section("early", _("Tidlig innsats"), _("Når og for hvem bekymringene kommer, og hvor sakene ender."), (
        count_table("concerns_month", _("Bekymringer per måned"), _("Bekymringer"), per_month, t, chart="line"),
        count_table("concerns_age", _("Bekymringer etter aldersgruppe"), _("Bekymringer"),
                    [(label, figures.by_age.get(k, 0)) for k, label in age_labels.items()], t),
        _signal_table(figures, t),
        count_table("end_level", _("Avsluttede saker etter nivået de endte på"), _("Saker"),
                    [(level_label(lv), figures.of("end_level").get(str(lv), 0)) for lv in range(4)], t),
        count_table("first_age", _("Alder ved første bekymring"), _("Barn"),
                    _age_bands(figures.of("first_age")), t),
    ))

    # accessible
    deadline = next((s.time_frame_days for s in guide.level(0).steps if s.time_frame_days), None)
    rows = (duration_row(_("Første samtale med barnet"), ints(figures.of("days_child")), deadline, t),
            duration_row(_("Første samtale med foreldrene"), ints(figures.of("days_parents")), deadline, t),
            duration_row(_("Beslutning på nivå 0"), ints(figures.of("days_decision")), deadline, t))
    accessible = Section("accessible", _("Tilgjengelighet"),
                         _("Dager fra bekymringen er registrert, målt mot veilederens frist på nivå 0."), (
        Table("durations", _("Dager fra bekymring"), tuple(str(c) for c in DURATION_COLUMNS), rows,
              _duration_summary(rows), "bar", chart_column=1),))

    # interdisciplinary and cooperation
    services = ints(figures.of("services"))
    bands = [(_("1 tjeneste"), services.get(1, 0)), (_("2 tjenester"), services.get(2, 0)),
             (_("3 tjenester"), services.get(3, 0)),
             (_("4 eller flere"), sum(n for k, n in services.items() if k >= 4))]
    joint = figures.of("joint_meeting")
    handover_days = ints(figures.of("handover_days"))
    cooperation = Section("cooperation", _("Tverrfaglighet og samhandling"),
                          _("Hvor mange tjenester som er med i sakene, felles møter og stafettoverføringer."), (
        count_table("services", _("Tjenester per sak"), _("Saker"), bands, t),
        _services_by_level(figures, t),
        share_table("joint_meeting", _("Saker på nivå 2 og 3 med felles møte"), [
            share_row(_("Med felles møte"), joint.get("yes", 0), joint.get("yes", 0) + joint.get("no", 0), t)]),
        count_table("handovers", _("Stafettoverføringer"), _("Overføringer"),
                    counted("handover", {k: str(v) for k, v in HANDOVER_STATUS.items()}), t),
        Table("handover_days", _("Dager til stafetten ble tatt imot"), tuple(str(c) for c in DURATION_COLUMNS),
              (duration_row(_("Aksepterte overføringer"), handover_days, None, t),),
              _duration_summary([duration_row("", handover_days, None, t)]), "none"),
    ))

    # user involvement
    def yes_no(metric: str, label: str) -> Row:
        counts = figures.of(metric)
        return share_row(label, counts.get("yes", 0), counts.get("yes", 0) + counts.get("no", 0), t)

    involvement = Section("involvement", _("Brukermedvirkning"),
                          _("Om barnets og foreldrenes egne ord er med i planer og evalueringer."), (
        share_table("voices", _("Barnets og foreldrenes stemme"), [
            yes_no("plan_child", _("Planer med barnets egne ord")),
            yes_no("plan_parents", _("Planer med foreldrenes ord")),
            yes_no("eval_child", _("Evalueringer med barnets opplevelse")),
            yes_no("eval_parents", _("Evalueringer med foreldrenes ord")),
            yes_no("consent_young", _("Samtykker gitt av ungdommen selv (fra samtykkealder)")),
        ]),
    ))

    # mastery
    mastery = Section("mastery", _("Mestring"), _("Om målene nås, og hva som avsluttet sakene."), (
        count_table("goals", _("Evalueringer: er målet nådd?"), _("Evalueringer"),
                    [(str(label), figures.of("eval_goal").get(k, 0)) for k, label in GOAL_REACHED.items()], t),
        count_table("closing", _("Hva avsluttet saken"), _("Saker"),
                    [(closing_label(guide, k, lang), n) for k, n in sorted(figures.of("closing").items())], t,
                    chart="hbar"),
    ))

    # measures
    area_labels = {a.key: a.title.get(lang) for a in guide.measure_areas} | {"other": _("Annet (ikke fra katalogen)")}
    service_labels = {k: s.name.get(lang) for k, s in guide.services.items()}
    measures = Section("measures", _("Tiltak"), _("Tiltak i planene etter innsatsområde og tjeneste."), (
        count_table("measure_area", _("Tiltak etter innsatsområde"), _("Tiltak"),
                    counted("measure_area", area_labels), t, chart="hbar"),
        count_table("measure_service", _("Tiltak etter tjeneste"), _("Tiltak"),
                    [(service_labels.get(k, k), n) for k, n in sorted(figures.of("measure_service").items())], t,
                    chart="hbar"),
    ))
    return _linked([early, accessible, cooperation, involvement, mastery, measures], t)


# Tables that count the same things broken down two ways, so they publish the same total.
LINKED = (("concerns_month", "concerns_age"), ("end_level", "closing"), ("services", "services_level"),
          ("measure_area", "measure_service"))


def _linked(section_list: list[Section], threshold: int) -> list[Section]:
    """If one table of a linked pair had to hide its total, the other would give it away: hide both whole.

    A table hides its total only when every count in it is hidden and one would still be pinned, i.e.
    when the whole population is tiny; then nothing of that population is published."""
    tables = {t.key: t for s in section_list for t in s.tables}
    hide = {key for group in LINKED if any(_total_hidden(tables.get(k)) for k in group) for key in group}
    if not hide:
        return section_list
    return [Section(s.key, s.title, s.intro, tuple(_hidden_whole(t, threshold) if t.key in hide else t
                                                  for t in s.tables)) for s in section_list]


def _total_hidden(table: Table | None) -> bool:
    return bool(table and table.rows and table.rows[-1].total and table.rows[-1].cells[0].value is None)


def _hidden_whole(table: Table, threshold: int) -> Table:
    def cell(c: Cell) -> Cell:
        if c.hidden or c.value is None:
            return c if c.hidden else Cell(None, c.text)
        return Cell(None, f"< {threshold}", PRIMARY) if c.value < threshold else Cell(None, "x", SECONDARY)

    rows = tuple(Row(r.label, tuple(cell(c) for c in r.cells), r.total) for r in table.rows)
    return Table(table.key, table.title, table.columns, rows,
                 _("Tallene er for små til å vises (færre enn %(n)s).", n=threshold), table.chart, table.chart_column)


def _signal_table(figures: Figures, t: int) -> Table:
    """Concerns per signal category. A concern can name several categories, so these do not add up:
    each count is protected on its own, and no total is published."""
    counts = figures.of("concern_signal")
    keys = [k for k in SIGNAL_CATEGORIES if k in counts] + sorted(k for k in counts if k not in SIGNAL_CATEGORIES)
    rows = tuple(Row(str(SIGNAL_CATEGORIES.get(k, k)), (shown(counts[k], PRIMARY if counts[k] < t else "", t),))
                 for k in keys)
    visible = [r for r in rows if r.cells[0].value is not None]
    summary = (_("Flest bekymringer nevner %(label)s (%(value)s). En bekymring kan nevne flere kategorier.",
                 label=max(visible, key=lambda r: r.cells[0].value).label,
                 value=max(visible, key=lambda r: r.cells[0].value).cells[0].text)
               if visible else _("Tallene er for små til å vises (færre enn %(n)s).", n=t))
    return Table("concerns_signal", _("Bekymringer etter kategori av tegn og signaler"), (_("Bekymringer"),), rows,
                 summary, "hbar")


def _age_bands(bands: dict[str, int]) -> list[tuple[str, int]]:
    from tik.stats.refresh import AGE_BANDS

    out = [(f"{lo}–{hi} " + _("år"), bands.get(f"{lo}-{hi}", 0)) for lo, hi in AGE_BANDS]
    return out + ([(_("over 24 år"), bands["25+"])] if bands.get("25+") else [])


def _services_by_level(figures: Figures, t: int) -> Table:
    """Cases and the average number of services in them, per level and in all (cases protected as one line)."""
    per_level = {lv: {int(k): n for (lev, k), n in figures.by_level.items() if lev == lv} for lv in range(4)}
    counts = [sum(per_level[lv].values()) for lv in range(4)]
    line = suppress_line(counts, t)

    def average(counted: dict[int, int], n_cell: Cell) -> Cell:
        n = sum(counted.values())
        if n_cell.value is None or n == 0:
            return Cell(None, "–")
        value = round(sum(k * c for k, c in counted.items()) / n, 1)
        return Cell(value, _number(value))

    rows = []
    for lv in range(4):
        n_cell = shown(counts[lv], line.hidden.get(lv, ""), t)
        rows.append(Row(level_label(lv), (n_cell, average(per_level[lv], n_cell))))
    total = sum(counts)
    if line.total_hidden:
        total_cell = Cell(None, f"< {t}", PRIMARY) if total < t else Cell(None, "x", SECONDARY)
    else:
        total_cell = counted_cell(total)
    everything: dict[int, int] = defaultdict(int)
    for counted in per_level.values():
        for k, c in counted.items():
            everything[k] += c
    rows.append(Row(_("I alt"), (total_cell, average(everything, total_cell)), total=True))
    visible = [r for r in rows[:-1] if r.cells[1].value is not None]
    summary = " ".join(_("%(label)s: %(value)s tjenester per sak i snitt.", label=r.label, value=r.cells[1].text)
                       for r in visible) or _("Tallene er for små til å vises (færre enn %(n)s).", n=t)
    return Table("services_level", _("Tjenester per sak etter nivå"), (_("Saker"), _("Tjenester i snitt")),
                 tuple(rows), summary, "bar", chart_column=1)


def _duration_summary(rows) -> str:
    parts = []
    for row in rows:
        n, median, _p90, _deadline, within = row.cells
        if median.value is None:
            continue
        text = _("median %(median)s dager", median=median.text)
        if within.value is not None:
            text += ", " + _("%(share)s innen fristen", share=within.text)
        parts.append(f"{row.label}: {text}." if row.label else text[:1].upper() + text[1:] + ".")
    return " ".join(parts) or _("For få saker til å beregne ventetider.")


def survey_section(survey: list, figures: Figures, threshold: int) -> Section | None:
    """The youth survey's indicators per year beside TIK's own concerns and new cases in those years."""
    if not survey:
        return None
    years = sorted({v.year for v in survey})
    rows = []
    for indicator in dict.fromkeys(v.indicator for v in survey):
        by_year = {v.year: v.value for v in survey if v.indicator == indicator}
        rows.append(Row(indicator, tuple(
            Cell(by_year[y], _number(float(by_year[y])) + "\u00a0%") if y in by_year else Cell(None, "–")
            for y in years)))
    for metric, label in (("concern", _("Bekymringer i TIK")), ("case_opened", _("Nye saker i TIK"))):
        per_year = {y: sum(n for (m, mo), n in figures.monthly.items() if m == metric and mo.year == y)
                    for y in years}
        rows.append(Row(label, tuple(shown(per_year[y], PRIMARY if per_year[y] < threshold else "", threshold)
                                     for y in years)))
    summary = _("Ungdomsundersøkelsens andeler (prosent av de som svarte) for %(years)s, ved siden av antall "
                "bekymringer og nye saker i TIK de samme årene.", years=", ".join(str(y) for y in years))
    table = Table("survey", _("Ungdomsundersøkelsen og TIK"), tuple(str(y) for y in years), tuple(rows), summary,
                  "none")
    return Section("survey", _("Ungdomsundersøkelsen ved siden av praksis"),
                   _("Tall fra ungdomsundersøkelsen kommunen har importert, og TIKs egne tall for samme år."),
                   (table,))
