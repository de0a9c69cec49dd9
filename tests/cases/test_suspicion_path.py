"""The suspicion path is a state of the case (docs/family-and-suspicion.md): a concern registered as a suspicion,
or the report hard stop with a guardian not informed, makes the case *wait for child welfare*. While it waits the
guide offers nothing that faces the family and the services refuse it; "Min familie" shows nothing of the case
until the holder records child welfare's answer and goes on; and what the family reads is only their own
wording. Everything here goes through the services and the web as users reach them."""

from __future__ import annotations

import re
import shutil
from datetime import date, timedelta

import pytest
import yaml
from flows import DECIDE, TALK_PARENTS, TO_LEVEL0_DECISION, form_data
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support import GUIDEBOOK, pdf_text
from test_family import MOTHER_A, family_sign_in, valid_nin

from tik.auth.models import Role
from tik.cases import steps
from tik.cases.consent import ConsentError, record_consent
from tik.cases.models import Case, ConsentForm
from tik.cases.reports import GuardianInformed, complete_report, reports_of
from tik.cases.suspicion import WaitingForChildWelfare
from tik.clock import today
from tik.extensions import db
from tik.family.service import set_guardian_identity
from tik.guidebook import guide_of
from tik.guides.engine import DecisionRefused
from tik.timeline.service import timeline

CHILD = {"first_name": "Nora", "last_name": "Lund", "birth_date": "2014-02-03", "gender": "girl",
         "school": "Fjordvik skole", "class_name": "7A",
         "guardians-0-name": "Mona Lund", "guardians-0-relation": "mor", "guardians-0-language": "nb"}
DRAFT = "UTKAST: Nora forteller at far slår henne."
# What the family must never read: the hard stops' labels, the report's ends, and the waiting state's words.
NEVER = ("barnevernet", "Barnevernet", "Akutt fare", "nødrutine", "Meld til", "Melding", "Venter på",
         "UTKAST", "slår")


def _case(ref: str) -> Case:
    db.session.expire_all()
    return db.session.scalar(db.select(Case).where(Case.ref == ref))


def _register_suspicion(client) -> str:
    """A teacher registers a concern through the web, answering "yes" to the suspicion question."""
    start = client.post("/bekymring/ny", data={"acute": "no", "suspicion": "yes"})
    assert start.status_code == 302 and "urgency=suspicion" in start.headers["Location"]
    form = client.get("/bekymring/skjema?urgency=suspicion").get_data(as_text=True)
    key = re.search(r'name="idempotency_key" type="hidden" value="([^"]+)"', form).group(1)
    done = client.post("/bekymring/skjema", data={**CHILD, "urgency": "suspicion", "idempotency_key": key,
                                                    "observation": "Blåmerker på armene.", "report_draft": DRAFT})
    assert done.status_code == 302, done.get_data(as_text=True)[:2000]
    return done.headers["Location"].split("/saker/")[1].split("?")[0]


def _record_guardian(client, ref: str, nin: str = MOTHER_A) -> None:
    """Staff record the guardian's national id for "Min familie" on the case's guardian page."""
    guardian = _case(ref).child.guardians[0]
    saved = client.post(f"/saker/{ref}/foresatte/{guardian.id}/min-familie",
                        data={"nin": nin, "responsibility": "yes"})
    assert saved.status_code == 302, saved.get_data(as_text=True)[:1500]


def _decide(client, ref: str, decision: str, values: dict) -> int:
    return _post_decision(client, ref, decision, values).status_code


def _post_decision(client, ref: str, decision: str, values: dict):
    return client.post(f"/saker/{ref}/beslutning", data=form_data(values, decision, _case(ref).version))


def _family_sees(family, ref: str) -> bool:
    listed = ref in family.get("/min-familie/").get_data(as_text=True)
    page = family.get(f"/min-familie/{ref}").status_code
    assert listed == (page == 200)
    return listed


