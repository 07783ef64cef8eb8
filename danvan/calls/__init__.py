"""Calls for submissions (yêu cầu nộp) and their deadlines: the mechanism features stand on.

A committee asks target units in its subtree to send something by a deadline. What it asks for
is a *kind* that a feature registered; the feature records each object answering a call as a
submission and mirrors that object's state; the tracking page derives on time / late / returned
/ approved / missing for every kind alike. No feature needs another feature to use calls.

    from danvan import calls

    # 1. a feature declares what it answers (at import of its service module):
    KIND = calls.register_kind("inspection_report", "Báo cáo kết quả kiểm tra",
                               objects={"InspectionReport": ("inspections.report", "report_id")})
    # 2. when its object is sent, it answers the open calls of that kind and year for the unit:
    calls.answer_open_calls(unit, KIND, year, report, actor=user)   # -> number of calls answered
    #    or one call: calls.record_submission(call, unit, report, actor=user, state="submitted")
    # 3. whenever the object moves in its own workflow:
    calls.update_submission_state(report, "returned")   # draft/submitted/returned/approved/withdrawn

    call = calls.create_call(issuer_unit, {"title": "…", "kind": KIND, "year": 2026,
                                           "deadline": date(2026, 3, 31), "description": "…"},
                             targets=[unit, …], actor=user)       # CallError(message, field, status)
    calls.issued_call(committee, KIND, year)          # the committee's latest open call of a kind/year
    calls.open_calls_for_unit(unit, kind=KIND, year=2026)
    t = calls.tracking(call); t.rows; t.counts; t.summary; calls.target_rows(call)  # {unit_id: row}
    calls.my_calls(user); calls.extend_deadline(…); calls.archive_call(…); calls.send_reminders()
    calls.change_deadline(call, new_date, reason, actor=user)   # history, notification, tracking follows
    calls.deadline_history(call)                                 # [CallChange] newest first

Call pages (list, create, tracking, extensions, reminders, close) are this package's views.
"""
from danvan.calls.kinds import CallKind, default_kind, get_kind, kind_choices, kind_label, register_kind
from danvan.calls.models import SUBMISSION_STATES, Call, CallChange, CallReminder, CallSubmission, CallTarget
from danvan.calls.reminders import REMIND_DAYS_BEFORE, remind_missing, send_reminders
from danvan.calls.service import (
    CallError,
    allowed_targets,
    answer_open_calls,
    archive_call,
    calls_for_target,
    change_deadline,
    create_call,
    deadline_end,
    deadline_history,
    extend_deadline,
    issued_call,
    issuing_committee,
    move_open_targets,
    open_calls_for_unit,
    record_submission,
    restore_call,
    served_unit,
    target_for,
    update_call,
    update_submission_state,
)
from danvan.calls.tracking import (
    STATUS_LABELS,
    Tracking,
    TrackingRow,
    due_soon,
    my_calls,
    my_target_status,
    overdue,
    still_to_send,
    summaries,
    target_rows,
    tracking,
)
from danvan.calls.tracking import (
    cached_page as cached_tracking_page,
)

__all__ = [
    "Call", "CallChange", "CallError", "CallKind", "CallReminder", "CallSubmission", "CallTarget", "REMIND_DAYS_BEFORE",
    "STATUS_LABELS", "SUBMISSION_STATES", "Tracking", "TrackingRow", "allowed_targets", "answer_open_calls",
    "archive_call", "cached_tracking_page", "calls_for_target", "change_deadline", "create_call", "deadline_end",
    "deadline_history", "default_kind", "due_soon",
    "extend_deadline", "get_kind", "issued_call", "issuing_committee", "kind_choices", "kind_label",
    "move_open_targets", "my_calls", "my_target_status", "open_calls_for_unit", "overdue", "record_submission",
    "register_kind", "remind_missing", "restore_call", "send_reminders", "served_unit", "still_to_send", "summaries",
    "target_for", "target_rows", "tracking", "update_call", "update_submission_state"
]
