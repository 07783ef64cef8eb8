"""The conference's documents as plain data (specs), then as PDF, DOCX and XLSX."""
from __future__ import annotations

from flask import current_app

from danvan import printing
from danvan.core import signers
from danvan.core.files import UploadError, attachments_of, store
from danvan.core.signers import issuer_parts, place_of
from danvan.core.vntext import TZ, fmt_date, now_utc, to_local
from danvan.extensions import db
from danvan.printing import office

from .contributions import CONTRIBUTION_OWNER
from .models import DOCUMENTS, INVITEE_STATES, Conference, ConferenceInvitee, ConferencePoint

OWNER = "Conference"     # owner_type of the conference's issued records and signer blocks
REPORT_OWNER = "ConferenceReport"   # the main báo cáo: a file the organiser attaches (PDF goes in the packet)
# The lists go with the invitation as its attachments ("Danh sách kèm theo Giấy mời số …").
ATTACHED_LISTS = ("diem-cau", "tham-luan")

WEEKDAYS = ["thứ Hai", "thứ Ba", "thứ Tư", "thứ Năm", "thứ Sáu", "thứ Bảy", "Chủ nhật"]
INVITATION_TEMPLATE = "print/conference_invitation.html"
DOCUMENT_TEMPLATE = "print/party_document.html"


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def time_text(conf: Conference) -> str:
    start, end = to_local(conf.starts_at), to_local(conf.ends_at)
    text = f"từ {start:%H} giờ {start:%M} phút"
    if end.date() != start.date():
        text += (f", ngày {fmt_date(start)} ({WEEKDAYS[start.weekday()]}) đến {end:%H} giờ {end:%M} phút, "
                 f"ngày {fmt_date(end)} ({WEEKDAYS[end.weekday()]})")
    else:
        text += f" đến {end:%H} giờ {end:%M} phút, ngày {fmt_date(start)} ({WEEKDAYS[start.weekday()]})"
    return text[0].upper() + text[1:] + "."


def venue_text(conf: Conference) -> str:
    text = conf.venue or "(chưa xác định)"
    if conf.online and conf.points:
        text += f"; hội nghị trực tuyến tại {len(conf.points):02d} điểm cầu (danh sách kèm theo)"
    return text + "."


def _base(conf: Conference, key: str) -> dict:
    superior, issuer = issuer_parts(conf.unit)
    issued = conf.document(key)
    label, code = DOCUMENTS[key]
    data = dict(
        superior=superior, issuer=issuer, issuer_code=conf.unit.code, type_code=code or "",
        number=issued.number_text if issued else None, issued_on=issued.issued_on if issued else None,
        place=place_of(conf.unit, current_app.config["PROVINCE_PLACE"]),
        recipients=_lines(conf.recipients) or ["Như trên", "Lưu Văn phòng"],
        signer_authority=conf.signer_authority, signer_title=conf.signer_title, signer_name=conf.signer_name,
        bookmark=label,
        # a numbered document without its number yet is a draft: "DỰ THẢO" on every page
        draft=bool(code) and issued is None,
    )
    own = signers.signer_row(OWNER, conf.id, key)   # this document's own signer block, if set
    if own is not None:
        data.update(own.as_spec())
    if key in ATTACHED_LISTS:
        invitation = conf.document("giay-moi")
        data.update(draft=invitation is None, attachment_of=(
            f"Kèm theo Giấy mời số {invitation.number_text} ngày {fmt_date(invitation.issued_on)} "
            f"của {conf.unit.name}" if invitation else "Kèm theo Giấy mời (dự thảo, chưa cấp số)"))
    return data


def chairs_text(conf: Conference) -> str:
    return "; ".join(f"đồng chí {c.name}" + (f", {c.title}" if c.title else "") for c in conf.chairs)


