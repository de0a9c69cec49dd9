"""The Swedish demo municipality: Åmåls kommun running the SIP guidebook (guidebooks/sv-sip), loaded into the
current database and app (which must run that guidebook: `tik demo` calls this when the guidebook's country is
Sweden). Staff of the school, elevhälsan, socialtjänsten, ARENA Ungdomscentral and the outside agencies; a young
adult of 19 who consents alone, with a SIP under way with Arbetsförmedlingen and Försäkringskassan; a child of 14
whose vårdnadshavare consent, at level 1 in the school.

Everything goes through the real service functions with the clock moved back. The people are made up and their
personnummer synthetic (tik/identity/se.py `synthetic`, devkit/devidp.py SWEDISH_DEMO_PEOPLE): never real.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from pathlib import Path

from sqlalchemy import select

from devkit.devidp import SWEDISH_DEMO_PEOPLE
from tik import clock
from tik.auth.models import Role, User
from tik.auth.service import create_user
from tik.cases import steps
from tik.cases.consent import record_consent
from tik.cases.models import Case, ConsentForm
from tik.cases.participants import invite_participant
from tik.concerns.service import ChildInput, ConcernInput, GuardianInput, register_concern
from tik.config import ROOT
from tik.extensions import db
from tik.guidebook import guide_of
from tik.plans.models import MeasureStatus
from tik.plans.service import MeasureInput, add_measure

ORGANISATION = ROOT / "guidebooks" / "sv-sip" / "organisation.yaml"
# The demo logins are printed for everyone on purpose: this is not a secret.
DEMO_PASSWORD = "tik-demo-2026"  # nosec B105

E, C, T, L, A = Role.EMPLOYEE, Role.COORDINATOR, Role.TEAM, Role.LEADER, Role.ADMIN

# (username, full name, title, unit key (guidebooks/sv-sip/organisation.yaml), roles)
SWEDISH_USERS: list[tuple[str, str, str, str, tuple[Role, ...]]] = [
    ("maja.mentor", "Maja Lindqvist", "Mentor, Kristinedalskolan", "kristinedalskolan", (E, C)),
    ("rektor.karlsson", "Per Karlsson", "Rektor, Kristinedalskolan", "kristinedalskolan", (E, L)),
    ("kurator.nystrom", "Sara Nyström", "Skolkurator, elevhälsan", "elevhalsan-amal", (E, C, T)),
    ("eh.chef", "Eva Holm", "Elevhälsochef", "elevhalsan-amal", (E, L)),
    ("socsek.berg", "Johan Berg", "Socialsekreterare, barn och unga", "socialtjansten-barn-unga", (E, T)),
    ("ifo.chef", "Karin Sjöberg", "Enhetschef, barn och unga", "socialtjansten-barn-unga", (E, L)),
    ("arena.haddad", "Amir Haddad", "Ungdomscoach, ARENA Ungdomscentral", "arena-ungdomscentral", (E, C)),
    ("arena.chef", "Lena Dahlberg", "Verksamhetsledare, ARENA Ungdomscentral", "arena-ungdomscentral", (E, L)),
    ("af.nilsson", "Oskar Nilsson", "Arbetsförmedlare, ungdomar", "arbetsformedlingen-amal", (E,)),
    ("af.chef", "Ulla Bergström", "Sektionschef, Arbetsförmedlingen Åmål", "arbetsformedlingen-amal", (E, L)),
    ("fk.ali", "Fatima Ali", "Handläggare, Försäkringskassan", "forsakringskassan-vanersborg", (E,)),
    ("fk.chef", "Göran Persson", "Enhetschef, Försäkringskassan", "forsakringskassan-vanersborg", (E, L)),
    ("bup.wallin", "Ingrid Wallin", "Psykolog, BUP Dalsland", "bup-dalsland", (E,)),
    ("bup.chef", "Henrik Ström", "Verksamhetschef, BUP Dalsland", "bup-dalsland", (E, L)),
    ("vc.sandberg", "Erik Sandberg", "Distriktssköterska, vårdcentralen", "vardcentralen-amal", (E,)),
    ("vc.chef", "Birgitta Öberg", "Vårdcentralschef", "vardcentralen-amal", (E, L)),
    ("admin.amal", "Stina Fredriksson", "Systemförvaltare TIK, Åmåls kommun", "socialtjansten-barn-unga", (A,)),
]

ELSA = SWEDISH_DEMO_PEOPLE["Elsa Lind"]
NOAH = SWEDISH_DEMO_PEOPLE["Noah Ek"]


def load_swedish() -> bool:
    """Load the Swedish demo into the current database. Returns False (and changes nothing) when one of its
    users exists already."""
    if db.session.scalar(select(User.id).where(User.username == SWEDISH_USERS[0][0])) is not None:
        return False
    clock.reset()
    base = clock.today()
    try:
        from tik.org.service import load_organisation

        clock.travel(_when(base, 30, "08:00"))
        load_organisation(Path(ORGANISATION))  # the units first (users belong to one) ...
        users = _create_users()
        load_organisation(Path(ORGANISATION))  # ... then their leaders
        db.session.commit()
        _elsa(users, base)
        _noah(users, base)
        _alva(users, base)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    finally:
        clock.reset()
    return True


def logins_text_sv() -> str:
    """The Swedish demo's logins, for `tik demo` to print (like devkit/demo.py's logins_text)."""
    width = max(len(u[0]) for u in SWEDISH_USERS)
    lines = [f"Demoanvändare i Åmåls kommun (lösenord för alla: {DEMO_PASSWORD})", ""]
    for username, name, title, _unit, roles in SWEDISH_USERS:
        lines.append(f"  {username:<{width}}  {name} – {title} [{', '.join(r.value for r in roles)}]")
    lines += ["", "Min familj (BankID/Freja eID genom `tik dev-idp`, syntetiska personnummer):"]
    lines += [f"  {number}  {name}" for name, number in SWEDISH_DEMO_PEOPLE.items()]
    return "\n".join(lines)


def _create_users() -> dict[str, User]:
    from tik.org.service import unit_by_key

    # No locale given: a new user's language is the municipality's (Swedish), tik.auth.service.create_user.
    return {username: create_user(username, name, unit_by_key(unit), DEMO_PASSWORD, set(roles), title=title)
            for username, name, title, unit, roles in SWEDISH_USERS}


def _when(base: date, days_ago: int, hhmm: str) -> datetime:
    """A working-day moment `days_ago` before `base` (weekends move back to the Friday)."""
    day = base - timedelta(days=days_ago)
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    hour, minute = (int(x) for x in hhmm.split(":"))
    return datetime.combine(day, time(hour, minute))


def _at(base: date, days_ago: int, hhmm: str) -> None:
    clock.travel(_when(base, days_ago, hhmm))


def _born(number: str) -> date:
    return date(int(number[:4]), int(number[4:6]), int(number[6:8]))


def _decide(case: Case, decision: str, by: User, **values: str) -> None:
    steps.decide(case, decision, values, by)
    db.session.commit()


def _elsa(u: dict[str, User], base: date) -> None:
    """The young adult (19) at ARENA Ungdomscentral: her own consent to Arbetsförmedlingen and Försäkringskassan,
    the SIP meeting held, the SIP being written."""
    coach = u["arena.haddad"]
    _at(base, 21, "09:30")
    case = register_concern(
        ChildInput("Elsa", "Lind", _born(ELSA), nin=ELSA, gender="girl", school="ARENA Ungdomscentral",
                   guardians=[GuardianInput("Anna Lind", "mor", "070-123 45 67", "sv")]),
        ConcernInput("Elsa har avbrutit gymnasiet, har inget arbete och säger att hon inte orkar söka jobb. "
                     "Hon har varit sjukskriven i perioder för oro och sömnproblem.",
                     since_when="våren", how_often="hela tiden"), coach).case
    db.session.commit()
    _at(base, 20, "13:00")
    _decide(case, "done", coach, observation="Elsa (19) har inte studerat eller arbetat sedan i våras. Hon "
            "kommer till ARENA två dagar i veckan men orkar inte hela dagar.", since_when="Våren",
            how_often="Varje vecka")
    _at(base, 17, "10:00")
    _decide(case, "done", coach, conversation_date=clock.today().isoformat(),
            child_words="Jag vill jobba med djur, men jag orkar inte ens ringa. Mamma ska inte vara med på "
                        "mötena, jag bestämmer själv.")
    _at(base, 16, "11:15")
    on = clock.today()
    record_consent(case, coach, given_by="Elsa Lind", services=["arbetsformedlingen", "forsakringskassan"],
                   purpose="SIP: samordnat stöd till studier eller arbete och ersättning under tiden.",
                   form=ConsentForm.PAPER, given_on=on, expires_on=on + timedelta(days=365),
                   young_person=guide_of(case).of_consent_age(case.child.birth_date, on))
    db.session.commit()
    _decide(case, "sip", coach, assessment="Elsa behöver Arbetsförmedlingen (vägen till arbete eller studier) "
            "och Försäkringskassan (aktivitetsersättning). Hon vill ha en SIP och samtycker själv.")
    _at(base, 15, "09:00")
    for username in ("af.nilsson", "fk.ali"):
        invite_participant(case, u[username], coach)
    db.session.commit()
    # The meeting's date is recorded as held (never in the future): the call is marked sent on the meeting day.
    _at(base, 11, "08:30")
    _decide(case, "done", coach, meeting_date=clock.today().isoformat(),
            participants="Elsa Lind; Amir Haddad (ARENA); Oskar Nilsson (Arbetsförmedlingen); Fatima Ali "
                         "(Försäkringskassan)")
    _at(base, 11, "13:30")
    _decide(case, "done", coach,
            shared_understanding="Elsa vill arbeta med djur. Hon behöver en lugn start, hjälp med sömnen och "
                                 "en inkomst medan hon prövar en praktik.",
            lead_agency="Arbetsförmedlingen", is_sip="yes",
            child_words="Det kändes bra att alla satt i samma rum. Jag behöver bara berätta en gång.")
    _at(base, 10, "10:00")
    start = clock.today()
    for service, who, what, goal in (
            ("arbetsformedlingen", "af.nilsson", "Praktik på ett djurhem i Åmål, tre förmiddagar i veckan.",
             "Elsa prövar ett arbete hon vill ha och vet efter tre månader om hon vill gå vidare."),
            ("forsakringskassan", "fk.ali", "Ansökan om aktivitetsersättning medan Elsa är i praktik.",
             "Elsa har en inkomst under praktiken.")):
        add_measure(case, coach, MeasureInput(service_key=service, responsible=u[who].name, what=what, goal=goal,
                                              start_on=start, evaluate_on=start + timedelta(days=90),
                                              status=MeasureStatus.ACTIVE, responsible_id=u[who].id))
    db.session.commit()


def _noah(u: dict[str, User], base: date) -> None:
    """The child (14) at Kristinedalskolan: his vårdnadshavare consent to elevhälsan; level 1 in the school."""
    mentor = u["maja.mentor"]
    _at(base, 12, "08:45")
    case = register_concern(
        ChildInput("Noah", "Ek", _born(NOAH), nin=NOAH, gender="boy", school="Kristinedalskolan",
                   class_name="8B",
                   guardians=[GuardianInput("Anna Ek", "mor", "070-234 56 78", "sv"),
                              GuardianInput("Mikael Ek", "far", "073-345 67 89", "sv")]),
        ConcernInput("Noah kommer ofta för sent, somnar på lektionerna och har slutat äta lunch i matsalen.",
                     since_when="efter höstlovet", how_often="flera gånger i veckan"), mentor).case
    db.session.commit()
    _at(base, 11, "14:00")
    _decide(case, "done", mentor, observation="Noah har kommit för sent 9 av de senaste 15 dagarna och somnar "
            "på eftermiddagarna.", since_when="Vecka 45", how_often="3–4 dagar i veckan")
    _at(base, 8, "15:30")
    _decide(case, "done", mentor, conversation_date=clock.today().isoformat(),
            child_words="Jag spelar på nätterna för att slippa tänka.",
            parents_words="Mor: Vi märker att han är trött, men vi vet inte hur vi ska få honom att lägga sig.")
    _at(base, 7, "10:00")
    on = clock.today()
    record_consent(case, mentor, given_by="Anna Ek och Mikael Ek", services=["student-health"],
                   purpose="Samtal med skolkuratorn om sömn och skolgång.", form=ConsentForm.PAPER,
                   given_on=on, expires_on=on + timedelta(days=180))
    db.session.commit()
    _decide(case, "level1", mentor, assessment="Skolan och elevhälsan tar det först: anpassad start på dagen "
            "och samtal med kuratorn. Fler huvudmän behövs inte nu.")
    invite_participant(case, u["kurator.nystrom"], mentor)
    db.session.commit()


def _alva(u: dict[str, User], base: date) -> None:
    """The orosanmälan: a child (13) tells her mentor about violence at home. The mentor makes an orosanmälan
    to socialtjänsten without telling the vårdnadshavare first; the case waits for socialtjänsten's answer."""
    from tik.cases.models import ChildWelfareReport
    from tik.cases.reports import GuardianInformed, complete_report

    mentor = u["maja.mentor"]
    _at(base, 3, "09:10")
    case = register_concern(
        ChildInput("Alva", "Berg", _born(SWEDISH_DEMO_PEOPLE["Alva Berg"]), nin=SWEDISH_DEMO_PEOPLE["Alva Berg"],
                   gender="girl", school="Kristinedalskolan", class_name="7A",
                   guardians=[GuardianInput("Sofia Berg", "mor", "070-456 78 90", "sv"),
                              GuardianInput("Daniel Berg", "far", "076-567 89 01", "sv")]),
        ConcernInput("Alva har blåmärken på armarna och säger att pappa blir arg när han dricker.",
                     since_when="i dag", how_often="första gången hon berättar"), mentor).case
    db.session.commit()
    _at(base, 3, "09:40")
    steps.decide(case, "report_child_welfare", {}, mentor)
    db.session.commit()
    report = db.session.scalar(select(ChildWelfareReport).where(ChildWelfareReport.case_id == case.id))
    _at(base, 3, "11:00")
    complete_report(report, mentor,
                    guardians=[GuardianInformed(row["guardian_id"], False, "suspicion") for row in report.guardians],
                    child_told=True, child_not_told_reason="", interpreter_needed=False, interpreter_language="",
                    sent_on=clock.today(), sent_how="phone",
                    text="Alva (13) berättade i dag för mig som mentor att pappa slår när han har druckit, senast "
                         "i går kväll. Hon har blåmärken på båda underarmarna. Hon är rädd att gå hem.")
    db.session.commit()
