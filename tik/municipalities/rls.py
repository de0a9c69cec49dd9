"""Row-level security on PostgreSQL: defence in depth behind the application's scope (tik/municipalities/scope.py).

Every table with case data, people, units, statistics, teams and meetings, and the audit trail, has a policy
that lets a row through only when it belongs to the municipality named by the transaction's `tik.municipality`
setting (the app sets it per transaction, scope.set_row_security), by its own column or through its case, child,
plan, measure, consent, meeting, team or youth conversation (whose own policies hold the subquery in turn).
FORCE makes the tables' owner obey too, so the app's role, superuser and BYPASSRLS aside, cannot read past it;
and only the owner may disable it.

Seen across municipalities on purpose:
- a unit shared by several municipalities (a `unit_municipality` row) and its staff are seen in each of them.
  `unit_municipality` itself has no policy: the unit's and the user's policies read it (a policy on it that read
  `unit` back would be a recursion PostgreSQL refuses), and it holds nothing but pairs of ids;
- the audit chain is the install's, one sequence across every municipality: the sequencer, `tik audit verify`
  and a restore's new anchor read and seal every row in a transaction that sets `tik.audit_chain` (only
  tik/audit/chain.py does, through `open_audit_chain`). Every other read of `audit_event` is held to the
  municipality; a row with no municipality is seen by the chain only;
- `tik backup` and `tik restore` run as the maintenance role (TIK_MAINTENANCE_DATABASE_URL, BYPASSRLS; tik/backup.py).

Like `tik.municipality`, `tik.audit_chain` is no barrier against the app's role itself (which may set either):
the policies guard against a query that forgets its scope, not against the app's own credentials.

The migrations apply these statements, each its own frozen copy: b28c0e1f5a90 the case tables (RLS_FIRST),
d6a4f2c8b1e3 the rest (RLS_SECOND); tests/municipalities/test_rls.py holds the two equal to the code.
"""

from __future__ import annotations

SETTING = "NULLIF(current_setting('tik.municipality', true), '')::int"
CHAIN = "tik.audit_chain"  # set (transaction-local) only by the audit chain's sequencer, verify and rebase
# Policy texts are built from this module's constants only (no input reaches them): bandit's B608 does not apply.
SHARED_UNITS = f"SELECT um.unit_id FROM unit_municipality um WHERE um.municipality_id = {SETTING}"  # nosec B608

# b28c0e1f5a90: the tables with case data.
RLS_OWN = ("child", "case", "case_counter", "youth_conversation")
RLS_THROUGH_CASE = ("concern", "consent", "case_event", "case_participant", "plan", "handover",
                    "child_welfare_report", "report_draft", "archive_print", "export_withholding")
RLS_THROUGH_CHILD = ("guardian",)

# d6a4f2c8b1e3: people, units, statistics, teams and meetings, the rows two steps from a case, the audit trail.
RLS_OWN_MORE = ("case_statistic", "stat_cell", "stat_run", "survey_value", "youth_stat", "team", "meeting",
                "outbox_message")
RLS_THROUGH_PARENT = (  # (table, its column, the parent table whose own policy holds it)
    ("measure", "plan_id", "plan"), ("plan_revision", "plan_id", "plan"), ("evaluation", "measure_id", "measure"),
    ("consent_service", "consent_id", "consent"), ("agenda_item", "meeting_id", "meeting"),
    ("participant", "meeting_id", "meeting"), ("team_member", "team_id", "team"),
    ("youth_message", "conversation_id", "youth_conversation"),
)
RLS_SHARED = (  # a unit (and its staff) shared with the municipality through unit_municipality
    ("unit", f"municipality_id = {SETTING} OR id IN ({SHARED_UNITS})"),
    ("user", f"municipality_id = {SETTING} OR unit_id IN ({SHARED_UNITS})"),
)
RLS_AUDIT = ("audit_event", f"municipality_id = {SETTING} OR current_setting('{CHAIN}', true) = 'on'")


def _policies(pairs: list[tuple[str, str]]) -> list[str]:
    statements = []
    for table, using in pairs:
        statements += [f'ALTER TABLE "{table}" ENABLE ROW LEVEL SECURITY',
                       f'ALTER TABLE "{table}" FORCE ROW LEVEL SECURITY',
                       f'CREATE POLICY tik_municipality ON "{table}" USING ({using}) WITH CHECK ({using})']
    return statements


def first_pairs() -> list[tuple[str, str]]:
    return ([(t, f"municipality_id = {SETTING}") for t in RLS_OWN]
            + [(t, 'EXISTS (SELECT 1 FROM "case" c WHERE c.id = case_id)') for t in RLS_THROUGH_CASE]
            + [(t, "EXISTS (SELECT 1 FROM child c WHERE c.id = child_id)") for t in RLS_THROUGH_CHILD])


def second_pairs() -> list[tuple[str, str]]:
    return ([(t, f"municipality_id = {SETTING}") for t in RLS_OWN_MORE]
            + [(t, f'EXISTS (SELECT 1 FROM "{parent}" p WHERE p.id = {column})')  # nosec B608 - constants
               for t, column, parent in RLS_THROUGH_PARENT]
            + [*RLS_SHARED, RLS_AUDIT])


def first_statements() -> list[str]:
    """What migration b28c0e1f5a90 applies."""
    return _policies(first_pairs())


def second_statements() -> list[str]:
    """What migration d6a4f2c8b1e3 applies."""
    return _policies(second_pairs())


def row_security_statements() -> list[str]:
    """ENABLE and FORCE row-level security, each table's policy reading `tik.municipality`: every table held."""
    return first_statements() + second_statements()


def held_tables() -> list[str]:
    """Every table under a policy."""
    return [table for table, _using in first_pairs() + second_pairs()]


def drop_statements(tables: list[str] | None = None) -> list[str]:
    statements = []
    for table in tables if tables is not None else held_tables():
        statements += [f'DROP POLICY IF EXISTS tik_municipality ON "{table}"',
                       f'ALTER TABLE "{table}" NO FORCE ROW LEVEL SECURITY',
                       f'ALTER TABLE "{table}" DISABLE ROW LEVEL SECURITY']
    return statements


def open_audit_chain(connection) -> None:
    """PostgreSQL: let this transaction read and seal every municipality's audit events (the chain is the
    install's). Only the audit chain's sequencer, verify and rebase call this, each on a connection of its own."""
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(f"SELECT set_config('{CHAIN}', 'on', true)")
