"""`make cluster-test`: the production shape on loopback, checked end to end.

PostgreSQL database (throwaway), Redis (jobs), two gunicorn app servers, HAProxy in front with
its /healthz check, two job consumers; files in the database. Checks, one summary line each:
login through the balancer; upload on one server, download through the other; 20 exports with
one consumer killed mid-job (all 20 finish, each once); one app server stopped under 30 s of
load (no failed request once the balancer's health check has noticed). With `--bench`: 50 users
× 60 s of mixed reads and writes through the balancer (errors, p50/p99).

Only 127.0.0.1; every wait is bounded; every process started here is stopped and the database,
queue keys and temporary folder are removed, whatever happens.
"""
from __future__ import annotations

import hashlib
import http.client
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN_URL = os.environ.get("DANVAN_PG_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("DANVAN_CLUSTER_REDIS_URL", "redis://127.0.0.1:6379/0")
PASSWORD = "danvan@2023"
HAPROXY = shutil.which("haproxy") or "/usr/sbin/haproxy"
FLASK = str(ROOT / ".venv/bin/flask")
GUNICORN = str(ROOT / ".venv/bin/gunicorn")
HEALTH_INTERVAL_MS, HEALTH_FALL = 1000, 2


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(condition, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    raise RuntimeError(f"quá {timeout:.0f} s chờ {what}")


class Client:
    """A cookie-keeping HTTP client for one host:port (the balancer or one server)."""

    def __init__(self, port: int, cookie: str = "") -> None:
        self.port, self.cookie = port, cookie

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            conn.request(method, path, body=body, headers={"Cookie": self.cookie, **(headers or {})})
            response = conn.getresponse()
            data = response.read()
            for value in response.headers.get_all("Set-Cookie") or []:
                name, _, rest = value.partition("=")
                if name == "session":
                    self.cookie = "session=" + rest.split(";", 1)[0]
            return response.status, response.headers, data
        finally:
            conn.close()

    def csrf(self) -> str:
        _, _, html = self.request("GET", "/dang-nhap")
        return re.search(rb'name="csrf-token" content="([^"]+)"', html).group(1).decode()

    def login(self, username: str) -> None:
        token = self.csrf()
        body = urllib.parse.urlencode({"csrf_token": token, "username": username, "password": PASSWORD}).encode()
        status, headers, _ = self.request("POST", "/dang-nhap", body,
                                          {"Content-Type": "application/x-www-form-urlencoded"})
        if status not in (302, 303):
            raise RuntimeError(f"đăng nhập {username}: HTTP {status}")

    def post_form(self, path: str, fields: dict | None = None):
        token = self.csrf_token_from_page()
        body = urllib.parse.urlencode({"csrf_token": token, **(fields or {})}).encode()
        return self.request("POST", path, body, {"Content-Type": "application/x-www-form-urlencoded"})

    def csrf_token_from_page(self) -> str:
        _, _, html = self.request("GET", "/")
        return re.search(rb'name="csrf-token" content="([^"]+)"', html).group(1).decode()


class Cluster:
    def __init__(self) -> None:
        self.tmp = Path(tempfile.mkdtemp(prefix="danvan-cluster-"))
        self.db_name = f"danvan_cluster_{os.getpid()}_{secrets.token_hex(3)}"
        self.db_url = PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + self.db_name
        self.huey_name = f"danvan-cluster-{os.getpid()}-{secrets.token_hex(3)}"
        self.env = {**os.environ, "DATABASE_URL": self.db_url, "REDIS_URL": REDIS_URL, "HUEY_NAME": self.huey_name,
                    "SECRET_KEY": secrets.token_hex(32), "FILE_STORAGE": "database", "PROXY_COUNT": "1",
                    "DANVAN_INSTANCE": str(self.tmp), "UPLOAD_DIR": str(self.tmp / "uploads"), "FLASK_APP": "app",
                    "JOB_STALE_SECONDS": "10", "WEB_WORKERS": "2", "WEB_THREADS": "4", "WEB_ACCESS_LOG": "/dev/null",
                    "WEB_LOG_LEVEL": "warning", "PYTHONPATH": str(ROOT)}
        self.procs: dict[str, subprocess.Popen] = {}
        self.ports: dict[str, int] = {}
        self.engine: sa.Engine | None = None

    # -- setup -------------------------------------------------------------------------------
    def start(self) -> None:
        admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{self.db_name}" ENCODING \'UTF8\' TEMPLATE template0')
        admin.dispose()
        self.engine = sa.create_engine(self.db_url)
        subprocess.run([FLASK, "db", "upgrade"], cwd=ROOT, env=self.env, check=True, capture_output=True)
        seeded = subprocess.run([sys.executable, str(ROOT / "deploy/cluster_seed.py")], cwd=ROOT, env=self.env,
                                capture_output=True, text=True)
        if seeded.returncode:
            raise RuntimeError("nạp dữ liệu mẫu lỗi:\n" + seeded.stderr[-2000:])
        for name in ("app1", "app2", "balancer"):
            self.ports[name] = free_port()
        for name in ("app1", "app2"):
            self.start_app(name)
        for name in ("worker1", "worker2"):
            self.start_worker(name)
        self.start_balancer()
        for name in ("app1", "app2", "balancer"):
            wait_until(lambda n=name: self.healthy(self.ports[n]), 180, f"{name} trả lời /healthz")

    def log(self, name: str):
        return open(self.tmp / f"{name}.log", "ab")

    def start_app(self, name: str) -> None:
        env = {**self.env, "BIND": f"127.0.0.1:{self.ports[name]}"}
        self.procs[name] = subprocess.Popen([GUNICORN, "-c", "deploy/gunicorn.conf.py", "app:app"], cwd=ROOT, env=env,
                                            stdout=self.log(name), stderr=subprocess.STDOUT)

    def start_worker(self, name: str) -> None:
        self.procs[name] = subprocess.Popen([FLASK, "worker", "--workers", "2"], cwd=ROOT, env=self.env,
                                            stdout=self.log(name), stderr=subprocess.STDOUT)

    def start_balancer(self) -> None:
        config = self.tmp / "haproxy.cfg"
        config.write_text(f"""global
    maxconn 2048
defaults
    mode http
    option forwardfor
    option redispatch
    retries 3
    timeout connect 2s
    timeout client 60s
    timeout server 60s
frontend web
    bind 127.0.0.1:{self.ports['balancer']}
    default_backend app
backend app
    balance roundrobin
    option httpchk GET /healthz
    http-check expect status 200
    timeout check 5s
    default-server inter {HEALTH_INTERVAL_MS}ms fall {HEALTH_FALL} rise 1
    server app1 127.0.0.1:{self.ports['app1']} check
    server app2 127.0.0.1:{self.ports['app2']} check
""")
        self.procs["balancer"] = subprocess.Popen([HAPROXY, "-f", str(config), "-db"], stdout=self.log("balancer"),
                                                  stderr=subprocess.STDOUT)

    @staticmethod
    def healthy(port: int) -> bool:
        try:
            return Client(port).request("GET", "/healthz")[0] == 200
        except OSError:
            return False

    def stop(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in self.procs.values():
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        if self.engine is not None:
            self.engine.dispose()
        try:
            from huey.storage import RedisStorage

            RedisStorage(name=self.huey_name, url=REDIS_URL).flush_all()
        except Exception as exc:  # Redis gone: nothing left to clean there
            print(f"  (không dọn được hàng đợi Redis: {exc})")
        admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{self.db_name}" WITH (FORCE)')
        admin.dispose()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def scalar(self, sql: str, **params):
        with self.engine.connect() as conn:
            return conn.execute(sa.text(sql), params).scalar()

    def rows(self, sql: str, **params):
        with self.engine.connect() as conn:
            return conn.execute(sa.text(sql), params).all()


def report(ok: bool, text: str) -> bool:
    print(f"{'OK  ' if ok else 'LỖI'} {text}", flush=True)
    return ok


# -- checks ------------------------------------------------------------------------------------

def check_login(c: Cluster) -> Client:
    client = Client(c.ports["balancer"])
    client.login("canbo.bdv")
    status, _, html = client.request("GET", "/")
    ok = status == 200 and "Nguyễn Văn An".encode() in html
    report(ok, f"đăng nhập canbo.bdv qua HAProxy (:{c.ports['balancer']}), trang chủ HTTP {status}")
    return client


def check_files_across_servers(c: Cluster, via_balancer: Client) -> bool:
    doc_id = c.scalar("SELECT d.id FROM plan_document d JOIN unit u ON u.id = d.unit_id "
                      "WHERE d.state = 'draft' AND u.code = 'BDVTU' ORDER BY d.id LIMIT 1")
    if doc_id is None:
        return report(False, "không có văn bản nháp của Ban Dân vận Tỉnh ủy để đính kèm")
    pdf = b"%PDF-1.4\n% cluster " + secrets.token_hex(2000).encode() + b"\n%%EOF\n"
    one, two = Client(c.ports["app1"], via_balancer.cookie), Client(c.ports["app2"], via_balancer.cookie)
    token = one.csrf_token_from_page()
    boundary = "----danvan" + secrets.token_hex(8)
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n{token}\r\n"
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"bien-ban.pdf\"\r\n"
            f"Content-Type: application/pdf\r\n\r\n").encode() + pdf + f"\r\n--{boundary}--\r\n".encode()
    status, _, _ = one.request("POST", f"/van-ban/{doc_id}/tep", body,
                               {"Content-Type": f"multipart/form-data; boundary={boundary}"})
    att_id = c.scalar("SELECT max(id) FROM attachment WHERE owner_id = :d", d=doc_id)
    got_status, _, got = two.request("GET", f"/tep/{att_id}")
    ok = status == 303 and got_status == 200 and hashlib.sha256(got).digest() == hashlib.sha256(pdf).digest()
    return report(ok, f"tải lên máy chủ 1 (HTTP {status}), tải về qua máy chủ 2 (HTTP {got_status}): "
                      f"{len(got)} byte, sha256 {'khớp' if ok else 'KHÔNG khớp'}")


def check_exports_survive_a_killed_consumer(c: Cluster, client: Client) -> bool:
    # One year of the demo's registrations: each export takes a second or so, long enough to die in.
    year = c.scalar("SELECT year FROM initiative GROUP BY year HAVING count(*) > 500 ORDER BY count(*) LIMIT 1")
    started = time.monotonic()
    job_ids = []
    for _ in range(20):
        status, headers, _ = client.post_form(f"/dan-van-kheo/xuat-excel?year={year}")
        if status != 303:
            return report(False, f"bắt đầu xuất Excel: HTTP {status}")
        job_ids.append(int(headers["Location"].rstrip("/").rsplit("/", 1)[1]))
    ids = ",".join(map(str, job_ids))
    workers = {name: f"{socket.gethostname()}:{c.procs[name].pid}" for name in ("worker1", "worker2")}

    def running_on_a_worker():
        rows = c.rows(f"SELECT worker FROM job WHERE id IN ({ids}) AND state = 'running'")
        return next((n for n, w in workers.items() for (r,) in rows if r == w), None)

    victim = wait_until(running_on_a_worker, 60, "một việc đang chạy")
    c.procs[victim].kill()   # SIGKILL in the middle of a job: nothing graceful
    c.procs[victim].wait()
    done = wait_until(lambda: c.scalar(f"SELECT count(*) FROM job WHERE id IN ({ids}) AND state = 'done'") == 20
                      or None, 150, "20 việc xong")
    files = c.scalar(f"SELECT count(DISTINCT name) FROM file_chunk WHERE name IN "
                     f"(SELECT result_name FROM job WHERE id IN ({ids}))")
    all_chunks = c.scalar("SELECT count(DISTINCT name) FROM file_chunk")
    attempts = c.scalar(f"SELECT count(*) FROM job WHERE id IN ({ids}) AND attempt > 1")
    # Each once: 20 results, no orphan result from a superseded run (attachments: 1 file + demo).
    attachment_files = c.scalar("SELECT count(DISTINCT stored_name) FROM attachment")
    ok = bool(done) and files == 20 and all_chunks == 20 + attachment_files
    c.start_worker(victim)   # back to two consumers for what follows
    return report(ok, f"20 việc xuất Excel xong trong {time.monotonic() - started:.0f} s dù đã giết {victim} "
                      f"giữa chừng; {attempts} việc chạy lại, mỗi việc hoàn tất một lần ({files} tệp kết quả)")


def load(port: int, cookie: str, seconds: float, users: int, paths: list[str], *, writes: bool = False):
    """users threads for `seconds`: (timestamp, status, latency) per request."""
    results: list[tuple[float, int, float]] = []
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def user(i: int) -> None:
        client = Client(port, cookie)
        token = client.csrf_token_from_page() if writes else ""
        n = 0
        while time.monotonic() < stop:
            n += 1
            t0 = time.monotonic()
            try:
                if writes and n % 5 == 0:
                    body = urllib.parse.urlencode({"csrf_token": token}).encode()
                    status = client.request("POST", "/thong-bao/da-doc-tat-ca", body,
                                            {"Content-Type": "application/x-www-form-urlencoded"})[0]
                    status = 200 if status in (302, 303) else status
                else:
                    status = client.request("GET", paths[(i + n) % len(paths)])[0]
            except OSError:
                status = 0
            with lock:
                results.append((t0, status, time.monotonic() - t0))

    threads = [threading.Thread(target=user, args=(i,)) for i in range(users)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def check_server_stop_under_load(c: Cluster, client: Client) -> bool:
    box: dict = {}

    def stop_app2() -> None:
        time.sleep(8)  # part of the scenario: load first, then the server goes away
        box["stopped"] = time.monotonic()
        c.procs["app2"].kill()
        c.procs["app2"].wait()

    killer = threading.Thread(target=stop_app2)
    killer.start()
    results = load(c.ports["balancer"], client.cookie, 30, 8, ["/ping", "/", "/van-ban/", "/dan-van-kheo/"])
    killer.join()
    noticed = box["stopped"] + HEALTH_FALL * HEALTH_INTERVAL_MS / 1000 + 1
    failed_after = sum(1 for t, s, _ in results if t > noticed and s != 200)
    failed_before = sum(1 for t, s, _ in results if t <= noticed and s != 200)
    ok = failed_after == 0 and len(results) > 0
    c.start_app("app2")
    return report(ok, f"dừng máy chủ 2 khi đang tải 30 s: {len(results)} yêu cầu, {failed_after} lỗi sau khi "
                      f"HAProxy nhận biết ({failed_before} lỗi trong {HEALTH_FALL} lần kiểm tra đầu)")


def bench_mixed(c: Cluster) -> bool:
    wait_until(lambda: c.healthy(c.ports["app2"]), 60, "máy chủ 2 khởi động lại")
    wait_until(lambda: Client(c.ports["balancer"]).request("GET", "/healthz")[0] == 200, 30, "HAProxy")
    time.sleep(2 * HEALTH_INTERVAL_MS / 1000)  # let the balancer take app2 back
    client = Client(c.ports["balancer"])
    client.login("lanhdao.bdv")
    results = load(c.ports["balancer"], client.cookie, 60, 50,
                   ["/", "/van-ban/", "/yeu-cau/", "/dan-van-kheo/", "/thong-bao/", "/ping"], writes=True)
    latencies = sorted(lat for _, s, lat in results)
    errors = sum(1 for _, s, _ in results if s != 200)
    by_status: dict[int, int] = {}
    for _, s, _ in results:
        if s != 200:
            by_status[s] = by_status.get(s, 0) + 1

    def pct(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000

    return report(errors == 0, f"50 người dùng × 60 s qua HAProxy (đọc + ghi): {len(results)} yêu cầu, "
                               f"{len(results) / 60:.0f}/s, {errors} lỗi {by_status or ''}, p50 {pct(0.5):.0f} ms, "
                               f"p99 {pct(0.99):.0f} ms")


def main() -> int:
    bench = "--bench" in sys.argv
    if not os.path.exists(HAPROXY):
        print("Thiếu haproxy (make cluster-test cài gói Debian haproxy)", file=sys.stderr)
        return 1
    cluster = Cluster()
    started = time.monotonic()
    results = []
    try:
        print("Dựng cụm trên 127.0.0.1: PostgreSQL, Redis, 2 gunicorn, HAProxy, 2 tiến trình nền…", flush=True)
        cluster.start()
        client = check_login(cluster)
        results.append(client is not None)
        results.append(check_files_across_servers(cluster, client))
        results.append(check_exports_survive_a_killed_consumer(cluster, client))
        results.append(check_server_stop_under_load(cluster, client))
        if bench:
            results.append(bench_mixed(cluster))
    except Exception as exc:
        results.append(report(False, f"{type(exc).__name__}: {exc} (nhật ký: {cluster.tmp})"))
        for name in cluster.procs:
            path = cluster.tmp / f"{name}.log"
            if path.exists():
                print(f"--- {name}.log (cuối) ---\n" + path.read_text(errors="replace")[-1500:], file=sys.stderr)
    finally:
        cluster.stop()
    print(f"Cụm: {sum(results)}/{len(results)} phép kiểm tra đạt, {time.monotonic() - started:.0f} s.", flush=True)
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
