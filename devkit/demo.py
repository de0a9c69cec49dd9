"""The demo municipality: fictional staff and children in Fjordvik, loaded into an empty database.

Every case is driven through the real service functions (register, decide, consent, plan, handover) with
the clock moved back, so the timelines, deadlines and plans look like months of real work.
All people here are made up; any likeness to real persons is accidental.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from devkit.youth_demo import load_youth_demo
from devkit.youth_demo import logins_lines as youth_logins
from tik import clock
from tik.auth.models import Role, User
from tik.auth.service import create_user
from tik.cases import steps
from tik.cases.consent import record_consent
from tik.cases.handover import answer_handover, propose_handover
from tik.cases.models import Case, ConsentForm
from tik.cases.participants import invite_participant
from tik.cases.queries import active_participant
from tik.cases.steps import current_step
from tik.concerns.service import ChildInput, ConcernInput, GuardianInput, register_concern
from tik.extensions import db
from tik.guidebook import current_guide, guide_of
from tik.municipalities import all_municipalities, municipality_scope
from tik.plans.models import GoalReached, MeasureStatus, NextAction
from tik.plans.service import (
    EVALUATE_AFTER,
    EvaluationInput,
    MeasureInput,
    add_measure,
    evaluate_measure,
    mark_shared,
    plan_of,
    update_plan,
)

try:  # the Swedish municipality's demo (devkit/demo_sv.py), when present
    from devkit.demo_sv import load_swedish
except ImportError:  # pragma: no cover - a branch without it loads only the Swedish organisation and its leaders
    load_swedish = None

# The demo logins are printed for everyone on purpose: this is not a secret.
DEMO_PASSWORD = "tik-demo-2026"  # nosec B105

E, C, T, L, A = Role.EMPLOYEE, Role.COORDINATOR, Role.TEAM, Role.LEADER, Role.ADMIN

# (username, full name, title, unit key (organisation.yaml), roles, phone, email)
DEMO_USERS: list[tuple[str, str, str, str, tuple[Role, ...], str, str]] = [
    ("laerer", "Marte Solberg-Haugen", "Kontaktlærer, Fjordvik barneskole", "fjordvik-barneskole", (E, C),
     "35 98 11 24", "marte.solberg-haugen@fjordvik.kommune.no"),
    ("lektor", "Henrik Aasmundsen", "Kontaktlærer, Fjordvik ungdomsskole", "fjordvik-ungdomsskole", (E, C),
     "35 98 11 57", "henrik.aasmundsen@fjordvik.kommune.no"),
    ("barnehage", "Ingvild Myrvang", "Pedagogisk leder, Solsiden barnehage", "solsiden-barnehage", (E, C),
     "35 98 10 32", "ingvild.myrvang@fjordvik.kommune.no"),
    ("helsesykepleier", "Siri Tveitan", "Helsesykepleier, skolehelsetjenesten", "helsestasjonen", (E, C, T),
     "35 98 12 18", "siri.tveitan@fjordvik.kommune.no"),
    ("ppt", "Tor Ivar Lunde", "PPT-rådgiver", "ppt", (E, T),
     "35 98 13 06", "tor.ivar.lunde@fjordvik.kommune.no"),
    ("barnevern", "Camilla Strand", "Saksbehandler, barneverntjenesten", "barneverntjenesten", (E, T),
     "35 98 14 22", "camilla.strand@fjordvik.kommune.no"),
    ("nav", "Yusuf Demir", "NAV-veileder, ungdomsteamet", "nav-fjordvik", (E, C),
     "35 98 15 40", "yusuf.demir@fjordvik.kommune.no"),
    ("ungdom", "Eirik Fosse", "Ungdomsarbeider, Fjordvik ungdomstjeneste", "ungdomstjenesten", (E, C),
     "35 98 17 63", "eirik.fosse@fjordvik.kommune.no"),
    ("koordinator", "Linn Hovda-Berg", "Oppvekstrådgiver og TIK-koordinator, Familieteamet", "familieteamet",
     (E, C, T), "35 98 16 10", "linn.hovda-berg@fjordvik.kommune.no"),
    ("psykhelse", "Anders Rørvik", "Kommunepsykolog, psykisk helse og rus", "psykisk-helse", (E, T),
     "35 98 18 45", "anders.rorvik@fjordvik.kommune.no"),
    ("admin", "Petter Øyen", "Systemansvarlig TIK, Oppvekst og kultur", "oppvekst-stab", (A,),
     "35 98 19 90", "petter.oyen@fjordvik.kommune.no"),
    # The leaders of the units (organisation.yaml names them): oversight of their unit's cases.
    ("leder", "Bente Kvamme", "Rektor, Fjordvik barneskole", "fjordvik-barneskole", (E, L),
     "35 98 11 01", "bente.kvamme@fjordvik.kommune.no"),
    ("rektor-us", "Gunnar Haugland", "Rektor, Fjordvik ungdomsskole", "fjordvik-ungdomsskole", (E, L),
     "35 98 11 50", "gunnar.haugland@fjordvik.kommune.no"),
    ("styrer", "Hanne Lid", "Styrer, Solsiden barnehage", "solsiden-barnehage", (E, L),
     "35 98 10 30", "hanne.lid@fjordvik.kommune.no"),
    ("styrer-havbris", "Knut Berge", "Styrer, Havbris barnehage", "havbris-barnehage", (E, L),
     "35 98 10 60", "knut.berge@fjordvik.kommune.no"),
    ("leder-helse", "Randi Moe", "Leder, helsestasjon og skolehelsetjeneste", "helsestasjonen", (E, L),
     "35 98 12 00", "randi.moe@fjordvik.kommune.no"),
    ("leder-ppt", "Ola Nygård", "Leder, PPT", "ppt", (E, L), "35 98 13 00", "ola.nygard@fjordvik.kommune.no"),
    ("leder-barnevern", "Tove Aas", "Barnevernleder", "barneverntjenesten", (E, L),
     "35 98 14 00", "tove.aas@fjordvik.kommune.no"),
    ("leder-nav", "Per Holm", "Leder, NAV Fjordvik", "nav-fjordvik", (E, L),
     "35 98 15 00", "per.holm@fjordvik.kommune.no"),
    ("leder-familie", "Mona Vik", "Leder, familieteamet", "familieteamet", (E, L),
     "35 98 16 00", "mona.vik@fjordvik.kommune.no"),
    ("leder-psyk", "Jon Sande", "Leder, psykisk helse og rus", "psykisk-helse", (E, L),
     "35 98 18 00", "jon.sande@fjordvik.kommune.no"),
    ("leder-ungdom", "Lise Bakke", "Leder, Fjordvik ungdomstjeneste", "ungdomstjenesten", (E, L),
     "35 98 17 00", "lise.bakke@fjordvik.kommune.no"),
    ("kommunalsjef", "Arne Vold", "Kommunalsjef, oppvekst og kultur", "oppvekst-stab", (E, L),
     "35 98 19 00", "arne.vold@fjordvik.kommune.no"),
    ("analytiker", "Nina Berge", "Analytiker, Strategi og utvikling", "oppvekst-stab", (Role.ANALYST,),
     "35 98 19 95", "nina.berge@fjordvik.kommune.no"),
]

# Who reports to whom (username -> leader's username).
DEMO_LEADERS = {"laerer": "leder"}

BARNESKOLE = "Fjordvik barneskole"
UNGDOMSSKOLE = "Fjordvik ungdomsskole"
BARNEHAGE = "Solsiden barnehage"
VGS = "Fjordvik videregående skole"


def load(today: date | None = None) -> bool:
    """Load the demo into an empty database. Returns False (and changes nothing) if any user exists. Its stories
    happen in the weeks before `today` (the real date unless a test names one); the clock is real afterwards."""
    if db.session.scalar(select(User.id).limit(1)) is not None:
        return False
    if current_guide().country == "se":  # a Swedish municipality runs the Swedish demo (devkit/demo_sv.py)
        from devkit.demo_sv import load_swedish

        return load_swedish()
    clock.reset()
    started = clock.now()
    base = today or clock.today()
    try:
        clock.travel(_when(base, max(150, _long_ago() + 70), "08:00"))  # before the oldest story begins
        from tik.org.service import load_organisation

        load_organisation()  # the units first (users belong to one) ...
        users = _create_users()
        _link_to_dev_provider(users)
        load_organisation()  # ... then their leaders
        db.session.commit()
        _run([story(users, base) for story in STORIES])
        _guardian_for_dev_provider()
        # The last of the demo happens this morning, or now if the morning has not come yet: nothing is dated
        # after the moment the demo was loaded (a message written right after it must be the newest).
        clock.travel(min(_when(base, 0, "08:00"), started) if today is None else _when(base, 0, "08:00"))
        _teams_and_meetings(users, base)
        load_youth_demo(users, DEMO_PASSWORD)
        db.session.commit()
        from tik.stats.refresh import refresh

        refresh()  # the statistics page has figures from the start (nightly afterwards)
    except Exception:
        db.session.rollback()
        raise
    finally:
        clock.reset()
    return True


def _link_to_dev_provider(users: dict[str, User]) -> None:
    """The teacher and her leader can also sign in through `tik dev-idp` (README, single sign-on)."""
    from devkit.devidp import DEV_ISSUER

    for username in ("laerer", "leder"):
        users[username].external_issuer, users[username].external_subject = DEV_ISSUER, username


def _guardian_for_dev_provider() -> None:
    """Every demo guardian has a valid synthetic national id (devkit.devidp.DEMO_GUARDIANS), so each can
    sign in on "Min familie" through `tik dev-idp` (its ID-porten-like client), Emil's mother among them."""
    from devkit.devidp import DEMO_GUARDIANS
    from tik import crypto
    from tik.concerns.models import Guardian

    for guardian in db.session.scalars(select(Guardian)):
        pid = DEMO_GUARDIANS.get(guardian.name)
        if pid:
            guardian.nin_encrypted = crypto.encrypt(pid)
            guardian.nin_lookup = crypto.lookup_hash(pid)


