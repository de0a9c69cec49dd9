"""The timeline's words in one place: every kind of entry has a describer, and the templates ask it."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from types import SimpleNamespace

from tik.cases.models import EventKind
from tik.timeline.describe import DESCRIBERS, describe

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def _event(kind, data, by=None, step_id="", decision=""):
    return SimpleNamespace(kind=kind, data=data, by=by, step_id=step_id, decision=decision, level=1,
                           at=datetime(2026, 11, 20, 9, 0))


def test_every_kind_of_entry_has_words():
    assert set(DESCRIBERS) == set(EventKind)


def test_the_timeline_template_decodes_no_event_data():
    text = (TEMPLATES / "cases" / "_timeline.html").read_text(encoding="utf-8")
    assert "describe(e" in text
    assert "e.data" not in text and "e.kind.value ==" not in text


def test_describe_says_who_and_what(app):
    from tik.guidebook import current_guide

    with app.test_request_context():
        guide = current_guide()
        service = next(iter(guide.services))
        given = describe(_event(EventKind.CONSENT, {"action": "given", "services": [service, "gone"],
                                                    "by_family": "guardian"}), guide, "nb")
        assert given.by == "Familien"
        assert given.text == f"Samtykke gitt digitalt av foresatte: {guide.services[service].name.get('nb')}, gone"
        declined = describe(_event(EventKind.HANDOVER, {"action": "declined", "to_user": "Per", "reason": "Ferie"},
                                   by=SimpleNamespace(name="Kari")), guide, "nb")
        assert (declined.by, declined.text) == ("Kari", "Per takket nei: Ferie")
        words = describe(_event(EventKind.FAMILY, {"who": "young_person", "text": "Jeg vil"}), guide, "nb")
        assert (words.text, words.quote) == ("Ungdommen før møtet", "Jeg vil")
        step = next(s for s in guide.steps.values() if guide.decisions(s))
        decision = guide.decisions(step)[0]
        taken = describe(_event(EventKind.STEP, {"fields": {"unknown": "x"}, "meeting_id": 4}, step_id=step.id,
                                decision=decision.key), guide, "nb")
        assert taken.text == f"{step.title.get('nb')} – {decision.label.get('nb')}"
        assert taken.meeting_id == 4 and [(f.label, f.value) for f in taken.fields] == [("unknown", "x")]


def test_user_text_in_an_entry_is_text_on_the_page(app):
    from flask import render_template

    from tik.guidebook import current_guide

    with app.test_request_context():
        html = render_template("cases/_timeline.html", guide=current_guide(), L="nb", show_fields=True,
                               timeline=[_event(EventKind.FAMILY, {"who": "guardian", "text": "<b>Vi</b>"})])
    assert '<q class="tik-quote">&lt;b&gt;Vi&lt;/b&gt;</q>' in html and "<b>" not in html
