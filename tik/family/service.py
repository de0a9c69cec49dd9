"""What the family sees and does on "Min familie": their server-side session, who has read the case (from the
audit trail), the timeline entries the guidebook lets them see, the family letter, giving, renewing and
withdrawing a consent, and their words before the meeting. And the staff side of it: a guardian's national id.

Every function that changes something is a unit of work (tik.db); the views only parse and answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import select

from tik import crypto, identity
from tik.audit.models import AuditEvent
from tik.audit.service import READ_ACTIONS, record
from tik.auth import sessions
from tik.auth.models import User
from tik.auth.policy import FamilyRelation, family_actor, family_reach, family_sees_plan, within_reach
from tik.cases.consent import CONSENT_LASTS, record_consent, withdraw_consent
from tik.cases.models import Case, CaseEvent, Consent, ConsentForm, EventKind
from tik.clock import today
from tik.db import unit_of_work
from tik.errors import DomainError
from tik.extensions import db
from tik.family.texts import FamilyTexts
from tik.family.timeline import FamilyEntry, family_entry
from tik.guidebook import guide_of
from tik.identity.nin import InvalidNationalId
from tik.org.models import Unit
from tik.plans.letter import family_language, printable
from tik.plans.models import Measure, Plan
from tik.plans.printing import plan_pdf
from tik.plans.service import plan_of
from tik.timeline.loading import case_events, consents_of
from tik.timeline.service import log
from tik.youth.models import YouthConversation, YouthMessage

# -- the family's session ----------------------------------------------------------------------------------


def _timeouts() -> tuple[timedelta, timedelta]:
    return (timedelta(minutes=current_app.config["TIK_IDLE_MINUTES"]),
            timedelta(hours=current_app.config["TIK_ABSOLUTE_HOURS"]))


@unit_of_work
def sign_in(pid: str) -> str:
    """Open the server-side session of the person ID-porten signed in (national id `pid`, kept only as its
    keyed hash), audited; returns the token the cookie carries."""
    token = sessions.start_family(crypto.lookup_hash(pid))
    record(None, "family.login", detail="idporten")
    return token


def signed_in(token: str | None) -> str | None:
    """The keyed hash of the national id of the live family session `token`, else None (unknown, signed out
    or timed out: the same revocation as staff sessions)."""
    if not token:
        return None
    idle, absolute = _timeouts()
    lookup, _expired = sessions.resume_family(token, idle=idle, absolute=absolute)
    return lookup


@unit_of_work
def sign_out(token: str | None) -> None:
    """Revoke the family session: the cookie, copied or not, signs nobody in any more."""
    sessions.end(token)
    record(None, "family.logout")


# -- who has read the case ---------------------------------------------------------------------------------

# A member of staff reading the case, or printing or exporting it: the audit trail's own list (each download
# is one `plan.pdf` row with the reader's access; its `plan.print` row is the same download again).
READS = READ_ACTIONS
PRINTS = ("plan.pdf", "case.export")


@dataclass
class Reader:
    role: str  # the access they read with: holder, participant, leader (from the audit row)
    unit: str
    name: str  # only where the municipality shows staff names to families (TIK_FAMILY_STAFF_NAMES)
    reads: int
    prints: int
    last: datetime


def readers(case: Case) -> list[Reader]:
    """Every staff read and print of `case` in the audit trail, by role, unit (and person, if shown)."""
    names = current_app.config.get("TIK_FAMILY_STAFF_NAMES", False)
    rows = db.session.execute(
        select(AuditEvent.action, AuditEvent.detail, AuditEvent.at, User.id, User.name, Unit.name)
        .join(User, User.id == AuditEvent.user_id).outerjoin(Unit, Unit.id == User.unit_id)
        .where(AuditEvent.case_id == case.id, AuditEvent.action.in_(READS)).order_by(AuditEvent.at)).all()
    grouped: dict[tuple, Reader] = {}
    for action, detail, at, user_id, user_name, unit_name in rows:
        role = detail.removeprefix("as:") if detail.startswith("as:") else ""
        key = (role, unit_name or "", user_id if names else None)
        reader = grouped.setdefault(key, Reader(role, unit_name or "", user_name if names else "", 0, 0, at))
        if action in PRINTS:
            reader.prints += 1
        else:
            reader.reads += 1
        reader.last = max(reader.last, at)
    return sorted(grouped.values(), key=lambda r: r.last, reverse=True)


@unit_of_work
def withdraw(case: Case, consent_id: int, relation: FamilyRelation) -> Consent | None:
    """Withdraw a live consent of `case` for the family: the same service function as staff use, so staff
    access that hung on it ends in the same transaction. None if there is no such live consent."""
    consent = next((c for c in case.consents if c.id == consent_id and c.withdrawn_at is None), None)
    if consent is None:
        return None
    withdraw_consent(consent, None, family=relation)
    return consent


@unit_of_work
def audit_sign_in(action: str, detail: str) -> None:
    """A family member's sign-in through ID-porten (or its refusal): audited without who it was."""
    record(None, action, detail=detail)


