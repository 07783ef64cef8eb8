"""The inspections demo: built through the services, idempotent; the Xuất Hóa visit of the seeds
is concluded (numbered, frozen) with one recommendation closed and one overdue, seen on the ward's
dashboard; this year's plan has visits coming."""
from __future__ import annotations

import io

import sqlalchemy as sa
from pypdf import PdfReader

from danvan.auth import demo as auth_demo
from danvan.core.vntext import today_local
from danvan.inspections import demo, recommendations
from danvan.inspections.models import Inspection, InspectionPlan, Recommendation
from danvan.units import demo as units_demo
from tests.test_conferences_demo import _client


def test_demo(app, db_session):
    units_demo.seed("2023")
    auth_demo.seed("2023")
    summary = demo.seed("2023")
    assert "phường Xuất Hóa (Thông báo 1-TB/BDVTU)" in summary
    plans = db_session.scalar(sa.select(sa.func.count()).select_from(InspectionPlan))
    assert demo.seed("2023") == "kiểm tra: đã có, bỏ qua"
    assert db_session.scalar(sa.select(sa.func.count()).select_from(InspectionPlan)) == plans
    assert demo.seed("2025") == "kiểm tra: chỉ tạo cho tỉnh mẫu 2023"

    visit = db_session.scalar(sa.select(Inspection).join(Inspection.unit).where(Inspection.state == "concluded"))
    assert visit.unit.name == "Phường Xuất Hóa" and visit.scheduled_on.day == 3 and visit.scheduled_on.month == 12
    recs = visit.recommendations
    assert [r.state for r in recs].count("accepted") == 1
    assert sum(recommendations.is_overdue(r) for r in recs) == 1
    assert any("số liệu minh chứng" in r.text for r in recs if recommendations.is_overdue(r))
    chua_dat = [r.text for r in visit.results_rows if r.verdict == "chua_dat"]
    assert any("Ban Giám sát đầu tư" in t for t in chua_dat)

    ward = _client(app, db_session, "canbo.xuathoa")
    pdf = ward.get(f"/kiem-tra/{visit.id}/thong-bao-ket-luan.pdf")
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages).split())
    assert "Số 1-TB/BDVTU" in text and "Phường Xuất Hóa" in text and "DỰ THẢO" not in text
    assert "1 quá hạn" in ward.get("/").get_data(as_text=True)
    team = _client(app, db_session, "kiemtra.bdv")
    assert 'id="count-overdue">1<' in team.get("/").get_data(as_text=True)

    coming = db_session.scalars(sa.select(Inspection).where(Inspection.scheduled_on > today_local())).all()
    assert len(coming) == 3 and all(i.plan.state == "issued" and i.call_id for i in coming)
    assert db_session.scalar(sa.select(sa.func.count()).select_from(Recommendation)) == len(recs)
