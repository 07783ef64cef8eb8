"""The chart builder (danvan.core.charts): what is drawn, read back from the SVG."""
from __future__ import annotations

import xml.etree.ElementTree as ET

from danvan.core import charts
from danvan.core.charts import Series

SVG = "{http://www.w3.org/2000/svg}"


def parse(markup) -> ET.Element:
    return ET.fromstring(str(markup))


def texts(root: ET.Element, cls: str) -> list[str]:
    return [t.text for t in root.iter(f"{SVG}text") if t.get("class") == cls]


def tips(root: ET.Element) -> list[str]:
    """The <title> of every mark (not the chart's own title)."""
    return [t.text for el in root.iter() if el.tag in (f"{SVG}rect", f"{SVG}circle", f"{SVG}path")
            for t in el.findall(f"{SVG}title")]


def years_chart():
    return charts.columns("dvk-years", "Đăng ký theo năm", [2021, 2022, 2023],
                          [Series("Đăng ký mới", [120, 1711, 5]), Series("Duy trì", [0, 300, 2])])


def test_columns_draw_the_totals_and_every_segment_in_vietnamese_numbers():
    root = parse(years_chart().render())
    assert texts(root, "c") == ["2021", "2022", "2023"]
    assert texts(root, "total") == ["120", "2.011", "7"]
    assert tips(root) == ["Đăng ký mới — 2021: 120", "Đăng ký mới — 2022: 1.711", "Duy trì — 2022: 300",
                          "Đăng ký mới — 2023: 5", "Duy trì — 2023: 2"]
    # tall segments carry their value written on them too
    assert {"1.711", "300"} <= set(texts(root, "v"))


def test_every_chart_has_a_text_alternative_and_no_script_or_inline_style():
    chart = years_chart()
    root = parse(chart.render())
    assert root.get("role") == "img"
    title_id, desc_id = root.get("aria-labelledby").split()
    assert root.find(f"{SVG}title").get("id") == title_id and root.find(f"{SVG}title").text == "Đăng ký theo năm"
    desc = root.find(f"{SVG}desc")
    assert desc.get("id") == desc_id
    assert desc.text == "Đăng ký mới / Duy trì — 2021: 120 / 0; 2022: 1.711 / 300; 2023: 5 / 2."
    for el in root.iter():
        assert el.tag != f"{SVG}script" and el.tag != f"{SVG}style"
        assert not [a for a in el.attrib if a == "style" or a.startswith("on") or "href" in a]


def test_bars_write_the_note_after_each_bar_and_stack_the_series():
    chart = charts.bars("dvk-units", "Theo đơn vị", ["Huyện A", "Huyện B"],
                        [Series("Đã công nhận", [5, 0]), Series("Chưa công nhận", [7, 3])],
                        notes=["12 · 41,7 % công nhận", "3 · 0,0 % công nhận"])
    root = parse(chart.render())
    assert texts(root, "c") == ["Huyện A", "Huyện B"]
    assert texts(root, "n") == ["12 · 41,7 % công nhận", "3 · 0,0 % công nhận"]
    assert texts(root, "v") == []   # the note carries the figures
    assert tips(root) == ["Huyện A — Đã công nhận: 5", "Huyện A — Chưa công nhận: 7", "Huyện B — Chưa công nhận: 3"]
    widths = {t: float(el.get("width")) for el in root.iter(f"{SVG}rect") for t in
              [x.text for x in el.findall(f"{SVG}title")]}
    # drawn to one scale: 7 is seven thirds of 3
    assert abs(widths["Huyện A — Chưa công nhận: 7"] / widths["Huyện B — Chưa công nhận: 3"] - 7 / 3) < 0.02


def test_bars_beyond_the_limit_are_left_to_the_table_and_said_so():
    names = [f"Xã {i}" for i in range(45)]
    chart = charts.bars("many", "Nhiều đơn vị", names, [Series("Đăng ký", list(range(45)))])
    root = parse(chart.render())
    assert len(texts(root, "c")) == charts.MAX_BARS
    assert "15 mục khác" in chart.desc
    assert any("… và 15 mục khác" in (t.text or "") for t in root.iter(f"{SVG}text"))


