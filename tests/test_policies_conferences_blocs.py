"""Object policies of conferences and blocs (core/policies/conferences.py, blocs.py) through HTTP: a user the
rule refuses gets 403 (or 404 outside the tree), a permitted one succeeds, and pages show a control exactly
when the same rule allows it."""
from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from danvan.blocs.models import Bloc, BlocMember, CriteriaSet, Criterion, Evaluation, EvaluationScore
from danvan.conferences.models import ConferenceContribution, ConferenceInvitee, ConferenceItem
from danvan.core import access
from danvan.extensions import db
from tests.samples.conferences import blank_pdf, make_conference


@pytest.fixture
def conf(world):
    """Organised by the district's Ban Dân vận; C1 is invited and owes a tham luận."""
    c = make_conference(world.d1b, title="Hội nghị chuyên đề thử quyền")
    c.invitees.append(ConferenceInvitee(unit=world.c1, addressee="Bí thư Phường Xuất Hóa"))
    c.contributions.append(ConferenceContribution(unit=world.c1, topic="Chủ đề thử", deadline=date(2026, 12, 5),
                                                  state="invited"))
    db.session.flush()
    return c


def test_managing_a_conference_needs_the_organisers_tree_and_an_editing_role(conf, world, login_as):
    viewer = login_as("viewer", world.d1b)
    assert viewer.get(f"/hoi-nghi/{conf.id}/sua").status_code == 403
    assert viewer.post_form(f"/hoi-nghi/{conf.id}/chu-tri", {"name": "Ma Văn Cường"}).status_code == 403
    assert not access.can(viewer.user, "manage", conf)
    participant = login_as("officer", world.c1)
    assert participant.get(f"/hoi-nghi/{conf.id}/sua").status_code == 404
    assert participant.post_form(f"/hoi-nghi/{conf.id}/chu-tri", {"name": "Ma Văn Cường"}).status_code == 404
    assert not access.can(participant.user, "manage", conf)
    leader = login_as("leader", world.d1b)
    assert leader.get(f"/hoi-nghi/{conf.id}/sua").status_code == 200
    r = leader.post_form(f"/hoi-nghi/{conf.id}/chu-tri", {"name": "Ma Văn Cường"}, htmx=True)
    assert r.status_code == 200 and "Ma Văn Cường" in r.get_data(as_text=True)
    assert "Sửa</a>" in leader.get(f"/hoi-nghi/{conf.id}").get_data(as_text=True)
    assert "Sửa</a>" not in viewer.get(f"/hoi-nghi/{conf.id}").get_data(as_text=True)


def test_the_conclusion_form_appears_once_the_conference_has_started(conf, world, login_as):
    officer = login_as("officer", world.d1b)
    conf.starts_at = datetime.now(UTC) + timedelta(days=2)
    conf.ends_at = conf.starts_at + timedelta(hours=3)
    page = officer.get(f"/hoi-nghi/{conf.id}").get_data(as_text=True)
    assert "Lưu kết luận" not in page and "Ghi kết luận sau khi hội nghị đã diễn ra." in page
    conf.starts_at = datetime.now(UTC) - timedelta(days=1)
    conf.ends_at = conf.starts_at + timedelta(hours=3)
    page = officer.get(f"/hoi-nghi/{conf.id}").get_data(as_text=True)
    assert "Lưu kết luận" in page
    assert login_as("viewer", world.d1b).post_form(f"/hoi-nghi/{conf.id}/ket-luan",
                                                   {"conclusion": "Kết luận"}).status_code == 403
    r = officer.post_form(f"/hoi-nghi/{conf.id}/ket-luan", {"conclusion": "Hội nghị thống nhất."})
    assert r.status_code == 303
    db.session.refresh(conf)
    assert conf.conclusion == "Hội nghị thống nhất."


def test_confirming_attendance_is_the_invited_units_editing_roles(conf, world, login_as):
    inv = conf.invitees[0]
    url = f"/hoi-nghi/khach-moi/{inv.id}/xac-nhan"
    viewer = login_as("viewer", world.c1)
    assert viewer.get(url).status_code == 403
    assert viewer.post_form(url, {"status": "confirmed", "delegates": "2"}).status_code == 403
    assert url not in viewer.get(f"/hoi-nghi/{conf.id}").get_data(as_text=True)
    assert login_as("officer", world.c2).post_form(url, {"status": "declined"}).status_code == 404
    officer = login_as("officer", world.c1)
    assert url in officer.get(f"/hoi-nghi/{conf.id}").get_data(as_text=True)
    assert officer.post_form(url, {"status": "confirmed", "delegates": "2"}).status_code == 303
    db.session.refresh(inv)
    assert (inv.status, inv.delegates) == ("confirmed", 2)


