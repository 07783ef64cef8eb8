"""Dân vận khéo work that runs in the job consumers: the Excel export of any list."""
from __future__ import annotations

from werkzeug.datastructures import MultiDict

from danvan.core import jobs
from danvan.initiatives import excel, service

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def submit_export(actor, args: MultiDict) -> jobs.Job:
    filters = service.parse_filters(args)
    return jobs.submit("initiatives.export", owner=actor, params={"filters": filters.as_args()},
                       title=f"Xuất Excel «Dân vận khéo» {filters.year or 'mọi năm'}")


@jobs.kind("initiatives.export")
def export(ctx: jobs.Context) -> jobs.FileResult:
    filters = service.parse_filters(MultiDict({k: v for k, v in ctx.params["filters"].items() if v is not None}))
    stmt = service.list_stmt(ctx.owner, filters)  # the owner's scope, as when they asked
    data = excel.export(stmt, progress=ctx.progress)
    return jobs.FileResult(data, f"dan-van-kheo-{filters.year or 'tat-ca'}.xlsx", XLSX)
