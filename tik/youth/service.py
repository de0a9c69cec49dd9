"""The youth door's work: writing with a return code, answering, approving, outcomes, retention.

The young person is known only by the keyed hash of their return code: no account, no name (until they
consent to a case), no IP address (their audit events carry an empty address). Every staff read and answer
is audited. Views call these functions; each that writes is one unit of work.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from flask import abort, current_app
from sqlalchemy import delete, select, union_all, update

from tik import crypto
from tik.audit.service import record, record_view
from tik.auth.models import Role, User
from tik.cases.consent import CONSENT_LASTS, record_consent
from tik.cases.models import ConsentForm
from tik.clock import now, today
from tik.concerns.service import ChildInput, ConcernInput, register_concern
from tik.db import unit_of_work
from tik.errors import DomainError
from tik.extensions import db
from tik.guidebook import current_guide, current_guidebook_folder
from tik.guides.loader import read_folder
from tik.guides.youth import FILE, Youth, load_youth
from tik.municipalities import current_municipality
from tik.org.models import Unit
from tik.youth.models import (
    KEPT_WITH_CASE,
    Author,
    OperatorCertificate,
    Outcome,
    YouthConversation,
    YouthMessage,
    YouthStat,
)

QUEUE_SIZE = 50  # the queue shows the oldest waiting first; it never loads every stored conversation
ANSWER_WAYS = ("here", "call", "talk")
# Return codes: five pronounceable groups (consonant-vowel-consonant-vowel), about 62 bits, easy to write down.
CONSONANTS, VOWELS, GROUPS = "bdfghjklmnprstv", "aeiou", 5


class YouthRefused(DomainError):
    """A change the youth door refuses; `code` says why (the view words it)."""


def has_door() -> bool:
    """Whether the guidebook in use opens the youth door (it has a youth.yaml); read once per app."""
    key = _door_key("tik_youth_door")
    door = current_app.extensions.get(key)
    if door is None:
        door = current_app.extensions[key] = (Path(current_guidebook_folder()) / FILE).is_file()
    return door


def youth() -> Youth:
    """The youth door's guidebook data (youth.yaml), loaded once per app."""
    key = _door_key("tik_youth")
    loaded = current_app.extensions.get(key)
    if loaded is None:
        guide = current_guide()
        files = read_folder(current_guidebook_folder())
        loaded = current_app.extensions[key] = load_youth(files, guide.languages, set(guide.services))
    return loaded


def _door_key(name: str) -> str:
    """Where a municipality's youth door is kept in app.extensions (each municipality has its own door)."""
    municipality = current_municipality()
    return name if municipality.single else f"{name}:{municipality.key}"


# -- return codes ------------------------------------------------------------------------------------------

def new_code() -> str:
    """A fresh return code such as "bako-mire-tusa-lide-repo" (shown once, never stored)."""
    def group() -> str:
        return "".join(secrets.choice(CONSONANTS) + secrets.choice(VOWELS) for _ in range(2))
    return "-".join(group() for _ in range(GROUPS))


def normalise_code(typed: str) -> str:
    """The code as stored: lower case, groups joined by "-" whatever the young person typed between them."""
    letters = "".join(ch if ch.isalpha() else " " for ch in typed.casefold())
    return "-".join(letters.split())


def conversation_by_code(typed: str) -> YouthConversation | None:
    """The conversation whose code was typed, or None (the view says only "not found")."""
    code = normalise_code(typed)
    if not code:
        return None
    return db.session.scalar(select(YouthConversation).where(YouthConversation.code_hash == crypto.lookup_hash(code)))


# -- the young person ---------------------------------------------------------------------------------------

def door_unit() -> Unit | None:
    """The unit that answers the door: the first unit of a youth service (youth.yaml `unit_services`)."""
    return db.session.scalar(select(Unit).where(Unit.service_key.in_(youth().unit_services)).order_by(Unit.id))


@dataclass(frozen=True)
class Written:
    conversation: YouthConversation
    code: str  # shown once


