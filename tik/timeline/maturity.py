"""Whether the child consents themself: from the guidebook's consent age, or, where the guidebook judges
maturity instead (guide.yaml: consent.below: maturity), from the latest judgement on the case's timeline
(recorded by tik.cases.consent.judge_maturity). Here, below the plan and the case, so both can ask."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from tik.cases.models import Case, CaseEvent, EventKind
from tik.extensions import db
from tik.guidebook import guide_of

MATURITY = "maturity"  # the timeline action of a maturity judgement (a CONSENT entry)


def maturity_of(case: Case) -> CaseEvent | None:
    """The case's latest maturity judgement (its `data` holds `mature` and `reason`), or None."""
    return db.session.scalar(
        select(CaseEvent).where(CaseEvent.case_id == case.id, CaseEvent.kind == EventKind.CONSENT)
        .where(CaseEvent.data["action"].as_string() == MATURITY)
        .order_by(CaseEvent.at.desc(), CaseEvent.id.desc()).limit(1))


def consents_themself(case: Case, on: date) -> bool:
    """Whether the child must give (or sign) the consent themself on `on`: from the guidebook's consent age, or,
    where the guidebook judges maturity instead, when staff's latest judgement found the child mature."""
    guide = guide_of(case)
    if guide.of_consent_age(case.child.birth_date, on):
        return True
    judged = maturity_of(case) if guide.judges_maturity(case.child.birth_date, on) else None
    return judged is not None and bool(judged.data.get("mature"))


def adult_consents_alone(case: Case, on: date) -> bool:
    """Whether a consent in force on `on` is the young adult's own, given alone: by the young person at an age
    from which they consent without guardians (guide.yaml: consent.adult_alone_from). The guardians then have
    no part in it, and the family's copy of the plan is addressed to the young adult (tik/plans/letter.py)."""
    guide = guide_of(case)
    return any(c.young_person and c.is_active(on) and guide.consents_alone(case.child.birth_date, c.given_on)
               for c in case.consents)
