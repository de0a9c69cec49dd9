"""The main job, through the test client on the real database:
a teacher's concern becomes a coordinated plan at level 2, printed for the family and the team."""

from __future__ import annotations

import re

from flows import CONCRETISE, DECIDE, DISCUSS, TALK_CHILD, TALK_PARENTS, TODAY, form_data
from support import pdf_text

from tik.auth.models import Role
from tik.cases.models import Case, CaseEvent, EventKind
from tik.extensions import db
from tik.plans import service as plans

CHILD = {"first_name": "Sofie", "last_name": "Nilsen", "birth_date": "2015-05-04", "gender": "girl",
         "school": "Fjordvik barneskole", "class_name": "6A",
         "guardians-0-name": "Line Nilsen", "guardians-0-relation": "mor", "guardians-0-phone": "41234567",
         "guardians-0-language": "nb", "guardians-1-name": "Tor Nilsen", "guardians-1-relation": "far",
         "guardians-1-language": "nb"}


SIGNAL = "sc-hygiene-hunger"


def _case(ref: str) -> Case:
    db.session.expire_all()
    return db.session.scalar(db.select(Case).where(Case.ref == ref))


def _decide(client, ref: str, decision: str, values: dict, expect: int = 302):
    case = _case(ref)
    response = client.post(f"/saker/{ref}/beslutning", data=form_data(values, decision, case.version))
    assert response.status_code == expect, response.get_data(as_text=True)[:2000]
    return response