def attending_point(conf: Conference, unit) -> ConferencePoint | None:
    """The điểm cầu a unit attends: its own, else the nearest one hosted above it (a commune at its district's)."""
    by_unit = {p.unit_id: p for p in conf.points}
    path = [int(i) for i in unit.path.strip("/").split("/") if i]
    return next((by_unit[i] for i in reversed(path) if i in by_unit), None)


def unit_asks(conf: Conference, invitee: ConferenceInvitee | None) -> tuple[str, str]:
    """(where this unit attends, what it is asked to prepare) for its own invitation."""
    if invitee is None:
        return "", ""
    point = attending_point(conf, invitee.unit)
    if point is not None:
        where = f"Đơn vị dự tại điểm cầu {point.unit.name}" + (f", {point.venue}" if point.venue else "") + "."
    elif conf.points and conf.venue:    # online, but no điểm cầu of its own or above it: the main one
        where = f"Đơn vị dự tại điểm cầu chính: {conf.venue}."
    else:
        where = ""
    asked = [c for c in conf.contributions if c.unit_id == invitee.unit_id and c.state != "withdrawn"]
    prepare = " ".join(f"Đề nghị đơn vị chuẩn bị tham luận với chủ đề “{c.topic}”, gửi về {conf.unit.name} "
                       f"trước ngày {fmt_date(c.deadline)}." for c in asked)
    return where, prepare


def invitation(conf: Conference, invitee: ConferenceInvitee | None) -> dict:
    data = _base(conf, "giay-moi")
    summary = f"dự Hội nghị {conf.kind_label.lower()} {conf.title}" if not conf.title.lower().startswith(
        ("hội nghị", "hội thảo")) else f"dự {conf.title}"
    where, prepare = unit_asks(conf, invitee)
    data.update(
        summary=summary, issuer_name=conf.unit.name,
        invitee=invitee.addressee if invitee else "……………………………………",
        purpose=f"{summary}." if not conf.purpose else f"{summary}. {conf.purpose}",
        time_text=time_text(conf), venue_text=venue_text(conf), chairs_text=chairs_text(conf),
        point_text=where, prepare_text=prepare,
        notes=conf.notes, bookmark=f"Giấy mời – {invitee.unit.name}" if invitee else "Giấy mời",
    )
    return data


def spec(conf: Conference, key: str) -> dict:
    """The generic document spec (programme, lists, conclusion) for PDF and DOCX alike."""
    data = _base(conf, key)
    data.update(kind=DOCUMENTS[key][0].upper(), summary=conf.title, subtitle="", paragraphs=[], table=None,
                after=[])
    start = to_local(conf.starts_at)
    if key == "chuong-trinh":
        data["paragraphs"] = [{"lead": "Thời gian:", "text": time_text(conf)},
                              {"lead": "Địa điểm:", "text": venue_text(conf)}]
        if conf.chairs:
            data["paragraphs"].append({"lead": "Chủ trì:", "text": chairs_text(conf) + "."})
        data["table"] = {
            "columns": [("TT", 12), ("Thời gian", 24), ("Nội dung", 70), ("Thực hiện", 45)],
            "rows": [[i, item.start_time.strftime("%Hh%M") if item.start_time else "",
                      item.content + (f" (tài liệu: {item.document})" if item.document and not item.contribution_id
                                      else ""), item.presenter]
                     for i, item in enumerate(conf.items, start=1)],
            "empty": "(Chương trình chưa có nội dung)",
        }
    elif key == "diem-cau":
        data["subtitle"] = f"({data['attachment_of']})"
        data["table"] = {
            "columns": [("TT", 12), ("Điểm cầu", 55), ("Địa điểm", 50), ("Người liên hệ", 38)],
            "rows": [[i, p.unit.name, p.venue,
                      ", ".join(x for x in (p.contact_name, p.contact_phone) if x)]
                     for i, p in enumerate(conf.points, start=1)],
            "empty": "(Hội nghị chưa có điểm cầu)",
        }
    elif key == "tham-luan":
        accepted = [c for c in conf.contributions if c.state == "accepted"]
        data["subtitle"] = f"({data['attachment_of']})"
        data["table"] = {
            "columns": [("TT", 12), ("Tên tham luận", 75), ("Đơn vị", 40), ("Người trình bày", 38)],
            "rows": [[i, c.title, c.unit.name, c.presenter] for i, c in enumerate(accepted, start=1)],
            "empty": "(Chưa có tham luận được nhận)",
        }
    elif key == "ket-luan":
        intro = (f"Ngày {fmt_date(start)}, {conf.unit.name} tổ chức {conf.title}."
                 + (f" Chủ trì: {chairs_text(conf)}." if conf.chairs else ""))
        data["summary"] = f"kết luận tại {conf.title}"
        data["paragraphs"] = [{"text": intro}] + [{"text": line} for line in _lines(conf.conclusion)]
    return data


