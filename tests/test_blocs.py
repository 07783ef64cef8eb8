"""Khối dân vận cơ sở: roster rules and messages, history, totals, criteria sets, rating boundaries,
evaluation workflow, evaluation sheet PDF, scope, bad input."""
from __future__ import annotations

import io
import random
from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa

from danvan.blocs import criteria, demo, service
from danvan.blocs.models import Bloc, BlocMember, CriteriaSet, Criterion, Evaluation, EvaluationScore
from danvan.core.vntext import today_local


def _bloc(db_session, unit, members=(), state="draft"):
    bloc = Bloc(unit=unit, name=f"Khối dân vận {unit.name}", name_key="khoi", roster_state=state)
    db_session.add(bloc)
    for i, (position, head) in enumerate(members):
        db_session.add(BlocMember(bloc=bloc, unit_id=unit.id, full_name=f"Thành viên {i}", name_key=f"tv {i}",
                                  position=position, is_head=head, from_date=date(2023, 1, 1)))
    db_session.flush()
    return bloc


def _member(position="hoi_nong_dan", head=False, **extra):
    data = {"full_name": "Lục Văn Hưng", "position": position, "title": "", "from_date": "01/03/2024",
            "to_date": "", "phone": ""}
    if head:
        data["is_head"] = "y"
    data.update(extra)
    return data


SIX = [("bi_thu", True)] + [("hoi_nong_dan", False)] * 5


def test_roster_below_minimum_is_saved_only_as_draft_with_reason(world, login_as, db_session):
    bloc = _bloc(db_session, world.c1, SIX)
    officer = login_as("officer", world.c1)
    refused = officer.post_form(f"/khoi-dan-van/{bloc.id}/xac-nhan")
    assert refused.status_code == 422
    text = refused.get_data(as_text=True)
    assert "chỉ được lưu ở dạng bản nháp" in text and "Khối mới có 06 thành viên; cần tối thiểu 07 thành viên." in text
    db_session.refresh(bloc)
    assert bloc.roster_state == "draft" and "tối thiểu 07" in bloc.flag_reasons
    added = officer.post_form(f"/khoi-dan-van/{bloc.id}/thanh-vien/moi", _member())
    assert added.status_code == 303
    assert officer.post_form(f"/khoi-dan-van/{bloc.id}/xac-nhan").status_code == 303
    db_session.refresh(bloc)
    assert bloc.roster_state == "confirmed" and bloc.flag_reasons == ""


def test_roster_above_maximum_and_head_rules(world, login_as, db_session):
    big = _bloc(db_session, world.c1, [("pho_bi_thu", True)] + [("khac", False)] * 13, state="confirmed")
    service.refresh_flags(big)
    assert big.roster_state == "draft"
    assert big.reasons == ["Khối có 14 thành viên, vượt quá tối đa 13 thành viên."]
    wrong_head = _bloc(db_session, world.c2, [("lanh_dao_ubnd", True)] + [("khac", False)] * 7)
    r = login_as("officer", world.c2).post_form(f"/khoi-dan-van/{wrong_head.id}/xac-nhan")
    assert r.status_code == 422
    assert ("Trưởng khối phải là Bí thư Đảng ủy hoặc Phó Bí thư Đảng ủy; Thành viên 0 đang giữ chức vụ "
            "«Lãnh đạo UBND».") in r.get_data(as_text=True)
    no_head = _bloc(db_session, world.c3, [("bi_thu", False)] + [("khac", False)] * 7)
    assert service.roster_problems(service.current_members(no_head)) == [
        "Chưa có Trưởng khối (phải là Bí thư Đảng ủy hoặc Phó Bí thư Đảng ủy)."]
    two = service.roster_problems([BlocMember(is_head=True, position="bi_thu", full_name="A"),
                                   BlocMember(is_head=True, position="pho_bi_thu", full_name="B")] +
                                  [BlocMember(is_head=False, position="khac", full_name="C")] * 6)
    assert two == ["Có 2 người được ghi là Trưởng khối; mỗi khối chỉ có một Trưởng khối."]


