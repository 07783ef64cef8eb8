"""The maintained roll-up summary equals a full recomputation after every kind of change (randomised,
both databases), and cached pages are never stale after a write made through HTTP."""
from __future__ import annotations

import random
from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa

from danvan.core.vntext import today_local
from danvan.programme import heatmap, rollup, service, summary, trends
from danvan.programme.models import Programme, ProgressLatest, ProgressReport, Task, TaskGroup, period_end
from danvan.units import service as units_service

FAR = date(2100, 1, 1)   # history up to here sees every report, as the summary does
PERIODS = [("quy", 2023, 2), ("6thang", 2023, 2), ("nam", 2024, 1), ("6thang", 2025, 1), ("quy", 2025, 3)]


def _programme(world, db_session) -> tuple[Programme, list[Task]]:
    p = Programme(unit=world.p, title="Đề án ngẫu nhiên", title_key="de an ngau nhien", start_year=2023,
                  end_year=2025, lagging_below=Decimal(50))
    g1 = TaskGroup(programme=p, position=1, title="Nhóm một", weight=Decimal(2))
    g2 = TaskGroup(programme=p, position=2, title="Nhóm hai", weight=Decimal(1))
    start = date(2023, 1, 1)
    tasks = [Task(programme=p, group=g1, position=1, title="Xã A", weight=Decimal(2), level="commune", starts_on=start),
             Task(programme=p, group=g1, position=2, title="Xã B", weight=Decimal(1), level="commune", starts_on=start),
             Task(programme=p, group=g2, position=1, title="Huyện", weight=Decimal(1), level="district",
                  starts_on=start),
             Task(programme=p, group=g2, position=2, title="Tỉnh", weight=Decimal(3), level="province",
                  starts_on=start)]
    db_session.add_all([p, g1, g2, *tasks])
    db_session.flush()
    return p, tasks


def _responsible_units(world, task: Task):
    return {"commune": [world.c1, world.c2, world.c3], "district": [world.d1, world.d2, world.e],
            "province": [world.p]}[task.level]


def _new_report(rng, task, unit, kind, year, number, state):
    percent = Decimal(rng.choice([0, 15, 40, 62.5, 99, 100]))
    return ProgressReport(task=task, unit=unit, period_kind=kind, year=year, number=number,
                          period_end=period_end(kind, year, number), status="dang", percent=percent,
                          narrative="Kết quả thực hiện", state=state)


def _rounded(value):
    """Floats summed in another order differ in the last bits: compare to 9 decimals."""
    if isinstance(value, float):
        return round(value, 9)
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_rounded(v) for v in value]
    return value


def _assert_summary_equals_recomputation(db_session, p, world):
    db_session.flush()
    conn = db_session.connection()
    t = ProgressLatest.__table__
    stored = {tuple(r) for r in conn.execute(sa.select(t.c.task_id, t.c.unit_id, t.c.report_id, t.c.period_end,
                                                       t.c.percent))}
    assert stored == summary.recompute(conn)
    for root in (world.p, world.d1, world.d2):
        assert (_rounded(rollup.task_totals(p, root, FAR, source="summary"))
                == _rounded(rollup.task_totals(p, root, FAR, source="history")))
    groups = rollup.load_structure(p)
    for bucket in ("child", "unit"):
        fast = heatmap.heatmap(p, world.p, FAR, bucket, groups, source="summary")
        slow = heatmap.heatmap(p, world.p, FAR, bucket, groups, source="history")
        assert _rounded([(r.unit.id, r.progress, r.missing, r.cells) for r in fast]) == \
            _rounded([(r.unit.id, r.progress, r.missing, r.cells) for r in slow])
    # the timeline's several dates in one statement = the one-date roll-up at each (merges included)
    ends = sorted(set(db_session.scalars(sa.select(ProgressReport.period_end).distinct()))
                  | {date(2023, 1, 15), date(2025, 6, 30), date(2025, 8, 1)})
    for root in (world.p, world.d1):
        assert _rounded(trends.history_totals(p, root, ends)) == \
            _rounded({end: rollup.task_totals(p, root, end, source="history") for end in ends})


