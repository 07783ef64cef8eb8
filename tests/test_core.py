"""Core mechanisms used by every feature: Vietnamese text, numbering, workflow, files, htmx."""
from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from datetime import UTC, date, datetime
from types import SimpleNamespace

import pytest
from werkzeug.datastructures import FileStorage

from danvan.core import files, numbering, vntext, workflow
from danvan.core.workflow import ABOVE, OWN, SCOPE, Transition, TransitionError, Workflow


@pytest.mark.parametrize("text, key", [
    ("Dân vận khéo", "dan van kheo"),
    ("ĐẢNG CỘNG SẢN VIỆT NAM", "dang cong san viet nam"),
    (unicodedata.normalize("NFD", "Nguyễn  Văn   An "), "nguyen van an"),
    ("", ""),
])
def test_fold(text, key):
    assert vntext.fold(text) == key


def test_dates_and_numbers():
    assert vntext.date_line("Bắc Kạn", date(2023, 3, 5)) == "Bắc Kạn, ngày 05 tháng 3 năm 2023"
    assert vntext.date_line("Bắc Kạn", date(2024, 1, 15)) == "Bắc Kạn, ngày 15 tháng 01 năm 2024"
    assert vntext.fmt_number(2011) == "2.011" and vntext.fmt_number(1354.5, 1) == "1.354,5"
    assert vntext.fmt_count(7) == "07" and vntext.fmt_count(279) == "279"
    # 23:30 UTC on 31/12 is already 01/01 in Vietnam
    assert vntext.fmt_date(datetime(2023, 12, 31, 23, 30, tzinfo=UTC)) == "01/01/2024"
    assert vntext.fmt_datetime(datetime(2023, 12, 31, 23, 30, tzinfo=UTC)) == "06:30 01/01/2024"


@pytest.mark.parametrize("text, message", [
    ("05/03/23", "Năm phải có đủ 4 chữ số."),
    ("2023/03/05", "dd/mm/yyyy"),
    ("31/02/2024", "dd/mm/yyyy"),
    ("03-05-2023", "dd/mm/yyyy"),
])
def test_parse_date_is_strict(text, message):
    with pytest.raises(ValueError, match=message):
        vntext.parse_date(text)


def test_parse_date_day_first():
    assert vntext.parse_date("05/03/2023") == date(2023, 3, 5)
    assert vntext.parse_date("") is None


def test_request_parameters_arrive_nfc(app):
    decomposed = unicodedata.normalize("NFD", "Xuất Hóa")
    with app.test_request_context(f"/?q={decomposed}", method="POST", data={"name": decomposed}):
        from flask import request

        assert request.args["q"] == "Xuất Hóa" and request.form["name"] == "Xuất Hóa"


def test_numbering_is_consecutive_per_issuer_type_year(world, db_session):
    numbers = [numbering.next_number(world.bdv.id, "KH", 2024) for _ in range(3)]
    assert numbers == [1, 2, 3]
    assert numbering.next_number(world.bdv.id, "BC", 2024) == 1
    assert numbering.next_number(world.bdv.id, "KH", 2025) == 1
    assert numbering.next_number(world.d1.id, "KH", 2024) == 1
    assert numbering.format_number(12, "KH", "BDVTU") == "12-KH/BDVTU"
    with pytest.raises(ValueError):
        numbering.next_number(world.bdv.id, "XX", 2024)


WF = Workflow(
    name="thu",
    states={"draft": "Nháp", "submitted": "Đã gửi", "returned": "Trả lại", "approved": "Đã duyệt"},
    initial="draft",
    transitions=(
        Transition("submit", "Gửi", ("draft", "returned"), "submitted", "plans.edit", OWN),
        Transition("return", "Trả lại", ("submitted",), "returned", "plans.approve", ABOVE, comment_required=True),
        Transition("approve", "Duyệt", ("submitted",), "approved", "plans.approve", SCOPE),
    ),
)


class Doc(SimpleNamespace):
    pass


