"""Registering a concern: urgency first, validation that keeps input, an open case joined, not shown."""

from __future__ import annotations

from datetime import date

from support import pdf_text

from tik.cases.models import Case, CaseEvent, EventKind
from tik.concerns.models import Concern, ReportDraft, Urgency
from tik.extensions import db

CHILD = {"first_name": "Jonas", "last_name": "Berg", "birth_date": "2014-02-10", "school": "Fjordvik skole",
         "class_name": "7B", "guardians-0-name": "Anne Berg", "guardians-0-language": "nb"}


def _register(client, **extra):
    data = {**CHILD, "observation": "Jonas kommer ofte for sent og virker redd.", "urgency": "none", **extra}
    return client.post("/bekymring/skjema", data=data)


def test_acute_danger_shows_the_emergency_routine_at_once(client, login, make_user):
    login(make_user())
    page = client.post("/bekymring/ny", data={"acute": "yes", "suspicion": "no"})
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "112" in text and "113" in text and "Akutt fare" in text
    assert "urgency=acute" in text  # register afterwards, when the child is safe


def test_suspicion_leads_to_the_report_path_and_a_separate_draft(client, login, make_user):
    login(make_user())
    start = client.post("/bekymring/ny", data={"acute": "no", "suspicion": "yes"})
    assert "urgency=suspicion" in start.headers["Location"]
    form = client.get(start.headers["Location"]).get_data(as_text=True)
    assert "Ikke snakk med foreldrene først" in form and "report_draft" in form
    response = _register(client, urgency="suspicion", report_draft="Jonas fortalte om slag hjemme.")
    assert response.status_code == 302
    case = db.session.scalar(db.select(Case))
    draft = db.session.scalar(db.select(ReportDraft))
    assert draft.case_id == case.id and draft.text == "Jonas fortalte om slag hjemme."
    assert db.session.scalar(db.select(Concern)).urgency == Urgency.SUSPICION
    kinds = [e.kind for e in db.session.scalars(db.select(CaseEvent))]
    assert EventKind.REPORT in kinds


def test_unanswered_urgency_questions_get_an_error_summary(client, login, make_user):
    login(make_user())
    page = client.post("/bekymring/ny", data={})
    text = page.get_data(as_text=True)
    assert page.status_code == 422 and "ds-error-summary" in text and 'href="#acute"' in text


def test_validation_error_keeps_every_field(client, login, make_user):
    login(make_user())
    response = client.post("/bekymring/skjema", data={
        **CHILD, "first_name": "", "birth_date": "2014-02-10", "observation": "Min lange beskrivelse",
        "since_when": "Siden jul", "how_often": "Hver mandag", "who_knows": "Rektor vet",
        "guardians-0-phone": "99887766", "signals": ["sc-withdrawn"], "urgency": "none"})
    text = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "ds-error-summary" in text and "Skriv barnets fornavn." in text and 'href="#first_name"' in text
    for typed in ("Min lange beskrivelse", "Siden jul", "Hver mandag", "Rektor vet", "99887766", "Berg",
                  "Fjordvik skole", "Anne Berg"):
        assert typed in text
    assert 'value="sc-withdrawn" checked' in text
    assert db.session.scalar(db.select(db.func.count(Case.id))) == 0


def test_invalid_national_id_is_refused_with_a_clear_message(client, login, make_user):
    login(make_user())
    response = _register(client, nin="01010112345")
    assert response.status_code == 422
    assert "Fødselsnummeret er ikke gyldig" in response.get_data(as_text=True)


def test_future_birth_date_is_refused(client, login, make_user):
    login(make_user())
    response = _register(client, birth_date="2099-01-01")
    assert response.status_code == 422 and "fram i tid" in response.get_data(as_text=True)


def test_a_concern_for_a_child_with_an_open_case_joins_it_and_shows_only_whom_to_contact(
        client, login, make_user, make_case):
    holder = make_user(service="health-nurse", name="Hanne Holder", phone="35 98 20 20")
    case = make_case(by=holder, first_name="Jonas", last_name="Berg", observation="HEMMELIG: tidligere notat",
                     birth_date=date(2014, 2, 10))
    login(make_user(service="kindergarten"))
    response = _register(client)
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Hanne Holder" in text and "35 98 20 20" in text
    assert "HEMMELIG" not in text and case.ref not in text
    assert db.session.scalar(db.select(db.func.count(Case.id))) == 1
    assert db.session.scalar(db.select(db.func.count(Concern.id)).where(Concern.case_id == case.id)) == 2


def test_double_submit_creates_one_concern(client, login, make_user):
    login(make_user())
    first = _register(client, idempotency_key="same-key")
    second = _register(client, idempotency_key="same-key")
    assert first.headers["Location"].split("?")[0] == second.headers["Location"].split("?")[0]
    assert second.headers["Location"].endswith("registered=again")  # recognised, and said so on the page
    assert db.session.scalar(db.select(db.func.count(Concern.id))) == 1


