"""The inspected unit's report answers a call (kind "inspection_report"), so it shows on time /
late / missing on the calls' tracking pages and reminders like any other call. The only module
of this feature that talks to the calls mechanism."""
from __future__ import annotations

from datetime import datetime

from danvan.core.vntext import fmt_date, today_local
from danvan.extensions import db
from danvan.plans import calls

from .errors import InspectionError
from .models import Inspection

KIND = "inspection_report"
KIND_LABEL = "Báo cáo phục vụ đoàn kiểm tra"
link = calls.link


def register() -> None:
    calls.register_kind(KIND, KIND_LABEL)
    calls.register_object_link("Inspection", "inspections.detail", "inspection_id")


def open_call(insp: Inspection, *, actor, number_text: str = ""):
    """One call per visit: the inspected unit's report, due `insp.report_due`."""
    if insp.call_id is not None:
        return get_call(insp)
    if insp.report_due < today_local():
        raise InspectionError(f"Hạn nộp báo cáo của {insp.unit.name} ({fmt_date(insp.report_due)}) đã qua; "
                              "sửa lại ngày trước khi ban hành.", None, 409)
    title = f"Báo cáo phục vụ kiểm tra ngày {fmt_date(insp.scheduled_on)} — {insp.unit.name}"
    description = f"Theo Kế hoạch kiểm tra {number_text}.\n{insp.content}".strip()
    try:
        call = calls.create_call(insp.plan.unit, {"title": title[:300], "kind": KIND, "deadline": insp.report_due,
                                                  "description": description[:10000]},
                                 [insp.unit], actor=actor, notify=False)
    except calls.CallError as exc:
        raise InspectionError(exc.message, None, exc.status) from None
    insp.call_id = call.id
    db.session.flush()
    return call


def get_call(insp: Inspection):
    if insp.call_id is None:
        return None
    from danvan.plans.models import PlanCall

    return db.session.get(PlanCall, insp.call_id)


def record_report(insp: Inspection, unit, *, actor, at: datetime | None = None) -> None:
    """The unit sent its report: the visit is its answer to the call."""
    call = get_call(insp)
    if call is not None and call.archived_at is None:
        calls.record_submission(call, unit, insp, actor=actor, state="submitted", at=at)


def status(insp: Inspection):
    """The call's tracking row for the inspected unit (status, late, submitted_at) or None."""
    call = get_call(insp)
    if call is None:
        return None
    rows = calls.tracking(call).rows
    return rows[0] if rows else None