def test_ending_a_member_keeps_history_and_flags_the_roster(world, login_as, db_session):
    bloc = _bloc(db_session, world.c1, [("bi_thu", True)] + [("hoi_nong_dan", False)] * 6, state="confirmed")
    member = db_session.scalars(sa.select(BlocMember).where(BlocMember.bloc_id == bloc.id,
                                                            BlocMember.is_head.is_(False))).first()
    officer = login_as("officer", world.c1)
    r = officer.post_form(f"/khoi-dan-van/thanh-vien/{member.id}/ket-thuc", follow_redirects=True)
    assert r.status_code == 200
    text = r.get_data(as_text=True)
    assert "thôi tham gia khối" in text and "cần tối thiểu 07 thành viên" in text
    db_session.refresh(bloc)
    db_session.refresh(member)
    assert member.to_date == today_local() and bloc.roster_state == "draft"
    assert db_session.scalar(sa.select(sa.func.count()).select_from(BlocMember)
                             .where(BlocMember.bloc_id == bloc.id)) == 7     # nothing deleted
    page = officer.get(f"/khoi-dan-van/{bloc.id}").get_data(as_text=True)
    assert "Lịch sử thành viên" in page and member.full_name in page


@pytest.mark.parametrize("data,message", [
    ({"full_name": ""}, "Nhập họ và tên."),
    ({"position": "vua"}, "Lựa chọn không hợp lệ"),
    ({"from_date": "32/13/2024"}, "Ngày không hợp lệ"),
    ({"from_date": ""}, "Nhập ngày bắt đầu tham gia"),
    ({"to_date": "01/01/2020"}, "Ngày thôi tham gia không được trước ngày bắt đầu"),
    ({"full_name": "x" * 121}, "Tối đa 120 ký tự"),
])
def test_bad_member_input(world, login_as, db_session, data, message):
    bloc = _bloc(db_session, world.c1, SIX)
    r = login_as("officer", world.c1).post_form(f"/khoi-dan-van/{bloc.id}/thanh-vien/moi", _member(**data))
    assert r.status_code == 422 and message in r.get_data(as_text=True)


def test_scope_of_blocs_and_totals(world, login_as, db_session):
    _bloc(db_session, world.c1, [("bi_thu", True)] + [("khac", False)] * 6)
    _bloc(db_session, world.c2, [("bi_thu", True)] + [("khac", False)] * 7)
    other = _bloc(db_session, world.c3, [("bi_thu", True)] + [("khac", False)] * 8)
    assert service.province_totals(world.p)["text"] == "3 khối, 24 thành viên"
    district = login_as("viewer", world.d1b)
    html = district.get("/khoi-dan-van/").get_data(as_text=True)
    assert "2 khối, 15 thành viên" in html and "Thị trấn Bằng Lũng" not in html
    assert district.get(f"/khoi-dan-van/{other.id}").status_code == 404
    commune = login_as("viewer", world.c1).hx_get("/khoi-dan-van/?q=nam mau").get_data(as_text=True)
    assert "Không có khối dân vận nào" in commune


def test_demo_rosters_give_108_blocs_and_1265_members(world, db_session, create_unit):
    for i in range(108 - 3):
        create_unit(f"Xã Mẫu {i:03d}", "xa", world.d1 if i % 2 else world.d2)
    summary = demo.build(world.p, rng=random.Random(1), evaluations=False)
    assert "108 khối, 1.265 thành viên hiện tại" in summary
    assert service.province_totals(world.p)["text"] == "108 khối, 1.265 thành viên"
    sizes = db_session.execute(sa.select(sa.func.count()).select_from(BlocMember)
                               .where(BlocMember.to_date.is_(None)).group_by(BlocMember.bloc_id)).scalars().all()
    assert len(sizes) == 108 and min(sizes) >= 7 and max(sizes) <= 13
    flagged = db_session.scalars(sa.select(Bloc).where(Bloc.flag_reasons != "")).all()
    assert flagged and all(b.roster_state == "draft" for b in flagged)


# ---------------------------------------------------------------- criteria and ratings


def _set(db_session, unit, subject="bloc", points=(100,)):
    cs = CriteriaSet(unit=unit, name="Bộ thử", subject=subject, year_from=2000)
    for i, p in enumerate(points, 1):
        cs.criteria.append(Criterion(position=i, title=f"Tiêu chí {i}", max_points=Decimal(p)))
    db_session.add(cs)
    db_session.flush()
    return cs


def _evaluation(db_session, bloc, cs, year, state="submitted"):
    ev = Evaluation(unit_id=bloc.unit_id, bloc=bloc, subject_key=f"b{bloc.id}", criteria_set=cs, year=year,
                    state=state)
    for c in cs.criteria:
        ev.scores.append(EvaluationScore(criterion=c, self_score=c.max_points))
    db_session.add(ev)
    db_session.flush()
    return ev