# ---------------------------------------------------------------- output

def attached_lists(conf: Conference) -> list[str]:
    """The lists printed behind the invitation: the điểm cầu it announces, the tham luận accepted."""
    keys = ["diem-cau"] if conf.online and conf.points else []
    if any(c.state == "accepted" for c in conf.contributions):
        keys.append("tham-luan")
    return keys


def invitation_parts(conf: Conference, invitee: ConferenceInvitee | None = None) -> tuple[list, list]:
    """(one invitation per invited unit, the attached lists) as render_pdfs parts."""
    invitees = [invitee] if invitee is not None else (list(conf.invitees) or [None])
    letters = [(INVITATION_TEMPLATE, {"doc": d, "bookmark": d["bookmark"]})
               for d in (invitation(conf, inv) for inv in invitees)]
    lists = [(DOCUMENT_TEMPLATE, {"doc": d, "bookmark": DOCUMENTS[key][0]})
             for key in attached_lists(conf) for d in (spec(conf, key),)]
    return letters, lists


def invitation_pdf(conf: Conference, invitee: ConferenceInvitee | None = None) -> bytes:
    letters, lists = invitation_parts(conf, invitee)
    return printing.render_pdfs(letters + lists)


def pdf(conf: Conference, key: str) -> bytes:
    if key == "giay-moi":
        return invitation_pdf(conf)
    return printing.render_pdf(DOCUMENT_TEMPLATE, doc=spec(conf, key))


def invitation_spec(conf: Conference, invitee: ConferenceInvitee | None) -> dict:
    d = invitation(conf, invitee)
    return dict(d, kind="GIẤY MỜI", subtitle="", table=None, after=[], paragraphs=[
        {"text": f"{d['issuer_name']} trân trọng kính mời: {d['invitee']} {d['purpose']}"},
        {"lead": "Thời gian:", "text": d["time_text"]},
        {"lead": "Địa điểm:", "text": d["venue_text"]},
        *({"text": text} for text in (d["point_text"], d["prepare_text"]) if text),   # as the PDF letter says
        *([{"lead": "Chủ trì:", "text": d["chairs_text"] + "."}] if d["chairs_text"] else []),
        *({"text": line} for line in _lines(d["notes"])),
    ], attachments=[spec(conf, key) for key in attached_lists(conf)])    # "kèm theo": the lists follow


def docx(conf: Conference, key: str) -> bytes:
    if key == "giay-moi":
        invitee = conf.invitees[0] if len(conf.invitees) == 1 else None
        return office.docx_document(invitation_spec(conf, invitee))
    return office.docx_document(spec(conf, key))


def main_report(conf: Conference):
    """The last main báo cáo attached to the conference (earlier uploads stay archived)."""
    files = attachments_of(REPORT_OWNER, [conf.id])[conf.id]
    return files[-1] if files else None


