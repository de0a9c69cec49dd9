"""`make bench` / `python -m bench.run`: TIK under gunicorn (2 workers) on scale data, SQLite then
PostgreSQL, driven over loopback; one table of ratios measured in this run, also in bench/results.json.

Settings (environment): TIK_BENCH_CHILDREN (the big municipality, default 100000), TIK_BENCH_SMALL
(default 1000), TIK_BENCH_PG (a PostgreSQL server URL; a bench database is created and dropped),
TIK_BENCH_SECONDS and TIK_BENCH_REQUESTS (the bound of each measurement), TIK_BENCH_REDIS (the Redis that
production requires, default the local one), TIK_BENCH_DATABASES
("sqlite,postgresql"). Seeded databases are cached in bench/.data/ (keyed by the migrations, the
guidebook and devkit/scale.py), so only the first run pays for seeding.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import platform
import secrets
import shutil
import socket
import sqlite3
import statistics
import subprocess  # nosec B404
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import bindparam, create_engine, text
from sqlalchemy import func as sql

from bench.load import Browser, drive, merge
from bench.youth import SIZES as YOUTH_SIZES
from bench.youth import measure_youth, youth_ratios
from tik.config import kept_secret

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / ".data"
RESULTS = ROOT / "bench" / "results.json"
BIN = Path(sys.executable).parent
BIG = int(os.environ.get("TIK_BENCH_CHILDREN") or 100_000)
SMALL = int(os.environ.get("TIK_BENCH_SMALL") or 1_000)
PG_SERVER = os.environ.get("TIK_BENCH_PG") or "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
SECONDS = float(os.environ.get("TIK_BENCH_SECONDS") or 10)
REQUESTS = int(os.environ.get("TIK_BENCH_REQUESTS") or 1000)
ROUNDS = 5
DATABASES = (os.environ.get("TIK_BENCH_DATABASES") or "sqlite,postgresql").split(",")
WORKERS = 2
WRITERS = 8
READERS = 8
PAGES = ("case", "list", "search", "my_work", "stats")
LABELS = {"case": "case page", "list": "case list", "search": "search", "my_work": "my work",
          "stats": "statistics page"}
STATS_TARGET_MS = 1000  # issue 19: the statistics page over 100 000 children within 1 s p95


def say(message: str) -> None:
    print(message, flush=True)


# -- keys and environment --------------------------------------------------------------------------------


def environment(url: str, production: bool = False) -> dict[str, str]:
    """What tik and gunicorn see: the bench's own keys and instance folder, never the developer's."""
    env = dict(os.environ)
    env.update(DATABASE_URL=url, TIK_INSTANCE_PATH=str(DATA / "instance"),
               TIK_ENV="production" if production else "development",
               TIK_SECRET_KEY=kept_secret(DATA, "secret_key", lambda: secrets.token_urlsafe(48)),
               TIK_DATA_KEY=kept_secret(DATA, "data_key", lambda: base64.b64encode(secrets.token_bytes(32)).decode()),
               TIK_AUDIT_KEY=kept_secret(DATA, "audit_key", lambda: base64.b64encode(secrets.token_bytes(32)).decode()),
               TIK_AUDIT_ANCHOR=str(anchor_file(url)))
    env.pop("TIK_REDIS_URL", None)
    if production:  # production requires shared rate-limit storage (the bench app switches the limits off)
        env["TIK_REDIS_URL"] = os.environ.get("TIK_BENCH_REDIS") or "redis://127.0.0.1:6379/0"
    env.pop("TIK_AUDIT_SEAL", None)
    return env


def anchor_file(url: str) -> Path:
    """The audit chain's anchor of the database at `url`: one per database, removed with it."""
    return DATA / f"anchor-{hashlib.sha256(url.encode()).hexdigest()[:12]}"


def tik(url: str, *args: str) -> None:
    subprocess.run([str(BIN / "tik"), *args], env=environment(url), check=True, cwd=ROOT)  # nosec B603


# -- seeded databases, cached --------------------------------------------------------------------------------


