"""The charts of each page, built from the aggregates the page already holds (no query here).

Templates call these through the Jinja global ``pagecharts`` (``{% set c =
pagecharts.initiative_years(stats) %}``) and draw them with ``templates/_charts.html``; the
same call in a print template gives the PDF's figure. Core knows no feature: the functions read
attributes of the objects the feature's view put in the template context.
"""
from __future__ import annotations

from danvan.core.charts import Chart, Series, bars, columns, lines, share
from danvan.core.vntext import fmt_number, today_local

FIRST_YEAR = 2021   # Dân vận khéo charts start at the 2021–2025 term


def _count_note(n: int, whole: int) -> str:
    return f"{fmt_number(n)} ({share(n, whole)})"


# ---------------------------------------------------------------- Dân vận khéo statistics

def initiative_years(stats) -> Chart:
    """Registrations per year, new and maintained stacked, 2021 (or the first year) → now."""
    years = stats.by_year_new   # year -> (registered, new, recognised)
    span = range(min([FIRST_YEAR, *years]), max([today_local().year, *years]) + 1)
    return columns("dvk-years", f"Số mô hình đăng ký qua các năm — {stats.root.name}", list(span), [
        Series("Đăng ký mới", [years.get(y, (0, 0, 0))[1] for y in span]),
        Series("Duy trì", [years.get(y, (0, 0, 0))[0] - years.get(y, (0, 0, 0))[1] for y in span]),
    ], empty_text="Chưa có mô hình nào được đăng ký để vẽ biểu đồ.")


def initiative_fields(stats) -> Chart:
    t = stats.totals
    values = [t.by_field.get(f.id, 0) for f in stats.fields]
    return bars("dvk-fields", f"Mô hình đăng ký năm {stats.year} theo lĩnh vực", [f.name for f in stats.fields],
                [Series("Đăng ký", values)], notes=[_count_note(v, t.registered) for v in values],
                empty_text=f"Năm {stats.year} chưa có mô hình nào được đăng ký.")


def initiative_units(stats) -> Chart:
    """Per unit of the table: recognised and not yet recognised, the recognised share after the bar."""
    rows = stats.rows
    return bars("dvk-units", f"Mô hình đăng ký năm {stats.year} theo đơn vị và tỷ lệ được công nhận",
                [r.label for r in rows],
                [Series("Đã công nhận", [r.recognised for r in rows]),
                 Series("Chưa công nhận", [r.registered - r.recognised for r in rows])],
                notes=[f"{fmt_number(r.registered)} · {share(r.recognised, r.registered)} công nhận" for r in rows],
                empty_text=f"Năm {stats.year} chưa có mô hình nào được đăng ký.")


def initiatives(stats) -> list[Chart]:
    return [initiative_years(stats), initiative_fields(stats), initiative_units(stats)]


# ---------------------------------------------------------------- calls (plans)

TRACKING = (("on_time", "Nộp đúng hạn"), ("late", "Nộp muộn"), ("returned", "Bị trả lại"),
            ("approved", "Đã duyệt"), ("missing", "Chưa nộp"))


def call_tracking(counts: dict[str, int]) -> Chart:
    """The tracking line of a call at a glance; shares are of the target units (approved ones are
    also counted as on time or late, as on the page)."""
    total = counts.get("total", 0)
    return bars("call-tracking", f"Tình hình nộp của {fmt_number(total)} đơn vị được yêu cầu",
                [label for _, label in TRACKING], [Series("Đơn vị", [counts.get(k, 0) for k, _ in TRACKING])],
                notes=[_count_note(counts.get(k, 0), total) for k, _ in TRACKING],
                empty_text="Yêu cầu chưa có đơn vị nào phải nộp.")


# ---------------------------------------------------------------- blocs

def bloc_ratings(by_year: dict[int, dict[str, int]], ratings: dict[str, str], scope_name: str, *,
                 members: bool = False) -> Chart:
    """Ratings given by the level above per year (scored evaluations only: 'none' is not drawn), stacked."""
    years = sorted(y for y in by_year if any(by_year[y].get(key) for key in ratings))
    who = "thành viên khối" if members else "khối dân vận cơ sở"
    return columns("bloc-ratings", f"Xếp loại {who} qua các năm — {scope_name}", years,
                   [Series(label, [by_year[y].get(key, 0) for y in years]) for key, label in ratings.items()],
                   empty_text=f"Chưa có {who} nào được cấp trên chấm điểm, xếp loại.")


# ---------------------------------------------------------------- Đề án

def programme_bands(counts: dict[str, int], bands, scope_name: str) -> Chart:
    """Units by progress band; `bands` is ((key, label), …) in the order to draw."""
    total = sum(counts.values())
    return bars("programme-bands", f"Phân bố đơn vị thực hiện theo mức tiến độ — {scope_name}",
                [label for _, label in bands], [Series("Đơn vị", [counts.get(k, 0) for k, _ in bands])],
                notes=[_count_note(counts.get(k, 0), total) for k, _ in bands],
                empty_text="Chưa có đơn vị thực hiện nào trong phạm vi.")


def programme_timeline(timeline) -> Chart:
    """Progress of each task group at the end of each report period (`timeline.periods`, and
    `timeline.groups` as (short, full name, values))."""
    return lines("programme-timeline", "Tiến độ các nhóm nhiệm vụ tính đến cuối mỗi kỳ báo cáo", timeline.periods,
                 [Series(name, values, short) for short, name, values in timeline.groups],
                 empty_text="Chưa có báo cáo tiến độ nào được duyệt để vẽ diễn biến theo kỳ.")
