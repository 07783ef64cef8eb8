"""Periodic work of calls: deadline reminders every day at 07:00 (Asia/Ho_Chi_Minh), run by the
job consumers (no cron). A missed day catches up and nothing is sent twice: send_reminders
records each (call, unit, kind)."""
from __future__ import annotations

from danvan.calls import reminders
from danvan.core import jobs

REMINDER_TIME = (7, 0)


@jobs.periodic(jobs.daily_at(*REMINDER_TIME), name="danvan.send_reminders")
def send_reminders() -> str:
    return f"{reminders.send_reminders()} lời nhắc"
