"""The suspicion path as a state of the case: *waiting for child welfare* (docs/family-and-suspicion.md).

A concern registered as a suspicion of violence, abuse or serious neglect, or a report to child welfare with a
guardian not informed, makes the case wait for child welfare's answer. While it waits, nothing faces the
family: the guide offers no family-facing step (tik/guides/engine.py), and the services that face the family
(consent, family letter and prints, the plan handed over, meetings with the family) refuse with
`WaitingForChildWelfare`. The case is not on "Min familie" (tik/auth/policy.py `family_told`). The holder ends
the state by recording child welfare's answer and going on (the guide's `resume` decision).
"""

from __future__ import annotations

from datetime import date

from tik.audit.service import record
from tik.cases.models import Case, EventKind, WaitingForChildWelfare  # noqa: F401 (the refusal, re-exported)
from tik.clock import now, today
from tik.guidebook import guide_of
from tik.timeline.service import log

ANSWER_FIELDS = ("cw_answer", "family_may_be_told", "family_told_from")


def is_waiting(case: Case) -> bool:
    return case.waiting_since is not None


def refuse_if_waiting(case: Case) -> None:
    """Raise WaitingForChildWelfare if `case` waits for child welfare: a service that faces the family calls it
    first (the refusal is in the service, not only a hidden button)."""
    case.refuse_if_waiting()


def enter_waiting(case: Case, by, why: str) -> None:
    """The case waits for child welfare from now (unchanged if it already does); on the staff timeline, never
    on the family's. `why`: "concern" (registered as a suspicion), "hard_stop" or "report" (a guardian not
    informed)."""
    if is_waiting(case):
        return
    case.waiting_since = now()
    wait = guide_of(case).child_welfare_wait
    log(case, EventKind.STEP, by, step_id=wait.id if wait else "", decision="", action="waiting", why=why)
    record(by, "case.waiting", case, detail=why)


def may_go_on(recorded: dict[str, str]) -> str | None:
    """Why the holder may not go on from waiting with the answer `recorded` (a refusal code), or None."""
    if recorded.get("family_may_be_told") != "yes":
        return "family_not_to_be_told"
    try:
        told_from = date.fromisoformat(recorded.get("family_told_from", ""))
    except ValueError:
        return "invalid_date"
    return "family_not_yet" if told_from > today() else None


def leave_waiting(case: Case, recorded: dict[str, str]) -> None:
    """Child welfare answered and the family may be told: the case goes on, and from the day child welfare
    named the family counts as told ("Min familie" shows the case)."""
    case.waiting_since = None
    case.family_told_on = date.fromisoformat(recorded["family_told_from"])


def mark_told(case: Case, on: date | None = None) -> None:
    """Staff recorded that the family was told (a family-facing step done, a letter handed over)."""
    case.mark_family_told(on or today())
