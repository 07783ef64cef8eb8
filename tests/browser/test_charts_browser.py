"""In a browser: the server-drawn charts lay out cleanly with real font metrics — every label inside
its chart, no two labels on top of each other, bar labels clear of their bars — and the page runs
no script for them."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from danvan.core.units import Unit
from tests.samples.initiatives import make_initiative

pytestmark = pytest.mark.browser
YEAR = 2021   # a year the other browser tests leave alone

# For each chart: text boxes outside the drawing, pairs of overlapping texts, bar labels reaching their bar.
LAYOUT = """(key) => {
  const svg = document.getElementById(key);
  const [, , w, h] = svg.getAttribute('viewBox').split(' ').map(Number);
  const texts = [...svg.querySelectorAll('text')].map(t => [t, t.getBBox()]);
  const out = texts.filter(([, b]) => b.x < -0.5 || b.y < -0.5 || b.x + b.width > w + 0.5 || b.y + b.height > h + 0.5)
                   .map(([t]) => t.textContent);
  const overlap = [];
  texts.forEach(([t1, a], i) => texts.slice(i + 1).forEach(([t2, b]) => {
    const dx = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
    const dy = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
    if (dx > 1 && dy > 1) overlap.push([t1.textContent, t2.textContent]);
  }));
  const rects = [...svg.querySelectorAll('rect')].filter(r => r.querySelector('title')).map(r => r.getBBox());
  const onBars = texts.filter(([t]) => t.getAttribute('class') === 'c' && svg.classList.contains('chart-bars'))
    .filter(([, b]) => rects.some(r => r.y < b.y + b.height && b.y < r.y + r.height && b.x + b.width > r.x + 0.5))
    .map(([t]) => t.textContent);
  return {out, overlap, onBars, count: texts.length};
}"""


def test_statistics_charts_lay_out_cleanly(page, login, live_data):
    with live_data() as session:
        province = session.scalar(sa.select(Unit).where(Unit.name == "Tỉnh ủy Bắc Kạn"))
        districts = list(session.scalars(sa.select(Unit).where(Unit.parent_id == province.id,
                                                              Unit.kind == "huyen_uy").order_by(Unit.name)))
        for i in range(40):
            make_initiative(districts[i % len(districts)], year=YEAR, name=f"Mô hình biểu đồ {i}",
                            field_index=i % 4, state=("recognised", "accepted", "submitted")[i % 3],
                            is_new=i % 4 != 0)
    login("lanhdao.bdv")
    page.goto(f"/dan-van-kheo/tong-hop?year={YEAR}")
    scripts_before = page.evaluate("document.scripts.length")
    for key in ("dvk-units", "dvk-fields", "dvk-years"):
        chart = page.locator(f"svg#{key}")
        chart.scroll_into_view_if_needed()
        box = chart.bounding_box()
        assert box and box["width"] > 300 and box["height"] > 50, (key, box)
        layout = page.evaluate(LAYOUT, key)
        assert layout["count"] > 3, key
        assert layout["out"] == [], (key, layout["out"])
        assert layout["overlap"] == [], (key, layout["overlap"])
        assert layout["onBars"] == [], (key, layout["onBars"])
    # the charts add no script to the page (the count is the page's own scripts)
    assert page.evaluate("document.querySelectorAll('svg.chart script').length") == 0
    assert page.evaluate("document.scripts.length") == scripts_before


def test_programme_charts_lay_out_cleanly(page, login, live_data):
    from datetime import date
    from decimal import Decimal

    from danvan.programme.models import Programme, ProgressReport, Task, TaskGroup, period_end

    with live_data() as session:
        province = session.scalar(sa.select(Unit).where(Unit.name == "Tỉnh ủy Bắc Kạn"))
        p = Programme(unit=province, title="Đề án biểu đồ", title_key="de an bieu do", start_year=2023,
                      end_year=2025, lagging_below=Decimal(50))
        session.add(p)
        for g in range(1, 5):
            group = TaskGroup(programme=p, position=g, title=f"Nhóm nhiệm vụ, giải pháp số {g} có tên dài",
                              weight=Decimal(1))
            task = Task(programme=p, group=group, position=1, title=f"Nhiệm vụ {g}", weight=Decimal(1),
                        level="province", starts_on=date(2023, 1, 1))
            session.add_all([group, task])
            session.flush()
            for q in range(8):   # close values: the end labels must be pushed apart
                year, number = 2023 + q // 4, q % 4 + 1
                session.add(ProgressReport(task=task, unit=province, period_kind="quy", year=year, number=number,
                                           period_end=period_end("quy", year, number), status="dang",
                                           percent=Decimal(10 * q + g), narrative="x", state="accepted"))
        session.flush()
        programme_id = p.id
    login("lanhdao.bdv")
    page.goto(f"/de-an/{programme_id}")
    for key in ("programme-timeline", "programme-bands"):
        page.locator(f"svg#{key}").scroll_into_view_if_needed()
        layout = page.evaluate(LAYOUT, key)
        assert layout["count"] > 3, key
        assert layout["out"] == [], (key, layout["out"])
        assert layout["overlap"] == [], (key, layout["overlap"])
        assert layout["onBars"] == [], (key, layout["onBars"])


def test_print_charts_lay_out_cleanly_in_the_print_font(browser):
    """The narrower print drawing (PRINT_WIDTH) in Liberation Serif, the print font: same checks."""
    from danvan.core import charts
    from danvan.core.charts import Series

    districts = ["Huyện ủy Ba Bể", "Huyện ủy Bạch Thông", "Huyện ủy Chợ Đồn", "Huyện ủy Chợ Mới",
                 "Huyện ủy Na Rì", "Huyện ủy Ngân Sơn", "Huyện ủy Pác Nặm", "Thành ủy Bắc Kạn",
                 "Đảng ủy Khối Các cơ quan tỉnh", "Đảng ủy Khối Doanh nghiệp tỉnh", "Đảng ủy Quân sự tỉnh"]
    drawn = [
        charts.columns("years", "Năm", list(range(2021, 2027)),
                       [Series("Đăng ký mới", [1354, 1200, 1100, 980, 20, 3]),
                        Series("Duy trì", [657, 900, 1000, 1100, 7, 0])]),
        charts.bars("units", "Đơn vị", districts,
                    [Series("Đã công nhận", [202 - 9 * i for i in range(11)]),
                     Series("Chưa công nhận", [77 + 3 * i for i in range(11)])],
                    notes=[f"{279 - 6 * i} · {charts.share(202 - 9 * i, 279 - 6 * i)} công nhận" for i in range(11)]),
        charts.lines("groups", "Nhóm", [f"Quý {q % 4 + 1}/{2023 + q // 4}" for q in range(12)],
                     [Series(f"{g}. Nhóm nhiệm vụ, giải pháp số {g}", [min(99.0, 8.0 * q + g) for q in range(12)],
                             f"Nhóm {g}") for g in range(1, 6)]),
        charts.columns("ratings", "Xếp loại", [2024, 2025, 2026],
                       [Series(label, [3 * k + 1, 2 * k + 5, k + 2]) for k, label in enumerate(
                           ["Hoàn thành xuất sắc nhiệm vụ", "Hoàn thành tốt nhiệm vụ", "Hoàn thành nhiệm vụ",
                            "Không hoàn thành nhiệm vụ"])]),
    ]
    page = browser.new_page(viewport={"width": 800, "height": 900})
    html = "".join(str(c.render(for_print=True)).replace(charts.PRINT_FONT, "Liberation Serif, serif")
                   for c in drawn)
    page.set_content(f"<!doctype html><html><body>{html}</body></html>")
    for key in ("years", "units", "groups", "ratings"):
        layout = page.evaluate(LAYOUT, key)
        assert layout["count"] > 3, key
        assert layout["out"] == [], (key, layout["out"])
        assert layout["overlap"] == [], (key, layout["overlap"])
        assert layout["onBars"] == [], (key, layout["onBars"])
    page.close()
