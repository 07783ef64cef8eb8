"""Hostile input on every inspection form: each bad value gets a Vietnamese message and a 4xx,
never a 500, and nothing is saved; harmless-but-odd input (markup, decomposed marks) is stored
safely (escaped, NFC)."""
from __future__ import annotations

import io
import unicodedata

import pytest
import sqlalchemy as sa

from danvan.core.inputs import INT_MESSAGE, NUL_MESSAGE
from danvan.core.vntext import fmt_date, today_local
from danvan.extensions import db
from danvan.inspections.models import ChecklistResult, Inspection, InspectionPlan, Recommendation
from tests.test_inspections import PDF, conclude, issue, make_plan, team  # noqa: F401  (fixture)

LONG = "x" * 10_000
HUGE = "99999999999999999999"
SCRIPT = "<script>alert(1)</script>"


def refused(r, message: str, statuses=(422,)) -> None:
    """A NUL is refused at the request boundary (400) before any form sees it; the rest by the form."""
    expected = (400,) if message == NUL_MESSAGE else statuses
    assert r.status_code in expected and message in r.get_data(as_text=True), r.get_data(as_text=True)[-3000:]

PLAN_CASES = [
    ({"title": ""}, "Nhập tên kế hoạch kiểm tra."),
    ({"title": LONG}, "Tối đa 300 ký tự."),
    ({"title": "Kế hoạch\x00"}, NUL_MESSAGE),
    ({"year": HUGE}, "Nhập năm (4 chữ số)."),   # out of integer range: not a year at all
    ({"year": "hai nghìn"}, "Nhập năm (4 chữ số)."),
    ({"year": ""}, "Nhập năm (4 chữ số)."),
    ({"purpose": "y" * 20_001}, "Tối đa 20.000 ký tự."),
]


@pytest.mark.parametrize("bad,message", PLAN_CASES)
def test_plan_form(world, team, bad, message):  # noqa: F811
    before = db.session.scalar(sa.select(sa.func.count()).select_from(InspectionPlan))
    r = team.officer.post_form("/kiem-tra/ke-hoach/moi", {"title": "Kế hoạch", "year": 2026, "purpose": "", **bad})
    refused(r, message)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(InspectionPlan)) == before


def test_plan_markup_and_decomposed_marks_are_stored_safely(world, team):  # noqa: F811
    nfd = unicodedata.normalize("NFD", "Kế hoạch kiểm tra phường Xuất Hóa")
    r = team.officer.post_form("/kiem-tra/ke-hoach/moi", {"title": nfd + SCRIPT, "year": 2026})
    assert r.status_code == 303
    plan = db.session.scalar(sa.select(InspectionPlan).order_by(InspectionPlan.id.desc()))
    assert plan.title.startswith("Kế hoạch kiểm tra phường Xuất Hóa") and unicodedata.is_normalized("NFC", plan.title)
    page = team.officer.get(r.headers["Location"]).get_data(as_text=True)
    assert SCRIPT not in page and "&lt;script&gt;" in page


INSPECTION_CASES = [
    ({"unit_id": ""}, "Chọn đơn vị được kiểm tra."),
    ({"unit_id": HUGE}, "Chọn đơn vị được kiểm tra."),
    ({"scheduled_on": "31/02/2026"}, "Ngày phải theo dạng dd/mm/yyyy"),
    ({"scheduled_on": "05/03/26"}, "Năm phải có đủ 4 chữ số"),
    ({"scheduled_on": ""}, "Nhập ngày kiểm tra (dd/mm/yyyy)."),
    ({"report_due": "hôm qua"}, "Ngày phải theo dạng dd/mm/yyyy"),
    ({"content": ""}, "Nhập nội dung kiểm tra."),
    ({"content": LONG + "x"}, "Tối đa 10.000 ký tự."),
    ({"guests": "Khách\x00"}, NUL_MESSAGE),
    ({"member_ids": ["abc"]}, "Có lựa chọn không hợp lệ."),
    ({"member_ids": [HUGE]}, INT_MESSAGE),
    ({"member_ids": []}, "Chọn ít nhất một thành viên đoàn kiểm tra"),
]