@pytest.mark.parametrize("seed", [1, 2])
def test_summary_equals_recomputation_after_every_kind_of_change(seed, world, db_session, create_user):
    rng = random.Random(seed)
    p, tasks = _programme(world, db_session)
    leader = create_user(world.bdv, ("leader",))
    for task in tasks:
        for unit in _responsible_units(world, task):
            for kind, year, number in rng.sample(PERIODS, rng.randint(0, 4)):
                db_session.add(_new_report(rng, task, unit, kind, year, number,
                                           rng.choice(["accepted", "accepted", "submitted", "draft", "returned"])))
    _assert_summary_equals_recomputation(db_session, p, world)

    def reports(state):
        return list(db_session.scalars(sa.select(ProgressReport).join(Task)
                                       .where(Task.programme_id == p.id, ProgressReport.state == state)
                                       .order_by(ProgressReport.id)))

    def accept():       # the workflow, as a reviewer does it
        pending = reports("submitted")
        if pending:
            service.transition(rng.choice(pending), "accept", actor=leader)

    def reopen():       # withdrawal of an accepted report
        done = reports("accepted")
        if done:
            service.transition(rng.choice(done), "reopen", actor=leader, comment="Số liệu cần sửa")

    def edit_accepted():  # a correction written directly (script, admin)
        done = reports("accepted")
        if done:
            rng.choice(done).percent = Decimal(rng.choice([5, 55, 100]))

    def resubmit():
        back = reports("returned") + reports("draft")
        if back:
            rng.choice(back).state = "submitted"

    def add_accepted():
        task = rng.choice(tasks)
        unit = rng.choice(_responsible_units(world, task))
        kind, year, number = rng.choice(PERIODS)
        exists = db_session.scalar(sa.select(ProgressReport.id).where(
            ProgressReport.task_id == task.id, ProgressReport.unit_id == unit.id,
            ProgressReport.period_kind == kind, ProgressReport.year == year, ProgressReport.number == number))
        if exists is None:
            db_session.add(_new_report(rng, task, unit, kind, year, number, "accepted"))

    def delete_accepted():
        done = reports("accepted")
        if done:
            db_session.delete(rng.choice(done))

    def merge():        # two communes become one; open work follows, accepted reports stay
        open_communes = [c for c in (world.c1, world.c2, world.c3) if c.is_open]
        if len(open_communes) >= 2:
            pair = rng.sample(open_communes, 2)
            units_service.merge(pair, name=f"Xã hợp nhất {seed}", code="", parent=pair[0].parent,
                                on=date(2025, 7, 1), move_open_work=True, actor=leader)

    changes = [accept, reopen, edit_accepted, resubmit, add_accepted, delete_accepted, merge]
    for change in changes + [rng.choice(changes) for _ in range(15)]:
        change()
        _assert_summary_equals_recomputation(db_session, p, world)


def _accepted_report(task, unit, percent, year=2024):
    return ProgressReport(task=task, unit=unit, period_kind="nam", year=year, number=1,
                          period_end=period_end("nam", year, 1), status="dang", percent=Decimal(percent),
                          narrative="Kết quả", state="accepted")


