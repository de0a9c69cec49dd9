"""Every query and every write held to the current municipality (tik/municipalities).

- Reads: each ORM statement gets loader criteria (`with_loader_criteria`) on every model with a
  `municipality_id` and on the models reached through a case (or a child), so a query that forgets its scope
  returns nothing of another municipality. A unit shared by several municipalities (unit_municipality) and its
  staff are seen in each of them.
- Writes: a new row's `municipality_id` is set from the scope before the flush, never from user input.
- PostgreSQL: each transaction's connection carries `tik.municipality` (set_config … local), which the
  row-level security policies read (tik/municipalities/rls.py): defence in depth behind the criteria above.

A statement run with the execution option `all_municipalities=True` is not held (the platform's own lists,
the municipality rows). Audit events are held too: a page that shows them (who has read a case, the family's
list of readers, an access export) shows only the municipality's. The audit chain is the install's: its
sequencer and `tik audit verify` read every event through Core on a connection of their own (tik/audit/chain.py),
which these criteria never touch, and which opens the row-level policy for the chain (rls.open_audit_chain).
"""

from __future__ import annotations

from functools import lru_cache

from flask import has_app_context
from sqlalchemy import event, exists, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import LoaderCriteriaOption
from sqlalchemy.sql.cache_key import NO_CACHE
from sqlalchemy.sql.visitors import anon_map

from tik.audit.models import AuditEvent
from tik.municipalities import current_municipality, row_id
from tik.municipalities.models import InMunicipality, UnitMunicipality

ALL = "all_municipalities"  # execution option: this statement is not held to a municipality
_CONNECTION_KEY = "tik_municipality"
NONE = -1  # the criteria's id while a municipality has no row yet (it has nothing either)


def _scoped_classes():
    """The models with a municipality_id of their own, and those reached through a case or a child."""
    from tik.auth.models import User
    from tik.cases.models import Case, CaseEvent, CaseParticipant, ChildWelfareReport, Consent, Handover
    from tik.concerns.models import Child, Concern, Guardian, ReportDraft
    from tik.lifecycle.models import ArchivePrint, ExportWithholding
    from tik.org.models import Unit
    from tik.plans.models import Plan

    own = [cls for cls in _mapped() if issubclass(cls, InMunicipality) and cls not in (Unit, User)]
    through_case = (Concern, Consent, CaseEvent, CaseParticipant, Plan, Handover, ChildWelfareReport, ReportDraft,
                    ArchivePrint, ExportWithholding)
    return own, through_case, (Guardian,), Case, Child, Unit, User


def _mapped():
    from tik.extensions import db

    return [mapper.class_ for mapper in db.Model.registry.mappers]


class HeldCriteria(LoaderCriteriaOption):
    """`with_loader_criteria` whose cache key is worked out once, not for every statement.

    SQLAlchemy finds a statement's compiled SQL by a cache key made by walking the whole statement, options
    included; the ~30 criteria below are the same objects for every statement of a municipality (`criteria` is
    cached), yet walking them was most of the key and a fifth of a case page's CPU. The key of one criterion
    depends only on itself, so it is kept with it, together with its bound parameters (the municipality's id),
    which are handed on every time: the statement's values still come from these objects."""

    __slots__ = ("_key",)
    _traverse_internals = LoaderCriteriaOption._traverse_internals  # the key is the parent's, kept

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._key = None

    def _gen_cache_key(self, anon, bindparams):
        if self._key is None:
            own, binds = anon_map(), []
            key = super()._gen_cache_key(own, binds)
            self._key = (key, tuple(binds), NO_CACHE in own)
        key, binds, uncacheable = self._key
        if uncacheable:
            anon[NO_CACHE] = True
            return None
        bindparams.extend(binds)
        return key


def with_loader_criteria(cls, where, include_aliases: bool = True) -> HeldCriteria:
    return HeldCriteria(cls, where, include_aliases=include_aliases)


@lru_cache(maxsize=64)
def criteria(mid: int) -> tuple:
    """The loader criteria holding a statement to municipality `mid` (made once per municipality: they are
    immutable, and making them for every statement cost more than the statement)."""
    own, through_case, through_child, case, child, unit, user = _scoped_classes()
    shared_units = select(UnitMunicipality.unit_id).where(UnitMunicipality.municipality_id == mid)
    options = [with_loader_criteria(cls, cls.municipality_id == mid, include_aliases=True) for cls in own]
    # Core aliases: the subquery never correlates with the statement's own "case" (or "child").
    cases, children = case.__table__.alias("scope_case"), child.__table__.alias("scope_child")
    options += [with_loader_criteria(cls, exists().where(cases.c.id == cls.case_id, cases.c.municipality_id == mid)
                                     .correlate_except(cases), include_aliases=True) for cls in through_case]
    options += [with_loader_criteria(cls, exists().where(children.c.id == cls.child_id,
                                                         children.c.municipality_id == mid)
                                     .correlate_except(children), include_aliases=True) for cls in through_child]
    options += _further(mid, cases)
    options.append(with_loader_criteria(unit, or_(unit.municipality_id == mid, unit.id.in_(shared_units)),
                                        include_aliases=True))
    options.append(with_loader_criteria(user, or_(user.municipality_id == mid, user.unit_id.in_(shared_units)),
                                        include_aliases=True))
    options.append(with_loader_criteria(AuditEvent, AuditEvent.municipality_id == mid, include_aliases=True))
    return tuple(options)


