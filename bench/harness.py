"""Benchmark context: a PostgreSQL database with the demo province, the app served by gunicorn
(2 workers) on 127.0.0.1, HTTP clients logged in as demo users, and query counting in-process.

Each bench/<feature>.py defines run(ctx). ctx offers:
  ctx.app                      in-process app bound to the bench database (seed more data here)
  ctx.db_url                   its SQLAlchemy URL
  ctx.throughput(path, username, seconds=3.0, clients=4) -> requests/s of 200 responses
  ctx.trivial_rps              requests/s of /ping (logged in), measured first
  ctx.queries(path, username)  SQL statements one request runs (in-process test client)
  ctx.report(name, value, unit="")  prints one aligned line
  ctx.page(name, path, username)    throughput as a ratio to /ping + queries, in one line
Only loopback addresses are used; every loop is bounded in time.
"""
from __future__ import annotations

import http.client
import http.cookiejar
import os
import re
import secrets
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN_URL = os.environ.get("DANVAN_PG_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
PASSWORD = "danvan@2023"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


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
        os.environ.update({k: self.env[k] for k in ("DATABASE_URL", "SECRET_KEY", "DANVAN_INSTANCE", "UPLOAD_DIR")})
        from danvan import create_app

        self.app = create_app({"SQLALCHEMY_DATABASE_URI": self.db_url})
        self._cookies: dict[str, str] = {}
        self.server: subprocess.Popen | None = None
        self.trivial_rps = 0.0

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
        # Ready when a worker answers, not when the master has bound the port: on a loaded machine
        # booting the workers (create_app) took longer than the first login's timeout.
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{self.port}/dang-nhap", timeout=5).read()
                return
            except OSError:
                time.sleep(0.5)
        raise RuntimeError("gunicorn did not answer within 90 s")

    def close(self) -> None:
        if self.server is not None:
            self.server.terminate()
            self.server.wait(timeout=10)
        from danvan.extensions import db

        with self.app.app_context():
            db.engine.dispose()
        admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{self.db_name}" WITH (FORCE)')
        admin.dispose()

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

    def throughput(self, path: str, username: str = "admin", seconds: float = 3.0, clients: int = 4) -> float:
        cookie = self.cookie_for(username)
        counts = [0] * clients
        errors: list[str] = []
        stop = time.monotonic() + seconds

        def worker(i: int) -> None:
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            while time.monotonic() < stop:
                conn.request("GET", path, headers={"Cookie": cookie})
                response = conn.getresponse()
                response.read()
                if response.status == 200:
                    counts[i] += 1
                elif len(errors) < 3:
                    errors.append(f"{path}: HTTP {response.status}")
            conn.close()

        threads = [threading.Thread(target=worker, args=(i,)) for i in range(clients)]
        started = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        if errors:
            raise RuntimeError("; ".join(errors))
        return sum(counts) / (time.monotonic() - started)

    def queries(self, path: str, username: str = "admin") -> int:
        from sqlalchemy import event

        from danvan.auth.models import User
        from danvan.extensions import db

        with self.app.app_context():
            user = db.session.scalar(sa.select(User).where(User.username == username))
            user_id = user.get_id()
            engine = db.engine
        client = self.app.test_client()
        with client.session_transaction() as sess:
            sess["_user_id"] = user_id
            sess["_fresh"] = True
        client.get(path)  # warm caches (templates, metadata) before counting
        count = [0]

        def before(*args):
            count[0] += 1

        event.listen(engine, "before_cursor_execute", before)
        try:
            response = client.get(path)
        finally:
            event.remove(engine, "before_cursor_execute", before)
        if response.status_code != 200:
            raise RuntimeError(f"{path}: HTTP {response.status_code}")
        return count[0]

    def report(self, name: str, value, unit: str = "") -> None:
        print(f"  {name:<58} {value:>10} {unit}", flush=True)

    def page(self, name: str, path: str, username: str = "admin") -> None:
        rps = self.throughput(path, username)
        q = self.queries(path, username)
        self.report(name, f"{rps / self.trivial_rps:.2f}", f"× /ping  ({q} SQL queries/request)")


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
        rows.extend({"name": f"Xã thử tải {i + 1:02d}-{j + 1:03d}", "name_key": f"xa thu tai {i + 1}-{j + 1}",
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

    ctx = Context()
    failed = []
    try:
        print("Chuẩn bị CSDL PostgreSQL và dữ liệu mẫu…", flush=True)
        ctx.migrate_and_seed()
        ctx.serve()
        ctx.trivial_rps = ctx.throughput("/ping")
        print(f"Tuyến đơn giản /ping: {ctx.trivial_rps:.0f} yêu cầu/giây (gunicorn 2 workers) — mốc 1,00", flush=True)
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
    if failed:
        print(f"\nBenchmark lỗi: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0
