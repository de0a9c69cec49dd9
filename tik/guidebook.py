"""The guidebook in use: the app's for new cases, each case's pinned snapshot for old ones."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache

from flask import current_app
from sqlalchemy import JSON, DateTime, String
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from tik.cases.models import Case
from tik.clock import now
from tik.extensions import db
from tik.guides.loader import load_files, load_guide, read_folder
from tik.guides.model import Guide
from tik.municipalities import Municipality, current_municipality


class GuideSnapshot(db.Model):
    """The exact guidebook files a case was opened under, so editing the guide never rewrites history.
    The table of guide versions, beside the code that writes and reads it."""

    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    files: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=now)


def current_guide() -> Guide:
    """The guidebook of the current municipality (each loaded once per process; it is immutable)."""
    return guide_of_municipality(current_municipality())


def guide_of_municipality(municipality: Municipality) -> Guide:
    """`municipality`'s guidebook. An install without municipalities.yaml keeps TIK_GUIDEBOOK's in "tik_guide"."""
    if municipality.single:
        guide = current_app.extensions.get("tik_guide")
        if guide is None:
            guide = current_app.extensions["tik_guide"] = load_guide(current_app.config["TIK_GUIDEBOOK"])
        return guide
    guides = current_app.extensions.setdefault("tik_guides", {})
    if municipality.key not in guides:
        guides[municipality.key] = load_guide(municipality.guidebook)
    return guides[municipality.key]


def current_guidebook_folder() -> str:
    """The folder of the current municipality's guidebook."""
    municipality = current_municipality()
    return current_app.config["TIK_GUIDEBOOK"] if municipality.single else municipality.guidebook


def family_language_default() -> str:
    """A new guardian's language when none is chosen: the municipality's (the guidebook's first language a
    letter can be printed in: Swedish in Sweden), else bokmål."""
    from tik.letter_texts import SOURCE_LANGUAGE, letter_languages

    return next((lang for lang in current_guide().languages if lang in letter_languages()), SOURCE_LANGUAGE)


def pin_current_guide() -> str:
    """Store the current guidebook's files under its digest (once) and return the digest."""
    guide = current_guide()
    if db.session.get(GuideSnapshot, guide.digest) is None:
        files = read_folder(current_guidebook_folder())
        try:
            with db.session.begin_nested():
                db.session.add(GuideSnapshot(digest=guide.digest, files={k: v.decode() for k, v in files.items()}))
        except IntegrityError:  # another process pinned the same guide at the same moment
            pass
    return guide.digest


def guide_for(digest: str) -> Guide:
    """The guide a case was opened under: the current one, or its stored snapshot."""
    guide = current_guide()
    return guide if guide.digest == digest else _snapshot(digest)


def guide_of(case: Case) -> Guide:
    """The guide `case` follows."""
    return guide_for(case.guide_digest)


@lru_cache(maxsize=32)
def _snapshot(digest: str) -> Guide:
    snap = db.session.get(GuideSnapshot, digest)
    return load_files({k: v.encode() for k, v in snap.files.items()})
