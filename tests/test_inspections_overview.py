"""The overview at any scale: aggregated in SQL straight to the units under the reader's committee
and cached per data version. Its figures equal a plain recomputation from the rows, and every
write through HTTP (a verdict, a conclusion, a recommendation's follow-up) shows at once on the
overview and on the lists (the caches never lie)."""
from __future__ import annotations

import html
import io
import random
import re
from collections import Counter, defaultdict
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from danvan.core.units import Unit
from danvan.core.vntext import today_local
from danvan.extensions import db
from danvan.inspections.models import CATEGORIES, Inspection, Recommendation
from tests.samples.inspections import make_inspection
from tests.test_inspections import conclude, issue, judge_all, make_plan, team  # noqa: F401  (fixture)

COUNT_COLUMNS = ("planned", "visited", "concluded", "open_recs", "overdue_recs")


def _number(text: str) -> float | None:
    text = re.sub(r"<[^>]+>", "", text).strip()
    if text in ("", "—"):
        return None
    return float(text.replace(".", "").replace(",", "."))


def page_tables(client, query: str = "") -> tuple[dict, dict, list]:
    """(counts per unit name, heat per unit name, failing items) as the overview page shows them."""
    r = client.get(f"/kiem-tra/tong-quan{query}")
    assert r.status_code == 200
    page = r.get_data(as_text=True)
    counts_html = page.split('id="overview-counts"')[1].split("</section>")[0].split("</thead>")[1]
    heat_html = page.split('id="overview-heat"')[1].split("</section>")[0].split("</thead>")[1]
    items_html = page.split('id="overview-items"')[1].split("</section>")[0]
    counts = {}
    for name, cells in re.findall(r"<tr><t[dh]>([^<]+)</t[dh]>((?:<t[dh] class=\"num\">.*?</t[dh]>)+)</tr>",
                                  counts_html):
        counts[html.unescape(name)] = [_number(c) for c in re.findall(r'<t[dh] class="num">(.*?)</t[dh]>', cells)]
    heat = {}
    for name, cells in re.findall(r"<tr><th>([^<]+)</th>(.*?)</tr>", heat_html, re.S):
        heat[html.unescape(name)] = [_number(c) for c in re.findall(r'<td class="num heat [\w-]+">(.*?)</td>', cells)]
    items = [(html.unescape(cat), html.unescape(text), int(f), int(p), int(j)) for cat, text, f, p, j in re.findall(
        r'<tr><td>([^<]*)</td><td>([^<]*)</td><td class="num">(\d+)</td><td class="num">(\d+)</td>'
        r'<td class="num">(\d+)</td></tr>', items_html)]
    return counts, heat, items


def recompute(root: Unit, year: int | None, today: date) -> tuple[dict, dict, list]:
    """The same figures the plain way: every visit a leader of `root` sees (organised in the
    subtree, or of a unit in it once the plan is issued), each unit's figures added to the unit
    directly under the root on its path."""
    units = {u.id: u for u in db.session.scalars(sa.select(Unit))}

    def under(unit_id: int) -> bool:
        return root.id in units[unit_id].ancestor_ids

    def child(unit_id: int) -> Unit | None:
        ids = units[unit_id].ancestor_ids
        if root.id not in ids or ids.index(root.id) + 1 >= len(ids):
            return None
        return units[ids[ids.index(root.id) + 1]]

    visits = [i for i in db.session.scalars(sa.select(Inspection)) if (year is None or i.year == year) and (
        under(i.organiser_id) or (under(i.unit_id) and i.plan.state == "issued"))]
    counts: dict[str, list[int]] = defaultdict(lambda: [0] * 5)
    judged: dict[str, Counter] = defaultdict(Counter)
    failed: dict[str, Counter] = defaultdict(Counter)
    items: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    for insp in visits:
        c = child(insp.unit_id)
        if c is not None:
            counts[c.name][("planned", "visited", "concluded").index(insp.state)] += 1
        for row in insp.results_rows:
            if row.verdict not in ("dat", "dat_mot_phan", "chua_dat"):
                continue
            item = items[(CATEGORIES[row.category], row.text)]
            item[0] += row.verdict == "chua_dat"
            item[1] += row.verdict == "dat_mot_phan"
            item[2] += 1
            c = child(row.unit_id)
            if c is not None:
                judged[c.name][row.category] += 1
                failed[c.name][row.category] += row.verdict == "chua_dat"
        for rec in insp.recommendations:
            c = child(rec.unit_id)
            if c is not None and rec.state in ("open", "reported", "reopened"):
                counts[c.name][3] += 1
                counts[c.name][4] += rec.deadline < today
    names = set(counts) | set(judged)
    total = [sum(counts[n][k] for n in names) for k in range(5)]
    counts = {n: counts[n] for n in names} | {"Tổng cộng": total}

    def heats(j: Counter, f: Counter) -> list[float | None]:
        return [round(100.0 * f[c] / j[c], 1) if j[c] else None for c in CATEGORIES]

    heat = {n: heats(judged[n], failed[n]) for n in names}
    heat["Tổng cộng"] = heats(sum(judged.values(), Counter()), sum(failed.values(), Counter()))
    ranked = [(cat, text, f, p, j) for (cat, text), (f, p, j) in items.items() if f + p]
    return counts, heat, ranked


