"""A youth conversation that became a case, on "Min familie": the young person, signed in with ID-porten as
themself, finds the case and re-reads the conversation as they read it with their code (never an answer still
held for approval, never the service's notes), while the youth service lies within their own consent's reach;
a guardian never sees the conversation."""

from __future__ import annotations

from datetime import date

import pytest
from test_family import family_sign_in, set_guardian_nin, told, valid_nin
from test_youth_outcomes import consent_form, conversation_of, write

from tik.cases.models import Case, Consent
from tik.concerns.service import GuardianInput
from tik.extensions import db

YOUNG = valid_nin(date(2010, 5, 4), 500)  # the young person of consent_form (born 2010-05-04)
MOTHER = valid_nin(date(1980, 2, 3), 140)
FIRST, AGAIN = "Mamma drikker mye og jeg er redd.", "Jeg er ikke trygg hjemme i kveld."
HELD = "Et svar fra veilederen som venter på fagpersonen."
ANSWER = "Vil du at vi hjelper deg videre?"


@pytest.fixture
def offered(client, login, operator, professional):
    """A flagged conversation with an operator's answer held, the professional's own answer and their offer to
    make it a case; returns (code, conversation)."""
    code = write(client, FIRST)
    client.post("/ung/skriv-igjen", data={"code": code, "body": AGAIN, "not_safe": "y"})
    conversation = conversation_of(FIRST)
    login(operator)
    client.post(f"/ung/innboks/{conversation.id}/svar", data={"body": HELD})
    login(professional)
    client.post(f"/ung/innboks/{conversation.id}/svar", data={"body": ANSWER})
    client.post(f"/ung/innboks/{conversation.id}/utfall", data={"outcome": "concern"})
    client.post("/logout")
    return code, conversation


def section(page: str) -> str:
    """The conversation's part of the family's case page ("" when it is not there)."""
    start = page.find('id="family-youth-conversation"')
    return "" if start < 0 else page[start:page.index("</section>", start)]


def test_the_young_person_re_reads_their_conversation_on_min_familie(app, client, offered, family_sso):
    code, conversation = offered
    response = client.post("/ung/samtykke", data=consent_form(code, conversation, nin=YOUNG))
    assert 'id="became-case"' in response.get_data(as_text=True)
    case = db.session.scalars(db.select(Case)).one()

    young = family_sign_in(app, family_sso, YOUNG)
    assert case.ref in young.get("/min-familie/").get_data(as_text=True)
    page = young.get(f"/min-familie/{case.ref}").get_data(as_text=True)
    shown = section(page)
    assert "Samtalen din i ungdomsdøra" in shown
    assert FIRST in shown and AGAIN in shown  # all they wrote, not only the excerpt the case holds
    assert ANSWER in shown
    assert HELD not in page  # never what they could not read with their code
    assert "offer:" not in page and "Ansatt Nummer" not in shown  # neither the service's notes nor who answered


def test_the_conversation_is_shown_only_within_the_young_persons_own_consent(app, client, offered, family_sso):
    code, conversation = offered
    client.post("/ung/samtykke", data=consent_form(code, conversation, nin=YOUNG))
    case = db.session.scalars(db.select(Case)).one()
    consent = db.session.scalars(db.select(Consent)).one()
    young = family_sign_in(app, family_sso, YOUNG)
    assert FIRST in section(young.get(f"/min-familie/{case.ref}").get_data(as_text=True))

    assert young.post(f"/min-familie/{case.ref}/samtykke/{consent.id}/trekk").status_code == 302
    page = young.get(f"/min-familie/{case.ref}").get_data(as_text=True)
    assert 'id="family-own-consent"' in page  # the case is still theirs to see, with no reach
    assert section(page) == "" and FIRST not in page


def test_a_guardian_never_sees_the_young_persons_conversation(app, client, offered, family_sso, make_case,
                                                               make_user):
    from tik.auth.models import Role

    holder = make_user("holder", roles=(Role.EMPLOYEE, Role.COORDINATOR))
    existing = told(make_case(by=holder, first_name="Sofie", last_name="Berg", birth_date=date(2010, 5, 4),
                              nin=YOUNG, guardians=[GuardianInput("Kari Berg", "mor", "400 00 000", "nb")]))
    set_guardian_nin(existing.child.guardians[0], MOTHER)
    code, conversation = offered
    client.post("/ung/samtykke", data=consent_form(code, conversation, nin=YOUNG))
    db.session.refresh(conversation)
    assert conversation.case_id == existing.id  # the young person's id found their open case

    mother = family_sign_in(app, family_sso, MOTHER)
    page = mother.get(f"/min-familie/{existing.ref}").get_data(as_text=True)
    assert "Sofie" in page  # she sees the case …
    assert section(page) == "" and FIRST not in page and ANSWER not in page  # … never the conversation
    young = family_sign_in(app, family_sso, YOUNG)
    assert FIRST in section(young.get(f"/min-familie/{existing.ref}").get_data(as_text=True))


def test_a_national_id_that_does_not_match_the_birth_date_makes_no_case(client, offered):
    code, conversation = offered
    other = valid_nin(date(2010, 6, 4), 500)
    response = client.post("/ung/samtykke", data=consent_form(code, conversation, nin=other))
    assert response.status_code == 422
    assert db.session.scalar(db.select(db.func.count()).select_from(Case)) == 0
