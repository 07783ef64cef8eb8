"""The conferences demo: built through the service, idempotent, and its past conference prints."""
from __future__ import annotations

import io

import sqlalchemy as sa
from pypdf import PdfReader

from danvan.auth import demo as auth_demo
from danvan.auth.models import User
from danvan.conferences import demo
from danvan.conferences.models import (
    Conference,
    ConferenceChair,
    ConferenceContribution,
    ConferenceDocument,
    ConferenceInvitee,
    ConferenceItem,
    ConferencePoint,
)
from danvan.core.files import Attachment
from danvan.core.vntext import now_utc, today_local
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
    units_demo.seed("2023")
    auth_demo.seed("2023")
    summary = demo.seed("2023")
    assert summary.startswith("hội nghị: 2 hội nghị") and "9 điểm cầu" in summary
    before = _counts(db_session)
    assert demo.seed("2023") == "hội nghị: đã có, bỏ qua"
    assert _counts(db_session) == before
    assert demo.seed("2025") == "hội nghị: chỉ tạo cho tỉnh mẫu 2023"

    past_year, _, coming_year, _ = demo._years(today_local())
    past = db_session.scalar(sa.select(Conference).where(Conference.title == demo.past_title(past_year)))
    coming = db_session.scalar(sa.select(Conference).where(Conference.title == demo.upcoming_title(coming_year)))
    assert past.unit.name == "Ban Dân vận Tỉnh ủy" and past.online and past.ends_at < now_utc()
    # điểm cầu: the province and every huyện ủy / thành ủy
    assert sorted(p.unit.kind for p in past.points) == ["huyen_uy"] * 8 + ["tinh_uy"]
    assert len(past.invitees) == 11
    assert sorted(i.status for i in past.invitees) == ["confirmed"] * 10 + ["declined"]
    states = sorted(c.state for c in past.contributions)
    assert states == ["accepted", "accepted", "accepted", "returned"]
    returned = next(c for c in past.contributions if c.state == "returned")
    assert "số liệu minh chứng" in returned.return_reason
    scheduled = {i.contribution_id for i in past.items if i.contribution_id}
    assert scheduled == {c.id for c in past.contributions if c.state == "accepted"}
    assert all(c.deadline < past.starts_at.date() and c.submitted_at < past.starts_at for c in past.contributions)
    assert [c.name for c in past.chairs] == ["Hoàng Thu Trang", "Phan Thị Na"]
    assert past.conclusion and past.concluded_at > past.starts_at
    numbers = {d.doc_key: d for d in past.documents}
    assert set(numbers) == {"giay-moi", "chuong-trinh", "ket-luan"}
    assert numbers["giay-moi"].issued_on < past.starts_at.date() < numbers["ket-luan"].issued_on

    # the coming one is still in preparation: nothing issued, replies and tham luận on their way
    assert coming.starts_at > now_utc() and not coming.documents and not coming.conclusion
    assert {"pending", "confirmed"} <= {i.status for i in coming.invitees}
    assert {"invited", "submitted", "accepted"} <= {c.state for c in coming.contributions}

    client = _client(app, db_session, "canbo.bdv")
    page = client.get(f"/hoi-nghi/{past.id}").get_data(as_text=True)
    assert past.title in page and "Trả lại" in page
    texts = {}
    for key in ("giay-moi", "chuong-trinh", "diem-cau", "tham-luan", "ket-luan"):
        r = client.get(f"/hoi-nghi/{past.id}/in/{key}.pdf")
        assert r.status_code == 200 and r.data.startswith(b"%PDF-"), key
        texts[key] = _text(r.data)
        assert "ĐẢNG CỘNG SẢN VIỆT NAM" in texts[key] and "BAN DÂN VẬN" in texts[key]
    assert f"Số {numbers['giay-moi'].number_text}" in texts["giay-moi"]
    assert "Thường trực, Ban Dân vận Huyện ủy Ba Bể" in texts["giay-moi"]
    assert f"Số {numbers['chuong-trinh'].number_text}" in texts["chuong-trinh"]
    assert "Huyện ủy Chợ Mới" in texts["diem-cau"] and "Tỉnh ủy Bắc Kạn" in texts["diem-cau"]
    assert "xã Nam Mẫu" in texts["tham-luan"] and "Huyện ủy Na Rì" not in texts["tham-luan"]
    assert f"Số {numbers['ket-luan'].number_text}" in texts["ket-luan"]
    assert "Hoàng Thu Trang" in texts["ket-luan"] and "Phan Thị Na" in texts["ket-luan"]
    r = client.post_form(f"/hoi-nghi/{past.id}/bo-tai-lieu.pdf")
    assert r.status_code == 303 and run_jobs() == ["done"]
    r = client.get(r.headers["Location"] + "/tai-ve")
    assert r.status_code == 200
    packet = _text(r.data)
    assert "MỤC LỤC" in packet and "THAM LUẬN" in packet   # the accepted tham luận files are bound in
