"""The guidebook as data (issue 15): numbers in texts come from the data, every step's time frame gives a
deadline on "Min side", the safety invariants are enforced, and malformed values are problems, not tracebacks."""

from __future__ import annotations

from datetime import timedelta

import pytest
from click.testing import CliRunner
from support import GUIDEBOOK, GuidebookCopy

from tik import clock
from tik.cli import guide as guide_cli
from tik.guides.loader import check_guide, load_guide


@pytest.fixture
def book(tmp_path):
    return GuidebookCopy(tmp_path / "guidebook")


def _variant(book) -> None:
    """21-day decision, an extra level 0 step with its own 7-day frame, consent age 16."""
    def change(data):
        data["consent_age"] = 16
        level0 = data["levels"][0]["steps"]
        book.step(data, "l0-decide")["time_frame_days"] = 21
        book.step(data, "l0-discuss")["decisions"][0]["next"] = "l0-network"
        extra = {"id": "l0-network",
                 "title": {"nb": "Sjekk nettverket", "nn": "Sjekk nettverket", "en": "Check the network"},
                 "role": "employee", "guidance": "l0-network", "tools": [], "time_frame_days": 7, "fields": [],
                 "decisions": [{"key": "done", "label": {"nb": "Ferdig", "nn": "Ferdig", "en": "Done"},
                               "next": "l0-talk-child"}]}
        level0.insert(level0.index(book.step(data, "l0-talk-child")), extra)
    book.edit(change)
    (book.path / "steps" / "l0-network.nb.md").write_text("# Nettverk\n\nGjør dette innen {time_frame_days} dager. "
                                                          "Ungdom fra {consent_age} år samtykker selv.\n")
    (book.path / "steps" / "l0-network.nn.md").write_text("# Nettverk\n\nGjer dette innan {time_frame_days} dagar.\n")
    (book.path / "steps" / "l0-network.en.md").write_text("# Network\n\nDo this within {time_frame_days} days.\n")


def test_the_default_guide_prints_its_numbers_from_the_data():
    guide = load_guide(GUIDEBOOK)
    assert guide.deadline_days == 14 and guide.consent_age == 15 and guide.report_feedback_days == 21
    assert "innen 14 dager" in guide.level(0).summary.get("nb")
    assert "innan 14 dagar" in guide.level(0).summary.get("nn")
    assert "senest 14 dager" in guide.guidance["l0-decide"].get("nb")
    assert "seinast 14 dagar" in guide.guidance["l0-decide"].get("nn")
    assert "innen 14 dager" in guide.guidance["l2-meeting"].get("nb")  # the step's own time frame
    assert "{" not in "".join(t.get(lang) for t in guide.guidance.values() for lang in guide.languages)


def test_a_variant_guidebook_shows_its_numbers_in_the_rendered_guidance(book):
    _variant(book)
    guide, problems = check_guide(book.path)
    assert problems == []
    assert guide.deadline_days == 21 and guide.consent_age == 16
    assert "innen 21 dager" in guide.level(0).summary.get("nb")
    assert "innan 21 dagar" in guide.level(0).summary.get("nn")
    assert "senest 21 dager" in guide.guidance["l0-decide"].get("nb")
    assert "Fra 16 år" in guide.guidance["l2-consent"].get("nb")
    assert "Frå 16 år" in guide.guidance["l2-consent"].get("nn")
    assert "innen 7 dager" in guide.guidance["l0-network"].get("nb")
    assert "innan 7 dagar" in guide.guidance["l0-network"].get("nn")
    assert "16 år" in guide.services["school"].consent.get("nb")


def test_a_variant_guidebook_gives_its_deadlines_on_min_side(app, book, client, login, make_user, move_case):
    """Through the web: the variant's texts on the case page, and its 7- and 21-day deadlines on "Min side"."""
    from flows import CONCRETISE, DISCUSS

    from tik.concerns.service import ChildInput, ConcernInput, register_concern

    _variant(book)
    app.config["TIK_GUIDEBOOK"] = str(book.path)
    app.extensions.pop("tik_guide", None)
    try:
        teacher = login(make_user("variant", service="school"))
        case = register_concern(ChildInput("Ola", "Variant", clock.today() - timedelta(days=3000)),
                                ConcernInput("Sover i timene."), by=teacher).case
        opened = case.opened_at.date()
        assert case.deadline == opened + timedelta(days=21)
        page = client.get("/min-side").get_data(as_text=True)
        assert case.ref in page and (opened + timedelta(days=21)).strftime("%d.%m.%Y") in page
        move_case(case, teacher, [("done", CONCRETISE), ("done", DISCUSS)])
        assert case.step_id == "l0-network" and case.deadline == clock.today() + timedelta(days=7)
        page = client.get("/min-side").get_data(as_text=True)
        assert (clock.today() + timedelta(days=7)).strftime("%d.%m.%Y") in page
        step = client.get(f"/saker/{case.ref}").get_data(as_text=True)
        assert "innen 7 dager" in step and "Ungdom fra 16 år" in step
        move_case(case, teacher, [("done", {})])
        assert case.step_id == "l0-talk-child" and case.deadline == opened + timedelta(days=21)
    finally:
        app.extensions.pop("tik_guide", None)


