"""Test fixtures: the app per backend, isolation by rolled-back transaction, logins, factories.

Backend: DANVAN_TEST_BACKEND=sqlite (default) or postgresql. PostgreSQL tests create their own
throwaway databases on 127.0.0.1:5432 (user postgres, trust) and drop them at the end; if the
server cannot be reached the run fails loudly, it never skips.
"""
from __future__ import annotations

import os
import re
import secrets
import tempfile
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient
from sqlalchemy import event
from sqlalchemy.orm import scoped_session, sessionmaker

BACKEND = os.environ.get("DANVAN_TEST_BACKEND", "sqlite")
PG_ADMIN_URL = os.environ.get("DANVAN_PG_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
TMP = Path(tempfile.mkdtemp(prefix="danvan-tests-"))
os.environ.setdefault("DANVAN_INSTANCE", str(TMP / "instance"))
os.environ.setdefault("SECRET_KEY", "test-secret-" + secrets.token_hex(8))

from danvan import create_app  # noqa: E402  (after DANVAN_INSTANCE is set)
from danvan.extensions import db  # noqa: E402

_created_pg: list[str] = []


def make_database(tag: str) -> str:
    """A fresh empty database for this backend; returns its SQLAlchemy URL."""
    if BACKEND == "sqlite":
        return f"sqlite:///{TMP / (tag + '.db')}"
    if BACKEND != "postgresql":
        raise RuntimeError(f"unknown DANVAN_TEST_BACKEND {BACKEND!r}")
    name = f"danvan_test_{tag}_{os.getpid()}_{secrets.token_hex(3)}"
    engine = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}" ENCODING \'UTF8\' TEMPLATE template0')
    except sa.exc.OperationalError as exc:
        raise RuntimeError(f"PostgreSQL at {PG_ADMIN_URL} is not reachable: {exc}") from exc
    finally:
        engine.dispose()
    _created_pg.append(name)
    return PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name


def drop_databases() -> None:
    if not _created_pg:
        return
    engine = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        for name in _created_pg:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    engine.dispose()


def pytest_sessionfinish(session, exitstatus):
    drop_databases()


def pytest_report_header(config):
    return f"danvan backend: {BACKEND}"


