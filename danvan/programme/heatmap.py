"""The heatmap: units × task groups, one page of rows per query, sorted, searched and counted in SQL.

Nobody reads 3,321 communes at once: the database aggregates cells → tasks → groups → unit rows,
ranks them (slowest first or by name), filters by an accent-folded name search, counts the exact
total and the rows under the threshold with window functions, and returns only the page's rows
with their group cells and names (joined, never a list of ids). Cached per data version.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from danvan.core import cache
from danvan.core.models import by_name
from danvan.core.units import Unit
from danvan.core.vntext import matches
from danvan.extensions import db
from danvan.programme.models import Programme, TaskGroup
from danvan.programme.rollup import cells
from danvan.programme.summary import SCOPE


@dataclass
class HeatUnit:
    id: int
    name: str
    path: str


@dataclass
class HeatRow:
    unit: HeatUnit
    cells: dict[int, float | None]
    missing: int
    expected: int
    progress: float | None


@dataclass
class HeatPage:
    rows: list[HeatRow]
    total: int        # rows matching the search, over every page
    lagging: int      # of those, rows under the programme's threshold


def _row_query(programme: Programme, root: Unit, as_of: date, bucket: str, source: str | None,
               current_structure: bool = False):
    """(bucket_id, group_id, Σw·p, Σw, expected, reported, group weight) per unit row and group."""
    c = cells(programme, root, as_of, source=source, current_structure=current_structure)
    bucket_id = c.c.unit_id if bucket == "unit" else c.c.bucket_id
    per_task = (
        sa.select(bucket_id.label("bucket_id"), c.c.group_id, c.c.task_id,
                  sa.cast(c.c.weight, sa.Float).label("w"),
                  (sa.cast(sa.func.coalesce(sa.func.sum(c.c.percent), 0), sa.Float) / sa.func.count()).label("p"),
                  sa.func.count().label("n"), sa.func.count(c.c.percent).label("r"))
        .group_by(bucket_id, c.c.group_id, c.c.task_id, c.c.weight).subquery("per_task"))
    gw = sa.cast(TaskGroup.weight, sa.Float)
    return (
        sa.select(per_task.c.bucket_id, per_task.c.group_id, sa.func.sum(per_task.c.w * per_task.c.p).label("wp"),
                  sa.func.sum(per_task.c.w).label("ws"), sa.func.sum(per_task.c.n).label("n"),
                  sa.func.sum(per_task.c.r).label("r"), gw.label("gw"))
        .join(TaskGroup, TaskGroup.id == per_task.c.group_id)
        .group_by(per_task.c.bucket_id, per_task.c.group_id, TaskGroup.weight)
        .cte("per_group"))


def _order(sort: str, progress, name_order, ident) -> tuple:
    """«Theo tên»: Vietnamese alphabetical order (core.models.by_name); «Chậm nhất trước»: by progress."""
    if sort == "lag":
        return progress.asc().nulls_last(), name_order, ident
    return name_order, ident


def _page(programme: Programme, root: Unit, as_of: date, bucket: str, *, sort: str, q: str,
          offset: int, limit: int | None, source: str | None = None, current_structure: bool = False) -> HeatPage:
    per_group = _row_query(programme, root, as_of, bucket, source, current_structure)
    counted = sa.and_(per_group.c.ws > 0, per_group.c.gw > 0)
    gp = per_group.c.wp / per_group.c.ws
    sums = (sa.select(per_group.c.bucket_id,
                      sa.func.sum(sa.case((counted, per_group.c.gw * gp), else_=0)).label("gsum"),
                      sa.func.sum(sa.case((counted, per_group.c.gw), else_=0)).label("gws"),
                      sa.func.sum(sa.case((counted, per_group.c.n - per_group.c.r), else_=0)).label("missing"),
                      sa.func.sum(sa.case((counted, per_group.c.n), else_=0)).label("expected"))
            .group_by(per_group.c.bucket_id).subquery("sums"))
    progress = sa.case((sums.c.gws > 0, sums.c.gsum / sums.c.gws), else_=None)
    lagging = sa.case((progress < float(programme.lagging_below), 1), else_=0)
    ranked = (sa.select(sums.c.bucket_id, Unit.name, Unit.path, Unit.sort_key, sums.c.missing, sums.c.expected,
                        progress.label("progress"), sa.func.count().over().label("total"),
                        sa.func.sum(lagging).over().label("lagging"))
              .join(Unit, Unit.id == sums.c.bucket_id))
    if (found := matches(q, Unit.name_key)) is not None:
        ranked = ranked.where(found)
    page = (ranked.order_by(*_order(sort, progress, by_name(Unit), Unit.id))
            .offset(offset).limit(limit).subquery("page"))
    # the page's rows with their group cells, in the page's order: one more join, no id list
    stmt = (sa.select(page, per_group.c.group_id, per_group.c.wp, per_group.c.ws, per_group.c.gw)
            .outerjoin(per_group, per_group.c.bucket_id == page.c.bucket_id)
            .order_by(*_order(sort, page.c.progress, by_name(page), page.c.bucket_id)))
    rows: dict[int, HeatRow] = {}
    total = lagging_count = 0
    for r in db.session.execute(stmt):
        total, lagging_count = int(r.total), int(r.lagging or 0)
        row = rows.get(r.bucket_id)
        if row is None:
            row = rows[r.bucket_id] = HeatRow(HeatUnit(r.bucket_id, r.name, r.path), {}, int(r.missing or 0),
                                              int(r.expected or 0), None if r.progress is None else float(r.progress))
        if r.group_id is not None:
            row.cells[r.group_id] = r.wp / r.ws if r.ws and r.ws > 0 and r.gw > 0 else None
    return HeatPage(list(rows.values()), total, lagging_count)


def heat_page(programme: Programme, root: Unit, as_of: date, bucket: str, *, sort: str = "name", q: str = "",
              page: int = 1, per_page: int = 50, current_structure: bool = False) -> HeatPage:
    """One page of heatmap rows, cached per data version; groups with no cell show «—»."""
    key = f"heat:{programme.id}:{root.id}:{as_of.isoformat()}:{bucket}:{sort}:{page}:{per_page}:{q}:{current_structure}"
    return cache.cached([SCOPE], key, lambda: _page(programme, root, as_of, bucket, sort=sort, q=q,
                                                    offset=(page - 1) * per_page, limit=per_page,
                                                    current_structure=current_structure))


def heatmap(programme: Programme, root: Unit, as_of: date, bucket: str, groups: list[TaskGroup], *,
            source: str | None = None) -> list[HeatRow]:
    """Every row (sơ kết drafts, tests): units in Vietnamese alphabetical order."""
    rows = _page(programme, root, as_of, bucket, sort="name", q="", offset=0, limit=None, source=source).rows
    for row in rows:
        for g in groups:
            row.cells.setdefault(g.id, None)
    return rows
