"""The statistics page, its exports, the yearly report and the survey import. Leaders and analysts only."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, current_app, flash, make_response, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from tik.audit.service import record_view
from tik.auth.models import Role
from tik.auth.policy import requires
from tik.clock import today
from tik.extensions import db, interface_language
from tik.forms import error_list
from tik.guidebook import current_guide
from tik.municipalities import current_municipality
from tik.org.models import Unit
from tik.plans.pdf import render_pdf
from tik.stats import charts, exports, service, survey, youth
from tik.stats.forms import FilterForm, ReportForm, SurveyForm, parse_month
from tik.web import pdf_response

bp = Blueprint("stats", __name__, url_prefix="/statistikk")


def _scope() -> service.Scope:
    scope = service.scope_for(current_user)
    if scope is None:
        abort(404)
    return scope


def _filters(scope: service.Scope) -> tuple[FilterForm, service.Filters, bool]:
    """The filter form from the query string, and the filters it means (defaults: the last twelve months)."""
    guide = current_guide()
    lang = interface_language()
    form = FilterForm(request.args)
    if scope.whole:
        form.tjeneste.choices = [("", _("Alle"))] + [(k, s.name.get(lang)) for k, s in guide.services.items()]
        form.enhet.choices = [("", _("Alle"))] + [(str(u.id), u.name) for u in db.session.scalars(
            select(Unit).order_by(Unit.name))]
    else:  # a leader's figures are their unit's: nothing to choose
        del form.tjeneste
        del form.enhet
    form.aldersgruppe.choices = [("", _("Alle"))] + [(g.key, g.title.get(lang)) for g in guide.age_groups]
    form.niva.choices = [("", _("Alle"))] + [(str(lv), service.level_label(lv)) for lv in range(4)]
    valid = form.validate() if request.args else True
    start, end = _period(form, valid)
    pick = (lambda f: f.data or None) if valid else (lambda f: None)
    level = pick(form.niva)
    unit = pick(form.enhet) if scope.whole else None
    filters = service.Filters(start=start, end=end, service=pick(form.tjeneste) if scope.whole else None,
                              unit_id=int(unit) if unit else None, age_group=pick(form.aldersgruppe),
                              level=int(level) if level else None)
    return form, filters, valid


def _period(form: FilterForm, valid: bool) -> tuple[date, date]:
    """The period asked for: a whole month, quarter or year (FilterForm refuses any other); one month when
    only one end is given; else this calendar year."""
    start = parse_month(form.fra.data or "") if valid else None
    end = parse_month(form.til.data or "") if valid else None
    if start or end:
        return start or end, end or start
    year = today().year
    return date(year, 1, 1), date(year, 12, 1)


def _sections(filters: service.Filters, scope: service.Scope) -> list[service.Section]:
    figures = service.read(filters, scope)
    threshold = current_app.config["TIK_STATS_MIN_CELL"]
    out = service.sections(figures, filters, current_guide(), threshold, interface_language())
    extra = [service.survey_section(survey.values(), figures, threshold),
             youth.youth_section(filters, scope, threshold)]
    return out + [section for section in extra if section]


def _heading(filters: service.Filters) -> str:
    return _("Statistikk for %(municipality)s, %(start)s–%(end)s", municipality=current_municipality().name,
             start=f"{filters.start:%m.%Y}", end=f"{filters.end:%m.%Y}")


@bp.get("/")
@requires(Role.LEADER, Role.ANALYST)
def index():
    scope = _scope()
    form, filters, valid = _filters(scope)
    sections = _sections(filters, scope)
    figures_charts = {t.key: charts.chart_svg(t) for s in sections for t in s.tables}
    record_view(current_user, "stats.view", detail=filters.describe())
    response = render_template("stats/index.html", form=form, errors=error_list(form), sections=sections,
                               charts={k: charts.data_uri(v) for k, v in figures_charts.items() if v},
                               filters=filters, scope=scope, run=service.last_run(), heading=_heading(filters),
                               cooperation=service.cooperation_for(current_user),
                               threshold=current_app.config["TIK_STATS_MIN_CELL"], query=request.query_string.decode(),
                               this_year=today().year)
    return response, 200 if valid else 422


@bp.get("/samarbeid")
@requires(Role.LEADER)
def cooperation():
    """An inter-municipal unit's figures across its municipalities, for that unit's leaders only (404 for
    everyone else): counts of the cases it owns in each, summed, then suppressed and rounded as on the page
    above; the same whole months, quarters and years only."""
    together = service.cooperation_for(current_user)
    if together is None:
        abort(404)
    scope = service.Scope(whole=False, unit_id=together.unit_id)
    form, filters, valid = _filters(scope)
    threshold = current_app.config["TIK_STATS_MIN_CELL"]
    sections = service.sections(service.read_cooperation(filters, together), filters, current_guide(), threshold,
                                interface_language())
    figures_charts = {t.key: charts.chart_svg(t) for s in sections for t in s.tables}
    record_view(current_user, "stats.cooperation", detail=f"unit={together.unit_id} {filters.describe()}")
    heading = _("%(municipalities)s, %(start)s–%(end)s", municipalities=together.names(),
                start=f"{filters.start:%m.%Y}", end=f"{filters.end:%m.%Y}")
    return render_template("stats/cooperation.html", form=form, errors=error_list(form), sections=sections,
                           charts={k: charts.data_uri(v) for k, v in figures_charts.items() if v},
                           cooperation=together, heading=heading, threshold=threshold), 200 if valid else 422


@bp.get("/eksport.csv", endpoint="export_csv", defaults={"kind": "csv"})
@bp.get("/eksport.xlsx", endpoint="export_xlsx", defaults={"kind": "xlsx"})
@requires(Role.LEADER, Role.ANALYST)
def export(kind: str):
    scope = _scope()
    _form, filters, _valid = _filters(scope)
    sections = _sections(filters, scope)
    heading = _heading(filters)
    if kind == "csv":
        data, mime = exports.to_csv(sections, heading), "text/csv; charset=utf-8"
    else:
        data, mime = exports.to_xlsx(sections, heading), \
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    record_view(current_user, "stats.export", detail=f"{kind} {filters.describe()}")
    response = make_response(data)
    response.headers["Content-Type"] = mime
    response.headers["Content-Disposition"] = (
        f'attachment; filename="tik-statistikk-{filters.start:%Y-%m}-{filters.end:%Y-%m}.{kind}"')
    return response


@bp.get("/arsrapport.pdf")
@requires(Role.LEADER, Role.ANALYST)
def report():
    """The yearly report for the municipal council: the same tables and charts for one calendar year."""
    scope = _scope()
    form = ReportForm(request.args)
    if not form.validate():
        abort(404)
    year = form.ar.data
    filters = service.Filters(start=date(year, 1, 1), end=date(year, 12, 1))
    sections = _sections(filters, scope)
    svgs = {t.key: charts.chart_svg(t) for s in sections for t in s.tables}
    with force_locale(interface_language()):
        html = render_template("stats/report.html", sections=sections, charts=svgs, year=year, scope=scope,
                               run=service.last_run(), threshold=current_app.config["TIK_STATS_MIN_CELL"],
                               today=today(), heading=_heading(filters))
    record_view(current_user, "stats.report", detail=f"year={year} {filters.describe()}")
    return pdf_response(f"tik-arsrapport-{year}.pdf", render_pdf(html))


@bp.route("/undersokelse", methods=["GET", "POST"])
@requires(Role.ANALYST)
def survey_import():
    """Import a youth survey's aggregated figures (analysts: they hold the municipality's numbers)."""
    form = SurveyForm()
    problems: list[str] = []
    if form.validate_on_submit():
        try:
            rows = survey.parse(form.fil.data.read())
        except survey.SurveyRefused as refused:
            problems = [str(p) for p in refused.problems]
        else:
            count = survey.store(rows, by=current_user)
            flash(_("%(n)s tall fra ungdomsundersøkelsen er lagret.", n=count))
            return redirect(url_for("stats.index"))
    status = 422 if request.method == "POST" else 200
    return render_template("stats/survey.html", form=form, errors=error_list(form), problems=problems,
                           values=survey.values()), status