@unit_of_work
def write_first(body: str, age_band: str = "", area: str = "", answer_by: str = "here",
                not_safe: bool = False) -> Written:
    """Open a conversation with its first message; returns it with its new return code. Raises YouthRefused."""
    unit = door_unit()
    if unit is None:
        raise YouthRefused("no_unit")
    if age_band and youth().entry("age_bands", age_band) is None:
        raise YouthRefused("unknown_age_band")
    if answer_by not in ANSWER_WAYS:
        raise YouthRefused("unknown_answer_way")
    code = new_code()
    at = now()
    conversation = YouthConversation(code_hash=crypto.lookup_hash(code), unit_id=unit.id, created_at=at,
                                     last_message_at=at, age_band=age_band, area=area.strip()[:200],
                                     answer_by=answer_by, outcome=Outcome.OPEN)
    db.session.add(conversation)
    db.session.flush()
    db.session.add(YouthStat(conversation_id=conversation.id, month=at.strftime("%Y-%m"), age_band=age_band))
    _add_young_message(conversation, body, not_safe)
    return Written(conversation, code)


@unit_of_work
def write_again(conversation: YouthConversation, body: str, not_safe: bool = False) -> YouthMessage:
    """The young person writes again with their code. Raises YouthRefused("closed") on a closed conversation."""
    if conversation.outcome in KEPT_WITH_CASE:
        raise YouthRefused("closed")
    return _add_young_message(conversation, body, not_safe)


def _add_young_message(conversation: YouthConversation, body: str, not_safe: bool) -> YouthMessage:
    body = body.strip()
    if not body:
        raise YouthRefused("empty")
    message = YouthMessage(conversation_id=conversation.id, author=Author.YOUNG, body=body, created_at=now())
    db.session.add(message)
    conversation.last_message_at = message.created_at
    conversation.not_safe = conversation.not_safe or not_safe
    conversation.risk = conversation.risk or youth().risky(body)
    conversation.flagged = conversation.not_safe or conversation.risk
    if conversation.assigned_to_id and conversation.assigned_until is None:  # waits for the assigned operator again
        conversation.assigned_until = promise_deadline(message.created_at)
    if not conversation.is_open:  # writing again reopens an answered conversation
        conversation.outcome, conversation.closed_at = Outcome.OPEN, None
        _stat(conversation).outcome = Outcome.OPEN.value
    db.session.flush()
    record(None, "youth.write", detail=_ref(conversation), remote_addr="")  # never the young person's address
    return message


def visible_messages(conversation: YouthConversation) -> list[YouthMessage]:
    """What the young person sees: everything but answers still held for a professional's approval."""
    return [m for m in conversation.messages if not m.held]


@unit_of_work
def rate(conversation: YouthConversation, rating: int, words: str = "") -> None:
    """"Did this help?" (1–5 and words), asked after the answer. Raises YouthRefused before any answer."""
    if conversation.first_answer_at is None:
        raise YouthRefused("not_answered")
    if rating not in range(1, 6):
        raise YouthRefused("rating")
    _stat(conversation).rating = rating
    conversation.rating_words = words.strip()


@unit_of_work
def consent_to_case(conversation: YouthConversation, *, first_name: str, last_name: str, birth_date: date,
                    message_ids: list[int], services: list[str], agreed: bool, nin: str = ""):
    """The young person turns the conversation into a TIK concern, on the professional's offer: only the
    messages they chose become the concern's text, and the consent covers exactly the services they chose.
    Without `agreed`, or without an offer, nothing reaches a case (YouthRefused). With their national id
    (`nin`, validated by the form) the young person finds the case on "Min familie" (tik/family)."""
    if not agreed:
        raise YouthRefused("no_consent")
    offer = _case_offer(conversation)
    if offer is None or conversation.outcome in KEPT_WITH_CASE:
        raise YouthRefused("no_offer")
    chosen = [m for m in conversation.messages if m.id in set(message_ids) and not m.held]
    if not chosen:
        raise YouthRefused("no_excerpt")
    if not services or any(s not in youth().share_with for s in services):
        raise YouthRefused("services")
    if not first_name.strip() or not last_name.strip():
        raise YouthRefused("name")
    excerpt = "\n\n".join(m.body for m in chosen)
    registered = register_concern(ChildInput(first_name=first_name, last_name=last_name, birth_date=birth_date,
                                             nin=nin, school=conversation.area),
                                  ConcernInput(observation=excerpt), by=offer)
    record_consent(registered.case, offer, given_by=f"{first_name.strip()} {last_name.strip()}",
                   services=list(services), purpose="Samtale i ungdomsdøra blir sak (samtykke fra ungdommen)",
                   form=ConsentForm.DIGITAL, given_on=today(), expires_on=today() + CONSENT_LASTS,
                   young_person=True)
    conversation.case_id = registered.case.id
    _set_outcome(conversation, Outcome.CONCERN, registered.case.ref)
    record(offer, "youth.concern", registered.case, detail=_ref(conversation), remote_addr="")
    return registered.case


