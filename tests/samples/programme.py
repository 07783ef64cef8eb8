"""Samples for the Đề án tracker routes: programmes issued by C1 (own) and C3 (other)."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from danvan.extensions import db
from danvan.programme.models import Programme, ProgressReport, Task, TaskGroup


def _make(unit):
    programme = Programme(unit=unit, title=f"Đề án thử {unit.name}", title_key="de an thu", start_year=2023,
                          end_year=2025)
    group = TaskGroup(programme=programme, position=1, title="Nhóm 1", weight=Decimal(1))
    task = Task(programme=programme, group=group, position=1, title="Nhiệm vụ 1", weight=Decimal(1),
                level="province", starts_on=date(2023, 1, 1))
    db.session.add_all([programme, group, task])
    db.session.flush()
    report = ProgressReport(task=task, unit=unit, period_kind="nam", year=2023, number=1,
                            period_end=date(2023, 12, 31), status="dang", percent=Decimal(50), narrative="x",
                            state="draft")
    db.session.add(report)
    db.session.flush()
    return programme, group, task, report


def _pair(world, index):
    if not hasattr(world, "_programme_samples"):
        world._programme_samples = (_make(world.c1), _make(world.c3))
    own, other = world._programme_samples
    return own[index].id, other[index].id


SAMPLES = {
    "programme_id": lambda w: _pair(w, 0),
    "task_group_id": lambda w: _pair(w, 1),
    "task_id": lambda w: _pair(w, 2),
    "progress_id": lambda w: _pair(w, 3),
}
