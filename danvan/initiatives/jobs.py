"""Dân vận khéo work that runs in the job consumers: the Excel export of any list, and the XLSX
import (parse and check → a preview page; then save), so no web worker ever opens an upload."""
from __future__ import annotations

import sqlalchemy as sa
from flask import current_app, url_for
from werkzeug.datastructures import MultiDict

from danvan.core import access, jobs
from danvan.core.units import Unit
from danvan.core.vntext import date_line, fmt_date, fmt_number, today_local
from danvan.extensions import db
from danvan.initiatives import excel, search, statistics

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def submit_export(actor, args: MultiDict) -> jobs.Job:
    filters = search.parse_filters(args)
    return jobs.submit("initiatives.export", owner=actor, params={"filters": filters.as_args()},
                       title=f"Xuất Excel «Dân vận khéo» {filters.year or 'mọi năm'}")


@jobs.kind("initiatives.export")
def export(ctx: jobs.Context) -> jobs.FileResult:
    filters = search.parse_filters(MultiDict({k: v for k, v in ctx.params["filters"].items() if v is not None}))
    stmt = search.list_stmt(ctx.owner, filters)  # the owner's scope, as when they asked
    data = excel.export(stmt, progress=ctx.progress)
    return jobs.FileResult(data, f"dan-van-kheo-{filters.year or 'tat-ca'}.xlsx", XLSX)


# -- XLSX import: the upload is checked, then saved, in the consumers -------------------------

PREVIEW_ROWS, PROBLEM_ROWS = 200, 500


def submit_import_check(actor, data: bytes, filename: str) -> jobs.Job:
    return jobs.submit("initiatives.import_check", owner=actor, input_data=data, params={"filename": filename},
                       title=f"Kiểm tra tệp nhập «Dân vận khéo»: {filename}")


def submit_import_save(actor, check: jobs.Job) -> jobs.Job:
    """Save what a check found clean; a check is saved once (a second click changes nothing)."""
    check.result_data = {**check.result_data, "confirmed": True}
    return jobs.submit("initiatives.import_save", owner=actor, input_of=check, params={"check_job": check.id},
                       title=f"Lưu đăng ký từ tệp {check.params.get('filename', '')}")


def _summary(result: excel.ImportResult) -> dict:
    preview = [{"row": r["row"], "unit": r.get("unit", ""), "year": r.get("year"), "name": r.get("name"),
                "kind": r.get("kind", ""), "field": r.get("field", ""), "organisation": r.get("organisation"),
                "is_new": r.get("is_new"), "linked": bool(r.get("previous_id")),
                "period": f"{fmt_date(r.get('start_on'))} – {fmt_date(r.get('end_on'))}"}
               for r in result.preview[:PREVIEW_ROWS]]
    problems = [{"row": p.row, "column": p.column, "message": p.message} for p in result.problems[:PROBLEM_ROWS]]
    return {"ok": result.ok, "rows": len(result.rows), "preview": preview, "problems": problems,
            "problem_count": len(result.problems)}


@jobs.kind("initiatives.import_check")
def import_check(ctx: jobs.Context) -> jobs.PageResult:
    ctx.progress(10, "Đang đọc tệp Excel")
    result = excel.parse(ctx.input(), ctx.owner)
    summary = _summary(result)
    text = (f"{fmt_number(summary['rows'])} dòng hợp lệ, sẵn sàng lưu." if result.ok
            else f"Tệp có {fmt_number(summary['problem_count'])} lỗi; chưa lưu dòng nào.")
    return jobs.PageResult(url_for("initiatives.import_result", job_id=ctx.job.id), text=text, data=summary)


@jobs.kind("initiatives.import_save")
def import_save(ctx: jobs.Context) -> jobs.PageResult:
    ctx.progress(10, "Đang kiểm tra lại tệp Excel")
    result = excel.parse(ctx.input(), ctx.owner)
    if not result.ok:  # something changed since the check (a row saved meanwhile): nothing saved
        first = result.problems[0].message if result.problems else "Tệp không có dòng dữ liệu nào."
        raise jobs.JobError(f"Tệp không còn hợp lệ nên chưa lưu dòng nào: {first}")
    ctx.progress(50, f"Đang lưu {fmt_number(len(result.rows))} đăng ký")
    created = excel.save(result, ctx.owner)  # commits together with the job's 'done'
    return jobs.PageResult(url_for("initiatives.index", year=created[0].year, state="draft"),
                           text=f"Đã nhập {fmt_number(len(created))} đăng ký ở trạng thái Nháp. "
                                "Kiểm tra rồi bấm «Gửi tất cả bản nháp».")


# -- the consolidated list as a PDF in the Party format ---------------------------------------

def ban_code(committee: Unit) -> str:
    ban = db.session.scalar(sa.select(Unit).where(Unit.parent_id == committee.id, Unit.kind == "ban",
                                                  Unit.code.like("BDV%")).limit(1))
    return ban.code if ban is not None else (committee.code or "")


def consolidated_data(actor, stats) -> dict:
    place, today = current_app.config["PROVINCE_PLACE"], today_local()
    return dict(stats=stats, place=place, today=today, issuer=actor.scope, date_line=date_line(place, today))


def submit_consolidated_pdf(actor, year: int, root: Unit) -> jobs.Job:
    return jobs.submit("initiatives.consolidated_pdf", owner=actor, params={"year": year, "unit_id": root.id},
                       title=f"PDF tổng hợp «Dân vận khéo» {year} — {root.name}")


@jobs.kind("initiatives.consolidated_pdf")
def consolidated_pdf(ctx: jobs.Context) -> jobs.FileResult:
    from danvan.printing import render_pdf

    owner, year = ctx.owner, ctx.params["year"]
    root = db.session.get(Unit, ctx.params["unit_id"])
    if not access.in_scope(owner, root):
        raise jobs.JobError("Đơn vị không còn trong phạm vi của bạn.")
    ctx.progress(10, "Đang tổng hợp số liệu")
    data = consolidated_data(owner, statistics.statistics(owner, year, root))
    ctx.progress(40, "Đang dàn trang PDF")
    pdf = render_pdf("print/initiatives_consolidated.html", **data, superior=owner.scope.name.upper(),
                     issuing="BAN DÂN VẬN", issuer_code=ban_code(owner.scope))
    return jobs.FileResult(pdf, f"tong-hop-dan-van-kheo-{year}.pdf", "application/pdf")
