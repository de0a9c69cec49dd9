"""`python -m bench.profile`: where the time of one page goes, in process, on the demo municipality.

A scratch SQLite database gets the demo (`tik demo`), the demo coordinator logs in through the test client
and the page is fetched: first timed (p50 of the page and of the bench's floor route), then under cProfile,
printing the functions with the most time of their own and the most time below them.

    .venv/bin/python -m bench.profile                     # the demo case with the most events
    .venv/bin/python -m bench.profile --path /min-side --top 40
    .venv/bin/python -m bench.profile --events 500        # that case given 500 more timeline events first
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import statistics
import tempfile
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--path", help="the page to profile (default: the case page of the busiest case)")
    parser.add_argument("--user", default="koordinator")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--events", type=int, default=0, help="add this many timeline events to the case first")
    parser.add_argument("--sort", default="tottime,cumulative")
    parser.add_argument("--cprofile", action="store_true",
                        help="cProfile on CPU time (exact counts) instead of pyinstrument (sampled wall time)")
    parser.add_argument("--sql", action="store_true", help="list the page's SQL statements and their times")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="tik-profile-"))
    os.environ.update(TIK_INSTANCE_PATH=str(folder), DATABASE_URL=f"sqlite:///{folder / 'tik.sqlite'}")
    from sqlalchemy import func, select

    from bench.app import add_bench_routes
    from devkit import demo
    from tik import create_app
    from tik.cases.models import Case, CaseEvent
    from tik.extensions import db

    # Sealing off: the sequencer thread would count in this process's CPU time (it runs after the response).
    app = create_app({"RATELIMIT_ENABLED": False, "WTF_CSRF_ENABLED": False, "TIK_AUDIT_SEAL": False})
    add_bench_routes(app)
    with app.app_context():
        db.create_all()
        demo.load()
        ref = db.session.scalar(select(Case.ref).join(CaseEvent, CaseEvent.case_id == Case.id)
                                .group_by(Case.ref).order_by(func.count().desc()).limit(1))
        if args.events:
            add_events(ref, args.events)
        db.session.remove()
    path = args.path or f"/saker/{ref}"
    client = app.test_client()
    answer = client.post("/login", data={"username": args.user, "password": demo.DEMO_PASSWORD})
    assert answer.status_code == 302, answer.status_code  # nosec B101 - a tool, not the app

    def timed(url: str) -> float:
        """The median CPU time of the page in this process (a busy machine stretches wall time, not this)."""
        times = []
        for _ in range(args.requests):
            started = time.process_time()
            response = client.get(url)
            times.append(time.process_time() - started)
            assert response.status_code == 200, (url, response.status_code)  # nosec B101
        return statistics.median(times) * 1000

    for url in (path, f"/bench/floor/{ref}"):
        client.get(url)  # warm: templates compiled, catalogues loaded
    page, floor = timed(path), timed(f"/bench/floor/{ref}")
    size = len(client.get(path).data)
    print(f"{path}: CPU p50 {page:.2f} ms ({size} bytes); floor {floor:.2f} ms; page ÷ floor {page / floor:.2f}")
    if args.sql:
        show_statements(app, client, path)
    if not args.cprofile:
        from pyinstrument import Profiler

        sampler = Profiler(interval=0.0002)
        with sampler:
            for _ in range(args.requests):
                client.get(path)
        print(sampler.output_text(unicode=True, show_all=False, short_mode=False))
        return
    profiler = cProfile.Profile(time.process_time)
    profiler.enable()
    for _ in range(args.requests):
        client.get(path)
    profiler.disable()
    stats = pstats.Stats(profiler)
    for key in args.sort.split(","):
        print(f"\n-- by {key} --")
        stats.sort_stats(key).print_stats(args.top)


def show_statements(app, client, path: str) -> None:
    from sqlalchemy import event

    from tik.extensions import db

    seen: list[tuple[float, str]] = []

    def before(conn, cursor, statement, params, context, executemany):
        context.started = time.perf_counter()

    def after(conn, cursor, statement, params, context, executemany):
        seen.append(((time.perf_counter() - context.started) * 1000, " ".join(statement.split())))

    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", before)
        event.listen(db.engine, "after_cursor_execute", after)
        client.get(path)
        event.remove(db.engine, "before_cursor_execute", before)
        event.remove(db.engine, "after_cursor_execute", after)
    print(f"{len(seen)} statements, {sum(t for t, _ in seen):.2f} ms in the database driver:")
    for ms, statement in seen:
        print(f"  {ms:6.2f} ms  {statement[:160]}")


def add_events(ref: str, count: int) -> None:
    """`count` more decision events on the case: a case with a long history."""
    from datetime import timedelta

    from sqlalchemy import select

    from tik.cases.models import Case, CaseEvent, EventKind
    from tik.extensions import db

    case = db.session.scalar(select(Case).where(Case.ref == ref))
    last = db.session.scalar(select(CaseEvent).where(CaseEvent.case_id == case.id)
                             .order_by(CaseEvent.at.desc()).limit(1))
    for i in range(count):
        db.session.add(CaseEvent(case_id=case.id, kind=EventKind.STEP, step_id=last.step_id,
                                     decision=last.decision, by_id=last.by_id, at=last.at - timedelta(minutes=i + 1),
                                     data=last.data))
    db.session.commit()


if __name__ == "__main__":
    main()