BOUNDARIES = [("49,99", "khong"), ("50", "hoan_thanh"), ("69,99", "hoan_thanh"), ("70", "tot"),
              ("89,99", "tot"), ("90", "xuat_sac"), ("100", "xuat_sac"), ("0", "khong"), ("0,5", "khong")]


def test_rating_boundaries_through_scoring(world, login_as, db_session):
    bloc = _bloc(db_session, world.c1, SIX)
    cs = _set(db_session, world.p)
    district = login_as("leader", world.d1b)
    for year, (score, rating) in enumerate(BOUNDARIES, 2010):
        ev = _evaluation(db_session, bloc, cs, year)
        r = district.post_form(f"/khoi-dan-van/danh-gia/{ev.id}/cham",
                               {f"score_{cs.criteria[0].id}": score, "version": str(ev.version)})
        assert r.status_code == 303, (score, r.get_data(as_text=True)[:2000])
        db_session.refresh(ev)
        assert (ev.rating, ev.state) == (rating, "scored"), score
        assert ev.final_total == Decimal(score.replace(",", "."))


@pytest.mark.parametrize("score,message", [
    ("100,01", "không được vượt quá điểm tối đa 100"),
    ("101", "không được vượt quá điểm tối đa 100"),
    ("-0,01", "không được âm"),
    ("-5", "không được âm"),
    ("abc", "Điểm tiêu chí 1 «abc»: Phải là một số, ví dụ 12,5."),
    ("1e1", "Điểm tiêu chí 1 «1e1»: Phải là một số, ví dụ 12,5."),
    ("49.99", "Điểm tiêu chí 1 «49.99»: Dùng dấu phẩy trước phần thập phân"),
    ("", "Chưa chấm tiêu chí 1"),
    ("50,001", "tối đa 2 chữ số thập phân"),
    ("NaN", "Điểm tiêu chí 1 «NaN»: Phải là một số, ví dụ 12,5."),
    ("Infinity", "Điểm tiêu chí 1 «Infinity»: Phải là một số, ví dụ 12,5."),
])
def test_out_of_range_scores_are_refused(world, login_as, db_session, score, message):
    bloc = _bloc(db_session, world.c1, SIX)
    cs = _set(db_session, world.p)
    ev = _evaluation(db_session, bloc, cs, 2024)
    r = login_as("leader", world.d1b).post_form(f"/khoi-dan-van/danh-gia/{ev.id}/cham",
                                                {f"score_{cs.criteria[0].id}": score, "version": str(ev.version)})
    assert r.status_code == 422 and message in r.get_data(as_text=True)
    db_session.refresh(ev)
    assert ev.state == "submitted" and ev.rating is None


def test_rate_thresholds_are_configurable_and_bounded(world, db_session):
    cs = _set(db_session, world.p)
    cs.excellent_min, cs.good_min, cs.pass_min = Decimal(95), Decimal(80), Decimal(60)
    assert [criteria.rate(v, cs) for v in (59.99, 60, 79.99, 80, 94.99, 95)] == [
        "khong", "hoan_thanh", "hoan_thanh", "tot", "tot", "xuat_sac"]
    for bad in (100.01, -1):
        with pytest.raises(service.BlocError, match="Tổng điểm phải từ 0 đến 100"):
            criteria.rate(bad, cs)


