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
    parser.add_argument("--only-time", action="store_true", help="print the CPU p50s, profile nothing")
    parser.add_argument("--layers", action="store_true",
                        help="the CPU p50 of hello, the floor's parts and the case page's layers, profile nothing")
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
    if args.layers:
        show_layers(client, app.test_client(), ref, path, args.requests)
        return
    if args.only_time:
        return
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


# The layers of the case page, each timed on its own (exclusive CPU: a layer called inside another counts for
# itself, not for its caller): (label, module, function name as that module calls it).
LAYERS = (
    ("case_for: the access-checked lookup", "tik.cases.views", "case_for"),
    ("  the access rule (access_of, here and in the page's abilities)", "tik.auth.policy", "access_of"),
    ("  the audit event of the read (record_view)", "tik.auth.policy", "record_view"),
    ("expired consents settled on read", "tik.cases.views", "consenting"),
    ("the loader (case_page)", "tik.cases.views", "case_page"),
    ("the template (render_template)", "tik.cases.views", "render_template"),
    ("commits (the read's audit event, after the response)", None, "commit"),
)


def show_layers(client, anonymous, ref: str, path: str, requests: int) -> None:
    """CPU p50 of each layer of the case page, beside hello, a logged-in page that reads nothing, and the floor.
    Each layer's time is exclusive; what no layer claims is the request's own machinery (WSGI, the session, the
    user, the municipality, the route's access declaration, the response)."""
    import importlib

    from tik.extensions import db

    stack: list[list] = []
    spent: dict[str, float] = {}

    def timer(label, original):
        def timed(*args, **kwargs):
            frame = [time.process_time(), 0.0]
            stack.append(frame)
            try:
                return original(*args, **kwargs)
            finally:
                stack.pop()
                took = time.process_time() - frame[0]
                spent[label] = spent.get(label, 0.0) + took - frame[1]
                if stack:
                    stack[-1][1] += took
        return timed

    patched = []
    for label, module_name, name in LAYERS:
        if module_name is None:
            original = db.session.commit
            db.session.commit = timer(label, original)
            patched.append((db.session, "commit", None))
        elif name == "consenting":
            module = importlib.import_module("tik.cases.consent")
            patched.append((module, "settled_for", module.settled_for))
            module.settled_for = timer(label, module.settled_for)
        else:
            module = importlib.import_module(module_name)
            patched.append((module, name, getattr(module, name)))
            setattr(module, name, timer(label, getattr(module, name)))

    def per_request(url: str, by=client) -> tuple[float, dict[str, float]]:
        totals, parts = [], {}
        for _ in range(requests):
            spent.clear()
            started = time.process_time()
            assert by.get(url).status_code == 200  # nosec B101
            totals.append((time.process_time() - started) * 1000)
            for label, took in spent.items():
                parts.setdefault(label, []).append(took * 1000)
        return statistics.median(totals), {k: statistics.median(v) for k, v in parts.items()}

    try:
        anonymous.get("/bench/hello")
        for url in ("/bench/session", f"/bench/floor/{ref}", path):
            client.get(url)
        hello, _ = per_request("/bench/hello", anonymous)
        session, _ = per_request("/bench/session")
        floor, floor_parts = per_request(f"/bench/floor/{ref}")
        page, page_parts = per_request(path)
    finally:
        for owner, name, original in patched:
            if original is None:
                del owner.commit
            else:
                setattr(owner, name, original)
    print(f"CPU p50 of {requests} requests each, ms (exclusive per layer):")
    print(f"  hello (no session, no database)            {hello:7.2f}")
    print(f"  a logged-in page that reads nothing        {session:7.2f}  (+{session - hello:.2f}: session, user, "
          "municipality, access declaration)")
    print(f"  floor                                      {floor:7.2f}  (+{floor - session:.2f}: the case's select, "
          f"the audit event, its commit {floor_parts.get(LAYERS[-1][0], 0):.2f})")
    print(f"  case page                                  {page:7.2f}  (× floor {page / floor:.2f}, × hello "
          f"{page / hello:.2f})")
    for label, _module, _name in LAYERS:
        print(f"    {label:<66} {page_parts.get(label, 0.0):7.2f}")
    print(f"    {'the rest: the request machinery as for the logged-in page':<66} "
          f"{page - sum(page_parts.values()):7.2f}")


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
