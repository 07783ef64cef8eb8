"""The province leader's dashboard ("/") with every panel full: at most 15 SQL statements with an empty
cache, the same number when the data grows; and a write in scope shows at once (panels are cached)."""
from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal

import sqlalchemy as sa

from danvan import calls
from danvan.blocs.models import Bloc
from danvan.conferences.models import ConferenceContribution, ConferenceInvitee, ConferencePoint
from danvan.core.cache import cache
from danvan.core.vntext import now_utc, today_local
from danvan.extensions import db
from danvan.inspections.models import Recommendation
from danvan.plans import documents
from danvan.programme.models import Programme, ProgressReport, Task, TaskGroup
from tests.samples.blocs import _make as make_bloc
from tests.samples.conferences import make_conference
from tests.samples.initiatives import make_initiative
from tests.samples.inspections import make_inspection
from tests.samples.plans import DOC

GOAL = 15


def _tree(create_unit):
    """Central level → province (its ban, where the leader works) → communes: calls come from above."""
    top = create_unit("Trung ương (thử)", "tinh_uy", code="TW")
    province = create_unit("Tỉnh ủy Thử Nghiệm", "huyen_uy", top, code="TU")
    ban = create_unit("Ban Dân vận Tỉnh ủy", "ban", province, code="BDVTU")
    return top, province, ban


def _fill(create_unit, top, province, ban, start: int, n: int) -> None:
    """n more of everything each panel shows, in n new communes of the province."""
    today = today_local()
    for i in range(start, start + n):
        commune = create_unit(f"Xã Thử {i:02d}", "xa", province)
        # plans: a call to the province due soon, another overdue; a commune's plan waiting for approval
        for days in (3, -2):
            call = calls.create_call(top, {"title": f"Báo cáo {i} ({days})", "type_code": "BC",
                                           "deadline": today}, [province], actor=None,
                                     notify=False)
            call.deadline = today + timedelta(days=days)
        doc = documents.create_document(commune, DOC, actor=None)
        doc.state, doc.approver_unit_id = "submitted", province.id
        documents.create_document(ban, DOC, actor=None)                      # a draft of the leader's unit
        # Dân vận khéo: one to review, one returned
        make_initiative(commune, name=f"Mô hình {i}", state="submitted")
        make_initiative(commune, name=f"Mô hình trả lại {i}", state="returned")
        # conferences organised by the ban, the commune invited, a điểm cầu, tham luận to review
        start_at = now_utc() + timedelta(days=5 + i)
        conf = make_conference(ban, title=f"Hội nghị {i}", starts_at=start_at, ends_at=start_at + timedelta(hours=3))
        conf.invitees.append(ConferenceInvitee(unit=commune, addressee="Lãnh đạo xã"))
        conf.points.append(ConferencePoint(unit=commune, venue="Hội trường xã"))
        conf.contributions.append(ConferenceContribution(
            unit=commune, topic="Kinh nghiệm", deadline=today + timedelta(days=3), state="submitted",
            title=f"Tham luận {i}", submitted_at=now_utc()))
        # Đề án: a task the commune reports on, accepted
        programme = db.session.scalar(sa.select(Programme).where(Programme.unit_id == province.id))
        if programme is None:
            programme = Programme(unit=province, title="Đề án thử", title_key="de an thu", start_year=2023,
                                  end_year=2025)
            db.session.add(programme)
        group = TaskGroup(programme=programme, position=i, title=f"Nhóm {i}", weight=Decimal(1))
        task = Task(programme=programme, group=group, position=1, title=f"Nhiệm vụ {i}", weight=Decimal(1),
                    level="commune", starts_on=date(2023, 1, 1))
        db.session.add_all([group, task])
        db.session.flush()
        db.session.add(ProgressReport(task=task, unit=commune, period_kind="nam", year=2024, number=1,
                                      period_end=date(2024, 12, 31), status="dang", percent=Decimal(40),
                                      narrative="x", state="accepted"))
        # inspections: a visit planned by the province; recommendations to act on, to review, overdue
        visit = make_inspection(province, commune, state="issued", day=today + timedelta(days=10 + i))
        visit.state = "planned"
        from_above = make_inspection(top, province, state="issued", day=today - timedelta(days=30))
        from_above.state = "concluded"
        db.session.add_all([
            Recommendation(inspection=from_above, organiser_id=top.id, unit=province, text=f"Kiến nghị {i}",
                           deadline=today - timedelta(days=1), state="open"),
            Recommendation(inspection=visit, organiser_id=province.id, unit=commune, text=f"Đã báo cáo {i}",
                           deadline=today + timedelta(days=20), state="reported"),
            Recommendation(inspection=visit, organiser_id=province.id, unit=commune, text=f"Quá hạn {i}",
                           deadline=today - timedelta(days=2), state="open")])
        # blocs: a bloc with its member, an evaluation submitted for the province to score
        _, _, evaluation, _ = make_bloc(commune)
        evaluation.state = "submitted"
        db.session.flush()


def _count(html: str, key: str) -> int | None:
    found = re.search(rf'id="count-{key}"[^>]*>(\d+)<', html)
    return int(found.group(1)) if found else None