def _teams_and_meetings(u: dict[str, User], base: date) -> None:
    """The school area's TIK-team, a past meeting with minutes and the next one with its agenda."""
    from tik.concerns.models import Child
    from tik.meetings import service as meetings

    morning = clock.now()  # the load's last moment (see load)

    def case_of(first_name: str) -> Case:
        return db.session.scalar(select(Case).join(Child, Child.id == Case.child_id)
                                 .where(Child.first_name == first_name))

    members = [u[k] for k in ("koordinator", "helsesykepleier", "ppt", "barnevern", "laerer", "leder")]
    team = meetings.create_team("TIK-team Fjordvik barneskole", members, area="Fjordvik barneskole")
    clock.travel(_when(base, 14, "08:00"))
    past = meetings.create_meeting(u["koordinator"], title="TIK-team – ukemøte",
                                   starts_at=clock.local_to_utc(_when(base, 7, "09:00")),
                                   place="Møterom 2, Fjordvik barneskole", team=team)
    item = meetings.add_item(past, u["laerer"], case_ref=case_of("Oskar").ref)
    meetings.save_minutes(item, u["koordinator"],
                          discussion="Oskar strever med konsentrasjonen; tiltakene i klassen har ikke vært nok.",
                          advice="PPT gjør en kartlegging. Helsesykepleier tar en samtale om søvn.",
                          decisions="Saken løftes til nivå 2. Ansvarsgruppemøte med foreldrene innen to uker.")
    anon = meetings.add_item(past, u["helsesykepleier"], description="Jente, 9 år, 4. trinn – mye fravær")
    meetings.save_minutes(anon, u["koordinator"], discussion="Drøftet anonymt: mønster i fraværet etter helger.",
                          advice="Snakk med jenta og foreldrene; bruk samtaleveilederen 6–12 år.", decisions="")
    meetings.set_attendance(past, {p.id for p in past.participants if p.name != u["leder"].name})
    clock.travel(morning)
    upcoming = meetings.create_meeting(u["koordinator"], title="TIK-team – neste ukemøte",
                                       starts_at=clock.local_to_utc(_when(base, -5, "09:00")),
                                       place="Møterom 2, Fjordvik barneskole",
                                       team=team)
    for first_name in ("Oskar", "Elias"):
        meetings.add_item(upcoming, u["laerer"], case_ref=case_of(first_name).ref)


def load_all() -> list[str]:
    """Load the demo into every municipality of the install (municipalities.yaml): the first as `load()` does,
    the others through `devkit.demo_sv.load_swedish` when that exists, else their organisation and a few users
    (so that each can be signed in to). Returns the names of the municipalities loaded."""
    every = all_municipalities()
    loaded = []
    with municipality_scope(every[0]):
        if load():
            loaded.append(every[0].name)
    for municipality in every[1:]:
        with municipality_scope(municipality):
            if db.session.scalar(select(User.id).limit(1)) is not None:
                continue
            if load_swedish is not None and municipality.country == "SE":
                load_swedish()
            else:
                _organisation_and_leaders(municipality)
            loaded.append(municipality.name)
    return loaded


def _organisation_and_leaders(municipality) -> None:
    """A municipality without demo stories: its units, each leader named in its organisation file as a user
    (leader and coordinator), and an admin."""
    from tik.org.service import load_organisation, unit_by_key

    missing = load_organisation()
    from tik.org.service import check_organisation

    units = {spec.key: spec for spec in check_organisation()[0]}
    taken = set(db.session.scalars(select(User.username).execution_options(all_municipalities=True)))
    for username in missing:
        unit_key = next(key for key, spec in units.items() if username in spec.leaders)
        if username not in taken:
            create_user(username, username.replace("-", " ").title(), unit_by_key(unit_key), DEMO_PASSWORD,
                        {Role.EMPLOYEE, Role.COORDINATOR, Role.LEADER})
    admin = f"admin-{municipality.key}"
    if admin not in taken:
        create_user(admin, f"Admin {municipality.name}", unit_by_key(next(iter(units))), DEMO_PASSWORD, {Role.ADMIN})
    db.session.commit()
    load_organisation()  # now the leaders exist: link them
    db.session.commit()


def addresses_text() -> str:
    """Where each demo municipality answers (`make run`): the path prefix, and the host name."""
    every = all_municipalities()
    if len(every) == 1:
        return ""
    lines = ["", "Kommuner / Kommuner / Municipalities:"]
    for number, municipality in enumerate(every):
        prefix = "" if number == 0 else f"k/{municipality.key}/"
        hosts = "".join(f", http://{host}:5000/" for host in municipality.hosts)
        lines.append(f"  {municipality.name}: http://127.0.0.1:5000/{prefix}{hosts}")
    return "\n".join(lines)


def logins_text() -> str:
    """The demo logins, for `make run` and `tik demo` to print."""
    if current_guide().country == "se":  # a Swedish municipality's demo (devkit/demo_sv.py)
        from devkit.demo_sv import logins_text_sv

        return logins_text_sv()
    width = max(len(u[0]) for u in DEMO_USERS)
    lines = [f"Demobrukere (passord for alle: {DEMO_PASSWORD})", ""]
    for username, name, title, _unit, roles, _phone, _email in DEMO_USERS:
        role_text = ", ".join(r.value for r in roles)
        lines.append(f"  {username:<{width}}  {name} – {title} [{role_text}]")
    lines += youth_logins(width)
    for municipality in all_municipalities()[1:]:
        with municipality_scope(municipality):
            names = db.session.scalars(select(User.username).order_by(User.username)).all()
            if names and load_swedish is not None and municipality.country == "SE":
                from devkit.demo_sv import logins_text_sv

                lines += ["", logins_text_sv()]
            elif names:
                lines += ["", f"{municipality.name} (passord / lösenord: {DEMO_PASSWORD}): {', '.join(names)}"]
    return "\n".join(lines) + addresses_text()


# -- machinery --------------------------------------------------------------------------------------

def _create_users() -> dict[str, User]:
    from tik.org.service import unit_by_key

    users: dict[str, User] = {}
    for username, name, title, unit_key, roles, phone, email in DEMO_USERS:
        users[username] = create_user(username, name, unit_by_key(unit_key), DEMO_PASSWORD, set(roles),
                                      title=title, phone=phone, email=email)
    for username, leader in DEMO_LEADERS.items():
        users[username].leader_id = users[leader].id
    return users


def _when(base: date, days_ago: int, hhmm: str) -> datetime:
    """A working-day moment `days_ago` before `base` (weekends move back to the Friday)."""
    day = base - timedelta(days=days_ago)
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    hour, minute = (int(x) for x in hhmm.split(":"))
    return datetime.combine(day, time(hour, minute))


def _run(stories: list[Iterator[datetime]]) -> None:
    """Play the stories in one time order: each yields when its next action happens, then does it."""
    heap: list[tuple[datetime, int]] = []
    last: dict[int, datetime] = {}

    def advance(i: int) -> None:
        try:
            when = next(stories[i])
        except StopIteration:
            return
        if i in last and when <= last[i]:  # a weekend shift must never reorder one story
            when = last[i] + timedelta(minutes=10)
        last[i] = when
        heapq.heappush(heap, (when, i))

    for i in range(len(stories)):
        advance(i)
    while heap:
        when, i = heapq.heappop(heap)
        clock.travel(when)
        advance(i)


def _born(base: date, age: int, month: int, day: int) -> date:
    """A birth date that makes the child `age` years old on `base`."""
    year = base.year - age - (1 if (month, day) > (base.month, base.day) else 0)
    return date(year, month, day)


def _iso(days: int = 0) -> str:
    return (clock.today() + timedelta(days=days)).isoformat()


def _register(child: ChildInput, concern: ConcernInput, by: User) -> Case:
    return register_concern(child, concern, by).case


def _step(case: Case, decision: str, by: User, **values: str) -> None:
    if "services" in values and not guide_of(case).is_consent_step(current_step(case).step):
        return  # consent is asked once: the consent already registered has done this step
    steps.decide(case, decision, values, by)


def _consent(case: Case, by: User, given_by: str, services: list[str], purpose: str, days: int,
             form: ConsentForm = ConsentForm.PAPER, information: str = "") -> None:
    on = clock.today()
    record_consent(case, by, given_by=given_by, services=services, purpose=purpose, form=form,
                   given_on=on, expires_on=on + timedelta(days=days), information=information,
                   young_person=guide_of(case).of_consent_age(case.child.birth_date, on))


def _measure(case: Case, by: User, service: str, responsible: str, what: str, goal: str,
             evaluate_in: int, status: MeasureStatus = MeasureStatus.ACTIVE, start_in: int = 0) -> None:
    """A measure; when `by` works in its service, `by` is its responsible person (invited first if needed)."""
    start = clock.today() + timedelta(days=start_in)
    owner = by if by.service_key == service else None
    if owner is not None and owner.id != case.coordinator_id:
        _invite(case, owner)
    add_measure(case, by, MeasureInput(service_key=service, responsible=responsible, what=what, goal=goal,
                                       start_on=start, evaluate_on=start + timedelta(days=evaluate_in),
                                       status=status, responsible_id=owner.id if owner else None))


