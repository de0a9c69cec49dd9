"""A closed case offers no edit forms: what it offers is reading, printing and the life decisions (reopen,
archive print, restriction), so nobody types text that a save would refuse (409) and lose."""

from __future__ import annotations

import re

from lifecycle_support import close, rich_case
from sqlalchemy import select

from tik.extensions import db
from tik.meetings.models import Meeting

# What a closed case may still offer: reopening, the archive print, restriction and legal hold, and printing.
ALLOWED = re.compile(r"/(innsyn|gjenapne|arkivutskrift|arkiv|begrens|rettslig|utskrift)|\.pdf")


def _post_forms(html: str) -> list[str]:
    return re.findall(r'<form[^>]*method="post"[^>]*action="([^"]*)"', html) + \
        re.findall(r'<form[^>]*action="([^"]*)"[^>]*method="post"', html)


def test_a_closed_case_offers_no_edit_forms(client, login, make_case, make_user, give_consent):
    case, holder, *_ = rich_case(make_case, make_user, give_consent)
    close(case, holder)
    login(holder)
    [meeting] = db.session.scalars(select(Meeting).where(Meeting.case_id == case.id)).all()
    for url in (f"/saker/{case.ref}", f"/saker/{case.ref}/plan"):
        page = client.get(url).get_data(as_text=True)
        offered = [a for a in _post_forms(page) if case.ref in a and not ALLOWED.search(a)]
        assert offered == [], (url, offered)
    page = client.get(f"/moter/{meeting.id}").get_data(as_text=True)
    assert [a for a in _post_forms(page) if "/moter/" in a] == [] and "<textarea" not in page