def test_an_unknown_placeholder_is_a_problem_with_file_and_entry(book):
    text = (book.path / "steps" / "l0-decide.nb.md").read_text()
    (book.path / "steps" / "l0-decide.nb.md").write_text(text + "\nInnen {frist_dager} dager.\n")
    assert any(p.startswith("steps/l0-decide.nb.md: step 'l0-decide': unknown placeholder '{frist_dager}'")
               for p in book.problems())


def test_a_step_placeholder_without_a_time_frame_is_a_problem(book):
    book.edit(lambda d: book.step(d, "l2-meeting").pop("time_frame_days"))
    assert ("steps/l2-meeting.nb.md: step 'l2-meeting': placeholder '{time_frame_days}' has no value here"
            in book.problems())


@pytest.mark.parametrize("change, expected", [
    (lambda b, d: d.update(consent_age="femten"), "guide.yaml: consent_age: 'consent_age' must be a whole number"),
    (lambda b, d: b.step(d, "l1-carry-out").update(time_frame_days="six weeks"),
     "guide.yaml: step 'l1-carry-out': 'time_frame_days' must be a whole number"),
    (lambda b, d: b.step(d, "l1-carry-out").update(time_frame_days=-3),
     "guide.yaml: step 'l1-carry-out': 'time_frame_days' must be at least 1"),
    (lambda b, d: d["levels"][1].update(level="one"), "guide.yaml: level one: 'level' must be a whole number"),
    (lambda b, d: d.update(report_feedback_days=[21]), "guide.yaml: report_feedback_days: 'report_feedback_days'"),
    (lambda b, d: b.step(d, "l0-decide").update(tools="five-steps-to-report"),
     "guide.yaml: step 'l0-decide': 'tools' must be a list"),
    (lambda b, d: b.step(d, "l0-concretise")["fields"][0].update(carry="concern.nothing"),
     "guide.yaml: step 'l0-concretise' field 'observation': unknown carry 'concern.nothing'"),
])
def test_malformed_values_are_problems_not_tracebacks(book, change, expected):
    book.edit(lambda d: change(book, d))
    assert any(p.startswith(expected) for p in book.problems()), book.problems()


def test_malformed_ages_and_measure_levels_are_problems(book):
    book.edit(lambda d: d["age_groups"][0].update(ages=["null", 5]), "signals.yaml")
    book.edit(lambda d: d["areas"][0]["measures"][0].update(levels=["one"]), "measures.yaml")
    problems = book.problems()
    assert any(p.startswith("signals.yaml: age group") and "'ages' must be a whole number" in p for p in problems)
    assert any(p.startswith("measures.yaml: measure") and "'levels' must be a whole number" in p for p in problems)


# -- the safety invariants -------------------------------------------------------------------------------

def test_removing_the_emergency_hard_stop_is_refused(book):
    book.edit(lambda d: d.update(hard_stops=[h for h in d["hard_stops"] if h["end"] != "emergency"]))
    assert any("the hard stop ending in 'emergency' is missing" in p for p in book.problems())


def test_removing_the_report_hard_stop_is_refused(book):
    book.edit(lambda d: d.update(hard_stops=[h for h in d["hard_stops"] if h["end"] != "child_welfare_report"]))
    assert any("the hard stop ending in 'child_welfare_report' is missing" in p for p in book.problems())


def test_a_hard_stop_that_leads_to_a_step_is_refused(book):
    def change(d):
        stop = next(h for h in d["hard_stops"] if h["end"] == "emergency")
        stop.pop("end")
        stop["next"] = "l0-discuss"
    book.edit(change)
    assert any("a hard stop must end the path at once" in p for p in book.problems())


def test_the_report_hard_stop_may_never_inform_the_parents_first(book):
    book.edit(lambda d: next(h for h in d["hard_stops"] if h["end"] == "child_welfare_report").update(
        inform_parents=True))
    assert ("guide.yaml: hard stop 'report_child_welfare': the report hard stop must never inform the parents "
            "first (inform_parents: false)") in book.problems()


def test_no_step_at_level_2_before_a_consent_step(book):
    book.edit(lambda d: next(x for x in book.step(d, "l0-decide")["decisions"] if x["key"] == "level2").update(
        next="l2-meeting"))
    assert ("guide.yaml: step 'l0-decide' decision 'level2': leads to level 2 at 'l2-meeting' without a consent "
            "step first") in book.problems()


def test_no_step_at_level_3_before_a_consent_step(book):
    book.edit(lambda d: next(x for x in book.step(d, "l1-evaluate")["decisions"] if x["key"] == "level2").update(
        next="l3-team"))
    assert any("step 'l1-evaluate' decision 'level2': leads to level 3 at 'l3-team' without a consent step" in p
               for p in book.problems())


def test_the_check_command_lists_the_safety_problems(book):
    book.edit(lambda d: d.update(hard_stops=[h for h in d["hard_stops"] if h["end"] != "emergency"]))
    result = CliRunner().invoke(guide_cli, ["check", str(book.path)])
    assert result.exit_code != 0 and "emergency' is missing" in result.output
    assert "Traceback" not in result.output
