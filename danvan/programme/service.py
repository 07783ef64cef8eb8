"""Domain rules of the Đề án tracker: visibility, programme structure, progress reports and their workflow."""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TypeVar

import sqlalchemy as sa
from flask import abort

from danvan import calls
from danvan.core import access, audit, files, workflow
from danvan.core.errors import ServiceError
from danvan.core.policies.programme import EDITABLE
from danvan.core.units import Unit, scope_root
from danvan.core.vntext import fold, matches, now_utc, today_local
from danvan.core.workflow import ABOVE, SCOPE, Transition, Workflow, review_workflow
from danvan.extensions import db
from danvan.programme.models import (
    LEVEL_KINDS,
    PERIOD_NUMBERS,
    Programme,
    ProgressReport,
    Task,
    TaskGroup,
    period_end,
)
from danvan.programme.rollup import report_percent

OWNER_TYPE = "ProgressReport"
# A call for Đề án progress of year N is answered by the unit's progress reports of that year.
CALL_KIND = calls.register_kind("programme_progress", "Báo cáo tiến độ thực hiện Đề án",
                                objects={OWNER_TYPE: ("programme.report", "progress_id")})
SUBMISSION_STATE = {"draft": "draft", "submitted": "submitted", "returned": "returned", "accepted": "approved"}
EVIDENCE_MESSAGE = ("Báo cáo «Hoàn thành» phải kèm ít nhất một tài liệu minh chứng (biên bản, kế hoạch, "
                    "báo cáo, ảnh…). Vui lòng tải lên tệp minh chứng.")


def _progress_workflow(name: str, reviewer: str) -> Workflow:
    return review_workflow(name, {"draft": "Bản nháp", "submitted": "Chờ duyệt", "returned": "Bị trả lại",
                                  "accepted": "Đã duyệt"},
                           submit=("Gửi báo cáo", "programme.report"), decide=("accept", "Duyệt", "accepted"),
                           review_permission="programme.review", return_label="Trả lại",
                           reopen=("Mở lại để sửa", "returned"), reviewer=reviewer)


PROGRESS_WORKFLOW = _progress_workflow("progress_report", ABOVE)
# Reports of the issuing committee itself (province-level tasks) have no level above inside the
# programme: its own leaders review them.
PROGRESS_WORKFLOW_TOP = _progress_workflow("progress_report_top", SCOPE)


def workflow_for(report) -> Workflow:
    return PROGRESS_WORKFLOW_TOP if report.unit_id == report.task.programme.unit_id else PROGRESS_WORKFLOW


M = TypeVar("M", TaskGroup, Task)


class ProgrammeError(ServiceError):
    """Refused input: message for the user, field, HTTP status."""


# ---------------------------------------------------------------- visibility


def visible_condition(user):
    """A programme is visible to units under its issuer (they carry it out) and to those above it."""
    root = scope_root(user.unit)
    ancestors = root.ancestor_ids
    return sa.or_(Programme.unit_id.in_(ancestors or [0]), Programme.unit_id.in_(access.scope_ids(user)))


def programmes_query(user, q: str | None = None) -> sa.Select:
    stmt = sa.select(Programme).where(visible_condition(user))
    if (found := matches(q, Programme.title_key)) is not None:
        stmt = stmt.where(found)
    return stmt.order_by(Programme.start_year.desc(), Programme.id.desc())


def load_programme_or_404(programme_id: int, user) -> Programme:
    return access.one_or_404(sa.select(Programme).where(visible_condition(user)), Programme, programme_id)


def _load_part_or_404(model: type[M], object_id: int, user) -> M:
    """A task group or task is seen where its programme is."""
    part = db.session.get(model, object_id)
    if part is None:
        abort(404)
    load_programme_or_404(part.programme_id, user)
    return part


def load_group_or_404(group_id: int, user) -> TaskGroup:
    return _load_part_or_404(TaskGroup, group_id, user)


def load_task_or_404(task_id: int, user) -> Task:
    return _load_part_or_404(Task, task_id, user)


def load_report_or_404(report_id: int, user) -> ProgressReport:
    return access.get_scoped_or_404(ProgressReport, report_id, user)


def can_manage(user, programme: Programme) -> bool:
    return access.can(user, "programme.manage", programme)