def _case_offer(conversation: YouthConversation) -> User | None:
    """The professional who offered to make the conversation a case (their last offer stands)."""
    marker = conversation.outcome_detail
    if not marker.startswith("offer:"):
        return None
    return db.session.get(User, int(marker.split(":", 1)[1]))


# -- staff ----------------------------------------------------------------------------------------------------

def is_professional(user: User) -> bool:
    return user.has_role(Role.YOUTH_PROFESSIONAL)


def queue(user: User) -> list[YouthConversation]:
    """The open conversations of `user`'s unit (at most QUEUE_SIZE), the longest waiting first; flagged first
    for a professional. A youth operator sees flagged ones too, marked: their answer there waits for approval."""
    def waiting(flagged: bool):  # each walks the queue index in order and stops at QUEUE_SIZE
        return select(YouthConversation.id, YouthConversation.flagged, YouthConversation.last_message_at).where(
            YouthConversation.unit_id == user.unit_id, YouthConversation.outcome == Outcome.OPEN,
            YouthConversation.flagged == flagged).order_by(YouthConversation.last_message_at).limit(QUEUE_SIZE)

    both = union_all(waiting(True).subquery().select(), waiting(False).subquery().select()).subquery()
    first = (both.c.flagged.desc(), both.c.last_message_at) if is_professional(user) else (both.c.last_message_at,)
    ids = [row.id for row in db.session.execute(select(both.c.id).order_by(*first).limit(QUEUE_SIZE))]
    found = {c.id: c for c in db.session.scalars(select(YouthConversation).where(YouthConversation.id.in_(ids)))}
    rows = [found[i] for i in ids]  # at most QUEUE_SIZE loaded, however many wait
    record_view(user, "youth.queue", detail=f"{len(rows)} samtaler")
    return rows


def assigned_names(conversations: list[YouthConversation]) -> dict[int, str]:
    """The name of the operator each conversation is assigned to now (lapsed assignments left out), in one query."""
    holders = {c.id: holder for c in conversations if (holder := assignee(c)) is not None}
    names = dict(db.session.execute(select(User.id, User.name).where(User.id.in_(set(holders.values())))).all()) \
        if holders else {}
    return {conversation_id: names.get(user_id, "") for conversation_id, user_id in holders.items()}


def conversation_for(user: User, conversation_id: int) -> YouthConversation:
    """The conversation if it belongs to `user`'s youth unit; 404 otherwise. The read is audited."""
    conversation = db.session.get(YouthConversation, conversation_id)
    if conversation is None or conversation.unit_id != user.unit_id:
        abort(404)
    record_view(user, "youth.read", detail=_ref(conversation))
    return conversation


@unit_of_work
def answer(conversation: YouthConversation, by: User, body: str, template_key: str = "") -> YouthMessage:
    """An answer from staff. A youth operator's answer to a flagged conversation is held for a professional
    until a professional has answered or approved an answer in it."""
    body = body.strip()
    if not body:
        raise YouthRefused("empty")
    if template_key and youth().entry("templates", template_key) is None:
        raise YouthRefused("unknown_template")
    if not conversation.is_open and conversation.outcome in KEPT_WITH_CASE:
        raise YouthRefused("closed")
    _refuse_if_assigned_elsewhere(conversation, by)
    professional = is_professional(by)
    held = not professional and conversation.flagged and not _professional_has_spoken(conversation)
    message = YouthMessage(conversation_id=conversation.id, author=Author.PROFESSIONAL if professional
                           else Author.OPERATOR, author_id=by.id, body=body, template_key=template_key,
                           created_at=now(), held=held)
    db.session.add(message)
    db.session.flush()
    if not held:
        _answered(conversation, message.created_at)
    if conversation.assigned_to_id and assignee(conversation) is None:  # lapsed: the whole service's again
        conversation.assigned_to_id = conversation.assigned_until = None
    elif assignee(conversation) == by.id or professional:
        conversation.assigned_until = None  # answered: nothing waits for them until the young person writes again
    record(by, "youth.answer_held" if held else "youth.answer", detail=_ref(conversation))
    return message


def _professional_has_spoken(conversation: YouthConversation) -> bool:
    return any(m.author == Author.PROFESSIONAL or m.approved_by_id for m in conversation.messages)


@unit_of_work
def approve(message: YouthMessage, by: User) -> None:
    """A professional lets a held answer through to the young person."""
    if not is_professional(by) or not message.held:
        raise YouthRefused("approve")
    message.held, message.approved_by_id = False, by.id
    _answered(message.conversation, now())
    record(by, "youth.approve", detail=_ref(message.conversation))