def test_cached_pages_are_never_stale_after_a_write(world, db_session, login_as):
    p, tasks = _programme(world, db_session)
    commune_task = tasks[0]
    db_session.add_all([_accepted_report(commune_task, world.c1, 20), _accepted_report(commune_task, world.c2, 20)])
    viewer = login_as("viewer", world.bdv)
    figure_before = rollup.pct((20 + 20 + 0) / 3)
    assert figure_before in viewer.get(f"/de-an/{p.id}").get_data(as_text=True)
    heat_url = f"/de-an/{p.id}/ban-do-nhiet?level=unit&sort=lag"
    first = viewer.get(heat_url).get_data(as_text=True)
    assert first.index("Thị trấn Bằng Lũng") < first.index("Phường Xuất Hóa")   # 0 % is slowest
    # the same pages again come from the cache: fewer statements than the first time
    officer = login_as("officer", world.c3)
    report = ProgressReport(task=commune_task, unit=world.c3, period_kind="nam", year=2025, number=1,
                            period_end=period_end("nam", 2025, 1), status="dang", percent=Decimal(90),
                            narrative="Đã tổ chức", state="submitted", created_by_id=officer.user.id)
    db_session.add(report)
    db_session.flush()
    leader = login_as("leader", world.d2)
    assert viewer.get(f"/de-an/{p.id}").status_code == 200  # cached with the submitted report not counted
    accepted = leader.post_form(f"/de-an/bao-cao/{report.id}/chuyen", {"transition": "accept"})
    assert accepted.status_code == 303, accepted.get_data(as_text=True)
    figure_after = rollup.pct((20 + 20 + 90) / 3)
    assert figure_after in viewer.get(f"/de-an/{p.id}").get_data(as_text=True)
    after = viewer.get(heat_url).get_data(as_text=True)
    assert after.index("Phường Xuất Hóa") < after.index("Thị trấn Bằng Lũng")  # 90 % is no longer slowest
    reopened = leader.post_form(f"/de-an/bao-cao/{report.id}/chuyen", {"transition": "reopen", "comment": "Sai số"})
    assert reopened.status_code == 303
    assert figure_before in viewer.get(f"/de-an/{p.id}").get_data(as_text=True)


def test_cached_page_runs_fewer_statements(world, db_session, login_as, count_queries):
    p, tasks = _programme(world, db_session)
    db_session.add(_accepted_report(tasks[0], world.c1, 20))
    viewer = login_as("viewer", world.bdv)
    url = f"/de-an/{p.id}/ban-do-nhiet?level=unit"
    with count_queries() as cold:
        assert viewer.get(url).status_code == 200
    with count_queries() as warm:
        assert viewer.get(url).status_code == 200
    assert warm.count < cold.count


def test_heatmap_search_pages_and_exact_totals(world, db_session, login_as):
    p, tasks = _programme(world, db_session)
    db_session.add_all([_accepted_report(tasks[0], world.c1, 100), _accepted_report(tasks[1], world.c1, 100)])
    viewer = login_as("viewer", world.bdv)
    base = f"/de-an/{p.id}/ban-do-nhiet?level=unit&sort=lag"
    found = viewer.hx_get(base + "&q=xuat hoa").get_data(as_text=True)   # accent-insensitive
    assert found.lstrip().startswith('<div id="heatmap"')
    assert "Phường Xuất Hóa" in found and "Xã Nam Mẫu" not in found and "<html" not in found
    assert "khớp «xuat hoa»" in found
    none = viewer.hx_get(base + "&q=khong co").get_data(as_text=True)
    assert "Không có đơn vị nào khớp" in none
    everything = viewer.get(base).get_data(as_text=True)
    # 3 communes, 3 districts and the province answer for some task: 7 rows, 6 under 50 %
    assert 'id="heat-lagging">6</strong>/7 đơn vị' in everything
    assert everything.index("Xã Nam Mẫu") < everything.index("Phường Xuất Hóa")


def test_dashboard_panel_is_cached_but_never_stale(world, db_session, login_as, count_queries):
    p, tasks = _programme(world, db_session)
    commune_task = tasks[0]
    report = _accepted_report(commune_task, world.c1, 60)
    report.state = "submitted"
    db_session.add(report)
    viewer = login_as("viewer", world.bdv)
    with count_queries() as cold:
        first = viewer.get("/").get_data(as_text=True)
    with count_queries() as warm:
        assert viewer.get("/").get_data(as_text=True) == first
    assert warm.count < cold.count                       # the panels came from the cache
    leader = login_as("leader", world.d1)
    assert leader.post_form(f"/de-an/bao-cao/{report.id}/chuyen", {"transition": "accept"}).status_code == 303
    after = viewer.get("/").get_data(as_text=True)
    figure = rollup.figures(p, world.p, today_local())
    assert figure.progress and rollup.pct(figure.progress) in after and after != first
