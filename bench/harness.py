"""Benchmark context: a PostgreSQL database with the demo province, the app served by gunicorn
(2 workers, Redis cache when it answers on 127.0.0.1:6379) on 127.0.0.1, and Debian's `wrk` as the
load tool (8 connections, bounded in time, loopback only), logged in as demo users.

Each bench/<feature>.py defines run(ctx). ctx offers:
  ctx.app                      in-process app bound to the bench database (seed more data here)
  ctx.db_url                   its SQLAlchemy URL
  ctx.page(name, path, username, fragment=None, goal=False)
      /ping measured by wrk right before the page (interleaved: background load on a shared machine
      moves both), then the page: × /ping, p50/p95 with 8 clients, SQL statements per request with
      an empty cache and with a warm one, bytes of the page (and gzip), and of the htmx fragment at
      `fragment` (requested with HX-Request), plus EXPLAIN of the page's slowest statement and the
      indexes it uses. goal=True rows must meet GOAL, or the run exits non-zero.
  ctx.queries(path, username)  SQL statements one request runs (in-process test client)
  ctx.report(name, value, unit="")  prints one aligned line
Only loopback addresses are used; every load run is bounded in time (wrk -d, --timeout).
"""
from __future__ import annotations

import http.client
import http.cookiejar
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN_URL = os.environ.get("DANVAN_PG_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("DANVAN_BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
PASSWORD = "danvan@2023"
CLIENTS = 8
SECONDS = float(os.environ.get("DANVAN_BENCH_SECONDS", "3"))
PING_SECONDS = 2.0
# The goal of issue 14 for the pages marked goal=True.
GOAL = {"ratio": 0.25, "p95_ms": 100.0, "queries": 15, "fragment_share": 0.10}
WRK_SCRIPT = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('WRK {"requests": %d, "us": %d, "p50": %d, "p95": %d, "bad": %d, "errors": %d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95), e.status,
    e.connect + e.read + e.write + e.timeout))
end
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _redis_answers() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1) as s:
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")
    except OSError:
        return False


@dataclass
class Load:
    rps: float
    p50: float   # ms
    p95: float   # ms


@dataclass
class Row:
    name: str
    ratio: float
    page: Load
    ping: Load
    queries_cold: int
    queries_warm: int
    page_bytes: int
    page_gzip: int
    fragment_bytes: int | None = None
    fragment: Load | None = None
    fragment_queries: tuple[int, int] | None = None   # (empty cache, warm)
    goal: bool = False
    misses: list[str] = field(default_factory=list)