def _sample(world, rng: random.Random) -> None:
    """Visits of every kind of unit of the province (and of the province itself, which belongs to
    no row), in two years, in every state, with verdicts and recommendations drawn at random."""
    verdicts = ["", "dat", "dat", "dat_mot_phan", "chua_dat", "khong_ap_dung"]
    inspected = [world.c1, world.c2, world.c3, world.d1, world.d2, world.e, world.p]
    today = today_local()
    for i in range(14):
        unit = inspected[i % 7]
        organiser = world.d1 if unit in (world.c1, world.c2) and i % 2 else world.p
        insp = make_inspection(organiser, unit, state=rng.choice(["issued", "draft"]),
                               day=date(2025 + i % 2, 3, 1) + timedelta(days=i))
        insp.state = rng.choice(["planned", "visited", "concluded"])
        for row in insp.results_rows:
            row.verdict = rng.choice(verdicts)
        for k in range(rng.randint(0, 3)):
            responsible = world.c2 if unit == world.d1 and k == 1 else unit
            db.session.add(Recommendation(inspection=insp, organiser_id=insp.organiser_id, unit=responsible,
                                          text=f"Kiến nghị {i}.{k}",
                                          deadline=today + timedelta(days=rng.randint(-60, 60)),
                                          state=rng.choice(["open", "reported", "accepted", "reopened"])))
    db.session.flush()


@pytest.mark.parametrize("year", [None, 2025, 2026])
def test_figures_equal_a_plain_recomputation(world, login_as, year):
    leader = login_as("leader", world.bdv)
    _sample(world, random.Random(14 + (year or 0)))
    query = f"?year={year}" if year else ""
    counts, heat, items = page_tables(leader, query)
    want_counts, want_heat, want_items = recompute(world.p, year, today_local())
    assert counts == {name: [float(v) for v in values] for name, values in want_counts.items()}
    assert heat == want_heat
    # The ten items failed most: each shown with its exact figures, in order, and none left out
    # that failed more than the last one shown.
    assert items and len(items) == min(10, len(want_items))
    assert set(items) <= set(want_items)
    assert [(-f, -p) for _, _, f, p, _ in items] == sorted((-f, -p) for _, _, f, p, _ in items)
    last = (items[-1][2], items[-1][3])
    assert all((f, p) <= last for row in set(want_items) - set(items) for f, p in [row[2:4]])
    # The Excel file carries the same figures.
    from openpyxl import load_workbook

    ws = load_workbook(io.BytesIO(leader.get(f"/kiem-tra/tong-quan.xlsx{query}").data)).active
    sheet = {row[0]: list(row[1:]) for row in ws.iter_rows(min_row=4, values_only=True) if row[0]}
    assert sheet == {name: [*values, *want_heat[name]] for name, values in want_counts.items()}


def test_a_reader_sees_the_figures_of_his_own_subtree(world, login_as):
    """A district leader's overview rolls up to his communes; the province's other visits are not his."""
    _sample(world, random.Random(7))
    district = login_as("leader", world.d1)
    counts, heat, _ = page_tables(district)
    want_counts, want_heat, _ = recompute(world.d1, None, today_local())
    assert set(counts) - {"Tổng cộng"} and set(counts) <= {"Phường Xuất Hóa", "Xã Nam Mẫu", "Tổng cộng"}
    assert counts == {name: [float(v) for v in values] for name, values in want_counts.items()}
    assert heat == want_heat