def _refused_everything_that_faces_the_family(client, ref: str, holder) -> None:
    """The guide offers no family-facing step, and every service facing the family refuses."""
    case = _case(ref)
    view = steps.current_step(case)
    guide = guide_of(case)
    assert view.step.id == guide.child_welfare_wait.id and not view.step.faces_family
    offered = [d for d in view.decisions if d.next]
    assert all(not guide.step(d.next).faces_family for d in offered)
    assert guide.family_ends not in view.decisions  # the family's "no" means talking with the family
    page = client.get(f"/saker/{ref}").get_data(as_text=True)
    assert "Venter på barnevernet" in page
    for decision, values in (("done", TALK_PARENTS), ("level1", DECIDE), ("family_ends", {})):
        assert _decide(client, ref, decision, values) == 422
    with pytest.raises(DecisionRefused):
        steps.decide(_case(ref), "done", TALK_PARENTS, by=holder)
    with pytest.raises(ConsentError, match="waiting_for_child_welfare"):
        record_consent(_case(ref), holder, given_by="Mona Lund", services=["health-nurse"], purpose="Samarbeid",
                       form=ConsentForm.PAPER, given_on=today(), expires_on=today() + timedelta(days=30))
    assert client.get(f"/saker/{ref}/plan.pdf?versjon=familie").status_code == 409
    assert client.get(f"/saker/{ref}/samtykkeskjema.pdf").status_code == 409
    assert client.post(f"/saker/{ref}/plan/delt").status_code == 409
    assert client.get(f"/saker/{ref}/plan.pdf").status_code == 200  # the staff print is not the family's
    with pytest.raises(WaitingForChildWelfare):
        from tik.meetings.service import create_meeting

        create_meeting(holder, title="Møte med familien", starts_at=steps.now() + timedelta(days=2),
                       case=_case(ref), family=[("Mona Lund", "mor")])


def _go_on(client, ref: str, **answer) -> tuple[int, str]:
    """Child welfare's answer recorded and the holder going on: the status and, when refused, why."""
    values = {"cw_answer": "investigating", "family_may_be_told": "yes", "family_told_from": today().isoformat(),
              "answer_note": "Barnevernet undersøker", **answer}
    response = _post_decision(client, ref, "go_on", values)
    page = response.get_data(as_text=True)
    return response.status_code, ("" if response.status_code == 302 else
                                  " ".join(page.split('class="ds-alert"', 1)[-1].split("</div>", 1)[0].split()))


def _family_timeline(family, ref: str) -> str:
    page = family.get(f"/min-familie/{ref}").get_data(as_text=True)
    return page.split('id="family-timeline"')[1].split("</ol>")[0] if 'id="family-timeline"' in page else ""


def test_a_suspicion_concern_waits_for_child_welfare_and_the_family_sees_nothing_until_the_holder_goes_on(
        app, client, login, make_user, family_sso):
    teacher = login(make_user("lektor", service="school", roles=[Role.EMPLOYEE, Role.COORDINATOR]))
    ref = _register_suspicion(client)
    _record_guardian(client, ref)
    assert _case(ref).waiting_since is not None
    mother = family_sign_in(app, family_sso, MOTHER_A)
    assert not _family_sees(mother, ref)
    _refused_everything_that_faces_the_family(client, ref, teacher)
    assert not _family_sees(mother, ref)

    # Child welfare's answer: the holder cannot go on before it says the family may be told, and from when.
    status, why = _go_on(client, ref, family_may_be_told="no")
    assert status == 422 and "Gå videre først når barnevernet har sagt at familien kan få vite om saken." in why
    status, why = _go_on(client, ref, family_told_from=(today() + timedelta(days=3)).isoformat())
    assert status == 422 and "Familien kan ikke få vite om saken før datoen barnevernet har gitt." in why
    assert _case(ref).waiting_since is not None and not _family_sees(mother, ref)
    assert _go_on(client, ref) == (302, "")
    case = _case(ref)
    assert case.waiting_since is None and case.step_id == "l0-concretise"  # on where it was
    assert _family_sees(mother, ref)
    shown = _family_timeline(mother, ref)
    assert "Saken ble startet" in shown
    for never in NEVER + ("Konkretiser", "cw_answer", "family_may_be_told", "Barnevernet undersøker"):
        assert never not in shown, never