def test_concern_to_level_2_plan_to_both_pdfs(client, login, make_user):
    teacher = login(make_user("laerer", service="school", roles=[Role.EMPLOYEE, Role.COORDINATOR],
                              name="Ingrid Lærer", phone="35 98 10 01"))
    make_user("helse", service="health-nurse", name="Hanne Helsesøster")

    # The urgency questions come first; "no" to both leads to the form.
    assert client.get("/min-side").status_code == 200
    start = client.post("/bekymring/ny", data={"acute": "no", "suspicion": "no"})
    assert start.status_code == 302 and "urgency=none" in start.headers["Location"]
    form = client.get("/bekymring/skjema?urgency=none").get_data(as_text=True)
    key = re.search(r'name="idempotency_key" type="hidden" value="([^"]+)"', form).group(1)

    registered = client.post("/bekymring/skjema", data={
        **CHILD, "urgency": "none", "idempotency_key": key,
        "observation": "Sofie sover i timene og har ofte ikke matpakke.", "since_when": "Siden høstferien",
        "how_often": "Flere ganger i uka", "signals": [SIGNAL],
        "who_knows": "Helsesykepleier",
    })
    assert registered.status_code == 302, registered.get_data(as_text=True)[:3000]
    ref = registered.headers["Location"].split("/saker/")[1].split("?")[0]
    assert re.fullmatch(r"TIK-\d{4}-0001", ref)

    page = client.get(f"/saker/{ref}").get_data(as_text=True)
    assert "Sofie Nilsen" in page and "Ingrid Lærer" in page
    assert 'aria-current="step"' in page  # the level ladder marks level 0
    case = _case(ref)
    assert case.level == 0 and case.step_id == "l0-concretise" and case.coordinator_id == teacher.id
    assert (case.deadline - case.opened_at.date()).days == 14

    # A required field left out: refused, with every typed value kept on the page.
    refused = _decide(client, ref, "done", {"observation": "Mitt utkast som ikke må bli borte"}, expect=422)
    text = refused.get_data(as_text=True)
    assert "Mitt utkast som ikke må bli borte" in text and "Fyll ut" in text
    assert _case(ref).step_id == "l0-concretise"

    # A decision the step does not offer is refused.
    _decide(client, ref, "level2", CONCRETISE, expect=422)

    for values in (CONCRETISE, DISCUSS, TALK_CHILD, TALK_PARENTS):
        _decide(client, ref, "done", values)
    assert _case(ref).step_id == "l0-decide"

    # Level 2 straight away needs consent naming the services.
    text = _decide(client, ref, "level2", DECIDE, expect=422).get_data(as_text=True)
    assert "samtykke" in text.lower()

    _decide(client, ref, "level1", DECIDE)
    assert _case(ref).level == 1

    consent = client.post(f"/saker/{ref}/samtykke", data={
        "given_by": "Line Nilsen og Tor Nilsen", "services": ["health-nurse", "ppt"],
        "information": "Skolefravær, helse", "purpose": "Samarbeid om tiltak for Sofie", "form": "paper",
        "given_on": TODAY, "expires_on": "2027-11-20", "idempotency_key": "consent-1"})
    assert consent.status_code == 302

    level1 = [("done", {"meeting_date": TODAY, "shared_understanding": "Sofie er sliten og sulten.",
                        "child_words": "Jeg vil ha det bedre på skolen.", "parents_words": "Vi vil ha hjelp."}),
              ("done", {}), ("done", {}), ("done", {"plan_summary": "Frokost på skolen og samtaler."}),
              ("done", {"progress": "Bedre uke for uke."})]
    for decision, values in level1:
        if _case(ref).step_id == "l1-measures":  # a plan step passes only with a dated measure with an owner
            assert client.post(f"/saker/{ref}/plan/tiltak", data={
                "service_key": "school", "responsible": "Ingrid Lærer", "what": "Fast voksen om morgenen",
                "goal": "Trygg start", "start_on": TODAY, "evaluate_on": "2027-01-08", "status": "active",
                "idempotency_key": "m-level1"}).status_code == 302
        _decide(client, ref, decision, values)
    _decide(client, ref, "level2", {"evaluation": "Trenger flere tjenester", "child_experience": "Litt bedre."})
    # Consent is asked once per scope: the consent registered above already covers the services.
    assert (_case(ref).level, _case(ref).step_id) == (2, "l2-meeting")
    carried = db.session.scalars(db.select(CaseEvent).where(CaseEvent.step_id == "l2-consent")).all()
    assert [e.data.get("carried") for e in carried] == ["consent"]
    _decide(client, ref, "done", {"meeting_date": TODAY, "participants": "Skole, helsesykepleier, PPT, foreldre",
                                  "shared_understanding": "Felles forståelse", "child_words": "Jeg liker PPT-damen"})
    assert _case(ref).step_id == "l2-measures"

    # The plan: goals, voices, internal notes, three measures from three services.
    plan = client.post(f"/saker/{ref}/plan", data={
        "goals": "Sofie skal være uthvilt og mett på skolen.",
        "child_voice": "Jeg vil ha en voksen å snakke med.", "parents_voice": "Vi trenger hjelp med rutiner.",
        "internal_notes": "INTERN: far har tidligere sak hos NAV.",
        "version": str(plans.plan_of(_case(ref)).version)})  # the plan began at level 1, with its first measure
    assert plan.status_code == 302, plan.get_data(as_text=True)[:2000]
    measures = [("school", "Ingrid Lærer", "Frokostordning hver morgen"),
                ("health-nurse", "Hanne Helsesøster", "Faste samtaler annenhver uke"),
                ("ppt", "Per PPT", "Kartlegging av lese- og skriveferdigheter")]
    for i, (service, who, what) in enumerate(measures):
        r = client.post(f"/saker/{ref}/plan/tiltak", data={
            "service_key": service, "responsible": who, "what": what, "goal": "Bedre skolehverdag",
            "start_on": TODAY, "evaluate_on": "2027-01-15", "status": "planned", "idempotency_key": f"m{i}"})
        assert r.status_code == 302, r.get_data(as_text=True)[:2000]

    staff = client.get(f"/saker/{ref}/plan.pdf")
    assert staff.status_code == 200 and staff.headers["Content-Type"] == "application/pdf"
    assert f'filename="{ref}-plan-tjeneste-rev1.pdf"' in staff.headers["Content-Disposition"]
    assert "Sofie" not in staff.headers["Content-Disposition"]
    staff_text = pdf_text(staff.data)
    family = client.get(f"/saker/{ref}/plan.pdf?versjon=familie")
    family_text = pdf_text(family.data)
    # A later concern of suspected abuse from the same teacher: a report draft, never for the family; the case
    # now waits for child welfare, and the family's letter is refused (tik/cases/suspicion.py).
    client.post("/bekymring/skjema", data={**CHILD, "urgency": "suspicion", "idempotency_key": "k2",
                                           "observation": "Blåmerker på armene.",
                                           "report_draft": "MELDINGSUTKAST: blåmerker observert 20.11."})
    assert client.get(f"/saker/{ref}/plan.pdf?versjon=familie").status_code == 409
    staff_text = pdf_text(client.get(f"/saker/{ref}/plan.pdf").data)

    for what in ("Frokostordning", "Faste samtaler", "Kartlegging av lese"):
        assert what in staff_text and what in family_text
    for voice in ("Jeg vil ha en voksen å snakke med.", "Vi trenger hjelp med rutiner."):
        assert voice in staff_text and voice in family_text
    assert "Taushetsbelagt" in staff_text and "forvaltningsloven § 13" in staff_text
    assert "INTERN: far har tidligere sak" in staff_text
    assert "INTERN" not in family_text
    assert "MELDINGSUTKAST" not in family_text and "MELDINGSUTKAST" not in staff_text
    assert "Underskrifter" in family_text and "Line Nilsen" in family_text
    assert "stafettholder" in family_text.lower() and "Ingrid Lærer" in family_text

    # The timeline holds every step, conversation, decision, level change and plan change.
    kinds = {e.kind for e in db.session.scalars(db.select(CaseEvent).where(CaseEvent.case_id == _case(ref).id))}
    assert {EventKind.CONCERN, EventKind.STEP, EventKind.CONVERSATION, EventKind.LEVEL, EventKind.CONSENT,
            EventKind.PLAN, EventKind.REPORT} <= kinds
    page = client.get(f"/saker/{ref}/logg").get_data(as_text=True)  # the whole log (the case page: the latest)
    assert "Jeg er så trøtt fordi mamma er syk." in page  # the child's own words in the stafettlogg
    assert page.index("Planen er endret") < page.index("Bekymring registrert")  # newest first


