"""The youth door's answer times on the staff statistics page (tik/stats/youth.py): per month, the median, the
90th percentile and the share within the promise, computed from answers given through the inbox at known
times, hidden below the threshold, and only on the analyst's whole-municipality page without a case filter."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from test_youth_outcomes import conversation_of, write

from tik.auth.models import Role

MONDAY = datetime(2026, 11, 2, 9, 0)


def answered_after(client, login, clock, operator, start: datetime, minutes: int, label: str) -> None:
    clock.travel(start)
    write(client, f"Melding {label}")
    conversation = conversation_of(f"Melding {label}")
    clock.travel(start + timedelta(minutes=minutes))
    login(operator)
    client.post(f"/ung/innboks/{conversation.id}/svar", data={"body": "Svar."})


def table_rows(page: str) -> dict[str, list[str]]:
    """The youth table's rows on the page: month -> cells' texts."""
    table = page[page.index('id="table-youth_answer_times"'):]
    table = table[:table.index("</table>")]
    rows = re.findall(r'<tr><th scope="row">([^<]+)</th>(.*?)</tr>', table)
    return {month: [c.replace("&lt;", "<").replace("\u00a0", " ")
                    for c in re.findall(r"<td[^>]*>([^<]*)</td>", cells)] for month, cells in rows}


def test_the_statistics_page_shows_the_youth_doors_answer_times_per_month(client, login, clock, operator,
                                                                          make_user):
    # November: five answered in 10 minutes, five after four days or more (late: over 48 weekday hours)
    for i, minutes in enumerate([10] * 5 + [5760, 5770, 5780, 5790, 7200]):
        answered_after(client, login, clock, operator, MONDAY + timedelta(seconds=i), minutes, f"nov {i}")
    for i in range(4):  # December: four, too few to publish anything
        answered_after(client, login, clock, operator, datetime(2026, 12, 1, 9, i), 30, f"dec {i}")
    analyst = make_user("analytiker", service="culture-leisure", roles=(Role.ANALYST,))
    login(analyst)

    page = client.get("/statistikk/").get_data(as_text=True)
    assert "Ungdomsdøra: svartider" in page
    rows = table_rows(page)
    # conversations, answered, median (hours), p90 (hours), share within the promise
    # median (10 + 5760) / 2 minutes; the 90th percentile the 9th of the 10 (5790 minutes), not the largest
    assert rows["11.2026"] == ["10", "10", "48,1", "96,5", "50 %"]
    assert rows["12.2026"] == ["< 5"] * 5
    csv = client.get("/statistikk/eksport.csv").get_data(as_text=True)
    assert "Svartid i ungdomsdøra per måned" in csv and "48,1" in csv

    narrowed = client.get("/statistikk/?aldersgruppe=kindergarten").get_data(as_text=True)
    assert 'id="table-youth_answer_times"' not in narrowed  # the rows have no age group to filter by
    december = client.get("/statistikk/?fra=2026-12&til=2026-12").get_data(as_text=True)
    assert list(table_rows(december)) == ["12.2026"]  # the period asked for


def test_a_small_late_count_hides_the_share_and_a_leader_sees_no_youth_figures(client, login, clock, operator,
                                                                              make_user, youth_unit):
    for i, minutes in enumerate([10] * 5 + [4 * 24 * 60]):  # one late: the share would reveal it
        answered_after(client, login, clock, operator, MONDAY + timedelta(seconds=i), minutes, f"n {i}")
    login(make_user("analytiker", service="culture-leisure", roles=(Role.ANALYST,)))
    cells = table_rows(client.get("/statistikk/").get_data(as_text=True))["11.2026"]
    assert cells[:2] == ["5", "5"] and cells[4] == "< 5"  # 6 rounded to 5; the share hidden

    login(make_user("leder-ung", service="youth-service", roles=(Role.LEADER,), unit=youth_unit))
    assert 'id="table-youth_answer_times"' not in client.get("/statistikk/").get_data(as_text=True)
