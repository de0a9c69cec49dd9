"""The demo's youth door: a certified youth operator and a professional on duty, each with their logins
printed, and a "not safe" conversation first in the professional's inbox."""

from __future__ import annotations

from devkit import demo
from tik.extensions import db
from tik.youth.models import OperatorCertificate, YouthConversation


def test_the_demo_has_a_youth_operator_and_a_professional_on_duty(app, client):
    assert demo.load() is True
    text = demo.logins_text()
    assert "ungdomsveileder" in text and "youth_operator" in text
    assert "fagperson-ung" in text and "youth_professional" in text
    assert db.session.scalars(db.select(OperatorCertificate)).one().course.startswith("Ungdomsveileder")

    flagged = db.session.scalars(db.select(YouthConversation).where(YouthConversation.not_safe)).one()
    db.session.commit()
    response = client.post("/login", data={"username": "fagperson-ung", "password": demo.DEMO_PASSWORD})
    assert response.status_code == 302
    inbox = client.get("/ung/innboks").get_data(as_text=True)
    assert inbox.index(f"/ung/innboks/{flagged.id}\"") < inbox.index("/ung/innboks/1\"")
    assert 'data-assigned="Sara Lind"' in inbox  # the answered one: Sara took it
