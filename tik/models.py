"""Every table, imported in one place so metadata (create_all, Alembic) sees them all."""

from tik.audit.models import AuditEvent
from tik.auth.mfa import RecoveryCode
from tik.auth.models import Role, User
from tik.auth.sessions import UserSession
from tik.auth.throttle import UnknownLoginFailure
from tik.cases.models import (
    Case,
    CaseEvent,
    CaseParticipant,
    ChildWelfareReport,
    Consent,
    ConsentService,
    Handover,
)
from tik.concerns.models import Child, Concern, Guardian, ReportDraft
from tik.guidebook import GuideSnapshot
from tik.idempotency import UsedFormKey
from tik.lifecycle.models import ArchivePrint, CaseStatistic, ExportWithholding
from tik.meetings.models import AgendaItem, Meeting, Participant, Team, TeamMember
from tik.mywork.models import OutboxMessage
from tik.org.models import Unit, UnitLeader
from tik.plans.models import Evaluation, Measure, Plan, PlanRevision
from tik.stats.models import StatCell, StatRun, SurveyValue

__all__ = ["AgendaItem", "ArchivePrint", "AuditEvent", "Case", "CaseEvent", "CaseParticipant", "CaseStatistic",
           "ExportWithholding",
           "Child", "ChildWelfareReport", "Concern", "Consent", "ConsentService", "Evaluation", "Guardian",
           "GuideSnapshot", "Handover", "Measure", "Meeting", "OutboxMessage", "Participant", "Plan", "PlanRevision",
           "RecoveryCode", "ReportDraft", "Role",
           "StatCell", "StatRun", "SurveyValue", "Team", "TeamMember", "Unit", "UnitLeader", "UnknownLoginFailure",
           "UsedFormKey", "User", "UserSession"]
