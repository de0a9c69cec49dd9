"""One time rule: times are stored in UTC, dates are the municipality's (Europe/Oslo), and every page, print,
letter, calendar file and archive print shows the local wall-clock time through tik.dates."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from flows import TO_LEVEL2
from lifecycle_support import close, rich_case
from support import pdf_text

from tik import clock
from tik.auth.models import Role
from tik.cases.participants import invite_participant
from tik.cases.steps import decide
from tik.dates import show_date, show_datetime, show_time
from tik.letter_texts import letter_languages
from tik.lifecycle.archive import print_archive
from tik.meetings import service as meetings
from tik.plans.letter import letter_html
from tik.plans.service import plan_of

OSLO = clock.zone()
WINTER, SUMMER = date(2026, 12, 10), date(2027, 6, 10)  # either side of the change to summer time (28 March)


def oslo(day: date, hour: int, minute: int) -> datetime:
    """A wall-clock moment in Oslo as the aware time clock.travel takes."""
    return datetime.combine(day, time(hour, minute), tzinfo=OSLO)


def test_today_is_the_oslo_date_not_the_utc_date():
    clock.travel(oslo(WINTER, 0, 30))  # 23:30 UTC the day before
    assert clock.now().date() == WINTER - timedelta(days=1) and clock.today() == WINTER
    clock.travel(oslo(SUMMER, 1, 30))  # 23:30 UTC the day before
    assert clock.now().date() == SUMMER - timedelta(days=1) and clock.today() == SUMMER


@pytest.mark.parametrize("last_day", [WINTER, SUMMER], ids=["winter", "summer"])
def test_a_consent_gives_access_until_midnight_in_oslo_on_its_last_day(client, login, make_user, make_case,
                                                                       give_consent, make_measure, last_day):
    holder = make_user("holder", roles=[Role.EMPLOYEE, Role.COORDINATOR], service="school")
    nurse = make_user("nurse", service="health-nurse")
    case = make_case(by=holder, first_name="Emil")
    give_consent(case, holder, ["health-nurse"], days=(last_day - clock.today()).days)
    assert case.consents[0].expires_on == last_day
    for decision, values in TO_LEVEL2:
        decide(case, decision, values, by=holder)
    make_measure(case, holder)
    invite_participant(case, nurse, holder)
    pages = [f"/saker/{case.ref}", f"/saker/{case.ref}/plan.pdf"]

    clock.travel(oslo(last_day, 23, 59))
    login(nurse)
    assert [client.get(url).status_code for url in pages] == [200, 200]
    clock.travel(oslo(last_day + timedelta(days=1), 0, 1))  # still `last_day` in UTC
    assert clock.now().date() == last_day
    login(nurse)
    assert [client.get(url).status_code for url in pages] == [404, 404]


@pytest.fixture(params=[WINTER, SUMMER], ids=["winter", "summer"])
def meeting_day(request):
    return request.param


@pytest.fixture
def meeting_case(app, make_user, make_case, make_measure, meeting_day):
    """A case with a plan and a network meeting at 14:00 Oslo time on `meeting_day`."""
    from tik.concerns.service import GuardianInput

    holder = make_user("holder", roles=[Role.EMPLOYEE, Role.COORDINATOR], name="Holder Hansen")
    case = make_case(by=holder, guardians=[GuardianInput("Anna Nowak", "mor", "", "pl")])
    make_measure(case, holder)
    starts = clock.local_to_utc(datetime.combine(meeting_day, time(14, 0)))
    assert starts.hour == (13 if meeting_day == WINTER else 12)  # stored in UTC
    with app.test_request_context():
        meetings.create_meeting(holder, title="Ansvarsgruppe", starts_at=starts, case=case, place="Rom 2")
    return case, holder


def test_the_meeting_prints_at_14_in_every_letter_language(meeting_case, meeting_day):
    case, _ = meeting_case
    for lang in letter_languages():
        html = letter_html(case, plan_of(case), lang)
        assert "14:00" in html, lang
        assert "13:00" not in html and "12:00" not in html, lang


def test_the_meeting_prints_at_14_on_the_staff_pdf_and_the_polish_letter_pdf(client, login, meeting_case,
                                                                             meeting_day):
    case, holder = meeting_case
    login(holder)
    staff = pdf_text(client.get(f"/saker/{case.ref}/plan.pdf").data)
    assert f"{meeting_day:%d.%m.%Y} 14:00" in staff
    polish = pdf_text(client.get(f"/saker/{case.ref}/plan.pdf?versjon=familie&lang=pl").data)
    assert "14:00" in polish and "13:00" not in polish and "12:00" not in polish


def test_the_calendar_file_says_14_oslo_time(client, login, meeting_case, meeting_day):
    _, holder = meeting_case
    login(holder)
    data = client.get("/min-side/kalender.ics").data
    assert f"DTSTART;TZID=Europe/Oslo:{meeting_day:%Y%m%d}T140000".encode() in data


def test_the_archive_print_says_14_in_local_time(app, make_case, make_user, give_consent, meeting_day):
    case, holder, *_ = rich_case(make_case, make_user, give_consent)
    with app.test_request_context():
        meetings.create_meeting(holder, title="Oppfølging", case=case,
                                starts_at=clock.local_to_utc(datetime.combine(meeting_day, time(14, 0))))
    close(case, holder)
    text = pdf_text(print_archive(case, holder).pdf)
    assert f"Oppfølging · {meeting_day:%d.%m.%Y} 14:00" in text
    assert "(UTC)" not in text and "lokal tid (Europe/Oslo)" in text


def test_one_formatting_path_shows_local_time_in_the_readers_language():
    winter, summer = datetime(2026, 12, 10, 13, 0), datetime(2027, 6, 10, 12, 0)  # both 14:00 in Oslo
    assert show_time(winter) == show_time(summer, "ar") == "14:00"
    assert show_datetime(winter, "en") == "10.12.2026 14:00"
    assert show_date(datetime(2026, 12, 9, 23, 30)) == "10.12.2026"  # 00:30 the next day in Oslo
    assert show_date(date(2027, 1, 15), "pl", "long") == "15 stycznia 2027"
    assert show_datetime("2027-06-10T12:00:00") == "10.06.2027 14:00"  # exported rows carry ISO text


def test_the_time_zone_is_configurable_and_an_unknown_one_stops_the_start():
    from tik.config import ConfigError, local_timezone, settings_from_env

    assert local_timezone({}) == "Europe/Oslo"
    assert settings_from_env({"TIK_TIMEZONE": "America/Nuuk"})["BABEL_DEFAULT_TIMEZONE"] == "America/Nuuk"
    with pytest.raises(ConfigError, match="TIK_TIMEZONE"):
        settings_from_env({"TIK_TIMEZONE": "Fjordvik/Sentrum"})


# -- a time zone per municipality (municipalities.yaml `timezone`) --------------------------------------------

NOW = datetime(2026, 12, 10, 3, 30)  # UTC: 04:30 on 10 December in Oslo, 22:30 on 9 December in New York
MEETING = datetime(2026, 12, 10, 13, 0)  # UTC: 14:00 in Oslo, 08:00 in New York


@pytest.fixture
def far_zone(app, tmp_path):
    """Two municipalities on one install: Vestvik in Oslo's zone (a.test), Langt-borte in New York's (b.test)."""
    import yaml
    from test_municipalities import use_file

    from tik.config import ROOT

    entries = [{"key": key, "name": name, "country": "NO", "hosts": [host], "guidebook": str(ROOT / "guidebook"),
                "organisation": str(ROOT / "organisation.yaml"), "reference_prefix": prefix, "timezone": zone}
               for key, name, host, prefix, zone in (("vestvik", "Vestvik kommune", "a.test", "VES", "Europe/Oslo"),
                                                     ("langt", "Langt-borte kommune", "b.test", "LAN",
                                                      "America/New_York"))]
    path = tmp_path / "municipalities.yaml"
    path.write_text(yaml.safe_dump({"municipalities": entries}, allow_unicode=True))
    use_file(app, path)
    clock.travel(NOW)


@pytest.fixture
def oslo_and_new_york(app, far_zone, make_unit, make_user, make_case, make_measure):
    """In each municipality a coordinator's case (registered at NOW) with a plan and a network meeting at
    MEETING."""
    from tik.municipalities import by_key, municipality_scope

    made = {}
    for key in ("vestvik", "langt"):
        with municipality_scope(by_key(key)):
            holder = make_user(f"holder-{key}", roles=[Role.EMPLOYEE, Role.COORDINATOR],
                               unit=make_unit(f"skole-{key}", "school"))
            case = make_case(by=holder, first_name="Emil")
            make_measure(case, holder)
            with app.test_request_context():
                meetings.create_meeting(holder, title="Ansvarsgruppe", starts_at=MEETING, case=case, place="Rom 2")
            made[key] = (case.ref, holder)
    return made


def test_each_municipality_shows_times_and_today_in_its_own_zone_on_the_web_and_in_the_pdf(client,
                                                                                          oslo_and_new_york):
    from flask_babel import get_timezone
    from test_municipalities import log_in

    shown = {}
    for key, base, zone in (("vestvik", "http://a.test", "Europe/Oslo"), ("langt", "http://b.test",
                                                                          "America/New_York")):
        ref, holder = oslo_and_new_york[key]
        log_in(client, holder, base)
        page = client.get(f"/saker/{ref}", base_url=base).get_data(as_text=True)
        pdf = pdf_text(client.get(f"/saker/{ref}/plan.pdf", base_url=base).data)
        calendar = client.get("/min-side/kalender.ics", base_url=base).data
        with client.application.test_request_context("/", base_url=base):
            client.application.preprocess_request()  # the request's municipality, then flask-babel's zone
            assert str(get_timezone()) == zone
        shown[key] = page, pdf, calendar
    oslo_page, oslo_pdf, oslo_calendar = shown["vestvik"]
    far_page, far_pdf, far_calendar = shown["langt"]
    # The concern registered at NOW: 04:30 on the 10th in Oslo, 22:30 on the 9th in New York.
    assert "10.12.2026 04:30" in oslo_page and "09.12.2026 22:30" in far_page
    assert "22:30" not in oslo_page and "04:30" not in far_page
    # The meeting: 14:00 in Oslo, 08:00 in New York, on the page, in the PDF and in the calendar file.
    assert "10.12.2026 14:00" in oslo_pdf and "10.12.2026 08:00" in far_pdf
    assert "08:00" not in oslo_pdf and "14:00" not in far_pdf
    assert b"DTSTART;TZID=Europe/Oslo:20261210T140000" in oslo_calendar
    assert b"DTSTART;TZID=America/New_York:20261210T080000" in far_calendar
    # "Today" in the PDF's running head: the 10th in Oslo, still the 9th in New York.
    assert "· 10.12.2026" in oslo_pdf and "· 09.12.2026" in far_pdf, (oslo_pdf[:300], far_pdf[:300])


def test_the_archive_print_of_a_case_says_its_municipality_s_zone(app, far_zone, make_case, make_user, give_consent):
    from tik.municipalities import by_key, municipality_scope

    with municipality_scope(by_key("langt")):
        case, holder, *_ = rich_case(make_case, make_user, give_consent)
        with app.test_request_context():
            meetings.create_meeting(holder, title="Oppfølging", case=case, starts_at=MEETING)
        close(case, holder)
        text = pdf_text(print_archive(case, holder).pdf)
    assert "Oppfølging · 10.12.2026 08:00" in text  # 13:00 UTC in New York
    assert "lokal tid (America/New_York)" in text and "Europe/Oslo" not in text