def test_sending_reviewing_and_scheduling_a_tham_luan(conf, world, login_as):
    c = conf.contributions[0]
    url = f"/hoi-nghi/tham-luan/{c.id}"
    paper = {"title": "Tham luận thử", "file": (io.BytesIO(blank_pdf()), "tham-luan.pdf")}
    viewer = login_as("viewer", world.c1)
    assert "Gửi tham luận" not in viewer.get(url).get_data(as_text=True)
    assert viewer.post_form(url, dict(paper)).status_code == 403
    officer = login_as("officer", world.c1)
    assert "Gửi tham luận" in officer.get(url).get_data(as_text=True)
    assert officer.post_form(url, {"title": "Tham luận thử",
                                   "file": (io.BytesIO(blank_pdf()), "tham-luan.pdf")}).status_code == 303
    db.session.refresh(c)
    assert c.state == "submitted"
    assert "Gửi tham luận" not in officer.get(url).get_data(as_text=True)      # sent: no second form
    assert "Xét tham luận" not in officer.get(url).get_data(as_text=True)
    assert officer.post_form(f"{url}/xet", {"decision": "accept"}).status_code == 404
    organiser = login_as("officer", world.d1b)
    assert "Xét tham luận" not in login_as("viewer", world.d1b).get(url).get_data(as_text=True)
    assert "Xét tham luận" in organiser.get(url).get_data(as_text=True)
    assert organiser.post_form(f"{url}/xet", {"decision": "accept"}).status_code == 303
    db.session.refresh(c)
    assert c.state == "accepted"
    schedule = f"/hoi-nghi/tham-luan/{c.id}/dua-vao-chuong-trinh"
    assert schedule in organiser.get(f"/hoi-nghi/{conf.id}").get_data(as_text=True)
    assert schedule not in officer.get(f"/hoi-nghi/{conf.id}").get_data(as_text=True)
    assert organiser.post_form(schedule).status_code == 303
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ConferenceItem)
                             .where(ConferenceItem.contribution_id == c.id)) == 1
    assert schedule not in organiser.get(f"/hoi-nghi/{conf.id}").get_data(as_text=True)   # on the programme once


# ---------------------------------------------------------------- blocs

SEVEN = [("bi_thu", True)] + [("hoi_nong_dan", False)] * 6


def _bloc(unit, members=SEVEN, state="draft"):
    bloc = Bloc(unit=unit, name=f"Khối dân vận {unit.name}", name_key="khoi", roster_state=state)
    db.session.add(bloc)
    for i, (position, head) in enumerate(members):
        db.session.add(BlocMember(bloc=bloc, unit_id=unit.id, full_name=f"Thành viên {i}", name_key=f"tv {i}",
                                  position=position, is_head=head, from_date=date(2023, 1, 1)))
    db.session.flush()
    return bloc


def test_rosters_are_kept_by_the_units_editing_roles(world, login_as):
    bloc = _bloc(world.c1)
    member = db.session.scalars(sa.select(BlocMember).where(BlocMember.bloc_id == bloc.id)).first()
    viewer = login_as("viewer", world.c1)
    assert viewer.post_form(f"/khoi-dan-van/{bloc.id}/xac-nhan").status_code == 403
    assert viewer.post_form(f"/khoi-dan-van/thanh-vien/{member.id}/ket-thuc", {"on": "01/06/2026"}).status_code == 403
    page = viewer.get(f"/khoi-dan-van/{bloc.id}").get_data(as_text=True)
    assert "Thêm thành viên" not in page and "Xác nhận danh sách" not in page
    other = login_as("officer", world.c3)
    assert other.post_form(f"/khoi-dan-van/{bloc.id}/xac-nhan").status_code == 404
    officer = login_as("officer", world.c1)
    assert "Xác nhận danh sách" in officer.get(f"/khoi-dan-van/{bloc.id}").get_data(as_text=True)
    assert officer.post_form(f"/khoi-dan-van/{bloc.id}/xac-nhan").status_code == 303
    db.session.refresh(bloc)
    assert bloc.roster_state == "confirmed"
    page = officer.get(f"/khoi-dan-van/{bloc.id}").get_data(as_text=True)
    assert "Thêm thành viên" in page and "Xác nhận danh sách" not in page     # confirmed and within the rules


def _sheet(bloc, parent_unit, state="draft"):
    cs = CriteriaSet(unit=parent_unit, name="Bộ thử", subject="bloc", year_from=2000)
    cs.criteria.append(Criterion(position=1, title="Tiêu chí 1", max_points=Decimal(100)))
    db.session.add(cs)
    ev = Evaluation(unit_id=bloc.unit_id, bloc=bloc, subject_key=f"b{bloc.id}", criteria_set=cs, year=2025,
                    state=state)
    ev.scores.append(EvaluationScore(criterion=cs.criteria[0]))
    db.session.add(ev)
    db.session.flush()
    return ev, cs