def require_manage(user, programme: Programme) -> None:
    access.authorize(user, "programme.manage", programme)


# ---------------------------------------------------------------- structure


def _check_years(start: int | None, end: int | None) -> None:
    if start is None or end is None or not (2000 <= start <= 2100 and 2000 <= end <= 2100):
        raise ProgrammeError("Năm bắt đầu và kết thúc phải là năm có 4 chữ số (2000–2100).", "start_year")
    if end < start:
        raise ProgrammeError("Năm kết thúc không được trước năm bắt đầu.", "end_year")


def create_programme(unit: Unit, data: dict, *, actor) -> Programme:
    _check_years(data.get("start_year"), data.get("end_year"))
    programme = Programme(unit=unit)
    _fill_programme(programme, data)
    db.session.add(programme)
    db.session.flush()
    return programme


def _fill_programme(programme: Programme, data: dict) -> None:
    programme.title = data["title"]
    programme.title_key = fold(data["title"])
    programme.decision_number = data.get("decision_number") or ""
    programme.issued_on = data.get("issued_on")
    programme.start_year = data["start_year"]
    programme.end_year = data["end_year"]
    programme.summary = data.get("summary") or ""
    programme.lagging_below = Decimal(str(data.get("lagging_below") if data.get("lagging_below") is not None else 50))


def update_programme(programme: Programme, data: dict, *, actor) -> Programme:
    programme.check_version(data.get("version"))
    _check_years(data.get("start_year"), data.get("end_year"))
    _fill_programme(programme, data)
    db.session.flush()
    return programme


def save_group(programme: Programme, group: TaskGroup | None, data: dict, *, actor) -> TaskGroup:
    if group is None:
        group = TaskGroup(programme=programme)
        db.session.add(group)
    else:
        group.check_version(data.get("version"))
    group.title = data["title"]
    group.position = data["position"]
    group.weight = Decimal(str(data["weight"]))
    db.session.flush()
    return group


def save_task(programme: Programme, task: Task | None, data: dict, *, actor) -> Task:
    group = db.session.get(TaskGroup, data.get("group_id") or 0)
    if group is None or group.programme_id != programme.id:
        raise ProgrammeError("Chọn nhóm nhiệm vụ của Đề án này.", "group_id")
    starts_on = data.get("starts_on") or date(programme.start_year, 1, 1)
    if data.get("deadline") and data["deadline"] < starts_on:
        raise ProgrammeError("Hạn hoàn thành không được trước ngày bắt đầu.", "deadline")
    if task is None:
        task = Task(programme=programme)
        db.session.add(task)
    else:
        task.check_version(data.get("version"))
    task.group = group
    task.level = data["level"]
    task.position = data["position"]
    task.deadline = data.get("deadline")
    task.title = data["title"]
    task.indicator = data.get("indicator") or ""
    task.unit_of_measure = data.get("unit_of_measure") or ""
    task.target = Decimal(str(data["target"])) if data.get("target") is not None else None
    task.weight = Decimal(str(data["weight"]))
    task.starts_on = starts_on
    db.session.flush()
    return task


# ---------------------------------------------------------------- progress reports


def reporting_unit(user) -> Unit:
    """Units report for themselves: a commune's staff for the commune, a district ban for the district."""
    return scope_root(user.unit)


def is_responsible(task: Task, unit: Unit) -> bool:
    if not task.programme.unit.contains(unit) or not unit.is_open:
        return False
    if task.level == "province":
        return unit.id == task.programme.unit_id
    return unit.kind in LEVEL_KINDS[task.level]


def parse_period(kind: str | None, year: int | None, number: int | None, programme: Programme) -> tuple[str, int, int]:
    if kind not in PERIOD_NUMBERS:
        raise ProgrammeError("Chọn kỳ báo cáo (quý, 6 tháng hoặc năm).", "period_kind")
    number = 1 if kind == "nam" else number
    if number not in PERIOD_NUMBERS[kind]:
        raise ProgrammeError("Số kỳ không hợp lệ: quý 1–4, 6 tháng 1–2.", "number")
    if year is None or not programme.start_year <= year <= programme.end_year:
        raise ProgrammeError(f"Năm báo cáo phải trong giai đoạn {programme.start_year}–{programme.end_year}.", "year")
    if period_end(kind, year, number).replace(day=1) > today_local():
        raise ProgrammeError("Chưa đến kỳ báo cáo này.", "number")
    return kind, year, number


