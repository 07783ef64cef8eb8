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
