"""Samples for background job routes. A job is its owner's: the own sample belongs to the
matrix user (the newest account of the district ban D1B, created by login_as just before),
the other to an officer of commune C3. The sample is a finished import check, so the
Dân vận khéo import preview (/dan-van-kheo/nhap-excel/<job_id>) takes it too."""
from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from danvan.core import files
from danvan.core.jobs import Job
from danvan.core.vntext import now_utc
from danvan.extensions import db


def _job(world):
    from danvan.auth.models import User

    def make(owner):
        name, digest = files.save(b"PK\x03\x04 tep nhap")
        job = Job(kind="initiatives.import_check", title="Kiểm tra tệp nhập", params={"filename": "x.xlsx"},
                  owner_id=owner.id, unit_id=owner.unit_id, state="done", progress=100, step="Đã xong",
                  attempt=1, expires_at=now_utc() + timedelta(days=3), input_name=name, input_sha256=digest,
                  result_url="/dan-van-kheo/nhap-excel/0",
                  result_data={"ok": True, "rows": 1, "preview": [], "problems": [], "problem_count": 0})
        db.session.add(job)
        db.session.flush()
        return job.id

    me = db.session.scalar(sa.select(User).where(User.unit_id == world.d1b.id).order_by(User.id.desc()).limit(1))
    return make(me or world.create_user(world.d1b)), make(world.create_user(world.c3))


SAMPLES = {"job_id": _job}
