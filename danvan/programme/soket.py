"""Sơ kết draft: the programme's interim report drafted from live data (counts, groups, lagging units, ratings).

The draft becomes a BC document (plans' `documents.create_document`) that staff edit and submit;
the text is also shown as an editable preview.
"""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask import current_app, url_for

from danvan.core.units import Unit
from danvan.core.vntext import fmt_count, fmt_date, fmt_number, today_local
from danvan.extensions import db
from danvan.plans import documents
from danvan.plans.models import PlanDocument
from danvan.programme import heatmap, rollup, trends
from danvan.programme.models import Programme

# The lagging list names the slowest units; the rest are counted and left to the heatmap.
LAGGING_LISTED = 50


def sections(programme: Programme, root: Unit, as_of: date, ratings: dict[int, dict[str, int]] | None = None
             ) -> list[dict]:
    figure = rollup.figures(programme, root, as_of)
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
        f"- Tiến độ chung của Đề án: {rollup.pct(figure.progress)} (cách tính: Phụ lục).",
    ]
    group_lines = []
    for i, g in enumerate(figure.groups, 1):
        group_lines.append(f"{i}. {g.group.title}: {rollup.pct(g.progress)}.")
        for t in g.tasks:
            group_lines.append(f"   - {t.task.title}: {rollup.pct(t.progress)}"
                               + (f"; {t.missing} đơn vị chưa báo cáo" if t.progress is not None and t.missing else ""))
    rating_lines = _rating_lines(root, as_of, rating_counts(root, as_of) if ratings is None else ratings)
    return [
        {"heading": "I. TÌNH HÌNH TRIỂN KHAI", "body": "\n".join(head)},
        {"heading": "II. KẾT QUẢ THỰC HIỆN CÁC NHÓM NHIỆM VỤ, GIẢI PHÁP", "body": "\n".join(group_lines)},
        {"heading": "III. ĐƠN VỊ CHẬM TIẾN ĐỘ", "body": "\n".join(_lagging_lines(programme, root, as_of))},
        {"heading": "IV. ĐÁNH GIÁ, XẾP LOẠI KHỐI DÂN VẬN CƠ SỞ", "body": "\n".join(rating_lines)},
        {"heading": "V. HẠN CHẾ, NGUYÊN NHÂN VÀ NHIỆM VỤ THỜI GIAN TỚI",
         "body": "(Cán bộ bổ sung nhận định về hạn chế, nguyên nhân và phương hướng.)"},
        {"heading": "PHỤ LỤC: CÁCH TÍNH TIẾN ĐỘ", "body": "\n".join(_formula_lines(figure))},
    ]


def _lagging_lines(programme: Programme, root: Unit, as_of: date) -> list[str]:
    """Both levels of the heatmap, read as it reads them (heat_page, the maintained summary for today):
    each unit carrying out tasks (the communes), then the units directly under the scope."""
    threshold = float(programme.lagging_below)
    lines = [f"Các đơn vị có tiến độ dưới {fmt_number(threshold, 0)} %:"]
    for bucket, label in (("unit", "Theo từng đơn vị thực hiện (xã, phường, thị trấn…)"),
                          ("child", "Theo đơn vị trực thuộc " + root.name)):
        page = heatmap.heat_page(programme, root, as_of, bucket, sort="lag", per_page=LAGGING_LISTED)
        if not page.lagging:
            lines.append(f"{label}: không có đơn vị nào dưới ngưỡng ({fmt_number(page.total)} đơn vị).")
            continue
        lines.append(f"{label}: {fmt_number(page.lagging)}/{fmt_number(page.total)} đơn vị dưới ngưỡng.")
        shown = [r for r in page.rows if r.progress is not None and r.progress < threshold]
        lines += [f"- {r.unit.name}: {rollup.pct(r.progress)}"
                  + (f", {r.missing} lượt chưa báo cáo" if r.missing else "") for r in shown]
        if page.lagging > len(shown):
            lines.append(f"- … và {fmt_number(page.lagging - len(shown))} đơn vị khác (xem bản đồ nhiệt).")
    return lines


