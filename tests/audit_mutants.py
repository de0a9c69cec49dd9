# ruff: noqa: E501 - a table of mutants: each line is one rule broken, kept whole to be read as such
"""Break each rule of the audit trail in a scratch copy of the tree; the tests named for it must fail.

    .venv/bin/python tests/audit_mutants.py [NAME …]     # SQLite and PostgreSQL (TIK_TEST_DATABASE_URL or local)

Prints KILLED or SURVIVED per rule and database; exit 1 when any survives.
"""

import os
import shutil
import subprocess  # nosec B404
import sys
import tempfile
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent
SCRATCH = Path(tempfile.mkdtemp(prefix="tik-audit-mutants-")) / "copy"
PG = os.environ.get("TIK_TEST_DATABASE_URL") or "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"

MUTANTS = [
    ("no truncation check", "tik/audit/service.py", "if newest and newest.seq > last_seq:", "if False:",
     ["test_deleting_the_newest_rows_is_detected_by_the_anchor", "test_deleting_every_row_is_detected_by_the_anchor",
      "test_the_newest_rows_deleted_and_the_rest_rechained_with_the_key_still_fail_the_anchor"]),
    ("no anchor written", "tik/audit/chain.py", "        os.write(fd, line)", "        pass",
     ["test_deleting_the_newest_rows_is_detected_by_the_anchor", "test_seal_command_seals_and_anchors_the_head"]),
    ("unkeyed hash", "tik/audit/chain.py", "hmac.new(key, ", "hmac.new(b'public', ",
     ["test_rows_rechained_without_the_key_are_detected"]),
    ("username not hashed", "tik/audit/chain.py", "str(row.user_id or \"\"), row.username,", "str(row.user_id or \"\"),",
     ["test_the_chain_verifies_and_names_an_altered_row"]),
    ("body not hashed", "tik/audit/chain.py", "row.remote_addr, row.body_digest or \"\")", "row.remote_addr)",
     ["test_a_body_moved_from_another_row_with_its_digest_is_detected"]),
    ("no gap check", "tik/audit/service.py", "if row.prev_hash != prev or row.seq != prev_seq + 1:", "if False:",
     ["test_a_deleted_row_is_detected"]),
    ("no sequencer lock (pg)", "tik/audit/chain.py", 'conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": LOCK_KEY})', "pass",
     ["test_concurrent_writers_and_sealers_never_fork_the_chain"]),
    ("sealer begins deferred (sqlite)", "tik/audit/chain.py", "with db.engine.begin() as conn:", "with db.engine.connect().execution_options(read_only=True) as conn, conn.begin():",
     ["test_concurrent_writers_and_sealers_never_fork_the_chain"]),
    ("record commits on its own", "tik/audit/service.py", "    db.session.add(event)\n    if has_request_context():",
     "    from tik.audit.models import AuditEvent as _E\n    with db.engine.begin() as _c:\n        _c.execute(_E.__table__.insert().values(at=event.at, user_id=event.user_id, username=event.username, service_key=event.service_key, action=event.action, case_id=event.case_id, case_ref=event.case_ref, remote_addr=event.remote_addr, detail=event.detail))\n    if has_request_context():",
     ["test_writes_are_audited_in_the_same_transaction"]),
    ("action committed before its event", "tik/concerns/service.py", '    record(by, "concern.register" if opened else "concern.attach", case)\n    db.session.commit()',
     '    db.session.commit()\n    record(by, "concern.register" if opened else "concern.attach", case)\n    db.session.commit()',
     ["test_writes_are_audited_in_the_same_transaction"]),
    ("request reads the chain", "tik/audit/service.py", "    db.session.add(event)\n",
     "    db.session.scalar(select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1))\n    db.session.add(event)\n",
     ["test_a_request_neither_locks_nor_reads_the_chain"]),
    ("requests never seal", "tik/audit/chain.py", "response.call_on_close(lambda: _after_response(app, sequencer))", "pass",
     ["test_a_request_that_wrote_events_seals_them_once_its_response_is_sent"]),
    ("seal switch ignored", "tik/audit/chain.py", 'if g.pop("audit_unsealed", False) and app.config["TIK_AUDIT_SEAL"]:', 'if g.pop("audit_unsealed", False):',
     ["test_with_sealing_off_requests_leave_events_for_the_sequencer"]),
    ("verify does not seal", "tik/audit/service.py", "    seal()\n    key = audit_key()", "    key = audit_key()",
     ["test_unsealed_rows_are_sealed_by_verify_not_lost", "test_with_sealing_off_requests_leave_events_for_the_sequencer"]),
    ("tombstone not checked", "tik/audit/chain.py", "and hmac.compare_digest(row.redacted, tombstone(key, row.id, row.body_digest)))", ")",
     ["test_a_body_put_back_after_redaction_or_a_forged_tombstone_is_detected"]),
    ("redacted body not checked", "tik/audit/chain.py", "    if is_redacted(key, row) and (row.case_ref or row.detail):", "    if False:",
     ["test_a_body_put_back_after_redaction_or_a_forged_tombstone_is_detected"]),
    ("redaction drops the digest", "tik/audit/chain.py", "    if is_redacted(key, row):\n        return row.body_digest", "    if False:\n        return row.body_digest",
     ["test_a_case_s_events_can_be_redacted_and_the_chain_still_verifies"]),
    ("redaction launders", "tik/audit/service.py", "        if event.body_digest is not None and event.body_digest != digest:", "        if False:",
     ["test_redaction_refuses_to_hide_an_altered_row"]),
    ("restore keeps stale anchors", "tik/backup.py", "    rebase_anchor()  #", "    pass  #",
     ["test_a_restore_rebases_the_anchor_so_the_restored_chain_verifies"]),
    ("rebase line ignored", "tik/audit/chain.py", 'if line.startswith(b"rebase "):', 'if False:',
     ["test_a_restore_rebases_the_anchor_so_the_restored_chain_verifies"]),
    ("sequencer thread never seals", "tik/audit/chain.py", "            _seal_quietly(self.app)\n\n    def _at_exit", "            pass\n\n    def _at_exit",
     ["test_outside_tests_the_sequencer_thread_seals_what_requests_wrote"]),
    ("low entropy accepted", "tik/config.py", "    if low_entropy(raw):", "    if False:",
     ["test_production_requires_a_random_audit_key"]),
    ("audit key optional", "tik/config.py", "        problems += audit_key_problems(audit_key, data_key)\n", "",
     ["test_production_requires_a_random_audit_key"]),
    ("audit key file world-readable", "tik/config.py", "        path.chmod(0o600)", "        path.chmod(0o644)",
     ["test_development_keeps_a_generated_audit_key_readable_by_the_owner_only"]),
]