def test_my_cases_lists_level_next_step_and_deadline(client, login, make_user, make_case):
    teacher = login(make_user())
    case = make_case(by=teacher)
    page = client.get("/saker").get_data(as_text=True)
    assert case.ref in page and "Konkretiser" in page and case.deadline.strftime("%d.%m.%Y") in page


def test_the_leader_step_offers_the_active_leaders_of_the_holders_unit_by_name(client, login, make_user, make_unit,
                                                                               make_case):
    """At l0-discuss the holder names which of their unit's leaders took part: the leaders of the holder's own
    unit who still have an account, in name order; a leader of another unit or a deactivated one is refused."""
    from tik.cases.steps import decide
    from tik.org.service import deactivate

    leader = (Role.EMPLOYEE, Role.LEADER)
    rita = make_user("rektor", service="school", roles=leader, name="Rita Rektor")
    ivar = make_user("inspektor", service="school", roles=leader, name="Ivar Inspektør")
    gone = make_user("gammel", service="school", roles=leader, name="Gunnar Gammel")
    make_unit("school-1", "school", leaders=[rita, ivar, gone])
    deactivate(gone)
    db.session.commit()
    other = make_user("annen", service="school", roles=leader, name="Anna Annen", unit=make_unit("school-2"))
    make_unit("school-2", "school", leaders=[other])
    teacher = make_user("teacher", service="school", roles=(Role.EMPLOYEE, Role.COORDINATOR), name="Tina Lærer")
    case = make_case(by=teacher)
    decide(case, "done", CONCRETISE, by=teacher)
    assert case.step_id == "l0-discuss"

    login(teacher)
    page = client.get(f"/saker/{case.ref}").get_data(as_text=True)
    select = re.search(r'<select[^>]*name="f_leader".*?</select>', page, re.S).group(0)
    assert re.findall(r'<option value="\d+"[^>]*>([^<,]+)', select) == ["Ivar Inspektør", "Rita Rektor"]
    for outsider in (gone, other):
        refused = client.post(f"/saker/{case.ref}/beslutning", data=form_data(
            DISCUSS | {"leader": outsider.id}, "done", case.version, "l0-discuss"))
        assert refused.status_code == 422
    done = client.post(f"/saker/{case.ref}/beslutning", data=form_data(DISCUSS | {"leader": rita.id}, "done",
                                                                        case.version, "l0-discuss"))
    assert done.status_code == 302
    event = db.session.scalars(db.select(CaseEvent).where(CaseEvent.case_id == case.id,
                                                          CaseEvent.step_id == "l0-discuss")).one()
    assert event.data["fields"]["leader_id"] == str(rita.id)
