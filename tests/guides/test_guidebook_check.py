"""`tik guide check`: each kind of broken guidebook gives its precise error, with file and entry."""

from __future__ import annotations

import pytest
import yaml
from click.testing import CliRunner
from support import GUIDEBOOK, GuidebookCopy

from tik.cli import guide as guide_cli
from tik.guides.loader import check_guide


@pytest.fixture
def broken(tmp_path):
    """A copy of the default guidebook and a way to edit its YAML."""
    return GuidebookCopy(tmp_path / "guidebook")


def _problems(path) -> list[str]:
    guide, problems = check_guide(path)
    assert guide is None
    return [str(p) for p in problems]


def test_the_default_guidebook_passes():
    guide, problems = check_guide(GUIDEBOOK)
    assert problems == [] and guide is not None


def test_unknown_step_reference(broken):
    broken.edit(lambda d: broken.step(d, "l0-discuss")["decisions"][0].update(next="l0-nowhere"))
    assert "guide.yaml: step 'l0-discuss' decision 'done': unknown step 'l0-nowhere'" in _problems(broken.path)


def test_unknown_tool_reference(broken):
    broken.edit(lambda d: broken.step(d, "l0-discuss")["tools"].append("crystal-ball"))
    assert "guide.yaml: step 'l0-discuss': unknown tool 'crystal-ball'" in _problems(broken.path)


def test_unknown_service_in_measures(broken):
    broken.edit(name="measures.yaml", change=lambda d: d["areas"][0]["measures"][0]["services"].append("astrology"))
    key = yaml.safe_load((broken.path / "measures.yaml").read_text())["areas"][0]["measures"][0]["key"]
    assert f"measures.yaml: measure '{key}': unknown service 'astrology'" in _problems(broken.path)


def test_unreachable_step(broken):
    def orphan(d):
        d["levels"][0]["steps"].append({**broken.step(d, "l0-decide"), "id": "l0-orphan", "guidance": "l0-decide"})

    broken.edit(orphan)
    assert "guide.yaml: step 'l0-orphan': unreachable from the start" in _problems(broken.path)


def test_step_with_no_path_to_an_end(broken):
    def loop(d):
        step = broken.step(d, "close-note")
        step["decisions"] = [{"key": "again", "label": {"nb": "Igjen", "nn": "Igjen", "en": "Again"},
                              "next": "close-note"}]

    broken.edit(loop)
    assert "guide.yaml: step 'close-note': no path to an end" in _problems(broken.path)


def test_missing_guidance_file(broken):
    (broken.path / "steps" / "l0-discuss.en.md").unlink()
    problems = _problems(broken.path)
    assert any(p.startswith("steps/l0-discuss.en.md: step 'l0-discuss': missing file") for p in problems)


def test_missing_translation(broken):
    broken.edit(name="services.yaml", change=lambda d: d["services"][1]["offers"].pop("en"))
    key = yaml.safe_load((broken.path / "services.yaml").read_text())["services"][1]["key"]
    assert f"services.yaml: service '{key}': 'offers' has no text in language 'en'" in _problems(broken.path)


def test_duplicate_step_ids(broken):
    broken.edit(lambda d: broken.step(d, "l0-discuss").update(id="l0-concretise"))
    assert "guide.yaml: step 'l0-concretise': duplicate key" in _problems(broken.path)


def test_duplicate_yaml_key_is_not_silently_overwritten(broken):
    file = broken.path / "signals.yaml"
    file.write_text(file.read_text().replace("age_groups:", "age_groups: []\nage_groups:", 1))
    problems = _problems(broken.path)
    assert any(p.startswith("signals.yaml: -: malformed YAML") and "duplicate key 'age_groups'" in p
               for p in problems)


def test_malformed_yaml(broken):
    (broken.path / "services.yaml").write_text("services: [unclosed\n")
    assert any(p.startswith("services.yaml: -: malformed YAML") for p in _problems(broken.path))


def test_missing_yaml_file(broken):
    (broken.path / "measures.yaml").unlink()
    assert "measures.yaml: -: missing file" in _problems(broken.path)


def test_decision_with_both_next_and_end(broken):
    broken.edit(lambda d: broken.step(d, "l0-discuss")["decisions"][0].update(end="closed"))
    assert ("guide.yaml: step 'l0-discuss' decision 'done': a decision needs exactly one of 'next' or 'end'"
            in _problems(broken.path))


def test_several_problems_are_all_listed(broken):
    (broken.path / "tools" / "consent-text.nb.md").unlink()
    broken.edit(lambda d: broken.step(d, "l0-discuss")["decisions"][0].update(next="l9"))
    problems = _problems(broken.path)
    assert len(problems) >= 2


def test_letter_texts_and_emergency_rules_are_checked(broken):
    def change(d: dict) -> None:
        d["texts"]["greeting"] = {"nb": "Hei", "nn": "Hei", "en": "Hi"}
        d["texts"]["closing"] = {"nb": "Hilsen"}
        d["emergency_numbers"] = {"levels": [7], "services": ["astrology"]}

    broken.edit(name="letter.yaml", change=change)
    problems = _problems(broken.path)
    assert any(p.startswith("letter.yaml: text 'greeting': unknown text") for p in problems)
    assert "letter.yaml: text 'closing': 'closing' has no text in language 'nn'" in problems
    assert "letter.yaml: text 'closing': 'closing' has no text in language 'en'" in problems
    assert "letter.yaml: emergency_numbers: unknown level 7" in problems
    assert "letter.yaml: emergency_numbers: unknown service 'astrology'" in problems


