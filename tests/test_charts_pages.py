"""Charts on the pages and in the PDFs, through HTTP: the numbers drawn (read back from the SVG) equal
the numbers of the page's own table; the printed reports carry them as numbered figures; no data
gives a message, not a broken chart."""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import lxml.html

from danvan.core import charts
from danvan.initiatives import config as initiatives
from tests.samples.initiatives import make_initiative
from tests.test_printing import words_bbox
from tests.test_programme import prog  # noqa: F401  (fixture)

SVG = "{http://www.w3.org/2000/svg}"


def page(response):
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def chart(html: str, key: str) -> ET.Element:
    m = re.search(rf'<svg [^>]*id="{key}".*?</svg>', html, re.S)
    assert m, f"no chart {key}"
    assert len(m.group(0).encode()) <= charts.MAX_BYTES
    return ET.fromstring(m.group(0))


def texts(svg: ET.Element, cls: str) -> list[str]:
    return [t.text for t in svg.iter(f"{SVG}text") if t.get("class") == cls]


def tips(svg: ET.Element) -> list[str]:
    return [t.text for el in svg.iter() if el.tag != f"{SVG}svg" for t in el.findall(f"{SVG}title")]


def table(html: str, table_id: str) -> list[list[str]]:
    """The rows of a table (header, body and foot) as cell texts."""
    doc = lxml.html.fromstring(html)
    rows = doc.xpath(f'//table[@id="{table_id}"]//tr')
    return [[re.sub(r"\s+", " ", c.text_content()).strip() for c in r.xpath("./th|./td")] for r in rows]


def no_inline_script_or_style(html: str) -> None:
    for m in re.finditer(r'<svg [^>]*class="chart .*?</svg>', html, re.S):
        assert not re.search(r"\sstyle=|\son\w+=|<script|<style", m.group(0))


# ---------------------------------------------------------------- Dân vận khéo

def _registrations(world):
    units = [world.c1, world.c2, world.c3, world.d1, world.e]
    states = ["submitted", "accepted", "recognised", "returned", "draft"]
    for i in range(46):
        make_initiative(units[i % 5], year=2022 + (i % 3 == 0), name=f"Mô hình {i}", field_index=i % 4,
                        state=states[(i * 2) % 5], is_new=i % 3 != 1)


def test_statistics_charts_draw_the_numbers_of_the_tables(world, login_as):
    _registrations(world)
    viewer = login_as("viewer", world.bdv)
    html = page(viewer.get("/dan-van-kheo/tong-hop?year=2022"))
    no_inline_script_or_style(html)
    stats_table = table(html, "initiative-stats")
    head, body, foot = stats_table[0], stats_table[1:-1], stats_table[-1]
    assert len(body) == 3   # the two districts and the directly-subordinate committee

    units = chart(html, "dvk-units")
    assert texts(units, "c") == [r[0] for r in body]
    # registered (column 2) and recognised (column 5) of each row, and the recognised share
    assert texts(units, "n") == [f"{r[1]} · {charts.share(int(r[4]), int(r[1]))} công nhận" for r in body]
    drawn = tips(units)
    for r in body:
        registered, recognised = int(r[1]), int(r[4])
        if recognised:
            assert f"{r[0]} — Đã công nhận: {recognised}" in drawn
        if registered - recognised:
            assert f"{r[0]} — Chưa công nhận: {registered - recognised}" in drawn

    fields = chart(html, "dvk-fields")
    field_names = head[5:5 + len(initiatives.fields_of(world.p.id, active_only=False))]
    assert texts(fields, "c") == field_names
    total = int(foot[1])
    assert texts(fields, "n") == [f"{v} ({charts.share(int(v), total)})" for v in foot[5:5 + len(field_names)]]

    trend = table(html, "initiative-trend")[1:]
    years = chart(html, "dvk-years")
    drawn_years = texts(years, "c")
    assert drawn_years[0] == "2021" and drawn_years[-1] >= "2026"
    totals = dict(zip(drawn_years, texts(years, "total")))
    for y, registered, new, maintained, *_ in trend:
        assert totals[y] == registered
        for name, value in (("Đăng ký mới", new), ("Duy trì", maintained)):   # an empty segment is not drawn
            assert (f"{name} — {y}: {value}" in tips(years)) == (value != "0")
    assert totals["2021"] == "0"   # a year without registrations is drawn empty, not left out
    # text alternatives: the chart's own title/description, and the table beside it
    assert years.find(f"{SVG}desc").text.startswith("Đăng ký mới / Duy trì — 2021: 0 / 0; 2022:")