def _answered(conversation: YouthConversation, at: datetime) -> None:
    """The young person can now read an answer: the first one sets the answer time."""
    conversation.last_message_at = at
    if conversation.first_answer_at is None:
        conversation.first_answer_at = at
        minutes = round((at - conversation.created_at).total_seconds() / 60)  # to the nearest minute
        stat = _stat(conversation)
        stat.answer_minutes = minutes
        stat.within_promise = promise_hours_between(conversation.created_at, at) <= youth().promise_hours


def promise_hours_between(start: datetime, end: datetime) -> float:
    """Hours from `start` to `end` as the promise counts them (without Saturdays and Sundays when it says so)."""
    if not youth().promise_weekdays_only:
        return (end - start).total_seconds() / 3600
    seconds, at = 0.0, start
    while at < end:
        next_midnight = datetime.combine(at.date() + timedelta(days=1), datetime.min.time())
        stop = min(end, next_midnight)
        if at.weekday() < 5:
            seconds += (stop - at).total_seconds()
        at = stop
    return seconds / 3600


def promise_deadline(start: datetime) -> datetime:
    """When the promise runs out for a message written at `start` (Saturdays and Sundays not counted when the
    promise says weekdays): the inverse of promise_hours_between."""
    left = timedelta(hours=youth().promise_hours)
    if not youth().promise_weekdays_only:
        return start + left
    at = start
    while True:
        next_midnight = datetime.combine(at.date() + timedelta(days=1), datetime.min.time())
        if at.weekday() < 5:
            if at + left <= next_midnight:
                return at + left
            left -= next_midnight - at
        at = next_midnight


# -- assignment to a named operator ---------------------------------------------------------------------------

def assignee(conversation: YouthConversation) -> int | None:
    """The id of the operator the conversation is assigned to now, or None: an assignment lapses when the
    operator has left the young person unanswered past the promise time (`assigned_until`)."""
    if conversation.assigned_to_id is None:
        return None
    if conversation.assigned_until is not None and now() > conversation.assigned_until:
        return None
    return conversation.assigned_to_id


def _refuse_if_assigned_elsewhere(conversation: YouthConversation, by: User) -> None:
    """While the conversation is assigned, only that operator and the professional on duty answer it."""
    holder = assignee(conversation)
    if holder is not None and holder != by.id and not is_professional(by):
        raise YouthRefused("assigned")


def assignable(user: User) -> list[User]:
    """The youth operators and professionals of `user`'s unit, whom the professional may assign to."""
    people = db.session.scalars(select(User).where(User.unit_id == user.unit_id, User.active).order_by(User.name))
    return [p for p in people if p.has_role(Role.YOUTH_OPERATOR, Role.YOUTH_PROFESSIONAL)]


@unit_of_work
def assign(conversation: YouthConversation, to: User, by: User) -> None:
    """Assign an open conversation to the named operator `to`: the professional on duty to anyone of the youth
    service; an operator only to themself ("take it"), and not one assigned to another. It holds until the
    promise time runs out on a message they leave unanswered (from now if the young person waits now)."""
    if not conversation.is_open:
        raise YouthRefused("closed")
    if to.unit_id != conversation.unit_id or not to.has_role(Role.YOUTH_OPERATOR, Role.YOUTH_PROFESSIONAL):
        raise YouthRefused("not_assignable")
    if not is_professional(by):
        if to.id != by.id:
            raise YouthRefused("professional_only")
        _refuse_if_assigned_elsewhere(conversation, by)
    conversation.assigned_to_id = to.id
    conversation.assigned_until = promise_deadline(now()) if _waiting_for_answer(conversation) else None
    record(by, "youth.assign", detail=f"{_ref(conversation)} user:{to.id}")


def _waiting_for_answer(conversation: YouthConversation) -> bool:
    """Whether the young person's last message has no answer after it yet."""
    return bool(conversation.messages) and conversation.messages[-1].author == Author.YOUNG


@unit_of_work
def release(conversation: YouthConversation, by: User) -> None:
    """The assigned operator or the professional on duty gives the conversation back to the whole service."""
    if assignee(conversation) not in (None, by.id) and not is_professional(by):
        raise YouthRefused("assigned")
    conversation.assigned_to_id = conversation.assigned_until = None
    record(by, "youth.release", detail=_ref(conversation))


