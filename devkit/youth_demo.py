"""The demo municipality's youth door: one trained youth operator and one professional on duty at Fjordvik
ungdomstjeneste, and a few conversations so that the inbox and the answer-time page are not empty."""

from __future__ import annotations

from datetime import timedelta

from tik import clock
from tik.auth.models import Role, User
from tik.auth.service import create_user
from tik.org.service import unit_by_key
from tik.youth import service

# (username, full name, title, roles); the demo password is the demo's own (devkit/demo.py).
YOUTH_DEMO_USERS = [
    ("ungdomsveileder", "Sara Lind", "Ungdomsveileder (19 år, sertifisert), Fjordvik ungdomstjeneste",
     (Role.YOUTH_OPERATOR,)),
    ("fagperson-ung", "Kjersti Holm", "Helsesykepleier på vakt, Fjordvik ungdomstjeneste",
     (Role.YOUTH_PROFESSIONAL,)),
]
UNIT = "ungdomstjenesten"


def load_youth_demo(users: dict[str, User], password: str) -> None:
    """Create the youth door's demo people (the operator certified by the admin) and three conversations, the
    answered one taken by the operator."""
    unit = unit_by_key(UNIT)
    for username, name, title, roles in YOUTH_DEMO_USERS:
        users[username] = create_user(username, name, unit, password, set(roles), title=title)
    service.record_certificate(users["ungdomsveileder"], "Ungdomsveileder, Mental Helse (grunnkurs)",
                               clock.today() - timedelta(days=60), users["admin"])
    operator = users["ungdomsveileder"]
    first = service.write_first("Jeg krangler mye med foreldrene mine og orker ikke være hjemme.", "16-18",
                                "Fjordvik videregående", "here")
    service.assign(first.conversation, operator, operator)  # Sara took it: she answers it
    service.answer(first.conversation, operator, service.youth().templates[0].text.get("nb"), "thanks")
    service.write_first("Hvordan får jeg hjelp med penger til bussen til skolen?", "16-18")
    service.write_first("Jeg er ikke trygg hjemme i kveld.", "12-15", "", "call", not_safe=True)  # to the professional


def logins_lines(width: int) -> list[str]:
    """The youth door's demo logins, in the demo's list of users."""
    return [f"  {u:<{width}}  {name} – {title} [{', '.join(r.value for r in roles)}]"
            for u, name, title, roles in YOUTH_DEMO_USERS]