def _evaluate(case: Case, by: User, what: str, reached: GoalReached, child_experience: str,
              parents_said: str = "", note: str = "") -> None:
    """Evaluate the measure whose text starts with `what`; it continues, and the plan gets a new revision."""
    measure = next(m for m in plan_of(case).measures if m.what.startswith(what))
    evaluate_measure(case, measure, by, EvaluationInput(
        evaluated_on=clock.today(), goal_reached=reached, child_experience=child_experience,
        next_action=NextAction.CONTINUE, parents_said=parents_said, note=note,
        next_evaluate_on=clock.today() + EVALUATE_AFTER))


def _invite(case: Case, *people: User) -> None:
    """The stafettholder invites `people` into the case (once each)."""
    for person in people:
        if active_participant(case, person) is None and person.id != case.coordinator_id:
            invite_participant(case, person, case.coordinator)


def _share_plan(case: Case, by: User) -> None:
    mark_shared(plan_of(case), by)
    db.session.commit()


def _long_ago() -> int:
    """How many days ago the demo's old cases were closed: a month past the guidebook's retention period, so
    `tik retention run` has something to do on a fresh demo (README, "Retention in the demo")."""
    return current_guide().lifecycle.delete_after_months * 31 + 30


# -- the stories --------------------------------------------------------------------------------------
# Each story yields the moment of its next action and then does it, so all cases interleave in time.

def _tiril(u: dict[str, User], base: date) -> Iterator[datetime]:
    """Level 0, kindergarten: the 14-day deadline has passed without a decision."""
    me = u["barnehage"]
    yield _when(base, 19, "08:40")
    case = _register(
        ChildInput("Tiril", "Vangsnes", _born(base, 4, 3, 14), gender="girl", school=BARNEHAGE,
                   class_name="Blåbær",
                   guardians=[GuardianInput("Hanne Vangsnes", "mor", "913 40 221"),
                              GuardianInput("Rune Vangsnes", "far", "988 12 604")]),
        ConcernInput("Tiril har de siste ukene sittet mye for seg selv, spiser lite av matpakka og gråter "
                     "lenge ved levering.", since_when="siden høstferien", how_often="nesten hver dag",
                     who_knows="Styrer og de andre på Blåbær", signals=["kg-tense-passive", "kg-sleep-food"]),
        me)
    yield _when(base, 19, "14:10")
    _step(case, "done", me,
          observation="Tiril (4 år) gråter i 20–30 minutter etter levering, mot vanlig 2–3 minutter før "
                      "høstferien. Hun spiser under halvparten av matpakka og sovner i hvilen, noe hun ikke "
                      "gjorde før. I lek trekker hun seg unna når det blir mange barn.",
          since_when="Siden høstferien (uke 41)", how_often="4–5 dager i uka",
          situation="Mest ved levering og i frilek inne. Hun er roligere ute og sammen med én fast voksen.")
    yield _when(base, 16, "12:30")
    _step(case, "done", me, discussed_with="leader",
          advice="Styrer foreslo å observere en uke til med observasjonsskjema, og at jeg tar en samtale med "
                 "foreldrene ved henting. Vi tar det opp anonymt i TIK-teamet hvis det ikke bedrer seg.")
    yield _when(base, 13, "10:15")
    _step(case, "done", me, conversation_date=_iso(),
          child_words="Under tegning sa Tiril: «Mamma er så trøtt. Jeg vil være hjemme og passe på.» "
                      "Hun tegnet huset med mamma i senga.",
          staff_notes="Samtale i tegnekroken, ca. 10 minutter. Tiril var rolig og fortalte mer enn vanlig.")
    yield _when(base, 10, "15:45")
    _step(case, "done", me, conversation_date=_iso(),
          parents_words="Mor: «Jeg har vært sykmeldt siden september og har ikke orket så mye. Jeg visste "
                        "ikke at Tiril merket det så godt.» Far jobber turnus offshore.",
          agreed="Nytt møte om to uker. Mor vil gjerne ha kontakt med helsestasjonen om egen situasjon.")


def _elias(u: dict[str, User], base: date) -> Iterator[datetime]:
    """Level 0, school: due in a few days; the talk with Elias is next."""
    me = u["laerer"]
    yield _when(base, 11, "13:20")
    case = _register(
        ChildInput("Elias", "Berge", _born(base, 9, 6, 2), gender="boy", school=BARNESKOLE, class_name="4B",
                   guardians=[GuardianInput("Sarah Berge", "mor", "405 77 190", language="en"),
                              GuardianInput("Magnus Berge", "far", "924 31 508")]),
        ConcernInput("Elias har hatt flere konflikter i friminuttene og sier at ingen vil være med ham.",
                     since_when="siden starten av oktober", how_often="tre–fire ganger i uka",
                     signals=["sc-no-friends", "sc-outbursts"]),
        me)
    yield _when(base, 11, "15:00")
    _step(case, "done", me,
          observation="Elias har havnet i krangel i storefri fire ganger de siste to ukene, to ganger med "
                      "slag. Han står ofte alene ved gjerdet. 3. november sa han høyt i klassen at «alle "
                      "hater meg uansett».",
          since_when="Siden starten av oktober", how_often="3–4 ganger i uka, mest i storefri",
          situation="I friminutt og i garderoben. Han fungerer godt faglig og i arbeid to og to med én "
                    "bestemt medelev.")
    yield _when(base, 8, "14:00")
    _step(case, "done", me, discussed_with="team",
          advice="Anonym drøfting i TIK-teamet: snakk med Elias først, uten å konkludere med mobbing. "
                 "Sjekk skolemiljøet (opplæringslova kap. 12) og ta kontakt med foreldrene samme uke. "
                 "Mor foretrekker engelsk – send innkalling på engelsk.")


def _sofie(u: dict[str, User], base: date) -> Iterator[datetime]:
    """Level 0, youth service: newly registered."""
    me = u["ungdom"]
    yield _when(base, 4, "18:30")
    case = _register(
        ChildInput("Sofie", "Lien", _born(base, 16, 9, 27), gender="girl", school=VGS, class_name="VG1 ST",
                   guardians=[GuardianInput("Kjersti Lien", "mor", "470 55 812")]),
        ConcernInput("Sofie har kommet på fritidsklubben nesten hver kveld og blir til stenging. Hun virker "
                     "nedfor og sier hun ikke vil hjem.", since_when="ca. tre uker",
                     how_often="4–5 kvelder i uka",
                     signals=["yo-low-mood", "yo-home-conflict"]),
        me)
    yield _when(base, 3, "10:30")
    _step(case, "done", me,
          observation="Sofie har vært på klubben 11 av de siste 14 kveldene og blir til vi stenger kl. 22. "
                      "Hun har sagt «jeg orker ikke å være hjemme nå» to ganger. Hun spiser ofte bare "
                      "chips fra kiosken.",
          since_when="Ca. tre uker", how_often="4–5 kvelder i uka",
          situation="På klubben, mest sammen med to venninner. Hun har ikke vært urolig, bare stille.")


