"""Đề án work that runs in the job consumers: the sơ kết draft (every group, task and unit of
the scope rolled up), as text to edit or as a draft BC document in the plans feature."""
from __future__ import annotations

from werkzeug.exceptions import NotFound

from danvan.core import jobs
from danvan.core.units import scope_root
from danvan.core.vntext import today_local
from danvan.plans.documents import DocumentError
from danvan.programme import service, soket


def submit(actor, programme, *, document: bool) -> jobs.Job:
    kind = "programme.soket_document" if document else "programme.soket_draft"
    title = ("Tạo văn bản báo cáo sơ kết: " if document else "Dự thảo báo cáo sơ kết: ") + programme.title
    return jobs.submit(kind, owner=actor, params={"programme_id": programme.id}, title=title)


def _programme(ctx: jobs.Context):
    try:
        return service.load_programme_or_404(ctx.params["programme_id"], ctx.owner)
    except NotFound:
        raise jobs.JobError("Đề án không còn trong phạm vi của bạn.") from None


@jobs.kind("programme.soket_draft")
def draft(ctx: jobs.Context) -> jobs.TextResult:
    programme = _programme(ctx)
    root = scope_root(ctx.owner.unit)
    ctx.progress(10, f"Đang tổng hợp số liệu trong phạm vi {root.name}")
    return jobs.TextResult(soket.draft_text(programme, root, today_local()),
                           summary=f"Soạn tự động từ số liệu hiện có trong phạm vi {root.name}.")


@jobs.kind("programme.soket_document")
def document(ctx: jobs.Context) -> jobs.PageResult:
    programme = _programme(ctx)
    root = scope_root(ctx.owner.unit)
    ctx.progress(10, f"Đang tổng hợp số liệu trong phạm vi {root.name}")
    try:
        url = soket.create_document(programme, root, "", actor=ctx.owner)
    except DocumentError as exc:  # its message is for the user
        raise jobs.JobError(exc.message) from None
    return jobs.PageResult(url, text="Đã tạo văn bản báo cáo sơ kết (bản nháp) từ số liệu hiện có; "
                                     "hãy biên tập rồi gửi duyệt.")
