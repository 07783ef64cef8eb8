"""The evaluation sheet (phiếu đánh giá) as a Party-format PDF, from plain data."""
from __future__ import annotations

from decimal import Decimal

from danvan.blocs.models import RATINGS, Evaluation
from danvan.core.units import Unit
from danvan.core.vntext import fmt_number


def _points(value: Decimal | None) -> str:
    if value is None:
        return ""
    text = fmt_number(float(value), 2)
    return text.rstrip("0").rstrip(",") if "," in text else text


def sheet_data(evaluation: Evaluation) -> dict:
    bloc = evaluation.bloc
    commune: Unit = bloc.unit
    above = commune.parent
    subject = (f"{evaluation.member.full_name} — {evaluation.member.position_label}"
               if evaluation.member is not None else bloc.name)
    rows = [
        {"no": s.criterion.position, "title": s.criterion.title, "max": _points(s.criterion.max_points),
         "self": _points(s.self_score), "final": _points(s.final_score)}
        for s in sorted(evaluation.scores, key=lambda s: s.criterion.position)
    ]
    cs = evaluation.criteria_set
    return {
        "superior": (above.name if above is not None else "").upper(),
        "issuer": f"ĐẢNG ỦY {commune.name}".upper(),
        "issuer_code": "ĐU",
        "place": "",
        "kind": "PHIẾU ĐÁNH GIÁ, XẾP LOẠI",
        "summary": (f"{'thành viên ' if evaluation.member is not None else ''}khối dân vận cơ sở năm "
                    f"{evaluation.year}"),
        "subject": subject,
        "bloc_name": bloc.name,
        "set_name": cs.name,
        "rows": rows,
        "self_total": _points(evaluation.self_total),
        "final_total": _points(evaluation.final_total),
        "rating": RATINGS.get(evaluation.rating or "", "Chưa xếp loại"),
        "thresholds": (f"Hoàn thành xuất sắc từ {_points(cs.excellent_min)} điểm; hoàn thành tốt từ "
                       f"{_points(cs.good_min)} đến dưới {_points(cs.excellent_min)}; hoàn thành từ "
                       f"{_points(cs.pass_min)} đến dưới {_points(cs.good_min)}; không hoàn thành dưới "
                       f"{_points(cs.pass_min)} điểm."),
        "self_comment": evaluation.self_comment,
        "final_comment": evaluation.final_comment,
        "state": evaluation.state_label,
    }


def response(evaluation: Evaluation):
    from danvan.printing import pdf_response, render_pdf

    data = sheet_data(evaluation)
    pdf = render_pdf("print/bloc_evaluation.html", **data)
    return pdf_response(pdf, f"phieu-danh-gia-{evaluation.year}-{evaluation.id}.pdf")