def fingerprint() -> str:
    """Changes when the schema, the guidebook or the seeder change: then the cache is seeded again."""
    digest = hashlib.sha256()
    files = sorted((ROOT / "migrations" / "versions").glob("*.py")) + [ROOT / "devkit" / "scale.py"]
    files += sorted(p for p in (ROOT / "guidebook").rglob("*") if p.is_file())
    for path in files:
        digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()[:12]


def _drop_stale(pattern: str, keep: Path) -> None:
    for old in DATA.glob(pattern):
        if old != keep:
            old.unlink()


def seeded_sqlite(children: int) -> Path:
    """A SQLite file with `children` children of scale data (seeded once, then taken from the cache)."""
    from tik.backup import backup

    cached = DATA / f"scale-{children}-{fingerprint()}.sqlite"
    if not cached.exists():
        say(f"Seeding SQLite with {children} children (cached afterwards in {cached.relative_to(ROOT)}) …")
        scratch = DATA / f"seeding-{children}.sqlite"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{scratch}{suffix}").unlink(missing_ok=True)
        url = f"sqlite:///{scratch}"
        tik(url, "init-db")
        tik(url, "seed-scale", "--children", str(children))
        backup(url, cached)  # one self-contained file
        anchor_file(url).unlink(missing_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{scratch}{suffix}").unlink(missing_ok=True)
    _drop_stale(f"scale-{children}-*.sqlite", cached)
    return cached


def seeded_pg_dump(children: int) -> Path:
    """A pg_dump archive of a PostgreSQL database seeded with `children` children (cached)."""
    from tik.backup import backup, scratch_database

    cached = DATA / f"scale-{children}-{fingerprint()}.pgdump"
    if not cached.exists():
        say(f"Seeding PostgreSQL with {children} children (cached afterwards in {cached.relative_to(ROOT)}) …")
        with scratch_database(PG_SERVER, prefix="tik_bench_seed") as url:
            tik(url, "init-db")
            tik(url, "seed-scale", "--children", str(children))
            backup(url, cached)
            anchor_file(url).unlink(missing_ok=True)
    _drop_stale(f"scale-{children}-*.pgdump", cached)
    return cached


@contextmanager
def working_database(kind: str, children: int) -> Iterator[str]:
    """A throw-away copy of the seeded database (the bench writes to it), removed afterwards."""
    from tik.backup import restore, scratch_database

    if kind == "sqlite":
        source = seeded_sqlite(children)
        work = DATA / f"work-{children}.sqlite"
        with scratch_database(f"sqlite:///{work}") as url, fresh_anchor(url):
            shutil.copyfile(source, work)
            yield url
        return
    dump = seeded_pg_dump(children)
    with scratch_database(PG_SERVER, prefix="tik_bench") as url, fresh_anchor(url):
        started = time.perf_counter()
        restore(url, dump)
        engine = create_engine(url, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text("ANALYZE"))  # pg_restore does not bring the planner's statistics along
        engine.dispose()
        say(f"  restored {dump.name} in {time.perf_counter() - started:.0f} s")
        yield url


@contextmanager
def fresh_anchor(url: str) -> Iterator[None]:
    """A working copy starts with no anchored head (the seeded chain is whole) and leaves none behind."""
    anchor_file(url).unlink(missing_ok=True)
    try:
        yield
    finally:
        anchor_file(url).unlink(missing_ok=True)


# -- serving ---------------------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def gunicorn(url: str, extra: dict[str, str] | None = None) -> Iterator[int]:
    """The bench app under gunicorn with the production config and 2 workers; yields the port."""
    port = _free_port()
    env = environment(url, production=True)
    env.update(TIK_ACCESS_LOG=str(DATA / "access.log"), TIK_WORKERS=str(WORKERS), TIK_THREADS="1", **(extra or {}))
    log = (DATA / "gunicorn.log").open("a")
    process = subprocess.Popen(  # nosec B603
        [str(BIN / "gunicorn"), "-c", str(ROOT / "gunicorn.conf.py"), "--bind", f"127.0.0.1:{port}",
         "bench.app:create_bench_app()"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if Browser(port).get("/healthz")[0] == 200:
                    break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn did not start; see {DATA / 'gunicorn.log'}")
            time.sleep(0.2)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


# -- what is measured ----------------------------------------------------------------------------------------


def prepare_stats(url: str) -> dict:
    """What a night does before the statistics page is read: `tik stats refresh`; the bench user is also
    made an analyst (the whole municipality: the largest statistics page there is)."""
    from devkit.scale import BENCH_USER

    started = time.perf_counter()
    tik(url, "stats", "refresh")
    seconds = round(time.perf_counter() - started, 1)
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text('UPDATE "user" SET roles = roles || \',analyst\' WHERE username = :u'), {"u": BENCH_USER})
    engine.dispose()
    return {"refresh_seconds": seconds}


def portfolio(url: str) -> dict:
    """The bench user's open cases (references and children) and colleagues to write concerns as."""
    from devkit.scale import BENCH_USER

    engine = create_engine(url)
    with engine.connect() as conn:
        cases = conn.execute(text(
            'SELECT c.ref, ch.first_name, ch.last_name, c.level FROM "case" c '
            "JOIN child ch ON ch.id = c.child_id JOIN \"user\" u ON u.id = c.coordinator_id "
            "WHERE u.username = :u AND c.status = 'OPEN' ORDER BY c.level DESC, c.ref"), {"u": BENCH_USER}).all()
        # Teachers without a leader's or an admin's role: those must enrol a second factor before any POST.
        colleagues = conn.execute(text(
            "SELECT username FROM \"user\" WHERE service_key = 'school' AND active AND username <> :u "
            "AND roles NOT LIKE '%leader%' AND roles NOT LIKE '%admin%' ORDER BY id LIMIT :n"),
            {"u": BENCH_USER, "n": WRITERS}).scalars().all()
    # WRITERS clients at every size (a small municipality has fewer teachers: some write in two sessions),
    # so that the two sizes are compared at the same concurrency.
    colleagues = [colleagues[i % len(colleagues)] for i in range(WRITERS)]
    engine.dispose()
    return {"refs": [c.ref for c in cases], "levels": [c.level for c in cases],
            "queries": [q for c in cases for q in (f"{c.first_name} {c.last_name}".lower(), c.ref)],
            "colleagues": colleagues}


def logged_in(port: int, usernames: list[str]) -> list[Browser]:
    from devkit.scale import PASSWORD

    browsers = []
    for name in usernames:
        browser = Browser(port)
        browser.login(name, PASSWORD)
        browsers.append(browser)
    return browsers


def measure_pages(port: int, data: dict) -> dict:
    """Hello (anonymous, no database) and the four pages as the bench user, WORKERS at a time.

    Measured in ROUNDS interleaved rounds, so that whatever else the machine does at a moment weighs
    on hello and the pages alike.
    """
    from devkit.scale import BENCH_USER

    anonymous = [Browser(port) for _ in range(WORKERS)]
    users = logged_in(port, [BENCH_USER] * WORKERS)
    refs, queries = data["refs"], data["queries"]
    runs = {
        "hello": (anonymous, lambda b, i: b.get("/bench/hello")[0]),
        "floor": (users, lambda b, i: b.get(f"/bench/floor/{refs[i % len(refs)]}")[0]),
        "case": (users, lambda b, i: b.get(f"/saker/{refs[i % len(refs)]}")[0]),
        "list": (users, lambda b, i: b.get("/saker")[0]),
        "search": (users, lambda b, i: b.post("/saker", {"q": queries[i % len(queries)]})[0]),
        "my_work": (users, lambda b, i: b.get("/min-side")[0]),
        "stats": (users, lambda b, i: b.get("/statistikk/")[0]),
    }
    parts: dict[str, list] = {name: [] for name in runs}
    for round_number in range(ROUNDS):
        for name, (browsers, one) in runs.items():
            parts[name].append(drive(browsers, one, requests=REQUESTS // ROUNDS, seconds=SECONDS / ROUNDS,
                                     offset=round_number * REQUESTS))
    return {name: merge(results).as_dict() for name, results in parts.items()}


LONG_TIMELINE, SHORT_TIMELINE = 500, 10


class Timelines:
    """One of the bench user's cases with 10 timeline events or with 500, switched between rounds.

    The case gets exactly SHORT_TIMELINE events (copies of its newest step decision, fields and all, added
    when it has fewer), and LONG_TIMELINE − SHORT_TIMELINE older copies. Those are parked on a case of
    another user while the short case is measured and moved back for the long one (one UPDATE, untimed),
    so both measurements read the very same case in interleaved rounds. The copies are decisions, not
    conversations: the page shows every recorded word of the child (all conversations), by design.
    """

    def __init__(self, url: str, data: dict) -> None:
        from sqlalchemy import insert, select

        from devkit.scale import BENCH_USER
        from tik.cases.models import Case, CaseEvent, EventKind

        self.engine = create_engine(url)
        events = CaseEvent.__table__
        with self.engine.begin() as conn:
            counts = dict(conn.execute(
                select(Case.ref, sql.count()).join(CaseEvent, CaseEvent.case_id == Case.id)
                .where(Case.ref.in_(data["refs"])).group_by(Case.ref)).all())
            self.ref = min(data["refs"], key=lambda r: (counts.get(r, 0) > SHORT_TIMELINE, -counts.get(r, 0), r))
            case_id = conn.execute(select(Case.id).where(Case.ref == self.ref)).scalar_one()
            self.parking = conn.execute(text(
                'SELECT c.id FROM "case" c JOIN "user" u ON u.id = c.coordinator_id WHERE u.username <> :u '
                "ORDER BY c.id DESC LIMIT 1"), {"u": BENCH_USER}).scalar_one()
            rows = conn.execute(select(events).where(events.c.case_id == case_id)
                                .order_by(events.c.at.desc())).mappings().all()
            if len(rows) > SHORT_TIMELINE:
                raise RuntimeError(f"the bench user's cases all have more than {SHORT_TIMELINE} events")
            model = next((r for r in rows if r["kind"] == EventKind.STEP and r["data"].get("fields")), rows[0])
            oldest = rows[-1]["at"]

            def copy(at) -> dict:
                return {k: v for k, v in model.items() if k != "id"} | {"at": at}

            if len(rows) < SHORT_TIMELINE:
                conn.execute(insert(events), [copy(rows[0]["at"]) for _ in range(SHORT_TIMELINE - len(rows))])
            older = [copy(oldest - timedelta(hours=i + 1)) for i in range(LONG_TIMELINE - SHORT_TIMELINE)]
            self.ids = conn.execute(insert(events).returning(events.c.id), older).scalars().all()
            self.case_id = case_id
        self.long(False)

    def long(self, yes: bool) -> None:
        with self.engine.begin() as conn:
            conn.execute(text("UPDATE case_event SET case_id = :to WHERE id IN :ids")
                         .bindparams(bindparam("ids", expanding=True)),
                         {"to": self.case_id if yes else self.parking, "ids": list(self.ids)})

    def close(self) -> None:
        self.long(True)
        self.engine.dispose()


def measure_timeline(port: int, url: str, data: dict) -> dict:
    """The case page of one case with 10 and with 500 timeline events, in interleaved rounds."""
    from devkit.scale import BENCH_USER

    timelines = Timelines(url, data)
    users = logged_in(port, [BENCH_USER] * WORKERS)
    parts: dict[str, list] = {"short": [], "long": []}
    try:
        for round_number in range(ROUNDS):
            for name in parts:
                timelines.long(name == "long")
                parts[name].append(drive(users, lambda b, i: b.get(f"/saker/{timelines.ref}")[0],
                                         requests=REQUESTS // ROUNDS, seconds=SECONDS / ROUNDS,
                                         offset=round_number * REQUESTS))
    finally:
        timelines.close()
    return {"ref": timelines.ref, **{name: merge(results).as_dict() for name, results in parts.items()}}


def measure_writes(port: int, data: dict) -> dict:
    """WRITERS colleagues register concerns about new children at the same time."""
    writers = logged_in(port, data["colleagues"])

    def register(browser: Browser, i: int) -> int:
        status, _ = browser.post("/bekymring/skjema", {
            "urgency": "none", "idempotency_key": secrets.token_urlsafe(24),
            "first_name": f"Bench{i}{secrets.token_hex(3)}", "last_name": "Lastesen",
            "birth_date": f"2014-0{1 + i % 9}-1{i % 10}", "school": "Fjordvik barneskole", "class_name": "6B",
            "guardians-0-name": "Kari Lastesen", "guardians-0-relation": "mor", "guardians-0-language": "nb",
            "observation": "Sover i timene og har ofte ikke med matpakke.", "since_when": "i høst",
            "how_often": "flere ganger i uka"})
        return status

    result = drive(writers, register, requests=REQUESTS, seconds=SECONDS, warmup=1, ok=(302,))
    return result.as_dict()


def measure_audit_chain(url: str, data: dict) -> dict:
    """READERS clients reading case pages on two servers over the same database, in interleaved rounds:
    one seals the audit chain after every request, the other has sealing off (TIK_AUDIT_SEAL=off: events
    are written in the request as always, never sealed by it). The backlog is sealed between rounds,
    untimed, so that neither server pays for the other's events."""
    from devkit.scale import BENCH_USER

    refs = data["refs"]
    runs = ("sealed", "unsealed")
    parts: dict[str, list] = {name: [] for name in runs}
    with gunicorn(url) as sealed, gunicorn(url, {"TIK_AUDIT_SEAL": "off"}) as unsealed:
        ports = {"sealed": sealed, "unsealed": unsealed}
        readers = {name: logged_in(ports[name], [BENCH_USER] * READERS) for name in runs}
        for round_number in range(ROUNDS):
            for name in runs:
                parts[name].append(drive(readers[name], lambda b, i: b.get(f"/saker/{refs[i % len(refs)]}")[0],
                                         requests=4 * REQUESTS // ROUNDS, seconds=2 * SECONDS / ROUNDS,
                                         offset=round_number * REQUESTS))
                subprocess.run([str(BIN / "tik"), "audit", "seal"], env=environment(url), cwd=ROOT,  # nosec B603
                               capture_output=True, check=True)
    return {name: merge(results).as_dict() for name, results in parts.items()}


def measure_pdf_http(port: int, data: dict) -> dict:
    from devkit.scale import BENCH_USER

    browser = logged_in(port, [BENCH_USER])
    ref = data["refs"][0]
    out = {}
    for kind, query in (("staff", ""), ("family", "?versjon=familie")):
        out[kind] = drive(browser, lambda b, i, q=query: b.get(f"/saker/{ref}/plan.pdf{q}")[0], requests=12,
                          seconds=30, warmup=2).as_dict()
    return out


def measure_pdf_in_process(url: str) -> dict:
    """tik's plan PDF against WeasyPrint rendering the very same HTML, in this one process."""
    from sqlalchemy import select
    from weasyprint import HTML

    from devkit.scale import BENCH_USER
    from tik import create_app
    from tik.auth.models import User
    from tik.cases.models import Case, CaseStatus
    from tik.extensions import db
    from tik.plans.models import Measure, Plan
    from tik.plans.pdf import PDF_OPTIONS, STATIC_ROOT
    from tik.plans.printing import family_language, plan_html, plan_pdf

    os.environ.update({k: v for k, v in environment(url).items() if k.startswith("TIK_")})
    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    out: dict = {}
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == BENCH_USER))
        case = db.session.scalar(
            select(Case).join(Plan, Plan.case_id == Case.id).join(Measure, Measure.plan_id == Plan.id)
            .where(Case.coordinator_id == user.id, Case.status == CaseStatus.OPEN)
            .group_by(Case.id).order_by(db.func.count(Measure.id).desc()).limit(1))
        for kind, family in (("staff", False), ("family", True)):
            lang = family_language(case) if family else "nb"
            html = plan_html(case, family, lang)

            def raw(html=html) -> bytes:
                return HTML(string=html, base_url=STATIC_ROOT.as_uri() + "/").write_pdf(**PDF_OPTIONS)

            def ours(family=family) -> bytes:
                return plan_pdf(case, user, family=family)[1]

            raw(), ours()  # warm: fonts, stylesheets
            times: dict[str, list[float]] = {"raw": [], "tik": []}
            for _ in range(7):
                for name, render in (("raw", raw), ("tik", ours)):
                    started = time.perf_counter()
                    pdf = render()
                    times[name].append(time.perf_counter() - started)
            out[kind] = {"case": case.ref, "pages": _pages(pdf), "bytes": len(pdf),
                         "raw_ms": round(statistics.median(times["raw"]) * 1000, 1),
                         "tik_ms": round(statistics.median(times["tik"]) * 1000, 1)}
        db.session.remove()
        db.engine.dispose()
    return out