class Context:
    def __init__(self) -> None:
        self.tmp = Path(tempfile.mkdtemp(prefix="danvan-bench-"))
        self.db_name = f"danvan_bench_{os.getpid()}_{secrets.token_hex(3)}"
        admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{self.db_name}" ENCODING \'UTF8\' TEMPLATE template0')
        admin.dispose()
        self.db_url = PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + self.db_name
        self.env = {**os.environ, "DATABASE_URL": self.db_url, "SECRET_KEY": "bench-" + secrets.token_hex(8),
                    "DANVAN_INSTANCE": str(self.tmp), "UPLOAD_DIR": str(self.tmp / "uploads")}
        if _redis_answers():
            self.env["REDIS_URL"] = REDIS_URL
        keys = ("DATABASE_URL", "SECRET_KEY", "DANVAN_INSTANCE", "UPLOAD_DIR")
        os.environ.update({k: self.env[k] for k in keys})
        from danvan import create_app

        # in-process: a private SimpleCache, cleared before each cold count
        self.app = create_app({"SQLALCHEMY_DATABASE_URI": self.db_url, "REDIS_URL": ""})
        self._cookies: dict[str, str] = {}
        self.server: subprocess.Popen | None = None
        self.rows: list[Row] = []
        self.script = self.tmp / "report.lua"
        self.script.write_text(WRK_SCRIPT)

    # setup ---------------------------------------------------------------
    def migrate_and_seed(self) -> None:
        from flask_migrate import upgrade

        from danvan.auth import demo as auth_demo
        from danvan.extensions import db
        from danvan.units import demo as units_demo

        with self.app.app_context():
            upgrade(revision="heads")
            units_demo.seed("2023")
            auth_demo.seed("2023")
            db.session.commit()

    def serve(self) -> None:
        self.port = _free_port()
        self.server = subprocess.Popen(
            [str(ROOT / ".venv/bin/gunicorn"), "-w", "2", "-b", f"127.0.0.1:{self.port}",
             "--log-level", "warning", "danvan:create_app()"],
            cwd=ROOT, env=self.env)
        # Ready when a worker answers /healthz (the socket accepts before workers have booted).
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=5) as r:
                    if r.status == 200:
                        return
            except OSError:
                time.sleep(0.5)
        raise RuntimeError("gunicorn did not start within 90 s")

    def close(self) -> None:
        if self.server is not None:
            self.server.terminate()
            try:
                self.server.wait(timeout=30)   # workers finish the requests still queued
            except subprocess.TimeoutExpired:
                self.server.kill()
                self.server.wait(timeout=10)
        from danvan.extensions import db

        with self.app.app_context():
            db.engine.dispose()
        admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{self.db_name}" WITH (FORCE)')
        admin.dispose()
        shutil.rmtree(self.tmp, ignore_errors=True)

    # HTTP ------------------------------------------------------------------
    def cookie_for(self, username: str) -> str:
        """Log in through the real form once; returns the Cookie header value."""
        if username not in self._cookies:
            jar = http.cookiejar.CookieJar()
            opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
            base = f"http://127.0.0.1:{self.port}"
            html = opener.open(base + "/dang-nhap", timeout=10).read().decode()
            token = re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)
            data = urllib.parse.urlencode({"csrf_token": token, "username": username,
                                           "password": PASSWORD}).encode()
            opener.open(base + "/dang-nhap", data=data, timeout=10).read()
            self._cookies[username] = "; ".join(f"{c.name}={c.value}" for c in jar)
        return self._cookies[username]

    def wrk(self, path: str, username: str, *, seconds: float = SECONDS, htmx: bool = False) -> Load:
        """wrk with 8 connections for `seconds` on loopback; any 4xx/5xx or socket error fails the run."""
        headers = ["-H", f"Cookie: {self.cookie_for(username)}", "-H", "Accept-Encoding: gzip, br"]
        if htmx:
            headers += ["-H", "HX-Request: true"]
        cmd = ["wrk", "-t", "2", "-c", str(CLIENTS), "-d", f"{max(1, round(seconds))}s", "--timeout", "10s", *headers,
               "-s", str(self.script), f"http://127.0.0.1:{self.port}{path}"]
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 30, check=True).stdout
        data = json.loads(out.split("WRK ", 1)[1].splitlines()[0])
        if not data["requests"]:
            raise RuntimeError(f"{path}: no response within {seconds:.0f} s")
        if data["bad"] or data["errors"]:
            raise RuntimeError(f"{path}: {data['bad']} bad statuses, {data['errors']} socket errors")
        return Load(rps=data["requests"] / (data["us"] / 1e6), p50=data["p50"] / 1000, p95=data["p95"] / 1000)

    def fetch(self, path: str, username: str, *, htmx: bool = False) -> tuple[int, int]:
        """(bytes, gzip bytes) of one response as a browser gets it."""
        headers = {"Cookie": self.cookie_for(username), "Accept-Encoding": "gzip"}
        if htmx:
            headers["HX-Request"] = "true"
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        body = response.read()
        conn.close()
        if response.status != 200:
            raise RuntimeError(f"{path}: HTTP {response.status}")
        if response.getheader("Content-Encoding") == "gzip":
            import gzip

            return len(gzip.decompress(body)), len(body)
        return len(body), len(body)

    def _client(self, username: str):
        from danvan.auth.models import User
        from danvan.extensions import db

        with self.app.app_context():
            user_id = db.session.scalar(sa.select(User).where(User.username == username)).get_id()
        client = self.app.test_client()
        with client.session_transaction() as sess:
            sess["_user_id"] = user_id
            sess["_fresh"] = True
        return client

    def profile(self, path: str, username: str = "admin", *, cold: bool = True, htmx: bool = False):
        """(statements, [(seconds, statement, parameters)]) of one in-process request."""
        from sqlalchemy import event

        from danvan.extensions import db

        with self.app.app_context():
            engine = db.engine
        client = self._client(username)
        headers = {"HX-Request": "true"} if htmx else {}
        client.get(path, headers=headers)  # warm templates and metadata before counting
        if cold and "cache" in self.app.extensions:
            with self.app.app_context():
                next(iter(self.app.extensions["cache"].values())).clear()
        seen: list = []
        started: list = []

        def before(conn, cursor, statement, parameters, context, executemany):
            started.append(time.perf_counter())

        def after(conn, cursor, statement, parameters, context, executemany):
            seen.append((time.perf_counter() - started.pop(), statement, parameters))

        event.listen(engine, "before_cursor_execute", before)
        event.listen(engine, "after_cursor_execute", after)
        try:
            response = client.get(path, headers=headers)
        finally:
            event.remove(engine, "before_cursor_execute", before)
            event.remove(engine, "after_cursor_execute", after)
        if response.status_code != 200:
            raise RuntimeError(f"{path}: HTTP {response.status_code}")
        return len(seen), seen

    def queries(self, path: str, username: str = "admin") -> int:
        """Statements of one request with an empty cache (the most a page ever runs)."""
        return self.profile(path, username)[0]

    def explain(self, statement: str, parameters) -> tuple[str, list[str]]:
        """EXPLAIN ANALYZE of one statement: (execution time, indexes the plan uses)."""
        from danvan.extensions import db

        with self.app.app_context():
            raw = db.engine.raw_connection()
            try:
                cur = raw.cursor()
                cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters)
                plan = [r[0] for r in cur.fetchall()]
                raw.rollback()
            finally:
                raw.close()
        used = sorted({name for line in plan for name in re.findall(r"(?:using|Bitmap Index Scan on) (\w+)", line)})
        ms = next((line.split(":")[1].strip() for line in plan if line.startswith("Execution Time")), "?")
        return ms, used

    def report(self, name: str, value, unit: str = "") -> None:
        print(f"  {name:<58} {value:>10} {unit}", flush=True)

    def page(self, name: str, path: str, username: str = "admin", *, fragment: str | None = None,
             goal: bool = False) -> Row:
        # one request first, as the first visitor after a write makes: the steady state is measured,
        # the cold cost shows in the SQL count and the EXPLAIN below
        size, gz = self.fetch(path, username)
        ping = self.wrk("/ping", username, seconds=PING_SECONDS)
        load = self.wrk(path, username)
        cold, seen = self.profile(path, username)
        warm = self.profile(path, username, cold=False)[0]
        row = Row(name, load.rps / ping.rps, load, ping, cold, warm, size, gz, goal=goal)
        if fragment:
            row.fragment_bytes = self.fetch(fragment, username, htmx=True)[0]
            row.fragment = self.wrk(fragment, username, htmx=True)
            row.fragment_queries = (self.profile(fragment, username, htmx=True)[0],
                                    self.profile(fragment, username, cold=False, htmx=True)[0])
        self.rows.append(row)
        _check(row)
        frag = "" if row.fragment is None else \
            (f" · mảnh htmx {row.fragment_bytes:,} B ({row.fragment_bytes / size:.0%}) p95 {row.fragment.p95:.0f} ms "
             f"SQL {row.fragment_queries[0]}/{row.fragment_queries[1]}").replace(",", ".")
        miss = "  ← CHƯA ĐẠT: " + "; ".join(row.misses) if row.misses else ""
        print(f"  {name:<62} {row.ratio:5.2f}× /ping ({ping.rps:.0f}/s)  p50 {load.p50:5.1f} ms  "
              f"p95 {load.p95:6.1f} ms  SQL {cold}/{warm}  {size:,} B (gzip {gz:,}){frag}{miss}".replace(",", "."),
              flush=True)
        heaviest = max(seen, key=lambda s: s[0]) if seen else None
        if heaviest is not None and self.db_url.startswith("postgresql"):
            ms, used = self.explain(heaviest[1], heaviest[2])
            first = " ".join(heaviest[1].split())[:90]
            print(f"      câu lệnh nặng nhất ({heaviest[0] * 1000:.1f} ms; EXPLAIN ANALYZE {ms}): chỉ mục "
                  f"{', '.join(used) or 'không'} — {first}…", flush=True)
        return row


