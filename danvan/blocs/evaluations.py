"""Yearly evaluations of a bloc or a member: the unit scores itself, the level above scores and rates."""
from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager, lazyload

from danvan.blocs.models import RATINGS, Bloc, BlocMember, Evaluation, EvaluationScore
from danvan.core import access, workflow
from danvan.core.models import by_name
from danvan.core.units import scope_root
from danvan.core.vntext import fmt_number, matches, now_utc, parse_decimal, today_local
from danvan.core.workflow import review_workflow
from danvan.extensions import db

from .criteria import applicable_set, rate
from .service import BlocError, current_members

EVALUATION_WORKFLOW = review_workflow(
    "bloc_evaluation",
    {"draft": "Đang tự đánh giá", "submitted": "Chờ cấp trên chấm", "returned": "Bị trả lại",
     "scored": "Đã chấm, xếp loại"},
    submit=("Gửi tự đánh giá lên cấp trên", "blocs.edit"), decide=("score", "Chấm điểm và xếp loại", "scored"),
    review_permission="blocs.evaluate", return_label="Trả lại để tự đánh giá lại",
    reopen=("Mở lại để chấm lại", "submitted"),
)


def load_evaluation_or_404(evaluation_id: int, user) -> Evaluation:
    return access.get_scoped_or_404(Evaluation, evaluation_id, user)


def create_evaluation(bloc: Bloc, year: int | None, member: BlocMember | None, *, actor) -> Evaluation:
    if year is None or not 2000 <= year <= today_local().year:
        raise BlocError(f"Năm đánh giá phải từ 2000 đến {today_local().year}.", "year")
    if member is not None and member.bloc_id != bloc.id:
        raise BlocError("Thành viên không thuộc khối này.", "member_id")
    subject = "member" if member is not None else "bloc"
    criteria_set = applicable_set(bloc.unit, subject, year)
    if criteria_set is None:
        raise BlocError(f"Chưa có bộ tiêu chí đánh giá {'thành viên' if member else 'khối'} áp dụng cho năm {year}.",
                        "year")
    key = f"m{member.id}" if member is not None else f"b{bloc.id}"
    existing = db.session.scalar(sa.select(Evaluation).where(Evaluation.subject_key == key, Evaluation.year == year))
    if existing is not None:
        raise BlocError(f"Đã có phiếu đánh giá năm {year} cho đối tượng này.", "year", 409)
    evaluation = Evaluation(unit_id=bloc.unit_id, bloc=bloc, member=member, subject_key=key, year=year,
                            criteria_set=criteria_set, state="draft")
    db.session.add(evaluation)
    for c in criteria_set.criteria:
        evaluation.scores.append(EvaluationScore(criterion=c))
    db.session.flush()
    return evaluation


def create_member_evaluations(bloc: Bloc, year: int | None, *, actor) -> int:
    """A sheet for every current member who has none for the year yet; returns how many were made."""
    members = current_members(bloc)
    existing = set(db.session.scalars(sa.select(Evaluation.member_id).where(
        Evaluation.bloc_id == bloc.id, Evaluation.year == year, Evaluation.member_id.is_not(None))))
    made = 0
    for member in members:
        if member.id not in existing:
            create_evaluation(bloc, year, member, actor=actor)
            made += 1
    return made


def _parse_scores(evaluation: Evaluation, raw: dict, *, required: bool) -> dict[int, Decimal | None]:
    out: dict[int, Decimal | None] = {}
    errors = []
    for s in evaluation.scores:
        text = (raw.get(f"score_{s.criterion_id}") or "").strip()
        try:
            value = parse_decimal(text)   # 8,5 and 1.234,5; 1e1, NaN, 8.5 refused
        except ValueError as exc:
            errors.append(f"Điểm tiêu chí {s.criterion.position} «{text[:20]}»: {exc}")
            continue
        if value is None:
            if required:
                errors.append(f"Chưa chấm tiêu chí {s.criterion.position}.")
            out[s.criterion_id] = None
            continue
        if value < 0:
            errors.append(f"Điểm tiêu chí {s.criterion.position} không được âm.")
        elif value > s.criterion.max_points:
            errors.append(f"Điểm tiêu chí {s.criterion.position} không được vượt quá điểm tối đa "
                          f"{fmt_number(float(s.criterion.max_points), 2).rstrip('0').rstrip(',')}.")
        elif value != value.quantize(Decimal("0.01")):
            errors.append(f"Điểm tiêu chí {s.criterion.position} chỉ lấy tối đa 2 chữ số thập phân.")
        else:
            out[s.criterion_id] = value
    if errors:
        raise BlocError(" ".join(errors), "scores")
    return out