def run(name, path, old, new, tests, pg):
    if SCRATCH.exists():
        shutil.rmtree(SCRATCH)
    shutil.copytree(SRC, SCRATCH, ignore=shutil.ignore_patterns(".venv", "node_modules", ".data", "__pycache__", ".git"))
    os.symlink(SRC / "node_modules", SCRATCH / "node_modules")
    target = SCRATCH / path
    text = target.read_text()
    assert text.count(old) >= 1, f"{name}: pattern not found"
    target.write_text(text.replace(old, new))
    env = dict(os.environ, PYTHONPATH=str(SCRATCH))
    if pg:
        env["TIK_TEST_DATABASE_URL"] = PG
    expr = " or ".join(tests)
    done = subprocess.run([str(SRC / ".venv/bin/pytest"), "-q", "-p", "no:cacheprovider", "tests/audit/test_audit.py",  # nosec
                           "-k", expr], cwd=SCRATCH, env=env, capture_output=True, text=True, check=False)
    tail = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else done.stderr[-300:]
    failed = {t for t in tests if ("FAILED tests/audit/test_audit.py::" + t) in done.stdout}
    ok = failed == set(tests)
    print(f"{'KILLED ' if ok else 'SURVIVED'} [{'pg' if pg else 'sqlite'}] {name}: {tail}"
          + ("" if ok else f"  still passing: {sorted(set(tests) - failed)}"), flush=True)
    return ok


def main(only: list[str]) -> int:
    results = []
    for mutant in MUTANTS:
        for pg in (False, True):
            if ("(pg)" in mutant[0] and not pg) or ("(sqlite)" in mutant[0] and pg):
                continue
            if only and not any(o in mutant[0] for o in only):
                continue
            results.append(run(*mutant, pg))
    print(f"{sum(results)} of {len(results)} killed")
    shutil.rmtree(SCRATCH.parent, ignore_errors=True)
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
