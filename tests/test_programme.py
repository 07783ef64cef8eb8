"""Đề án tracker: roll-up arithmetic against values computed here, evidence rule, workflow, scope,
bad input, constant query counts."""
from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from danvan.core.files import Attachment
from danvan.programme import heatmap, rollup
from danvan.programme.models import Programme, ProgressReport, Task, TaskGroup, period_end

PDF = b"%PDF-1.4\n%test evidence\n"
AS_OF = date(2026, 11, 25)


def _report(task, unit, kind, year, number, status, percent, state="accepted"):
    r = ProgressReport(task=task, unit=unit, period_kind=kind, year=year, number=number,
                       period_end=period_end(kind, year, number), status=status, percent=Decimal(str(percent)),
                       narrative="Kết quả", state=state)
    return r


@pytest.fixture
def prog(world, db_session):
    """A programme of the province with weights, missing reports, a 0-weight task, a group with no task,
    a task not started yet, superseded and unaccepted reports."""
    w = world
    p = Programme(unit=w.p, title="Đề án thử nghiệm", title_key="de an thu nghiem", start_year=2023, end_year=2025,
                  lagging_below=Decimal(50))
    g1 = TaskGroup(programme=p, position=1, title="Nhóm một", weight=Decimal(2))
    g2 = TaskGroup(programme=p, position=2, title="Nhóm chỉ có nhiệm vụ trọng số 0", weight=Decimal(1))
    g3 = TaskGroup(programme=p, position=3, title="Nhóm ba để trống", weight=Decimal(1))
    g4 = TaskGroup(programme=p, position=4, title="Nhóm cấp huyện", weight=Decimal(1))
    start = date(2023, 1, 1)
    t1 = Task(programme=p, group=g1, position=1, title="Nhiệm vụ xã T1", weight=Decimal(2), level="commune",
              starts_on=start)
    t2 = Task(programme=p, group=g1, position=2, title="Nhiệm vụ xã T2", weight=Decimal(1), level="commune",
              starts_on=start, target=Decimal(10), unit_of_measure="cuộc")
    t3 = Task(programme=p, group=g2, position=1, title="Nhiệm vụ trọng số 0", weight=Decimal(0), level="commune",
              starts_on=start)
    t4 = Task(programme=p, group=g4, position=1, title="Nhiệm vụ huyện T4", weight=Decimal(1), level="district",
              starts_on=start)
    t5 = Task(programme=p, group=g4, position=2, title="Nhiệm vụ chưa bắt đầu", weight=Decimal(5), level="district",
              starts_on=date(2027, 1, 1))
    db_session.add_all([p, g1, g2, g3, g4, t1, t2, t3, t4, t5])
    db_session.flush()
    db_session.add_all([
        # T1: c1 latest accepted is 100 (an older 30 is superseded)
        _report(t1, w.c1, "6thang", 2023, 1, "dang", 30),
        _report(t1, w.c1, "nam", 2023, 1, "xong", 100),
        # c2: two accepted reports ending the same day: the later one (higher id) counts
        _report(t1, w.c2, "6thang", 2023, 2, "dang", 20),
        _report(t1, w.c2, "nam", 2023, 1, "dang", 60),
        # c3: accepted 40, then a newer one only submitted (not yet counted)
        _report(t1, w.c3, "6thang", 2024, 1, "dang", 40),
        _report(t1, w.c3, "nam", 2024, 1, "xong", 100, state="submitted"),
        # T2: c1 40 %, c2 99 % (cap); c3 reports only for 2025
        _report(t2, w.c1, "nam", 2024, 1, "dang", 40),
        _report(t2, w.c2, "nam", 2024, 1, "dang", 99),
        _report(t3, w.c1, "nam", 2024, 1, "xong", 100),
        # T4: d1 0, d2 100, e missing
        _report(t4, w.d1, "nam", 2024, 1, "chua", 0),
        _report(t4, w.d2, "nam", 2024, 1, "xong", 100),
        # a report after the reference date in the as_of test
        _report(t2, w.c3, "nam", 2025, 1, "xong", 100),
    ])
    db_session.flush()
    return SimpleNamespace(p=p, g1=g1, g2=g2, g3=g3, g4=g4, t1=t1, t2=t2, t3=t3, t4=t4, t5=t5)


