"""Progress roll-up, computed in SQL with a constant number of queries whatever the number of units.

Rules (shown on every page next to the figures, see `RULES`):
- A report's percentage is derived from what the unit reported (never typed twice): «Chưa triển
  khai» 0 %, «Hoàn thành» 100 %, «Đang thực hiện» value / target (at most 99 %), or 50 % when the
  task has no numeric target.
- For each (task, responsible unit) the latest *accepted* report up to the reference date counts.
  A responsible unit without one counts as 0 % and is shown separately as «chưa báo cáo».
- Task progress = average over its responsible units in the viewer's scope.
- Group progress = Σ(task weight × task progress) / Σ task weight, over counted tasks.
- Programme progress = Σ(group weight × group progress) / Σ group weight, over counted groups.
- Not counted («không tính», distinct from 0 %): a task with weight 0, a task not started by the
  reference date, a task with no responsible unit in scope; a group with no counted task or weight
  0; a programme with no counted group.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import sqlalchemy as sa

from danvan.core.units import Unit
from danvan.core.vntext import fmt_number
from danvan.extensions import db
from danvan.programme.models import LEVEL_KINDS, Programme, ProgressReport, Task, TaskGroup

IN_PROGRESS_DEFAULT = Decimal(50)
IN_PROGRESS_CAP = Decimal(99)

RULES = [
    "Tỷ lệ của một báo cáo: «Chưa triển khai» 0 %, «Hoàn thành» 100 %, «Đang thực hiện» = giá trị đạt được "
    "/ chỉ tiêu (tối đa 99 %), hoặc 50 % nếu nhiệm vụ không có chỉ tiêu định lượng.",
    "Với mỗi nhiệm vụ và mỗi đơn vị thực hiện, tính báo cáo đã được duyệt của kỳ gần nhất (đến ngày tham chiếu).",
    "Đơn vị chưa có báo cáo được duyệt tính 0 % và được đếm riêng là «chưa báo cáo».",
    "Tiến độ nhiệm vụ = trung bình tỷ lệ của các đơn vị thực hiện trong phạm vi.",
    "Tiến độ nhóm = Σ(trọng số × tiến độ nhiệm vụ) / Σ trọng số; tiến độ Đề án = Σ(trọng số nhóm × tiến độ "
    "nhóm) / Σ trọng số nhóm.",
    "«Không tính» (khác 0 %): nhiệm vụ trọng số 0, chưa đến ngày bắt đầu, hoặc không có đơn vị thực hiện "
    "trong phạm vi; nhóm không có nhiệm vụ được tính.",
]


def report_percent(status: str, value: Decimal | None, target: Decimal | None) -> Decimal:
    if status == "xong":
        return Decimal(100)
    if status == "chua":
        return Decimal(0)
    if target and value is not None:
        return min(IN_PROGRESS_CAP, (Decimal(value) * 100 / Decimal(target)).quantize(Decimal("0.01")))
    return IN_PROGRESS_DEFAULT


def pct(value: float | None) -> str:
    return "không tính" if value is None else f"{fmt_number(value, 1)} %"


@dataclass
class TaskFigure:
    task: Task
    expected: int = 0
    reported: int = 0
    total: float = 0.0
    reason: str = ""

    @property
    def missing(self) -> int:
        return self.expected - self.reported

    @property
    def progress(self) -> float | None:
        return None if self.reason or not self.expected else self.total / self.expected

    @property
    def formula(self) -> str:
        if self.progress is None:
            return f"Không tính: {self.reason}"
        text = f"{fmt_number(self.total, 1)} / {self.expected} đơn vị = {pct(self.progress)}"
        if self.missing:
            text += f" ({self.missing} đơn vị chưa báo cáo, tính 0 %)"
        return text


@dataclass
class GroupFigure:
    group: TaskGroup
    tasks: list[TaskFigure] = field(default_factory=list)
    weighted: float = 0.0
    weights: float = 0.0
    expected: int = 0
    reported: int = 0

    @property
    def progress(self) -> float | None:
        if float(self.group.weight) <= 0 or self.weights <= 0:
            return None
        return self.weighted / self.weights

    @property
    def missing(self) -> int:
        return self.expected - self.reported

    @property
    def formula(self) -> str:
        if float(self.group.weight) <= 0:
            return "Không tính: trọng số nhóm bằng 0"
        counted = [t for t in self.tasks if t.progress is not None]
        if not counted and self.weights <= 0:
            return "Không tính: nhóm không có nhiệm vụ được tính"
        if counted:
            terms = " + ".join(f"{fmt_number(float(t.task.weight), 1)}×{fmt_number(t.progress, 1)}" for t in counted)
            return f"({terms}) / {fmt_number(self.weights, 1)} = {pct(self.progress)}"
        return f"{fmt_number(self.weighted, 1)} / {fmt_number(self.weights, 1)} = {pct(self.progress)}"


@dataclass
class ProgrammeFigure:
    groups: list[GroupFigure]

    @property
    def counted(self) -> list[GroupFigure]:
        return [g for g in self.groups if g.progress is not None]

    @property
    def progress(self) -> float | None:
        weights = sum(float(g.group.weight) for g in self.counted)
        if weights <= 0:
            return None
        return sum(float(g.group.weight) * g.progress for g in self.counted) / weights

    @property
    def formula(self) -> str:
        if self.progress is None:
            return "Không tính: chưa có nhóm nhiệm vụ nào được tính"
        terms = " + ".join(f"{fmt_number(float(g.group.weight), 1)}×{fmt_number(g.progress, 1)}" for g in self.counted)
        weights = sum(float(g.group.weight) for g in self.counted)
        return f"({terms}) / {fmt_number(weights, 1)} = {pct(self.progress)}"

    @property
    def expected(self) -> int:
        return sum(g.expected for g in self.groups)

    @property
    def reported(self) -> int:
        return sum(g.reported for g in self.groups)


def programme_figure(groups: list[GroupFigure]) -> ProgrammeFigure:
    return ProgrammeFigure(groups)


# ---------------------------------------------------------------- SQL


def _valid_on(as_of: date):
    return sa.and_(Unit.valid_from <= as_of, sa.or_(Unit.valid_to.is_(None), Unit.valid_to >= as_of))


def responsible(programme: Programme, root: Unit, as_of: date):
    """(task_id, group_id, weight, unit_id, unit_path, bucket_id) for every counted task × responsible unit
    in scope. bucket_id is the unit's ancestor directly under root (or root itself), read from the parent
    chain rather than by prefix-matching paths, so grouping stays a plain GROUP BY."""
    level_match = sa.or_(
        sa.and_(Task.level == "province", Unit.id == programme.unit_id),
        sa.and_(Task.level == "district", Unit.kind.in_(LEVEL_KINDS["district"])),
        sa.and_(Task.level == "commune", Unit.kind.in_(LEVEL_KINDS["commune"])),
    )
    parent = sa.orm.aliased(Unit)
    bucket = sa.case(
        (Unit.depth <= root.depth + 1, Unit.id),
        (Unit.depth == root.depth + 2, Unit.parent_id),
        else_=parent.parent_id,
    )
    return (
        sa.select(Task.id.label("task_id"), Task.group_id.label("group_id"), Task.weight.label("weight"),
                  Unit.id.label("unit_id"), Unit.path.label("unit_path"), bucket.label("bucket_id"))
        .select_from(Task).join(Unit, level_match).outerjoin(parent, parent.id == Unit.parent_id)
        .where(Task.programme_id == programme.id, Task.weight > 0, Task.starts_on <= as_of,
               Unit.path.startswith(programme.unit.path, autoescape=True),
               Unit.path.startswith(root.path, autoescape=True), _valid_on(as_of))
    )


def _latest_window(programme: Programme, root: Unit, as_of: date):
    """The latest accepted report per (task, unit) up to as_of, by a window function (rn = 1).
    Only the reports of units under `root` are ranked: a province's page does not rank the nation's."""
    rn = sa.func.row_number().over(partition_by=(ProgressReport.task_id, ProgressReport.unit_id),
                                   order_by=(ProgressReport.period_end.desc(), ProgressReport.id.desc()))
    return (
        sa.select(ProgressReport.task_id, ProgressReport.unit_id, ProgressReport.percent, rn.label("rn"))
        .where(ProgressReport.state == "accepted", ProgressReport.period_end <= as_of,
               ProgressReport.task_id.in_(sa.select(Task.id).where(Task.programme_id == programme.id)),
               ProgressReport.unit_id.in_(sa.select(Unit.id).where(Unit.path.startswith(root.path,
                                                                                       autoescape=True))))
        .subquery("latest")
    )


def _cells(programme: Programme, root: Unit, as_of: date):
    """Every counted (task, responsible unit) with the percent of its latest accepted report (or NULL).

    PostgreSQL ranks the reports once with a window function and hash-joins; SQLite (no hash join on
    a subquery) picks each unit's latest report with an index-driven correlated subquery. Same result."""
    resp = responsible(programme, root, as_of).subquery("resp")
    if db.session.get_bind().dialect.name == "postgresql":
        latest = _latest_window(programme, root, as_of)
        joined = resp.outerjoin(latest, sa.and_(latest.c.task_id == resp.c.task_id,
                                                latest.c.unit_id == resp.c.unit_id, latest.c.rn == 1))
        return resp, latest, sa.select(resp, latest.c.percent).select_from(joined).subquery("cells")
    r2 = sa.orm.aliased(ProgressReport)
    latest_id = (sa.select(r2.id)
                 .where(r2.task_id == resp.c.task_id, r2.unit_id == resp.c.unit_id, r2.state == "accepted",
                        r2.period_end <= as_of)
                 .order_by(r2.period_end.desc(), r2.id.desc()).limit(1).correlate(resp).scalar_subquery())
    cells = (
        sa.select(resp, ProgressReport.percent)
        .select_from(resp.outerjoin(ProgressReport, ProgressReport.id == latest_id))
        .subquery("cells")
    )
    return resp, None, cells


