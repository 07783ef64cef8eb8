"""Background jobs: one Huey instance and the job records users see.

Queue: Huey on Redis when REDIS_URL is set, else Huey's SQLite storage under instance/ (the
embedded default needs no broker). Any number of consumers (`flask worker`) on any machine.

A job row belongs to its owner and the owner's unit (scope); it carries progress (percent and
a Vietnamese step), state, the result (a stored file or a page to open) and an expiry. Features
register kinds (`@jobs.kind("initiatives.export")`) in their `jobs.py`; a view calls
`jobs.submit(...)` and shows the job page. The Huey task only carries the job id, and is put on
the queue after the request's commit, so a consumer never looks for a row not yet visible.

Once only: a run first *claims* the row (queued → running, attempt + 1) in its own commit. A
second delivery of the same task finds it running and leaves; a run whose consumer died stops
beating (`heartbeat_at`) and the reaper queues it again; the late old run, if it still
lives, can no longer report progress nor finish, because both are conditional on its attempt
number. The result and the 'done' state commit together with the job's own writes.
"""
from __future__ import annotations

import functools
import logging
import os
import socket
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from flask import Flask, current_app
from huey import Huey
from huey.exceptions import TaskLockedException
from huey.storage import RedisStorage, SqliteStorage
from sqlalchemy import event
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from danvan.core import audit, files
from danvan.core.models import InState, UTCDateTime
from danvan.core.units import Unit
from danvan.core.vntext import TZ, now_utc
from danvan.extensions import db

log = logging.getLogger("danvan.jobs")

STATES = {"queued": "Đang chờ", "running": "Đang thực hiện", "done": "Hoàn thành", "failed": "Không thành công"}
FAILED_TEXT = ("Công việc không thực hiện được do lỗi hệ thống; lỗi đã được ghi lại cho quản trị viên. "
               "Vui lòng thử lại sau.")

# Storage is chosen in init_app() from the app's settings; tasks register on import.
huey = Huey("danvan", results=False, utc=True, storage_class=SqliteStorage,
            filename=":memory:")
_state: dict[str, Flask] = {}


class Job(db.Model):
    __tablename__ = "job"
    __table_args__ = (
        sa.CheckConstraint("state IN ('queued', 'running', 'done', 'failed')", name="state"),
        sa.CheckConstraint("progress BETWEEN 0 AND 100", name="progress"),
        sa.Index("ix_job_owner_created", "owner_id", "created_at"),
    )

    kind: Mapped[str] = mapped_column(sa.String(60))
    title: Mapped[str] = mapped_column(sa.String(255))
    params: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    owner_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("unit.id"), index=True)
    state: Mapped[str] = mapped_column(sa.String(10), default="queued", index=True)
    progress: Mapped[int] = mapped_column(sa.Integer, default=0)
    step: Mapped[str] = mapped_column(sa.String(255), default="Đang chờ đến lượt")
    attempt: Mapped[int] = mapped_column(sa.Integer, default=0)
    worker: Mapped[str | None] = mapped_column(sa.String(100))  # host:pid of the consumer running it
    error: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc)
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    input_name: Mapped[str | None] = mapped_column(sa.String(200))  # an uploaded file to work on
    input_sha256: Mapped[str | None] = mapped_column(sa.String(64))
    result_name: Mapped[str | None] = mapped_column(sa.String(200))
    result_sha256: Mapped[str | None] = mapped_column(sa.String(64))
    result_filename: Mapped[str | None] = mapped_column(sa.String(255))
    result_mimetype: Mapped[str | None] = mapped_column(sa.String(120))
    result_size: Mapped[int | None] = mapped_column(sa.Integer)
    result_url: Mapped[str | None] = mapped_column(sa.String(500))
    result_text: Mapped[str | None] = mapped_column(sa.String(500))
    result_data: Mapped[dict | None] = mapped_column(sa.JSON)  # what a result page shows

    unit: Mapped[Unit] = relationship()

    __repr_attrs__ = ("id", "kind", "state", "progress")

    active = InState("queued", "running")
    done = InState("done")                   # finished: its result can be downloaded
    failed = InState("failed")

    @property
    def state_label(self) -> str:
        return STATES[self.state]


@dataclass
class FileResult:
    data: bytes
    filename: str
    mimetype: str
    text: str = ""


@dataclass
class PageResult:
    url: str
    text: str = ""
    data: dict | None = None


@dataclass
class TextResult:
    """Text to read and copy on the job's own page (a draft, a summary)."""
    text: str
    summary: str = ""


