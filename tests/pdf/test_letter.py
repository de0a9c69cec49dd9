"""What the family holds in its hands: the letter in their language, the consent form, tagged PDFs, and
layouts that never run off the page, whatever staff wrote."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from pdfcheck import (
    BIDI_MARKS,
    MM,
    RTL_LETTERS,
    body_text,
    outside_margins,
    page_numbers_present,
    pages,
    plain_text,
    rules,
    squeeze,
    tags,
    without_rtl,
)

from tik.cases.consent import record_consent
from tik.cases.models import ConsentForm
from tik.clock import today
from tik.concerns.service import GuardianInput
from tik.letter_texts import TRANSLATIONS, Texts, letter_languages
from tik.plans import service as plans
from tik.plans.letter import letter_choices, letter_html
from tik.plans.printing import consent_form_pdf, plan_pdf, revision_pdf_bytes

ROOT = Path(__file__).resolve().parents[2]
LANGUAGES = ["nb", "nn", "en", "pl", "lt", "uk", "ar", "so", "ti", "sv"]
LONG_WORD = "Skolehelsetjenesteoppfølgingssamtalekoordineringsansvarlig60"  # 60 characters
ARABIC_NAME = "فاطمة الزهراء"


def long_text(seed: str, length: int = 3000) -> str:
    words = f"{seed} Åse Ødegård æser på øya, og {ARABIC_NAME} skriver. ".split()
    out, i = [], 0
    while len(" ".join(out)) < length:
        out.append(words[i % len(words)])
        i += 1
    return " ".join(out)[:length]


@pytest.fixture
def long_case(make_user, make_case, give_consent):
    """A plan at its longest: 12 measures with 3 000-character goals, a 60-character word, ÆØÅ and Arabic."""
    assert len(LONG_WORD) == 60
    holder = make_user(service="school", name="Ærlige Øystein Åsheim", phone="+47 400 12 345",
                       email="oystein.asheim@fjordvik.kommune.no", title="kontaktlærer")
    case = make_case(by=holder, first_name="Åsmund", last_name="Ødegård-Æsøy", birth_date=date(2012, 2, 3),
                     guardians=[GuardianInput("Åse Ødegård", "mor", "400 00 001", "nb"),
                                GuardianInput(ARABIC_NAME, "أم", "400 00 002", "ar")])
    give_consent(case, holder, ["health-nurse", "ppt"])
    plans.update_plan(case, holder, goals=long_text("Mål"), child_voice=long_text("Barnet"),
                      parents_voice=long_text("Foreldrene"), internal_notes=long_text("Internt"))
    start = today()
    for n in range(12):
        plans.add_measure(case, holder, plans.MeasureInput(
            ["school", "health-nurse", "ppt"][n % 3], f"Ansvarlig {n} {LONG_WORD}",
            f"Tiltak {n}: {LONG_WORD} {long_text('Hva', 400)}", f"Mål {n}: {long_text('Goal', 3000)}",
            start + timedelta(days=n), start + timedelta(days=40 + n)))
    return case, holder


def letters(text: str) -> str:
    """Only the letters and digits of `text`: where a right-to-left line puts a full stop is layout."""
    return re.sub(r"[\W_]", "", text)


def assert_laid_out(data: bytes, expected: list[str]) -> None:
    """Every word inside the page box minus the margins, page numbers on every page, nothing lost."""
    bad = outside_margins(data)
    assert bad == [], f"{len(bad)} words outside the margins, e.g. {bad[:3]}"
    assert page_numbers_present(data)
    body = body_text(data)
    for text in expected:
        assert without_rtl(squeeze(text)) in body, f"lost: {text[:60]!r}…"
    assert squeeze(ARABIC_NAME) in squeeze(plain_text(data))


def test_staff_pdf_keeps_every_measure_inside_the_page(long_case):
    case, holder = long_case
    _name, data = plan_pdf(case, holder, family=False)
    assert_laid_out(data, [m.what for m in plans.plan_of(case).measures]
                    + [m.goal for m in plans.plan_of(case).measures] + [plans.plan_of(case).goals])


@pytest.mark.parametrize("lang", ["nb", "ar"])
def test_family_letter_keeps_every_measure_inside_the_page(long_case, lang):
    case, holder = long_case
    _name, data = plan_pdf(case, holder, family=True, lang=lang, child_page=True)
    plan = plans.plan_of(case)
    assert_laid_out(data, [m.what for m in plan.measures] + [m.goal for m in plan.measures] + [plan.goals])
    assert "Internt" not in plain_text(data)


def test_revision_pdfs_keep_every_measure_inside_the_page(long_case):
    case, holder = long_case
    plans.share_with_family(case, holder)  # revision 1 is frozen
    plan = plans.plan_of(case)
    for family in (False, True):
        _name, data = revision_pdf_bytes(case, holder, plan.revision, family=family)
        assert_laid_out(data, [m.goal for m in plan.measures])


def test_consent_form_keeps_everything_inside_the_page(long_case):
    case, holder = long_case
    consent = record_consent(case, holder, given_by=f"Åse Ødegård, {ARABIC_NAME}", services=["school", "ppt"],
                             purpose=long_text("Formål", 2000), information=long_text(LONG_WORD, 1500),
                             form=ConsentForm.PAPER, given_on=today(), expires_on=today() + timedelta(days=365))
    _name, data = consent_form_pdf(case, consent.id, "pl")
    assert_laid_out(data, [consent.purpose, consent.information])


def test_minutes_keep_everything_inside_the_page(client, login, long_case):
    from tik.clock import now
    from tik.meetings import service as meetings

    case, holder = long_case
    team = meetings.create_team(f"Team {LONG_WORD}", [holder])
    meeting = meetings.create_meeting(holder, title=long_text(LONG_WORD, 190), starts_at=now() + timedelta(days=1),
                                      place="Rådhuset, møterom Ærfugl", team=team)
    item = meetings.add_item(meeting, holder, case_ref=case.ref)
    texts = {"discussion": long_text("Drøftet"), "advice": long_text(LONG_WORD), "decisions": long_text("Besluttet")}
    meetings.save_minutes(item, holder, **texts, expected_version=item.version)
    login(holder)
    response = client.get(f"/moter/{meeting.id}/referat.pdf")
    assert response.status_code == 200
    assert_laid_out(response.data, list(texts.values()))
    assert tags(response.data) == {"struct_tree": True, "lang": "nb", "marked": True}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_letter_prints_its_fixed_texts_in_the_family_language(app, make_user, make_case, lang):
    holder = make_user(name="Ingrid Lærer", phone="400 11 222", email="ingrid@fjordvik.kommune.no")
    case = make_case(by=holder, first_name="Emil", birth_date=date(2014, 5, 6),
                     guardians=[GuardianInput("Anna Nowak", "mor", "", lang)])
    plans.update_plan(case, holder, goals="Emil kommer på skolen hver dag.", child_voice="Jeg liker fotball.",
                      parents_voice="Vi vil ha hjelp.")
    plans.add_measure(case, holder, plans.MeasureInput("school", "Marte", "Mandagsprat", "Komme hver mandag",
                                                       date(2027, 1, 4), date(2027, 1, 15)))
    texts = Texts(lang)
    html = letter_html(case, plans.plan_of(case), lang, child_page=True, texts=texts)
    assert texts.missing == set(), f"untranslated in {lang}: {sorted(texts.missing)[:3]}"
    assert f'<html lang="{lang}" dir="{"rtl" if lang == "ar" else "ltr"}">' in html

    _name, data = plan_pdf(case, holder, family=True, lang=lang, child_page=True)
    text = letters(plain_text(data))
    assert tags(data) == {"struct_tree": True, "lang": lang, "marked": True}
    for fixed in ("Hvem gjør hva, og når", "Dette kan dere gjøre", "Underskrifter", "Min plan"):
        assert letters(str(texts(fixed))) in text, f"{fixed!r} in {lang}"
    # Every date visible, in the family's language; staff text as written.
    assert letters(texts.date(date(2027, 1, 15))) in text
    assert "Mandagsprat" in text and "AnnaNowak" in text
    if lang not in ("nb", "nn"):
        assert "Hvem gjør hva" not in plain_text(data)


def test_arabic_letter_reads_in_logical_order(app, make_user, make_case):
    holder = make_user()
    case = make_case(by=holder, guardians=[GuardianInput(ARABIC_NAME, "أم", "", "ar")])
    _name, data = plan_pdf(case, holder, family=True)
    text = plain_text(data)
    assert tags(data)["lang"] == "ar"
    # Words in the order they are written (right to left is a matter of display, not of the text).
    assert "من يفعل ماذا" in text
    assert ARABIC_NAME in text


def test_every_letter_catalogue_translates_every_fixed_text():
    """No fixed text of the letter, the child's page or the consent form is missing from a catalogue."""
    pot = Path(__import__("tempfile").mkdtemp()) / "letter.pot"
    pybabel = Path(sys.executable).with_name("pybabel")
    subprocess.run([str(pybabel), "-q", "extract", "--no-default-keywords", "-k", "t", "-k", "own:2",
                    "-F", "tik/translations/letter.cfg", "-o", str(pot), "templates"],
                   cwd=ROOT, check=True, capture_output=True)
    with pot.open("rb") as f:
        wanted = {m.id for m in read_po(f) if m.id}
    assert len(wanted) > 60
    assert set(LANGUAGES) <= set(letter_languages())
    for lang in set(LANGUAGES) - {"nb"}:
        with (TRANSLATIONS / lang / "LC_MESSAGES" / "letter.po").open("rb") as f:
            have = {m.id for m in read_po(f) if m.id and m.string and not m.fuzzy}
        assert sorted(wanted - have) == [], f"untranslated in {lang}"


