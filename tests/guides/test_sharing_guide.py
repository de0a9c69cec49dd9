"""`tik guide check` on what bounds sharing: a level that involves other services must require consent, and
sharing.yaml's child welfare service, information kinds and withholding grounds must be well formed."""

from __future__ import annotations

import pytest
from support import GUIDEBOOK, GuidebookCopy

from tik.guides.loader import check_guide


@pytest.fixture
def broken(tmp_path):
    return GuidebookCopy(tmp_path / "guidebook")


def _problems(path) -> list[str]:
    guide, problems = check_guide(path)
    assert guide is None
    return [str(p) for p in problems]


def _level(data: dict, number: int) -> dict:
    return next(lv for lv in data["levels"] if lv["level"] == number)


def test_the_default_guidebook_declares_what_sharing_needs():
    guide, problems = check_guide(GUIDEBOOK)
    assert problems == []
    assert guide.child_welfare_service == "child-welfare"
    assert [k.key for k in guide.information_kinds] == [
        "concern-and-observations", "conversations-with-the-child", "conversations-with-the-parents",
        "plan-and-measures", "health", "school"]
    assert {g.key for g in guide.withholding_grounds} >= {"third-party", "child-safety"}
    assert [lv.number for lv in guide.levels if lv.involves_other_services] == [2, 3]


@pytest.mark.parametrize("number", [2, 3])
def test_a_level_involving_other_services_without_consent_is_refused(broken, number):
    broken.edit(lambda d: _level(d, number).update(requires_consent=False))
    assert (f"guide.yaml: level {number}: involves other services, so it needs 'requires_consent: true'"
            in _problems(broken.path))


def test_a_level_that_records_a_consent_involves_other_services_even_unsaid(broken):
    """Level 2 asks which services a consent covers: dropping its flag does not switch the rule off."""
    broken.edit(lambda d: _level(d, 2).update(requires_consent=False, involves_other_services=False))
    assert ("guide.yaml: level 2: involves other services, so it needs 'requires_consent: true'"
            in _problems(broken.path))


def test_an_unknown_child_welfare_service_is_refused(broken):
    broken.edit(name="sharing.yaml", change=lambda d: d.update(child_welfare_service="astrology"))
    assert "sharing.yaml: child_welfare_service: unknown service 'astrology'" in _problems(broken.path)


def test_an_information_kind_showing_unknown_content_is_refused(broken):
    broken.edit(name="sharing.yaml", change=lambda d: d["information_kinds"][0]["shows"].append("horoscope"))
    problems = _problems(broken.path)
    assert any(p.startswith("sharing.yaml: information kind 'concern-and-observations': unknown content "
                            "'horoscope'") for p in problems)


def test_a_withholding_ground_needs_a_label_in_every_language(broken):
    broken.edit(name="sharing.yaml", change=lambda d: d["withholding_grounds"][0]["label"].pop("nn"))
    assert ("sharing.yaml: withholding ground 'third-party': 'label' has no text in language 'nn'"
            in _problems(broken.path))