def _formula_lines(figure: rollup.ProgrammeFigure) -> list[str]:
    """The rules and each figure's arithmetic, kept out of the report's body."""
    lines = ["1. Quy tắc tính:"] + [f"- {rule}" for rule in rollup.RULES]
    lines.append(f"2. Tiến độ chung của Đề án: {figure.formula}.")
    lines.append("3. Tiến độ từng nhóm nhiệm vụ, giải pháp:")
    lines += [f"- {g.group.title}: {g.formula}." for g in figure.groups]
    return lines


def rating_counts(root: Unit, as_of: date) -> dict[int, dict[str, int]]:
    """Blocs scored by the level above, per rating, last year and this year."""
    from danvan.blocs import service as blocs

    return {year: blocs.rating_counts_for(root, year, "bloc") for year in (as_of.year - 1, as_of.year)}


def _rating_lines(root: Unit, as_of: date, ratings: dict[int, dict[str, int]]) -> list[str]:
    from danvan.blocs import service as blocs

    totals = blocs.province_totals(root, as_of)
    lines = [f"Toàn {root.name}: {fmt_number(totals['blocs'])} khối, {fmt_number(totals['members'])} thành viên."]
    for year, counts in ratings.items():
        scored = sum(counts.values())
        if not scored:
            lines.append(f"Năm {year}: chưa có khối nào được cấp trên chấm điểm, xếp loại.")
            continue
        parts = "; ".join(f"{label}: {fmt_count(counts.get(key, 0))}" for key, label in blocs.RATINGS.items())
        lines.append(f"Năm {year} ({fmt_count(scored)} khối đã xếp loại): {parts}.")
    return lines


def print_data(programme: Programme, root: Unit, as_of: date, unit: Unit) -> dict:
    """The draft as a printed BÁO CÁO (DỰ THẢO, no number) with its charts as numbered figures."""
    from danvan.blocs.models import RATINGS

    ratings = rating_counts(root, as_of)
    return {"programme": programme, "root": root, "as_of": as_of,
            "sections": sections(programme, root, as_of, ratings),
            "timeline": trends.timeline(programme, root, as_of), "bands": trends.band_counts(programme, root, as_of),
            "band_labels": trends.BANDS, "ratings": ratings, "rating_labels": RATINGS,
            "superior": root.name.upper(), "issuer": "BAN DÂN VẬN",
            "issuer_code": (unit.code if unit.kind == "ban" else root.code) or "",
            "place": current_app.config.get("PROVINCE_PLACE", "")}


def draft_text(programme: Programme, root: Unit, as_of: date) -> str:
    return "\n\n".join(f"{s['heading']}\n{s['body']}" for s in sections(programme, root, as_of))


def create_document(programme: Programme, root: Unit, text: str, *, actor) -> str:
    """A draft BC document (its edit URL). Raises documents.DocumentError (a Vietnamese
    message and status) when the document is refused."""
    as_of = today_local()
    summary = f"Sơ kết thực hiện Đề án «{programme.title}»"[:500]
    # One draft per unit, programme and year: pressing the button again (or a repeated POST)
    # opens the draft being edited instead of making another.
    existing = db.session.scalar(sa.select(PlanDocument.id).where(
        PlanDocument.unit_id == actor.unit_id, PlanDocument.type_code == "BC", PlanDocument.year == as_of.year,
        PlanDocument.summary == summary, PlanDocument.state == "draft").order_by(PlanDocument.id).limit(1))
    if existing is not None:
        return url_for("plans.document_edit", document_id=existing)
    doc = documents.create_document(actor.unit, {
        "type_code": "BC",
        "summary": summary,
        "year": as_of.year, "period": f"Đến ngày {fmt_date(as_of)}",
        "sections": sections(programme, root, as_of),
        "signer_mode": "T/M", "signer_authority": "BAN THƯỜNG VỤ", "signer_title": "", "signer_name": "",
        "recipients": "- Thường trực Tỉnh ủy (để báo cáo),\n- Lưu VT.",
    }, actor=actor)
    return url_for("plans.document_edit", document_id=doc.id)