# Jobs: Huey on SQLite storage in the SQLite run, on the machine's Redis in the PostgreSQL run;
# a queue name of our own so that parallel test runs never take each other's tasks, and a key
# prefix of our own for the rate-limit counters there (a reset clears only this run's counters).
REDIS_URL = os.environ.get("DANVAN_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
HUEY_NAME = f"danvan-test-{os.getpid()}-{secrets.token_hex(3)}"


def app_config(url: str, **extra) -> dict:
    return {"TESTING": True, "SQLALCHEMY_DATABASE_URI": url, "UPLOAD_DIR": str(TMP / "uploads"),
            "SERVER_NAME": None, "HUEY_NAME": HUEY_NAME, "HUEY_SQLITE_PATH": str(TMP / "huey.db"),
            "REDIS_URL": REDIS_URL if BACKEND == "postgresql" else "",
            "RATELIMIT_STORAGE_OPTIONS": {"key_prefix": HUEY_NAME} if BACKEND == "postgresql" else {},
            **extra}


def upgrade_schema(app) -> None:
    from flask_migrate import upgrade

    with app.app_context():
        upgrade(revision="heads")


class Client(FlaskClient):
    """Test client that knows the CSRF token of its session and speaks htmx on request."""

    _csrf: str | None = None

    def open(self, *args, **kwargs):
        # Setup data must be visible to the request: flush the test's session first, then
        # expire it so assertions read what the request wrote.
        db.session.flush()
        # A fresh app context per request, as in production: Flask would otherwise reuse the
        # test's context, sharing `g` (the logged-in user!) and the session between requests.
        with self.application.app_context():
            response = super().open(*args, **kwargs)
        db.session.expire_all()
        return response

    def csrf_token(self) -> str:
        if self._csrf is None:
            html = self.get("/dang-nhap", follow_redirects=True).get_data(as_text=True)
            match = re.search(r'name="csrf-token" content="([^"]+)"', html)
            assert match, "no csrf-token meta on the login page"
            self._csrf = match.group(1)
        return self._csrf

    def post_form(self, url: str, data: dict | None = None, *, htmx: bool = False, **kwargs):
        data = dict(data or {})
        data.setdefault("csrf_token", self.csrf_token())
        headers = kwargs.pop("headers", {})
        if htmx:
            headers = {**headers, "HX-Request": "true", "X-CSRFToken": data["csrf_token"]}
        return self.post(url, data=data, headers=headers, **kwargs)

    def hx_get(self, url: str, **kwargs):
        return self.get(url, headers={"HX-Request": "true"}, **kwargs)


@pytest.fixture(scope="session")
def app():
    application = create_app(app_config(make_database("main")))
    application.test_client_class = Client
    upgrade_schema(application)
    return application


def _app_ctx_id() -> int:
    from flask.globals import app_ctx

    return id(app_ctx._get_current_object())


@pytest.fixture
def db_session(app):
    """Each test runs inside one outer transaction that is rolled back at the end.

    Sessions are per app context, as in Flask-SQLAlchemy: the test's own session (data it sets
    up) and each request's session share one connection, each inside its own savepoint. A
    request's commit releases its savepoint; a request's rollback (4xx) cannot undo the
    test's setup data.
    """
    with app.app_context():
        connection = db.engine.connect()
        outer = connection.begin()
        original = db.session
        db.session = scoped_session(
            sessionmaker(bind=connection, join_transaction_mode="create_savepoint"),
            scopefunc=_app_ctx_id)
        try:
            yield db.session
        finally:
            db.session.remove()
            db.session = original
            outer.rollback()
            connection.close()


@pytest.fixture
def client(app, db_session) -> Client:
    return app.test_client()


_FAST_HASH: dict[str, str] = {}
PASSWORD = "mat-khau-thu-nghiem"


def _password_hash() -> str:
    if "h" not in _FAST_HASH:
        from werkzeug.security import generate_password_hash

        _FAST_HASH["h"] = generate_password_hash(PASSWORD)
    return _FAST_HASH["h"]


@pytest.fixture
def create_unit(db_session):
    from danvan.core.units import add_unit

    def make(name: str, kind: str = "xa", parent=None, code: str = "ĐU"):
        return add_unit(name, kind, parent=parent, code=code)

    return make


@pytest.fixture
def create_user(db_session):
    from danvan.auth.models import User

    counter = {"n": 0}

    def make(unit, roles=("officer",), username: str | None = None, full_name: str | None = None):
        counter["n"] += 1
        user = User(username=username or f"u{counter['n']}_{secrets.token_hex(3)}",
                    full_name=full_name or f"Người dùng {counter['n']}", unit=unit, active=True,
                    password_hash=_password_hash(), session_epoch=1)
        user.set_roles(list(roles))
        user.refresh_search_key()
        db_session.add(user)
        db_session.flush()
        return user

    return make


@pytest.fixture
def world(db_session, create_unit, create_user):
    """A small province: P ─ BDV (ban), D1 ─ {D1B (ban), C1, C2}, D2 ─ {C3}, ĐU trực thuộc E."""
    w = SimpleNamespace(create_unit=create_unit, create_user=create_user)
    w.p = create_unit("Tỉnh ủy Thử Nghiệm", "tinh_uy", code="TU")
    w.bdv = create_unit("Ban Dân vận Tỉnh ủy", "ban", w.p, code="BDVTU")
    w.d1 = create_unit("Huyện ủy Ba Bể", "huyen_uy", w.p, code="HU")
    w.d1b = create_unit("Ban Dân vận Huyện ủy Ba Bể", "ban", w.d1, code="BDVHU")
    w.c1 = create_unit("Phường Xuất Hóa", "xa", w.d1)
    w.c2 = create_unit("Xã Nam Mẫu", "xa", w.d1)
    w.d2 = create_unit("Huyện ủy Chợ Đồn", "huyen_uy", w.p, code="HU")
    w.c3 = create_unit("Thị trấn Bằng Lũng", "xa", w.d2)
    w.e = create_unit("Đảng ủy Khối Các cơ quan tỉnh", "dang_uy_truc_thuoc", w.p)
    return w


@pytest.fixture
def login_as(app, db_session, create_user):
    """login_as(role_or_roles, unit) -> a logged-in Client; `.user` is the account."""

    def login(roles, unit, **kwargs) -> Client:
        roles = [roles] if isinstance(roles, str) else list(roles)
        user = create_user(unit, roles, **kwargs)
        c = app.test_client()
        with c.session_transaction() as sess:
            sess["_user_id"] = user.get_id()
            sess["_fresh"] = True
        c.user = user
        return c

    return login


@pytest.fixture
def count_queries(app):
    """with count_queries() as q: ...; q.count is the number of SQL statements executed."""

    @contextmanager
    def counting():
        box = SimpleNamespace(count=0, statements=[])

        def before(conn, cursor, statement, parameters, context, executemany):
            if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK TO")):
                box.count += 1
                box.statements.append(statement)

        with app.app_context():
            engine = db.engine
        db.session.flush()  # the test's own pending setup is not the page's work
        event.listen(engine, "before_cursor_execute", before)
        try:
            yield box
        finally:
            event.remove(engine, "before_cursor_execute", before)

    return counting


@pytest.fixture(autouse=True)
def _fresh_rate_limits(request):
    """Rate-limit and lock-out counters (memory storage, one app per session) start empty in
    every test: the whole suite logs in from 127.0.0.1."""
    if "app" not in request.fixturenames:
        yield
        return
    from danvan.core.security import limiter

    with request.getfixturevalue("app").app_context():
        limiter.reset()
    yield


@pytest.fixture
def run_jobs(app, db_session):
    """run_jobs() -> states: run every queued job here and now, in the test's transaction (the
    real consumer is exercised in tests/test_jobs.py; features' tests need the result only)."""
    from danvan.core import jobs

    def run() -> list[str]:
        db_session.flush()
        ids = list(db_session.scalars(sa.select(jobs.Job.id).where(jobs.Job.state == "queued")
                                      .order_by(jobs.Job.id)))
        db_session.info.pop(jobs.PENDING_KEY, None)
        with app.app_context():
            return [jobs.execute(job_id) for job_id in ids]

    return run


@pytest.fixture
def packet_pdf(run_jobs):
    """packet_pdf(client, conference_id) -> bytes: the packet through its background job."""

    def fetch(client, conference_id: int) -> bytes:
        job_page = client.post_form(f"/hoi-nghi/{conference_id}/bo-tai-lieu.pdf")
        assert job_page.status_code == 303 and run_jobs() == ["done"]
        response = client.get(job_page.headers["Location"] + "/tai-ve")
        assert response.status_code == 200 and response.mimetype == "application/pdf"
        return response.data

    return fetch
