"""The conference's documents as plain data (specs), then as PDF, DOCX and XLSX."""
from __future__ import annotations

from flask import current_app

from danvan import printing
from danvan.core.files import attachments_of
from danvan.core.vntext import TZ, fmt_date, to_local
from danvan.printing import office

from .contributions import CONTRIBUTION_OWNER
from .models import DOCUMENTS, INVITEE_STATES, Conference, ConferenceInvitee
from .service import issuer_parts, place_of

WEEKDAYS = ["thứ Hai", "thứ Ba", "thứ Tư", "thứ Năm", "thứ Sáu", "thứ Bảy", "Chủ nhật"]
INVITATION_TEMPLATE = "print/conference_invitation.html"
DOCUMENT_TEMPLATE = "print/party_document.html"


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def time_text(conf: Conference) -> str:
    start, end = to_local(conf.starts_at), to_local(conf.ends_at)
    text = (f"bắt đầu từ {start:%H} giờ {start:%M} phút, ngày {fmt_date(start)} ({WEEKDAYS[start.weekday()]})")
    if end.date() != start.date():
        text += f" đến ngày {fmt_date(end)}"
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
    return dict(
        superior=superior, issuer=issuer, issuer_code=conf.unit.code, type_code=code or "",
        number=issued.number_text if issued else None, issued_on=issued.issued_on if issued else None,
        place=place_of(conf.unit, current_app.config["PROVINCE_PLACE"]),
        recipients=_lines(conf.recipients) or ["Như trên", "Lưu Văn phòng"],
        signer_authority=conf.signer_authority, signer_title=conf.signer_title, signer_name=conf.signer_name,
        bookmark=label,
    )


def chairs_text(conf: Conference) -> str:
    return "; ".join(f"đồng chí {c.name}" + (f", {c.title}" if c.title else "") for c in conf.chairs)


def invitation(conf: Conference, invitee: ConferenceInvitee | None) -> dict:
    data = _base(conf, "giay-moi")
    summary = f"dự Hội nghị {conf.kind_label.lower()} {conf.title}" if not conf.title.lower().startswith(
        ("hội nghị", "hội thảo")) else f"dự {conf.title}"
    data.update(
        summary=summary, issuer_name=conf.unit.name,
        invitee=invitee.addressee if invitee else "……………………………………",
        purpose=f"{summary}." if not conf.purpose else f"{summary}. {conf.purpose}",
        time_text=time_text(conf), venue_text=venue_text(conf), chairs_text=chairs_text(conf),
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
        data["subtitle"] = f"(Kèm theo Giấy mời hội nghị ngày {fmt_date(start)})"
        data["table"] = {
            "columns": [("TT", 12), ("Điểm cầu", 55), ("Địa điểm", 50), ("Người liên hệ", 38)],
            "rows": [[i, p.unit.name, p.venue,
                      ", ".join(x for x in (p.contact_name, p.contact_phone) if x)]
                     for i, p in enumerate(conf.points, start=1)],
            "empty": "(Hội nghị chưa có điểm cầu)",
        }
    elif key == "tham-luan":
        accepted = [c for c in conf.contributions if c.state == "accepted"]
        data["subtitle"] = f"(Tại hội nghị ngày {fmt_date(start)})"
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

def invitation_pdf(conf: Conference, invitee: ConferenceInvitee | None = None) -> bytes:
    if invitee is not None:
        return printing.render_pdf(INVITATION_TEMPLATE, doc=invitation(conf, invitee))
    if not conf.invitees:
        return printing.render_pdf(INVITATION_TEMPLATE, doc=invitation(conf, None))
    parts = [(INVITATION_TEMPLATE, {"doc": d, "bookmark": d["bookmark"]})
             for d in (invitation(conf, inv) for inv in conf.invitees)]
    return printing.render_pdfs(parts)


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
        *([{"lead": "Chủ trì:", "text": d["chairs_text"]}] if d["chairs_text"] else []),
        *({"text": line} for line in _lines(d["notes"])),
    ])


def docx(conf: Conference, key: str) -> bytes:
    if key == "giay-moi":
        invitee = conf.invitees[0] if len(conf.invitees) == 1 else None
        return office.docx_document(invitation_spec(conf, invitee))
    return office.docx_document(spec(conf, key))


def packet(conf: Conference) -> bytes:
    """Bộ tài liệu hội nghị: every document, then accepted tham luận files that are PDFs."""
    sections = [
        printing.Section("Giấy mời", template=INVITATION_TEMPLATE, data={"doc": invitation(conf, None)}),
        *(printing.Section(DOCUMENTS[key][0], template=DOCUMENT_TEMPLATE, data={"doc": spec(conf, key)})
          for key in ("chuong-trinh", "diem-cau", "tham-luan")),
    ]
    if conf.conclusion:
        sections.append(printing.Section("Thông báo kết luận", template=DOCUMENT_TEMPLATE,
                                         data={"doc": spec(conf, "ket-luan")}))
    accepted = [c for c in conf.contributions if c.state == "accepted"]
    files = attachments_of(CONTRIBUTION_OWNER, [c.id for c in accepted])
    for c in accepted:
        pdfs = [a for a in files.get(c.id, []) if a.kind == "pdf"]
        if pdfs and pdfs[-1].path.is_file():
            sections.append(printing.Section(f"Tham luận: {c.title} ({c.unit.name})", pdf=pdfs[-1].path.read_bytes()))
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