def test_two_guardians_with_different_languages_get_a_letter_each(app, make_user, make_case):
    holder = make_user()
    case = make_case(by=holder, guardians=[GuardianInput("Anna Nowak", "mor", "", "pl"),
                                           GuardianInput("Ole Hansen", "far", "", "nb")])
    choices = letter_choices(case)
    assert [(c.lang, c.names) for c in choices] == [("pl", ("Anna Nowak",)), ("nb", ("Ole Hansen",))]
    polish = plain_text(plan_pdf(case, holder, family=True, lang="pl")[1])
    norwegian = plain_text(plan_pdf(case, holder, family=True, lang="nb")[1])
    assert "Do: Anna Nowak" in polish and "Ole Hansen" not in polish.split("Podpisy")[0]
    assert "Til: Ole Hansen" in norwegian and "Anna Nowak" not in norwegian.split("Underskrifter")[0]


def test_the_plan_page_offers_a_letter_per_guardian_language(client, login, make_user, make_case):
    holder = login(make_user())
    case = make_case(by=holder, guardians=[GuardianInput("Anna Nowak", "mor", "", "pl"),
                                           GuardianInput("Ole Hansen", "far", "", "nb")])
    page = client.get(f"/saker/{case.ref}/plan").get_data(as_text=True)
    assert "versjon=familie&amp;lang=pl" in page and "versjon=familie&amp;lang=nb" in page
    assert "Brev til Anna Nowak" in page and "Brev til Ole Hansen" in page
    response = client.get(f"/saker/{case.ref}/plan.pdf?versjon=familie&lang=pl")
    assert response.status_code == 200 and "Nasz plan" in plain_text(response.data)


