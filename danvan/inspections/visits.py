"""The visit: the inspected unit's report, the team's record (findings, results, shortcomings),
and the conclusion — Thông báo kết luận kiểm tra "Số n-TB/…", numbered and frozen at issue as a
record (core/records): the number serves the stored bytes, a signed copy can be uploaded, a corrected
conclusion is a replacement with a new number (the old one marked "đã được thay thế bởi số …")."""
from __future__ import annotations

from datetime import date, datetime

from flask import current_app
from werkzeug.datastructures import FileStorage

from danvan.core import access, audit, files, numbering, records, signers
from danvan.core.errors import checked_text
from danvan.core.units import scope_root
from danvan.core.vntext import fmt_date, now_utc, today_local
from danvan.extensions import db
from danvan.notifications import service as notifications

from . import checklists, report_call
from .errors import InspectionError
from .models import CATEGORIES, VERDICTS, Inspection

REPORT_OWNER = "InspectionReport"
EVIDENCE_OWNER = "ChecklistResult"
RECORD_OWNER = "Inspection"         # owner_type of the conclusion's IssuedRecord
RECORD_KEY = "ket-luan"
TEXT_LIMIT = 20000


def upload_report(insp: Inspection, upload: FileStorage | None, *, actor, at: datetime | None = None):
    """The inspected unit's own report, before (or at) the visit; it answers the visit's call."""
    if insp.state == "concluded":
        raise InspectionError("Cuộc kiểm tra đã có kết luận; không nộp báo cáo được nữa.", "file", 409)
    try:
        attachment = files.store(upload, owner_type=REPORT_OWNER, owner_id=insp.id, unit_id=insp.unit_id, actor=actor)
    except files.UploadError as exc:
        raise InspectionError(exc.message, "file") from None
    report_call.record_report(insp, actor.unit, actor=actor, at=at)
    notifications.notify([m.user for m in insp.members], f"{insp.unit.name} đã gửi báo cáo phục vụ kiểm tra",
                         kind="inspection_report", link=report_call.link("inspections.detail", inspection_id=insp.id),
                         obj=insp, exclude=actor)
    db.session.flush()
    return attachment


def add_evidence(result, upload: FileStorage | None, *, actor):
    try:
        return files.store(upload, owner_type=EVIDENCE_OWNER, owner_id=result.id, unit_id=result.unit_id, actor=actor)
    except files.UploadError as exc:
        raise InspectionError(exc.message, "file") from None


def _text(data: dict, key: str, label: str) -> str:
    return checked_text(data.get(key), key, label, TEXT_LIMIT, error=InspectionError)


def save_record(insp: Inspection, data: dict, *, actor, version) -> Inspection:
    """Biên bản làm việc: findings, results, shortcomings. Saving it marks the visit as held."""
    insp.check_version(version)
    if insp.state == "concluded":
        raise InspectionError("Đã ban hành kết luận; biên bản không sửa được nữa.", None, 409)
    findings = _text(data, "findings", "Nội dung làm việc")
    results = _text(data, "results", "Kết quả")
    shortcomings = _text(data, "shortcomings", "Tồn tại, hạn chế")
    if not (findings or results or shortcomings):
        raise InspectionError("Ghi ít nhất một nội dung: làm việc, kết quả hoặc tồn tại.", "findings")
    if insp.scheduled_on > today_local():
        raise InspectionError(f"Chưa đến ngày kiểm tra ({fmt_date(insp.scheduled_on)}).", "findings", 409)
    insp.findings, insp.results, insp.shortcomings = findings, results, shortcomings
    if insp.state == "planned":
        insp.state, insp.visited_at = "visited", now_utc()
    db.session.flush()
    return insp


def conclusion_problems(insp: Inspection) -> list[str]:
    out = []
    if insp.state != "visited":
        out.append("Cần ghi biên bản làm việc trước khi kết luận.")
    if any(not r.verdict for r in insp.results_rows):
        out.append("Còn tiêu chí chưa đánh giá.")
    if not insp.conclusion.strip():
        out.append("Chưa có nội dung kết luận.")
    if not insp.signer_name.strip():
        out.append("Chưa ghi họ tên người ký.")
    return out