def expected_province():
    t1 = (100 + 60 + 40) / 3
    t2 = (40 + 99 + 100) / 3
    g1 = (2 * t1 + 1 * t2) / 3
    g4 = (0 + 100 + 0) / 3          # T5 (not started) is not counted
    programme = (2 * g1 + 1 * g4) / 3  # G2 (weight-0 task only) and G3 (no task) are not counted
    return t1, t2, g1, g4, programme


def test_rollup_matches_independent_arithmetic(app, prog, world):
    t1, t2, g1, g4, total = expected_province()
    fig = rollup.figures(prog.p, world.p, AS_OF)
    groups = {g.group.id: g for g in fig.groups}
    tasks = {t.task.id: t for g in fig.groups for t in g.tasks}
    assert tasks[prog.t1.id].progress == pytest.approx(t1)
    assert tasks[prog.t2.id].progress == pytest.approx(t2)
    assert (tasks[prog.t4.id].expected, tasks[prog.t4.id].missing) == (3, 1)   # E has not reported: 0 %
    assert tasks[prog.t3.id].progress is None and "trọng số bằng 0" in tasks[prog.t3.id].formula
    assert tasks[prog.t5.id].progress is None and "chưa đến ngày bắt đầu" in tasks[prog.t5.id].formula
    assert groups[prog.g1.id].progress == pytest.approx(g1)
    assert groups[prog.g2.id].progress is None
    assert groups[prog.g3.id].progress is None
    assert groups[prog.g4.id].progress == pytest.approx(g4)
    assert fig.progress == pytest.approx(total)


def test_rollup_in_a_district_scope_and_as_of(app, prog, world):
    fig = rollup.figures(prog.p, world.d1, AS_OF)
    tasks = {t.task.id: t for g in fig.groups for t in g.tasks}
    assert tasks[prog.t1.id].progress == pytest.approx((100 + 60) / 2)
    assert tasks[prog.t4.id].progress == pytest.approx(0)       # only D1 itself in its scope
    # Before the 2024 reports were due, only the 2023 ones count.
    early = rollup.figures(prog.p, world.p, date(2024, 1, 31))
    t2 = next(t for g in early.groups for t in g.tasks if t.task.id == prog.t2.id)
    assert t2.progress == pytest.approx(0) and t2.missing == 3
    assert early.progress is not None


def test_heatmap_cells_match_independent_arithmetic(app, prog, world):
    groups = rollup.load_structure(prog.p)
    rows = {r.unit.id: r for r in heatmap.heatmap(prog.p, world.p, AS_OF, "child", groups)}
    d1 = rows[world.d1.id]
    t1, t2 = (100 + 60) / 2, (40 + 99) / 2
    assert d1.cells[prog.g1.id] == pytest.approx((2 * t1 + t2) / 3)
    assert d1.cells[prog.g4.id] == pytest.approx(0)
    assert d1.cells[prog.g2.id] is None and d1.cells[prog.g3.id] is None
    assert d1.progress == pytest.approx((2 * (2 * t1 + t2) / 3 + 0) / 3)
    communes = {r.unit.id: r for r in heatmap.heatmap(prog.p, world.p, AS_OF, "unit", groups)}
    assert communes[world.c3.id].cells[prog.g1.id] == pytest.approx((2 * 40 + 100) / 3)
    assert rows[world.e.id].missing == 1 and rows[world.e.id].progress == pytest.approx(0)


def test_programme_page_shows_figures_formula_and_not_counted(prog, world, login_as):
    t1, t2, g1, g4, total = expected_province()
    client = login_as("viewer", world.bdv)
    html = client.get(f"/de-an/{prog.p.id}?as_of=2026-11-25").get_data(as_text=True)
    assert rollup.pct(total) in html and rollup.pct(g1) in html and rollup.pct(g4) in html
    assert "không tính" in html
    empty_group = html.split(f'id="group-{prog.g3.id}"', 1)[1].split("</section>", 1)[0]
    assert "Nhóm ba để trống" in empty_group and "Nhóm chưa có nhiệm vụ: nhóm «không tính»" in empty_group
    assert "tính 0 %" in html                       # how a missing report counts is shown
    heat = client.get(f"/de-an/{prog.p.id}/ban-do-nhiet")
    assert heat.status_code == 200 and "Huyện ủy Ba Bể" in heat.get_data(as_text=True)
    frag = client.hx_get(f"/de-an/{prog.p.id}/ban-do-nhiet?level=unit&sort=lag")
    body = frag.get_data(as_text=True)
    assert body.lstrip().startswith('<div id="heatmap"') and "Thị trấn Bằng Lũng" in body