def test_self_scoring_is_the_evaluated_units_own_while_the_sheet_is_open(world, login_as):
    ev, cs = _sheet(_bloc(world.c1), world.p)
    url = f"/khoi-dan-van/danh-gia/{ev.id}/tu-cham"
    key = f"score_{cs.criteria[0].id}"
    district = login_as("officer", world.d1b)          # sees the sheet, is not the evaluated unit
    assert f'name="{key}"' not in district.get(f"/khoi-dan-van/danh-gia/{ev.id}").get_data(as_text=True)
    assert district.post_form(url, {key: "80", "version": str(ev.version)}).status_code == 403
    officer = login_as("officer", world.c1)
    assert f'name="{key}"' in officer.get(f"/khoi-dan-van/danh-gia/{ev.id}").get_data(as_text=True)
    r = officer.post_form(url, {key: "80", "action": "submit", "version": str(ev.version)})
    assert r.status_code == 303, r.get_data(as_text=True)[:1000]
    db.session.refresh(ev)
    assert (ev.state, ev.self_total) == ("submitted", Decimal(80))
    assert f'name="{key}"' not in officer.get(f"/khoi-dan-van/danh-gia/{ev.id}").get_data(as_text=True)
    assert officer.post_form(url, {key: "90", "version": str(ev.version)}).status_code == 409


def test_a_criteria_set_is_changed_only_by_the_publishing_trees_admin(world, login_as):
    _, cs = _sheet(_bloc(world.c1), world.p)
    url = f"/khoi-dan-van/tieu-chi/{cs.id}"
    district_admin = login_as("admin", world.d1)
    assert url not in district_admin.get("/khoi-dan-van/tieu-chi").get_data(as_text=True)
    assert district_admin.get(url).status_code == 403
    assert district_admin.post_form(url, {"name": "Đổi tên"}).status_code == 403
    province_admin = login_as("admin", world.bdv)
    assert url in province_admin.get("/khoi-dan-van/tieu-chi").get_data(as_text=True)
    assert province_admin.get(url).status_code == 200
    r = province_admin.post_form(url, {"name": "Bộ đổi tên", "subject": "bloc", "year_from": "2000",
                                       "excellent_min": "90", "good_min": "70", "pass_min": "50", "active": "y",
                                       "criteria": "Tiêu chí 1 | 100", "version": str(cs.version)})
    assert r.status_code == 303, r.get_data(as_text=True)[:1000]
    db.session.refresh(cs)
    assert cs.name == "Bộ đổi tên"


def test_reopening_a_scored_sheet_is_the_level_aboves_and_withdraws_the_rating(world, login_as):
    ev, _ = _sheet(_bloc(world.c1), world.p, state="scored")
    ev.rating, ev.final_total = "tot", Decimal(80)
    url = f"/khoi-dan-van/danh-gia/{ev.id}/chuyen"
    own = login_as("leader", world.c1)
    assert "Mở lại để chấm lại" not in own.get(f"/khoi-dan-van/danh-gia/{ev.id}").get_data(as_text=True)
    assert own.post_form(url, {"transition": "reopen", "comment": "Chấm lại"}).status_code == 403
    district = login_as("leader", world.d1b)
    assert "Mở lại để chấm lại" in district.get(f"/khoi-dan-van/danh-gia/{ev.id}").get_data(as_text=True)
    bad = district.post_form(url, {"transition": "score", "comment": "Chấm lại"})
    assert bad.status_code == 422 and "Thao tác không hợp lệ." in bad.get_data(as_text=True)
    assert district.post_form(url, {"transition": "reopen", "comment": "Chấm lại"}).status_code == 303
    db.session.refresh(ev)
    assert (ev.state, ev.rating) == ("submitted", None)


def test_a_returned_tham_luan_says_why_and_is_offered_again(conf, world, login_as):
    c = conf.contributions[0]
    url = f"/hoi-nghi/tham-luan/{c.id}"
    officer = login_as("officer", world.c1)
    assert officer.post_form(url, {"title": "Tham luận thử",
                                   "file": (io.BytesIO(blank_pdf()), "tham-luan.pdf")}).status_code == 303
    panel = officer.get("/").get_data(as_text=True)
    assert "Tham luận thử" in panel and "chờ đơn vị tổ chức xem xét" in panel
    organiser = login_as("officer", world.d1b)
    r = organiser.post_form(f"{url}/xet", {"decision": "return", "reason": "Bổ sung số liệu cụ thể"})
    assert r.status_code == 303
    page = officer.get(url).get_data(as_text=True)
    assert "Lý do trả lại" in page and "Bổ sung số liệu cụ thể" in page
    panel = officer.get("/").get_data(as_text=True)
    assert "Gửi lại tham luận (bị trả lại)" in panel and "chờ đơn vị tổ chức xem xét" not in panel
