"""A small load driver: threads, http.client over loopback, a bounded number of requests and seconds.

Each thread is one browser: its own connection and its own session cookie. Latency is measured per
request on the client (connect + request + full response body), throughput over the wall time.
"""

from __future__ import annotations

import http.client
import os
import re
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from urllib.parse import urlencode

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
AGENT = "tik-bench/1"
# The host name the requests carry: production serving several municipalities answers only a host it knows
# (municipalities.yaml), and the scale data is the first municipality's.
HOST = os.environ.get("TIK_BENCH_HOST") or "fjordvik.localhost"


class Browser:
    """One user agent: a connection to the app, the session cookie, the last CSRF token seen."""

    def __init__(self, port: int) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        self.host = f"{HOST}:{port}"
        self.cookies: dict[str, str] = {}
        self.csrf = ""

    def request(self, method: str, path: str, form: dict | None = None) -> tuple[int, bytes]:
        headers = {"User-Agent": AGENT, "Host": self.host}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode({"csrf_token": self.csrf, **form}, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
        except (ConnectionError, http.client.HTTPException):
            self.conn.close()  # gunicorn's sync workers close after each response: connect again
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
        data = response.read()
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        if response.getheader("Connection", "").lower() == "close":
            self.conn.close()
        return response.status, data

    def get(self, path: str) -> tuple[int, bytes]:
        return self.request("GET", path)

    def post(self, path: str, form: dict) -> tuple[int, bytes]:
        return self.request("POST", path, form)

    def pick_csrf(self, page: bytes) -> None:
        found = CSRF.search(page.decode(errors="replace"))
        if found:
            self.csrf = found.group(1)

    def login(self, username: str, password: str) -> None:
        """Log in through the real form (CSRF on), as a browser does."""
        status, page = self.get("/login")
        self.pick_csrf(page)
        status, _ = self.post("/login", {"username": username, "password": password})
        if status != 302:
            raise RuntimeError(f"login as {username} answered {status}")
        status, page = self.get("/saker")  # a page with a form: the token for later POSTs
        self.pick_csrf(page)


@dataclass
class Result:
    """Latency percentiles in milliseconds, throughput in requests per second, and failures."""

    requests: int
    seconds: float
    p50_ms: float
    p95_ms: float
    rps: float
    errors: int
    concurrency: int
    latencies: list[float] = field(default_factory=list, repr=False)

    def as_dict(self) -> dict:
        return {k: v for k, v in asdict(self).items() if k != "latencies"}


def summarise(latencies: list[float], seconds: float, errors: int, concurrency: int) -> Result:
    return Result(requests=len(latencies), seconds=round(seconds, 2), p50_ms=round(percentile(latencies, 0.5), 2),
                  p95_ms=round(percentile(latencies, 0.95), 2),
                  rps=round(len(latencies) / seconds, 1) if seconds else 0.0, errors=errors,
                  concurrency=concurrency, latencies=latencies)


def merge(parts: list[Result]) -> Result:
    """One result from measurements taken in several rounds."""
    latencies = [x for p in parts for x in p.latencies]
    return summarise(latencies, sum(p.seconds for p in parts), sum(p.errors for p in parts),
                     max(p.concurrency for p in parts))


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def drive(browsers: list[Browser], one: Callable[[Browser, int], int], *, requests: int, seconds: float,
          warmup: int = 3, ok: tuple[int, ...] = (200,), offset: int = 0) -> Result:
    """Run `one(browser, i)` (returning the status) from one thread per browser until `requests` are
    done or `seconds` have passed; the first `warmup` requests per browser are not counted."""
    for browser in browsers:
        for i in range(warmup):
            one(browser, offset + i)
    lock = threading.Lock()
    counter = iter(range(offset, offset + requests))
    latencies: list[float] = []
    errors: list[int] = []
    deadline = time.perf_counter() + seconds

    def work(browser: Browser) -> None:
        while time.perf_counter() < deadline:
            with lock:
                i = next(counter, None)
            if i is None:
                return
            started = time.perf_counter()
            try:
                status = one(browser, i)
            except Exception:  # noqa: BLE001 - a failed request is counted, the run goes on
                status = 0
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed * 1000)
                if status not in ok:
                    errors.append(status)

    started = time.perf_counter()
    threads = [threading.Thread(target=work, args=(b,)) for b in browsers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return summarise(latencies, time.perf_counter() - started, len(errors), len(browsers))
