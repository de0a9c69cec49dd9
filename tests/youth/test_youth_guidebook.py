"""guidebook/youth.yaml is checked by `tik guide check`: each fault is named with its file and entry."""

from __future__ import annotations

from support import GuidebookCopy

from tik.guides.youth import check_youth


def problems(copy: GuidebookCopy) -> list[str]:
    from tik.guides.loader import load_guide

    guide = load_guide(copy.path)
    return [str(p) for p in check_youth(copy.path, guide.languages, set(guide.services))]


def test_the_bundled_youth_file_is_valid(tmp_path):
    assert problems(GuidebookCopy(tmp_path / "g")) == []


def test_faults_are_named_with_file_and_entry(tmp_path):
    copy = GuidebookCopy(tmp_path / "g")

    def break_it(data):
        data["unit_services"] = ["no-such-service"]
        data["risk_words"].pop("nn")
        data["national_lines"] = [dict(line, emergency=False) for line in data["national_lines"]]
        data["retention_days"] = 0
        data["opening_hours"]["from"] = "8"
        data["templates"][0]["text"].pop("en")

    copy.edit(break_it, "youth.yaml")
    found = problems(copy)
    for expected in ("youth.yaml: unit_services/share_with: unknown service 'no-such-service'",
                     "youth.yaml: risk_words.nn: must list words for every language",
                     "youth.yaml: national_lines: must have at least one emergency line",
                     "youth.yaml: retention_days: must be a whole number of at least 1",
                     "youth.yaml: opening_hours.from: must be a time HH:MM",
                     "youth.yaml: templates 'thanks' text: missing language 'en'"):
        assert expected in found


def test_tik_guide_check_fails_on_a_broken_youth_file(tmp_path, runner):
    copy = GuidebookCopy(tmp_path / "g")
    (copy.path / "youth.yaml").write_text("promise: [unclosed\n")
    result = runner.invoke(args=["guide", "check", str(copy.path)])
    assert result.exit_code == 1 and "youth.yaml: -: not valid YAML" in result.output


def test_a_guidebook_without_youth_yaml_is_valid_and_has_no_door(tmp_path, runner, app, client):
    copy = GuidebookCopy(tmp_path / "g")
    (copy.path / "youth.yaml").unlink()
    assert problems(copy) == []
    assert runner.invoke(args=["guide", "check", str(copy.path)]).exit_code == 0
    assert client.get("/ung/").status_code == 200  # the bundled guidebook opens the door
    app.config["TIK_GUIDEBOOK"] = str(copy.path)
    app.extensions.pop("tik_youth_door", None)
    assert client.get("/ung/").status_code == 404
    assert client.get("/ung/ikke-trygg").status_code == 404


def test_risk_words_are_found_whatever_the_case_and_spacing(app):
    from tik.youth.service import youth

    assert youth().risky("Jeg vil  TA LIVET\nmitt")
    assert not youth().risky("Jeg vil ta en tur")