def test_statistics_without_registrations_show_messages_not_charts(world, login_as):
    html = page(login_as("viewer", world.bdv).get("/dan-van-kheo/tong-hop?year=2022"))
    assert 'class="chart chart-' not in html
    assert html.count("Năm 2022 chưa có mô hình nào được đăng ký.") == 2
    assert "Chưa có mô hình nào được đăng ký để vẽ biểu đồ." in html


def test_consolidated_pdf_carries_the_charts_as_numbered_figures(world, login_as, tmp_path, run_jobs):
    _registrations(world)
    viewer = login_as("viewer", world.bdv)
    stats_table = table(page(viewer.get("/dan-van-kheo/tong-hop?year=2022")), "initiative-stats")
    job_page = viewer.post_form("/dan-van-kheo/tong-hop/in.pdf?year=2022")   # many pages: a background job
    assert job_page.status_code == 303 and run_jobs() == ["done"]
    r = viewer.get(job_page.headers["Location"] + "/tai-ve")
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    words = words_bbox(r.data, tmp_path)
    text = " ".join(w for _, _, _, w in words)
    for n, title in enumerate(["Số mô hình đăng ký qua các năm", "Mô hình đăng ký năm 2022 theo lĩnh vực",
                               "Mô hình đăng ký năm 2022 theo đơn vị và tỷ lệ được công nhận"], 1):
        assert f"Biểu đồ {n}: {title}" in text
    # the units chart is drawn in the PDF: each unit's note sits on the line of its name, above the caption
    caption = next((p, y) for i, (p, _, y, w) in enumerate(words)
                   if w == "Biểu" and words[i + 2][3] == "3:")
    for row in stats_table[1:-1]:
        name_first = row[0].split()[0]
        note = f"{row[1]} · {charts.share(int(row[4]), int(row[1]))}".split()
        hits = [(p, x, y) for i, (p, x, y, w) in enumerate(words)
                if [w2 for _, _, _, w2 in words[i:i + len(note)]] == note and p == caption[0] and y < caption[1]]
        assert hits, (row, note)
        assert any(w == name_first and p == hits[0][0] and abs(y - hits[0][2]) < 3 for p, _, y, w in words)


# ---------------------------------------------------------------- a call's tracking

def test_call_tracking_chart_draws_the_counts_of_the_page(db_session, world, login_as):
    from datetime import timedelta

    from danvan import calls
    from danvan.core.vntext import today_local
    from danvan.plans import documents

    leader = login_as("leader", world.d1b)
    c4 = world.create_unit("Xã Cao Thượng", "xa", world.d1)
    call = calls.create_call(world.d1, {"title": "Báo cáo 6 tháng", "type_code": "BC",
                                        "deadline": today_local() + timedelta(days=2)},
                             [world.c1, world.c2, c4], actor=leader.user)
    for unit in (world.c1, world.c2):
        doc = documents.create_document(unit, {"type_code": "BC", "summary": "Báo cáo", "year": 2026,
                                               "sections": [{"heading": "I.", "body": "Đạt"}], "call": call,
                                               "signer_name": "Ma Văn Cường"},
                                        actor=None)
        documents.transition(doc, "submit", actor=world.create_user(unit, ["officer"]))
        if unit is world.c1:
            documents.transition(doc, "approve", actor=leader.user)
    html = page(leader.get(f"/yeu-cau/{call.id}"))
    no_inline_script_or_style(html)
    line = lxml.html.fromstring(html).xpath('//p[@id="tracking-counts"]')[0].text_content()
    counts = {k.strip(): v for k, v in re.findall(r"([^:·]+): (\d+)", line)}
    svg = chart(html, "call-tracking")
    drawn = dict(zip(texts(svg, "c"), (n.split()[0] for n in texts(svg, "n"))))
    assert drawn == {"Nộp đúng hạn": counts["Đúng hạn"], "Nộp muộn": counts["Nộp muộn"],
                     "Bị trả lại": counts["Bị trả lại"], "Đã duyệt": counts["Đã duyệt"], "Chưa nộp": counts["Chưa nộp"]}
    assert drawn == {"Nộp đúng hạn": "2", "Nộp muộn": "0", "Bị trả lại": "0", "Đã duyệt": "1", "Chưa nộp": "1"}
    assert "1 (33,3 %)" in texts(svg, "n")
    # the htmx fragment (a filter) carries the chart too
    assert 'id="call-tracking"' in leader.hx_get(f"/yeu-cau/{call.id}?trang_thai=missing").get_data(as_text=True)


