"""Periodic work of inspections: overdue recommendations are reminded every day at 07:00
(Asia/Ho_Chi_Minh) by the job consumers, like the calls' deadlines (no cron). Safe to repeat:
send_reminders records each (recommendation, deadline) it reminded."""
from __future__ import annotations

from danvan.calls.jobs import REMINDER_TIME
from danvan.core import jobs
from danvan.inspections import recommendations


@jobs.periodic(jobs.daily_at(*REMINDER_TIME), name="danvan.inspections.send_reminders")
def send_reminders() -> str:
    return f"{recommendations.send_reminders()} kiến nghị quá hạn được nhắc"