def test_the_report_hard_stop_with_a_guardian_not_informed_hides_a_case_the_family_already_saw(
        app, client, login, make_user, family_sso):
    holder = login(make_user("lektor", service="school", roles=[Role.EMPLOYEE, Role.COORDINATOR]))
    start = client.get("/bekymring/skjema?urgency=none").get_data(as_text=True)
    key = re.search(r'name="idempotency_key" type="hidden" value="([^"]+)"', start).group(1)
    done = client.post("/bekymring/skjema", data={**CHILD, "urgency": "none", "idempotency_key": key,
                                                    "observation": "Trøtt i timene."})
    ref = done.headers["Location"].split("/saker/")[1].split("?")[0]
    _record_guardian(client, ref)
    mother = family_sign_in(app, family_sso, MOTHER_A)
    assert not _family_sees(mother, ref)  # nobody has told the family yet
    for decision, values in TO_LEVEL0_DECISION:
        assert not _family_sees(mother, ref)  # steps that do not face the family tell them nothing
        assert _decide(client, ref, decision, values) == 302
    assert _family_sees(mother, ref)  # the parents' conversation is held: the family was told

    assert _decide(client, ref, "report_child_welfare", {}) == 302  # the hard stop: nobody informed first
    case = _case(ref)
    assert case.waiting_since is not None and case.is_open
    assert all(g["informed"] is False for g in reports_of(case)[0].guardians)
    waits = [(e.by_id, e.data["why"]) for e in timeline(case) if e.data.get("action") == "waiting"]
    assert waits == [(holder.id, "hard_stop")]  # on the staff timeline, in the holder's name, with why
    assert not _family_sees(mother, ref)
    _refused_everything_that_faces_the_family(client, ref, holder)

    assert _go_on(client, ref) == (302, "")
    assert _case(ref).step_id == "l0-decide" and _family_sees(mother, ref)
    shown = _family_timeline(mother, ref)
    assert "Samtale med foreldrene" in shown
    for never in NEVER:
        assert never not in shown, never
    letter = mother.get(f"/min-familie/{ref}/brev.pdf")
    assert letter.status_code == 200
    text = pdf_text(letter.data)
    for never in NEVER:
        assert never not in text, never


def test_the_emergency_hard_stop_records_and_leaves_the_case_open_and_not_waiting(client, login, make_user):
    login(make_user("lektor", service="school", roles=[Role.EMPLOYEE, Role.COORDINATOR]))
    start = client.get("/bekymring/skjema?urgency=none").get_data(as_text=True)
    key = re.search(r'name="idempotency_key" type="hidden" value="([^"]+)"', start).group(1)
    done = client.post("/bekymring/skjema", data={**CHILD, "urgency": "none", "idempotency_key": key,
                                                    "observation": "Trøtt i timene."})
    ref = done.headers["Location"].split("/saker/")[1].split("?")[0]
    assert _decide(client, ref, "emergency", {}) == 302
    case = _case(ref)
    assert case.is_open and case.waiting_since is None and case.step_id == "l0-concretise"


def test_a_report_completed_with_a_guardian_not_informed_makes_the_case_wait(make_case, make_user, clock):
    teacher = make_user(service="school")
    case = make_case(by=teacher)
    for decision, values in TO_LEVEL0_DECISION:
        steps.decide(case, decision, values, by=teacher)
    steps.decide(case, "report", DECIDE, by=teacher)  # the ordinary report: whether informed is asked
    assert case.waiting_since is None
    report = reports_of(case)[0]
    complete_report(report, teacher, guardians=[GuardianInformed(g["guardian_id"], False, "Mistanke")
                                                for g in report.guardians],
                    child_told=True, child_not_told_reason="", interpreter_needed=False,
                    interpreter_language="", sent_on=clock.today(), sent_how="ks-fiks", text="Tekst")
    assert case.waiting_since is not None


# -- the property: whatever path a case takes, the family never reads a hard stop or a report ----------------


def _fill(step, draw) -> dict[str, str]:
    values = {}
    for f in step.fields:
        if f.kind == "choice":
            values[f.key] = draw(st.sampled_from([o.key for o in f.options]))
        elif f.kind == "date":
            values[f.key] = today().isoformat()
        elif f.kind == "services":
            values[f.key] = ""
        else:
            values[f.key] = f"Notat {f.key}"
    return values


