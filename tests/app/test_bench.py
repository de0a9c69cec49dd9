"""The bench's reference routes do what their ratios assume."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from support import PASSWORD

from tik.audit.models import AuditEvent
from tik.extensions import db


@pytest.mark.own_app  # adds the bench's routes
def test_the_floor_loads_the_user_and_the_case_audits_and_answers_a_page_sized_body(app, make_user, make_case):
    from bench.app import add_bench_routes

    add_bench_routes(app)
    holder = make_user()
    case = make_case(by=holder)
    client = app.test_client()
    assert client.get(f"/bench/floor/{case.ref}").status_code == 302  # the floor needs a session too
    client.post("/login", data={"username": holder.username, "password": PASSWORD})
    before = db.session.scalar(select(func.count()).select_from(AuditEvent))
    response = client.get(f"/bench/floor/{case.ref}")
    assert response.status_code == 200 and len(response.data) > 40_000
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == before + 1
    assert client.get("/bench/floor/TIK-1999-9999").status_code == 404
    assert client.get("/bench/hello").data == b"hello"


def test_the_load_driver_asks_for_the_host_of_the_municipality_the_scale_data_belongs_to():
    """Production serving several municipalities answers 404 to a host it does not know (make bench failed at
    gunicorn's start so); the scale data is the first municipality's, so the driver names its host."""
    from pathlib import Path

    import yaml

    from bench.load import HOST, Browser

    listed = (Path(__file__).resolve().parents[2] / "municipalities.yaml").read_text()
    first = yaml.safe_load(listed)["municipalities"][0]
    assert HOST in first["hosts"]
    assert Browser(8000).host == f"{HOST}:8000"