def _pages(pdf: bytes) -> int | None:
    try:
        from io import BytesIO

        from pypdf import PdfReader
    except ImportError:
        return None
    return len(PdfReader(BytesIO(pdf)).pages)


def audit_whole(url: str) -> bool:
    done = subprocess.run([str(BIN / "tik"), "audit", "verify"], env=environment(url), cwd=ROOT,  # nosec B603
                          capture_output=True, check=False)
    return done.returncode == 0


def bench_database(kind: str) -> dict:
    """Both sizes on one database kind: pages at each; writes and PDFs on the big one."""
    out: dict = {"load_average": {"before": round(os.getloadavg()[0], 2)}}
    for children in (SMALL, BIG):
        with working_database(kind, children) as url:
            out[f"stats_refresh_{children}"] = prepare_stats(url)
            data = portfolio(url)
            say(f"{kind}, {children} children: pages …")
            with gunicorn(url) as port:
                out[str(children)] = measured = measure_pages(port, data)
                say(f"{kind}, {children} children: {WRITERS} concurrent concern registrations …")
                measured["write"] = measure_writes(port, data)
                if children == BIG:
                    say(f"{kind}, {children} children: the youth door at {' and '.join(map(str, YOUTH_SIZES))} "
                        "conversations …")
                    out["youth"] = measure_youth(port, url, workers=WORKERS, writers=WRITERS, requests=REQUESTS,
                                                 seconds=SECONDS) | {"children": str(children)}
                if children == BIG:
                    say(f"{kind}, {children} children: one case page with {SHORT_TIMELINE} and "
                        f"{LONG_TIMELINE} timeline events …")
                    out["timeline"] = measure_timeline(port, url, data)
                    say(f"{kind}, {children} children: plan PDFs over HTTP …")
                    out["pdf_http"] = measure_pdf_http(port, data)
            if children == BIG:
                say(f"{kind}, {children} children: {READERS} clients reading case pages, chain sealed and not …")
                out["audit_chain"] = measure_audit_chain(url, data)
            measured["write"]["audit_chain_whole"] = audit_whole(url)
            if children == BIG:
                say(f"{kind}, {children} children: plan PDFs in process …")
                out["pdf"] = measure_pdf_in_process(url)
    out["load_average"]["after"] = round(os.getloadavg()[0], 2)
    return out