# ---------------------------------------------------------------- Đề án

def _pct(text: str) -> float:
    return float(text.replace(".", "").replace(",", ".").rstrip(" %"))


def test_programme_charts_equal_the_page_and_the_heatmap(prog, world, login_as):  # noqa: F811 (fixture)
    from tests.test_programme import expected_province

    viewer = login_as("viewer", world.bdv)
    html = page(viewer.get(f"/de-an/{prog.p.id}?as_of=2024-12-31"))
    no_inline_script_or_style(html)
    doc = lxml.html.fromstring(html)
    timeline = chart(html, "programme-timeline")
    assert texts(timeline, "c")[-1] == "31/12/2024"
    drawn = {}
    for tip in tips(timeline):
        name, rest = tip.split(" — ")
        period, value = rest.split(": ")
        drawn.setdefault(name, {})[period] = value
    # the last period is the page's own reference date: each group's point is the figure of its section
    for g in (prog.g1, prog.g4):
        shown = doc.xpath(f'//section[@id="group-{g.id}"]/p//strong')[0].text_content()
        assert drawn[f"{g.position}. {g.title}"]["31/12/2024"] == shown
    assert f"{prog.g2.position}. {prog.g2.title}" not in drawn   # never counted: no point drawn
    # earlier periods are the roll-up as of those days; as of today (after 2025) it is the page's figure
    assert sorted(drawn[f"1. {prog.g1.title}"]) == ["30/06/2023", "30/06/2024", "31/12/2023", "31/12/2024"]
    t1_2023 = (100 + 60 + 0) / 3         # c3 had not reported yet; T2 counts 0 % (started, no report)
    g1_2023 = (2 * t1_2023 + 0) / 3
    assert drawn[f"1. {prog.g1.title}"]["31/12/2023"] == f"{charts.fmt_number(g1_2023, 1)} %"
    # today: the last period (2025) holds every accepted report, so its points are the page's figures
    _, _, g1, g4, _ = expected_province()
    today = tips(chart(page(viewer.get(f"/de-an/{prog.p.id}")), "programme-timeline"))
    assert f"1. {prog.g1.title} — 31/12/2025: {charts.fmt_number(g1, 1)} %" in today
    assert f"4. {prog.g4.title} — 31/12/2025: {charts.fmt_number(g4, 1)} %" in today

    bands = chart(html, "programme-bands")
    heat = lxml.html.fromstring(page(viewer.get(f"/de-an/{prog.p.id}/ban-do-nhiet?level=unit&as_of=2024-12-31")))
    expected = {"Chưa báo cáo": 0, "Dưới 50 %": 0, "Từ 50 % đến dưới 80 %": 0, "Từ 80 % trở lên": 0}
    for row in heat.xpath('//table[contains(@class, "heatmap")]/tbody/tr'):
        cells = [c.text_content().strip() for c in row.xpath("./td")]
        progress, (missing, expected_n) = cells[-2], cells[-1].split("/")
        if progress == "không tính":
            continue
        value = _pct(progress)
        key = ("Chưa báo cáo" if missing == expected_n else "Dưới 50 %" if value < 50
               else "Từ 50 % đến dưới 80 %" if value < 80 else "Từ 80 % trở lên")
        expected[key] += 1
    total = sum(expected.values())
    assert total == 6 and expected["Chưa báo cáo"] == 1   # c1–c3 (communes), d1, d2, e: e has not reported
    assert dict(zip(texts(bands, "c"), texts(bands, "n"))) == {
        k: f"{v} ({charts.share(v, total)})" for k, v in expected.items()}


def test_programme_without_reports_shows_chart_messages(world, login_as, db_session):
    from danvan.programme.models import Programme

    p = Programme(unit=world.p, title="Đề án trống", title_key="de an trong", start_year=2023, end_year=2025)
    db_session.add(p)
    db_session.flush()
    html = page(login_as("viewer", world.bdv).get(f"/de-an/{p.id}"))
    assert 'class="chart chart-' not in html
    assert "Chưa có báo cáo tiến độ nào được duyệt để vẽ diễn biến theo kỳ." in html
    assert "Chưa có đơn vị thực hiện nào trong phạm vi." in html


