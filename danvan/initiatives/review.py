"""Reviewing registrations: scoring against the province's criteria, exemplary models and the
numbered decision (QĐ) recognising a batch."""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from danvan.core import access, audit, numbering, workflow
from danvan.core.models import by_name
from danvan.core.vntext import now_utc, today_local
from danvan.core.workflow import ABOVE
from danvan.extensions import db
from danvan.initiatives.config import InitiativeError, criteria_of, province_of
from danvan.initiatives.models import (
    Initiative,
    InitiativeRecognition,
    InitiativeScore,
)
from danvan.initiatives.registration import WORKFLOW, mirror_state


def problems_to_recognise(obj: Initiative) -> list[str]:
    if obj.total_score is None:
        return [f"«{obj.name}» chưa được chấm điểm."]
    return []


def scores_of(obj: Initiative) -> dict[int, int]:
    return dict(db.session.execute(sa.select(InitiativeScore.criterion_id, InitiativeScore.score)
                                   .where(InitiativeScore.initiative_id == obj.id)).all())


def score(obj: Initiative, values: dict[int, int | None], *, actor) -> int:
    """Score against the province's criteria; every criterion between 0 and its maximum."""
    if not access.can(actor, "review", obj):
        raise InitiativeError("Chỉ lãnh đạo cấp trên của đơn vị đăng ký được chấm điểm.", status=403)
    if not access.can(actor, "score", obj):
        raise InitiativeError(f"Chỉ chấm điểm đăng ký đã gửi hoặc đã tiếp nhận (đang: «{obj.state_label}»).",
                              status=409)
    criteria = criteria_of(province_of(obj.unit).id)
    errors = []
    for c in criteria:
        v = values.get(c.id)
        if v is None:
            errors.append(f"Chưa nhập điểm «{c.name}».")
        elif not 0 <= v <= c.max_score:
            errors.append(f"Điểm «{c.name}» phải từ 0 đến {c.max_score}.")
    if errors:
        raise InitiativeError(" ".join(errors))
    existing = {s.criterion_id: s for s in db.session.scalars(
        sa.select(InitiativeScore).where(InitiativeScore.initiative_id == obj.id))}
    before = obj.total_score
    for c in criteria:
        row = existing.get(c.id)
        if row is None:
            db.session.add(InitiativeScore(initiative_id=obj.id, criterion_id=c.id, score=values[c.id],
                                           scored_by_id=actor.id))
        else:
            row.score, row.scored_by_id, row.scored_at = values[c.id], actor.id, now_utc()
    obj.total_score = sum(values[c.id] for c in criteria)
    audit.record(actor, "score", obj, {"total_score": (before, obj.total_score)})
    db.session.flush()
    return obj.total_score


def set_exemplary(obj: Initiative, value: bool, *, actor) -> None:
    if not access.can(actor, "review", obj):
        raise InitiativeError("Chỉ lãnh đạo cấp trên được chọn mô hình tiêu biểu.", status=403)
    if value and not access.can(actor, "mark_exemplary", obj):
        raise InitiativeError("Chỉ mô hình đã công nhận mới được chọn là tiêu biểu.", status=409)
    obj.exemplary = value
    db.session.flush()


def recognisable(actor, year: int) -> list[Initiative]:
    stmt = access.scoped(sa.select(Initiative).where(Initiative.year == year, Initiative.state == "accepted"),
                         Initiative.unit_id, actor)
    return [o for o in db.session.scalars(stmt.order_by(Initiative.unit_id, by_name(Initiative), Initiative.id))
            if workflow.relation_holds(ABOVE, actor, o.unit)]


def recognise(actor, ids: list[int], *, year: int, decided_on: date, title: str) -> InitiativeRecognition:
    """One decision (Quyết định, numbered QĐ by the actor's committee) recognising a batch."""
    if not access.has_permission(actor, "initiatives.review"):
        raise InitiativeError("Bạn không có quyền công nhận.", status=403)
    if not ids:
        raise InitiativeError("Chọn ít nhất một mô hình để công nhận.", "initiative_ids")
    title = (title or "").strip() or f"Quyết định công nhận mô hình, điển hình «Dân vận khéo» năm {year}"
    if len(title) > 300:
        raise InitiativeError("Trích yếu tối đa 300 ký tự.", "title")
    if decided_on > today_local():
        raise InitiativeError("Ngày quyết định không được sau hôm nay.", "decided_on")
    rows = list(db.session.scalars(access.scoped(
        sa.select(Initiative).where(Initiative.id.in_(ids)), Initiative.unit_id, actor)))
    if len(rows) != len(set(ids)):
        raise InitiativeError("Có mô hình không tồn tại hoặc nằm ngoài phạm vi của bạn.", "initiative_ids",
                              status=404)
    problems = []
    for obj in rows:
        if obj.year != year:
            problems.append(f"«{obj.name}» đăng ký năm {obj.year}, không phải năm {year}.")
        elif obj.state != "accepted":
            problems.append(f"«{obj.name}» đang ở trạng thái «{obj.state_label}», chưa thể công nhận.")
        else:
            problems.extend(problems_to_recognise(obj))
    if problems:
        raise InitiativeError(" ".join(problems), "initiative_ids", status=409)
    issuer = actor.scope
    number = numbering.next_number(issuer.id, "QĐ", decided_on.year)
    decision = InitiativeRecognition(unit_id=issuer.id, year=year, number=number,
                                     number_text=numbering.format_number(number, "QĐ", issuer.code or "ĐU"),
                                     decided_on=decided_on, title=title, created_by_id=actor.id)
    db.session.add(decision)
    db.session.flush()
    for obj in rows:
        workflow.apply(WORKFLOW, obj, "recognise", actor=actor, comment=f"Quyết định số {decision.number_text}",
                       validate=problems_to_recognise)
        obj.recognition_id = decision.id
        mirror_state(obj)
    db.session.flush()
    return decision