@pytest.mark.parametrize("bad,message", INSPECTION_CASES)
def test_inspection_form(world, team, bad, message):  # noqa: F811
    plan_id = make_plan(team, world)
    before = db.session.scalar(sa.select(sa.func.count()).select_from(Inspection))
    good = {"unit_id": world.c2.id, "scheduled_on": fmt_date(today_local()), "content": "Kiểm tra",
            "member_ids": [team.inspector.user.id]}
    r = team.officer.post_form(f"/kiem-tra/ke-hoach/{plan_id}/cuoc-kiem-tra", {**good, **bad})
    refused(r, message)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Inspection)) == before


@pytest.fixture
def visit(world, team):  # noqa: F811
    return issue(team, make_plan(team, world))


RESULT_CASES = [
    ({"verdict": ""}, "Chọn kết quả"),
    ({"verdict": "tot"}, "Lựa chọn không hợp lệ."),
    ({"verdict": "chua_dat", "note": ""}, "Ghi rõ tồn tại khi tiêu chí chưa đạt"),
    ({"note": LONG}, "Tối đa 4.000 ký tự."),
    ({"note": "a\x00"}, NUL_MESSAGE),
    ({"version": "1" + HUGE}, "vừa được người khác cập nhật"),
]


@pytest.mark.parametrize("bad,message", RESULT_CASES)
def test_result_form(team, visit, bad, message):  # noqa: F811
    row = visit.results_rows[0]
    data = {"verdict": "dat", "note": "", "version": row.version, **bad}
    r = team.inspector.post_form(f"/kiem-tra/tieu-chi/{row.id}", {f"r{row.id}-{k}": v for k, v in data.items()},
                                 htmx=True)
    refused(r, message, (409, 422))
    assert db.session.get(ChecklistResult, row.id).verdict == ""


def test_evidence_upload_is_checked(team, visit):  # noqa: F811
    row = visit.results_rows[0]
    r = team.inspector.post_form(f"/kiem-tra/tieu-chi/{row.id}", {
        f"r{row.id}-verdict": "dat", f"r{row.id}-version": row.version,
        f"r{row.id}-file": (io.BytesIO(b"MZ\x90\x00 a program"), "minh-chung.pdf")}, htmx=True)
    assert r.status_code == 422 and "không đúng định dạng" in r.get_data(as_text=True)
    assert db.session.get(ChecklistResult, row.id).verdict == ""


TEXT_CASES = [
    ("bien-ban", {"findings": "", "results": "", "shortcomings": ""}, "Ghi ít nhất một nội dung"),
    ("bien-ban", {"findings": "z" * 20_001}, "Tối đa 20.000 ký tự."),
    ("bien-ban", {"results": "a\x00"}, NUL_MESSAGE),
    ("ket-luan", {"signer_name": LONG}, "Tối đa 120 ký tự."),
    ("ket-luan", {"conclusion": "\x00"}, NUL_MESSAGE),
    ("kien-nghi", {"text": ""}, "Nhập nội dung kiến nghị."),
    ("kien-nghi", {"text": LONG}, "Tối đa 4.000 ký tự."),
    ("kien-nghi", {"text": "Bổ sung", "deadline": "32/13/2026"}, "Ngày phải theo dạng dd/mm/yyyy"),
    ("kien-nghi", {"text": "Bổ sung", "deadline": ""}, "Nhập thời hạn thực hiện"),
    ("kien-nghi", {"text": "Bổ sung", "deadline": "01/01/2000"}, "Thời hạn phải sau ngày kiểm tra."),
    ("kien-nghi", {"text": "Bổ sung", "unit_id": HUGE}, "Chọn đơn vị thực hiện."),
]


@pytest.mark.parametrize("path,bad,message", TEXT_CASES)
def test_visit_forms(team, visit, path, bad, message):  # noqa: F811
    data = {"version": visit.version, "unit_id": visit.unit_id, "deadline": fmt_date(today_local()), **bad}
    r = team.inspector.post_form(f"/kiem-tra/{visit.id}/{path}", data)
    refused(r, message)
    fresh = db.session.get(Inspection, visit.id)
    assert fresh.state == "planned" and not fresh.conclusion and not fresh.recommendations