def test_programme_without_tasks_is_not_counted(world, login_as, db_session):
    p = Programme(unit=world.p, title="Đề án rỗng", title_key="de an rong", start_year=2023, end_year=2025)
    db_session.add_all([p, TaskGroup(programme=p, position=1, title="Nhóm rỗng", weight=Decimal(1))])
    db_session.flush()
    assert rollup.figures(p, world.p, AS_OF).progress is None
    html = login_as("viewer", world.bdv).get(f"/de-an/{p.id}").get_data(as_text=True)
    assert "chưa có nhóm nhiệm vụ nào được tính" in html


# ---------------------------------------------------------------- reports: evidence, workflow


def _form(**extra):
    data = {"period_kind": "nam", "year": "2025", "number": "1", "status": "dang", "value": "4",
            "narrative": "Đã tổ chức 04 cuộc đối thoại."}
    data.update(extra)
    return data


def test_completed_without_evidence_is_refused(prog, world, login_as, db_session):
    officer = login_as("officer", world.c1)
    url = f"/de-an/nhiem-vu/{prog.t2.id}/bao-cao/moi"
    before = db_session.scalar(sa.select(sa.func.count()).select_from(ProgressReport))
    response = officer.post_form(url, _form(status="xong", year="2025"))
    assert response.status_code == 422
    assert "phải kèm ít nhất một tài liệu minh chứng" in response.get_data(as_text=True)
    assert db_session.scalar(sa.select(sa.func.count()).select_from(ProgressReport)) == before
    # a fake PDF (wrong content) is refused with the upload message
    bad = officer.post_form(url, _form(status="xong", year="2025", evidence=(io.BytesIO(b"not a pdf"), "a.pdf")),
                            content_type="multipart/form-data")
    assert bad.status_code == 422 and "không đúng định dạng" in bad.get_data(as_text=True)
    ok = officer.post_form(url, _form(status="xong", year="2025", evidence=(io.BytesIO(PDF), "biên bản.pdf")),
                           content_type="multipart/form-data")
    assert ok.status_code == 303, ok.get_data(as_text=True)
    report = db_session.scalar(sa.select(ProgressReport).where(ProgressReport.task_id == prog.t2.id,
                                                               ProgressReport.unit_id == world.c1.id,
                                                               ProgressReport.year == 2025))
    assert report.state == "draft" and report.percent == 100
    files = db_session.scalars(sa.select(Attachment).where(Attachment.owner_type == "ProgressReport",
                                                           Attachment.owner_id == report.id)).all()
    assert [f.filename for f in files] == ["biên bản.pdf"]


def test_evidence_can_be_withdrawn_but_not_the_last_of_a_completed_report(prog, world, login_as, db_session):
    officer = login_as("officer", world.c1)
    ok = officer.post_form(f"/de-an/nhiem-vu/{prog.t2.id}/bao-cao/moi",
                           _form(status="xong", year="2025", evidence=[(io.BytesIO(PDF), "nhầm tệp.pdf"),
                                                                       (io.BytesIO(PDF), "biên bản.pdf")]),
                           content_type="multipart/form-data")
    assert ok.status_code == 303, ok.get_data(as_text=True)
    report = db_session.scalar(sa.select(ProgressReport).where(ProgressReport.task_id == prog.t2.id,
                                                               ProgressReport.unit_id == world.c1.id,
                                                               ProgressReport.year == 2025))
    first, second = db_session.scalars(sa.select(Attachment).where(
        Attachment.owner_type == "ProgressReport", Attachment.owner_id == report.id).order_by(Attachment.id)).all()
    url = f"/de-an/bao-cao/{report.id}/minh-chung/go"
    # a viewer cannot, a sibling commune cannot even see the report
    assert login_as("viewer", world.c1).post_form(url, {"attachment_id": first.id}).status_code == 403
    assert login_as("officer", world.c2).post_form(url, {"attachment_id": first.id}).status_code == 404
    assert officer.post_form(url, {"attachment_id": "abc"}).status_code == 400
    removed = officer.post_form(url, {"attachment_id": first.id})
    assert removed.status_code == 303
    page = officer.get(removed.headers["Location"]).get_data(as_text=True)
    assert "Đã gỡ tệp minh chứng «nhầm tệp.pdf»" in page and "biên bản.pdf" in page
    db_session.refresh(first)
    assert first.archived_at is not None          # archived, not deleted
    last = officer.post_form(url, {"attachment_id": second.id})
    assert last.status_code == 422 and "cần ít nhất một tệp minh chứng" in last.get_data(as_text=True)
    db_session.refresh(second)
    assert second.archived_at is None
    assert officer.post_form(f"/de-an/bao-cao/{report.id}/chuyen", {"transition": "submit"}).status_code == 303
    frozen = officer.post_form(url, {"attachment_id": second.id})
    assert frozen.status_code == 409 and "không gỡ được minh chứng" in frozen.get_data(as_text=True)


