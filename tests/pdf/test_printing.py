"""Printing never changes state, and every print is audited with its version, language and revision."""

from __future__ import annotations

from sqlalchemy import func, select

from tik.audit.models import AuditEvent
from tik.concerns.service import GuardianInput
from tik.extensions import db
from tik.plans import service as plans
from tik.plans.models import Plan, PlanRevision


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_family_pdf_get_creates_no_plan_and_freezes_nothing(client, login, make_user, make_case):
    holder = login(make_user())
    case = make_case(by=holder)
    assert client.get(f"/saker/{case.ref}/plan.pdf?versjon=familie").status_code == 200
    assert _count(Plan) == 0 and _count(PlanRevision) == 0
    plans.update_plan(case, holder, goals="Mål", child_voice="", parents_voice="")
    for _ in range(2):
        assert client.get(f"/saker/{case.ref}/plan.pdf?versjon=familie").status_code == 200
    db.session.expire_all()
    plan = plans.plan_of(case)
    assert not plan.shared and plan.revision == 1 and _count(PlanRevision) == 0


def test_sharing_with_the_family_is_an_explicit_post_that_freezes(client, login, make_user, make_case):
    holder = login(make_user())
    case = make_case(by=holder)
    plans.update_plan(case, holder, goals="Første mål", child_voice="", parents_voice="")
    assert client.get(f"/saker/{case.ref}/plan/delt").status_code == 405
    assert client.post(f"/saker/{case.ref}/plan/delt").status_code == 302
    db.session.expire_all()
    assert plans.plan_of(case).shared and [r.number for r in plans.revisions(plans.plan_of(case))] == [1]


def test_each_print_is_audited_with_its_version_language_and_revision(client, login, make_user, make_case):
    holder = login(make_user())
    case = make_case(by=holder, guardians=[GuardianInput("Sarah Smith", "mother", "", "en")])
    plans.update_plan(case, holder, goals="Mål", child_voice="", parents_voice="")
    plans.share_with_family(case, holder)
    client.get(f"/saker/{case.ref}/plan.pdf")
    client.get(f"/saker/{case.ref}/plan.pdf?versjon=familie")
    client.get(f"/saker/{case.ref}/plan.pdf?versjon=familie&lang=nn")
    client.get(f"/saker/{case.ref}/plan/revisjon/1.pdf?versjon=familie")
    details = db.session.scalars(select(AuditEvent.detail).where(AuditEvent.action == "plan.print")
                                 .order_by(AuditEvent.id)).all()
    assert details == ["staff nb rev 1", "family en rev 1", "family nn rev 1", "family en rev 1"]