def test_a_concern_sent_with_the_key_of_another_form_registers_nothing_and_goes_to_my_page(
        client, login, make_user, make_case):
    from tik import clock
    from tik.plans import service as plans

    holder = login(make_user())
    case = make_case(by=holder)
    plans.add_measure(case, holder, plans.MeasureInput("school", "Lærer", "Leksehjelp", "Mål", clock.today(),
                                                       clock.today()), form_key="used-by-a-measure")
    response = _register(client, idempotency_key="used-by-a-measure")
    assert response.status_code == 302 and response.headers["Location"].endswith("/min-side")
    assert client.get(response.headers["Location"]).status_code == 200
    assert db.session.scalar(db.select(db.func.count(Concern.id))) == 1  # the case's own concern only


def test_html_in_a_concern_is_text_in_page_and_pdf_and_fetches_nothing(client, login, make_user, monkeypatch):
    import tik.plans.pdf as pdf

    hostile = '<img src="file:///etc/passwd"><b>fet</b><script>alert(1)</script>'
    login(make_user())
    response = _register(client, observation=hostile)
    ref = response.headers["Location"].split("/saker/")[1].split("?")[0]
    page = client.get(f"/saker/{ref}").get_data(as_text=True)
    assert "&lt;img src=&#34;file:///etc/passwd&#34;&gt;" in page and '<img src="file:' not in page
    client.post(f"/saker/{ref}/plan", data={"goals": hostile, "child_voice": "", "parents_voice": "",
                                              "internal_notes": "", "version": "0"})

    fetched: list[str] = []
    original = pdf.StaticOnlyFetcher.fetch

    def spy(self, url, headers=None):
        fetched.append(url)
        return original(self, url, headers)

    monkeypatch.setattr(pdf.StaticOnlyFetcher, "fetch", spy)
    data = client.get(f"/saker/{ref}/plan.pdf").data
    assert '<img src="file:///etc/passwd">' in pdf_text(data)
    assert fetched, "the PDF fetched nothing at all, not even its style sheet: the spy saw no fetcher"
    assert all(url.endswith("/tik/static/pdf.css") for url in fetched), fetched


def test_registration_asks_for_the_guardians_e_mail_and_the_case_page_shows_it(client, login, make_user):
    """Issue 15: the guardian's phone, e-mail and language, asked once at registration, are on the case page."""
    from tik.concerns.models import Guardian

    login(make_user())
    form = client.get("/bekymring/skjema?urgency=none").get_data(as_text=True)
    assert 'name="guardians-0-email"' in form and 'type="email"' in form
    for bad in ("anne.berg", "anne@berg", "anne berg@example.no", "a@" + "b" * 200 + ".no"):
        refused = _register(client, **{"guardians-0-email": bad, "idempotency_key": f"bad-{len(bad)}"})
        assert refused.status_code == 422, bad
        assert "Skriv en gyldig e-postadresse." in refused.get_data(as_text=True) or len(bad) > 200
        assert db.session.scalar(db.select(db.func.count(Case.id))) == 0
    response = _register(client, **{"guardians-0-email": " anne.berg@example.no ", "guardians-0-phone": "400 11 222",
                                    "guardians-0-language": "pl", "guardians-1-name": "Per Berg"})
    assert response.status_code == 302
    anne = db.session.scalar(db.select(Guardian).where(Guardian.name == "Anne Berg"))
    per = db.session.scalar(db.select(Guardian).where(Guardian.name == "Per Berg"))
    assert (anne.email, anne.phone, anne.language) == ("anne.berg@example.no", "400 11 222", "pl")
    assert per.email == ""  # optional
    page = client.get(response.location).get_data(as_text=True)
    details = page[page.index("tik-guardian"):]
    assert "anne.berg@example.no" in details and "400 11 222" in details and "Polski" in details
    # Corrected or added later on the case page: the same check, and the old value stays when refused.
    ref = response.location.split("/saker/")[1].split("?")[0]
    bad = client.post(f"/saker/{ref}/foresatte/{anne.id}", data={"name": "Anne Berg", "email": "anne(at)example.no",
                                                                 "language": "pl"})
    assert bad.status_code == 422 and "Skriv en gyldig e-postadresse." in bad.get_data(as_text=True)
    assert client.post(f"/saker/{ref}/foresatte", data={"name": "Ny Verge", "email": "ny@"}).status_code == 422
    db.session.expire_all()
    assert db.session.get(Guardian, anne.id).email == "anne.berg@example.no"
    assert client.post(f"/saker/{ref}/foresatte/{anne.id}", data={
        "name": "Anne Berg", "email": "anne@berg.no", "phone": "400 11 222", "language": "pl"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Guardian, anne.id).email == "anne@berg.no"