def task_totals(programme: Programme, root: Unit, as_of: date) -> dict[int, tuple[int, int, float]]:
    """task_id → (expected units, reported units, Σ percent) for the whole scope: one query."""
    _, _, cells = _cells(programme, root, as_of)
    stmt = (sa.select(cells.c.task_id, sa.func.count(), sa.func.count(cells.c.percent),
                      sa.cast(sa.func.coalesce(sa.func.sum(cells.c.percent), 0), sa.Float))
            .group_by(cells.c.task_id))
    return {tid: (int(n), int(r), float(s)) for tid, n, r, s in db.session.execute(stmt)}


def group_cells(programme: Programme, root: Unit, as_of: date, bucket: str):
    """(bucket unit id, group_id) → (Σ w·p, Σ w, expected, reported) in one query.

    bucket "child": each unit directly under `root` (its subtree aggregated; root's own tasks under root);
    bucket "unit": each responsible unit itself (communes as rows)."""
    _, _, cells = _cells(programme, root, as_of)
    bucket_id = cells.c.unit_id if bucket == "unit" else cells.c.bucket_id
    base = sa.select(bucket_id.label("bucket_id"), cells.c.task_id, cells.c.group_id, cells.c.weight,
                     cells.c.percent).select_from(cells)
    base = base.subquery("base")
    per_task = (
        sa.select(base.c.bucket_id, base.c.group_id, base.c.task_id,
                  sa.cast(base.c.weight, sa.Float).label("w"),
                  (sa.cast(sa.func.coalesce(sa.func.sum(base.c.percent), 0), sa.Float)
                   / sa.func.count()).label("p"),
                  sa.func.count().label("n"), sa.func.count(base.c.percent).label("r"))
        .group_by(base.c.bucket_id, base.c.group_id, base.c.task_id, base.c.weight)
        .subquery("per_task")
    )
    stmt = (sa.select(per_task.c.bucket_id, per_task.c.group_id, sa.func.sum(per_task.c.w * per_task.c.p),
                      sa.func.sum(per_task.c.w), sa.func.sum(per_task.c.n), sa.func.sum(per_task.c.r))
            .group_by(per_task.c.bucket_id, per_task.c.group_id))
    return {(b, g): (float(wp or 0), float(w or 0), int(n or 0), int(r or 0))
            for b, g, wp, w, n, r in db.session.execute(stmt)}