def _check_values(task: Task, data: dict) -> None:
    status = data.get("status")
    if status not in ("chua", "dang", "xong"):
        raise ProgrammeError("Chọn tình trạng thực hiện.", "status")
    value = data.get("value")
    if value is not None and value < 0:
        raise ProgrammeError("Giá trị đạt được không được âm.", "value")
    if status == "dang" and task.target and value is None:
        raise ProgrammeError(f"Nhập giá trị đạt được ({task.unit_of_measure or 'theo chỉ tiêu'}) "
                             "để tính tỷ lệ thực hiện.", "value")


def _store_evidence(report: ProgressReport, uploads: list, actor) -> list:
    stored = []
    for upload in uploads:
        if upload is None or not upload.filename:
            continue
        try:
            stored.append(files.store(upload, owner_type=OWNER_TYPE, owner_id=report.id, unit_id=report.unit_id,
                                      actor=actor))
        except files.UploadError as exc:
            raise ProgrammeError(exc.message, "evidence") from exc
    return stored


def remove_evidence(report: ProgressReport, attachment_id: int, *, actor) -> files.Attachment:
    """Withdraw one evidence file while the report is still editable by the unit that wrote it.
    The file is archived, not deleted (the audit log keeps who withdrew it). The last file of a
    «Hoàn thành» report cannot go: the report would break the evidence rule."""
    if not access.can(actor, "edit", report):
        if report.state not in EDITABLE:
            raise ProgrammeError(f"Báo cáo đang ở trạng thái «{report.state_label}», không gỡ được minh chứng.",
                                 status=409)
        raise ProgrammeError("Chỉ đơn vị lập báo cáo mới gỡ được minh chứng.", status=403)
    current = files.attachments_of(OWNER_TYPE, [report.id])[report.id]
    attachment = next((a for a in current if a.id == attachment_id), None)
    if attachment is None:
        raise ProgrammeError("Không tìm thấy tệp minh chứng này trong báo cáo.", status=404)
    if report.status == "xong" and len(current) == 1:
        raise ProgrammeError("Báo cáo «Hoàn thành» cần ít nhất một tệp minh chứng: hãy tải tệp thay thế lên "
                             "trước, hoặc đổi tình trạng, rồi mới gỡ tệp này.", status=422)
    attachment.archived_at = now_utc()
    db.session.flush()
    return attachment


def evidence_count(report: ProgressReport) -> int:
    if report.id is None:
        return 0
    return len(files.attachments_of(OWNER_TYPE, [report.id])[report.id])


def validate_report(report: ProgressReport) -> list[str]:
    """Run again by every transition: a completed task needs evidence."""
    problems = []
    if report.status == "xong" and evidence_count(report) == 0:
        problems.append(EVIDENCE_MESSAGE)
    if not (report.narrative or "").strip():
        problems.append("Cần nêu kết quả thực hiện (phần tường thuật).")
    return problems


def save_report(task: Task, report: ProgressReport | None, data: dict, uploads: list, *, actor) -> ProgressReport:
    """Create or edit the unit's report for a period; refuses «Hoàn thành» without evidence."""
    unit = reporting_unit(actor) if report is None else report.unit
    if report is None:
        if not is_responsible(task, unit):
            raise ProgrammeError(f"{unit.name} không phải đơn vị thực hiện nhiệm vụ này.", status=403)
        kind, year, number = parse_period(data.get("period_kind"), data.get("year"), data.get("number"),
                                          task.programme)
        existing = db.session.scalar(sa.select(ProgressReport).where(
            ProgressReport.task_id == task.id, ProgressReport.unit_id == unit.id,
            ProgressReport.period_kind == kind, ProgressReport.year == year, ProgressReport.number == number))
        if existing is not None:
            raise ProgrammeError(f"Đơn vị đã có báo cáo {existing.period_label} cho nhiệm vụ này; "
                                 "hãy mở báo cáo đó để cập nhật.", "period_kind", 409)
    else:
        if report.state not in EDITABLE:
            raise ProgrammeError(f"Báo cáo đang ở trạng thái «{report.state_label}», không sửa được.", status=409)
        if reporting_unit(actor).id != report.unit_id:
            raise ProgrammeError("Chỉ đơn vị lập báo cáo mới sửa được báo cáo.", status=403)
        report.check_version(data.get("version"))
    _check_values(task, data)
    if report is None:
        report = ProgressReport(task=task, unit=unit, period_kind=kind, year=year, number=number,
                                period_end=period_end(kind, year, number), created_by_id=actor.id, state="draft")
        db.session.add(report)
    report.status = data["status"]
    report.value = Decimal(str(data["value"])) if data.get("value") is not None else None
    report.narrative = data.get("narrative") or ""
    report.percent = report_percent(report.status, report.value, task.target)
    db.session.flush()
    _store_evidence(report, uploads, actor)
    if report.status == "xong" and evidence_count(report) == 0:
        raise ProgrammeError(EVIDENCE_MESSAGE, "evidence")
    return report