# -- the table ---------------------------------------------------------------------------------------------


def ratios(result: dict) -> list[dict]:
    """The rows of the table: what is compared with what, per database, and the target where there is one."""
    rows = []
    big, small = str(BIG), str(SMALL)

    def each(fn):
        return {kind: _safe(fn, result[kind]) for kind in result["databases"]}

    for page in PAGES:
        hello = lambda r, p=page: (r[big][p], r[big]["hello"])  # noqa: E731
        rows.append({"what": f"{LABELS[page]}: p50 × hello", "target": 5.0 if page == "case" else None,
                     "values": each(lambda r, h=hello: h(r)[0]["p50_ms"] / h(r)[1]["p50_ms"])})
        if page == "case":  # the floor: what an audited case page cannot avoid (bench/app.py)
            rows.append({"what": "case page: p50 × floor", "target": 1.5,
                         "values": each(lambda r: r[big]["case"]["p50_ms"] / r[big]["floor"]["p50_ms"])})
            rows.append({"what": "floor: p50 × hello", "target": None,
                         "values": each(lambda r: r[big]["floor"]["p50_ms"] / r[big]["hello"]["p50_ms"])})
        rows.append({"what": f"{LABELS[page]}: p95 × hello", "target": None,
                     "values": each(lambda r, h=hello: h(r)[0]["p95_ms"] / h(r)[1]["p95_ms"])})
        rows.append({"what": f"{LABELS[page]}: throughput ÷ hello", "target": None,
                     "values": each(lambda r, h=hello: h(r)[0]["rps"] / h(r)[1]["rps"])})
    rows.append({"what": f"case page, {LONG_TIMELINE} events: p95 ÷ {SHORT_TIMELINE} events", "target": 1.3,
                 "values": each(lambda r: r["timeline"]["long"]["p95_ms"] / r["timeline"]["short"]["p95_ms"])})
    rows.append({"what": f"statistics page at {big}: p95 ms", "target": STATS_TARGET_MS,
                 "values": each(lambda r: r[big]["stats"]["p95_ms"])})
    for page in PAGES:
        rows.append({"what": f"{LABELS[page]}: p95 at {BIG} ÷ at {small}", "target": None if page == "case" else 1.5,
                     "values": each(lambda r, p=page: r[big][p]["p95_ms"] / r[small][p]["p95_ms"])})
    for kind in ("staff", "family"):
        rows.append({"what": f"plan PDF ({kind}) ÷ raw WeasyPrint", "target": 1.3,
                     "values": each(lambda r, k=kind: r["pdf"][k]["tik_ms"] / r["pdf"][k]["raw_ms"])})
        rows.append({"what": f"plan PDF ({kind}) over HTTP p50 ÷ raw", "target": None,
                     "values": each(lambda r, k=kind: r["pdf_http"][k]["p50_ms"] / r["pdf"][k]["raw_ms"])})
    for size in (small, big):
        rows.append({"what": f"register concern ({WRITERS} at once, {size}): p50 × hello", "target": None,
                     "values": each(lambda r, n=size: r[n]["write"]["p50_ms"] / r[n]["hello"]["p50_ms"])})
        rows.append({"what": f"register concern ({WRITERS} at once, {size}): failed share", "target": 0.0,
                     "values": each(lambda r, n=size: r[n]["write"]["errors"] / r[n]["write"]["requests"])})
    rows.append({"what": f"register concern: p50 at {big} ÷ at {small}", "target": 1.5,
                 "values": each(lambda r: r[big]["write"]["p50_ms"] / r[small]["write"]["p50_ms"])})
    rows.append({"what": f"register concern: p95 at {big} ÷ at {small}", "target": None,
                 "values": each(lambda r: r[big]["write"]["p95_ms"] / r[small]["write"]["p95_ms"])})
    rows += youth_ratios(result, each)
    rows.append({"what": f"{READERS} clients reading case pages: throughput sealed ÷ not", "target": 0.8,
                 "at_least": True,
                 "values": each(lambda r: r["audit_chain"]["sealed"]["rps"] / r["audit_chain"]["unsealed"]["rps"])})
    return rows


