"""Retention: a closed case's working copy goes a set time after closing, only after an archive print and never
under a legal hold; an anonymised statistics row stays and the audit chain still verifies."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from lifecycle_support import close, rich_case
from sqlalchemy import func, select

from devkit import demo
from tik import clock
from tik.audit.models import AuditEvent
from tik.audit.service import verify
from tik.cases.models import Case, CaseEvent, CaseParticipant, ChildWelfareReport, Consent, ConsentService, Handover
from tik.concerns.models import Child, Concern, Guardian
from tik.extensions import db
from tik.guidebook import guide_of
from tik.lifecycle import service as life
from tik.lifecycle.archive import print_archive
from tik.lifecycle.models import ArchivePrint, CaseStatistic
from tik.lifecycle.record import case_rows
from tik.lifecycle.retention import add_months, plan_retention
from tik.meetings.models import AgendaItem, Meeting, Participant
from tik.plans.models import Measure, Plan, PlanRevision
from tik.stats.refresh import age_group_of

CONTENT = (Case, Child, Guardian, Concern, CaseEvent, CaseParticipant, Consent, ConsentService, Handover, Plan,
           Measure, PlanRevision, Meeting, Participant, AgendaItem, ArchivePrint, ChildWelfareReport)


def _counts() -> dict[str, int]:
    db.session.expire_all()
    return {m.__name__: db.session.scalar(select(func.count()).select_from(m)) for m in CONTENT}


def _run(runner, *args) -> str:
    result = runner.invoke(args=["retention", "run", *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_retention_waits_for_the_archive_print_and_the_period_and_respects_a_legal_hold(runner, make_case,
                                                                                         make_user, give_consent):
    start = clock.now()
    case, holder, *_ = rich_case(make_case, make_user, give_consent)
    close(case, holder)
    ref, due = case.ref, add_months(case.closed_at.date(), 24)
    other, other_holder, *_ = rich_case(make_case, make_user, give_consent, first_name="Ola")  # stays open

    clock.travel(due + timedelta(days=1))
    before = _counts()
    assert f"{ref}\t" in (out := _run(runner, "--dry-run")) and "ingen arkivutskrift" in out
    assert _run(runner) and _counts() == before  # nothing is deleted without an archive print

    clock.travel(start)
    print_archive(db.session.get(Case, case.id), holder)
    assert "fristen er ikke passert" in _run(runner, "--dry-run")
    assert [c.action for c in plan_retention(due - timedelta(days=1))] == ["not_due"]

    life.set_legal_hold(db.session.get(Case, case.id), True, "Tilsynssak", holder)
    clock.travel(due + timedelta(days=1))
    assert "rettslig bevaring" in _run(runner, "--dry-run")
    _run(runner)
    assert db.session.scalar(select(Case.id).where(Case.ref == ref)) is not None

    clock.travel(start)
    life.set_legal_hold(db.session.get(Case, case.id), False, "", holder)
    clock.travel(due + timedelta(days=1))
    before = _counts()
    out = _run(runner, "--dry-run")
    assert "slettes" in out and "1 sak(er) ville blitt slettet" in out and _counts() == before
    assert "1 sak(er) slettet" in _run(runner)


def test_a_run_deletes_the_content_keeps_a_statistics_row_and_the_chain_verifies(runner, make_case, make_user,
                                                                                  give_consent):
    case, holder, *_ = rich_case(make_case, make_user, give_consent)
    other, *_ = rich_case(make_case, make_user, give_consent, first_name="Ola")  # another child, still open
    db.session.add(ChildWelfareReport(case_id=case.id, created_by_id=holder.id, text="Melding om Emma."))
    db.session.commit()
    close(case, holder)
    print_archive(case, holder)
    case_id, child_id, ref = case.id, case.child_id, case.ref
    age_group = age_group_of(guide_of(case), case.child.age_on(case.opened_at.date()))
    before = _counts()
    clock.travel(add_months(case.closed_at.date(), 24) + timedelta(days=1))
    _run(runner)

    after = _counts()
    assert db.session.get(Case, case_id) is None and db.session.get(Child, child_id) is None
    assert db.session.scalar(select(func.count()).select_from(Guardian).where(Guardian.child_id == child_id)) == 0
    for table in (CaseEvent, Concern, Consent, Handover, CaseParticipant, Plan, Meeting, ArchivePrint,
                  ChildWelfareReport):
        assert db.session.scalar(select(func.count()).select_from(table).where(table.case_id == case_id)) == 0
    assert db.session.scalar(select(func.count()).select_from(AgendaItem).where(AgendaItem.case_id == case_id)) == 0
    # The other child's case is whole.
    assert db.session.get(Case, other.id) is not None and after["Measure"] == before["Measure"] - 1
    assert after["Child"] == before["Child"] - 1

    stats = db.session.scalars(select(CaseStatistic)).all()
    assert len(stats) == 1
    row = stats[0]
    assert (row.level_reached, row.end_key, row.end_reason, row.age_group, row.owning_service) == \
        (1, "closed", "goals_reached", age_group, "school")
    assert set(row.services) == {"school", "health-nurse"}

    assert verify() == []
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    deletion = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "retention.delete"))
    assert deletion is not None and deletion.case_id == case_id
    # The audit trail is never deleted by retention (its bodies are redacted by the audit package when present).
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.case_id == case_id)) > 5
    assert ref  # the reference lives on in the archive, where the print went


def test_deletion_refuses_without_archive_print_or_under_hold(make_case, make_user, give_consent):
    import pytest

    from tik.lifecycle.retention import delete_case

    case, holder, *_ = rich_case(make_case, make_user, give_consent)
    with pytest.raises(ValueError, match="is open"):
        delete_case(case, "test")
    close(case, holder)
    with pytest.raises(ValueError, match="no archive print"):
        delete_case(case, "test")
    print_archive(case, holder)
    life.set_legal_hold(case, True, "Klage", holder)
    with pytest.raises(ValueError, match="legal hold"):
        delete_case(case, "test")


def _ids() -> dict[str, set[int]]:
    db.session.expire_all()
    return {m.__tablename__: set(db.session.scalars(select(m.id))) for m in CONTENT}


def _case_of(first_name: str) -> Case:
    return db.session.scalar(select(Case).join(Child, Child.id == Case.child_id).where(Child.first_name == first_name))


def test_on_a_fresh_demo_retention_removes_exactly_the_case_printed_to_the_archive(app, runner, tmp_path):
    """README, "Retention in the demo": Jonas's case was closed past the retention period and printed to the
    archive; Nora's was closed as long ago without a print; Ingrid's was closed recently."""
    assert demo.load() is True
    jonas, nora, ingrid = (_case_of(name) for name in ("Jonas", "Nora", "Ingrid"))
    assert not (jonas.is_open or nora.is_open or ingrid.is_open)
    rows = case_rows(jonas)
    gone = {table: {r["id"] for r in rows.get(table, [])} for table in _ids()}
    gone["child"], gone["guardian"] = {jonas.child_id}, {g.id for g in jonas.child.guardians}
    gone["participant"] = set()  # (no network meeting in the story)
    assert all(gone[t] for t in ("case", "concern", "case_event", "plan", "measure", "archive_print", "child"))
    refs = {"jonas": jonas.ref, "nora": nora.ref, "ingrid": ingrid.ref}
    before = _ids()
    db.session.commit()

    planned = _run(runner, "--dry-run")
    lines = {line.split("\t")[0]: line for line in planned.splitlines() if "\t" in line}
    assert "slettes: arkivutskrift finnes" in lines[refs["jonas"]]
    assert "beholdes: ingen arkivutskrift" in lines[refs["nora"]]
    assert "beholdes: fristen er ikke passert" in lines[refs["ingrid"]]
    assert "1 sak(er) ville blitt slettet" in planned and _ids() == before

    assert "1 sak(er) slettet" in _run(runner)
    after = _ids()
    for table, ids in before.items():
        assert after[table] == ids - gone.get(table, set()), table  # exactly Jonas's rows, nothing else
    assert db.session.scalar(select(func.count()).select_from(CaseStatistic)) == 1
    assert verify() == []
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0

    # Nora's case goes once it is printed to the archive (as the README's steps do it from the command line).
    printed = runner.invoke(args=["archive", "print", refs["nora"], "-o", str(tmp_path / "nora.zip"),
                                  "--user", "laerer"])
    assert printed.exit_code == 0, printed.output
    assert Path(tmp_path / "nora.zip").stat().st_size > 1000
    assert "1 sak(er) slettet" in _run(runner)
    assert _case_of("Nora") is None and _case_of("Ingrid") is not None
    assert verify() == []
