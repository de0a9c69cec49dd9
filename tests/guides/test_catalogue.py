"""Measures from the catalogue (issue 15): the guidebook's measures by focus area, with the services that usually
carry them, limited to the services the case may use, fill service, what and goal; free text stays possible."""

from __future__ import annotations

import re
from datetime import timedelta

from flows import TO_LEVEL1

from tik import clock
from tik.extensions import db
from tik.guidebook import guide_of
from tik.plans.catalogue import catalogue_for, from_catalogue
from tik.plans.models import Measure


def test_the_catalogue_offers_only_services_the_case_may_use(make_case, make_user, move_case, give_consent):
    teacher = make_user(service="school")
    case = make_case(by=teacher)
    move_case(case, teacher, TO_LEVEL1)
    guide = guide_of(case)
    offered = {s for _area, items in catalogue_for(case, guide) for _m, services in items for s in services}
    assert offered == {"school"}
    give_consent(case, teacher, ["ppt"])
    offered = {s for _area, items in catalogue_for(case, guide) for _m, services in items for s in services}
    assert offered == {"school", "ppt"}
    chosen = from_catalogue(case, guide, "attendance-plan", "nb")
    assert chosen == {"service_key": "school", "what": "Plan for oppmøte",
                      "goal": guide.measures["attendance-plan"].description.get("nb")}
    assert from_catalogue(case, guide, "no-such-measure", "nb") is None


def test_a_catalogue_measure_fills_the_form_and_free_text_stays_possible(client, login, make_case, make_user,
                                                                        move_case):
    teacher = login(make_user(service="school"))
    case = make_case(by=teacher)
    move_case(case, teacher, TO_LEVEL1)
    page = client.get(f"/saker/{case.ref}/plan").get_data(as_text=True)
    assert "Tiltak fra tiltakskatalogen" in page and "fra=attendance-plan" in page
    assert "fra=ppt-assessment" not in page  # PPT is not covered by any consent
    page = client.get(f"/saker/{case.ref}/plan?fra=attendance-plan").get_data(as_text=True)
    assert 'id="new-measure" open' in page
    assert re.search(r'<textarea[^>]*name="what"[^>]*>\s*Plan for oppmøte</textarea>', page)
    assert re.search(r'<option selected value="school">|<option value="school" selected', page)
    key = re.search(r'name="idempotency_key" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post(f"/saker/{case.ref}/plan/tiltak", data={
        "idempotency_key": key, "service_key": "school", "responsible": "Lærer", "responsible_id": "",
        "what": "Plan for oppmøte, tilpasset: møte kl 8 hver dag", "goal": "Emil kommer på skolen",
        "start_on": clock.today().isoformat(), "evaluate_on": (clock.today() + timedelta(weeks=6)).isoformat(),
        "status": "planned"})
    assert response.status_code == 302, response.get_data(as_text=True)[:1500]
    assert db.session.scalar(db.select(Measure.what)) == "Plan for oppmøte, tilpasset: møte kl 8 hver dag"