def _total(values) -> Decimal | None:
    values = [v for v in values if v is not None]
    return sum(values, Decimal(0)) if values else None


def save_self(evaluation: Evaluation, raw: dict, comment: str, *, actor, submit: bool = False) -> None:
    if evaluation.state not in ("draft", "returned"):
        raise BlocError(f"Phiếu đang ở trạng thái «{evaluation.state_label}», không tự chấm được.", status=409)
    if not access.can(actor, "self_score", evaluation):
        raise BlocError("Chỉ đơn vị được đánh giá mới tự chấm điểm.", status=403)
    evaluation.check_version(raw.get("version"))
    values = _parse_scores(evaluation, raw, required=submit)
    for s in evaluation.scores:
        s.self_score = values.get(s.criterion_id)
    evaluation.self_total = _total(values.values())
    evaluation.self_comment = comment or ""
    db.session.flush()
    if submit:
        workflow.apply(EVALUATION_WORKFLOW, evaluation, "submit", actor=actor, validate=_validate_self)


def _validate_self(evaluation: Evaluation) -> list[str]:
    if any(s.self_score is None for s in evaluation.scores):
        return ["Cần tự chấm đủ các tiêu chí trước khi gửi."]
    return []


def open_actions(evaluation: Evaluation, user) -> dict:
    """What the sheet's page lets this user do now: self-score, score (the level above), return/reopen."""
    return {
        "self_open": access.can(user, "self_score", evaluation),
        "final_open": EVALUATION_WORKFLOW.allowed(EVALUATION_WORKFLOW.get("score"), evaluation, user),
        "others": [t for t in EVALUATION_WORKFLOW.available(evaluation, user) if t.name in ("return", "reopen")],
    }


def send_back(evaluation: Evaluation, name: str, comment: str, *, actor) -> None:
    """The level above returns a submitted sheet, or reopens a scored one (its rating is withdrawn)."""
    if name not in ("return", "reopen"):
        raise BlocError("Thao tác không hợp lệ.")
    workflow.apply(EVALUATION_WORKFLOW, evaluation, name, actor=actor, comment=comment)
    if name == "reopen":
        evaluation.rating = None


def save_final(evaluation: Evaluation, raw: dict, comment: str, *, actor) -> str:
    """The level above scores every criterion; the rating follows from the set's thresholds."""
    t = EVALUATION_WORKFLOW.get("score")
    if evaluation.state not in t.source:
        raise BlocError(f"Phiếu đang ở trạng thái «{evaluation.state_label}», chưa chấm được.", status=409)
    if not EVALUATION_WORKFLOW.allowed(t, evaluation, actor):
        raise BlocError("Chỉ cấp trên trực tiếp của đơn vị mới chấm điểm, xếp loại.", status=403)
    evaluation.check_version(raw.get("version"))
    values = _parse_scores(evaluation, raw, required=True)
    total = _total(values.values()) or Decimal(0)
    rating = rate(total, evaluation.criteria_set)
    for s in evaluation.scores:
        s.final_score = values[s.criterion_id]
    evaluation.final_total = total
    evaluation.rating = rating
    evaluation.final_comment = comment or ""
    evaluation.scored_by_id = actor.id
    evaluation.scored_at = now_utc()
    workflow.apply(EVALUATION_WORKFLOW, evaluation, "score", actor=actor)
    return rating


