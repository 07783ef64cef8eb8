"""Data versions: which writes bump a scope (ORM flushes, bulk statements through the session), which
do not; cached values follow the version."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import sqlalchemy as sa

from danvan.core import cache
from danvan.notifications.models import Notification
from danvan.programme.models import Programme, Task, TaskGroup


def _programme(world, db_session):
    p = Programme(unit=world.p, title="Đề án phiên bản", title_key="de an phien ban", start_year=2023, end_year=2025)
    g = TaskGroup(programme=p, position=1, title="Nhóm", weight=Decimal(1))
    t = Task(programme=p, group=g, position=1, title="Nhiệm vụ", weight=Decimal(1), level="commune",
             starts_on=date(2023, 1, 1))
    db_session.add_all([p, g, t])
    db_session.flush()
    return t


def test_writes_in_scope_bump_and_others_do_not(world, db_session, create_user):
    task = _programme(world, db_session)
    before = cache.versions(["programme"])
    task.weight = Decimal(2)                     # an ORM update
    db_session.flush()
    after_orm = cache.versions(["programme"])
    assert after_orm != before
    db_session.execute(sa.update(Task).where(Task.id == task.id).values(weight=Decimal(3)))   # a bulk one
    after_bulk = cache.versions(["programme"])
    assert after_bulk != after_orm
    user = create_user(world.c1)
    db_session.add(Notification(user_id=user.id, title="Không liên quan"))
    db_session.flush()
    assert cache.versions(["programme"]) == after_bulk   # another feature's write leaves it alone
    world.c1.name = "Phường Xuất Hóa mới"               # the unit tree decides who is responsible
    db_session.flush()
    assert cache.versions(["programme"]) != after_bulk


def test_cached_value_follows_the_version(world, db_session):
    task = _programme(world, db_session)
    calls = []

    def compute():
        calls.append(1)
        return len(calls)

    assert cache.cached(["programme"], "test:follows", compute) == 1
    assert cache.cached(["programme"], "test:follows", compute) == 1     # served from the cache
    task.title = "Nhiệm vụ đổi tên"
    db_session.flush()
    assert cache.cached(["programme"], "test:follows", compute) == 2     # a write: computed again


def test_code_release_changes_with_the_code(tmp_path):
    (tmp_path / "pkg").mkdir()
    (tmp_path / "templates").mkdir()
    (tmp_path / "pkg" / "rows.py").write_text("class Row:\n    planned: int = 0\n")
    (tmp_path / "templates" / "page.html").write_text("<td>{{ r.planned }}</td>")
    sources = ((tmp_path / "pkg", ("*.py",)), (tmp_path / "templates", ("*.html",)))
    first = cache.sources_digest(sources)
    assert cache.sources_digest(sources) == first                 # the same code: the same keys
    (tmp_path / "pkg" / "rows.py").write_text("class Row:\n    counts: dict\n")
    second = cache.sources_digest(sources)
    assert second != first                                      # a dataclass of another shape
    (tmp_path / "templates" / "page.html").write_text("<td>{{ r.counts['planned'] }}</td>")
    assert cache.sources_digest(sources) not in (first, second)   # a template's other HTML
    (tmp_path / "pkg" / "notes.txt").write_text("not code")
    assert len({first, second, cache.sources_digest(sources)}) == 3


def test_a_value_cached_by_another_release_is_not_read(app):
    """Two releases side by side during a rolling deploy share the Redis of production (the PostgreSQL
    run): the older one's pickled values must not reach the newer one."""
    from danvan import create_app
    from tests.conftest import app_config

    older = create_app(app_config(app.config["SQLALCHEMY_DATABASE_URI"], CACHE_RELEASE="older-release"))
    key = "test:release:value"
    with older.app_context():
        cache.cache.set(key, {"planned": 3})
        assert cache.cache.get(key) == {"planned": 3}
    with app.app_context():
        assert cache.cache.get(key) is None
        if app.config["REDIS_URL"]:
            assert cache.cache.cache.key_prefix == f"danvan:{cache.code_release()}:"