def _mikkel(u: dict[str, User], base: date) -> Iterator[datetime]:
    """Level 1, school: measures under way; the health nurse added her own concern."""
    me, nurse = u["laerer"], u["helsesykepleier"]
    child = ChildInput("Mikkel", "Aune", _born(base, 12, 1, 19), gender="boy", school=BARNESKOLE,
                       class_name="7A",
                       guardians=[GuardianInput("Ane Aune", "mor", "951 02 377"),
                                  GuardianInput("Stian Aune", "far", "916 88 140")])
    yield _when(base, 48, "09:10")
    case = _register(child, ConcernInput(
        "Mikkel nekter å lese høyt og har gått ut av timen tre ganger når han skulle presentere.",
        since_when="siden august", how_often="ukentlig", signals=["sc-falling-results", "sc-outbursts"]), me)
    yield _when(base, 48, "15:30")
    _step(case, "done", me,
          observation="Mikkel har gått ut av klasserommet tre ganger når han skulle lese høyt eller "
                      "presentere. Resultatene i norsk og engelsk har falt fra middels til lav måloppnåelse. "
                      "Han kaller seg selv «dum» og river i stykker ark.",
          since_when="Siden skolestart i august", how_often="Minst én gang i uka",
          situation="I norsk- og engelsktimer med lesing. I matte og kroppsøving går det fint.")
    yield _when(base, 46, "13:00")
    _step(case, "done", me, discussed_with="leader",
          advice="Rektor anbefalte kartlegging av lesing, samtale med Mikkel og foreldre, og at vi vurderer "
                 "tiltak i egen skole først (nivå 1).")
    yield _when(base, 45, "11:00")
    _step(case, "done", me, conversation_date=_iso(),
          child_words="«Bokstavene hopper når alle ser på meg. Jeg vil heller være ute enn å være dum foran "
                      "alle.» Han liker å bygge og er god i matte.")
    yield _when(base, 43, "16:00")
    _step(case, "done", me, conversation_date=_iso(),
          parents_words="Mor: «Han har alltid syntes lesing var tungt, og far hadde det likt.» Far: «Vi vil "
                        "at han skal slippe å føle seg dum.»",
          agreed="Skolen kartlegger lesing og lager tiltak. Foreldrene leser 15 minutter med ham hver kveld.")
    yield _when(base, 42, "14:20")
    _step(case, "level1", me,
          assessment="Tydelige lesevansker som påvirker trivsel og atferd. Skolen kan sette inn tiltak selv; "
                     "vi vurderer PPT dersom kartleggingen viser behov.")
    yield _when(base, 40, "10:05")
    _register(child, ConcernInput(
        "Mikkel har vært hos meg fire ganger med hodepine, alltid før norsktimene. Han sier han gruer seg.",
        since_when="september", how_often="fire ganger på en måned", who_knows="Kontaktlærer",
        signals=["sc-aches"]), nurse)
    yield _when(base, 36, "14:00")
    _step(case, "done", me, meeting_date=_iso(),
          shared_understanding="Mikkel strever med lesing og skammer seg over det. Når han blir bedt om å "
                               "lese høyt, blir stresset så stort at han går ut eller får hodepine. Det "
                               "fungerer godt når han får forberede seg og lese for én voksen.",
          child_words="«Det er greit å lese for deg, bare ikke for hele klassen.»",
          parents_words="«Vi vil gjerne at skolen og helsesykepleier snakker sammen om hodepinen.»")
    yield _when(base, 36, "14:40")
    _consent(case, me, "Ane Aune og Stian Aune (foreldre)", ["school", "health-nurse"],
             "Samarbeid mellom kontaktlærer og helsesykepleier om Mikkels lesing og hodepine.", days=300,
             information="Opplysninger om trivsel, lesing og helseplager som har betydning for "
                         "skolehverdagen.")
    yield _when(base, 36, "14:45")
    _step(case, "done", me,
          consent_note="Foreldrene har skriftlig samtykket til samarbeid med helsesykepleier.")
    yield _when(base, 35, "08:30")
    _step(case, "done", me, coordinator_note="Kontaktlærer Marte er stafettholder. Foreldrene når henne på "
                                             "telefon 35 98 11 24 eller i Visma-meldinger.")
    yield _when(base, 33, "13:00")
    _measure(case, me, "school", "Marte Solberg-Haugen, kontaktlærer",
             "Lesekurs 3 × 20 minutter i uka med spesialpedagog, og høytlesing bare etter avtale.",
             "Mikkel leser med bedre flyt og sier selv at det er mindre skummelt å lese.", evaluate_in=42)
    _measure(case, me, "school", "Marte Solberg-Haugen, kontaktlærer",
             "Lydbøker og opplest tekst i alle fag; Mikkel får presentere for en liten gruppe.",
             "Mikkel deltar i presentasjoner uten å gå ut av timen.", evaluate_in=42)
    _measure(case, nurse, "health-nurse", "Siri Tveitan, helsesykepleier",
             "Samtaler om stress og mestring annenhver uke i skolehelsetjenesten.",
             "Færre dager med hodepine; Mikkel har egne knep når han gruer seg.", evaluate_in=42)
    update_plan(case, me, goals="Mikkel skal oppleve mestring i lesing og kunne være i timene uten å gå ut.",
                child_voice="«Det er greit å lese for deg, bare ikke for hele klassen.»",
                parents_voice="Vi vil at han skal slippe å føle seg dum, og vi leser med ham hjemme.")
    yield _when(base, 33, "13:30")
    _step(case, "done", me, plan_summary="Lesekurs og tilpasset høytlesing på skolen, samtaler hos "
                                         "helsesykepleier, lesing hjemme. Evaluering om seks uker.")
    yield _when(base, 12, "15:10")
    # Still carrying out: a progress note is part of the log, not a decision yet.
    update_plan(case, me, goals="Mikkel skal oppleve mestring i lesing og kunne være i timene uten å gå ut.",
                child_voice="«Det er greit å lese for deg, bare ikke for hele klassen.»",
                parents_voice="Vi vil at han skal slippe å føle seg dum, og vi leser med ham hjemme.",
                internal_notes="Uke 3: Mikkel har ikke gått ut av timen siden tiltakene startet.")


def _filip(u: dict[str, User], base: date) -> Iterator[datetime]:
    """Level 1, kindergarten, Polish-speaking parents: ready for evaluation."""
    me = u["barnehage"]
    yield _when(base, 60, "09:00")
    case = _register(
        ChildInput("Filip", "Nowak", _born(base, 5, 5, 8), gender="boy", school=BARNEHAGE,
                   class_name="Tyttebær",
                   guardians=[GuardianInput("Agnieszka Nowak", "mor", "462 19 803", language="pl"),
                              GuardianInput("Tomasz Nowak", "far", "462 19 804", language="pl")]),
        ConcernInput("Filip bruker nesten ikke norske ord og blir sint når de andre ikke forstår ham.",
                     since_when="siden oppstart i januar", how_often="daglig", signals=["kg-language-motor"]),
        me)
    yield _when(base, 60, "13:30")
    _step(case, "done", me,
          observation="Filip (5 år) bruker 10–15 norske ord og snakker mest polsk. Når de andre barna ikke "
                      "forstår ham, dytter han eller kaster leker (fem ganger sist uke). Han leker godt med "
                      "klosser og alene.",
          since_when="Siden oppstart i januar, tydeligere etter sommeren", how_often="Daglig")
    yield _when(base, 57, "12:00")
    _step(case, "done", me, discussed_with="colleague",
          advice="Kollega på avdelingen foreslo TRAS-observasjon og å bruke polsk tolk i foreldresamtalen.")
    yield _when(base, 54, "10:00")
    _step(case, "done", me, conversation_date=_iso(),
          child_words="Observert i lek: Filip sier «moje!» (mitt) og holder bilen. Når en voksen setter ord "
                      "på det («Du vil ha bilen»), gjentar han «bil» og smiler.")
    yield _when(base, 50, "15:30")
    _step(case, "done", me, conversation_date=_iso(),
          parents_words="(Med tolk) Mor: «Hjemme snakker vi bare polsk. Vi er redde for at han blir hengende "
                        "etter på skolen.» Far: «Vi vil gjerne lære hvordan vi kan hjelpe.»",
          agreed="Barnehagen lager en språkplan. Foreldrene fortsetter med polsk hjemme og låner norske "
                 "bildebøker.")
    yield _when(base, 47, "14:00")
    _step(case, "level1", me,
          assessment="Filip er i en vanlig andrespråksutvikling, men trenger mer målrettet støtte. "
                     "Tiltak i egen barnehage først.")
    yield _when(base, 45, "15:00")
    _step(case, "done", me, meeting_date=_iso(),
          shared_understanding="Filip trenger flere norske ord for å kunne være med i leken. Morsmålet er en "
                               "styrke og skal brukes videre hjemme.",
          parents_words="«Vi vil at han skal ha venner i barnehagen.»")
    yield _when(base, 45, "15:20")
    _step(case, "done", me,
          consent_note="Informert med tolk om tiltakene. Ingen deling med andre tjenester nå.",
          no_consent_reason="Tiltakene er i barnehagen; ingen opplysninger deles med andre tjenester nå.")
    yield _when(base, 44, "08:45")
    _step(case, "done", me, coordinator_note="Pedagogisk leder Ingvild er stafettholder.")
    yield _when(base, 38, "13:00")
    _measure(case, me, "kindergarten", "Ingvild Myrvang, pedagogisk leder",
             "Språkgruppe 4 dager i uka (15 min) med bildestøtte og faste sanger.",
             "Filip bruker minst 50 norske ord og setter sammen to ord.", evaluate_in=40)
    _measure(case, me, "kindergarten", "Ingvild Myrvang, pedagogisk leder",
             "Fast lekevenn-ordning i frilek med en voksen som setter ord på leken.",
             "Færre konflikter; Filip leker med andre minst én gang hver dag.", evaluate_in=40)
    _measure(case, me, "kindergarten", "Ingvild Myrvang, pedagogisk leder",
             "Boksekk med tospråklige bildebøker hjem hver fredag.",
             "Foreldrene leser med Filip, på polsk og med norske bilder.", evaluate_in=40)
    update_plan(case, me, goals="Filip skal kunne si hva han vil i leken og ha minst én god lekekamerat.",
                child_voice="Filip peker på bildene og sier «bil», «ball» og «mer».",
                parents_voice="«Vi vil at han skal ha venner i barnehagen.»")
    yield _when(base, 38, "13:20")
    _step(case, "done", me, plan_summary="Språkgruppe, lekevenn og boksekk. Evaluering om seks uker.")
    yield _when(base, 3, "14:30")
    _step(case, "done", me,
          progress="Filip bruker nå ca. 40 norske ord og sier «vil ha» og «min tur». Konflikter i frilek er "
                   "nede fra fem til én i uka.")