def test_workflow_rules(world, create_user, db_session):
    officer = create_user(world.c1, ["officer"])
    sibling_officer = create_user(world.c2, ["officer"])
    district_leader = create_user(world.d1b, ["leader"])
    commune_leader = create_user(world.c1, ["leader"])
    doc = Doc(id=1, state="draft", unit=world.c1, title="Kế hoạch")
    with pytest.raises(TransitionError) as forged:
        workflow.apply(WF, doc, "submit", actor=sibling_officer)
    assert forged.value.status == 403
    problems = workflow.apply
    with pytest.raises(TransitionError, match="Thiếu trích yếu"):
        problems(WF, doc, "submit", actor=officer, validate=lambda d: ["Thiếu trích yếu."])
    assert doc.state == "draft"
    workflow.apply(WF, doc, "submit", actor=officer)
    with pytest.raises(TransitionError, match="Cần ghi rõ lý do"):
        workflow.apply(WF, doc, "return", actor=district_leader, comment="  ")
    with pytest.raises(TransitionError):  # 'above' excludes the commune's own leader
        workflow.apply(WF, doc, "return", actor=commune_leader, comment="Bổ sung số liệu")
    workflow.apply(WF, doc, "return", actor=district_leader, comment="Bổ sung số liệu")
    with pytest.raises(TransitionError, match="Không thể «Duyệt»"):
        workflow.apply(WF, doc, "approve", actor=district_leader)
    workflow.apply(WF, doc, "submit", actor=officer)
    workflow.apply(WF, doc, "approve", actor=district_leader)
    rows = workflow.history(doc)
    assert [r.transition for r in rows] == ["submit", "return", "submit", "approve"]
    assert rows[1].comment == "Bổ sung số liệu"
    spent = workflow.time_in_states(rows)
    assert set(spent) == {"submitted", "returned", "approved"}
    assert [t.name for t in WF.available(Doc(id=2, state="submitted", unit=world.c1), district_leader)] == [
        "return", "approve"]


def test_workflow_rejects_unknown_permission_or_state():
    with pytest.raises(KeyError):
        Workflow("x", {"a": "A"}, "a", (Transition("t", "T", ("a",), "a", "no.such.permission"),))
    with pytest.raises(ValueError):
        Workflow("x", {"a": "A"}, "a", (Transition("t", "T", ("a",), "b", "plans.edit"),))


def test_review_workflow_shape():
    """The shared «unit files, reviewer decides» shape: who may take what, from where to where."""
    wf = workflow.review_workflow("x", {"draft": "N", "submitted": "C", "returned": "T", "done": "X"},
                                  submit=("Gửi", "plans.edit"), decide=("approve", "Duyệt", "done"),
                                  review_permission="plans.approve", return_label="Trả lại",
                                  reopen=("Mở lại", "submitted"), reviewer=SCOPE)
    by_name = {t.name: t for t in wf.transitions}
    assert [(t.name, t.source, t.target, t.relation) for t in wf.transitions] == [
        ("submit", ("draft", "returned"), "submitted", SCOPE), ("approve", ("submitted",), "done", SCOPE),
        ("return", ("submitted",), "returned", SCOPE), ("reopen", ("done",), "submitted", SCOPE)]
    assert by_name["return"].comment_required and by_name["reopen"].comment_required
    assert not by_name["return"].validate and by_name["approve"].validate
    assert wf.final == frozenset({"done"}) and wf.initial == "draft"
    assert workflow.review_workflow("y", wf.states, submit=("G", "plans.edit"), decide=("approve", "D", "done"),
                                    review_permission="plans.approve", return_label="T",
                                    reopen=("M", "returned")).get("approve").relation == ABOVE


def test_label_and_checked_text():
    from danvan.core.errors import ServiceError, checked_text
    from danvan.core.models import Label

    class Row:
        state_label = Label("state", {"draft": "Bản nháp"})
        rating_label = Label("rating", {"a": "Tốt"}, missing="")

        def __init__(self, state, rating=None):
            self.state, self.rating = state, rating

    assert Row("draft").state_label == "Bản nháp" and Row("lạ").state_label == "lạ"
    assert Row("draft").rating_label == "" and Row("draft", "a").rating_label == "Tốt"
    assert checked_text("  Kế hoạch  ", "title", "Tên", 300) == "Kế hoạch"
    assert checked_text(None, "note", "Ghi chú", 10) == ""
    with pytest.raises(ServiceError, match="^Nhập tên.$") as empty:
        checked_text("  ", "title", "Tên", 300, required="Nhập tên.")
    assert empty.value.field == "title" and empty.value.status == 422
    with pytest.raises(ServiceError, match="^Nội dung tối đa 20.000 ký tự.$"):
        checked_text("x" * 20001, "content", "Nội dung", 20000)


def _docx_bytes(inner: str = "word/document.xml") -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr(inner, "<x/>")
    return buf.getvalue()


@pytest.mark.parametrize("name, data, kind", [
    ("a.pdf", b"%PDF-1.7\n...", "pdf"),
    ("a.png", b"\x89PNG\r\n\x1a\n....", "png"),
    ("a.jpg", b"\xff\xd8\xff\xe0....", "jpg"),
    ("a.docx", _docx_bytes(), "docx"),
    ("a.xlsx", _docx_bytes("xl/workbook.xml"), "xlsx"),
])
def test_store_accepts_real_types(app, world, db_session, name, data, kind):
    stored = files.store(FileStorage(io.BytesIO(data), filename=name), owner_type="T", owner_id=1,
                         unit_id=world.c1.id, actor=None)
    assert stored.kind == kind and stored.size == len(data) and stored.read_bytes() == data
    assert "static" not in stored.stored_name