def test_evaluation_flow_self_then_level_above_and_counts(world, login_as, db_session):
    bloc = _bloc(db_session, world.c1, [("bi_thu", True)] + [("khac", False)] * 6)
    cs = _set(db_session, world.p, points=(60, 40))
    officer = login_as("officer", world.c1)
    r = officer.post_form(f"/khoi-dan-van/{bloc.id}/danh-gia/moi", {"year": "2025", "member_id": "0"})
    assert r.status_code == 303
    ev = db_session.scalar(sa.select(Evaluation).where(Evaluation.bloc_id == bloc.id))
    dup = officer.post_form(f"/khoi-dan-van/{bloc.id}/danh-gia/moi", {"year": "2025", "member_id": "0"})
    assert dup.status_code == 409 and "Đã có phiếu đánh giá năm 2025" in dup.get_data(as_text=True)
    c1, c2 = (c.id for c in cs.criteria)
    partial = officer.post_form(f"/khoi-dan-van/danh-gia/{ev.id}/tu-cham",
                                {f"score_{c1}": "55", "action": "submit", "version": str(ev.version)})
    assert partial.status_code == 422 and "Chưa chấm tiêu chí 2" in partial.get_data(as_text=True)
    ok = officer.post_form(f"/khoi-dan-van/danh-gia/{ev.id}/tu-cham",
                           {f"score_{c1}": "55", f"score_{c2}": "38,5", "action": "submit",
                            "version": str(ev.version)})
    assert ok.status_code == 303, ok.get_data(as_text=True)[:1500]
    db_session.refresh(ev)
    assert ev.state == "submitted" and ev.self_total == Decimal("93.5")
    # the commune cannot score itself; the district can
    own = login_as("leader", world.c1).post_form(f"/khoi-dan-van/danh-gia/{ev.id}/cham",
                                                 {f"score_{c1}": "60", f"score_{c2}": "40", "version": "2"})
    assert own.status_code == 403
    district = login_as("leader", world.d1b)
    r = district.post_form(f"/khoi-dan-van/danh-gia/{ev.id}/cham",
                           {f"score_{c1}": "50", f"score_{c2}": "35", "version": str(ev.version)})
    assert r.status_code == 303
    db_session.refresh(ev)
    assert (ev.final_total, ev.rating) == (Decimal("85"), "tot")
    counts = district.get("/khoi-dan-van/danh-gia?year=2025&subject=bloc").get_data(as_text=True)
    assert 'data-rating="tot">1<' in counts
    assert service.rating_counts_for(world.p, 2025, "bloc") == {"tot": 1}
    # the printable evaluation sheet: a Party-format PDF
    pdf = district.get(f"/khoi-dan-van/danh-gia/{ev.id}/in")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")
    from pypdf import PdfReader

    text = PdfReader(io.BytesIO(pdf.data)).pages[0].extract_text()
    assert "PHIẾU ĐÁNH GIÁ, XẾP LOẠI" in text and "ĐẢNG CỘNG SẢN VIỆT NAM" in text
    assert "Hoàn thành tốt nhiệm vụ" in text and "85" in text


def test_member_evaluation_needs_a_member_criteria_set(world, login_as, db_session):
    bloc = _bloc(db_session, world.c1, SIX)
    member = db_session.scalars(sa.select(BlocMember).where(BlocMember.bloc_id == bloc.id)).first()
    r = login_as("officer", world.c1).post_form(f"/khoi-dan-van/{bloc.id}/danh-gia/moi",
                                                {"year": "2025", "member_id": str(member.id)})
    assert r.status_code == 422 and "Chưa có bộ tiêu chí đánh giá thành viên" in r.get_data(as_text=True)
    _set(db_session, world.p, subject="member")
    r = login_as("officer", world.c1).post_form(f"/khoi-dan-van/{bloc.id}/danh-gia/moi",
                                                {"year": "2025", "member_id": str(member.id)})
    assert r.status_code == 303


@pytest.mark.parametrize("criteria,message", [
    ("Tiêu chí A | 50\nTiêu chí B | 45", "phải bằng 100 (hiện là 95,00)"),
    ("Tiêu chí A 100", "viết theo dạng"),
    ("Tiêu chí A | một trăm", "Dòng 1: điểm tối đa «một trăm»: Phải là một số, ví dụ 12,5."),
    ("Tiêu chí A | NaN", "Dòng 1: điểm tối đa «NaN»: Phải là một số, ví dụ 12,5."),
    ("Tiêu chí A | 1e2", "Dòng 1: điểm tối đa «1e2»: Phải là một số, ví dụ 12,5."),
    ("Tiêu chí A | 87.5\nTiêu chí B | 12,5", "Dòng 1: điểm tối đa «87.5»: Dùng dấu phẩy trước phần thập phân"),
    ("Tiêu chí A |", "Dòng 1: thiếu điểm tối đa."),
    (" | 100", "thiếu nội dung tiêu chí"),
    ("Tiêu chí A | 0\nTiêu chí B | 100", "phải lớn hơn 0"),
])
def test_criteria_set_form_messages(world, login_as, criteria, message):
    admin = login_as("admin", world.bdv)
    r = admin.post_form("/khoi-dan-van/tieu-chi/moi", {"name": "Bộ 2026", "subject": "bloc", "year_from": "2026",
                                                      "excellent_min": "90", "good_min": "70", "pass_min": "50",
                                                      "active": "y", "criteria": criteria})
    assert r.status_code == 422 and message in r.get_data(as_text=True)