def _safe(fn, data):
    try:
        return round(fn(data), 3)
    except (KeyError, ZeroDivisionError, TypeError):
        return None


def table(result: dict) -> str:
    kinds = result["databases"]
    head = f"{'':<54}" + "".join(f"{k:>12}" for k in kinds) + f"{'target':>10}"
    lines = [head, "-" * len(head)]
    for row in result["ratios"]:
        cells = ""
        for kind in kinds:
            value = row["values"].get(kind)
            met = value is not None and row["target"] is not None and (
                value >= row["target"] if row.get("at_least") else value <= row["target"])
            mark = "" if row["target"] is None or value is None else (" ✓" if met else " ✗")
            shown = "—" if value is None else f"{value:.3f}" if value < 0.1 else f"{value:.2f}"
            cells += f"{shown}{mark}".rjust(12)
        target = "" if row["target"] is None else f"{'≥' if row.get('at_least') else '≤'} {row['target']:g}"
        lines.append(f"{row['what']:<54}{cells}{target:>10}".rstrip())
    lines.append("")
    for kind in kinds:
        r = result[kind]
        for size in (str(SMALL), str(BIG)):
            m = r.get(size, {})
            pages = ", ".join(f"{p} {m[p]['p50_ms']}/{m[p]['p95_ms']}" for p in ("hello", "floor", *PAGES) if p in m)
            w = m.get("write", {})
            lines.append(f"{kind} {size}: p50/p95 ms: {pages}")
            lines.append(f"{' ' * len(kind)} {size}: register concern {w.get('p50_ms')}/{w.get('p95_ms')} ms, "
                         f"{w.get('rps')} req/s, {w.get('errors')} failed of {w.get('requests')}, "
                         f"audit chain whole: {w.get('audit_chain_whole')}")
        chain = r.get("audit_chain", {})
        lines.append(f"{kind} {BIG}: {READERS} clients reading case pages: sealed "
                     f"{chain.get('sealed', {}).get('rps')} req/s (p50 {chain.get('sealed', {}).get('p50_ms')} ms), "
                     f"not sealed {chain.get('unsealed', {}).get('rps')} req/s "
                     f"(p50 {chain.get('unsealed', {}).get('p50_ms')} ms)")
        pdf, load = r.get("pdf", {}), r.get("load_average", {})
        lines.append(f"{kind}: raw WeasyPrint {pdf.get('staff', {}).get('raw_ms')} ms for "
                     f"{pdf.get('staff', {}).get('pages')} pages; load average {load.get('before', 0):.2f} "
                     f"before, {load.get('after', 0):.2f} after")
    return "\n".join(lines)