def test_without_letter_yaml_the_letter_uses_its_defaults(broken):
    (broken.path / "letter.yaml").unlink()
    guide, problems = check_guide(broken.path)
    assert problems == [] and guide.letter.texts == {} and not guide.letter.needs_emergency_numbers(3, ["bup"])


def test_cli_check_passes_on_the_default_guidebook():
    result = CliRunner().invoke(guide_cli, ["check"])
    assert result.exit_code == 0, result.output
    assert "levels: 4" in result.output and "services: 15" in result.output and "OK" in result.output


def test_cli_check_names_file_and_entry_and_exits_1(broken):
    broken.edit(lambda d: broken.step(d, "l1-consent")["tools"].append("ouija"))
    result = CliRunner().invoke(guide_cli, ["check", str(broken.path)])
    assert result.exit_code == 1
    assert "guide.yaml: step 'l1-consent': unknown tool 'ouija'" in result.output


@pytest.mark.parametrize("kind", ["report", "emergency", "feedback", "details", "participant", "decision"])
def test_the_family_sees_only_kinds_with_family_wording_whatever_the_guidebook_says(broken, kind):
    broken.edit(lambda d: d["family"]["timeline"].append(kind))
    [problem] = [p for p in _problems(broken.path) if "family" in p]
    assert problem.startswith(f"guide.yaml: family.timeline '{kind}': the family never sees this kind of entry")


# -- the suspicion path (docs/family-and-suspicion.md) -------------------------------------------------------


def test_the_report_hard_stop_needs_the_waiting_step(broken):
    broken.edit(lambda d: d.pop("child_welfare_wait"))
    assert ("guide.yaml: child_welfare_wait: the hard stop 'report_child_welfare' does not inform the parents first: "
            "the guide needs the step the case waits at for child welfare") in _problems(broken.path)


def test_the_report_hard_stop_leads_into_waiting_not_to_a_closed_case(broken):
    def closing(d):
        next(e for e in d["ends"] if e["key"] == "child_welfare_report")["closes_case"] = True

    broken.edit(closing)
    assert ("guide.yaml: hard stop 'report_child_welfare': leads into waiting for child welfare, so its end must "
            "leave the case open (closes_case: false)") in _problems(broken.path)


def test_no_family_facing_step_is_reachable_while_waiting(broken):
    def to_the_parents(d):
        d["child_welfare_wait"]["decisions"].append(
            {"key": "talk", "label": {"nb": "Snakk", "nn": "Snakk", "en": "Talk"}, "next": "l0-talk-parents"})

    broken.edit(to_the_parents)
    assert ("guide.yaml: step 'l0-talk-parents': faces the family but can be reached while the case waits for "
            "child welfare") in _problems(broken.path)


def test_a_family_facing_step_two_steps_away_is_found_too(broken):
    def via_closing(d):
        d["child_welfare_wait"]["decisions"].append(
            {"key": "closing", "label": {"nb": "Lukk", "nn": "Lukk", "en": "Close"}, "next": "close-note"})
        broken.step(d, "close-note")["decisions"].append(
            {"key": "family", "label": {"nb": "Familien", "nn": "Familien", "en": "Family"}, "next": "family-ends"})

    broken.edit(via_closing)
    assert ("guide.yaml: step 'family-ends': faces the family but can be reached while the case waits for "
            "child welfare") in _problems(broken.path)


def test_the_waiting_step_itself_must_not_face_the_family(broken):
    broken.edit(lambda d: d["child_welfare_wait"].update(faces_family=True))
    assert ("guide.yaml: step 'waiting-child-welfare': faces the family but can be reached while the case waits "
            "for child welfare") in _problems(broken.path)


def test_the_waiting_step_needs_a_way_to_go_on(broken):
    broken.edit(lambda d: d["child_welfare_wait"].update(
        decisions=[x for x in d["child_welfare_wait"]["decisions"] if not x.get("resume")]))
    assert ("guide.yaml: step 'waiting-child-welfare': waiting for child welfare needs a decision that goes on "
            "(resume: true) once child welfare has answered") in _problems(broken.path)


def test_resume_belongs_only_on_the_waiting_step(broken):
    def resume_elsewhere(d):
        decision = broken.step(d, "l0-discuss")["decisions"][0]
        decision.pop("next")
        decision["resume"] = True

    broken.edit(resume_elsewhere)
    assert ("guide.yaml: step 'l0-discuss' decision 'done': 'resume' belongs only on the child_welfare_wait step"
            in _problems(broken.path))


def test_faces_family_is_true_or_false(broken):
    broken.edit(lambda d: broken.step(d, "l0-talk-parents").update(faces_family="yes"))
    assert "guide.yaml: step 'l0-talk-parents': 'faces_family' must be true or false" in _problems(broken.path)


def test_family_timeline_kinds_are_checked(broken):
    broken.edit(lambda d: d["family"]["timeline"].extend(["gossip", "consent"]))
    problems = _problems(broken.path)
    assert any(p.startswith("guide.yaml: family.timeline 'gossip': unknown kind of entry (one of concern,")
               for p in problems)
    assert "guide.yaml: family.timeline 'consent': named twice" in problems
    broken.edit(lambda d: d.update(family={"timeline": "consent", "colour": "blue"}))
    problems = _problems(broken.path)
    assert "guide.yaml: family.timeline: must be a list of timeline entry kinds" in problems
    assert "guide.yaml: family.colour: unknown setting" in problems


def test_without_a_family_section_the_family_sees_no_timeline(broken):
    broken.edit(lambda d: d.pop("family"))
    guide, problems = check_guide(broken.path)
    assert problems == [] and guide.family_timeline == frozenset()
    assert "consent" in check_guide(GUIDEBOOK)[0].family_timeline