class JobError(Exception):
    """An expected failure: its Vietnamese message is shown to the user as is."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class Superseded(Exception):
    """This run lost its claim (presumed dead and queued again): stop without finishing."""


class Context:
    """What a job handler gets: its job (owner, unit, params) and a way to report progress."""

    def __init__(self, job: Job, attempt: int) -> None:
        self.job, self.attempt = job, attempt
        self.params = dict(job.params or {})

    @property
    def owner(self):
        return db.session.get(_user_model(), self.job.owner_id)

    def input(self) -> bytes:
        """The uploaded file the job was given (checked against its sha256)."""
        return files.read(self.job.input_name, self.job.input_sha256)

    def progress(self, percent: int, step: str) -> None:
        """Record progress and commit, so the page sees it and SQLite's write lock is let go.
        Objects already loaded stay loaded (no reload per row). Report progress only between
        writes: what the job wrote so far commits with it. Raises Superseded if the claim was lost."""
        session = db.session()
        done = session.execute(
            sa.update(Job).where(Job.id == self.job.id, Job.attempt == self.attempt, Job.state == "running")
            .values(progress=max(0, min(100, int(percent))), step=step[:255], heartbeat_at=now_utc()))
        if done.rowcount != 1:
            session.rollback()
            raise Superseded()
        session.expire_on_commit = False
        try:
            session.commit()
        finally:
            session.expire_on_commit = True


Handler = Callable[[Context], FileResult | PageResult | TextResult]
_KINDS: dict[str, Handler] = {}


def kind(name: str) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        if name in _KINDS and _KINDS[name] is not fn:
            raise RuntimeError(f"two job handlers for {name!r}")
        _KINDS[name] = fn
        return fn

    return register


def _user_model():
    # By name, like the policies: core imports no feature (auth defines User).
    return db.Model.registry._class_registry["User"]


# -- setup -----------------------------------------------------------------------------------

def init_app(app: Flask) -> None:
    """Point the shared Huey instance at this app's queue, and run tasks in this app."""
    name = app.config["HUEY_NAME"]
    huey.name = name
    if app.config.get("REDIS_URL"):
        huey.storage = RedisStorage(name=name, url=app.config["REDIS_URL"])
    else:
        Path(app.config["HUEY_SQLITE_PATH"]).parent.mkdir(parents=True, exist_ok=True)
        huey.storage = SqliteStorage(name=name, filename=app.config["HUEY_SQLITE_PATH"], timeout=10)
    _state["app"] = app


def queue_depth() -> int:
    return huey.pending_count()


# -- submitting ------------------------------------------------------------------------------

PENDING_KEY = "danvan_jobs_to_enqueue"


def submit(kind_name: str, *, owner, title: str, params: dict | None = None, unit=None,
           input_data: bytes | None = None, input_of: Job | None = None) -> Job:
    """Record a job for `owner` in their unit; it is queued when the request commits. An upload
    to work on is stored with the job (`input_data`) or shared with an earlier job (`input_of`),
    and deleted with the job when it expires: the web worker never parses it."""
    if kind_name not in _KINDS:
        raise KeyError(f"no job handler {kind_name!r}")
    days = current_app.config["JOB_RESULT_DAYS"]
    job = Job(kind=kind_name, title=title[:255], params=params or {}, owner_id=owner.id,
              unit_id=(unit or owner.unit).id, expires_at=now_utc() + timedelta(days=days),
              state="queued", progress=0, step="Đang chờ đến lượt", attempt=0)
    if input_data is not None:
        job.input_name, job.input_sha256 = files.save(input_data)
    elif input_of is not None:
        job.input_name, job.input_sha256 = input_of.input_name, input_of.input_sha256
    db.session.add(job)
    db.session.flush()
    db.session().info.setdefault(PENDING_KEY, []).append(job.id)
    return job


@event.listens_for(Session, "after_commit")
def _enqueue_after_commit(session: Session) -> None:
    for job_id in session.info.pop(PENDING_KEY, []):
        try:
            run_job(job_id)
        except Exception:  # queue unreachable: the row is saved, the reaper queues it later
            log.exception("could not queue job %s; requeue_lost() will", job_id)


@event.listens_for(Session, "after_soft_rollback")
def _forget_after_rollback(session: Session, previous_transaction) -> None:
    if previous_transaction.parent is None:
        session.info.pop(PENDING_KEY, None)


def jobs_query(user) -> sa.Select:
    """The user's own jobs, newest first (scope is checked again on each job's page)."""
    return sa.select(Job).where(Job.owner_id == user.id).order_by(Job.created_at.desc(), Job.id.desc())


def download(job: Job):
    return files.download(job.result_name, job.result_sha256, filename=job.result_filename,
                          mimetype=job.result_mimetype, size=job.result_size)


# -- running ---------------------------------------------------------------------------------

@huey.task(name="danvan.run_job")
def run_job(job_id: int) -> None:
    with _state["app"].app_context():
        execute(job_id)


def _claim(job_id: int) -> int | None:
    """queued (or running but silent too long) → running with the next attempt; None if taken."""
    stale = now_utc() - timedelta(seconds=current_app.config["JOB_STALE_SECONDS"])
    now = now_utc()
    claimed = db.session.execute(
        sa.update(Job).where(Job.id == job_id, sa.or_(
            Job.state == "queued", sa.and_(Job.state == "running", Job.heartbeat_at < stale)))
        .values(state="running", attempt=Job.attempt + 1, heartbeat_at=now, step="Bắt đầu thực hiện",
                worker=f"{socket.gethostname()}:{os.getpid()}"[:100]))
    if claimed.rowcount != 1:
        db.session.rollback()
        return None
    attempt = db.session.scalar(sa.select(Job.attempt).where(Job.id == job_id))
    db.session.commit()
    return attempt


