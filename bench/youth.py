"""The youth door under load (issue 27): the operators' queue and the public door at 100 and at 100 000 stored
conversations (p95 ratio, target ≤ 1.5), and posting a message against registering a concern (p50 ratio,
target ≤ 2). Part of `make bench` (bench/run.py calls `measure_youth` on the big municipality).

Alone (a throw-away copy of a small seeded municipality; SQLite, or TIK_BENCH_DATABASES=sqlite,postgresql):

    TIK_BENCH_YOUTH=2000 TIK_BENCH_CHILDREN=300 .venv/bin/python -m bench.youth      # a quick look
    nice .venv/bin/python -m bench.youth                                              # 100 000 conversations

Fair to both sizes: the first QUEUE_FULL conversations all wait, so the queue page lists as many rows at 100
as at 100 000 (it shows at most QUEUE_SIZE); and the small size is measured again after the big one (its
conversations deleted down to the small set), both runs merged, so a machine that got busier or quieter in
between does not pass for growth (the door page, which reads no conversation, is the control).
"""

from __future__ import annotations

import os
import random
import secrets
import sys
from datetime import datetime, timedelta

from sqlalchemy import create_engine, func, insert, select, text, update

from bench.load import Browser, drive, merge

SIZES = (100, int(os.environ.get("TIK_BENCH_YOUTH") or 100_000))
CHUNK = 5_000
QUEUE_FULL = 60  # more than the queue shows (tik.youth.service.QUEUE_SIZE = 50): the page is full at every size


def prepare_youth(url: str) -> dict:
    """Make two users of the first youth-service unit its youth operator and its professional on duty."""
    from tik.auth.models import User
    from tik.org.models import Unit

    engine = create_engine(url)
    with engine.begin() as conn:
        unit_id = conn.scalar(select(func.min(Unit.id)).where(Unit.service_key == "youth-service"))
        people = conn.scalars(select(User.id).where(  # the youth service's own staff first, others if it has too few
            User.active, User.roles_text.not_like("%leader%"), User.roles_text.not_like("%admin%"),
        ).order_by((User.service_key != "youth-service"), User.id).limit(2)).all()
        names = []
        for user_id, role in zip(people, ("youth_operator", "youth_professional"), strict=True):
            conn.execute(update(User).where(User.id == user_id).values(roles_text=role, unit_id=unit_id,
                                                                       service_key="youth-service"))
            names.append(conn.scalar(select(User.username).where(User.id == user_id)))
    engine.dispose()
    return {"unit_id": unit_id, "operator": names[0], "professional": names[1]}


def seed_conversations(url: str, unit_id: int, upto: int) -> None:
    """Store conversations (one message and one statistics row each) until the table holds `upto`. Most are
    answered and closed, as in a service that has run for years; one in ten waits (and the first QUEUE_FULL),
    one in a hundred flagged."""
    from tik.youth.models import YouthConversation, YouthMessage, YouthStat

    engine = create_engine(url)
    rng = random.Random(27)  # noqa: S311 - synthetic data
    with engine.begin() as conn:
        have = conn.scalar(select(func.count()).select_from(YouthConversation)) or 0
        next_id = (conn.scalar(select(func.max(YouthConversation.id))) or 0) + 1
        # The unit's municipality: conversations and their statistics are held to one (tik/municipalities).
        municipality = conn.scalar(text("SELECT municipality_id FROM unit WHERE id = :u"), {"u": unit_id})
        start = datetime(2026, 1, 1, 8, 0)
        while have < upto:
            n = min(CHUNK, upto - have)
            ids = range(next_id, next_id + n)
            rows, messages, stats = [], [], []
            for i in ids:
                at = start + timedelta(minutes=i % 400_000)
                waiting = rng.random() < 0.1 or i <= QUEUE_FULL
                rows.append({"id": i, "municipality_id": municipality, "code_hash": secrets.token_hex(32),
                             "unit_id": unit_id, "created_at": at,
                             "last_message_at": at, "age_band": "16-18", "area": "", "answer_by": "here",
                             "topic": "", "not_safe": False, "risk": False, "flagged": rng.random() < 0.01,
                             "first_answer_at": None if waiting else at + timedelta(hours=5),
                             "outcome": "open" if waiting else "answered", "outcome_detail": "", "case_id": None,
                             "rating_words": "", "closed_at": None if waiting else at + timedelta(hours=6)})
                messages.append({"conversation_id": i, "author": "young", "author_id": None, "body": "Melding.",
                                 "template_key": "", "created_at": at, "held": False, "approved_by_id": None})
                stats.append({"conversation_id": i, "municipality_id": municipality, "month": at.strftime("%Y-%m"),
                              "age_band": "16-18", "topic": "",
                              "answer_minutes": None if waiting else 300, "within_promise": None if waiting else True,
                              "outcome": "open" if waiting else "answered", "rating": None})
            conn.execute(insert(YouthConversation), rows)
            conn.execute(insert(YouthMessage), messages)
            conn.execute(insert(YouthStat), stats)
            have, next_id = have + n, next_id + n
        if conn.dialect.name == "postgresql":  # explicit ids: move the sequences past them
            for table in ("youth_conversation", "youth_message", "youth_stat"):
                conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                                  f"(SELECT max(id) FROM {table}))"))
        elif conn.dialect.name == "sqlite":
            conn.execute(text("ANALYZE"))
    engine.dispose()


