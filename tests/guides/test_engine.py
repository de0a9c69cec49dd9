"""The guide engine: pure Python, tested alone on the default guidebook."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from tik.guides import engine
from tik.guides.engine import CaseState, DecisionRefused
from tik.guides.loader import load_guide

GUIDEBOOK = Path(__file__).resolve().parents[2] / "guidebook"


@pytest.fixture(scope="module")
def guide():
    return load_guide(GUIDEBOOK)


def _fill(step) -> dict[str, str]:
    values = {}
    for f in step.fields:
        values[f.key] = {"date": "2026-11-01", "choice": f.options[0].key if f.options else "",
                         "services": "school,health-nurse"}.get(f.kind, "tekst")
    return values


def test_engine_imports_nothing_from_flask():
    import subprocess
    import sys

    code = ("import sys, tik.guides.engine, tik.guides.loader, tik.guides.markdown; "
            "print(any(m == 'flask' or m.startswith(('flask.', 'sqlalchemy')) for m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_every_path_through_the_default_guide_reaches_an_end(guide):
    """Explore every decision from every reachable state; each walk must be able to end."""
    consent = frozenset({"school", "health-nurse"})
    start = CaseState(guide.start.id, 0, consent)
    seen: set[tuple[str, int, bool]] = set()
    frontier = [start]
    ends: set[str] = set()
    while frontier:
        state = frontier.pop()
        key = (state.step_id, state.level, bool(state.consented_services), state.waiting)
        if key in seen:
            continue
        seen.add(key)
        if not state.waiting:  # the report hard stop without informing the parents: the case waits from here
            frontier.append(replace(state, waiting=True))
        if state.waiting:
            assert not engine.step_at(guide, state).faces_family, "nothing faces the family while waiting"
            seen.add((engine.step_at(guide, state).id, state.level, bool(state.consented_services), True))
        elif engine.consent_lapsed(guide, state):
            seen.add((guide.consent_withdrawn.id, state.level, False, False))
        elif guide.level(state.level).requires_consent:  # the consent may be withdrawn here
            frontier.append(CaseState(state.step_id, state.level, frozenset()))
        step = engine.step_at(guide, state)
        for decision in (d for d in guide.decisions(step) if not d.hard_stop):  # the family's no too
            try:
                outcome = engine.apply(guide, state, decision.key, _fill(step))
            except DecisionRefused as refused:  # after a withdrawal, level 2 needs a new consent first
                assert refused.code == "consent_required" and not state.consented_services
                continue
            if outcome.end:
                ends.add(outcome.end)
            else:
                frontier.append(outcome.state)
    assert {s for s, _, _, _ in seen} == set(guide.steps), "every step is reachable"
    assert "closed" in ends and "child_welfare_report" in ends
    assert all(engine.paths_to_end(guide).values())


def test_without_consent_a_consent_level_offers_only_the_consent_withdrawn_step(guide):
    lapsed = CaseState("l2-measures", 2, frozenset())
    view = engine.current(guide, lapsed)
    assert view.step.id == "consent-withdrawn"
    assert {d.key for d in view.decisions} == {"level1", "close", "emergency", "report_child_welfare"}
    with pytest.raises(engine.DecisionRefused):
        engine.apply(guide, lapsed, "done", {"plan_summary": "x"})
    back = engine.apply(guide, lapsed, "level1", {"withdrawal_note": "Mor vil ikke mer."})
    assert (back.state.step_id, back.state.level) == ("l1-carry-out", 1)
    assert engine.current(guide, CaseState("l2-measures", 2, frozenset({"ppt"}))).step.id == "l2-measures"
    assert engine.current(guide, CaseState("close-note", 2, frozenset())).step.id == "close-note"  # closing goes on


def test_the_default_guide_has_the_bti_levels_and_hard_stops(guide):
    assert [level.number for level in guide.levels] == [0, 1, 2, 3]
    assert not guide.level(1).requires_consent and guide.level(2).requires_consent
    assert {d.end for d in guide.hard_stops} == {"emergency", "child_welfare_report"}
    assert next(d for d in guide.hard_stops if d.end == "child_welfare_report").inform_parents is False
    assert any(n.number == "112" for n in guide.emergency_numbers)
    assert guide.step("l0-decide").time_frame_days == 14
    assert {"nb", "en"} <= set(guide.languages)


def test_current_step_lists_required_fields_and_allowed_decisions(guide):
    view = engine.current(guide, CaseState("l0-concretise", 0))
    assert view.required == ("observation", "since_when", "how_often")
    keys = [d.key for d in view.decisions]
    assert keys[0] == "done" and "emergency" in keys and "report_child_welfare" in keys


def test_missing_required_fields_are_named(guide):
    with pytest.raises(DecisionRefused) as refused:
        engine.apply(guide, CaseState("l0-concretise", 0), "done", {"observation": "Sover i timene"})
    assert refused.value.code == "missing_fields"
    assert refused.value.params["fields"] == ["since_when", "how_often"]


def test_a_decision_the_step_does_not_offer_is_refused(guide):
    with pytest.raises(DecisionRefused) as refused:
        engine.apply(guide, CaseState("l0-concretise", 0), "level2", {})
    assert refused.value.code == "decision_not_allowed"


def test_closing_at_level_0_needs_a_reason_and_whether_the_family_was_told(guide):
    state = CaseState("l0-decide", 0)
    with pytest.raises(DecisionRefused) as refused:
        engine.apply(guide, state, "close", {"assessment": "Ingen grunn til bekymring"})
    assert refused.value.params["fields"] == ["close_reason", "family_informed"]
    outcome = engine.apply(guide, state, "close", {"assessment": "x", "close_reason": "Forklaring funnet",
                                                   "family_informed": "yes"})
    assert outcome.end == "closed" and outcome.state is None


def test_going_to_level_2_requires_consent(guide):
    values = {"assessment": "Trenger PPT og helsesykepleier"}
    with pytest.raises(DecisionRefused) as refused:
        engine.apply(guide, CaseState("l0-decide", 0), "level2", values)
    assert refused.value.code == "consent_required" and refused.value.params["level"] == 2
    outcome = engine.apply(guide, CaseState("l0-decide", 0, frozenset({"ppt"})), "level2", values)
    assert outcome.state.level == 2 and outcome.level_changed and outcome.step_id == "l2-consent"


def test_level_1_needs_no_consent(guide):
    outcome = engine.apply(guide, CaseState("l0-decide", 0), "level1", {"assessment": "Tiltak i skolen"})
    assert outcome.state == CaseState("l1-clarify", 1)


def test_services_field_must_be_covered_by_consent(guide):
    state = CaseState("l2-consent", 2, frozenset({"ppt"}))
    with pytest.raises(DecisionRefused) as refused:
        engine.apply(guide, state, "done", {"services": "ppt,child-welfare"})
    assert refused.value.code == "services_not_consented" and refused.value.params["services"] == ["child-welfare"]
    assert engine.apply(guide, state, "done", {"services": "ppt"}).step_id == "l2-meeting"


def test_hard_stops_need_no_fields_at_any_step(guide):
    for step in guide.steps.values():
        outcome = engine.apply(guide, CaseState(step.id, step.level or 0), "emergency", {})
        assert outcome.end == "emergency"
        assert engine.apply(guide, CaseState(step.id, 0), "report_child_welfare", {}).end == "child_welfare_report"


def test_choice_and_date_values_are_checked(guide):
    state = CaseState("l0-discuss", 0)
    with pytest.raises(DecisionRefused) as refused:
        engine.apply(guide, state, "done", {"discussed_with": "neighbour", "advice": "x"})
    assert refused.value.code == "invalid_choice"
    with pytest.raises(DecisionRefused) as refused:
        engine.apply(guide, CaseState("l0-talk-child", 0), "done",
                     {"conversation_date": "31.02.2026", "child_words": "hei"})
    assert refused.value.code == "invalid_date"


def test_closing_steps_keep_the_level(guide):
    state = CaseState("l2-evaluate", 2, frozenset({"ppt"}))
    outcome = engine.apply(guide, state, "close", {"evaluation": "Målet er nådd", "child_experience": "Bra"})
    assert outcome.state == CaseState("close-note", 2, frozenset({"ppt"}))


def test_the_digest_changes_when_any_file_changes(guide, tmp_path):
    import shutil

    copy = tmp_path / "guidebook"
    shutil.copytree(GUIDEBOOK, copy)
    assert load_guide(copy).digest == guide.digest
    step_file = copy / "steps" / "l0-concretise.nb.md"
    step_file.write_text(step_file.read_text() + "\nEn ny setning.\n")
    assert load_guide(copy).digest != guide.digest


def test_guidance_markdown_is_rendered_without_raw_html():
    from tik.guides.markdown import render_markdown

    html = render_markdown("# Tittel\n\n<script>alert(1)</script> <img src=x onerror=alert(1)>\n\n"
                           "[lenke](javascript:alert(1))")
    assert "<h1>Tittel</h1>" in html
    assert "<script" not in html and "<img" not in html and 'href="javascript' not in html
    assert "&lt;script&gt;" in html  # shown as text, never run