def test_report_workflow_and_rollup_update(prog, world, login_as, db_session):
    officer = login_as("officer", world.c1)
    r = officer.post_form(f"/de-an/nhiem-vu/{prog.t2.id}/bao-cao/moi", _form(year="2025", value="8"))
    assert r.status_code == 303
    report = db_session.scalar(sa.select(ProgressReport).where(ProgressReport.unit_id == world.c1.id,
                                                               ProgressReport.year == 2025))
    assert report.percent == Decimal("80.00")      # derived: 8 / 10, not typed
    assert officer.post_form(f"/de-an/bao-cao/{report.id}/chuyen", {"transition": "submit"}).status_code == 303
    # the commune's own leader cannot accept its own report; a sibling commune cannot see it
    same = login_as("leader", world.c1)
    assert same.post_form(f"/de-an/bao-cao/{report.id}/chuyen", {"transition": "accept"}).status_code == 403
    assert login_as("leader", world.c2).get(f"/de-an/bao-cao/{report.id}").status_code == 404
    district = login_as("leader", world.d1b)
    no_reason = district.post_form(f"/de-an/bao-cao/{report.id}/chuyen", {"transition": "return"})
    assert no_reason.status_code == 422 and "Cần ghi rõ lý do" in no_reason.get_data(as_text=True)
    before = rollup.figures(prog.p, world.p, AS_OF).progress
    assert district.post_form(f"/de-an/bao-cao/{report.id}/chuyen", {"transition": "accept"}).status_code == 303
    db_session.refresh(report)
    assert report.state == "accepted"
    after = rollup.figures(prog.p, world.p, AS_OF).progress
    t2_new = (80 + 99 + 100) / 3   # c3's 2025 report (seeded accepted) also counts now
    t1, _, _, g4, _ = expected_province()
    assert after == pytest.approx((2 * ((2 * t1 + t2_new) / 3) + g4) / 3) and after != before
    # the timeline of the task shows the events
    html = district.get(f"/de-an/nhiem-vu/{prog.t2.id}").get_data(as_text=True)
    assert "gửi báo cáo" in html and "được duyệt" in html
    # an accepted report is no longer editable
    edit = officer.post_form(f"/de-an/bao-cao/{report.id}", {"status": "chua", "narrative": "x",
                                                              "version": str(report.version)})
    assert edit.status_code == 409 and "không sửa được" in edit.get_data(as_text=True)


def test_only_the_reports_own_unit_submits_it(prog, world, login_as, db_session):
    """The district leader above sees the commune's draft (and may report, for the district), yet
    the «Gửi báo cáo» button and the POST are the commune's only."""
    officer = login_as("officer", world.c1)
    assert officer.post_form(f"/de-an/nhiem-vu/{prog.t2.id}/bao-cao/moi", _form(year="2025")).status_code == 303
    report = db_session.scalar(sa.select(ProgressReport).where(ProgressReport.unit_id == world.c1.id,
                                                               ProgressReport.year == 2025))
    district = login_as("leader", world.d1b)
    page = district.get(f"/de-an/bao-cao/{report.id}")
    assert page.status_code == 200 and 'value="submit"' not in page.get_data(as_text=True)
    refused = district.post_form(f"/de-an/bao-cao/{report.id}/chuyen", {"transition": "submit"})
    assert refused.status_code == 403 and "Chỉ đơn vị lập báo cáo mới gửi được" in refused.get_data(as_text=True)
    db_session.refresh(report)
    assert report.state == "draft"
    assert 'value="submit"' in officer.get(f"/de-an/bao-cao/{report.id}").get_data(as_text=True)