def evaluations_query(user, *, year: int | None = None, subject: str | None = None, rating: str | None = None,
                      q: str | None = None, bloc: Bloc | None = None) -> sa.Select:
    # The lists show the bloc's and the member's names: taken from the joins the filters use, without
    # the sheet's other eager joins (criteria set, units), which made the planner join 10 tables.
    stmt = access.scoped(sa.select(Evaluation).join(Bloc, Bloc.id == Evaluation.bloc_id)
                         .outerjoin(BlocMember, BlocMember.id == Evaluation.member_id)
                         .options(contains_eager(Evaluation.bloc).lazyload(Bloc.unit),
                                  contains_eager(Evaluation.member).lazyload(BlocMember.bloc),
                                  lazyload(Evaluation.criteria_set)), Evaluation.unit_id, user)
    if year:
        stmt = stmt.where(Evaluation.year == year)
    if subject == "bloc":
        stmt = stmt.where(Evaluation.member_id.is_(None))
    elif subject == "member":
        stmt = stmt.where(Evaluation.member_id.is_not(None))
    if rating == "none":
        stmt = stmt.where(Evaluation.rating.is_(None))
    elif rating == WAITING:
        stmt = stmt.where(_waiting(user))
    elif rating in RATINGS:
        stmt = stmt.where(Evaluation.rating == rating)
    if bloc is not None:
        stmt = stmt.where(Evaluation.bloc_id == bloc.id)
    if (found := matches(q, Bloc.name_key, BlocMember.name_key)) is not None:
        stmt = stmt.where(found)
    return stmt.order_by(Evaluation.year.desc(), by_name(Bloc), Evaluation.member_id.is_not(None),
                         by_name(BlocMember), Evaluation.id)


def default_year(user) -> int:
    """The year the evaluations list opens on: this year if it has sheets in the user's scope, else
    the latest year that has some (a new year opens empty for weeks), else this year."""
    this_year = today_local().year
    years = set(db.session.scalars(access.scoped(sa.select(Evaluation.year).distinct(),
                                                 Evaluation.unit_id, user)))
    if this_year in years or not years:
        return this_year
    past = [y for y in years if y < this_year]
    return max(past) if past else min(years)


def rating_counts_by_year(user, subject: str) -> dict[int, dict[str, int]]:
    """year → counts by rating in the user's scope ('none' = not yet scored): one GROUP BY, for the
    year's table and the chart of every year."""
    stmt = access.scoped(sa.select(Evaluation.year, Evaluation.rating, sa.func.count()), Evaluation.unit_id, user)
    stmt = stmt.where(Evaluation.member_id.is_(None) if subject == "bloc" else Evaluation.member_id.is_not(None))
    out: dict[int, dict[str, int]] = {}
    for year, rating, n in db.session.execute(stmt.group_by(Evaluation.year, Evaluation.rating)):
        out.setdefault(year, {})[rating or "none"] = int(n)
    return out



WAITING = "waiting"   # the list's filter "chờ tôi chấm điểm": the dashboard count links to it


def _waiting(user):
    """Submitted sheets of units strictly under the user's committee: the level above scores them."""
    root = scope_root(user.unit)
    return sa.and_(Evaluation.state == "submitted", Evaluation.unit_id != root.id, Evaluation.unit_id != user.unit_id)


def waiting_for_scoring(user) -> tuple[dict[str, int], int | None]:
    """The latest year with sheets waiting for the user's scoring, and how many of that year wait per
    subject ("bloc", "member"): the same rows as evaluations_query(rating=WAITING, subject=…, year=…)."""
    year = db.session.scalar(access.scoped(sa.select(sa.func.max(Evaluation.year)).where(_waiting(user)),
                                           Evaluation.unit_id, user))
    if year is None:
        return {}, None
    stmt = access.scoped(sa.select(Evaluation.member_id.is_(None), sa.func.count()).where(
        _waiting(user), Evaluation.year == year), Evaluation.unit_id, user).group_by(Evaluation.member_id.is_(None))
    return {("bloc" if is_bloc else "member"): int(n) for is_bloc, n in db.session.execute(stmt)}, year


def waiting_for_scoring_columns(user) -> dict[str, sa.ScalarSelect]:
    """`waiting_for_scoring` as scalar subqueries, for a statement that fetches other counts too (the
    dashboard): the latest year, and how many of that year wait per subject."""
    base = access.scoped(sa.select(sa.func.max(Evaluation.year)).where(_waiting(user)), Evaluation.unit_id, user)
    year = base.scalar_subquery()

    def of(subject_is_bloc: bool) -> sa.ScalarSelect:
        return base.with_only_columns(sa.func.count()).where(
            Evaluation.year == year, Evaluation.member_id.is_(None) if subject_is_bloc
            else Evaluation.member_id.is_not(None)).scalar_subquery()

    return {"waiting_year": year, "waiting_bloc": of(True), "waiting_member": of(False)}