def _ella(u: dict[str, User], base: date) -> Iterator[datetime]:
    """Level 1, lower secondary: the action plan is being written."""
    me = u["lektor"]
    yield _when(base, 40, "12:15")
    case = _register(
        ChildInput("Ella", "Sørbø", _born(base, 13, 11, 2), gender="girl", school=UNGDOMSSKOLE,
                   class_name="8C",
                   guardians=[GuardianInput("Maria Sørbø", "mor", "993 60 418"),
                              GuardianInput("Jørgen Sørbø", "far", "993 60 419", language="nn")]),
        ConcernInput("Ella har trukket seg bort fra venninnegjengen og sitter alene i lunsjen.",
                     since_when="etter høstferien", how_often="daglig",
                     signals=["sc-withdrawn", "sc-no-friends"]),
        me)
    yield _when(base, 40, "15:00")
    _step(case, "done", me,
          observation="Ella har sittet alene i lunsjen hver dag de siste tre ukene. Hun har sluttet å rekke "
                      "opp og leverte ikke to innleveringer. 24. oktober gråt hun på toalettet etter en "
                      "gruppechat-melding.",
          since_when="Etter høstferien", how_often="Daglig", situation="Lunsj, gruppearbeid og gym.")
    yield _when(base, 37, "13:00")
    _step(case, "done", me, discussed_with="team",
          advice="TIK-teamet (anonymt): mulig utestenging på nett – følg opp etter kap. 12 med "
                 "aktivitetsplikt, snakk med Ella alene først.")
    yield _when(base, 35, "10:40")
    _step(case, "done", me, conversation_date=_iso(),
          child_words="«De lagde en ny gruppe uten meg. Jeg vet ikke hva jeg har gjort.»")
    yield _when(base, 33, "16:15")
    _step(case, "done", me, conversation_date=_iso(),
          parents_words="Mor: «Hun har vært lei seg hjemme også, men ville ikke si hvorfor.»",
          agreed="Skolen lager aktivitetsplan for skolemiljø. Foreldrene følger med på mobilbruk.")
    yield _when(base, 31, "14:00")
    _step(case, "level1", me,
          assessment="Utestenging i klassen. Skolen har aktivitetsplikt og setter inn tiltak.")
    yield _when(base, 27, "14:30")
    _step(case, "done", me, meeting_date=_iso(),
          shared_understanding="Ella er utestengt fra venninnegruppen og har mistet tryggheten i klassen.",
          child_words="«Jeg vil bare ha det som før.»")
    yield _when(base, 27, "14:50")
    _step(case, "done", me, no_consent_reason="Tiltakene er i egen tjeneste; ingen opplysninger deles.")
    yield _when(base, 26, "09:00")
    _step(case, "done", me, coordinator_note="Kontaktlærer Henrik er stafettholder.")
    yield _when(base, 24, "13:45")
    _measure(case, me, "school", "Henrik Aasmundsen, kontaktlærer",
             "Aktivitetsplan etter opplæringslova § 12-4: samtaler med de involverte elevene, "
             "ny gruppeinndeling.",
             "Ella opplever at hun har noen å være sammen med i friminuttene.", evaluate_in=28)
    _measure(case, me, "school", "Henrik Aasmundsen, kontaktlærer",
             "Ukentlig kort samtale med Ella (10 min, fredag).",
             "Ella sier fra tidlig hvis noe skjer igjen.", evaluate_in=28, status=MeasureStatus.PLANNED)


def _oskar(u: dict[str, User], base: date) -> Iterator[datetime]:
    """Level 2, school: level 1 was not enough; consent given, cooperation meeting due."""
    me = u["laerer"]
    yield _when(base, 100, "08:50")
    case = _register(
        ChildInput("Oskar", "Dahl", _born(base, 10, 8, 30), gender="boy", school=BARNESKOLE, class_name="5A",
                   guardians=[GuardianInput("Ida Dahl", "mor", "481 22 950"),
                              GuardianInput("Morten Dahl", "far", "481 22 951")]),
        ConcernInput("Oskar klarer ikke å sitte i ro, avbryter hele tiden og er ofte utenfor klasserommet.",
                     since_when="siden skolestart", how_often="daglig", signals=["sc-outbursts"]),
        me)
    yield _when(base, 100, "14:40")
    _step(case, "done", me,
          observation="Oskar reiser seg 10–15 ganger i en 45-minutters økt, roper svar og forstyrrer "
                      "medelever. Han har vært sendt ut sju ganger i august og september.",
          since_when="Siden skolestart", how_often="Daglig, mest i lange økter")
    yield _when(base, 97, "12:00")
    _step(case, "done", me, discussed_with="leader",
          advice="Rektor: prøv struktur og pauser i egen klasse først.")
    yield _when(base, 95, "10:30")
    _step(case, "done", me, conversation_date=_iso(),
          child_words="«Det kribler i beina. Jeg prøver, men så glemmer jeg det.»")
    yield _when(base, 93, "15:30")
    _step(case, "done", me, conversation_date=_iso(),
          parents_words="Far: «Hjemme er det likt – lekser tar to timer.» "
                        "Mor: «Vi er slitne, og vi vil ha hjelp.»")
    yield _when(base, 91, "14:00")
    _step(case, "level1", me, assessment="Stort uro- og konsentrasjonsbehov. Tiltak i klassen først.")
    yield _when(base, 90, "14:00")
    _step(case, "done", me, meeting_date=_iso(),
          shared_understanding="Oskar trenger struktur, bevegelse og korte økter.",
          child_words="«Jeg vil ikke bli sendt ut.»")
    yield _when(base, 90, "14:20")
    _step(case, "done", me, consent_note="Foreldrene informert om tiltak i skolen.",
          no_consent_reason="Tiltakene er i egen tjeneste; ingen opplysninger deles.")
    yield _when(base, 90, "14:25")
    _step(case, "done", me)
    yield _when(base, 88, "13:00")
    _measure(case, me, "school", "Marte Solberg-Haugen, kontaktlærer",
             "Dagtavle med bilder, arbeidsøkter på 15 minutter og bevegelsespause mellom hver.",
             "Oskar blir i timen og fullfører minst to arbeidsøkter.", evaluate_in=42)
    _measure(case, me, "school", "Marte Solberg-Haugen, kontaktlærer",
             "Fast plass ved vinduet og sittepute; ukentlig tilbakemelding hjem.",
             "Færre utvisninger; foreldrene vet hvordan uka har vært.", evaluate_in=42)
    update_plan(case, me, goals="Oskar skal kunne delta i timene og oppleve å lykkes.",
                child_voice="«Jeg vil ikke bli sendt ut.»",
                parents_voice="«Vi er slitne, og vi vil ha hjelp.»")
    yield _when(base, 88, "13:30")
    _step(case, "done", me, plan_summary="Struktur, pauser og fast plass; ukentlig kontakt hjem.")
    yield _when(base, 47, "15:00")
    _step(case, "done", me, progress="Utvisninger ned fra sju til tre i måneden. Økter fungerer før lunsj.")
    yield _when(base, 45, "14:00")
    _step(case, "continue", me, evaluation="Noe bedring, men store variasjoner. Vi fortsetter og justerer.",
          child_experience="«Pausene er bra. Matte etter lunsj er vanskelig.»")
    yield _when(base, 10, "15:00")
    _step(case, "done", me,
          progress="Etter lunsj går det fortsatt dårlig; lekser hjemme er en kamp hver dag.")
    yield _when(base, 8, "13:00")
    _consent(case, me, "Ida Dahl og Morten Dahl (foreldre)", ["school", "ppt", "health-nurse", "tik-team"],
             "Samarbeidsmøte og mulig utredning hos PPT om Oskars konsentrasjon og læring.", days=365,
             information="Skolefaglige opplysninger, observasjoner og helseopplysninger som er nødvendige.")
    _invite(case, u["ppt"], u["helsesykepleier"])
    yield _when(base, 8, "13:10")
    _step(case, "level2", me,
          evaluation="Tiltakene i klassen er ikke nok. Vi trenger PPT og helsesykepleier.",
          child_experience="«Det er fortsatt vanskelig å sitte stille.»",
          parents_words="«Vi vil gjerne at noen ser på om det er noe mer.»")
    yield _when(base, 7, "09:00")
    _step(case, "done", me, services="school,ppt,health-nurse")


def _amina(u: dict[str, User], base: date) -> Iterator[datetime]:
    """Level 2, health nurse holds the case; the consent expires soon."""
    me, teacher = u["helsesykepleier"], u["lektor"]
    yield _when(base, 80, "10:20")
    case = _register(
        ChildInput("Amina", "Hassan", _born(base, 14, 4, 17), gender="girl", school=UNGDOMSSKOLE,
                   class_name="9B",
                   guardians=[GuardianInput("Fadumo Hassan", "mor", "967 41 322", language="so"),
                              GuardianInput("Abdirahman Hassan", "far", "967 41 323")]),
        ConcernInput("Amina kommer til meg med vondt i magen eller hodet flere ganger i uka og har mye "
                     "fravær.",
                     since_when="siden august", how_often="2–3 ganger i uka",
                     signals=["sc-aches", "sc-absence-pattern"]),
        me)
    yield _when(base, 80, "14:00")
    _step(case, "done", me,
          observation="Amina har vært innom helsesykepleier 14 ganger siden august med mage- eller hodepine, "
                      "oftest mandag og tirsdag. Fraværet er 22 dager dette skoleåret.",
          since_when="Siden august", how_often="2–3 ganger i uka", situation="Før prøver og gym.")
    yield _when(base, 78, "13:00")
    _step(case, "done", me, discussed_with="team",
          advice="Teamet anbefalte å kartlegge fraværet sammen med skolen og snakke med Amina om hvordan hun "
                 "har det. Vurder nivå 2 med skole og psykisk helse.")
    yield _when(base, 77, "11:00")
    _step(case, "done", me, conversation_date=_iso(),
          child_words="«Jeg får vondt når jeg tenker på skolen. Jeg er redd for å dumme meg ut i gym.»")
    yield _when(base, 74, "15:00")
    _step(case, "done", me, conversation_date=_iso(),
          parents_words="(Med somalisk tolk) Mor: «Hun sier hun er syk, og vi vil ikke tvinge henne.» "
                        "Far: «Vi vil at skolen skal hjelpe henne tilbake.»",
          agreed="Foreldrene samtykker til samarbeid med skolen og psykisk helse.")
    yield _when(base, 73, "13:00")
    _consent(case, me, "Fadumo Hassan og Abdirahman Hassan (foreldre)",
             ["health-nurse", "school", "mental-health"],
             "Samarbeid om Aminas fravær og helseplager, med evaluering før jul.", days=100,
             information="Fravær, trivsel og helseopplysninger som er nødvendige for tiltakene.")
    _invite(case, teacher)
    yield _when(base, 73, "13:20")
    _step(case, "level2", me,
          assessment="Mønster av bekymringsfullt skolefravær med kroppslige plager. Trenger samarbeid.")
    yield _when(base, 73, "13:30")
    _step(case, "done", me, services="health-nurse,school,mental-health")
    yield _when(base, 66, "14:00")
    _step(case, "done", me, meeting_date=_iso(),
          participants="Amina, mor og far (med tolk), Siri Tveitan (helsesykepleier), Henrik Aasmundsen "
                       "(kontaktlærer), Anders Rørvik (kommunepsykolog)",
          shared_understanding="Amina har mye uro knyttet til skolen, særlig gym og prøver. Fraværet gjør "
                               "det vanskeligere å komme tilbake.",
          child_words="«Hvis jeg vet hva som skjer, er det lettere.»",
          parents_words="«Vi vil hjelpe, men vet ikke hvordan.»")
    yield _when(base, 65, "10:00")
    _measure(case, teacher, "school", "Henrik Aasmundsen, kontaktlærer",
             "Fraværsplan med morgenkontakt og gradvis tilbakeføring; gym i liten gruppe i seks uker.",
             "Fravær under 10 % neste måned.", evaluate_in=45)
    _measure(case, me, "health-nurse", "Siri Tveitan, helsesykepleier",
             "Samtaler annenhver uke om kroppslige plager og mestring.", "Færre besøk med smerter.",
             evaluate_in=45)
    _measure(case, me, "mental-health", "Anders Rørvik, kommunepsykolog",
             "Inntil 8 samtaler i Rask psykisk helsehjelp (angst og unngåelse).",
             "Amina har strategier når hun blir redd.", evaluate_in=60)
    update_plan(case, me, goals="Amina skal være på skolen de fleste dager og vite hva hun kan gjøre når hun "
                                "blir redd.",
                child_voice="«Hvis jeg vet hva som skjer, er det lettere.»",
                parents_voice="«Vi vil hjelpe, men vet ikke hvordan.»")
    yield _when(base, 65, "10:30")
    _step(case, "done", me, plan_summary="Fraværsplan, gym i liten gruppe, samtaler hos helsesykepleier og "
                                         "Rask psykisk helsehjelp.")


