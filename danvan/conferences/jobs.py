"""Conference work that runs in the job consumers: the document packet (every document, the
table of contents and the accepted tham luận files bound into one PDF)."""
from __future__ import annotations

from werkzeug.exceptions import NotFound

from danvan.conferences import issued, service
from danvan.core import jobs


def submit_packet(actor, conf) -> jobs.Job:
    return jobs.submit("conferences.packet", owner=actor, unit=conf.unit, params={"conference_id": conf.id},
                       title=f"Bộ tài liệu hội nghị: {conf.title}")


@jobs.kind("conferences.packet")
def packet(ctx: jobs.Context) -> jobs.FileResult:
    try:  # read again with the owner's rights: they may have lost them since
        conf = service.load_conference_or_404(ctx.params["conference_id"], ctx.owner)
    except NotFound:
        raise jobs.JobError("Hội nghị không còn trong phạm vi của bạn hoặc đã bị xoá.") from None
    ctx.progress(10, "Đang dựng giấy mời, chương trình, danh sách điểm cầu và ghép tham luận")
    data = issued.packet(conf)  # issued documents as stored, signed copies where uploaded
    return jobs.FileResult(data, f"bo-tai-lieu-hoi-nghi-{conf.id}.pdf", "application/pdf")