def _given_by(case: Case, relation: FamilyRelation, lookup: str) -> str:
    """The name the consent is given in: the signed-in guardian's, or the young person's."""
    if relation == FamilyRelation.YOUNG_PERSON:
        return case.child.name
    return ", ".join(g.name for g in case.child.guardians if g.nin_lookup == lookup) or case.child.name


def give_consent(case: Case, relation: FamilyRelation, lookup: str, *, services: list[str], purpose: str,
                 information: str = "", exclusions: str = "", renews: Consent | None = None,
                 kinds: dict[str, list[str] | None] | None = None) -> Consent:
    """The family gives a consent digitally: the same service function as staff use (record_consent), so the
    same rules hold (from the consent age only the young person can give it). On the timeline as given by
    the guardian or the young person, digitally. Raises ConsentError (nothing kept)."""
    on = today()
    return record_consent(case, None, given_by=_given_by(case, relation, lookup), services=services,
                          purpose=purpose, form=ConsentForm.DIGITAL, given_on=on,
                          expires_on=on + CONSENT_LASTS, information=information,
                          young_person=relation == FamilyRelation.YOUNG_PERSON, exclusions=exclusions,
                          family=relation, renews=renews, kinds=kinds)


def renew_consent(case: Case, relation: FamilyRelation, lookup: str, consent_id: int) -> Consent | None:
    """Renew a consent of `case` that was not withdrawn (expired or about to): a new consent from today with
    the same services, purpose and limits. None if there is no such consent. Raises ConsentError."""
    old = next((c for c in case.consents if c.id == consent_id and c.withdrawn_at is None), None)
    if old is None:
        return None
    return give_consent(case, relation, lookup, services=old.services, purpose=old.purpose,
                        information=old.information, exclusions=old.exclusions, renews=old,
                        kinds={s: old.kinds_for(s) for s in old.services})


def letter_language(case: Case, relation: FamilyRelation, lookup: str) -> str:
    """The language of the signed-in person's letter: the guardian's own, else the family's."""
    if relation == FamilyRelation.GUARDIAN:
        for guardian in case.child.guardians:
            if guardian.nin_lookup == lookup:
                return printable(guardian.language)
    return family_language(case)


def letter(case: Case, relation: FamilyRelation, lookup: str, lang: str | None = None) -> tuple[str, bytes]:
    """(file name, PDF) of the family letter of the current plan, in the person's language (or `lang`): the
    same letter staff print (to the young person, with the measures of their reach only), audited as a family
    print by the guardian or the young person."""
    return plan_pdf(case, family_actor(relation), family=True, lang=lang or letter_language(case, relation, lookup),
                    young=relation == FamilyRelation.YOUNG_PERSON,
                    services=family_reach(case, relation, today()))


def family_measures(plan: Plan | None, reach: set[str] | None) -> list[Measure]:
    """The plan's measures the family member sees: every one for a guardian (`reach` None), those of the
    services in the young person's reach for the young person."""
    return [m for m in plan.measures if within_reach(m.service_key, reach)] if plan else []


def _tied_services(event: CaseEvent, measures: dict[int, str]) -> set[str]:
    """The services a timeline entry is tied to: the service its data carries (a measure added or changed)
    and the service of the measure it names (a measure evaluated). A named measure TIK cannot find ties it
    to no service anyone reaches (""). Consents carry services too, but they are not tied to them: the
    family sees every consent of the case."""
    data = event.data or {}
    tied = {data["service"]} if data.get("service") else set()
    if data.get("measure_id") is not None:
        tied.add(measures.get(data["measure_id"], ""))
    return tied


def visible_timeline(case: Case, t: FamilyTexts, reach: set[str] | None = None,
                     plan: Plan | None | bool = False) -> list[FamilyEntry]:
    """What the family reads of what happened, newest first, in their language: only the entries the whitelist
    words for the family (tik/family/timeline.py), of the kinds the guidebook names under `family.timeline`;
    for the young person (`reach` not None) never an entry tied to a measure or service outside their reach.
    `plan`: the case's plan when the caller loaded it already (False: load it if needed)."""
    guide = guide_of(case)
    shown = [e for e in case_events(case).timeline if e.kind.value in guide.family_timeline]
    if reach is not None:
        plan = plan_of(case) if plan is False else plan
        measures = {m.id: m.service_key for m in plan.measures} if plan else {}
        shown = [e for e in shown if all(within_reach(key, reach) for key in _tied_services(e, measures))]
    return [entry for e in shown if (entry := family_entry(e, guide, t)) is not None]


TIMELINE_ON_PAGE = 20  # the latest entries; the rest is one click away (family.full_timeline)


@dataclass(frozen=True)
class FamilyPage:
    """Everything the family's page of a case shows (templates/family/case.html reads only these)."""

    case: Case
    relation: FamilyRelation
    guide: object
    plan: Plan | None  # None unless the person sees the plan's side
    measures: list[Measure]
    sees_plan: bool
    readers: list[Reader]
    timeline: list[FamilyEntry]
    more_events: bool
    own_conversations: list
    on: date
    young: bool
    consent_age: int
    letter_lang: str
    consents: list[Consent]

    def context(self) -> dict:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


