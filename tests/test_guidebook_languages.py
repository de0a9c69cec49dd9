"""The guidebook in the user's language: a nynorsk user reads nynorsk guidance, tools, decisions, field labels,
signals, services and measures; bokmål is the fallback only where the guidebook lacks the language."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from tik.guides.loader import check_guide, load_guide

GUIDEBOOK = Path(__file__).resolve().parent.parent / "guidebook"


@pytest.fixture
def book(tmp_path):
    copy = tmp_path / "guidebook"
    shutil.copytree(GUIDEBOOK, copy)
    return copy


def _languages(book: Path, languages: list[str]) -> None:
    file = book / "guide.yaml"
    data = yaml.safe_load(file.read_text())
    data["languages"] = languages
    file.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))


def test_markdown_in_a_language_not_listed_is_still_used(book):
    _languages(book, ["nb", "en"])
    (book / "steps" / "l0-decide.nn.md").write_text("# Avgjer\n\nAvgjer innan {deadline_days} dagar.\n")
    (book / "tools" / "evaluation-guide.nn.md").unlink(missing_ok=True)
    guide = load_guide(book)
    assert guide.guidance["l0-decide"].get("nn") == "# Avgjer\n\nAvgjer innan 14 dagar.\n"
    # no nynorsk file: the bokmål text, not nothing and not English
    tool = guide.tools["evaluation-guide"].body
    assert tool.get("nn") == tool.get("nb") and tool.get("nb").startswith("#")


def test_a_listed_language_is_required_in_every_text_and_file(book):
    _languages(book, ["nb", "nn", "en"])
    (book / "steps" / "l0-decide.nn.md").unlink(missing_ok=True)
    file = book / "services.yaml"
    data = yaml.safe_load(file.read_text())
    data["services"][0]["offers"].pop("nn", None)
    file.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    guide, problems = check_guide(book)
    found = [str(p) for p in problems]
    assert guide is None
    assert "steps/l0-decide.nn.md: step 'l0-decide': missing file (referenced from guide.yaml)" in found
    assert "services.yaml: service 'kindergarten': 'offers' has no text in language 'nn'" in found