def scored_blocs(world, ratings: dict[int, list[str]]) -> None:
    """Blocs of new communes, the i-th rating of each year given to the i-th bloc, scored by the level above."""
    from danvan.blocs.models import Bloc, CriteriaSet, Evaluation
    from danvan.extensions import db

    cs = CriteriaSet(unit=world.p, name="Bộ tiêu chí", subject="bloc", year_from=2020)
    db.session.add(cs)
    blocs = []
    for i in range(max(len(items) for items in ratings.values())):
        unit = world.create_unit(f"Xã Khối {i}", "xa", world.d1)
        blocs.append(Bloc(unit=unit, name=f"Khối {i}", name_key=f"khoi {i}", roster_state="confirmed"))
    db.session.add_all(blocs)
    db.session.flush()
    for year, items in ratings.items():
        db.session.add_all(Evaluation(unit_id=bloc.unit_id, bloc=bloc, subject_key=f"b{bloc.id}", criteria_set=cs,
                                      year=year, state="scored" if rating else "submitted", rating=rating)
                           for bloc, rating in zip(blocs, items))
    db.session.flush()


def test_soket_pdf_carries_numbered_figures_matching_its_text(prog, world, login_as, tmp_path):  # noqa: F811
    from danvan.core.vntext import today_local

    year = today_local().year
    scored_blocs(world, {year - 1: ["xuat_sac", "tot", "tot", "hoan_thanh"], year: ["tot", "khong"]})
    officer = login_as("officer", world.bdv)
    assert "so-ket/pdf" in page(officer.get(f"/de-an/{prog.p.id}/so-ket"))
    r = officer.get(f"/de-an/{prog.p.id}/so-ket/pdf")
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    words = words_bbox(r.data, tmp_path)
    text = " ".join(w for _, _, _, w in words)
    assert "BÁO CÁO" in text and "(Dự thảo)" in text
    assert "Biểu đồ 1: Tiến độ các nhóm nhiệm vụ tính đến cuối mỗi kỳ báo cáo" in text
    assert "Biểu đồ 2: Phân bố đơn vị thực hiện theo mức tiến độ" in text
    assert "Biểu đồ 3: Xếp loại khối dân vận cơ sở qua các năm" in text
    # figure 3 sits after section IV's text and draws its numbers: the totals of each year above the bars
    iv = text.index("IV. ĐÁNH GIÁ, XẾP LOẠI")
    assert iv < text.index("Biểu đồ 3") < text.index("V. HẠN CHẾ")
    assert f"Năm {year - 1} (04 khối đã xếp loại)" in text and f"Năm {year} (02 khối đã xếp loại)" in text
    between = text[iv:text.index("Biểu đồ 3")]
    assert re.search(rf"\b{year - 1}\b.*\b{year}\b", between)   # the axis under the columns
    assert "Hoàn thành xuất sắc nhiệm vụ" in between   # the legend
    # figures are drawn on the page: the bands' notes share a line with their labels
    band = next((p, y) for p, _, y, w in words if w == "báo" and (p, y) and
                any(w2 == "Chưa" and p2 == p and abs(y2 - y) < 2 for p2, _, y2, w2 in words))
    assert any(w.startswith("(") and w.endswith("%)") or w == "%)" for p, _, y, w in words
               if p == band[0] and abs(y - band[1]) < 2)


# ---------------------------------------------------------------- blocs

def test_bloc_ratings_chart_draws_the_counts_table_of_each_year(world, login_as):
    scored_blocs(world, {2024: ["xuat_sac", "tot", "tot", "hoan_thanh", "khong"], 2025: ["tot", "tot", "xuat_sac"],
                         2026: [None, None]})
    viewer = login_as("viewer", world.bdv)
    html = page(viewer.get("/khoi-dan-van/danh-gia?year=2025"))
    no_inline_script_or_style(html)
    svg = chart(html, "bloc-ratings")
    assert texts(svg, "c") == ["2024", "2025"]   # 2026 has nothing scored yet: no column
    drawn = tips(svg)
    for year, total in (("2024", "5"), ("2025", "3")):
        rows = table(page(viewer.get(f"/khoi-dan-van/danh-gia?year={year}")), "rating-counts")
        head, values = rows[0], rows[1]
        for label, value in zip(head[:4], values[:4]):
            assert (f"{label} — {year}: {value}" in drawn) == (value != "0"), (label, year, value)
        assert int(values[-1]) - int(values[-2]) == int(total)   # scored = all − not yet scored
        assert dict(zip(texts(svg, "c"), texts(svg, "total")))[year] == total
    members = page(viewer.get("/khoi-dan-van/danh-gia?year=2025&subject=member"))
    assert "Chưa có thành viên khối nào được cấp trên chấm điểm, xếp loại." in members