def test_guardians_sharing_a_language_get_one_letter_together(app, make_user, make_case):
    holder = make_user()
    case = make_case(by=holder, guardians=[GuardianInput("Agnieszka Nowak", "mor", "", "pl"),
                                           GuardianInput("Tomasz Nowak", "far", "", "pl")])
    assert [(c.lang, c.names) for c in letter_choices(case)] == [("pl", ("Agnieszka Nowak", "Tomasz Nowak"))]
    text = plain_text(plan_pdf(case, holder, family=True)[1])
    assert "Agnieszka Nowak i Tomasz Nowak" in " ".join(text.split())


def test_a_language_without_a_catalogue_cannot_be_chosen_for_a_guardian(app):
    from tik.concerns.forms import GuardianForm

    offered = [code for code, _name in GuardianForm.language.kwargs["choices"]]
    assert offered == list(letter_languages())
    with app.test_request_context(method="POST", data={"name": "Amina", "language": "fa"}):
        form = GuardianForm()
        assert not form.validate()
        assert "TIK kan ikke skrive ut brev på dette språket" in form.language.errors[0]


def test_consent_form_holds_the_consent_records_purpose_services_and_validity(app, make_user, make_case):
    holder = make_user()
    case = make_case(by=holder, guardians=[GuardianInput("Anna Nowak", "mor", "", "pl")])
    consent = record_consent(case, holder, given_by="Anna Nowak", services=["school", "health-nurse"],
                             purpose="Samarbeid om Emmas skolehverdag", information="Fravær og trivsel",
                             form=ConsentForm.PAPER, given_on=date(2026, 11, 2), expires_on=date(2027, 11, 1))
    _name, data = consent_form_pdf(case, consent.id, None)
    text = " ".join(plain_text(data).split())
    assert tags(data) == {"struct_tree": True, "lang": "pl", "marked": True}
    assert "Samarbeid om Emmas skolehverdag" in text and "Fravær og trivsel" in text
    from tik.guidebook import guide_of

    for key in ("school", "health-nurse"):
        assert guide_of(case).services[key].name.get("pl") in text
    assert "2 listopada 2026" in text and "1 listopada 2027" in text
    assert "Wyjątki" in text and "wycofać" in text  # room for exclusions; can be withdrawn
    _name, blank = consent_form_pdf(case, None, "en")
    assert "Consent to cooperation" in plain_text(blank) and tags(blank)["lang"] == "en"


