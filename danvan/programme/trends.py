"""What the Đề án charts draw: group progress at the end of each report period, units by progress band.

Both use the roll-up's own rules (rollup.py), so a chart never disagrees with the figures beside it:
the timeline is the roll-up taken as of each period's end (the latest accepted report up to that day),
the bands count the responsible units of the heatmap («Đơn vị» level) by their overall progress.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from danvan.core import cache
from danvan.core.units import Unit, within
from danvan.core.vntext import fmt_date
from danvan.extensions import db
from danvan.programme import heatmap, rollup
from danvan.programme.models import Programme, ProgressReport, Task
from danvan.programme.summary import SCOPE

MAX_PERIODS = 12
BANDS = (("none", "Chưa báo cáo"), ("low", "Dưới 50 %"), ("mid", "Từ 50 % đến dưới 80 %"),
         ("high", "Từ 80 % trở lên"))


@dataclass
class Timeline:
    periods: list[str]                                   # "30/06/2024": the day each period ends
    groups: list[tuple[str, str, list[float | None]]]    # (short, full name, progress per period)


def period_ends(programme: Programme, root: Unit, as_of: date) -> list[date]:
    """The ends of the periods with accepted reports in scope up to as_of, the latest MAX_PERIODS."""
    stmt = (sa.select(ProgressReport.period_end).distinct()
            .where(ProgressReport.state == "accepted", ProgressReport.period_end <= as_of,
                   ProgressReport.task_id.in_(sa.select(Task.id).where(Task.programme_id == programme.id)),
                   ProgressReport.unit_id.in_(sa.select(Unit.id).where(Unit.path.startswith(root.path,
                                                                                           autoescape=True))))
            .order_by(ProgressReport.period_end.desc()).limit(MAX_PERIODS))
    return sorted(db.session.scalars(stmt))


def timeline(programme: Programme, root: Unit, as_of: date) -> Timeline:
    """Each group's progress as of each period end (None: not counted then)."""
    ends = period_ends(programme, root, as_of)
    structure = rollup.load_structure(programme) if ends else []   # once for every period
    figures = [rollup.figures(programme, root, end, groups=structure, totals=totals)
               for end, totals in zip(ends, totals_at(programme, root, ends), strict=True)]
    groups = []
    for i, g in enumerate(figures[0].groups if figures else []):
        groups.append((f"Nhóm {g.group.position}", f"{g.group.position}. {g.group.title}",
                       [f.groups[i].progress for f in figures]))
    return Timeline([fmt_date(e) for e in ends], groups)


def totals_at(programme: Programme, root: Unit, ends: list[date]) -> list[rollup.Totals]:
    """rollup.task_totals as of each of `ends`, cached under the same keys; the past ends missing from
    the cache are computed together in one statement, so the timeline costs the same number of
    queries whatever the number of periods (it was one roll-up per period)."""
    entries = [([SCOPE], rollup.task_totals_key(programme, root, end)) for end in ends]

    def compute(missing: list[int]) -> list[rollup.Totals]:
        past = [ends[i] for i in missing if not rollup.uses_summary(ends[i])]
        together = history_totals(programme, root, past) if past else {}
        return [together[ends[i]] if ends[i] in together else rollup.task_totals(programme, root, ends[i])
                for i in missing]
    return cache.cached_batch(entries, compute)


def history_totals(programme: Programme, root: Unit, ends: list[date]) -> dict[date, rollup.Totals]:
    """rollup.task_totals(source="history") for several dates in one statement. Each accepted report
    holds from its period's end until the next accepted report of its (task, unit) (LEAD over the
    scope's reports; of two with the same end the later id wins, as in the roll-up), and each date
    takes, for every responsible unit of that date, the report holding on it. Tested equal to the
    one-date roll-up on random data (tests/test_programme_summary.py)."""
    days = [sa.select(sa.literal(end, sa.Date).label("e")) for end in ends]
    days_t = (days[0] if len(days) == 1 else sa.union_all(*days)).subquery("days")
    resp = (rollup.responsible(programme, root, days_t.c.e).add_columns(days_t.c.e.label("e"))
            .join(days_t, sa.true()).subquery("resp"))
    held_until = sa.func.lead(ProgressReport.period_end).over(
        partition_by=(ProgressReport.task_id, ProgressReport.unit_id),
        order_by=(ProgressReport.period_end, ProgressReport.id))
    held = (sa.select(ProgressReport.task_id, ProgressReport.unit_id, ProgressReport.percent,
                      ProgressReport.period_end, held_until.label("until"))
            .where(ProgressReport.state == "accepted", ProgressReport.period_end <= max(ends),
                   ProgressReport.task_id.in_(sa.select(Task.id).where(Task.programme_id == programme.id)),
                   ProgressReport.unit_id.in_(sa.select(Unit.id).where(within(Unit.path, root.path))))
            .subquery("held"))
    on = sa.and_(held.c.task_id == resp.c.task_id, held.c.unit_id == resp.c.unit_id,
                 held.c.period_end <= resp.c.e, sa.or_(held.c.until.is_(None), held.c.until > resp.c.e))
    stmt = (sa.select(resp.c.e, resp.c.task_id, sa.func.count(), sa.func.count(held.c.percent),
                      sa.cast(sa.func.coalesce(sa.func.sum(held.c.percent), 0), sa.Float))
            .select_from(resp.outerjoin(held, on)).group_by(resp.c.e, resp.c.task_id))
    out: dict[date, rollup.Totals] = {end: {} for end in ends}
    for end, task_id, n, reported, total in db.session.execute(stmt):
        out[end][task_id] = (int(n), int(reported), float(total))
    return out


def band_counts(programme: Programme, root: Unit, as_of: date) -> dict[str, int]:
    """Responsible units in scope by band: none (no accepted report), low (< 50 %), mid (50–80 %),
    high (≥ 80 %); a unit none of whose tasks is counted is left out."""
    counts = dict.fromkeys((key for key, _ in BANDS), 0)
    for row in heatmap.heatmap(programme, root, as_of, "unit", rollup.load_structure(programme)):
        if row.expected and row.progress is not None:
            counts[band(row.progress, reported=row.missing < row.expected)] += 1
    return counts


def band(progress: float, *, reported: bool) -> str:
    if not reported:
        return "none"
    return "low" if progress < 50 else "mid" if progress < 80 else "high"
