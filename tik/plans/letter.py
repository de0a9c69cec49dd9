"""The family letter and the consent form: who they are to, in which language, and what they say."""

from __future__ import annotations

from dataclasses import dataclass

from flask import render_template
from flask_babel import force_locale
from sqlalchemy import select

from tik.auth.policy import Sight, within_reach, young_person_reach
from tik.cases.models import Case, Consent
from tik.clock import local_date, now, today
from tik.extensions import db
from tik.guidebook import guide_of
from tik.guides.model import Guide
from tik.letter_texts import SOURCE_LANGUAGE, Texts, fill, is_rtl, language_name, letter_languages
from tik.meetings.models import Meeting
from tik.municipalities import current_municipality
from tik.plans.known import on_plan
from tik.timeline.loading import case_events
from tik.timeline.maturity import adult_consents_alone, consents_themself
from tik.timeline.voices import Voice

CHILD_PAGE_AGE = 10  # from this age the letter can carry a page for the child: "my plan"


@dataclass(frozen=True)
class LetterChoice:
    """One letter the print page offers: in `lang`, to these guardians, or to the young person."""

    lang: str
    names: tuple[str, ...]
    young: bool = False

    @property
    def language(self) -> str:
        return language_name(self.lang)


def printable(lang: str | None) -> str:
    """`lang` if TIK can print a letter in it, else bokmål."""
    return lang if lang in letter_languages() else SOURCE_LANGUAGE


def family_language(case: Case) -> str:
    """The first guardian's language when TIK can print in it, else the municipality's (its guidebook's first
    printable language: Swedish in Sweden), else bokmål."""
    for guardian in case.child.guardians:
        if guardian.language in letter_languages():
            return guardian.language
    return next((lang for lang in guide_of(case).languages if lang in letter_languages()), SOURCE_LANGUAGE)


def of_consent_age(case: Case, guide: Guide) -> bool:
    """The child has reached the guidebook's consent age today: they sign the plan and the consent form too."""
    return guide.of_consent_age(case.child.birth_date, today())


def young_person_consents(case: Case, guide: Guide) -> bool:
    """From the consent age, when an active consent is the young person's, the letter can be to them."""
    return of_consent_age(case, guide) and bool(young_person_reach(case, today()))


def to_young_person(case: Case, asked: bool) -> bool:
    """The one rule for whom the family's copy of the plan is to: the young person when the consent in force is
    their own as an adult consenting alone (the guardians have no part in it: never a letter to them), or when
    the young person is `asked` for and an active consent is theirs; else the guardians."""
    return adult_consents_alone(case, today()) or (asked and young_person_consents(case, guide_of(case)))


def letter_choices(case: Case) -> list[LetterChoice]:
    """A letter per language the guardians read (guardians sharing one get one letter together),
    and one to the young person when the consent is theirs."""
    groups: dict[str, list[str]] = {}
    for guardian in case.child.guardians:
        groups.setdefault(printable(guardian.language), []).append(guardian.name)
    choices = [LetterChoice(lang, tuple(names)) for lang, names in groups.items()]
    if to_young_person(case, asked=False):  # an adult's own consent: her letter only
        return [LetterChoice(family_language(case), (case.child.name,), young=True)]
    if not choices:
        choices.append(LetterChoice(SOURCE_LANGUAGE, ()))
    if young_person_consents(case, guide_of(case)):
        choices.append(LetterChoice(family_language(case), (case.child.name,), young=True))
    return choices


def addressees(case: Case, lang: str, young: bool) -> tuple[str, ...]:
    """The names the letter is to: the young person, or the guardians reading `lang` (all when none does)."""
    if young:
        return (case.child.name,)
    reading = [g.name for g in case.child.guardians if printable(g.language) == lang]
    return tuple(reading or [g.name for g in case.child.guardians])


def printed_voices(case: Case, plan, heard: list[Voice] | None = None) -> dict[str, list[Voice]]:
    """The child's and the parents' words for a print, per who ("child", "parents"), newest first and dated:
    every conversation's (tik.timeline.voices), and what the plan says in their voice unless a conversation said it.
    `heard`: the conversations' words when the caller loaded them (tik.timeline.loading.case_events)."""
    until = getattr(plan, "frozen_at", None)  # a frozen revision: what had been said when it was frozen
    heard = list(heard) if heard is not None else case_events(case, 0, until=until).voices
    on = local_date(until) if until else local_date(plan.updated_at) if getattr(plan, "updated_at", None) else today()
    for who, text in (("child", getattr(plan, "child_voice", "")), ("parents", getattr(plan, "parents_voice", ""))):
        if text.strip() and all(v.text.strip() != text.strip() for v in heard if v.who == who):
            heard.append(Voice(who, text.strip(), on, "plan"))
    # Words carried from one step to the next (asked once, not again) are printed once: where first said.
    first: dict[tuple[str, str], Voice] = {}
    for voice in sorted(heard, key=lambda v: v.on):
        first.setdefault((voice.who, " ".join(voice.text.split())), voice)
    kept = set(map(id, first.values()))
    result: dict[str, list[Voice]] = {"child": [], "parents": []}
    for voice in sorted(heard, key=lambda v: v.on, reverse=True):  # stable: a day's conversations in order
        if id(voice) in kept:
            result.setdefault(voice.who, []).append(voice)
    return result


