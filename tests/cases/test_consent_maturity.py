"""Consent without a fixed age (issue 28): the guidebook can say `consent: {adult_alone_from: 18, below:
maturity}`. A young adult consents alone, and the form says so; below 18 staff judge the child's maturity,
with a reason, and a child judged mature must consent themself. `consent_age` alone works as before."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from support import GuidebookCopy, pdf_text

from tik import clock
from tik.audit.models import AuditEvent
from tik.cases.consent import ConsentError, judge_maturity
from tik.cases.models import CaseEvent, Consent, EventKind
from tik.extensions import db
from tik.guides.loader import check_guide
from tik.timeline.maturity import maturity_of

ADULT = date(2004, 5, 6)  # 22 on the test day
CHILD = date(2012, 3, 15)  # 14 on the test day


def _maturity(data: dict) -> None:
    data.pop("consent_age", None)
    data["consent"] = {"adult_alone_from": 18, "below": "maturity"}


@pytest.fixture
def maturity_guide(app, tmp_path):
    """The app running a copy of the default guidebook that judges maturity below 18."""
    book = GuidebookCopy(tmp_path / "guidebook")
    book.edit(_maturity)
    app.config["TIK_GUIDEBOOK"] = str(book.path)
    app.extensions.pop("tik_guide", None)
    yield book
    app.extensions.pop("tik_guide", None)


def _consent(client, case, **extra):
    data = {"given_by": "Kari Hansen", "services": ["health-nurse"], "purpose": "Samarbeid", "form": "paper",
            "given_on": clock.today().isoformat(), "expires_on": (clock.today() + timedelta(days=300)).isoformat(),
            "idempotency_key": f"consent-{extra.get('given_by', '')}-{extra.get('young_person', '')}", **extra}
    return client.post(f"/saker/{case.ref}/samtykke", data=data)


def test_the_consent_section_is_read_and_checked(tmp_path):
    book = GuidebookCopy(tmp_path / "ok")
    book.edit(_maturity)
    guide, problems = check_guide(book.path)
    assert problems == []
    assert (guide.consent.adult_alone_from, guide.consent.below, guide.consent_age) == (18, "maturity", 18)
    assert guide.consents_alone(ADULT, clock.today()) and not guide.consents_alone(CHILD, clock.today())
    assert guide.judges_maturity(CHILD, clock.today()) and not guide.judges_maturity(ADULT, clock.today())

    default, _ = check_guide(GuidebookCopy(tmp_path / "default").path)
    assert default.consent_age == 15 and not default.judges_maturity(CHILD, clock.today())
    assert not default.consents_alone(ADULT, clock.today())  # without the section: consent_age alone, as before


@pytest.mark.parametrize("consent, problem", [
    ({"adult_alone_from": 18, "below": "maturity", "consent_age": 15},
     "guide.yaml: consent_age: give either a fixed 'consent_age' or 'consent.below: maturity'"),
    ({"below": "maturity"}, "guide.yaml: consent.below: 'maturity' needs 'adult_alone_from'"),
    ({"adult_alone_from": 18, "below": "guess"}, "guide.yaml: consent.below: unknown rule 'guess'"),
    ({"adult_alone_from": 12}, "guide.yaml: consent.adult_alone_from: must not be below 'consent_age'"),
    ({"adult_alone_from": 18, "from": 16}, "guide.yaml: consent.from: unknown setting"),
])
def test_a_wrong_consent_section_is_a_problem_with_file_and_entry(tmp_path, consent, problem):
    book = GuidebookCopy(tmp_path / "guidebook")

    def change(data):
        age = consent.pop("consent_age", None)
        data["consent"] = consent
        if age is None and consent.get("below") == "maturity":
            data.pop("consent_age", None)
    book.edit(change)
    assert any(p.startswith(problem) for p in book.problems()), book.problems()


def test_a_young_adult_consents_alone_and_the_form_says_so(maturity_guide, client, login, make_user, make_case):
    holder = login(make_user(service="school"))
    case = make_case(by=holder, first_name="Elsa", last_name="Lind", birth_date=ADULT)
    page = client.get(f"/saker/{case.ref}/skjema/samtykke").get_data(as_text=True)
    assert "Gitt av (den unge voksne selv, uten foresatte)" in page and "Gitt av (foresatte)" not in page
    assert 'value="Elsa Lind"' in page  # the young adult, not the guardians, is who gives it
    assert _consent(client, case, given_by="Elsa Lind").status_code == 422  # must consent themself
    response = _consent(client, case, given_by="Elsa Lind", young_person="y")
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    consent = db.session.scalar(db.select(Consent))
    assert consent.young_person and consent.given_by == "Elsa Lind"
    page = client.get(f"/saker/{case.ref}").get_data(as_text=True)
    assert "Elsa Lind selv" in page and "og ungdommen" not in page
    text = pdf_text(client.get(f"/saker/{case.ref}/samtykkeskjema.pdf?samtykke={consent.id}").data)
    assert "Elsa Lind har fylt 18 år og samtykker selv, uten foresatte." in text
    assert "foresatt" not in text.split("Underskrifter")[1].replace("uten foresatte", "")
    assert "Kari Hansen" not in text  # no guardian's signature line


def test_a_child_under_a_fixed_consent_age_still_has_guardians_sign(client, login, make_user, make_case,
                                                                     give_consent):
    holder = login(make_user(service="school"))
    case = make_case(by=holder, birth_date=ADULT)  # the default guidebook: consent_age 15, no adult rule
    page = client.get(f"/saker/{case.ref}/skjema/samtykke").get_data(as_text=True)
    assert "Gitt av (foresatte)" in page
    assert "Vurdering av modenhet" not in client.get(f"/saker/{case.ref}").get_data(as_text=True)
    consent = give_consent(case, holder, ["health-nurse"], young_person=True)
    text = pdf_text(client.get(f"/saker/{case.ref}/samtykkeskjema.pdf?samtykke={consent.id}").data)
    assert "Kari Hansen, foresatt" in text and "samtykker selv" not in text


def test_maturity_is_a_judgement_with_a_reason_on_the_timeline_and_audited(maturity_guide, client, login,
                                                                          make_user, make_case):
    holder = login(make_user(service="school"))
    case = make_case(by=holder, birth_date=CHILD)
    page = client.get(f"/saker/{case.ref}").get_data(as_text=True)
    assert "Vurdering av modenhet" in page and "ingen fast samtykkealder under 18 år" in page
    form = client.get(f"/saker/{case.ref}/skjema/samtykke").get_data(as_text=True)
    assert 'name="given_by"' in form and 'name="young_person"' not in form  # not judged: the guardians consent

    refused = client.post(f"/saker/{case.ref}/modenhet", data={"mature": "yes", "reason": "  "})
    assert refused.status_code == 422 and "Skriv begrunnelsen for vurderingen." in refused.get_data(as_text=True)
    refused = client.post(f"/saker/{case.ref}/modenhet", data={"reason": "Forstår hva det gjelder."})
    text = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "Forstår hva det gjelder." in text  # what was typed is kept
    assert maturity_of(case) is None

    reason = "Elsa forstår hva samtykket gjelder og har egne, tydelige meninger om hjelpen."
    assert client.post(f"/saker/{case.ref}/modenhet", data={"mature": "yes", "reason": reason}).status_code == 302
    judged = maturity_of(case)
    assert judged.data == {"action": "maturity", "mature": True, "reason": reason} and judged.by_id == holder.id
    assert db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "consent.maturity")) is not None
    page = client.get(f"/saker/{case.ref}").get_data(as_text=True)
    assert reason in page and "barnet er modent nok til å samtykke selv" in page
    assert "Modenhet vurdert: barnet samtykker selv" in page  # on the stafettlogg
    assert 'name="young_person"' in client.get(f"/saker/{case.ref}/skjema/samtykke").get_data(as_text=True)


def test_a_child_judged_mature_must_consent_themself_and_one_judged_not_need_not(maturity_guide, client, login,
                                                                                make_user, make_case):
    holder = login(make_user(service="school"))
    case = make_case(by=holder, birth_date=CHILD)
    assert _consent(client, case, idempotency_key="before").status_code == 302  # not judged: guardians consent
    judge_maturity(case, holder, mature=True, reason="Moden for alderen.")
    assert _consent(client, case, idempotency_key="mature-alone").status_code == 422
    assert _consent(client, case, young_person="y", idempotency_key="mature-with").status_code == 302
    judge_maturity(case, holder, mature=False, reason="Ny vurdering etter samtale: ikke moden nok ennå.")
    assert _consent(client, case, idempotency_key="not-mature").status_code == 302
    assert db.session.scalar(db.select(db.func.count(Consent.id))) == 3
    kinds = db.session.scalars(db.select(CaseEvent.data).where(CaseEvent.kind == EventKind.CONSENT)).all()
    assert [k["action"] for k in kinds].count("maturity") == 2


def test_maturity_is_not_judged_where_the_guidebook_has_a_fixed_age_or_for_an_adult(client, login, make_user,
                                                                                  make_case, maturity_guide):
    holder = login(make_user(service="school"))
    adult = make_case(by=holder, birth_date=ADULT)
    with pytest.raises(ConsentError) as refused:
        judge_maturity(adult, holder, mature=True, reason="Voksen.")
    assert refused.value.code == "maturity_not_judged"
    response = client.post(f"/saker/{adult.ref}/modenhet", data={"mature": "yes", "reason": "Voksen."})
    assert response.status_code == 422 and maturity_of(adult) is None


def test_only_who_may_edit_the_case_may_judge(maturity_guide, client, login, make_user, make_case):
    holder = make_user(service="school")
    case = make_case(by=holder, birth_date=CHILD)
    login(make_user(service="ppt"))
    response = client.post(f"/saker/{case.ref}/modenhet", data={"mature": "yes", "reason": "Moden."})
    assert response.status_code == 404 and maturity_of(case) is None