def test_percent_values_and_lines_with_gaps():
    chart = charts.lines("pg", "Tiến độ", ["Quý 1/2024", "Quý 2/2024", "Quý 3/2024"],
                         [Series("Nhóm 1. Tuyên truyền", [10, 45.5, 78.24], "Nhóm 1"),
                          Series("Nhóm 2. Phát triển", [None, 30, 62], "Nhóm 2"),
                          Series("Nhóm 3. Chưa tính", [None, None, None], "Nhóm 3")])
    root = parse(chart.render())
    assert tips(root) == ["Nhóm 1. Tuyên truyền — Quý 1/2024: 10,0 %", "Nhóm 1. Tuyên truyền — Quý 2/2024: 45,5 %",
                          "Nhóm 1. Tuyên truyền — Quý 3/2024: 78,2 %", "Nhóm 2. Phát triển — Quý 2/2024: 30,0 %",
                          "Nhóm 2. Phát triển — Quý 3/2024: 62,0 %"]
    assert sorted(texts(root, "v")) == ["Nhóm 1: 78,2 %", "Nhóm 2: 62,0 %"]
    assert "Nhóm 3" not in str(chart.render())   # never counted: neither a line nor a legend entry
    # the line of group 2 starts at its first report: two points, one move and one segment
    paths = [p.get("d") for p in root.iter(f"{SVG}path") if p.get("fill") == "none"]
    assert paths[1].count("M") == 1 and paths[1].count("L") == 1
    assert chart.table == [["", "Nhóm 1. Tuyên truyền", "Nhóm 2. Phát triển"],
                           ["Quý 1/2024", "10,0 %", "—"], ["Quý 2/2024", "45,5 %", "30,0 %"],
                           ["Quý 3/2024", "78,2 %", "62,0 %"]]


def test_empty_data_gives_the_message_not_a_broken_chart():
    for chart in (charts.columns("a", "A", [], []),
                  charts.bars("b", "B", ["Xã 1", "Xã 2"], [Series("Đăng ký", [0, 0])]),
                  charts.lines("c", "C", ["Quý 1/2024"], [Series("Nhóm 1", [None])],
                               empty_text="Chưa có báo cáo tiến độ nào được duyệt.")):
        html = str(chart.render())
        assert "<svg" not in html and 'class="empty chart-empty"' in html
    assert "Chưa có báo cáo tiến độ nào được duyệt." in html


def test_user_text_is_escaped():
    chart = charts.bars("x", "<b>Tiêu đề</b>", ["<script>alert(1)</script>"], [Series("A & B", [3])])
    html = str(chart.render())
    assert "<script>" not in html and "&lt;script&gt;" in html and "&lt;b&gt;" in html
    parse(html)   # still well-formed XML


def test_the_largest_charts_stay_under_15_kb():
    long = "Huyện ủy có một cái tên rất dài để thử giới hạn kích thước"
    big = [
        charts.bars("b", long, [f"{long} {i}" for i in range(60)],
                    [Series(long, [1000 + i for i in range(60)]), Series(long, [2000 + i for i in range(60)])],
                    notes=[f"{i} · 41,7 % công nhận" for i in range(60)]),
        charts.columns("c", long, [str(2000 + i) for i in range(30)],
                       [Series(long, [1234 + i for i in range(30)]) for _ in range(5)]),
        charts.lines("l", long, [f"Quý {i % 4 + 1}/{2020 + i // 4}" for i in range(30)],
                     [Series(f"Nhóm {j}. {long}", [(i * 3 + j) % 100 for i in range(30)], f"Nhóm {j}")
                      for j in range(8)]),
    ]
    for chart in big:
        svg = str(chart.render(for_print=True))
        assert len(svg.encode()) <= charts.MAX_BYTES, (chart.kind, len(svg.encode()))
        parse(svg)


def test_print_rendering_names_the_print_font():
    assert parse(years_chart().render(for_print=True)).get("font-family") == charts.PRINT_FONT
    assert parse(years_chart().render()).get("font-family") is None