def _further(mid: int, cases) -> list:
    """The models two steps from a case or one from a meeting or a youth conversation: a measure, a plan's
    revision, an evaluation, a consent's services, an agenda item, a meeting's participant, a young person's
    message. Each held by a subquery over Core aliases, like the models reached through a case."""
    from tik.cases.models import Consent, ConsentService
    from tik.meetings.models import AgendaItem, Meeting, Participant
    from tik.plans.models import Evaluation, Measure, Plan, PlanRevision
    from tik.youth.models import YouthConversation, YouthMessage

    plans, measures = Plan.__table__.alias("scope_plan"), Measure.__table__.alias("scope_measure")
    consents = Consent.__table__.alias("scope_consent")
    meetings, talks = Meeting.__table__.alias("scope_meeting"), YouthConversation.__table__.alias("scope_talk")
    in_case = (cases.c.id == plans.c.case_id) & (cases.c.municipality_id == mid)

    def held(cls, *where, over):
        return with_loader_criteria(cls, exists().where(*where).correlate_except(*over), include_aliases=True)

    return [held(cls, plans.c.id == cls.plan_id, in_case, over=(plans, cases)) for cls in (Measure, PlanRevision)] + [
        held(Evaluation, measures.c.id == Evaluation.measure_id, plans.c.id == measures.c.plan_id, in_case,
             over=(measures, plans, cases)),
        held(ConsentService, consents.c.id == ConsentService.consent_id, cases.c.id == consents.c.case_id,
             cases.c.municipality_id == mid, over=(consents, cases)),
        *[held(cls, meetings.c.id == cls.meeting_id, meetings.c.municipality_id == mid, over=(meetings,))
          for cls in (AgendaItem, Participant)],
        held(YouthMessage, talks.c.id == YouthMessage.conversation_id, talks.c.municipality_id == mid,
             over=(talks,)),
    ]


def current_row_id() -> int:
    """The current municipality's row id (NONE while it has no row: then it has nothing either)."""
    from tik.extensions import db

    return current_id(db.session())


def current_id(session: Session, create: bool = False) -> int:
    found = row_id(current_municipality(), create=create, session=session)
    return NONE if found is None else found


def set_row_security(session: Session, mid: int) -> None:
    """PostgreSQL: the transaction's `tik.municipality`, read by the row-level security policies."""
    connection = session.connection()
    if connection.dialect.name != "postgresql" or connection.info.get(_CONNECTION_KEY) == mid:
        return
    connection.exec_driver_sql("SELECT set_config('tik.municipality', %(m)s, true)", {"m": str(mid)})
    connection.info[_CONNECTION_KEY] = mid


def register_scope() -> None:
    """Listen on every session (once per process)."""
    if event.contains(Session, "do_orm_execute", _hold_to_municipality):
        return
    event.listen(Session, "do_orm_execute", _hold_to_municipality)
    event.listen(Session, "before_flush", _stamp_new_rows)
    event.listen(Session, "after_begin", _forget_row_security)


def _hold_to_municipality(state) -> None:
    if not has_app_context() or state.execution_options.get(ALL):
        return
    mid = current_id(state.session)
    set_row_security(state.session, mid)  # a lazy load or refresh, too, runs in a transaction of its own
    if state.is_relationship_load or state.is_column_load:
        return  # the parent statement's criteria travel with its loaders
    if state.is_select or state.is_update or state.is_delete:
        state.statement = state.statement.options(*criteria(mid))


def _stamp_new_rows(session: Session, _context, _instances) -> None:
    if not has_app_context():
        return
    new = [o for o in session.new if isinstance(o, InMunicipality | AuditEvent) and o.municipality_id is None]
    if not new:
        return
    mid = current_id(session, create=True)
    set_row_security(session, mid)
    for row in new:
        row.municipality_id = mid


def _forget_row_security(_session, _transaction, connection) -> None:
    connection.info.pop(_CONNECTION_KEY, None)
