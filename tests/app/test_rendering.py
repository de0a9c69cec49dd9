"""The shortcuts the page rendering takes say exactly what the slow way says: dates as Babel writes them,
translations as flask-babel's callables give them, attributes isolated as before."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from flask import render_template_string
from flask_babel import force_locale, format_date, format_datetime

from tik.web import _date, _datetime

# Both sides of the summer-time changes in Oslo, midnight UTC (the day before in no time zone), a leap day.
MOMENTS = [datetime(2026, 3, 29, 0, 59), datetime(2026, 3, 29, 1, 0), datetime(2026, 10, 25, 0, 59),
           datetime(2026, 10, 25, 1, 0), datetime(2026, 12, 31, 23, 30), datetime(2028, 2, 29, 22, 5),
           datetime(1999, 1, 1, 0, 0, 59)] + [datetime(2026, 1, 1) + timedelta(hours=7 * i) for i in range(60)]


@pytest.mark.parametrize("lang", ["nb", "nn", "en"])
def test_dates_on_pages_are_written_as_babel_writes_them(app, lang):
    with app.test_request_context("/"), force_locale(lang):
        for moment in MOMENTS:
            assert _datetime(moment) == format_datetime(moment, "dd.MM.yyyy HH:mm")
            assert _date(moment) == format_date(moment, "dd.MM.yyyy")
            assert _date(moment.date()) == format_date(moment.date(), "dd.MM.yyyy")
        assert _date(date(2026, 11, 20), "d. MMMM yyyy") == format_date(date(2026, 11, 20), "d. MMMM yyyy")
        assert _datetime(datetime(2026, 6, 30, 22, 15)) == "01.07.2026 00:15"  # summer time: UTC+2
        assert _date(None) == _datetime(None) == ""


TRANSLATED = """{{ _("Samtykket er registrert.") }}|{{ _("%(n)s år", n=12) }}|{{ _("Fjern %(name)s", name=who) }}
|{% trans %}Hopp til hovedinnhold{% endtrans %}|{% trans n=count %}ett barn{% pluralize %}{{ n }} barn{% endtrans %}
|{{ ngettext("%(num)d sak", "%(num)d saker", count) }}|{{ _("%(string)s", string="ord") }}
|{{ _("<em>%(name)s</em>", name=who) }}"""


@pytest.mark.parametrize("lang", ["nb", "nn", "en"])
def test_a_page_translates_as_flask_babel_does(app, lang):
    """Pages bind `_` to the request's catalogue once (tik.web.translations_for_render); a template rendered
    without Flask's context (no context processor) uses flask-babel's callables: the same text comes out."""
    with app.test_request_context("/"), force_locale(lang):
        for count in (1, 3):
            bound = render_template_string(TRANSLATED, who="<b>Kari</b>", count=count)
            plain = app.jinja_env.from_string(TRANSLATED).render(who="<b>Kari</b>", count=count)
            assert bound == plain
            assert "<em>&lt;b&gt;Kari&lt;/b&gt;</em>" in bound and "<b>" not in bound  # the text trusted, not the name
        assert ("Hopp til hovedinnhold" in bound) is (lang == "nb") and "3 barn" in bound