def family_page(case: Case, relation: FamilyRelation, lookup: str | None, t: FamilyTexts, on: date) -> FamilyPage:
    """Load the family's page of `case` for the signed-in guardian or young person, through the loader the case
    page uses (tik.timeline.loading): a young person sees the plan's side only as far as their own consent
    reaches (tik/auth/policy.py `family_reach`), and with no reach only the case, its consents and the form."""
    guide, plan = guide_of(case), plan_of(case)
    consents = consents_of(case)
    reach, sees_plan = family_reach(case, relation, on), family_sees_plan(case, relation, on)
    timeline = visible_timeline(case, t, reach, plan) if sees_plan else []
    _holder = case.coordinator, case.unit  # the page names them: loaded here, so the template asks nothing
    return FamilyPage(
        case=case, relation=relation, guide=guide, plan=plan if sees_plan else None,
        measures=family_measures(plan, reach) if sees_plan else [], sees_plan=sees_plan, readers=readers(case),
        timeline=timeline[:TIMELINE_ON_PAGE], more_events=len(timeline) > TIMELINE_ON_PAGE,
        own_conversations=own_conversations(case, relation, reach), on=on,
        young=relation == FamilyRelation.YOUNG_PERSON, consent_age=guide.consent_age,
        letter_lang=letter_language(case, relation, lookup), consents=consents)


def own_conversations(case: Case, relation: FamilyRelation,
                      reach: set[str] | None) -> list[tuple[YouthConversation, list[YouthMessage]]]:
    """The young person's own conversations of the youth door that became `case` (tik/youth), theirs to re-read:
    what they wrote and the answers they could read with their code (never an answer still held for a
    professional's approval, never who answered, never the service's notes on the outcome). Only for the young
    person, and only while the youth service that held the conversation lies within their consent's reach;
    a guardian never sees them."""
    if relation != FamilyRelation.YOUNG_PERSON:
        return []
    rows = db.session.execute(select(YouthConversation, Unit.service_key)
                              .join(Unit, Unit.id == YouthConversation.unit_id)
                              .where(YouthConversation.case_id == case.id).order_by(YouthConversation.id)).all()
    return [(conversation, [m for m in conversation.messages if not m.held])
            for conversation, service_key in rows if within_reach(service_key, reach)]


def own_language(lookup: str | None) -> str | None:
    """The language staff recorded for the signed-in guardian (on any of their children's cases), else None."""
    if not lookup:
        return None
    from tik.concerns.models import Guardian

    return db.session.scalar(select(Guardian.language).where(Guardian.nin_lookup == lookup).limit(1))


MAX_WORDS = 4000  # characters: what the family wants to say before the meeting


@unit_of_work
def before_the_meeting(case: Case, relation: FamilyRelation, text: str) -> None:
    """The child's or the guardians' own words, on the case timeline as they wrote them (shown as text)."""
    log(case, EventKind.FAMILY, None, text=text, who=relation.value)
    record(family_actor(relation), "family.voice", case)


# -- the staff side: a guardian's national id ----------------------------------------------------------------


class GuardianIdError(DomainError):
    """A guardian's national id cannot be recorded; `code` says why (a refusal message key)."""


def masked(guardian) -> str:
    """A recorded national id as staff see it again: never in full, only its last two digits."""
    return f"••••••• ••{crypto.decrypt(guardian.nin_encrypted)[-2:]}" if guardian.nin_encrypted else ""


@unit_of_work
def set_guardian_identity(case: Case, by: User, guardian_id: int, *, nin: str | None,
                          responsibility: bool) -> bool:
    """Record (or, with an empty `nin`, remove) a guardian's national id, encrypted like the child's with its
    keyed hash for the ID-porten match, and whether they have parental responsibility. `nin` None leaves the
    id as it is. On the timeline without the number; audited. Raises LookupError for a guardian of another
    case, GuardianIdError for an invalid number. Returns whether anything changed."""
    guardian = next((g for g in case.child.guardians if g.id == guardian_id), None)
    if guardian is None:
        raise LookupError(guardian_id)
    changes = []
    if nin is not None:
        digits = nin.replace(" ", "")
        if digits:
            try:
                digits = identity.rules(guide_of(case).country).normalise(digits)
            except InvalidNationalId:
                raise GuardianIdError("national_id_invalid") from None
            if crypto.lookup_hash(digits) != guardian.nin_lookup:
                guardian.nin_encrypted, guardian.nin_lookup = crypto.encrypt(digits), crypto.lookup_hash(digits)
                changes.append(("national_id", "recorded"))
        elif guardian.nin_lookup is not None:
            guardian.nin_encrypted = guardian.nin_lookup = None
            changes.append(("national_id", "removed"))
    if responsibility != guardian.responsibility:
        guardian.responsibility = responsibility
        changes.append(("responsibility", "yes" if responsibility else "no"))
    for field, new in changes:
        log(case, EventKind.DETAILS, by, who="guardian", guardian=guardian.name, field=field, old="", new=new)
        record(by, "guardian.identity", case, detail=f"{field}:{new}")
    return bool(changes)