def _conclusion_fields(insp: Inspection, data: dict) -> None:
    insp.conclusion = _text(data, "conclusion", "Kết luận")
    for key, label in (("signer_title", "Chức vụ người ký"), ("signer_name", "Họ tên người ký")):
        setattr(insp, key, checked_text(data.get(key), key, label, 120, error=InspectionError))


def save_conclusion(insp: Inspection, data: dict, *, actor, version) -> Inspection:
    insp.check_version(version)
    if insp.state == "concluded":
        raise InspectionError("Thông báo kết luận đã ban hành; muốn sửa phải ban hành văn bản thay thế.", None, 409)
    _conclusion_fields(insp, data)
    db.session.flush()
    return insp


def _issue_record(insp: Inspection, actor, replaces: records.IssuedRecord | None = None) -> records.IssuedRecord:
    """Take the next 'n-TB/<organiser>' number, print PDF and DOCX with it once and freeze them."""
    from danvan.printing import render_pdf
    from danvan.printing.office import docx_document

    organiser = insp.organiser
    insp.number = numbering.next_number(organiser.id, "TB", insp.issued_on.year)
    insp.number_text = numbering.format_number(insp.number, "TB", organiser.code or "")
    insp.state = "concluded"
    spec = document_spec(insp)
    return records.issue(owner_type=RECORD_OWNER, owner_id=insp.id, doc_key=RECORD_KEY, unit=organiser,
                         number_text=insp.number_text, issued_on=insp.issued_on,
                         title=f"Thông báo kết luận kiểm tra tại {insp.unit.name}", data=spec,
                         pdf=render_pdf("print/party_document.html", doc=spec), docx=docx_document(spec),
                         actor=actor, replaces=replaces)


def _notify_unit(insp: Inspection, title: str, actor) -> None:
    notifications.notify(notifications.users_serving(insp.unit), title, kind="inspection_concluded", obj=insp,
                         link=report_call.link("inspections.detail", inspection_id=insp.id), exclude=actor)


def issue_conclusion(insp: Inspection, *, actor, on: date | None = None) -> Inspection:
    """Number, print and freeze the Thông báo kết luận, notify the unit.
    `on` (the issue date, default today) lets the demo replay a past visit."""
    problems = conclusion_problems(insp)
    if problems:
        raise InspectionError(" ".join(problems), None, 409)
    insp.issued_on = on or today_local()
    _issue_record(insp, actor)
    audit.record(actor, "conclude", insp, {"number_text": (None, insp.number_text)})
    _notify_unit(insp, f"Thông báo kết luận kiểm tra số {insp.number_text}: {len(insp.recommendations)} kiến nghị",
                 actor)
    db.session.flush()
    return insp


def replace_conclusion(insp: Inspection, data: dict, *, actor, version) -> records.IssuedRecord:
    """A corrected conclusion is a new document: a new number; the old record stays, marked as replaced."""
    insp.check_version(version)
    old = conclusion_record(insp)
    if insp.state != "concluded" or old is None:
        raise InspectionError("Thông báo kết luận chưa ban hành: ban hành lần đầu thay vì thay thế.", None, 409)
    _conclusion_fields(insp, data)
    if not insp.conclusion.strip() or not insp.signer_name.strip():
        raise InspectionError("Văn bản thay thế cần nội dung kết luận và họ tên người ký.", "conclusion")
    before = insp.number_text
    insp.issued_on = today_local()
    record = _issue_record(insp, actor, replaces=old)
    audit.record(actor, "reissue", insp, {"number_text": (before, insp.number_text)})
    _notify_unit(insp, f"Thông báo kết luận kiểm tra số {insp.number_text} thay thế số {before}", actor)
    db.session.flush()
    return record


def conclusion_record(insp: Inspection) -> records.IssuedRecord | None:
    """The Thông báo kết luận in force (the newest not replaced)."""
    return records.current(RECORD_OWNER, insp.id, RECORD_KEY)


