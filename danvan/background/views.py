"""My jobs: the list, one job's progress panel (polled by htmx) and its result download."""
from __future__ import annotations

from flask import abort, redirect
from flask_login import current_user

from danvan.core import access, jobs, nav
from danvan.core.access import requires
from danvan.core.htmx import render_page_or_partial
from danvan.core.pagination import paginate
from danvan.extensions import db

bp = nav.blueprint("jobs", __name__, "Công việc của tôi", "jobs.view", 95, group="admin", url_prefix="/cong-viec")


def _load(job_id: int) -> jobs.Job:
    """A job is its owner's, within their scope: any other id answers 404."""
    job = db.session.get(jobs.Job, job_id)
    if job is None or not access.can(current_user, "view", job):
        abort(404)
    return job


@bp.route("/")
@requires("jobs.view")
def index():
    page = paginate(jobs.jobs_query(current_user))
    return render_page_or_partial("jobs/index.html", "jobs/_list.html", page=page)


@bp.route("/<int:job_id>")
@requires("jobs.view")
def detail(job_id: int):
    return render_page_or_partial("jobs/detail.html", "jobs/_progress.html", job=_load(job_id))


@bp.route("/<int:job_id>/tai-ve")
@requires("jobs.view")
def download(job_id: int):
    job = _load(job_id)
    if job.state != "done":
        abort(404)
    if job.result_url:
        return redirect(job.result_url, code=303)
    if not job.result_name:
        abort(404)
    return jobs.download(job)
