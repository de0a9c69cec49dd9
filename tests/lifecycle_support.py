"""A case with something in every table, closed through the guidebook's close-note step (shared by the
lifecycle tests)."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from flows import DECIDE, TO_LEVEL0_DECISION, TODAY

from tik import clock
from tik.auth.models import Role
from tik.cases.handover import propose_handover
from tik.cases.models import Case
from tik.cases.participants import invite_participant
from tik.cases.steps import decide
from tik.extensions import db
from tik.meetings import service as meetings
from tik.plans import service as plans
from tik.plans.models import GoalReached, MeasureStatus, NextAction

CLOSE_NOTE = {"end_reason": "goals_reached", "closing_note": "Målene er nådd, Emma trives.",
              "what_helped": "Fast voksen om morgenen.", "family_informed": "yes", "family_agreed": "yes",
              "archived_where": "Elevmappen"}
TO_CLOSE = TO_LEVEL0_DECISION + [
    ("level1", DECIDE),
    ("done", {"meeting_date": TODAY, "shared_understanding": "Vi ser det samme.", "child_words": "«Jeg er trøtt.»"}),
    ("done", {}), ("done", {}), ("done", {"plan_summary": "Fast voksen om morgenen."}),
    ("done", {"progress": "Bedre."}),
    ("close", {"evaluation": "Målene er nådd.", "child_experience": "«Det er bedre nå.»"}),
]


def rich_case(make_case, make_user, give_consent, first_name: str = "Emma", last_name: str | None = None,
              **child):
    """A level-1 case with a consent, a participant, a measure, a network meeting and a pending handover,
    standing at the close-note step. Returns (case, holder, participant, colleague)."""
    holder = make_user(roles=[Role.EMPLOYEE, Role.COORDINATOR], name="Holder Hansen")
    participant = make_user(name="Deltaker Dahl")
    colleague = make_user(roles=[Role.EMPLOYEE, Role.COORDINATOR], name="Kollega Kvam")
    case = make_case(by=holder, first_name=first_name, last_name=last_name, **child)
    give_consent(case, holder, ["health-nurse"])
    invite_participant(case, participant, holder)
    measure = None
    for decision, values in TO_CLOSE:
        if case.step_id == "l1-measures":  # the plan step needs a dated measure with an owner
            measure = plans.add_measure(case, holder, plans.MeasureInput(
                service_key="school", responsible="Holder Hansen", what="Fast morgenvoksen", goal="Trygg start",
                start_on=clock.today(), evaluate_on=clock.today() + timedelta(days=30),
                status=MeasureStatus.ACTIVE))
        decide(case, decision, values, by=holder)
    plans.evaluate_measure(case, measure, holder, plans.EvaluationInput(  # freezes revision 1
        evaluated_on=clock.today(), goal_reached=GoalReached.YES, child_experience="«Morgenene er bedre.»",
        next_action=NextAction.CONTINUE, next_evaluate_on=clock.today() + timedelta(days=60)))
    with current_app.test_request_context():  # the meeting's role names are translated
        meetings.create_meeting(holder, title="Ansvarsgruppe", starts_at=datetime(2026, 12, 10, 9, 0), case=case,
                                family=[("Kari Hansen", "mor")])
    propose_handover(case, colleague, holder, note="Ferie")
    return db.session.get(Case, case.id), holder, participant, colleague


def close(case, holder):
    """Take the guidebook's close-note step with every field."""
    assert case.step_id == "close-note"
    decide(case, "close", CLOSE_NOTE, by=holder)
    return case
