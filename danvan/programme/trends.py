"""What the Đề án charts draw: group progress at the end of each report period, units by progress band.

Both use the roll-up's own rules (rollup.py), so a chart never disagrees with the figures beside it:
the timeline is the roll-up taken as of each period's end (the latest accepted report up to that day),
the bands count the responsible units of the heatmap («Đơn vị» level) by their overall progress.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from danvan.core.units import Unit
from danvan.core.vntext import fmt_date
from danvan.extensions import db
from danvan.programme import heatmap, rollup
from danvan.programme.models import Programme, ProgressReport, Task

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
    figures = [rollup.figures(programme, root, end, groups=structure) for end in ends]
    groups = []
    for i, g in enumerate(figures[0].groups if figures else []):
        groups.append((f"Nhóm {g.group.position}", f"{g.group.position}. {g.group.title}",
                       [f.groups[i].progress for f in figures]))
    return Timeline([fmt_date(e) for e in ends], groups)


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