def test_every_pdf_kind_is_tagged(long_case, client, login):
    case, holder = long_case
    plans.share_with_family(case, holder)
    for family in (False, True):
        assert tags(plan_pdf(case, holder, family=family)[1])["marked"]
    login(holder)
    for url in (f"/saker/{case.ref}/plan.pdf", f"/saker/{case.ref}/plan.pdf?logg=full",
                f"/saker/{case.ref}/plan.pdf?versjon=familie&lang=ar", f"/saker/{case.ref}/samtykkeskjema.pdf",
                f"/saker/{case.ref}/plan/revisjon/1.pdf", f"/saker/{case.ref}/plan/revisjon/1.pdf?versjon=familie"):
        response = client.get(url)
        assert response.status_code == 200, url
        found = tags(response.data)
        assert found["struct_tree"] and found["marked"] and found["lang"], url


def test_emergency_numbers_only_where_the_guidebook_says_the_plan_needs_them(app, make_user, make_case,
                                                                            give_consent):
    holder = make_user()
    case = make_case(by=holder)
    give_consent(case, holder, ["bup"])
    plans.add_measure(case, holder, plans.MeasureInput("school", "Marte", "Oppmøteplan", "Komme hver dag",
                                                       today(), today() + timedelta(days=30)))
    assert "112" not in plain_text(plan_pdf(case, holder, family=True)[1])
    plans.add_measure(case, holder, plans.MeasureInput("bup", "BUP", "Utredning", "Forstå mer",
                                                       today(), today() + timedelta(days=30)))
    text = plain_text(plan_pdf(case, holder, family=True)[1])
    assert "Hvis det haster" in text and "112" in text