def _mathias(u: dict[str, User], base: date) -> Iterator[datetime]:
    """Level 2, youth service: a 17-year-old who consented himself; the plan is being put together."""
    me = u["ungdom"]
    yield _when(base, 55, "19:00")
    case = _register(
        ChildInput("Mathias", "Kristiansen", _born(base, 17, 2, 11), gender="boy", school=VGS,
                   class_name="VG2 Elektro",
                   guardians=[GuardianInput("Tone Kristiansen", "mor", "412 09 776")]),
        ConcernInput("Mathias har sluttet å komme på skolen og sier han spiller hele natta.",
                     since_when="september", how_often="hver dag", signals=["yo-dropping-out", "yo-sleep"]),
        me)
    yield _when(base, 55, "20:00")
    _step(case, "done", me,
          observation="Mathias har ikke vært på skolen på tre uker, ifølge ham selv. Han kommer på klubben "
                      "sent og sier han sover til 15. Han har sluttet på fotball.",
          since_when="September", how_often="Daglig")
    yield _when(base, 52, "13:00")
    _step(case, "done", me, discussed_with="team",
          advice="Få med NAV ungdom og helsesykepleier. Mathias er 17 og må selv samtykke til samarbeid.")
    yield _when(base, 50, "18:00")
    _step(case, "done", me, conversation_date=_iso(),
          child_words="«Jeg ser ikke poenget med elektro. Men jeg vil ikke bare sitte hjemme heller.»")
    yield _when(base, 48, "16:00")
    _step(case, "done", me, conversation_date=_iso(),
          parents_words="Mor: «Jeg får ham ikke opp om morgenen. Jeg er redd han faller helt ut.»")
    yield _when(base, 46, "13:00")
    _consent(case, me, "Mathias Kristiansen og Tone Kristiansen (mor)",
             ["youth-service", "nav", "health-nurse"],
             "Samarbeid om skole, arbeid og søvn.", days=365, form=ConsentForm.DIGITAL,
             information="Skole- og arbeidssituasjon, søvn og helse så langt det er nødvendig.")
    yield _when(base, 46, "13:10")
    _step(case, "level2", me, assessment="Står i fare for å falle ut av videregående. Trenger NAV og helse.")
    yield _when(base, 45, "09:00")
    _step(case, "done", me, services="youth-service,nav,health-nurse")
    yield _when(base, 36, "14:00")
    _step(case, "done", me, meeting_date=_iso(),
          participants="Mathias, mor, Eirik Fosse (ungdomstjenesten), Yusuf Demir (NAV), Siri Tveitan "
                       "(helsesykepleier)",
          shared_understanding="Mathias har mistet motivasjonen for elektrofaget og døgnrytmen har snudd.",
          child_words="«Jeg vil prøve noe praktisk, kanskje bil.»")
    yield _when(base, 34, "10:00")
    _measure(case, u["nav"], "nav", "Yusuf Demir, NAV-veileder",
             "Kartlegging og samtaler om omvalg til bilfag; kontakt med oppfølgingstjenesten.",
             "Mathias har en plan for skole eller arbeid fra januar.", evaluate_in=45)
    _measure(case, me, "youth-service", "Eirik Fosse, ungdomsarbeider",
             "Fast avtale hver tirsdag kl. 12 (verksted på klubben).", "Mathias er oppe og ute før lunsj.",
             evaluate_in=30)
    _measure(case, u["helsesykepleier"], "health-nurse", "Siri Tveitan, helsesykepleier",
             "Søvnsamtaler og søvndagbok i fire uker.", "Mer stabil døgnrytme.", evaluate_in=30,
             status=MeasureStatus.DONE)
    update_plan(case, me, goals="Mathias skal ha noe å stå opp til og en plan for skole eller arbeid.",
                child_voice="«Jeg vil prøve noe praktisk, kanskje bil.»",
                parents_voice="«Jeg er redd han faller helt ut.»")