def document_spec(insp: Inspection) -> dict:
    """Plain data for print/party_document.html and office.docx_document (the same keys)."""
    organiser = insp.organiser
    team = ", ".join(m.user.full_name for m in insp.members)
    counts = {key: {v: 0 for v in VERDICTS} for key in CATEGORIES}
    for r in insp.results_rows:
        if r.verdict:
            counts[r.category][r.verdict] += 1
    rows = [[n, label, *counts[key].values()] for n, (key, label) in enumerate(CATEGORIES.items(), start=1)
            if any(counts[key].values())]
    recs = [{"lead": f"{n}.", "text": f"{r.text} — {r.unit.name} thực hiện, hạn {fmt_date(r.deadline)}."}
            for n, r in enumerate(insp.recommendations, start=1)]
    draft = insp.state != "concluded"
    superior, issuer = signers.issuer_parts(organiser)    # the same header as every numbered document
    return {
        "superior": superior, "issuer": issuer, "number": "" if draft else insp.number_text,
        "type_code": "TB", "issuer_code": organiser.code or "",
        "place": current_app.config.get("PROVINCE_PLACE", ""), "issued_on": None if draft else insp.issued_on,
        "kind": "THÔNG BÁO", "summary": f"kết luận kiểm tra việc thực hiện Quy chế dân chủ ở cơ sở và phong trào "
                                        f"“Dân vận khéo” tại {insp.unit.name}",
        "subtitle": "(DỰ THẢO)" if draft else "",
        "paragraphs": [
            {"lead": "", "text": f"Ngày {fmt_date(insp.scheduled_on)}, Đoàn kiểm tra đã làm việc tại {insp.unit.name}: "
                                 f"{insp.content}"},
            {"lead": "Thành phần đoàn:", "text": team + (f"; khách mời: {insp.guests}" if insp.guests else "")},
            {"lead": "I. Kết quả đạt được.", "text": insp.results},
            {"lead": "II. Tồn tại, hạn chế.", "text": insp.shortcomings},
            {"lead": "III. Kết quả đánh giá theo tiêu chí.", "text": ""},
        ],
        "table": {"columns": [("TT", 12), ("Nhóm nội dung", 62), ("Đạt", 20), ("Đạt một phần", 25),
                              ("Chưa đạt", 20), ("Không áp dụng", 26)], "rows": rows},
        "after": [{"lead": "IV. Kết luận.", "text": insp.conclusion},
                  {"lead": "V. Kiến nghị.", "text": "" if recs else "Không có kiến nghị."}, *recs],
        "recipients": [insp.unit.name, "Thành viên đoàn kiểm tra", "Lưu Văn phòng"],
        "signer_authority": "T/M ĐOÀN KIỂM TRA", "signer_title": insp.signer_title.upper() or "TRƯỞNG ĐOÀN",
        "signer_name": insp.signer_name,
    }


def frozen(insp: Inspection, kind: str) -> tuple[bytes, str] | None:
    """(bytes, filename) of the issued PDF or DOCX of the number in force, exactly as stored at issue."""
    record = conclusion_record(insp)
    if record is None:
        return None
    data = records.pdf_bytes(record) if kind == "pdf" else records.docx_bytes(record)
    return (data, f"{record.slug}.{kind}") if data is not None else None


def _load_record_owner(inspection_id: int) -> Inspection | None:
    return db.session.get(Inspection, inspection_id)


records.register_owner(RECORD_OWNER, load=_load_record_owner,
                       view=lambda user, insp, record: access.can(user, "view", insp),
                       sign=lambda user, insp, record: access.can(user, "sign_conclusion", insp))


def is_team_leader(user, insp: Inspection) -> bool:
    return bool(insp.members) and insp.members[0].user_id == user.id


def organiser_side(user, insp: Inspection) -> bool:
    return scope_root(user.unit).contains(insp.organiser)


def checklist_summary(insp: Inspection) -> dict[str, int]:
    return checklists.tally(insp.results_rows)
