"""Every table, imported in one place so metadata (create_all, Alembic) sees them all."""

from tik.audit.models import AuditEvent
from tik.auth.models import Role, User
from tik.cases.models import Case, CaseEvent, Consent, ConsentService, GuideSnapshot, Handover
from tik.concerns.models import Child, Concern, Guardian, ReportDraft
from tik.idempotency import UsedFormKey
from tik.plans.models import Measure, Plan, PlanRevision

__all__ = ["AuditEvent", "Case", "CaseEvent", "Child", "Concern", "Consent", "ConsentService", "GuideSnapshot",
           "Guardian", "Handover", "Measure", "Plan", "PlanRevision", "ReportDraft", "Role", "UsedFormKey", "User"]
