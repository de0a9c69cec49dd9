"""Row-level security on PostgreSQL: defence in depth behind the application's scope (tik/municipalities/scope.py).

Every table with case data has a policy that lets a row through only when it belongs to the municipality named
by the transaction's `tik.municipality` setting (the app sets it per transaction, scope.set_row_security), by its
own column or through its case or child. FORCE makes the tables' owner obey too, so the app's role, superuser
and BYPASSRLS aside, cannot read past it; and only the owner may disable it. The migration b28c0e1f5a90 applies
these statements (its own frozen copy; tests/municipalities/test_rls.py holds the two equal).
"""

from __future__ import annotations

RLS_OWN = ("child", "case", "case_counter", "youth_conversation")
RLS_THROUGH_CASE = ("concern", "consent", "case_event", "case_participant", "plan", "handover",
                    "child_welfare_report", "report_draft", "archive_print", "export_withholding")
RLS_THROUGH_CHILD = ("guardian",)
SETTING = "NULLIF(current_setting('tik.municipality', true), '')::int"


def row_security_statements() -> list[str]:
    """ENABLE and FORCE row-level security, each table's policy reading `tik.municipality`."""
    statements = []
    for table, using in ([(t, f"municipality_id = {SETTING}") for t in RLS_OWN]
                         + [(t, 'EXISTS (SELECT 1 FROM "case" c WHERE c.id = case_id)') for t in RLS_THROUGH_CASE]
                         + [(t, "EXISTS (SELECT 1 FROM child c WHERE c.id = child_id)") for t in RLS_THROUGH_CHILD]):
        statements += [f'ALTER TABLE "{table}" ENABLE ROW LEVEL SECURITY',
                       f'ALTER TABLE "{table}" FORCE ROW LEVEL SECURITY',
                       f'CREATE POLICY tik_municipality ON "{table}" USING ({using}) WITH CHECK ({using})']
    return statements


def drop_statements() -> list[str]:
    statements = []
    for table in (*RLS_OWN, *RLS_THROUGH_CASE, *RLS_THROUGH_CHILD):
        statements += [f'DROP POLICY IF EXISTS tik_municipality ON "{table}"',
                       f'ALTER TABLE "{table}" NO FORCE ROW LEVEL SECURITY',
                       f'ALTER TABLE "{table}" DISABLE ROW LEVEL SECURITY']
    return statements
