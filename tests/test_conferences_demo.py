"""The conferences demo: built through the service, idempotent, and its past conference prints."""
from __future__ import annotations

import io

import sqlalchemy as sa
from pypdf import PdfReader

from danvan.auth import demo as auth_demo
from danvan.auth.models import User
from danvan.conferences import demo, issued
from danvan.conferences.models import (
    Conference,
    ConferenceChair,
    ConferenceContribution,
    ConferenceDocument,
    ConferenceInvitee,
    ConferenceItem,
    ConferencePoint,
)
from danvan.core import records
from danvan.core.files import Attachment
from danvan.core.units import Unit
from danvan.core.vntext import now_utc
from danvan.units import demo as units_demo

MODELS = (Conference, ConferenceChair, ConferencePoint, ConferenceInvitee, ConferenceItem, ConferenceContribution,
          ConferenceDocument, Attachment)


def _counts(db_session) -> dict[str, int]:
    return {m.__name__: db_session.scalar(sa.select(sa.func.count()).select_from(m)) for m in MODELS}


def _text(data: bytes) -> str:
    return " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages).split())


def _client(app, db_session, username: str):
    user = db_session.scalar(sa.select(User).where(User.username == username))
    client = app.test_client()
    with client.session_transaction() as sess:
        sess["_user_id"] = user.get_id()
        sess["_fresh"] = True
    return client


def test_demo_conferences_are_idempotent_and_the_past_one_prints(app, db_session, run_jobs):
    """What the demo must show (DOMAIN.md, Conferences), checked against the stored rows rather than
    against the demo's own constants."""
    units_demo.seed("2023")
    auth_demo.seed("2023")
    summary = demo.seed("2023")
    before = _counts(db_session)
    assert demo.seed("2023") == "hội nghị: đã có, bỏ qua"
    assert _counts(db_session) == before
    assert demo.seed("2025") == "hội nghị: chỉ tạo cho tỉnh mẫu 2023"

    province = units_demo.province("2023")
    children = db_session.scalars(sa.select(Unit).where(Unit.parent_id == province.id)).all()
    reporting = {u.id for u in children if u.kind in ("huyen_uy", "dang_uy_truc_thuoc")}
    districts = {u.id for u in children if u.kind == "huyen_uy"}
    conferences = db_session.scalars(sa.select(Conference)).all()
    (past,) = [c for c in conferences if c.ends_at < now_utc()]
    (coming,) = [c for c in conferences if c.starts_at > now_utc()]
    assert f"{len(conferences)} hội nghị" in summary and f"{len(past.points)} điểm cầu" in summary
    assert past.unit.name == "Ban Dân vận Tỉnh ủy" and past.online and past.kind == "so_ket"
    # online, with điểm cầu at the province and each district; the 11 reporting units invited
    assert {p.unit_id for p in past.points} == {province.id} | districts
    assert {i.unit_id for i in past.invitees} == reporting and len(reporting) == 11
    # a past conference: every invitee answered (some absent), every tham luận reviewed before the day,
    # the accepted ones on the agenda and only they, the returned one with its reason
    assert {i.status for i in past.invitees} == {"confirmed", "declined"}
    assert {c.state for c in past.contributions} == {"accepted", "returned"}
    assert all(c.return_reason.strip() for c in past.contributions if c.state == "returned")
    scheduled = {i.contribution_id for i in past.items if i.contribution_id}
    assert scheduled == {c.id for c in past.contributions if c.state == "accepted"}
    assert all(c.deadline < past.starts_at.date() and c.submitted_at < past.starts_at for c in past.contributions)
    assert past.chairs and past.conclusion and past.concluded_at > past.starts_at
    numbers = {d.doc_key: d for d in past.documents}
    assert set(numbers) == {"giay-moi", "chuong-trinh", "ket-luan"}
    assert numbers["giay-moi"].issued_on < past.starts_at.date() < numbers["ket-luan"].issued_on

    # the coming one is still in preparation: nothing issued, replies and tham luận on their way
    assert not coming.documents and not coming.conclusion
    assert {"pending", "confirmed"} <= {i.status for i in coming.invitees}
    assert {"invited", "submitted", "accepted"} <= {c.state for c in coming.contributions}

    client = _client(app, db_session, "canbo.bdv")
    page = client.get(f"/hoi-nghi/{past.id}").get_data(as_text=True)
    assert past.title in page and "Trả lại" in page
    assert 'id="not-following"' not in page          # issued from the data as it stands
    texts = {}
    for key in ("giay-moi", "chuong-trinh", "diem-cau", "tham-luan", "ket-luan"):
        r = client.get(f"/hoi-nghi/{past.id}/in/{key}.pdf")
        assert r.status_code == 200 and r.data.startswith(b"%PDF-"), key
        texts[key] = _text(r.data)
        if key in ("diem-cau", "tham-luan"):   # lists print as the invitation's attachment (issue 13)
            assert f"Kèm theo Giấy mời số {numbers['giay-moi'].number_text}" in texts[key], key
        else:
            assert "ĐẢNG CỘNG SẢN VIỆT NAM" in texts[key] and "BAN DÂN VẬN" in texts[key]
    for key in ("giay-moi", "chuong-trinh", "ket-luan"):
        assert f"Số {numbers[key].number_text}" in texts[key], key
        # issued through core/records like the UI: the number serves the bytes frozen at issue
        record = records.current(issued.OWNER, past.id, key)
        assert record is not None and record.number_text == numbers[key].number_text, key
        assert record.issued_on == numbers[key].issued_on and record.docx is not None, key
        r = client.get(f"/hoi-nghi/{past.id}/in/{key}.pdf")
        assert r.headers["X-Document-State"] == "issued" and r.data == records.pdf_bytes(record), key
        on = numbers[key].issued_on      # Party format: months 01 and 02 with a zero, the others without
        month = f"{on.month:02d}" if on.month < 3 else str(on.month)
        assert f"ngày {on.day:02d} tháng {month} năm {on.year}" in texts[key], key
    for invitee in past.invitees:
        assert invitee.unit.name in texts["giay-moi"], invitee.unit.name
    for point in past.points:
        assert point.unit.name in texts["diem-cau"], point.unit.name
    for c in past.contributions:
        assert (c.title in texts["tham-luan"]) == (c.state == "accepted"), c.title
    for chair in past.chairs:
        assert chair.name in texts["ket-luan"]
    r = client.post_form(f"/hoi-nghi/{past.id}/bo-tai-lieu.pdf")   # a background job
    assert r.status_code == 303 and run_jobs() == ["done"]
    r = client.get(r.headers["Location"] + "/tai-ve")
    assert r.status_code == 200
    packet = _text(r.data)
    assert "MỤC LỤC" in packet and "THAM LUẬN" in packet   # the accepted tham luận files are bound in