def test_staff_log_speaks_labels_not_codes(app, make_user, make_case):
    holder = make_user()
    case = make_case(by=holder)
    plans.update_plan(case, holder, goals="Mål", child_voice="", parents_voice="")
    text = " ".join(plain_text(plan_pdf(case, holder, family=False)[1]).split())
    assert "Bekymring registrert" in text and "Planen er endret" in text
    log = text.split("Siste hendelser i stafettloggen")[1].split("Underskrifter")[0]
    for code in (" plan ", " concern ", " step ", "l0-register"):
        assert code not in log
    full = " ".join(plain_text(plan_pdf(case, holder, family=False, full_log=True)[1]).split())
    assert "Stafettlogg" in full and "Bekymring registrert" in full


def test_the_child_page_is_for_children_from_ten(app, make_user, make_case):
    holder = make_user()
    young = make_case(by=holder, birth_date=today().replace(year=today().year - 8))
    older = make_case(by=holder, birth_date=date(2014, 1, 1))
    assert "Min plan" not in plain_text(plan_pdf(young, holder, family=True, child_page=True)[1])
    text = plain_text(plan_pdf(older, holder, family=True, child_page=True)[1])
    assert "Min plan" in text and "Hvem kan jeg snakke med?" in text


def test_guidebook_wording_replaces_the_default_in_its_languages(app, make_user, make_case):
    holder = make_user()
    case = make_case(by=holder, first_name="Emil", guardians=[GuardianInput("Anna", "mor", "", "en")])
    english = plain_text(plan_pdf(case, holder, family=True)[1])
    assert "We look forward to working with you for Emil." in english  # guidebook/letter.yaml, closing
    polish = plain_text(plan_pdf(case, holder, family=True, lang="pl")[1])
    assert "Prosimy o kontakt, jeśli coś jest niejasne." in " ".join(polish.split())  # the catalogue default


def test_from_the_consent_age_the_young_person_gets_a_letter_of_their_own(app, make_user, make_case):
    holder = make_user()
    born = today().replace(year=today().year - 16) - timedelta(days=1)
    case = make_case(by=holder, first_name="Sara", birth_date=born,
                     guardians=[GuardianInput("Kari Hansen", "mor", "", "nb")])
    assert [c.young for c in letter_choices(case)] == [False]
    record_consent(case, holder, given_by="Sara og Kari Hansen", services=["school"], purpose="Samarbeid",
                   form=ConsentForm.DIGITAL, given_on=today(), expires_on=today() + timedelta(days=90),
                   young_person=True)
    assert [(c.young, c.names) for c in letter_choices(case)] == [(False, ("Kari Hansen",)),
                                                                  (True, (case.child.name,))]
    text = " ".join(plain_text(plan_pdf(case, holder, family=True, young=True)[1]).split())
    assert f"Til: {case.child.name}" in text and "Du får dette brevet" in text and "Dette kan du gjøre" in text


CHILD_FIRST, PARENTS, CHILD_LATER = ("«Jeg liker ikke mandager.»", "«Vi vil gjerne samarbeide med skolen.»",
                                     "«Nå er det bedre i friminuttene.»")
PLAN_PARENTS = "Vi leser med Emil hver kveld."  # the plan's own words, written on the test day


@pytest.fixture
def three_conversations(make_user, make_case, move_case):
    """Two conversations with the child and one with the parents, on three days, and the plan's own words."""
    from flows import CONCRETISE, DECIDE, DISCUSS

    holder = make_user(service="school", name="Ingrid Lærer")
    case = make_case(by=holder, first_name="Emil", guardians=[GuardianInput("Anna Nowak", "mor", "", "pl")])
    move_case(case, holder, [
        ("done", CONCRETISE), ("done", DISCUSS),
        ("done", {"conversation_date": "2026-11-02", "child_words": CHILD_FIRST}),
        ("done", {"conversation_date": "2026-11-05", "parents_words": PARENTS}),
        ("level1", DECIDE),
        ("done", {"meeting_date": "2026-11-10", "shared_understanding": "Vi ser det samme.",
                  "child_words": CHILD_LATER})])
    plans.update_plan(case, holder, goals="Emil trives.", child_voice=CHILD_LATER, parents_voice=PLAN_PARENTS)
    return case, holder