def attach_report(conf: Conference, upload, *, actor):
    """Keep the main báo cáo (PDF or DOCX); it goes into the packet when it is a PDF."""
    attachment = store(upload, owner_type=REPORT_OWNER, owner_id=conf.id, unit_id=conf.unit_id, actor=actor)
    if attachment.kind not in ("pdf", "docx"):
        db.session.delete(attachment)
        db.session.flush()
        raise UploadError(f"Báo cáo phải là tệp PDF hoặc Word (tệp «{attachment.filename}» không phải).")
    for old in attachments_of(REPORT_OWNER, [conf.id])[conf.id]:
        if old.id != attachment.id:
            old.archived_at = now_utc()
    db.session.flush()
    return attachment


def packet(conf: Conference, official: dict[str, printing.Section] | None = None) -> bytes:
    """Bộ tài liệu hội nghị: the invitation with its lists, the programme, the conclusion, then the
    accepted tham luận that are PDFs. `official` gives, per issued document, its stored or signed copy
    (never re-rendered); the rest prints as drafts."""
    official = official or {}
    letters, lists = invitation_parts(conf, None)
    sections = [official.get("giay-moi") or printing.Section("Giấy mời", template=INVITATION_TEMPLATE,
                                                             data=letters[0][1])]
    if "giay-moi" not in official:
        sections += [printing.Section(d["bookmark"], template=t, data=d) for t, d in lists]
    sections.append(official.get("chuong-trinh") or printing.Section(
        DOCUMENTS["chuong-trinh"][0], template=DOCUMENT_TEMPLATE, data={"doc": spec(conf, "chuong-trinh")}))
    report = main_report(conf)
    report_pdf = report.read_or_none() if report is not None and report.kind == "pdf" else None
    if report_pdf is not None:
        sections.append(printing.Section(f"Báo cáo: {report.filename}", pdf=report_pdf))
    if conf.conclusion or "ket-luan" in official:
        sections.append(official.get("ket-luan") or printing.Section(
            "Thông báo kết luận", template=DOCUMENT_TEMPLATE, data={"doc": spec(conf, "ket-luan")}))
    accepted = [c for c in conf.contributions if c.state == "accepted"]
    files = attachments_of(CONTRIBUTION_OWNER, [c.id for c in accepted])
    for c in accepted:
        pdfs = [a for a in files.get(c.id, []) if a.kind == "pdf"]
        data = pdfs[-1].read_or_none() if pdfs else None
        if data:
            sections.append(printing.Section(f"Tham luận: {c.title} ({c.unit.name})", pdf=data))
    return printing.packet(sections, title="BỘ TÀI LIỆU HỘI NGHỊ", subtitle=conf.title)


def _naive(dt):
    return dt.astimezone(TZ).replace(tzinfo=None) if dt else None


def invitees_xlsx(conf: Conference) -> bytes:
    rows = [[i, inv.unit.name, inv.addressee, INVITEE_STATES.get(inv.status, inv.status),
             inv.delegates, _naive(inv.confirmed_at), inv.note]
            for i, inv in enumerate(conf.invitees, start=1)]
    columns = [("TT", 6), ("Đơn vị", 40), ("Người được mời", 45), ("Xác nhận", 14), ("Số đại biểu", 12),
               ("Thời điểm xác nhận", 20), ("Ghi chú", 30)]
    return office.xlsx_table(f"Danh sách đại biểu – {conf.title}"[:200], columns, rows,
                             subtitle=f"Ngày hội nghị: {fmt_date(conf.starts_at)}")


def points_xlsx(conf: Conference) -> bytes:
    start = to_local(conf.starts_at).date()
    rows = [[i, p.unit.name, p.venue, p.contact_name, p.contact_phone, start]
            for i, p in enumerate(conf.points, start=1)]
    columns = [("TT", 6), ("Điểm cầu", 40), ("Địa điểm", 40), ("Người liên hệ", 25), ("Điện thoại", 15),
               ("Ngày hội nghị", 14)]
    return office.xlsx_table(f"Danh sách điểm cầu – {conf.title}"[:200], columns, rows)


def list_xlsx(conf: Conference, key: str) -> bytes:
    return invitees_xlsx(conf) if key == "dai-bieu" else points_xlsx(conf)