def _row(counts: dict, name: str = "Huyện ủy Ba Bể") -> list:
    return counts[name]


def test_every_write_through_http_shows_at_once(world, team):  # noqa: F811
    """Read (and so cache) the overview and the lists, write through HTTP, read again."""
    t = team
    insp = issue(t, make_plan(t, world))
    judge_all(t.inspector, insp)
    counts, heat, _ = page_tables(t.officer)
    assert _row(counts) == [1, 0, 0, 0, 0] and _row(heat)[3] == 50.0   # kiểm tra, giám sát: 1 of 2 "chưa đạt"
    # A verdict changed: the heat follows.
    db.session.refresh(insp)
    row = next(r for r in insp.results_rows if r.category == "kiem_tra_giam_sat" and r.verdict == "dat")
    r = t.inspector.post_form(f"/kiem-tra/tieu-chi/{row.id}", {
        f"r{row.id}-verdict": "chua_dat", f"r{row.id}-note": "Chưa họp định kỳ", f"r{row.id}-version": row.version},
        htmx=True)
    assert r.status_code == 200
    counts, heat, items = page_tables(t.officer)
    assert _row(heat)[3] == 100.0 and _row(heat, "Tổng cộng")[3] == 100.0
    assert any(text == row.text and failed == 1 for _, text, failed, _, _ in items)
    # The record, two recommendations and the conclusion: concluded, 2 open.
    assert "Không có kiến nghị nào" in t.officer.get("/kiem-tra/kien-nghi/?status=open").get_data(as_text=True)
    visits_page = t.officer.get("/kiem-tra/").get_data(as_text=True)
    assert '<span class="badge">Đã lên lịch</span>' in visits_page
    conclude(t, insp)
    counts, _, _ = page_tables(t.officer)
    assert _row(counts) == [0, 0, 1, 2, 0]
    listing = t.officer.get("/kiem-tra/kien-nghi/?status=open").get_data(as_text=True)
    assert "Hiển thị 1–2 / 2" in listing
    assert '<span class="badge">Đã ban hành kết luận</span>' in t.officer.get("/kiem-tra/").get_data(as_text=True)
    # The unit reports on one, the team accepts it: one open left, on the overview and the list.
    db.session.refresh(insp)
    first = insp.recommendations[0]
    assert t.commune.post_form(f"/kiem-tra/kien-nghi/{first.id}/bao-cao",
                               {"comment": "Đã bổ sung số liệu"}).status_code == 303
    assert _row(page_tables(t.officer)[0]) == [0, 0, 1, 2, 0]   # reported is still open
    assert t.inspector.post_form(f"/kiem-tra/kien-nghi/{first.id}/danh-gia",
                                 {"decision": "accept", "comment": ""}).status_code == 303
    assert _row(page_tables(t.officer)[0]) == [0, 0, 1, 1, 0]
    listing = t.officer.get("/kiem-tra/kien-nghi/?status=open").get_data(as_text=True)
    assert "Hiển thị 1–1 / 1" in listing and first.text not in listing
    accepted = t.officer.get("/kiem-tra/kien-nghi/?status=accepted").get_data(as_text=True)
    assert first.text in accepted


def test_a_new_visit_and_a_moved_unit_show_at_once(world, team):  # noqa: F811
    """Scheduling through HTTP shows on the list; a unit moved in the tree moves its figures."""
    t = team
    before = t.officer.get("/kiem-tra/").get_data(as_text=True)
    assert "Chưa có cuộc kiểm tra nào" in before
    insp = issue(t, make_plan(t, world))
    assert "Phường Xuất Hóa" in t.officer.get("/kiem-tra/").get_data(as_text=True)
    counts, _, _ = page_tables(t.officer)
    assert _row(counts)[0] == 1 and "Huyện ủy Chợ Đồn" not in counts
    # The commune goes to the other district (paths are rewritten as the units feature does).
    from danvan.core.units import set_path

    c1 = db.session.get(Unit, insp.unit_id)
    c1.parent = world.d2
    set_path(c1)
    db.session.flush()
    counts, _, _ = page_tables(t.officer)
    assert _row(counts, "Huyện ủy Chợ Đồn")[0] == 1 and "Huyện ủy Ba Bể" not in counts