@pytest.mark.parametrize("data,message", [
    ({"year": "2030"}, "Năm báo cáo phải trong giai đoạn 2023–2025"),
    ({"year": "abc"}, "Phải là số nguyên"),
    ({"period_kind": "quy", "number": "5"}, "Số kỳ không hợp lệ"),
    ({"period_kind": "tuan"}, "Lựa chọn không hợp lệ"),
    ({"value": "-3"}, "Giá trị không được âm"),
    ({"value": "mười"}, "Phải là một số"),
    ({"value": ""}, "Nhập giá trị đạt được"),
    ({"status": "xyz"}, "Lựa chọn không hợp lệ"),
    ({"narrative": ""}, "Nêu kết quả thực hiện"),
    ({"narrative": "x" * 10001}, "Tối đa 10.000 ký tự"),
])
def test_bad_report_input_gives_422_with_message(prog, world, login_as, data, message):
    officer = login_as("officer", world.c1)
    response = officer.post_form(f"/de-an/nhiem-vu/{prog.t2.id}/bao-cao/moi", _form(**data))
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)


def test_duplicate_period_and_wrong_level(prog, world, login_as):
    officer = login_as("officer", world.c1)
    dup = officer.post_form(f"/de-an/nhiem-vu/{prog.t2.id}/bao-cao/moi", _form(year="2024"))
    assert dup.status_code == 409 and "đã có báo cáo" in dup.get_data(as_text=True)
    wrong = officer.post_form(f"/de-an/nhiem-vu/{prog.t4.id}/bao-cao/moi", _form(year="2025"))
    assert wrong.status_code == 403 and "không phải đơn vị thực hiện" in wrong.get_data(as_text=True)


def test_reports_list_is_scoped_and_searchable(prog, world, login_as):
    c1 = login_as("viewer", world.c1).get(f"/de-an/{prog.p.id}/bao-cao").get_data(as_text=True)
    assert "Phường Xuất Hóa" in c1 and "Xã Nam Mẫu" not in c1
    d1 = login_as("viewer", world.d1b).hx_get(f"/de-an/{prog.p.id}/bao-cao?q=nam mau").get_data(as_text=True)
    assert "Xã Nam Mẫu" in d1 and "Phường Xuất Hóa" not in d1 and "Thị trấn Bằng Lũng" not in d1


def test_programme_and_structure_forms(world, login_as, db_session):
    leader = login_as("leader", world.bdv)
    bad = leader.post_form("/de-an/moi", {"title": "", "start_year": "2025", "end_year": "2023",
                                          "lagging_below": "50"})
    assert bad.status_code == 422 and "Nhập tên Đề án" in bad.get_data(as_text=True)
    years = leader.post_form("/de-an/moi", {"title": "Đề án mới", "start_year": "2025", "end_year": "2023",
                                            "lagging_below": "50"})
    assert years.status_code == 422 and "Năm kết thúc không được trước năm bắt đầu" in years.get_data(as_text=True)
    ok = leader.post_form("/de-an/moi", {"title": "Đề án mới", "start_year": "2023", "end_year": "2025",
                                         "lagging_below": "50"})
    assert ok.status_code == 303
    p = db_session.scalar(sa.select(Programme).where(Programme.title == "Đề án mới"))
    assert p.unit_id == world.p.id
    no_group = leader.post_form(f"/de-an/{p.id}/nhiem-vu/moi", {"title": "x", "weight": "1", "level": "commune",
                                                                 "position": "1"})
    assert no_group.status_code == 422 and "chưa có nhóm nhiệm vụ" in no_group.get_data(as_text=True)
    g = leader.post_form(f"/de-an/{p.id}/nhom/moi", {"title": "Nhóm 1", "weight": "-1", "position": "1"})
    assert g.status_code == 422 and "Trọng số từ 0" in g.get_data(as_text=True)
    assert leader.post_form(f"/de-an/{p.id}/nhom/moi", {"title": "Nhóm 1", "weight": "2", "position": "1"}
                            ).status_code == 303
    group = db_session.scalar(sa.select(TaskGroup).where(TaskGroup.programme_id == p.id))
    t = leader.post_form(f"/de-an/{p.id}/nhiem-vu/moi", {"group_id": str(group.id), "title": "Đối thoại",
                                                          "weight": "1", "level": "commune", "position": "1",
                                                          "target": "0"})
    assert t.status_code == 422 and "Chỉ tiêu phải lớn hơn 0" in t.get_data(as_text=True)
    t = leader.post_form(f"/de-an/{p.id}/nhiem-vu/moi", {"group_id": str(group.id), "title": "Đối thoại",
                                                          "weight": "1", "level": "commune", "position": "1",
                                                          "target": "2,5"})
    assert t.status_code == 303
    task = db_session.scalar(sa.select(Task).where(Task.programme_id == p.id))
    assert task.target == Decimal("2.5") and task.starts_on == date(2023, 1, 1)
    # a commune leader may not change the province's programme
    assert login_as("leader", world.c1).post_form(f"/de-an/{p.id}/sua", {"title": "x"}).status_code == 403