def _check(row: Row) -> None:
    if not row.goal:
        return
    if row.ratio < GOAL["ratio"]:
        row.misses.append(f"{row.ratio:.2f}× < {GOAL['ratio']}×")
    if row.page.p95 >= GOAL["p95_ms"]:
        row.misses.append(f"p95 {row.page.p95:.0f} ms ≥ {GOAL['p95_ms']:.0f}")
    if row.queries_cold > GOAL["queries"]:   # with an empty cache: the most the page ever runs
        row.misses.append(f"{row.queries_cold} truy vấn > {GOAL['queries']}")
    if row.fragment is not None:
        if row.fragment_bytes > GOAL["fragment_share"] * row.page_bytes:
            row.misses.append(f"mảnh {row.fragment_bytes / row.page_bytes:.0%} trang")
        if row.fragment.p95 > row.page.p95 or row.fragment_queries[1] > row.queries_warm:
            row.misses.append("mảnh không rẻ hơn trang")


def table(rows: list[Row]) -> str:
    lines = ["| trang | × /ping | p50 | p95 | SQL (trống/ấm) | byte trang (gzip) | byte mảnh | đạt |",
             "|---|---|---|---|---|---|---|---|"]
    for r in rows:
        frag = "" if r.fragment_bytes is None else f"{r.fragment_bytes:,} ({r.fragment_bytes / r.page_bytes:.0%})"
        ok = "" if not r.goal else ("✓" if not r.misses else "✗ " + "; ".join(r.misses))
        lines.append(f"| {r.name} | {r.ratio:.2f} | {r.page.p50:.0f} ms | {r.page.p95:.0f} ms | "
                     f"{r.queries_cold}/{r.queries_warm} | {r.page_bytes:,} ({r.page_gzip:,}) | {frag} | {ok} |"
                     .replace(",", "."))
    return "\n".join(lines)