def machine() -> dict:
    info = {"cpus": os.cpu_count(), "python": platform.python_version(), "sqlite": sqlite3.sqlite_version,
            "platform": platform.platform()}
    try:
        engine = create_engine(PG_SERVER)
        with engine.connect() as conn:
            info["postgresql"] = conn.execute(text("SHOW server_version")).scalar()
        engine.dispose()
    except Exception as error:  # noqa: BLE001 - reported, and the PostgreSQL part then fails loudly
        info["postgresql"] = f"unreachable: {error.__class__.__name__}"
    return info


def main() -> int:
    DATA.mkdir(parents=True, exist_ok=True)
    for log in ("gunicorn.log", "access.log"):  # this run's logs only
        (DATA / log).unlink(missing_ok=True)
    started = time.perf_counter()
    result: dict = {"when": datetime.now(UTC).isoformat(timespec="seconds"), "machine": machine(),
                    "children": {"small": SMALL, "big": BIG}, "workers": WORKERS,
                    "bound": {"requests": REQUESTS, "seconds": SECONDS}, "databases": [], "failed": {}}
    say(f"TIK bench: {SMALL} and {BIG} children, gunicorn with {WORKERS} workers, "
        f"{result['machine']['cpus']} CPUs, databases: {', '.join(DATABASES)}")
    for kind in DATABASES:
        try:
            result[kind] = bench_database(kind)
            result["databases"].append(kind)
        except Exception as error:  # noqa: BLE001 - the other database is still measured; exit code says it
            result["failed"][kind] = f"{error.__class__.__name__}: {error}"
            say(f"{kind}: FAILED — {result['failed'][kind]}")
    result["ratios"] = ratios(result)
    result["seconds"] = round(time.perf_counter() - started)
    RESULTS.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    say("")
    say(table(result))
    say(f"\n{RESULTS.relative_to(ROOT)} written; the run took {result['seconds']} s.")
    return 1 if result["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