def test_heatmap_and_programme_pages_run_constant_queries(prog, world, login_as, count_queries, create_unit,
                                                          db_session):
    client = login_as("viewer", world.bdv)
    urls = [f"/de-an/{prog.p.id}", f"/de-an/{prog.p.id}/ban-do-nhiet", f"/de-an/{prog.p.id}/ban-do-nhiet?level=unit"]

    def counts():
        out = []
        for url in urls:
            with count_queries() as q:
                assert client.get(url).status_code == 200
            out.append(q.count)
        return out

    small = counts()
    for i in range(12):
        c = create_unit(f"Xã Thêm {i}", "xa", world.d2)
        db_session.add(_report(prog.t1, c, "nam", 2024, 1, "dang", 50))
    db_session.flush()
    assert counts() == small


def test_programme_page_queries_do_not_grow_with_report_periods(prog, world, login_as, count_queries, db_session):
    """The timeline draws one point per period: every period's roll-up comes from one statement."""
    client = login_as("viewer", world.bdv)
    url = f"/de-an/{prog.p.id}"

    def cold() -> tuple[int, str]:
        with count_queries() as q:
            page = client.get(url).get_data(as_text=True)
        return q.count, page

    before, _ = cold()
    for number in (1, 2, 3, 4):
        db_session.add(_report(prog.t1, world.c2, "quy", 2023, number, "dang", 10 * number))
    db_session.flush()          # a new data version: the next view computes everything again
    after, page = cold()
    assert after == before
    assert all(day in page for day in ("31/03/2023", "30/06/2023", "30/09/2023", "31/12/2023"))


def test_soket_draft_from_live_data(prog, world, login_as, run_jobs):
    t1, t2, g1, g4, total = expected_province()
    officer = login_as("officer", world.bdv)
    assert "Lập dự thảo" in officer.get(f"/de-an/{prog.p.id}/so-ket").get_data(as_text=True)
    r = officer.post_form(f"/de-an/{prog.p.id}/so-ket/du-thao")   # a background job
    assert r.status_code == 303 and run_jobs() == ["done"]
    html = officer.get(r.headers["Location"]).get_data(as_text=True)
    assert "I. TÌNH HÌNH TRIỂN KHAI" in html and rollup.pct(total) in html
    assert "III. ĐƠN VỊ CHẬM TIẾN ĐỘ" in html and "IV. ĐÁNH GIÁ, XẾP LOẠI" in html


def test_soket_button_creates_a_draft_bc_document(prog, world, login_as, db_session, run_jobs):
    from danvan.plans.models import PlanDocument

    officer = login_as("officer", world.bdv)
    r = officer.post_form(f"/de-an/{prog.p.id}/so-ket")
    assert r.status_code == 303 and run_jobs() == ["done"]
    r = officer.get(r.headers["Location"] + "/tai-ve")   # the job's result is the new document
    assert r.status_code == 303 and "/van-ban/" in r.headers["Location"]
    doc = db_session.scalar(sa.select(PlanDocument).where(PlanDocument.unit_id == world.bdv.id))
    assert doc.type_code == "BC" and doc.state == "draft" and "Sơ kết" in doc.summary
    assert any("TÌNH HÌNH TRIỂN KHAI" in s["heading"] for s in doc.sections)
    assert officer.get(r.headers["Location"]).status_code == 200
    assert login_as("viewer", world.bdv).post_form(f"/de-an/{prog.p.id}/so-ket").status_code == 403


def test_unit_merge_moves_unfinished_reports_only(prog, world, db_session, create_user):
    from danvan.units import service as units_service

    draft = _report(prog.t2, world.c1, "nam", 2025, 1, "dang", 50, state="draft")
    db_session.add(draft)
    db_session.flush()
    admin = create_user(world.bdv, ["admin"])
    successor, moved = units_service.merge([world.c1, world.c2], name="Phường Xuất Hóa mới", code="ĐU",
                                           parent=world.d1, on=date(2025, 7, 1), move_open_work=True, actor=admin)
    assert moved["Báo cáo tiến độ Đề án chưa duyệt"] == 1
    db_session.refresh(draft)
    assert draft.unit_id == successor.id
    accepted = db_session.scalars(sa.select(ProgressReport).where(ProgressReport.state == "accepted",
                                                                  ProgressReport.unit_id == world.c1.id)).all()
    assert accepted   # history stays with the unit that made it