def _walk_and_read(app, make_case, make_user, family_sso, data, guide_path):
    """Register a concern (perhaps as a suspicion), take random decisions of the guide (every hard stop, step
    and decision can be drawn), complete every report with its text, and read everything the guardian and the
    young person can read: every page, the whole timeline and the letter."""
    from tik.cases.consent import record_consent
    from tik.concerns.models import Urgency
    from tik.concerns.service import ChildInput, ConcernInput, GuardianInput, register_concern

    app.config["TIK_GUIDEBOOK"] = str(guide_path)
    app.extensions.pop("tik_guide", None)
    holder = make_user(service="school", roles=(Role.EMPLOYEE, Role.COORDINATOR))
    born = date(today().year - 16, 1, 2)
    young_nin = valid_nin(born, 600)
    mother_nin = valid_nin(date(1980, 3, 3), 200 + data.draw(st.integers(0, 200)))
    urgency = data.draw(st.sampled_from([Urgency.NONE, Urgency.SUSPICION]))
    case = register_concern(
        ChildInput(first_name="Ung", last_name=f"Test{data.draw(st.integers(0, 10**6))}", birth_date=born,
                   nin=young_nin, guardians=[GuardianInput("Mor Test", "mor", "", "nb")]),
        ConcernInput(observation="Observasjon", urgency=urgency, report_draft=f"{DRAFT} (utkast)"), by=holder).case
    set_guardian_identity(case, holder, case.child.guardians[0].id, nin=mother_nin, responsibility=True)
    guide = guide_of(case)
    labels = {text for d in guide.hard_stops for text in d.label.by_lang.values()}
    labels |= {text for key in ("child_welfare_report", "emergency") for text in guide.ends[key].title.by_lang.values()}
    reports: set[str] = {DRAFT}
    for i in range(data.draw(st.integers(1, 14))):
        case = db.session.get(Case, case.id)
        if not case.is_open:
            break
        view = steps.current_step(case)
        decision = data.draw(st.sampled_from(view.decisions))
        try:
            steps.decide(case, decision.key, _fill(view.step, data.draw), by=holder)
        except DecisionRefused:
            db.session.rollback()
            if data.draw(st.booleans()) and steps.state_of(case).waiting is False:
                record_consent(case, holder, given_by="Ung Test", services=["health-nurse"], purpose="Samarbeid",
                               form=ConsentForm.PAPER, given_on=today(), expires_on=today() + timedelta(days=90),
                               young_person=True)
            continue
        for report in reports_of(case):
            if report.sent_on is None:
                text = f"Meldingstekst {i}: far slår"
                reports.add(text)
                complete_report(report, holder, guardians=[
                    GuardianInformed(g["guardian_id"], data.draw(st.booleans()), "Mistanke")
                    for g in report.guardians], child_told=True, child_not_told_reason="",
                    interpreter_needed=False, interpreter_language="", sent_on=today(), sent_how="ks-fiks",
                    text=text)
    never = labels | reports | {"Venter på barnevernet"}
    for nin in (mother_nin, young_nin):
        family = family_sign_in(app, family_sso, nin)
        read = [family.get("/min-familie/").get_data(as_text=True)]
        for path in ("", "/logg"):
            response = family.get(f"/min-familie/{case.ref}{path}")
            assert response.status_code in (200, 404)
            read.append(response.get_data(as_text=True))
        letter = family.get(f"/min-familie/{case.ref}/brev.pdf")
        if letter.status_code == 200:
            read.append(pdf_text(letter.data))
        for text in read:
            for secret in never:
                assert secret not in text, (secret, nin == young_nin)


PROPERTY = settings(max_examples=12, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@PROPERTY
@given(data=st.data())
def test_the_family_never_reads_a_hard_stop_or_a_report_in_the_default_guidebook(app, make_case, make_user,
                                                                                  family_sso, data):
    _walk_and_read(app, make_case, make_user, family_sso, data, GUIDEBOOK)


WORD = st.text(alphabet="ABCDEFGHIJKLMNOPRSTUVWXYZÆØÅ", min_size=6, max_size=12)


@PROPERTY
@given(data=st.data(), stop=WORD, report=WORD, end=WORD)
def test_the_family_never_reads_a_hard_stop_or_a_report_in_a_generated_guidebook(app, make_case, make_user,
                                                                                 family_sso, tmp_path_factory,
                                                                                 data, stop, report, end):
    """A guidebook with other words for the hard stops and their ends, and family-facing steps drawn anew
    (still passing `tik guide check`): the family reads none of its hard stops either."""
    path = tmp_path_factory.mktemp("variant") / "guidebook"
    shutil.copytree(GUIDEBOOK, path)
    doc = yaml.safe_load((path / "guide.yaml").read_text())
    for hard_stop, word in zip(doc["hard_stops"], (f"STOPP {stop}", f"MELD {report}"), strict=True):
        hard_stop["label"] = {lang: f"{word} {lang}" for lang in ("nb", "nn", "en")}
    for e in doc["ends"]:
        if e["key"] in ("child_welfare_report", "emergency"):
            e["title"] = {lang: f"SLUTT {end} {e['key']} {lang}" for lang in ("nb", "nn", "en")}
    for level in doc["levels"]:
        for step in level["steps"]:
            if step["id"] not in ("l0-register",):
                step["faces_family"] = step.get("faces_family", False) or data.draw(st.booleans())
    (path / "guide.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False))
    _walk_and_read(app, make_case, make_user, family_sso, data, path)