def shrink_conversations(url: str, keep_upto: int) -> None:
    """Delete every conversation with an id above `keep_upto` (and its messages and statistics rows), and let
    the planner see the smaller tables again: the small size once more, after the big one."""
    from tik.youth.models import YouthConversation, YouthMessage, YouthStat

    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(YouthStat.__table__.delete().where(YouthStat.conversation_id > keep_upto))
        conn.execute(YouthMessage.__table__.delete().where(YouthMessage.conversation_id > keep_upto))
        conn.execute(YouthConversation.__table__.delete().where(YouthConversation.id > keep_upto))
    engine.dispose()
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            for table in ("youth_conversation", "youth_message", "youth_stat"):
                conn.execute(text(f"VACUUM ANALYZE {table}"))
        else:
            conn.execute(text("ANALYZE"))
    engine.dispose()


def _max_conversation_id(url: str) -> int:
    from tik.youth.models import YouthConversation

    engine = create_engine(url)
    with engine.connect() as conn:
        found = conn.scalar(select(func.max(YouthConversation.id))) or 0
    engine.dispose()
    return found


def _anonymous(port: int, count: int) -> list[Browser]:
    """Young people's browsers, each with the door's CSRF token."""
    browsers = []
    for _ in range(count):
        browser = Browser(port)
        browser.pick_csrf(browser.get("/ung/")[1])
        browsers.append(browser)
    return browsers


def _write(browser: Browser, i: int) -> int:
    status, _ = browser.post("/ung/", {"body": f"Jeg har det tungt for tiden ({i}).", "answer_by": "here",
                                       "age_band": "16-18"})
    return status


def measure_youth(port: int, url: str, *, workers: int, writers: int, requests: int, seconds: float,
                  rounds: int = 5) -> dict:
    """The queue (as the youth operator), the door page and reading with a code, at each of SIZES stored
    conversations; and posting a message, WRITERS young people at once, at the largest."""
    from bench.run import logged_in

    people = prepare_youth(url)
    out: dict = {"sizes": list(SIZES)}
    small, big = SIZES
    runs_of: dict[str, list[dict]] = {}
    keep = 0
    for size in (small, big, small):  # the small size before and after the big one (see the module's docstring)
        if size == small and keep:
            shrink_conversations(url, keep)
        else:
            seed_conversations(url, people["unit_id"], size)
        young = _anonymous(port, workers)
        status, page = young[0].post("/ung/", {"body": "Koden min til benken.", "answer_by": "here"})
        code = page.decode().split('id="return-code">', 1)[1].split("<", 1)[0]
        operators = logged_in(port, [people["operator"]] * workers)
        runs = {
            "queue": (operators, lambda b, i: b.get("/ung/innboks")[0]),
            "door": (young, lambda b, i: b.get("/ung/")[0]),
            "read": (young, lambda b, i, code=code: b.post("/ung/les", {"code": code})[0]),
        }
        parts: dict[str, list] = {name: [] for name in runs}
        for round_number in range(rounds):
            for name, (browsers, one) in runs.items():
                parts[name].append(drive(browsers, one, requests=requests // rounds, seconds=seconds / rounds,
                                         offset=round_number * requests))
        runs_of.setdefault(str(size), []).append(parts)
        out.setdefault("runs", []).append({"size": size, **{name: merge(results).as_dict()
                                                             for name, results in parts.items()}})
        keep = keep or _max_conversation_id(url)
    for size, runs in runs_of.items():  # the small size: both runs as one measurement
        out[size] = {name: merge([r for parts in runs for r in parts[name]]).as_dict() for name in runs[0]}
    out["write"] = drive(_anonymous(port, writers), _write, requests=requests, seconds=seconds, warmup=1).as_dict()
    return out


def youth_ratios(result: dict, each) -> list[dict]:
    """The table's rows for the youth door (`each` applies a function to every database's result)."""
    small, big = (str(s) for s in SIZES)
    rows = []
    for name, label in (("queue", "youth queue"), ("door", "youth door page"), ("read", "youth door, read")):
        rows.append({"what": f"{label}: p95 at {big} ÷ at {small} conversations", "target": 1.5,
                     "values": each(lambda r, n=name: r["youth"][big][n]["p95_ms"] / r["youth"][small][n]["p95_ms"])})
    def write_ratio(r: dict) -> float:
        return r["youth"]["write"]["p50_ms"] / r[r["youth"]["children"]]["write"]["p50_ms"]

    rows.append({"what": "post a youth message: p50 ÷ register a concern p50", "target": 2.0,
                 "values": each(write_ratio)})
    return rows


def main() -> int:
    """The youth part alone, on a throw-away copy of a small seeded municipality, per database kind."""
    import json

    from bench import run

    run.DATA.mkdir(parents=True, exist_ok=True)
    children = int(os.environ.get("TIK_BENCH_CHILDREN") or 300)
    for kind in (os.environ.get("TIK_BENCH_DATABASES") or "sqlite").split(","):
        with run.working_database(kind, children) as url:
            data = run.portfolio(url)
            with run.gunicorn(url) as port:
                result = {str(children): {"write": run.measure_writes(port, data)}, "databases": [kind]}
                result["youth"] = measure_youth(port, url, workers=run.WORKERS, writers=run.WRITERS,
                                                requests=run.REQUESTS, seconds=run.SECONDS)
                result["youth"]["children"] = str(children)
        print(f"== {kind}, load average {os.getloadavg()[0]:.1f}")
        for row in youth_ratios(result, lambda fn, result=result: {"x": run._safe(fn, result)}):
            print(f"{row['what']:<60} {row['values']['x']!s:>8}  (target ≤ {row['target']})")
        for run_ in result["youth"]["runs"]:
            print(run_["size"], {k: (v["p50_ms"], v["p95_ms"], v["errors"]) for k, v in run_.items() if k != "size"})
        print("write", result["youth"]["write"], "concern", result[str(children)]["write"])
        (run.DATA / f"youth-{kind}.json").write_text(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
