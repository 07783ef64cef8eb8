"""The maintained roll-up summary (`progress_latest`) and the programme data version.

Kept by a session `after_flush` hook, so every path that changes a progress report — the workflow
(accept, reopen), a service edit, a unit merge moving work, a test or a script using the ORM —
rewrites the affected (task, unit) rows in the same transaction, and nothing has to remember to.
Bulk inserts (demo seeding, the benchmark) bypass the ORM: they call `rebuild()` afterwards.

The same hook bumps the "programme" data version (core/cache.py) on any change that can move a
figure: a counted report, a task, a group, a programme, or the organisation tree (who is responsible).
"""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session

from danvan.core import cache
from danvan.core.units import Unit
from danvan.programme.models import ProgressLatest, ProgressReport, Task

SCOPE = "programme"
# Changes to these columns of a report can change which report is latest-accepted, or its value.
_WATCHED = ("state", "percent", "unit_id", "task_id", "period_end")
# Any write to the structure or the unit tree moves figures; report writes are judged by `_maintain`
# (a draft saved moves nothing), so they are not bumped wholesale.
cache.declare(SCOPE)
cache.watch(Unit, SCOPE)
cache.unwatch(ProgressReport)


def _latest_select(pairs_filter) -> sa.Select:
    """(task_id, unit_id, report_id, period_end, percent) of the latest accepted report per pair."""
    r = ProgressReport.__table__
    rn = sa.func.row_number().over(partition_by=(r.c.task_id, r.c.unit_id),
                                   order_by=(r.c.period_end.desc(), r.c.id.desc()))
    ranked = (sa.select(r.c.task_id, r.c.unit_id, r.c.id.label("report_id"), r.c.period_end, r.c.percent,
                        rn.label("rn"))
              .where(r.c.state == "accepted", pairs_filter).subquery("ranked"))
    return sa.select(ranked.c.task_id, ranked.c.unit_id, ranked.c.report_id, ranked.c.period_end,
                     ranked.c.percent).where(ranked.c.rn == 1)


def refresh(conn: sa.Connection, pairs: set[tuple[int, int]]) -> None:
    """Rewrite the summary rows of the given (task, unit) pairs from the reports: two statements."""
    if not pairs:
        return
    r = ProgressReport.__table__
    s = ProgressLatest.__table__
    chosen = sa.tuple_(s.c.task_id, s.c.unit_id).in_(sorted(pairs))
    conn.execute(sa.delete(s).where(chosen))
    source = _latest_select(sa.tuple_(r.c.task_id, r.c.unit_id).in_(sorted(pairs)))
    conn.execute(sa.insert(s).from_select(["task_id", "unit_id", "report_id", "period_end", "percent"], source))


def rebuild(conn: sa.Connection, programme_id: int | None = None) -> None:
    """Recompute the summary from scratch (after bulk loads), for one programme or all."""
    r = ProgressReport.__table__
    s = ProgressLatest.__table__
    if programme_id is None:
        conn.execute(sa.delete(s))
        where = sa.true()
    else:
        tasks = sa.select(Task.id).where(Task.programme_id == programme_id)
        conn.execute(sa.delete(s).where(s.c.task_id.in_(tasks)))
        where = r.c.task_id.in_(tasks)
    conn.execute(sa.insert(s).from_select(["task_id", "unit_id", "report_id", "period_end", "percent"],
                                          _latest_select(where)))
    cache.bump([SCOPE], conn)


def recompute(conn: sa.Connection) -> set[tuple]:
    """The summary as a full recomputation would make it (tests compare the two)."""
    return {tuple(row) for row in conn.execute(_latest_select(sa.true()))}


def _changed_pairs(session: Session) -> set[tuple[int, int]]:
    pairs: set[tuple[int, int]] = set()
    for obj in session.new | session.deleted:
        if isinstance(obj, ProgressReport) and obj.state == "accepted":
            pairs.add((obj.task_id, obj.unit_id))
    for obj in session.dirty:
        if not isinstance(obj, ProgressReport):
            continue
        state = sa.inspect(obj)
        if not any(state.attrs[name].history.has_changes() for name in _WATCHED):
            continue
        if "accepted" not in (obj.state, *state.attrs.state.history.deleted):
            continue  # a draft or a pending report changed: no figure moves
        old_task = state.attrs.task_id.history.deleted or [obj.task_id]
        old_unit = state.attrs.unit_id.history.deleted or [obj.unit_id]
        pairs.add((old_task[0], old_unit[0]))
        pairs.add((obj.task_id, obj.unit_id))
    return {p for p in pairs if None not in p}


@event.listens_for(Session, "after_flush")
def _maintain(session: Session, flush_context) -> None:
    pairs = _changed_pairs(session)
    if not pairs:
        return
    conn = session.connection()
    refresh(conn, pairs)
    cache.bump([SCOPE], conn)
