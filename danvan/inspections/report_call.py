"""The inspected unit's report answers a call of kind "inspection_report" (year = the visit's), so
it shows on time / late / missing on the calls' tracking pages and in their reminders like any
call. The only module of this feature that talks to the calls mechanism."""
from __future__ import annotations

from datetime import datetime

from danvan import calls
from danvan.core.htmx import link  # noqa: F401  (re-exported: the feature's services build links with it)
from danvan.core.vntext import fmt_date, today_local
from danvan.extensions import db

from .errors import InspectionError
from .models import Inspection

KIND = calls.register_kind("inspection_report", "Báo cáo phục vụ đoàn kiểm tra",
                           objects={"Inspection": ("inspections.detail", "inspection_id")})


def register() -> None:
    """Kept for the blueprint: registering happens at import of this module."""


def open_call(insp: Inspection, *, actor, number_text: str = "") -> calls.Call:
    """One call per visit: the inspected unit's report, due `insp.report_due`, of the visit's year."""
    if insp.call_id is not None:
        return get_call(insp)
    if insp.report_due < today_local():
        raise InspectionError(f"Hạn nộp báo cáo của {insp.unit.name} ({fmt_date(insp.report_due)}) đã qua; "
                              "sửa lại ngày trước khi ban hành.", None, 409)
    title = f"Báo cáo phục vụ kiểm tra ngày {fmt_date(insp.scheduled_on)} — {insp.unit.name}"
    description = f"Theo Kế hoạch kiểm tra {number_text}.\n{insp.content}".strip()
    try:
        call = calls.create_call(insp.plan.unit, {"title": title[:300], "kind": KIND, "year": insp.year,
                                                  "deadline": insp.report_due, "description": description[:10000]},
                                 [insp.unit], actor=actor, notify=False)
    except calls.CallError as exc:
        raise InspectionError(exc.message, None, exc.status) from None
    insp.call_id = call.id
    db.session.flush()
    return call


def get_call(insp: Inspection) -> calls.Call | None:
    return db.session.get(calls.Call, insp.call_id) if insp.call_id is not None else None


def record_report(insp: Inspection, unit, *, actor, at: datetime | None = None) -> None:
    """The unit sent its report: the visit is its answer to the call."""
    call = get_call(insp)
    if call is not None and call.archived_at is None:
        calls.record_submission(call, unit, insp, actor=actor, state="submitted", at=at)


def status(insp: Inspection) -> calls.TrackingRow | None:
    """The call's tracking row for the inspected unit (status, late, submitted_at) or None."""
    call = get_call(insp)
    if call is None:
        return None
    return calls.target_rows(call).get(insp.unit_id)
