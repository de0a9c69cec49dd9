""""Min familie" in the family's language (tik/family/texts.py): every language the family letter has, chosen
from the guardian's language and switchable, right to left for Arabic; the header says the person is signed in;
service names in the family's language with the Norwegian name beside; and a timeline in family wording that
never shows a field name, a step's title or a hard stop, scanned over every kind of entry the services make."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from flows import TO_LEVEL2
from test_family import family_sign_in, valid_nin

from tik.auth.models import Role
from tik.cases import steps
from tik.cases.details import update_guardian
from tik.cases.handover import propose_handover
from tik.cases.leader_feedback import leader_feedback
from tik.cases.participants import invite_participant
from tik.clock import today
from tik.concerns.service import GuardianInput
from tik.extensions import db
from tik.family import service as family_service
from tik.family.texts import family_languages
from tik.guidebook import guide_of
from tik.plans import service as plans
from tik.plans.models import GoalReached, NextAction

ROOT = Path(__file__).resolve().parents[2]
MOTHER = valid_nin(date(1984, 7, 7), 150)


def test_every_family_catalogue_translates_every_text_of_the_familys_pages():
    pot = Path(__import__("tempfile").mkdtemp()) / "family.pot"
    pybabel = Path(sys.executable).with_name("pybabel")
    subprocess.run([str(pybabel), "extract", "--no-default-keywords", "-k", "t", "-k", "msg",
                    "-F", "tik/translations/family.cfg", "-o", str(pot), "."], cwd=ROOT, check=True,
                   capture_output=True)
    with pot.open("rb") as f:
        wanted = {m.id for m in read_po(f) if m.id}
    assert len(wanted) > 60 and "Du er logget inn med ID-porten" in wanted
    assert set(family_languages()) >= {"nb", "nn", "en", "pl", "lt", "uk", "ar", "so", "ti"}
    for lang in set(family_languages()) - {"nb"}:
        with (ROOT / "tik" / "translations" / lang / "LC_MESSAGES" / "family.po").open("rb") as f:
            have = {m.id for m in read_po(f) if m.id and m.string and not m.fuzzy}
        assert sorted(wanted - have) == [], f"untranslated in {lang}"


@pytest.fixture
def every_kind(app, make_case, make_user, make_unit, give_consent, make_measure):
    """A case taken through the services so that its timeline holds (nearly) every kind of entry: the
    concern, steps and conversations, a level change, consents, plan changes and an evaluation, a participant,
    a proposed handover, details corrected (the guardian's national id among them), the leader's feedback, the
    emergency hard stop and the family's own words."""
    leader = make_user(service="school", roles=[Role.EMPLOYEE, Role.LEADER])
    make_unit("school-1", "school", leaders=[leader])
    holder = make_user(service="school", roles=(Role.EMPLOYEE, Role.COORDINATOR))
    nurse = make_user(service="health-nurse", roles=(Role.EMPLOYEE, Role.COORDINATOR))
    case = make_case(by=holder, first_name="Zofia", guardians=[GuardianInput("Anna Nowak", "matka", "", "pl")])
    guardian = case.child.guardians[0]
    family_service.set_guardian_identity(case, holder, guardian.id, nin=MOTHER, responsibility=True)
    update_guardian(case, holder, guardian.id, {"phone": "412 34 567"})
    give_consent(case, holder, ["health-nurse"])
    for decision, values in TO_LEVEL2:
        steps.decide(case, decision, values, by=holder)
    measure = make_measure(case, holder, what="Faste samtaler med helsesykepleier")
    plans.evaluate_measure(case, measure, holder, plans.EvaluationInput(
        evaluated_on=today(), goal_reached=GoalReached.PARTLY, child_experience="Bedre",
        next_action=NextAction.CONTINUE, next_evaluate_on=today() + timedelta(days=30)))
    invite_participant(case, nurse, holder)
    propose_handover(case, nurse, holder)
    leader_feedback(case, leader, "received")
    steps.decide(case, "emergency", {}, by=holder)
    from tik.auth.policy import FamilyRelation

    family_service.before_the_meeting(case, FamilyRelation.GUARDIAN, "Vi vil snakke om lekser")
    return case


def _forbidden(case) -> set[str]:
    """Field keys and labels, step titles, hard stops and data keys: what the family never reads."""
    guide = guide_of(case)
    words = {"national_id", "responsibility", "«recorded»", "«", "→", "to_user", "from_level", "step_id"}
    for step in guide.steps.values():
        words.add(step.id)
        words |= set(step.title.by_lang.values())
        for f in step.fields:
            words.add(f.key if "_" in f.key else f"{f.key}:")  # a plain word ("services") only as a field name
            words |= set(f.label.by_lang.values())
    for stop in guide.hard_stops:
        words |= set(stop.label.by_lang.values())
    for end in guide.ends.values():
        words |= set(end.title.by_lang.values())
    words |= {"Takk for at du sa fra", "Akutt fare", "Opplysninger endret", "deltaker", "412 34 567"}
    return {w for w in words if len(w) > 3}


@pytest.mark.parametrize("lang", ["nb", "nn", "en", "pl", "lt", "uk", "ar", "so", "ti"])
def test_the_family_timeline_is_free_of_field_names_in_every_language(app, family_sso, every_kind, lang):
    from tik.cases.models import CaseEvent

    kinds = {e.kind.value for e in db.session.scalars(db.select(CaseEvent).where(CaseEvent.case_id == every_kind.id))}
    assert kinds >= {"concern", "step", "conversation", "level", "consent", "plan", "participant", "handover",
                     "details", "feedback", "emergency", "family"}
    family = family_sign_in(app, family_sso, MOTHER)
    page = family.get(f"/min-familie/{every_kind.ref}/logg?lang={lang}").get_data(as_text=True)
    assert f'<html lang="{lang}" dir="{"rtl" if lang == "ar" else "ltr"}"' in page
    timeline = page.split('id="family-timeline"')[1].split("</ol>")[0]
    entries = re.findall(r'<p class="tik-timeline__what">(.*?)</p>', timeline, re.S)
    assert len(entries) >= 6
    for word in _forbidden(every_kind):
        assert word not in timeline, word
    assert "Vi vil snakke om lekser" in timeline  # their own words, as they wrote them


def test_the_guardians_page_starts_in_her_language_and_switches(app, family_sso, every_kind):
    family = family_sign_in(app, family_sso, MOTHER)
    start = family.get("/min-familie/").get_data(as_text=True)
    assert '<html lang="pl" dir="ltr"' in start and "Moja rodzina" in start
    assert "Jesteś zalogowany(-a) przez ID-porten" in start and "Logg inn" not in start
    page = family.get(f"/min-familie/{every_kind.ref}").get_data(as_text=True)
    assert ('Przychodnia i szkolna służba zdrowia <bdi lang="nb" dir="ltr">(Helsestasjon og skolehelsetjeneste)'
            '</bdi>') in page
    arabic = family.get(f"/min-familie/{every_kind.ref}?lang=ar").get_data(as_text=True)
    assert '<html lang="ar" dir="rtl"' in arabic and "عائلتي" in arabic
    assert '<html lang="ar" dir="rtl"' in family.get("/min-familie/").get_data(as_text=True)  # it stays chosen
    assert family.get(f"/min-familie/{every_kind.ref}?lang=xx").status_code == 200  # unknown: ignored