def available_transitions(report: ProgressReport, user) -> list[Transition]:
    """The buttons the user may press: the workflow's, with «submit» only for the report's own unit."""
    return [t for t in workflow_for(report).available(report, user)
            if t.name != "submit" or access.can(user, "submit", report)]


def transition(report: ProgressReport, name: str, *, actor, comment: str = "") -> None:
    if name == "submit" and not access.can(actor, "submit", report):
        raise workflow.TransitionError("Chỉ đơn vị lập báo cáo mới gửi được báo cáo.", 403)
    workflow.apply(workflow_for(report), report, name, actor=actor, comment=comment, validate=validate_report)
    if name == "submit":
        report.submitted_at = now_utc()
        calls.answer_open_calls(report.unit, CALL_KIND, report.year, report, actor=actor)
    elif name in ("accept", "return"):
        report.reviewed_at = now_utc()
    calls.update_submission_state(report, SUBMISSION_STATE[report.state])
    db.session.flush()


def reports_query(user, programme: Programme, *, state: str | None = None, q: str | None = None,
                  task_id: int | None = None, unit: Unit | None = None) -> sa.Select:
    """The programme's reports in the user's scope; `unit`: only that unit's own."""
    stmt = (sa.select(ProgressReport).join(Task, Task.id == ProgressReport.task_id)
            .join(Unit, Unit.id == ProgressReport.unit_id).where(Task.programme_id == programme.id))
    stmt = access.scoped(stmt, ProgressReport.unit_id, user)
    if state:
        stmt = stmt.where(ProgressReport.state == state)
    if task_id:
        stmt = stmt.where(ProgressReport.task_id == task_id)
    if unit is not None:
        stmt = stmt.where(ProgressReport.unit_id == unit.id)
    if (found := matches(q, Unit.name_key)) is not None:
        stmt = stmt.where(found)
    return stmt.order_by(ProgressReport.updated_at.desc(), ProgressReport.id.desc())


def timeline_query(user, task: Task) -> sa.Select:
    """Workflow events of every report on the task within the user's scope, newest first."""
    WH = workflow.WorkflowHistory
    return access.scoped(
        sa.select(WH, ProgressReport).join(ProgressReport, sa.and_(WH.object_type == "ProgressReport",
                                                                   WH.object_id == ProgressReport.id))
        .where(ProgressReport.task_id == task.id),
        ProgressReport.unit_id, user).order_by(WH.at.desc(), WH.id.desc())


def record_structure_change(actor, obj, action: str) -> None:
    audit.record(actor, action, obj, {})


def move_open_work(old: Unit, new: Unit) -> int:
    """Unit merge: unfinished progress reports (draft, returned, submitted) follow the successor unless it
    already has a report for the same task and period; accepted reports stay with the unit that made them."""
    moved = 0
    reports = db.session.scalars(sa.select(ProgressReport).where(
        ProgressReport.unit_id == old.id, ProgressReport.state.in_(("draft", "returned", "submitted"))))
    for report in list(reports):
        clash = db.session.scalar(sa.select(ProgressReport.id).where(
            ProgressReport.unit_id == new.id, ProgressReport.task_id == report.task_id,
            ProgressReport.period_kind == report.period_kind, ProgressReport.year == report.year,
            ProgressReport.number == report.number))
        if clash is None:
            report.unit_id = new.id
            moved += 1
    db.session.flush()
    return moved
