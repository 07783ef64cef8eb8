"""Heavy work off the request: /ping latency on the 2 sync gunicorn workers while the full Dân vận
khéo export (the province's whole list) and a ~300-row consolidated PDF run in a job consumer,
as a ratio to idle latency (target ≤ 2×). Before jobs, both ran inside those web workers."""
from __future__ import annotations

import http.client
import re
import statistics
import subprocess
import time
import urllib.parse

import sqlalchemy as sa

from bench.harness import ROOT


def _post(ctx, path: str, username: str) -> int:
    cookie = ctx.cookie_for(username)
    conn = http.client.HTTPConnection("127.0.0.1", ctx.port, timeout=30)
    conn.request("GET", "/", headers={"Cookie": cookie})
    token = re.search(rb'name="csrf-token" content="([^"]+)"', conn.getresponse().read()).group(1).decode()
    conn.request("POST", path, body=urllib.parse.urlencode({"csrf_token": token}),
                 headers={"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"})
    response = conn.getresponse()
    response.read()
    conn.close()
    if response.status != 303:
        raise RuntimeError(f"POST {path}: HTTP {response.status}")
    return int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])


def _ping_latencies(ctx, count: int | None = None, until=None) -> list[float]:
    cookie = ctx.cookie_for("admin")
    conn = http.client.HTTPConnection("127.0.0.1", ctx.port, timeout=60)
    out: list[float] = []
    deadline = time.monotonic() + 300
    while (count is not None and len(out) < count) or (until is not None and not until()):
        if time.monotonic() > deadline:
            break
        t0 = time.perf_counter()
        conn.request("GET", "/ping", headers={"Cookie": cookie})
        conn.getresponse().read()
        out.append(time.perf_counter() - t0)
    conn.close()
    return out


def run(ctx) -> None:
    from danvan.core.jobs import Job
    from danvan.core.units import Unit
    from danvan.extensions import db
    from danvan.initiatives import demo as initiatives_demo
    from danvan.initiatives.models import Initiative

    with ctx.app.app_context():
        initiatives_demo.seed("2023")   # skipped when the initiatives bench loaded it already
        db.session.commit()
        province = db.session.scalar(sa.select(Unit).where(Unit.name == "Tỉnh ủy Bắc Kạn"))
        # A district-year with about 300 registrations: the "300-row PDF".
        counts = db.session.execute(sa.text(
            "SELECT d.id, i.year, count(*) FROM unit d JOIN unit c ON c.path LIKE d.path || '%' "
            "JOIN initiative i ON i.unit_id = c.id WHERE d.kind = 'huyen_uy' AND d.path LIKE :p "
            "GROUP BY d.id, i.year"), {"p": province.path + "%"}).all()
        district, year, n = min(counts, key=lambda r: abs(r[2] - 300))
        total = db.session.scalar(sa.select(sa.func.count()).select_from(Initiative).where(
            Initiative.unit_id.in_(sa.select(Unit.id).where(Unit.path.startswith(province.path)))))
    worker = subprocess.Popen([str(ROOT / ".venv/bin/flask"), "worker", "--workers", "2"], cwd=ROOT,
                              env={**ctx.env, "FLASK_APP": "app"}, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        idle = _ping_latencies(ctx, count=200)
        ids = [_post(ctx, "/dan-van-kheo/xuat-excel", "lanhdao.bdv"),
               _post(ctx, f"/dan-van-kheo/tong-hop/in.pdf?year={year}&unit_id={district}", "lanhdao.bdv")]
        engine = sa.create_engine(ctx.db_url)

        def states() -> list[str]:
            with engine.connect() as conn:
                return [s for (s,) in conn.execute(sa.select(Job.state).where(Job.id.in_(ids)))]

        started = time.monotonic()
        while time.monotonic() - started < 60 and "running" not in states():
            time.sleep(0.05)
        busy = _ping_latencies(ctx, until=lambda: all(s in ("done", "failed") for s in states()))
        elapsed = time.monotonic() - started
        final = states()
        engine.dispose()
    finally:
        worker.terminate()
        worker.wait(timeout=60)
    if final != ["done", "done"]:
        raise RuntimeError(f"jobs ended {final}")
    idle_ms, busy_ms = statistics.median(idle) * 1000, statistics.median(busy) * 1000
    p95 = sorted(busy)[int(0.95 * (len(busy) - 1))] * 1000
    ctx.report(f"jobs: export {total} mô hình + PDF {n} dòng, xong sau", round(elapsed, 1), "s (trong consumer)")
    ctx.report("jobs: /ping median idle", round(idle_ms, 2), "ms")
    ctx.report("jobs: /ping median while they run", round(busy_ms, 2),
               f"ms = {busy_ms / idle_ms:.2f}× idle (target ≤ 2×), p95 {p95:.1f} ms, {len(busy)} requests")