@unit_of_work
def set_topic(conversation: YouthConversation, by: User, topic: str) -> None:
    """The topic, for the statistics (chosen by staff from youth.yaml)."""
    if youth().entry("topics", topic) is None:
        raise YouthRefused("unknown_topic")
    conversation.topic = _stat(conversation).topic = topic
    record(by, "youth.topic", detail=_ref(conversation))


@unit_of_work
def decide_outcome(conversation: YouthConversation, by: User, outcome: Outcome, detail: str = "") -> None:
    """The professional's decision: answered and closed, a talk offered, a referral, an offer to make a case
    (the young person then consents or not), or the report path with its ground. A youth operator may close
    only an unflagged conversation as answered."""
    if not is_professional(by) and not (outcome == Outcome.ANSWERED and not conversation.flagged):
        raise YouthRefused("professional_only")
    _refuse_if_assigned_elsewhere(conversation, by)
    if conversation.outcome in KEPT_WITH_CASE:
        raise YouthRefused("closed")
    y = youth()
    if outcome == Outcome.REFERRAL and y.entry("directory", detail) is None:
        raise YouthRefused("unknown_service")
    if outcome == Outcome.REPORT and y.entry("report_grounds", detail) is None:
        raise YouthRefused("ground")
    if outcome == Outcome.TALK and not detail.strip():
        raise YouthRefused("talk")
    if outcome == Outcome.CONCERN:  # an offer: the case is made only when the young person consents
        conversation.outcome_detail = f"offer:{by.id}"
        record(by, "youth.offer_case", detail=_ref(conversation))
        return
    _set_outcome(conversation, outcome, detail.strip())
    record(by, f"youth.{outcome.value}", detail=_ref(conversation))


def _set_outcome(conversation: YouthConversation, outcome: Outcome, detail: str) -> None:
    conversation.outcome, conversation.outcome_detail = outcome, detail
    conversation.closed_at = now()
    _stat(conversation).outcome = outcome.value


def rated(conversation: YouthConversation) -> bool:
    """Whether the young person has said whether the answer helped."""
    return _stat(conversation).rating is not None


def case_offered(conversation: YouthConversation) -> bool:
    return _case_offer(conversation) is not None and conversation.outcome not in KEPT_WITH_CASE


def _stat(conversation: YouthConversation) -> YouthStat:
    return db.session.scalar(select(YouthStat).where(YouthStat.conversation_id == conversation.id))


def _ref(conversation: YouthConversation) -> str:
    return f"youth:{conversation.id}"


# -- retention -----------------------------------------------------------------------------------------------

@unit_of_work
def apply_retention() -> int:
    """Delete every conversation that became neither a case nor a report, `retention_days` after its last
    message; its anonymous statistics row stays (unlinked). Returns how many were deleted."""
    cutoff = now() - timedelta(days=youth().retention_days)
    ids = list(db.session.scalars(select(YouthConversation.id).where(
        YouthConversation.last_message_at < cutoff,
        YouthConversation.outcome.not_in([o.value for o in KEPT_WITH_CASE]))))
    if ids:
        db.session.execute(update(YouthStat).where(YouthStat.conversation_id.in_(ids)).values(conversation_id=None))
        db.session.execute(delete(YouthMessage).where(YouthMessage.conversation_id.in_(ids)))
        db.session.execute(delete(YouthConversation).where(YouthConversation.id.in_(ids)))
        db.session.expire_all()
    record(None, "youth.retention", detail=f"{len(ids)} slettet", remote_addr="cli")
    return len(ids)


# -- operators' certification -------------------------------------------------------------------------------

def operators() -> list[User]:
    """The youth operators, with their certificates."""
    return list(db.session.scalars(select(User).where(User.roles_text.contains(Role.YOUTH_OPERATOR.value))
                                   .order_by(User.name)))


def certificates_of(user: User) -> list[OperatorCertificate]:
    return list(db.session.scalars(select(OperatorCertificate).where(OperatorCertificate.user_id == user.id)
                                   .order_by(OperatorCertificate.certified_on.desc())))


@unit_of_work
def record_certificate(user: User, course: str, certified_on: date, by: User) -> OperatorCertificate:
    """An admin records that a youth operator is trained and certified (the course and its date)."""
    if not user.has_role(Role.YOUTH_OPERATOR):
        raise YouthRefused("not_operator")
    certificate = OperatorCertificate(user_id=user.id, course=course.strip(), certified_on=certified_on,
                                      recorded_by_id=by.id)
    db.session.add(certificate)
    record(by, "youth.certify", detail=f"user:{user.id}")
    return certificate