@pytest.mark.parametrize("upload,message", [
    (None, "Chưa chọn tệp."),
    ((io.BytesIO(b""), "rong.pdf"), "rỗng"),
    ((io.BytesIO(b"<html><script>x</script>"), "bao-cao.pdf"), "không đúng định dạng"),
])
def test_report_upload(team, visit, upload, message):  # noqa: F811
    r = team.commune.post_form(f"/kiem-tra/{visit.id}/bao-cao", {"file": upload} if upload else {})
    refused(r, message)


@pytest.fixture
def rec(world, team):  # noqa: F811
    insp = issue(team, make_plan(team, world))
    conclude(team, insp)
    return db.session.scalar(sa.select(Recommendation).where(Recommendation.inspection_id == insp.id))


@pytest.mark.parametrize("bad,message", [
    ({"comment": ""}, "Ghi rõ kết quả đã thực hiện."),
    ({"comment": LONG}, "Tối đa 4.000 ký tự."),
    ({"comment": "Đã làm\x00"}, NUL_MESSAGE),
    ({"comment": "Đã làm", "file": (io.BytesIO(b"MZ\x90"), "so-lieu.xlsx")}, "không đúng định dạng"),
])
def test_followup_form(team, rec, bad, message):  # noqa: F811
    r = team.commune.post_form(f"/kiem-tra/kien-nghi/{rec.id}/bao-cao", bad)
    refused(r, message)
    assert db.session.get(Recommendation, rec.id).state == "open"


@pytest.mark.parametrize("bad,message", [
    ({"decision": "xoa"}, "Lựa chọn không hợp lệ."),
    ({"decision": "reopen", "comment": ""}, "Cần ghi rõ lý do."),
    ({"decision": "reopen", "comment": LONG}, "Tối đa 4.000 ký tự."),
])
def test_review_form(team, rec, bad, message):  # noqa: F811
    team.commune.post_form(f"/kiem-tra/kien-nghi/{rec.id}/bao-cao", {"comment": "Đã thực hiện"})
    r = team.inspector.post_form(f"/kiem-tra/kien-nghi/{rec.id}/danh-gia", bad)
    refused(r, message)
    assert db.session.get(Recommendation, rec.id).state == "reported"


@pytest.mark.parametrize("path,bad,message", [
    ("/kiem-tra/bo-tieu-chi/", {"name": ""}, "Nhập tên bộ tiêu chí."),
    ("/kiem-tra/bo-tieu-chi/", {"name": LONG}, "Tối đa 200 ký tự."),
    ("/kiem-tra/bo-tieu-chi/", {"name": "\x00"}, NUL_MESSAGE),
    ("item", {"category": "khac", "text": "Tiêu chí"}, "Lựa chọn không hợp lệ."),
    ("item", {"category": "cong_khai", "text": ""}, "Nhập nội dung tiêu chí."),
    ("item", {"category": "cong_khai", "text": LONG}, "Tối đa 500 ký tự."),
    ("item", {"category": "cong_khai", "text": "Tiêu chí", "link": "http://x"}, "Lựa chọn không hợp lệ."),
])
def test_checklist_configuration(world, login_as, path, bad, message):
    admin = login_as("admin", world.bdv)
    if path == "item":
        created = admin.post_form("/kiem-tra/bo-tieu-chi/", {"name": "Bộ tiêu chí của tỉnh"})
        path = created.headers["Location"]
    r = admin.post_form(path, bad)
    refused(r, message)


def test_huge_ids_in_addresses_are_404(team):  # noqa: F811
    for url in (f"/kiem-tra/{HUGE}", f"/kiem-tra/ke-hoach/{HUGE}", f"/kiem-tra/kien-nghi/{HUGE}"):
        assert team.officer.get(url).status_code == 404
    assert team.inspector.post_form(f"/kiem-tra/tieu-chi/{HUGE}", {}).status_code == 404