# ---------------------------------------------------------------- assembled figures


def load_structure(programme: Programme) -> list[TaskGroup]:
    groups = list(db.session.scalars(
        sa.select(TaskGroup).where(TaskGroup.programme_id == programme.id)
        .options(sa.orm.selectinload(TaskGroup.tasks)).order_by(TaskGroup.position, TaskGroup.id)))
    return groups


def _task_reason(task: Task, as_of: date, expected: int) -> str:
    if float(task.weight) <= 0:
        return "trọng số bằng 0"
    if task.starts_on > as_of:
        return f"chưa đến ngày bắt đầu ({task.starts_on:%d/%m/%Y})"
    if not expected:
        return "không có đơn vị thực hiện trong phạm vi"
    return ""


def figures(programme: Programme, root: Unit, as_of: date) -> ProgrammeFigure:
    """Task, group and programme progress for the viewer's scope: two queries."""
    groups = load_structure(programme)
    totals = task_totals(programme, root, as_of)
    out = []
    for group in groups:
        gf = GroupFigure(group)
        for task in group.tasks:
            n, r, s = totals.get(task.id, (0, 0, 0.0))
            tf = TaskFigure(task, expected=n, reported=r, total=s, reason=_task_reason(task, as_of, n))
            gf.tasks.append(tf)
            if tf.progress is not None:
                gf.weighted += float(task.weight) * tf.progress
                gf.weights += float(task.weight)
                gf.expected += n
                gf.reported += r
        out.append(gf)
    return ProgrammeFigure(out)


@dataclass
class HeatRow:
    unit: sa.Row   # id, name, path
    cells: dict[int, float | None]
    missing: int
    expected: int
    progress: float | None


def heatmap(programme: Programme, root: Unit, as_of: date, bucket: str, groups: list[TaskGroup]) -> list[HeatRow]:
    """Units × task groups; the bucket units are read in one more query."""
    data = group_cells(programme, root, as_of, bucket)
    ids = sorted({b for b, _ in data})
    # plain rows (id, name, path), not ORM objects: at national scale there are thousands
    units = {u.id: u for u in db.session.execute(sa.select(Unit.id, Unit.name, Unit.path)
                                                 .where(Unit.id.in_(ids)))} if ids else {}
    rows = []
    for uid in ids:
        cells: dict[int, float | None] = {}
        weighted = weights = 0.0
        missing = expected = 0
        for g in groups:
            wp, w, n, r = data.get((uid, g.id), (0.0, 0.0, 0, 0))
            value = wp / w if w > 0 and float(g.weight) > 0 else None
            cells[g.id] = value
            if value is not None:
                weighted += float(g.weight) * value
                weights += float(g.weight)
                missing += n - r
                expected += n
        rows.append(HeatRow(units[uid], cells, missing, expected, weighted / weights if weights else None))
    return rows