def test_criteria_set_saved_and_thresholds_checked(world, login_as, db_session):
    admin = login_as("admin", world.bdv)
    data = {"name": "Bộ 2026", "subject": "bloc", "year_from": "2026", "excellent_min": "70", "good_min": "70",
            "pass_min": "50", "active": "y", "criteria": "A | 60\nB | 40"}
    r = admin.post_form("/khoi-dan-van/tieu-chi/moi", data)
    assert r.status_code == 422 and "Ngưỡng xếp loại phải tăng dần" in r.get_data(as_text=True)
    r = admin.post_form("/khoi-dan-van/tieu-chi/moi", {**data, "excellent_min": "90"})
    assert r.status_code == 303
    cs = db_session.scalar(sa.select(CriteriaSet).where(CriteriaSet.name == "Bộ 2026"))
    assert [(c.title, c.max_points) for c in cs.criteria] == [("A", Decimal(60)), ("B", Decimal(40))]
    assert cs.unit_id == world.p.id
    assert login_as("leader", world.bdv).get(f"/khoi-dan-van/tieu-chi/{cs.id}").status_code == 403
    # Decimal maxima are read and shown back with a comma, so saving the form unchanged works.
    r = admin.post_form("/khoi-dan-van/tieu-chi/moi", {**data, "name": "Bộ lẻ", "excellent_min": "90",
                                                       "criteria": "A | 87,5\nB | 12,5"})
    assert r.status_code == 303
    odd = db_session.scalar(sa.select(CriteriaSet).where(CriteriaSet.name == "Bộ lẻ"))
    assert [c.max_points for c in odd.criteria] == [Decimal("87.5"), Decimal("12.5")]
    assert "A | 87,5\nB | 12,5" in admin.get(f"/khoi-dan-van/tieu-chi/{odd.id}").get_data(as_text=True)


def test_dashboard_panel_counts_and_waiting_scores(world, login_as, db_session):
    bloc = _bloc(db_session, world.c1, SIX)
    cs = _set(db_session, world.p)
    _evaluation(db_session, bloc, cs, 2025)
    html = login_as("leader", world.d1b).get("/").get_data(as_text=True)
    assert 'id="panel-blocs"' in html and "1 khối, 6 thành viên" in html
    assert "1 phiếu đánh giá khối năm 2025 chờ cấp trên chấm điểm" in html
    own = login_as("leader", world.c1).get("/").get_data(as_text=True)
    assert "chờ cấp trên chấm điểm" not in own


def test_member_sheets_for_the_whole_roster_and_bad_year(world, login_as, db_session):
    bloc = _bloc(db_session, world.c1, SIX)
    _set(db_session, world.p, subject="member")
    officer = login_as("officer", world.c1)
    r = officer.post_form(f"/khoi-dan-van/{bloc.id}/danh-gia/moi", {"year": "2025", "member_id": "-1"})
    assert r.status_code == 303
    assert db_session.scalar(sa.select(sa.func.count()).select_from(Evaluation).where(
        Evaluation.bloc_id == bloc.id, Evaluation.member_id.is_not(None))) == 6
    again = officer.post_form(f"/khoi-dan-van/{bloc.id}/danh-gia/moi", {"year": "2025", "member_id": "-1"},
                              follow_redirects=True)
    assert "Đã tạo 0 phiếu" in again.get_data(as_text=True)
    for year, message in (("abc", "Phải là số nguyên"), ("", "Nhập năm đánh giá"),
                          ("1999", "Năm đánh giá phải từ 2000")):
        bad = officer.post_form(f"/khoi-dan-van/{bloc.id}/danh-gia/moi", {"year": year, "member_id": "0"})
        assert bad.status_code == 422 and message in bad.get_data(as_text=True), year
    bad = login_as("admin", world.bdv).post_form("/khoi-dan-van/tieu-chi/moi", {
        "name": "x", "subject": "bloc", "year_from": "năm nay", "excellent_min": "90", "good_min": "70",
        "pass_min": "abc", "criteria": "A | 100"})
    assert bad.status_code == 422 and "Phải là số nguyên" in bad.get_data(as_text=True)
    assert "Phải là một số" in bad.get_data(as_text=True)
