"""Periodic tasks: deadline reminders daily at 07:00 in Asia/Ho_Chi_Minh through the job queue,
once at a time across consumers, never twice; expired results cleaned up."""
from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa

from danvan import calls
from danvan.calls import jobs as calls_jobs
from danvan.core import jobs
from danvan.core.vntext import today_local


def _due(moment_utc: datetime) -> set[str]:
    return {task.name for task in jobs.huey.read_periodic(moment_utc)}


def test_reminders_are_scheduled_daily_at_seven_vietnam_time():
    # Huey hands naive UTC times to the schedule: 07:00 in Hà Nội is 00:00 UTC.
    assert "danvan.send_reminders" in _due(datetime(2026, 12, 5, 0, 0))
    for hour, minute in ((7, 0), (23, 0), (0, 1), (1, 0)):
        assert "danvan.send_reminders" not in _due(datetime(2026, 12, 5, hour, minute))
    assert "danvan.jobs_housekeeping" in _due(datetime(2026, 12, 5, 13, 37))


def test_reminder_task_sends_once_and_waits_for_a_running_one(app, db_session, world):
    jobs.init_app(app)
    call = calls.create_call(world.d1, {"title": "Báo cáo quý", "type_code": "BC",
                                        "deadline": today_local() + timedelta(days=3)},
                             [world.c2], actor=None, notify=False)

    def reminders() -> int:
        return db_session.scalar(sa.select(sa.func.count()).select_from(calls.CallReminder)
                                 .where(calls.CallReminder.call_id == call.id))

    with jobs.huey.lock_task("danvan.send_reminders"):  # another consumer is sending right now
        assert calls_jobs.send_reminders.call_local() is None
    assert reminders() == 0
    assert calls_jobs.send_reminders.call_local() == "1 lời nhắc"
    assert calls_jobs.send_reminders.call_local() == "0 lời nhắc"   # a second consumer's run: nothing twice
    assert reminders() == 1
