"""One lookup shape: a case the user may not see, a reference that does not exist and a malformed reference
answer alike — the same 404 body and the same database work (statement for statement), so neither the body
nor the time it takes tells "not yours" from "not there"."""

from __future__ import annotations

import re

import pytest

from tik.auth.models import Role
from tik.extensions import db

ROUTES = ["/saker/{ref}", "/saker/{ref}/plan", "/saker/{ref}/plan.pdf", "/saker/{ref}/logg"]


def _answer(client, count_queries, url: str) -> tuple[int, list[str], bytes]:
    """Status, the statements run and the body of one request, from a fresh session (as in production)."""
    db.session.remove()
    seen: list[str] = []
    with count_queries() as n:
        response = client.get(url)
        seen = n()
    # the logout form's CSRF token is signed with the time: the one part of a page that differs per request
    return response.status_code, seen, re.sub(rb'name="csrf_token" value="[^"]*"', b"", response.get_data())


@pytest.mark.parametrize("route", ROUTES)
def test_not_yours_and_not_there_do_the_same_work(client, login, make_user, make_case, count_queries, route):
    holder = make_user(roles=(Role.EMPLOYEE, Role.COORDINATOR))
    case = make_case(by=holder)
    stranger = login(make_user(service="health-nurse", roles=(Role.EMPLOYEE, Role.COORDINATOR)))
    assert stranger.id != holder.id
    client.get(route.format(ref="TIK-0000-0000"))  # warm-up: the first request of a process loads the guide

    refs = {"not yours": case.ref, "not there": "TIK-2099-9999", "malformed": "ikke-en-referanse"}
    answers = {why: _answer(client, count_queries, route.format(ref=ref)) for why, ref in refs.items()}

    assert {status for status, _, _ in answers.values()} == {404}
    counts = {why: n for why, (_, n, _) in answers.items()}
    assert len(set(counts.values())) == 1, f"{route}: statements differ: {counts}"
    # the page echoes the address asked for (the language form's `next`): identical apart from that
    bodies = {body.replace(refs[why].encode(), b"REF") for why, (_, _, body) in answers.items()}
    assert len(bodies) == 1, f"{route}: the 404 bodies differ"


def test_the_holder_still_opens_the_case(client, login, make_user, make_case):
    """The access condition in the lookup does not hide a case from who may see it."""
    holder = make_user(roles=(Role.EMPLOYEE, Role.COORDINATOR))
    case = make_case(by=holder)
    login(holder)
    for route in ROUTES:
        assert client.get(route.format(ref=case.ref)).status_code == 200, route
