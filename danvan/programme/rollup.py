"""Progress roll-up, computed in SQL with a constant number of queries whatever the number of units.

Rules (shown on every page next to the figures, see `RULES`):
- A report's percentage is derived from what the unit reported (never typed twice): «Chưa triển
  khai» 0 %, «Hoàn thành» 100 %, «Đang thực hiện» value / target (at most 99 %), or 50 % when the
  task has no numeric target.
- For each (task, responsible unit) the latest *accepted* report up to the reference date counts.
  For today it is read from the maintained summary (programme/summary.py): the latest accepted
  report, whatever its period; a past reference date recomputes from the reports.
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

from danvan.core import cache, structure
from danvan.core.units import Unit, within
from danvan.core.vntext import fmt_number, today_local
from danvan.extensions import db
from danvan.programme.models import LEVEL_KINDS, Programme, ProgressLatest, ProgressReport, Task, TaskGroup
from danvan.programme.summary import SCOPE

IN_PROGRESS_DEFAULT = Decimal(50)
IN_PROGRESS_CAP = Decimal(99)

RULES = [
    "Tỷ lệ của một báo cáo: «Chưa triển khai» 0 %, «Hoàn thành» 100 %, «Đang thực hiện» = giá trị đạt được "
    "/ chỉ tiêu (tối đa 99 %), hoặc 50 % nếu nhiệm vụ không có chỉ tiêu định lượng.",
    "Với mỗi nhiệm vụ và mỗi đơn vị thực hiện, tính báo cáo đã được duyệt của kỳ gần nhất (đến ngày tham chiếu; "
    "tính đến hôm nay thì kể cả kỳ đang diễn ra).",
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
    """(task_id, group_id, weight, unit_id, bucket_id) for every counted task × responsible unit in scope.

    The scope comes first: a range on the unit path (`within`, the unit path index), so a province's page
    reads its own units only. bucket_id is the unit's ancestor directly under root (or root itself), read
    from the parent chain rather than by prefix-matching paths, so grouping stays a plain GROUP BY."""
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
                  Unit.id.label("unit_id"), bucket.label("bucket_id"))
        .select_from(Unit).join(Task, level_match).outerjoin(parent, parent.id == Unit.parent_id)
        .where(within(Unit.path, root.path), within(Unit.path, programme.unit.path),
               Task.programme_id == programme.id, Task.weight > 0, Task.starts_on <= as_of, _valid_on(as_of))
    )


def _history_cells(resp, programme: Programme, as_of: date):
    """Cells from the reports themselves: the latest accepted one up to as_of (past reference dates).
    PostgreSQL ranks the scope's reports once with a window function; SQLite picks each cell's latest
    report with an index-driven correlated subquery. Same result."""
    if db.session.get_bind().dialect.name == "postgresql":
        rn = sa.func.row_number().over(partition_by=(ProgressReport.task_id, ProgressReport.unit_id),
                                       order_by=(ProgressReport.period_end.desc(), ProgressReport.id.desc()))
        scope_units = sa.select(resp.c.unit_id).distinct()
        latest = (sa.select(ProgressReport.task_id, ProgressReport.unit_id, ProgressReport.percent, rn.label("rn"))
                  .where(ProgressReport.state == "accepted", ProgressReport.period_end <= as_of,
                         ProgressReport.task_id.in_(sa.select(Task.id).where(Task.programme_id == programme.id)),
                         ProgressReport.unit_id.in_(scope_units))
                  .subquery("latest"))
        joined = resp.outerjoin(latest, sa.and_(latest.c.task_id == resp.c.task_id,
                                                latest.c.unit_id == resp.c.unit_id, latest.c.rn == 1))
        return sa.select(resp, latest.c.percent).select_from(joined).subquery("cells")
    r2 = sa.orm.aliased(ProgressReport)
    latest_id = (sa.select(r2.id)
                 .where(r2.task_id == resp.c.task_id, r2.unit_id == resp.c.unit_id, r2.state == "accepted",
                        r2.period_end <= as_of)
                 .order_by(r2.period_end.desc(), r2.id.desc()).limit(1).correlate(resp).scalar_subquery())
    return (sa.select(resp, ProgressReport.percent)
            .select_from(resp.outerjoin(ProgressReport, ProgressReport.id == latest_id)).subquery("cells"))


def uses_summary(as_of: date) -> bool:
    """Today (or later) reads the maintained summary; a past reference date reads the history."""
    return as_of >= today_local()


def cells(programme: Programme, root: Unit, as_of: date, *, source: str | None = None,
          current_structure: bool = False):
    """Every counted (task, responsible unit) in scope with the percent of its latest accepted report
    (NULL when none): from the summary table for today, from the reports for a past date.

    `current_structure` («theo cơ cấu hiện tại», core/structure.py) reads today's summary only: a unit
    formed by a merge that has not reported a task yet carries the average of its predecessors' latest
    reports on it. A past reference date shows the units of that date, so it has nothing to fold."""
    resp = responsible(programme, root, as_of).subquery("resp")
    source = source or ("summary" if uses_summary(as_of) else "history")
    if source == "history":
        return _history_cells(resp, programme, as_of)
    latest = ProgressLatest.__table__
    joined = resp.outerjoin(latest, sa.and_(latest.c.task_id == resp.c.task_id, latest.c.unit_id == resp.c.unit_id))
    percent = latest.c.percent
    if current_structure:
        merged, prev = structure.successor_map(), latest.alias("inherited")
        inherited = (sa.select(sa.func.avg(prev.c.percent))
                     .select_from(prev.join(merged, merged.c.unit_id == prev.c.unit_id))
                     .where(merged.c.current_id == resp.c.unit_id, prev.c.task_id == resp.c.task_id)
                     .scalar_subquery())
        percent = sa.func.coalesce(latest.c.percent, inherited).label("percent")
    return sa.select(resp, percent).select_from(joined).subquery("cells")


# task id -> (responsible units, those with an accepted report, sum of their percents)
Totals = dict[int, tuple[int, int, float]]


def task_totals(programme: Programme, root: Unit, as_of: date, *, source: str | None = None
                ) -> Totals:
    """task_id → (expected units, reported units, Σ percent) for the whole scope: one query."""
    c = cells(programme, root, as_of, source=source)
    stmt = (sa.select(c.c.task_id, sa.func.count(), sa.func.count(c.c.percent),
                      sa.cast(sa.func.coalesce(sa.func.sum(c.c.percent), 0), sa.Float))
            .group_by(c.c.task_id))
    return {tid: (int(n), int(r), float(s)) for tid, n, r, s in db.session.execute(stmt)}


def task_totals_key(programme: Programme, root: Unit, as_of: date) -> str:
    """The cache key of task_totals (shared with the timeline's batch, programme/trends.py)."""
    return f"rollup:tasks:{programme.id}:{root.id}:{as_of.isoformat()}"


def cached_task_totals(programme: Programme, root: Unit, as_of: date) -> Totals:
    return cache.cached([SCOPE], task_totals_key(programme, root, as_of), lambda: task_totals(programme, root, as_of))


# ---------------------------------------------------------------- assembled figures


def load_structure(programme: Programme) -> list[TaskGroup]:
    """Groups and their tasks in one query (a few dozen rows: joined, not a second round trip)."""
    return list(db.session.scalars(
        sa.select(TaskGroup).where(TaskGroup.programme_id == programme.id)
        .options(sa.orm.joinedload(TaskGroup.tasks)).order_by(TaskGroup.position, TaskGroup.id)).unique())


def _task_reason(task: Task, as_of: date, expected: int) -> str:
    if float(task.weight) <= 0:
        return "trọng số bằng 0"
    if task.starts_on > as_of:
        return f"chưa đến ngày bắt đầu ({task.starts_on:%d/%m/%Y})"
    if not expected:
        return "không có đơn vị thực hiện trong phạm vi"
    return ""


def figures(programme: Programme, root: Unit, as_of: date, *, totals: Totals | None = None,
            groups: list[TaskGroup] | None = None) -> ProgrammeFigure:
    """Task, group and programme progress for the viewer's scope: the structure (one query, or `groups`
    already loaded) and the task totals (one query, cached per data version)."""
    groups = load_structure(programme) if groups is None else groups
    totals = cached_task_totals(programme, root, as_of) if totals is None else totals
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
class Headline:
    progress: float | None
    formula: str


def headline(programme: Programme, root: Unit, as_of: date) -> Headline:
    """The programme's overall figure for list rows and panels: cached, no structure loaded on a hit."""
    def compute() -> Headline:
        figure = figures(programme, root, as_of)
        return Headline(figure.progress, figure.formula)

    return cache.cached([SCOPE], f"rollup:headline:{programme.id}:{root.id}:{as_of.isoformat()}", compute)
