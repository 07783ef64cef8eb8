"""Background jobs through a real consumer: progress, result download, owner-only access,
failure messages, once-only completion, expiry."""
from __future__ import annotations

import hashlib
import logging
import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa

from danvan import create_app
from danvan.core import files, jobs
from danvan.core.units import add_unit
from danvan.core.vntext import now_utc
from danvan.extensions import db
from tests.conftest import Client, app_config, make_database, upgrade_schema
from tests.live import running_consumer, wait_for

RUNS: list[int] = []
GATE = threading.Event()


@jobs.kind("test.export")
def _export(ctx: jobs.Context) -> jobs.FileResult:
    RUNS.append(ctx.job.id)
    rows = int(ctx.params.get("rows", 3))
    ctx.progress(10, "Đang đọc dữ liệu")
    if ctx.params.get("wait"):
        GATE.wait(timeout=30)
    ctx.progress(60, f"Đang ghi {rows} dòng")
    data = ("\n".join(f"dòng {i}" for i in range(rows))).encode()
    return jobs.FileResult(data, f"xuat-{rows}.txt", "text/plain", text=f"{rows} dòng")


@jobs.kind("test.fail")
def _fail(ctx: jobs.Context) -> jobs.FileResult:
    if ctx.params.get("expected"):
        raise jobs.JobError("Tệp không có trang tính «Đăng ký».")
    raise ZeroDivisionError("boom")


@pytest.fixture(scope="module")
def live(app):
    live_app = create_app(app_config(make_database("jobs")))
    live_app.test_client_class = Client
    upgrade_schema(live_app)
    from danvan.auth.models import User

    with live_app.app_context():
        province = add_unit("Tỉnh ủy Thử", "tinh_uy", parent=None, code="TU")
        a = add_unit("Xã A", "xa", parent=province)
        b = add_unit("Xã B", "xa", parent=province)
        users = {}
        for name, unit in (("owner", a), ("colleague", a), ("other", b)):
            user = User(username=name, full_name=name, unit=unit, active=True, session_epoch=1)
            user.set_password("mat-khau-thu-nghiem-1")
            user.set_roles(["officer"])
            db.session.add(user)
            users[name] = user
        db.session.commit()
        ids = {k: u.id for k, u in users.items()}
    with running_consumer(live_app):
        yield live_app, ids
    jobs.init_app(app)


def _client(live_app, user_id: int) -> Client:
    from danvan.auth.models import User

    with live_app.app_context():
        session_id = db.session.get(User, user_id).get_id()
    c = live_app.test_client()
    with c.session_transaction() as sess:
        sess["_user_id"] = session_id
        sess["_fresh"] = True
    return c


def _submit(live_app, user_id: int, kind: str = "test.export", **params) -> int:
    from danvan.auth.models import User

    with live_app.app_context():
        job = jobs.submit(kind, owner=db.session.get(User, user_id), title="Xuất thử nghiệm", params=params)
        db.session.commit()  # queued on commit, as at the end of a request
        return job.id


def _job(live_app, job_id: int) -> jobs.Job:
    with live_app.app_context():
        job = db.session.get(jobs.Job, job_id)
        db.session.expunge(job)
        return job


def test_job_runs_in_consumer_and_result_downloads(live):
    live_app, ids = live
    job_id = _submit(live_app, ids["owner"], rows=5)
    owner = _client(live_app, ids["owner"])
    with live_app.app_context():
        html = wait_for(lambda: (r := owner.get(f"/cong-viec/{job_id}", headers={"HX-Request": "true"}))
                        .status_code == 200 and "Tải về" in r.get_data(as_text=True) and r.get_data(as_text=True),
                        what="the job to finish")
        assert "100 %" in html and "xuat-5.txt" in html and 'hx-trigger="every 1s"' not in html
        download = owner.get(f"/cong-viec/{job_id}/tai-ve")
        body = download.get_data()
    assert download.status_code == 200
    assert body == "\n".join(f"dòng {i}" for i in range(5)).encode()
    assert "xuat-5.txt" in download.headers["Content-Disposition"]
    job = _job(live_app, job_id)
    assert job.state == "done" and job.attempt == 1 and job.result_sha256 == hashlib.sha256(body).hexdigest()
    assert timedelta(days=2, hours=23) < job.expires_at - job.created_at <= timedelta(days=3)
    with live_app.app_context():
        listing = owner.get("/cong-viec/").get_data(as_text=True)
    assert "Xuất thử nghiệm" in listing and "Hoàn thành" in listing
    assert f'href="/cong-viec/{job_id}/tai-ve">xuat-5.txt</a>' in listing   # done: the result is offered