def _emil(u: dict[str, User], base: date) -> Iterator[datetime]:
    """Level 3: from the class teacher through levels 1 and 2; the baton went to the TIK coordinator."""
    me, coord = u["laerer"], u["koordinator"]
    yield _when(base, 120, "09:30")
    case = _register(
        ChildInput("Emil", "Johansen", _born(base, 11, 7, 5), gender="boy", school=BARNESKOLE,
                   class_name="6A",
                   guardians=[GuardianInput("Lene Johansen", "mor", "934 70 215"),
                              GuardianInput("Kim André Johansen", "far", "920 58 331")]),
        ConcernInput("Emil har raseriutbrudd i klassen og er borte nesten hver mandag.",
                     since_when="etter sommerferien", how_often="ukentlig",
                     signals=["sc-outbursts", "sc-absence-pattern", "sc-home-conflict"]),
        me)
    yield _when(base, 120, "15:00")
    _step(case, "done", me,
          observation="Emil har hatt seks raseriutbrudd siden skolestart der han har veltet pulten. Han har "
                      "vært borte sju av ni mandager. Han er ofte sliten og uten matpakke etter helger "
                      "hos far.",
          since_when="Etter sommerferien", how_often="Ukentlig, mest mandag",
          situation="Foreldrene flyttet fra hverandre i juni; Emil bor annenhver uke.")
    yield _when(base, 117, "12:00")
    _step(case, "done", me, discussed_with="leader",
          advice="Rektor Bente: ta det opp med begge foreldrene, sett inn tiltak i klassen, og vurder "
                 "familieteamet hvis konflikten mellom foreldrene påvirker Emil.")
    yield _when(base, 115, "11:00")
    _step(case, "done", me, conversation_date=_iso(),
          child_words="«Det er ikke noe vits. Mamma og pappa krangler om meg hele tiden. Jeg vil bare være "
                      "på rommet.»")
    yield _when(base, 113, "16:00")
    _step(case, "done", me, conversation_date=_iso(),
          parents_words="Mor: «Bruddet har vært tøft, og vi snakker nesten ikke sammen.» Far (telefon): «Jeg "
                        "vil gjerne samarbeide om Emil.»",
          agreed="Skolen setter inn tiltak. Foreldrene får informasjon om familieteamet.")
    yield _when(base, 111, "14:00")
    _step(case, "level1", me,
          assessment="Emil reagerer på bruddet. Tiltak i skolen først, med tett kontakt hjem.")
    yield _when(base, 110, "14:00")
    _step(case, "done", me, meeting_date=_iso(),
          shared_understanding="Emil har det vanskelig etter bruddet, og mandager er verst.",
          child_words="«Jeg vil at noen spør meg hva jeg vil.»")
    yield _when(base, 110, "14:20")
    _step(case, "done", me, consent_note="Begge foreldrene informert hver for seg.",
          no_consent_reason="Tiltakene er i egen tjeneste; ingen opplysninger deles.")
    yield _when(base, 110, "14:30")
    _step(case, "done", me, coordinator_note="Kontaktlærer Marte er stafettholder inntil videre.")
    yield _when(base, 108, "12:00")
    _measure(case, me, "school", "Marte Solberg-Haugen, kontaktlærer",
             "Mandagsprat: 10 minutter med kontaktlærer hver mandag morgen.",
             "Emil kommer på skolen på mandager.", evaluate_in=42)
    _measure(case, me, "school", "Marte Solberg-Haugen, kontaktlærer",
             "Rolig rom og avtalt signal når sinnet bygger seg opp.", "Færre utbrudd i klassen.",
             evaluate_in=42)
    update_plan(case, me, goals="Emil skal ha det trygt på skolen og komme hver dag.",
                child_voice="«Jeg vil at noen spør meg hva jeg vil.»",
                parents_voice="Begge foreldrene vil samarbeide om Emil, men ikke i samme møte ennå.")
    yield _when(base, 108, "12:30")
    _step(case, "done", me, plan_summary="Mandagsprat og rolig rom. Evaluering om seks uker.")
    yield _when(base, 70, "14:30")
    _evaluate(case, me, "Mandagsprat", GoalReached.PARTLY,
              child_experience="«Mandagsprat er bra. Da vet jeg hva som skjer den uka.»",
              parents_said="Mor: «Han gruer seg mindre til mandagene.»",
              note="Færre utbrudd; fraværet på mandager er uendret. Fortsetter, ny evaluering om seks uker.")
    yield _when(base, 70, "15:00")
    _step(case, "done", me,
          progress="Færre utbrudd, men fraværet på mandager er uendret. Foreldrekonflikten har økt.")
    yield _when(base, 68, "13:00")
    _consent(case, me, "Lene Johansen og Kim André Johansen (foreldre)",
             ["school", "ppt", "health-nurse", "family-team"],
             "Samarbeid om Emils skolegang, trivsel og familiesituasjon.", days=365,
             information="Skolefaglige og helsemessige opplysninger, og om samværsordningen når det har "
                         "betydning for Emil.")
    _invite(case, u["helsesykepleier"], coord)
    yield _when(base, 68, "13:15")
    _step(case, "level2", me, evaluation="Tiltakene i klassen hjelper noe, men ikke på fraværet.",
          child_experience="«Mandagsprat er bra. Men hjemme er det fortsatt krangling.»")
    yield _when(base, 67, "09:00")
    _step(case, "done", me, services="school,ppt,health-nurse,family-team")
    yield _when(base, 60, "14:00")
    _step(case, "done", me, meeting_date=_iso(),
          participants="Mor, far (digitalt), Marte Solberg-Haugen (kontaktlærer), Tor Ivar Lunde (PPT), "
                       "Siri Tveitan (helsesykepleier), Linn Hovda-Berg (familieteamet)",
          shared_understanding="Emil står i en høy foreldrekonflikt og viser det gjennom sinne og fravær.",
          child_words="(Fra samtale før møtet) «Jeg vil ikke velge.»",
          parents_words="Begge: «Vi vil ikke at Emil skal ha det sånn.»")
    yield _when(base, 58, "10:00")
    _measure(case, u["koordinator"], "family-team", "Linn Hovda-Berg, familieteamet",
             "Foreldreveiledning (ICDP) for begge foreldrene, hver for seg, 8 samlinger.",
             "Foreldrene har en felles plan for overgangene mellom hjemmene.", evaluate_in=56)
    _measure(case, u["ppt"], "ppt", "Tor Ivar Lunde, PPT-rådgiver",
             "Observasjon i klassen og veiledning til lærerne.", "Lærerne har felles strategier for utbrudd.",
             evaluate_in=42)
    yield _when(base, 58, "10:30")
    _step(case, "done", me, plan_summary="Skoletiltak fortsetter; foreldreveiledning og PPT-veiledning.")
    yield _when(base, 31, "12:00")
    _consent(case, me, "Lene Johansen og Kim André Johansen (foreldre)",
             ["school", "ppt", "health-nurse", "family-team", "child-welfare", "mental-health"],
             "Tverrfaglig innsats og vurdering av individuell plan for Emil.", days=365,
             information="Opplysninger som er nødvendige for den tverrfaglige planen.")
    yield _when(base, 30, "14:00")
    _step(case, "level3", me,
          evaluation="Emil har økt fravær og sier han ikke vil leve sånn. Trenger tverrfaglig innsats.",
          child_experience="«Det hjelper å snakke med Linn. Men jeg vil ikke være hos pappa hver helg.»",
          parents_words="Mor: «Vi trenger hjelp til å få til samarbeidet.»")
    yield _when(base, 27, "14:00")
    _step(case, "done", me, meeting_date=_iso(),
          participants="Foreldrene, kontaktlærer, PPT, helsesykepleier, familieteamet, barneverntjenesten "
                       "(hjelpetiltak), kommunepsykolog",
          shared_understanding="Emil trenger samordnet hjelp over tid. Familieteamet koordinerer.")
    yield _when(base, 27, "15:00")
    handover = propose_handover(case, coord, me, note="Familieteamet overtar koordineringen på nivå 3, "
                                                             "som avtalt i møtet.")
    yield _when(base, 26, "08:30")
    answer_handover(handover, coord, accept=True)
    yield _when(base, 26, "08:45")
    _step(case, "done", coord, handover_note="Linn Hovda-Berg (familieteamet) er ny stafettholder. Marte "
                                             "følger opp på skolen.")
    yield _when(base, 24, "13:00")
    _measure(case, u["barnevern"], "child-welfare", "Camilla Strand, barneverntjenesten",
             "Hjelpetiltak: støttekontakt for Emil to ettermiddager i uka.",
             "Emil har en trygg voksen utenfor hjemmene.", evaluate_in=60, start_in=7)
    _measure(case, u["psykhelse"], "mental-health", "Anders Rørvik, kommunepsykolog",
             "Samtaler med Emil hver uke i åtte uker.", "Emil har ord for det som er vanskelig.",
             evaluate_in=56)
    update_plan(case, coord, goals="Emil skal komme på skolen hver dag, og foreldrene skal samarbeide om "
                                   "overgangene.",
                child_voice="«Jeg vil ikke velge. Jeg vil at de skal slutte å krangle.»",
                parents_voice="Begge foreldrene vil ha hjelp til samarbeidet.",
                internal_notes="Barneverntjenesten deltar med hjelpetiltak etter samtykke, ikke "
                               "undersøkelse.")
    yield _when(base, 24, "13:30")
    _step(case, "done", coord, plan_summary="Tverrfaglig plan med skole, PPT, familieteam, barnevern og "
                                            "psykisk helse. Evaluering om åtte uker.")
    _share_plan(case, coord)
    yield _when(base, 20, "11:00")
    _step(case, "done", coord, ip_right="yes", child_coordinator_right="unclear",
          ip_assessment="Emil har behov for langvarige og koordinerte tjenester. Foreldrene ønsker IP. "
                        "Koordinerende enhet er kontaktet.")
    yield _when(base, 6, "14:00")
    update_plan(case, coord, goals="Emil skal komme på skolen hver dag, og foreldrene skal samarbeide om "
                                   "overgangene. Nytt delmål: én felles samtale mellom foreldrene før jul.",
                child_voice="«Jeg vil ikke velge. Jeg vil at de skal slutte å krangle.»",
                parents_voice="Begge foreldrene vil ha hjelp til samarbeidet.")


def _kristian(u: dict[str, User], base: date) -> Iterator[datetime]:
    """Level 3, a young adult: NAV holds the case and the plan is being agreed."""
    me = u["nav"]
    yield _when(base, 90, "10:00")
    case = _register(
        ChildInput("Kristian", "Moe", _born(base, 20, 12, 3), gender="boy", school="",
                   class_name=""),
        ConcernInput("Kristian har uteblitt fra tre avtaler og sier han ikke sover og ikke går ut.",
                     since_when="sommeren", how_often="hele tiden", signals=["ya-isolation", "ya-sleep",
                                                                              "ya-no-activity"]),
        me)
    yield _when(base, 90, "14:00")
    _step(case, "done", me,
          observation="Kristian (20) har uteblitt fra tre av fire avtaler. På telefon sier han at han sover "
                      "på dagtid, ikke går ut og «ikke orker noe». Han avbrøt lærlingplass i juni.",
          since_when="Sommeren", how_often="Vedvarende")
    yield _when(base, 88, "13:00")
    _step(case, "done", me, discussed_with="team", advice="Tilby hjemmebesøk sammen med psykisk helse.")
    yield _when(base, 86, "11:00")
    _step(case, "done", me, conversation_date=_iso(),
          child_words="«Jeg vil ha en jobb, men jeg klarer ikke å møte folk nå.»")
    yield _when(base, 85, "15:00")
    _step(case, "done", me, conversation_date=_iso(),
          parents_words="Kristian ga lov til at vi snakket med mor. Mor: «Han har trukket seg unna alle. "
                        "Vi er bekymret.»")
    yield _when(base, 84, "12:00")
    _consent(case, me, "Kristian Moe", ["nav", "mental-health", "gp", "youth-service"],
             "Samarbeid om helse, aktivitet og arbeid.", days=365, form=ConsentForm.DIGITAL)
    yield _when(base, 84, "12:10")
    _step(case, "level2", me, assessment="Trenger helse og aktivitet samtidig. Samarbeid på nivå 2.")
    yield _when(base, 84, "12:20")
    _step(case, "done", me, services="nav,mental-health,gp,youth-service")
    yield _when(base, 80, "13:00")
    _step(case, "done", me, meeting_date=_iso(),
          participants="Kristian, Yusuf Demir (NAV), Anders Rørvik (kommunepsykolog), Eirik Fosse "
                       "(ungdomstjenesten)",
          shared_understanding="Kristian er deprimert og isolert, og trenger hjelp før arbeid.",
          child_words="«Ett steg om gangen.»")
    yield _when(base, 78, "10:00")
    _measure(case, me, "nav", "Yusuf Demir, NAV-veileder", "Aktivitetsplan med ukentlig samtale.",
             "Kristian møter til avtaler.", evaluate_in=42)
    _measure(case, u["psykhelse"], "mental-health", "Anders Rørvik, kommunepsykolog",
             "Samtaleterapi hver uke.", "Bedre søvn og stemningsleie.", evaluate_in=42)
    _measure(case, me, "gp", "Fastlege (Fjordvik legesenter)", "Legetime og vurdering av søvn og depresjon.",
             "Medisinsk vurdering er gjort.", evaluate_in=21, status=MeasureStatus.DONE)
    update_plan(case, me, goals="Kristian skal ha en fast ukerytme og en plan for arbeid eller skole.",
                child_voice="«Ett steg om gangen.»", parents_voice="(Kristian er over 18; mor er pårørende.)")
    yield _when(base, 78, "10:30")
    _step(case, "done", me,
          plan_summary="NAV, psykisk helse og fastlege samarbeider. Evaluering om seks uker.")
    yield _when(base, 40, "13:00")
    _step(case, "level3", me,
          evaluation="Noe bedre søvn, men fortsatt isolert. Trenger langvarig samordning.",
          child_experience="«Samtalene hjelper, men jeg er ikke klar for jobb.»")
    yield _when(base, 35, "14:00")
    _step(case, "done", me, meeting_date=_iso(),
          participants="Kristian, NAV, psykisk helse, ungdomstjenesten, fastlege (telefon)",
          shared_understanding="Kristian trenger individuell plan og en fast koordinator.")
    yield _when(base, 34, "09:00")
    _step(case, "done", me,
          handover_note="Kristian ønsker at NAV-veileder Yusuf fortsetter som stafettholder.")
    yield _when(base, 20, "11:00")
    _measure(case, u["ungdom"], "youth-service", "Eirik Fosse, ungdomsarbeider",
             "Blir med på de første treningene på klatresenteret.", "Kristian har én fast fritidsaktivitet.",
             evaluate_in=42)