def execute(job_id: int) -> str:
    """Run one job in the current app context; returns its final state (or 'skipped')."""
    attempt = _claim(job_id)
    if attempt is None:
        return "skipped"
    job = db.session.get(Job, job_id)
    ctx = Context(job, attempt)
    stored: str | None = None
    try:
        # A request context of its own so handlers can build URLs (url_for) for result pages.
        with audit.acting_as(ctx.owner), current_app.test_request_context("/"):
            result = _KINDS[job.kind](ctx)
        summary = result.summary if isinstance(result, TextResult) else result.text
        values: dict = {"state": "done", "progress": 100, "step": "Đã xong", "finished_at": now_utc(),
                        "result_text": (summary or "")[:500] or None}
        if isinstance(result, TextResult):
            values["result_data"] = {"text": result.text}
        elif isinstance(result, FileResult):
            stored, digest = files.save(result.data)
            values.update(result_name=stored, result_sha256=digest, result_filename=result.filename,
                          result_mimetype=result.mimetype, result_size=len(result.data))
        else:
            values.update(result_url=result.url, result_data=result.data)
        finished = db.session.execute(
            sa.update(Job).where(Job.id == job_id, Job.attempt == attempt, Job.state == "running").values(**values))
        if finished.rowcount != 1:
            raise Superseded()
        db.session.commit()
        return "done"
    except Superseded:
        db.session.rollback()
        if stored:
            files.delete(stored)
        log.warning("job %s attempt %s superseded by a later attempt", job_id, attempt)
        return "superseded"
    except Exception as exc:  # the user sees a Vietnamese message, the log the traceback
        db.session.rollback()
        if stored:
            files.delete(stored)
        message = exc.message if isinstance(exc, JobError) else FAILED_TEXT
        if not isinstance(exc, JobError):
            log.error("job %s (%s) failed:\n%s", job_id, job.kind, traceback.format_exc())
        db.session.execute(sa.update(Job).where(Job.id == job_id, Job.attempt == attempt).values(
            state="failed", error=message, step="Không thành công", finished_at=now_utc()))
        db.session.commit()
        return "failed"


# -- periodic housekeeping -------------------------------------------------------------------

def requeue_lost() -> int:
    """Queue again jobs whose run went silent (consumer killed) or whose enqueue was lost."""
    stale = now_utc() - timedelta(seconds=current_app.config["JOB_STALE_SECONDS"])
    ids = list(db.session.scalars(sa.select(Job.id).where(sa.or_(
        sa.and_(Job.state == "running", Job.heartbeat_at < stale),
        sa.and_(Job.state == "queued", Job.created_at < stale)))))
    db.session.rollback()
    for job_id in ids:
        run_job(job_id)
    return len(ids)


def delete_expired(now: datetime | None = None) -> int:
    """Delete finished jobs past their expiry, and their result files."""
    expired = list(db.session.scalars(sa.select(Job).where(Job.expires_at < (now or now_utc()),
                                                           Job.state.in_(("done", "failed")))))
    shared = set(db.session.scalars(sa.select(Job.input_name).where(
        Job.input_name.in_([j.input_name for j in expired if j.input_name]), Job.id.not_in([j.id for j in expired]))))
    for job in expired:
        for name in (job.result_name, job.input_name):
            if name and name not in shared:
                files.delete(name)
        db.session.delete(job)
    db.session.commit()
    return len(expired)


def daily_at(hour: int, minute: int = 0) -> Callable[[datetime], bool]:
    """A Huey schedule (Huey passes naive UTC times): that wall-clock time in Asia/Ho_Chi_Minh."""
    def due(moment: datetime) -> bool:
        local = moment.replace(tzinfo=UTC).astimezone(TZ)
        return (local.hour, local.minute) == (hour, minute)

    return due


def periodic(schedule: Callable[[datetime], bool], name: str) -> Callable[[Callable[[], object]], Callable]:
    """A periodic task run in the app and committed. Every consumer schedules it, so a Huey lock
    (shared through Redis or the SQLite queue) lets one run at a time; the task itself must
    still be safe to repeat (reminders record what they sent)."""
    def register(fn: Callable[[], object]) -> Callable:
        @huey.periodic_task(schedule, name=name)
        @functools.wraps(fn)
        def task():
            try:
                with huey.lock_task(name), _state["app"].app_context():
                    result = fn()
                    db.session.commit()
                    log.info("%s: %s", name, result)
                    return result
            except TaskLockedException:
                log.info("%s is already running on another consumer", name)
                return None

        return task

    return register


@periodic(lambda moment: True, name="danvan.jobs_housekeeping")
def housekeeping() -> int:
    # Every minute: both steps are safe to repeat; results expire on the hour.
    requeued = requeue_lost()
    if now_utc().minute == 0:
        delete_expired()
    return requeued
