"""Sơ kết draft: the programme's interim report drafted from live data (counts, groups, lagging units, ratings).

The draft becomes a BC document (plans' `documents.create_document`) that staff edit and submit;
the text is also shown as an editable preview.
"""
from __future__ import annotations

from datetime import date

from flask import url_for

from danvan.core.units import Unit
from danvan.core.vntext import fmt_count, fmt_date, fmt_number, today_local
from danvan.plans import documents
from danvan.programme import heatmap, rollup
from danvan.programme.models import Programme


def sections(programme: Programme, root: Unit, as_of: date) -> list[dict]:
    figure = rollup.figures(programme, root, as_of)
    groups = rollup.load_structure(programme)
    rows = heatmap.heatmap(programme, root, as_of, "child", groups)
    threshold = float(programme.lagging_below)
    lagging = sorted((r for r in rows if r.progress is not None and r.progress < threshold),
                     key=lambda r: r.progress)
    reported = figure.reported
    expected = figure.expected
    head = [
        f"Đề án «{programme.title}»{' (' + programme.decision_number + ')' if programme.decision_number else ''}, "
        f"giai đoạn {programme.start_year}–{programme.end_year}; số liệu tính đến ngày {fmt_date(as_of)}, "
        f"phạm vi {root.name}.",
        f"- Số nhóm nhiệm vụ, giải pháp: {fmt_count(len(figure.groups))}; số nhiệm vụ: "
        f"{fmt_count(sum(len(g.tasks) for g in figure.groups))}.",
        f"- Lượt đơn vị thực hiện nhiệm vụ: {fmt_number(expected)}; đã có báo cáo được duyệt: {fmt_number(reported)}; "
        f"chưa báo cáo: {fmt_number(expected - reported)} (tính 0 %).",
        f"- Tiến độ chung của Đề án: {rollup.pct(figure.progress)} ({figure.formula}).",
    ]
    group_lines = []
    for i, g in enumerate(figure.groups, 1):
        group_lines.append(f"{i}. {g.group.title}: {rollup.pct(g.progress)} — {g.formula}.")
        for t in g.tasks:
            group_lines.append(f"   - {t.task.title}: {rollup.pct(t.progress)}"
                               + (f"; {t.missing} đơn vị chưa báo cáo" if t.progress is not None and t.missing else ""))
    lag_lines = [f"- {r.unit.name}: {rollup.pct(r.progress)}"
                 + (f", {r.missing} lượt chưa báo cáo" if r.missing else "")
                 for r in lagging] or ["- Không có đơn vị nào dưới ngưỡng chậm tiến độ."]
    lag_lines.insert(0, f"Các đơn vị có tiến độ dưới {fmt_number(threshold, 0)} %:")
    rating_lines = _rating_lines(root, as_of)
    return [
        {"heading": "I. TÌNH HÌNH TRIỂN KHAI", "body": "\n".join(head)},
        {"heading": "II. KẾT QUẢ THỰC HIỆN CÁC NHÓM NHIỆM VỤ, GIẢI PHÁP", "body": "\n".join(group_lines)},
        {"heading": "III. ĐƠN VỊ CHẬM TIẾN ĐỘ", "body": "\n".join(lag_lines)},
        {"heading": "IV. ĐÁNH GIÁ, XẾP LOẠI KHỐI DÂN VẬN CƠ SỞ", "body": "\n".join(rating_lines)},
        {"heading": "V. HẠN CHẾ, NGUYÊN NHÂN VÀ NHIỆM VỤ THỜI GIAN TỚI",
         "body": "(Cán bộ bổ sung nhận định về hạn chế, nguyên nhân và phương hướng.)"},
    ]


def _rating_lines(root: Unit, as_of: date) -> list[str]:
    from danvan.blocs import service as blocs

    totals = blocs.province_totals(root, as_of)
    lines = [f"Toàn {root.name}: {fmt_number(totals['blocs'])} khối, {fmt_number(totals['members'])} thành viên."]
    for year in (as_of.year - 1, as_of.year):
        counts = blocs.rating_counts_for(root, year, "bloc")
        scored = sum(counts.values())
        if not scored:
            lines.append(f"Năm {year}: chưa có khối nào được cấp trên chấm điểm, xếp loại.")
            continue
        parts = "; ".join(f"{label}: {fmt_count(counts.get(key, 0))}" for key, label in blocs.RATINGS.items())
        lines.append(f"Năm {year} ({fmt_count(scored)} khối đã xếp loại): {parts}.")
    return lines


def draft_text(programme: Programme, root: Unit, as_of: date) -> str:
    return "\n\n".join(f"{s['heading']}\n{s['body']}" for s in sections(programme, root, as_of))


def create_document(programme: Programme, root: Unit, text: str, *, actor) -> str:
    """A draft BC document (its edit URL). Raises documents.DocumentError (a Vietnamese
    message and status) when the document is refused."""
    as_of = today_local()
    doc = documents.create_document(actor.unit, {
        "type_code": "BC",
        "summary": f"Sơ kết thực hiện Đề án «{programme.title}»"[:500],
        "year": as_of.year, "period": f"Đến ngày {fmt_date(as_of)}",
        "sections": sections(programme, root, as_of),
        "signer_mode": "T/M", "signer_authority": "BAN THƯỜNG VỤ", "signer_title": "", "signer_name": "",
        "recipients": "- Thường trực Tỉnh ủy (để báo cáo),\n- Lưu VT.",
    }, actor=actor)
    return url_for("plans.document_edit", document_id=doc.id)