def _ingrid(u: dict[str, User], base: date) -> Iterator[datetime]:
    """Closed: level 1 helped, and the case was closed with the family."""
    me = u["laerer"]
    yield _when(base, 110, "08:30")
    case = _register(
        ChildInput("Ingrid", "Solheim", _born(base, 7, 10, 21), gender="girl", school=BARNESKOLE,
                   class_name="2A",
                   guardians=[GuardianInput("Kristine Solheim", "mor", "977 13 090"),
                              GuardianInput("Ola Solheim", "far", "977 13 091")]),
        ConcernInput("Ingrid gråter ved levering og har ofte vondt i magen på SFO.", since_when="august",
                     how_often="daglig", signals=["sc-aches"]),
        me)
    yield _when(base, 110, "14:30")
    _step(case, "done", me,
          observation="Ingrid gråter 10–15 minutter ved levering og sier hun har vondt i magen, særlig "
                      "tirsdager når SFO er lang.",
          since_when="August", how_often="Daglig")
    yield _when(base, 108, "13:00")
    _step(case, "done", me, discussed_with="colleague",
          advice="Lag en fast morgenrutine med en trygg voksen.")
    yield _when(base, 106, "10:00")
    _step(case, "done", me, conversation_date=_iso(),
          child_words="«Jeg savner mamma når det er lenge på SFO.»")
    yield _when(base, 104, "15:30")
    _step(case, "done", me, conversation_date=_iso(),
          parents_words="Mor: «Hun har fått en lillebror, og alt er nytt.»")
    yield _when(base, 100, "14:00")
    _step(case, "level1", me, assessment="Overgangsreaksjon. Tiltak i skole og SFO.")
    yield _when(base, 99, "14:00")
    _step(case, "done", me, meeting_date=_iso(), shared_understanding="Ingrid trenger forutsigbarhet.")
    yield _when(base, 99, "14:10")
    _step(case, "done", me, no_consent_reason="Tiltakene er i egen tjeneste; ingen opplysninger deles.")
    yield _when(base, 99, "14:20")
    _step(case, "done", me)
    yield _when(base, 97, "12:00")
    _measure(case, me, "school", "Marte Solberg-Haugen, kontaktlærer",
             "Fast voksen tar imot Ingrid om morgenen.", "Kortere gråt ved levering.", evaluate_in=42,
             status=MeasureStatus.DONE)
    _measure(case, me, "school", "SFO-leder", "Kortere SFO-dag tirsdag i en periode; bildekalender.",
             "Ingrid vet hvem som henter og når.", evaluate_in=42, status=MeasureStatus.DONE)
    update_plan(case, me, goals="Ingrid skal gå glad på skolen.", child_voice="«Jeg savner mamma.»",
                parents_voice="«Alt er nytt hjemme.»")
    yield _when(base, 97, "12:30")
    _step(case, "done", me, plan_summary="Fast morgenvoksen og kortere SFO-dag.")
    yield _when(base, 55, "15:00")
    _step(case, "done", me, progress="Ingrid har ikke grått ved levering på tre uker.")
    yield _when(base, 50, "14:00")
    _step(case, "close", me, evaluation="Målene er nådd.", child_experience="«Nå er det gøy på skolen.»",
          parents_words="«Hun er seg selv igjen.»")
    yield _when(base, 49, "09:00")
    _step(case, "close", me, end_reason="goals_reached", family_agreed="yes",
          closing_note="Ingrid trives og har ingen plager lenger.",
          what_helped="Fast morgenvoksen og forutsigbarhet (ifølge Ingrid og foreldrene).",
          family_informed="yes", archived_where="Elevmappen, Fjordvik barneskole")


def _closed_long_ago(u: dict[str, User], base: date, child: ChildInput, concern: str, measure: str,
                     child_words: str, parents_words: str, closed_ago: int, archived: bool) -> Iterator[datetime]:
    """A level-1 case closed with the family more than the retention period ago: with an archive print made at
    closing (retention deletes it), or without one (retention keeps it until someone prints it)."""
    me = u["laerer"]
    opened_ago = closed_ago + 60
    yield _when(base, opened_ago, "09:00")
    case = _register(child, ConcernInput(concern, since_when="skolestart", how_often="ukentlig"), me)
    yield _when(base, opened_ago, "14:00")
    _step(case, "done", me, observation=concern, since_when="Skolestart", how_often="Ukentlig")
    yield _when(base, opened_ago - 2, "12:00")
    _step(case, "done", me, discussed_with="colleague", advice="Snakk med barnet og foreldrene først.")
    yield _when(base, opened_ago - 4, "10:00")
    _step(case, "done", me, conversation_date=_iso(), child_words=child_words)
    yield _when(base, opened_ago - 5, "15:30")
    _step(case, "done", me, conversation_date=_iso(), parents_words=parents_words)
    yield _when(base, opened_ago - 8, "14:00")
    _step(case, "level1", me, assessment="Tiltak i klassen er nok.")
    yield _when(base, opened_ago - 9, "14:00")
    _step(case, "done", me, meeting_date=_iso(), shared_understanding="Vi ser det samme og prøver tiltak i klassen.")
    yield _when(base, opened_ago - 9, "14:10")
    _step(case, "done", me, no_consent_reason="Tiltakene er i egen tjeneste; ingen opplysninger deles.")
    yield _when(base, opened_ago - 9, "14:20")
    _step(case, "done", me)
    yield _when(base, opened_ago - 10, "12:00")
    _measure(case, me, "school", "Marte Solberg-Haugen, kontaktlærer", measure, "Det går bedre på skolen.",
             evaluate_in=42, status=MeasureStatus.DONE)
    update_plan(case, me, goals="Det skal gå bedre på skolen.", child_voice=child_words, parents_voice=parents_words)
    yield _when(base, opened_ago - 10, "12:30")
    _step(case, "done", me, plan_summary=measure)
    yield _when(base, closed_ago + 5, "15:00")
    _step(case, "done", me, progress="Tiltaket virker.")
    yield _when(base, closed_ago + 1, "14:00")
    _step(case, "close", me, evaluation="Målene er nådd.", child_experience="«Det er bra nå.»")
    yield _when(base, closed_ago, "09:00")
    _step(case, "close", me, end_reason="goals_reached", family_agreed="yes", family_informed="yes",
          closing_note="Målene er nådd, og familien er enig i å avslutte.", what_helped=measure,
          archived_where="Elevmappen, Fjordvik barneskole")
    if archived:
        yield _when(base, closed_ago, "09:30")
        from tik.lifecycle.archive import print_archive

        print_archive(case, me)  # printed to the pupil's file at closing, as the BTI model has it


def _jonas(u: dict[str, User], base: date) -> Iterator[datetime]:
    """Closed long ago and printed to the archive: `tik retention run` deletes it."""
    return _closed_long_ago(
        u, base, ChildInput("Jonas", "Eide", _born(base, 12, 4, 11), gender="boy", school=BARNESKOLE,
                            class_name="4A", guardians=[GuardianInput("Marit Eide", "mor", "948 30 112")]),
        "Jonas kommer for sent nesten hver dag og har ofte glemt bøkene.",
        "Fast plass ved døra og ukeplan på papir hjemme.", "«Jeg rekker ikke bussen.»",
        "Mor: «Vi har fått nye arbeidstider.»", closed_ago=_long_ago(), archived=True)


def _nora(u: dict[str, User], base: date) -> Iterator[datetime]:
    """Closed long ago without an archive print: retention keeps it until someone prints it."""
    return _closed_long_ago(
        u, base, ChildInput("Nora", "Lunde", _born(base, 11, 8, 30), gender="girl", school=BARNESKOLE,
                            class_name="3B", guardians=[GuardianInput("Jurgita Lunde", "mor", "462 77 015",
                                                                      language="lt")]),
        "Nora sitter alene i friminuttene og sier at ingen vil leke med henne.",
        "Lekegrupper i storefri med en voksen.", "«Jeg vil ha noen å leke med.»",
        "Mor: «Hun snakker ikke om skolen hjemme.»", closed_ago=_long_ago() - 10, archived=False)


STORIES = [_emil, _ingrid, _jonas, _nora, _oskar, _filip, _kristian, _amina, _mikkel, _mathias, _ella, _tiril, _elias,
           _sofie]