@pytest.mark.parametrize("name, data, message", [
    ("virus.pdf", b"MZ\x90\x00 this is an exe", "không đúng định dạng"),
    ("tai-lieu.docx", _docx_bytes("other/x.xml"), "không đúng định dạng"),
    ("bang.xlsx", b"PK\x03\x04 not really a zip", "không đúng định dạng"),
    ("rong.pdf", b"", "rỗng"),
    ("", b"%PDF-", "Chưa chọn tệp."),
])
def test_store_refuses_by_content(app, world, db_session, name, data, message):
    with pytest.raises(files.UploadError, match=message):
        files.store(FileStorage(io.BytesIO(data), filename=name), owner_type="T", owner_id=1,
                    unit_id=world.c1.id, actor=None)


def test_store_refuses_over_20_mb(app, world, db_session):
    big = b"%PDF-" + b"0" * (20 * 1024 * 1024)
    with pytest.raises(files.UploadError, match="lớn hơn 20 MB"):
        files.store(FileStorage(io.BytesIO(big), filename="lon.pdf"), owner_type="T", owner_id=1,
                    unit_id=world.c1.id, actor=None)


def test_safe_filename():
    assert files.safe_filename("../../etc/passwd") == "passwd"
    assert files.safe_filename('a<b>:"c".pdf') == "abc.pdf"
    assert files.safe_filename(unicodedata.normalize("NFD", "Biên bản.pdf")) == "Biên bản.pdf"


def test_download_is_scoped_and_served_as_attachment(world, login_as, db_session):
    own = files.store(FileStorage(io.BytesIO(b"%PDF-1.4 own"), filename="Báo cáo.pdf"), owner_type="T",
                      owner_id=1, unit_id=world.c1.id, actor=None)
    other = files.store(FileStorage(io.BytesIO(b"%PDF-1.4 other"), filename="x.pdf"), owner_type="T",
                        owner_id=1, unit_id=world.c3.id, actor=None)
    commune = login_as("viewer", world.c1)
    response = commune.get(f"/tep/{own.id}")
    assert response.status_code == 200 and response.data == b"%PDF-1.4 own"
    assert "attachment" in response.headers["Content-Disposition"]
    assert commune.get(f"/tep/{other.id}").status_code == 404
    sibling = login_as("viewer", world.c2)
    assert sibling.get(f"/tep/{own.id}").status_code == 404


def test_htmx_responses_vary_and_fragment(world, login_as):
    client = login_as("viewer", world.c1)
    full = client.get("/don-vi/?q=xuat")
    fragment = client.hx_get("/don-vi/?q=xuat")
    assert "<html" in full.get_data(as_text=True) and "<html" not in fragment.get_data(as_text=True)
    assert "HX-Request" in full.headers["Vary"] and "HX-Request" in fragment.headers["Vary"]
    assert full.headers["Cache-Control"] == "no-store"


def test_base_layout_has_csrf_meta_and_htmx_config(world, login_as):
    body = login_as("viewer", world.c1).get("/").get_data(as_text=True)
    assert '<meta name="csrf-token"' in body and "hx-headers" in body and '"code": "422", "swap": true' in body
    assert re.search(r"/static/vendor/htmx-2\.0\.11\.min\.[0-9a-f]{12}\.js", body) and "https://" not in body


def test_unexpected_error_gives_vietnamese_500(app):
    from danvan import create_app
    from tests.conftest import app_config

    broken = create_app(app_config(app.config["SQLALCHEMY_DATABASE_URI"], TESTING=False,
                                   PROPAGATE_EXCEPTIONS=False))

    @broken.route("/hong")
    def boom():
        raise RuntimeError("boom")

    response = broken.test_client().get("/hong")
    assert response.status_code == 500
    assert "Đã có lỗi xảy ra. Dữ liệu chưa được lưu" in response.get_data(as_text=True)
    assert "boom" not in response.get_data(as_text=True)


def test_aware_datetimes_are_stored_as_utc_on_every_backend(world, db_session):
    from danvan.core.audit import AuditEvent

    local = datetime(2024, 3, 5, 8, 0, tzinfo=vntext.TZ)  # 08:00 in Hà Nội is 01:00 UTC
    event = AuditEvent(at=local, object_type="Thử", action="test")
    db_session.add(event)
    db_session.flush()
    db_session.expire(event)
    assert event.at == local and event.at.utcoffset().total_seconds() == 0 and event.at.hour == 1


def test_durations_read_in_vietnamese():
    from datetime import timedelta

    assert vntext.fmt_duration(timedelta(days=2, hours=3, minutes=5)) == "2 ngày 3 giờ"
    assert vntext.fmt_duration(timedelta(hours=1, minutes=45)) == "1 giờ 45 phút"
    assert vntext.fmt_duration(timedelta(seconds=20)) == "dưới 1 phút"