def test_a_job_is_its_owners_only(live):
    live_app, ids = live
    job_id = _submit(live_app, ids["owner"])
    with live_app.app_context():
        wait_for(lambda: _job(live_app, job_id).state == "done", what="the job")
        for name in ("colleague", "other"):
            c = _client(live_app, ids[name])
            assert c.get(f"/cong-viec/{job_id}").status_code == 404
            assert c.get(f"/cong-viec/{job_id}/tai-ve").status_code == 404
            assert "Xuất thử nghiệm" not in c.get("/cong-viec/").get_data(as_text=True)


def test_progress_shows_while_running_and_page_polls(live):
    live_app, ids = live
    GATE.clear()
    job_id = _submit(live_app, ids["owner"], wait=True)
    owner = _client(live_app, ids["owner"])
    with live_app.app_context():
        html = wait_for(lambda: "Đang đọc dữ liệu" in (t := owner.get(f"/cong-viec/{job_id}").get_data(as_text=True))
                        and t, what="the first step")
        assert "10 %" in html and 'hx-trigger="every 1s"' in html and "Đang thực hiện" in html
        assert owner.get(f"/cong-viec/{job_id}/tai-ve").status_code == 404  # nothing to fetch yet
    GATE.set()
    with live_app.app_context():
        wait_for(lambda: _job(live_app, job_id).state == "done", what="the job")


@pytest.mark.parametrize("expected, message", [
    (True, "Tệp không có trang tính «Đăng ký»."),
    (False, "Công việc không thực hiện được do lỗi hệ thống"),
])
def test_failed_job_shows_a_vietnamese_message(live, caplog, expected, message):
    live_app, ids = live
    logging.getLogger("danvan.jobs").disabled = False  # alembic's fileConfig (upgrade_schema) turned it off
    job_id = _submit(live_app, ids["owner"], kind="test.fail", expected=expected)
    owner = _client(live_app, ids["owner"])
    with live_app.app_context():
        html = wait_for(lambda: "Không thành công" in (t := owner.get(f"/cong-viec/{job_id}").get_data(as_text=True))
                        and t, what="the failure")
    assert message in html and "boom" not in html and "ZeroDivisionError" not in html
    assert "<progress" not in html and "tai-ve" not in html
    assert _job(live_app, job_id).state == "failed"
    if not expected:
        assert any("ZeroDivisionError" in r.getMessage() for r in caplog.records)


def test_a_task_delivered_twice_completes_once(live):
    live_app, ids = live
    RUNS.clear()
    job_id = _submit(live_app, ids["owner"])
    for _ in range(3):
        jobs.run_job(job_id)  # duplicate deliveries of the same job
    with live_app.app_context():
        wait_for(lambda: _job(live_app, job_id).state == "done", what="the job")
        wait_for(lambda: jobs.queue_depth() == 0, what="the queue to drain")
    job = _job(live_app, job_id)
    assert RUNS.count(job_id) == 1 and job.attempt == 1


def test_a_silent_run_is_queued_again_and_the_old_run_cannot_finish(live):
    live_app, ids = live
    from danvan.auth.models import User

    with live_app.app_context():
        job = jobs.submit("test.export", owner=db.session.get(User, ids["owner"]), title="Xuất thử nghiệm")
        db.session.info.pop(jobs.PENDING_KEY)  # this one we play by hand
        # A first run claimed it, then its consumer died: no heartbeat for longer than allowed.
        job.state, job.attempt = "running", 1
        job.heartbeat_at = now_utc() - timedelta(seconds=live_app.config["JOB_STALE_SECONDS"] + 5)
        db.session.commit()
        old = jobs.Context(db.session.get(jobs.Job, job.id), attempt=1)
        job_id = job.id
        assert jobs.requeue_lost() >= 1
        wait_for(lambda: _job(live_app, job_id).state == "done", what="the second attempt")
        with pytest.raises(jobs.Superseded):
            old.progress(50, "Bản chạy cũ vẫn còn sống")
    job = _job(live_app, job_id)
    assert job.attempt == 2 and job.progress == 100


def test_expired_results_are_deleted_with_their_files(live):
    live_app, ids = live
    job_id = _submit(live_app, ids["owner"])
    with live_app.app_context():
        wait_for(lambda: _job(live_app, job_id).state == "done", what="the job")
        job = db.session.get(jobs.Job, job_id)
        name, digest = job.result_name, job.result_sha256
        files.verify(name, digest)
        assert jobs.delete_expired(now_utc() + timedelta(days=2)) == 0
        assert jobs.delete_expired(now_utc() + timedelta(days=3, minutes=1)) >= 1
        assert db.session.get(jobs.Job, job_id) is None
        with pytest.raises(files.CorruptFile):
            files.verify(name, digest)
        assert db.session.scalar(sa.select(sa.func.count()).select_from(jobs.Job).where(jobs.Job.id == job_id)) == 0