def test_both_pdfs_show_every_conversations_words_newest_first_dated(three_conversations):
    """Issue 15: the child's and the parents' words from every conversation, not only the plan's last."""
    case, holder = three_conversations
    for family, lang in ((True, "pl"), (True, "nb"), (False, "nb")):
        _name, data = plan_pdf(case, holder, family=family, lang=lang)
        text = squeeze(plain_text(data))
        where = [text.find(squeeze(words)) for words in (CHILD_LATER, CHILD_FIRST, PLAN_PARENTS, PARENTS)]
        assert -1 not in where, (family, lang, where)
        assert where[0] < where[1] and where[2] < where[3], "newest words first"
        assert text.count(squeeze(CHILD_LATER)) == 1, "the plan's words and the conversation's are the same: once"
        texts = Texts(lang) if family else None
        for day in (date(2026, 11, 10), date(2026, 11, 2), date(2026, 11, 5), date(2026, 11, 20)):
            shown = squeeze(texts.date(day)) if family else day.strftime("%d.%m.%Y")
            assert shown in text, (family, lang, shown)


def test_the_arabic_signature_lines_sit_side_by_side_from_the_right_with_arabic_commas(app, make_user, make_case):
    """The letter's signatures in Arabic, looked at as a page image and read back: two lines of 80 mm per row,
    none running into the next (a wrapping flex row did), the first guardian on the right; each name with its
    role joined by the Arabic comma, a Latin name kept whole beside it; the staff's name and title laid out
    right to left too, and the child's page keeping the punctuation around Norwegian text in its place."""
    holder = make_user(service="school", name="Kari Lærer", title="kontaktlærer")
    case = make_case(by=holder, birth_date=today().replace(year=today().year - 12),
                     guardians=[GuardianInput(ARABIC_NAME, "أم", "", "ar"),
                                GuardianInput("Ali Hassan", "far", "", "ar")])
    plans.add_measure(case, holder, plans.MeasureInput("school", "Nina Helse", "Samtaler hver uke.", "Bedre",
                                                       today(), today() + timedelta(days=40)))
    _name, data = plan_pdf(case, holder, family=True, lang="ar", child_page=True)
    signatures = next(p for p in pages(data) if any(w.text == "التوقيعات"[::-1] for w in p.words))
    heading = next(w for w in signatures.words if w.text == "التوقيعات"[::-1])
    lines = [(top, start, end) for top, start, end in rules(data, signatures.number) if top * MM > heading.y1]
    rows = sorted({top for top, _s, _e in lines})
    assert len(rows) >= 2  # the two guardians, then the holder (and the service)
    for top in rows:
        row = sorted((start, end) for t, start, end in lines if abs(t - top) <= 1 and end - start > 40)
        assert [end - start for start, end in row] in ([80, 80], [80]), row  # side by side, none merged
    first, second = (next(w for w in signatures.words if w.text == name) for name in ("ةمطاف", "Hassan"))
    assert first.x0 > second.x1 and abs(first.y0 - second.y0) < 5  # same row, the first guardian on the right

    # Read back: the Arabic comma beside each Latin name (the word pdftotext sees), never a Latin one in Arabic.
    words = [w.text for p in pages(data) for w in p.words]
    assert "،Ali" in words and "،Kari" in words
    assert not [w for w in words if "," in w and RTL_LETTERS.search(w)]
    # And in the order it is written: each part isolated, the catalogue's comma and colon between them.
    written = re.sub(r"<[^>]+>", "", letter_html(case, plans.plan_of(case), "ar", child_page=True)).translate(
        BIDI_MARKS)
    assert f"{ARABIC_NAME}، ولي الأمر" in written and "Ali Hassan، ولي الأمر" in written
    assert "Kari Lærer، المنسق" in written and "Kari Lærer، kontaktlærer" in written
    assert re.search(r"Nina Helse \([^)]+\): Samtaler hver uke\.", written)  # the child's page