def national_tree(username: str, role: str = "leader", provinces: int = 34, communes: int = 3321):
    """Root → `provinces` provinces → `communes` communes (bulk-inserted, paths set in SQL), a ban at the
    root and `username` with `role` in it (the demo password). Inside an app context; commits nothing."""
    from danvan.auth.models import User
    from danvan.core.units import Unit, add_unit
    from danvan.extensions import db

    root = add_unit("Cả nước (dữ liệu thử tải)", "tinh_uy", parent=None, code="TW")
    ban = add_unit("Ban Dân vận (thử tải)", "ban", parent=root, code="BDVTW")
    per = [communes // provinces + (1 if i < communes % provinces else 0) for i in range(provinces)]
    rows, ids = [], []
    for i, n in enumerate(per):
        province = add_unit(f"Tỉnh thử tải {i + 1:02d}", "huyen_uy", parent=root, code="TU")
        ids.append(province.id)
        rows.extend({"name": f"Xã thử tải {i + 1:02d}-{j + 1:03d}", "name_key": f"xa thu tai {i + 1:02d}-{j + 1:03d}",
                     "kind": "xa", "code": "ĐU", "parent_id": province.id, "path": province.path,
                     "depth": province.depth + 1, "version": 1}
                    for j in range(n))
    db.session.execute(sa.insert(Unit.__table__), rows)
    # materialised paths of the bulk-inserted communes: the parent's path (stored above) + own id
    table = Unit.__table__
    db.session.execute(sa.update(table).where(table.c.kind == "xa", table.c.parent_id.in_(ids))
                       .values(path=table.c.path + sa.cast(table.c.id, sa.String) + "/"))
    probe = db.session.scalar(sa.select(User).where(User.username == "lanhdao.bdv"))
    user = User(username=username, full_name="Lãnh đạo thử tải", unit=ban, active=True,
                password_hash=probe.password_hash, session_epoch=1)
    user.set_roles([role])
    user.refresh_search_key()
    db.session.add(user)
    db.session.flush()
    return root, ban, user


def main() -> int:
    import importlib
    import pkgutil

    if shutil.which("wrk") is None:
        print("Thiếu công cụ tải `wrk` (gói Debian wrk): chạy `make bench` để cài.", file=sys.stderr)
        return 2
    ctx = Context()
    failed = []
    try:
        print("Chuẩn bị CSDL PostgreSQL và dữ liệu mẫu…", flush=True)
        ctx.migrate_and_seed()
        ctx.serve()
        cache = "Redis" if "REDIS_URL" in ctx.env else "SimpleCache trong tiến trình"
        print(f"gunicorn 2 workers, bộ đệm {cache}; wrk {CLIENTS} kết nối, {SECONDS:.0f} s mỗi trang, "
              f"/ping {PING_SECONDS:.0f} s đo xen ngay trước mỗi trang", flush=True)
        modules = ["bench.foundation"] + sorted(
            f"bench.{m.name}" for m in pkgutil.iter_modules([str(Path(__file__).parent)])
            if m.name not in {"harness", "foundation", "__main__"})
        if len(sys.argv) > 1:  # `python -m bench programme printing`: only those
            modules = [m for m in modules if m.split(".")[-1] in sys.argv[1:]]
        for name in modules:
            print(f"\n[{name.split('.')[-1]}]", flush=True)
            try:
                importlib.import_module(name).run(ctx)
            except Exception as exc:  # one failing bench must not hide the others, but fails the run
                failed.append(name)
                print(f"  LỖI: {type(exc).__name__}: {exc}", file=sys.stderr, flush=True)
    finally:
        ctx.close()
    print("\n" + table(ctx.rows), flush=True)
    missed = [r.name for r in ctx.rows if r.misses]
    if missed:
        print(f"\nChưa đạt mục tiêu ({GOAL}): {', '.join(missed)}", file=sys.stderr)
    if failed:
        print(f"\nBenchmark lỗi: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed or missed else 0