def test_every_panel_full_costs_at_most_15_queries_whatever_the_data(app, create_unit, login_as, count_queries):
    top, province, ban = _tree(create_unit)
    leader = login_as("leader", ban)
    _fill(create_unit, top, province, ban, 1, 1)

    def measure() -> tuple[int, str, list[str]]:
        leader.get("/")                  # templates compiled, not the page's work
        with app.app_context():
            cache.clear()                # every panel computed: the most the page ever runs
        with count_queries() as q:
            page = leader.get("/")
        assert page.status_code == 200
        return q.count, page.get_data(as_text=True), q.statements

    small, html, statements = measure()
    for panel in ("panel-plans", "panel-conferences", "panel-programme", "panel-inspections", "panel-blocs"):
        assert f'id="{panel}"' in html, panel
    assert "1 đăng ký chờ xem xét" in html and "1 đăng ký bị trả lại cần sửa" in html
    assert (_count(html, "waiting"), _count(html, "soon"), _count(html, "overdue")) == (1, 1, 1)
    assert _count(html, "review") == 1                              # conferences: a tham luận to review
    assert "1 phiếu đánh giá khối năm 2024 chờ cấp trên chấm điểm" in html and "1 khối, 1 thành viên" in html
    assert "Kiến nghị 1" in html and "Xã Thử 01" in html            # to act on; upcoming visit
    assert small <= GOAL, "\n".join(statements)

    _fill(create_unit, top, province, ban, 2, 4)
    large, html, statements = measure()
    assert large == small, statements
    assert "5 đăng ký chờ xem xét" in html and "5 phiếu đánh giá khối năm 2024 chờ cấp trên chấm điểm" in html
    assert (_count(html, "waiting"), _count(html, "soon"), _count(html, "overdue")) == (5, 5, 5)
    assert _count(html, "review") == 5 and _count(html, "to-act") == 5
    print(f"dashboard queries, every panel full: {small} (1 commune) = {large} (5 communes)")


def test_a_write_in_scope_shows_at_once(create_unit, login_as):
    """Panels are cached, their counts batched: each kind of write still shows on the next read."""
    top, province, ban = _tree(create_unit)
    leader = login_as("leader", ban)
    _fill(create_unit, top, province, ban, 1, 1)
    html = leader.get("/").get_data(as_text=True)
    assert "1 đăng ký chờ xem xét" in html and "1 phiếu đánh giá khối năm 2024 chờ cấp trên chấm điểm" in html
    commune = db.session.scalar(sa.select(Bloc).order_by(Bloc.id)).unit
    make_initiative(commune, name="Mô hình mới", state="submitted")
    html = leader.get("/").get_data(as_text=True)
    assert "2 đăng ký chờ xem xét" in html and "1 phiếu đánh giá khối năm 2024 chờ cấp trên chấm điểm" in html
    _, _, evaluation, _ = make_bloc(create_unit("Xã Thử mới", "xa", province))
    evaluation.state = "submitted"
    db.session.flush()
    html = leader.get("/").get_data(as_text=True)
    assert "2 phiếu đánh giá khối năm 2024 chờ cấp trên chấm điểm" in html and "2 khối" in html
    doc = documents.create_document(commune, DOC, actor=None)
    doc.state, doc.approver_unit_id = "submitted", province.id
    db.session.flush()
    assert _count(leader.get("/").get_data(as_text=True), "waiting") == 2


def test_programme_page_with_a_long_history_stays_within_15_queries(app, create_unit, login_as, count_queries):
    """The progress chart rolls up every past period: the task structure is loaded once for all of them."""
    top, province, ban = _tree(create_unit)
    _fill(create_unit, top, province, ban, 1, 2)
    programme = db.session.scalar(sa.select(Programme).where(Programme.unit_id == province.id))
    task = db.session.scalar(sa.select(Task).where(Task.programme_id == programme.id))
    commune = db.session.scalar(sa.select(Bloc).order_by(Bloc.id)).unit
    for n, (kind, year, number, end) in enumerate([("6thang", 2023, 1, date(2023, 6, 30)),
                                                   ("nam", 2023, 1, date(2023, 12, 31)),
                                                   ("6thang", 2024, 1, date(2024, 6, 30)),
                                                   ("6thang", 2025, 1, date(2025, 6, 30))]):
        db.session.add(ProgressReport(task=task, unit=commune, period_kind=kind, year=year, number=number,
                                      period_end=end, status="dang", percent=Decimal(10 * (n + 1)), narrative="x",
                                      state="accepted"))
    db.session.flush()
    viewer = login_as("viewer", ban)
    url = f"/de-an/{programme.id}"
    viewer.get(url)
    with app.app_context():
        cache.clear()
    with count_queries() as q:
        assert viewer.get(url).status_code == 200
    structure = [s for s in q.statements if s.lstrip().startswith("SELECT programme_task_group.id")]
    assert len(structure) <= 3, structure      # the page's figure, the bands, and once for the whole chart
    assert q.count <= GOAL, "\n".join(q.statements)