def next_meeting(case: Case):
    """The next network meeting about the case, if one is planned."""
    return db.session.scalar(select(Meeting).where(Meeting.case_id == case.id, Meeting.starts_at >= now())
                             .order_by(Meeting.starts_at).limit(1))


def letter_html(case: Case, plan, lang: str, young: bool = False, child_page: bool = False,
                texts: Texts | None = None, services: set[str] | None = None, seen: Sight | None = None) -> str:
    """The family letter as print HTML: fixed texts in `lang`, what staff wrote as written (Norwegian). With
    `services` (the young person's reach on "Min familie") only the measures of those services; None: all.
    To the young person (`young`, asked for) as to_young_person decides; `seen`: what the person printing sees
    of what the plan states from the steps (on_plan), None: all of it (the family's own print)."""
    guide = guide_of(case)
    young = to_young_person(case, young)
    t = texts or Texts(lang)
    child, holder = case.child, case.coordinator
    municipality = current_municipality().name
    measures = [m for m in plan.measures if within_reach(m.service_key, services)] if plan else []
    upcoming = sorted(m.evaluate_on for m in measures if m.evaluate_on >= today())
    services = list(dict.fromkeys(m.service_key for m in measures))
    values = {"child": child.first_name, "holder": holder.name, "municipality": municipality}

    def own(key: str, default: str, **params: object) -> str:
        """The guidebook's wording of `key` in this language, else TIK's catalogue text."""
        worded = guide.letter.text(key, lang)
        return fill(worded, values) if worded else t(default, **params)

    with_child = child_page and child.age_on(today()) >= CHILD_PAGE_AGE
    with force_locale(SOURCE_LANGUAGE):  # the letter's texts come from t(), never from the interface
        return render_template(
            "pdf/letter.html", t=t, L=lang, rtl=is_rtl(lang), case=case, child=child, plan=plan, guide=guide,
            holder=holder, municipality=municipality, measures=measures, young=young,
            names=addressees(case, lang, young), next_evaluation=upcoming[0] if upcoming else None,
            meeting=next_meeting(case), today=today(), voices=printed_voices(case, plan),
            signer_services=services, young_signs=of_consent_age(case, guide),
            guardians_sign=not adult_consents_alone(case, today()),
            statements=on_plan(case, seen or Sight(None, True), lang, until=getattr(plan, "frozen_at", None)),
            emergency=guide.letter.needs_emergency_numbers(case.level, services),
            translated=lang not in guide.staff_languages, own=own, child_page=with_child,
            contact_services=[guide.services[k] for k in services if k in guide.services
                              and (guide.services[k].contact.get("phone") or guide.services[k].contact.get("email"))],
        )


def consent_html(case: Case, consent: Consent | None, lang: str, texts: Texts | None = None) -> str:
    """The consent form to sign, in `lang`: filled from `consent`, or blank with every service to tick."""
    guide = guide_of(case)
    t = texts or Texts(lang)
    with force_locale(SOURCE_LANGUAGE):
        return render_template(
            "pdf/consent.html", t=t, L=lang, rtl=is_rtl(lang), case=case, child=case.child, guide=guide,
            consent=consent, holder=case.coordinator, municipality=current_municipality().name,
            today=today(), translated=lang not in guide.staff_languages,
            young_signs=consents_themself(case, consent.given_on if consent else today()),  # by age or maturity
            adult_alone=guide.consents_alone(case.child.birth_date, consent.given_on if consent else today()),
            services=[guide.services[k] for k in (consent.services if consent else guide.services)
                      if k in guide.services],
        )


@dataclass(frozen=True)
class PrintOptions:
    """What the plan page offers to print: a letter per language, the consent form, the child's page."""

    letters: list[LetterChoice]
    languages: list[tuple[str, str]]
    child_page: bool
    consent: Consent | None


def print_options(case: Case) -> PrintOptions:
    """The print choices for `case` as the plan page lists them."""
    active = [c for c in case.consents if c.is_active(today())]
    return PrintOptions(letters=letter_choices(case),
                        languages=[(lang, language_name(lang)) for lang in letter_languages()],
                        child_page=case.child.age_on(today()) >= CHILD_PAGE_AGE,
                        consent=active[-1] if active else None)
