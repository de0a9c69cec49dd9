"""While a case waits for child welfare (tik/cases/suspicion.py), a participant who may not know of the report
(tik/auth/policy.py `is_paused_unnamed`) sees the case as paused without why: not the waiting step's title, fields
or guidance on the case page, the timeline, the plan page and print or "Min side", and cannot decide it. The
holder sees the waiting step. The family-facing actions are not offered while the case waits, and are again
once the holder goes on (issue 25)."""

from __future__ import annotations

import pytest
from flows import form_data
from support import nora_waiting, pdf_text

from tik.cases import steps
from tik.cases.models import Case
from tik.clock import today
from tik.extensions import db
from tik.guidebook import guide_of

WAIT_WORDS = ("Venter", "barnevernet", "Hva svarte", "cw_answer")
FAMILY_ACTIONS = ("PDF for familien", "Nytt ansvarsgruppemøte", 'id="consent-form"', "samtykkeskjema",
                  "Brev til familien")


@pytest.fixture
def waiting(app, make_unit, make_user, give_consent):
    """Nora's case with PPT consented and invited; then a suspicion registered on it: the case waits."""
    case, people = nora_waiting(make_unit, make_user, give_consent)
    return case, people["holder"], people["ppt"]


def _pages(client, ref: str) -> dict[str, str]:
    return {"case": client.get(f"/saker/{ref}").get_data(as_text=True),
            "timeline": client.get(f"/saker/{ref}/logg").get_data(as_text=True),
            "plan": client.get(f"/saker/{ref}/plan").get_data(as_text=True),
            "print": pdf_text(client.get(f"/saker/{ref}/plan.pdf?logg=full").data),
            "mine": client.get("/").get_data(as_text=True) + client.get("/saker").get_data(as_text=True)}


def _step_section(page: str) -> str:
    return page.split('class="ds-card tik-step"')[1].split("</section>")[0]


def test_a_ppt_participant_sees_the_case_paused_without_why_and_the_holder_sees_the_wait(client, login, waiting):
    case, holder, ppt = waiting
    wait = guide_of(case).child_welfare_wait
    login(ppt)
    pages = _pages(client, case.ref)
    for name, text in pages.items():
        for word in WAIT_WORDS + (wait.title.get("nb"),):
            assert word not in text, (name, word)
    assert "Saken står stille nå" in pages["case"]
    assert "barnevernet" not in _step_section(pages["case"]).lower()  # the emergency numbers stay

    login(holder)
    held = _pages(client, case.ref)
    assert wait.title.get("nb") in held["case"] and wait.title.get("nb") in held["timeline"]
    assert "Saken står stille nå" not in held["case"]


def test_a_ppt_participant_cannot_decide_the_waiting_step(client, login, waiting):
    case, _holder, ppt = waiting
    wait = guide_of(case).child_welfare_wait
    login(ppt)
    answer = {"cw_answer": "investigating", "family_may_be_told": "yes", "family_told_from": today().isoformat()}
    done = client.post(f"/saker/{case.ref}/beslutning", data=form_data(answer, "go_on", case.version, wait.id))
    assert done.status_code == 422
    assert "Saken står stille nå. Spør stafettholderen." in done.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Case, case.id).waiting_since is not None


def test_the_family_facing_actions_are_absent_while_waiting_and_back_after_going_on(client, login, waiting):
    case, holder, _ppt = waiting
    login(holder)
    page = client.get(f"/saker/{case.ref}").get_data(as_text=True) + \
        client.get(f"/saker/{case.ref}/plan").get_data(as_text=True)
    for action in FAMILY_ACTIONS:
        assert action not in page, action
    steps.decide(case, "go_on", {"cw_answer": "investigating", "family_may_be_told": "yes",
                                 "family_told_from": today().isoformat()}, by=holder)
    page = client.get(f"/saker/{case.ref}").get_data(as_text=True) + \
        client.get(f"/saker/{case.ref}/plan").get_data(as_text=True)
    for action in FAMILY_ACTIONS:
        assert action in page, action


@pytest.fixture
def waiting_with_welfare(app, make_unit, make_user, give_consent):
    """Nora's case with PPT and child welfare consented and invited; then a suspicion: the case waits."""
    return nora_waiting(make_unit, make_user, give_consent, services=("ppt", "child-welfare"))


def _row(page: str, ref: str) -> str:
    """The table row of `ref` in a list of cases."""
    return page.split(f">{ref}</a>")[1].split("</tr>")[0]


@pytest.mark.parametrize("who, told", [("holder", True), ("welfare", True), ("ppt", False)])
def test_the_case_lists_say_the_case_waits_to_those_who_may_know(client, login, waiting_with_welfare, who, told):
    """"Mine saker" (and, for the holder, the steps on "Min side") say the case waits for child welfare to the
    holder and a child-welfare participant; a PPT participant reads only that the case stands still."""
    case, people = waiting_with_welfare
    wait = guide_of(case).child_welfare_wait.title.get("nb")
    login(people[who])
    lists = [client.get("/saker").get_data(as_text=True)]
    if who == "holder":
        lists.append(client.get("/min-side").get_data(as_text=True))
    for page in lists:
        row = _row(page, case.ref)
        if told:
            assert wait in row and "Saken står stille nå" not in row
        else:
            assert "Saken står stille nå" in row
            for word in WAIT_WORDS:
                assert word not in page, word
