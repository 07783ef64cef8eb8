"""Rules of the khối dân vận cơ sở: roster rules, criteria sets, yearly evaluation and rating."""
from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

import sqlalchemy as sa
from flask import abort, current_app, has_app_context

from danvan.blocs.models import (
    POSITIONS,
    RATINGS,
    Bloc,
    BlocMember,
    CriteriaSet,
    Criterion,
    Evaluation,
    EvaluationScore,
)
from danvan.core import access, audit, workflow
from danvan.core.units import Unit, scope_root
from danvan.core.vntext import fmt_count, fmt_number, fold, like_pattern, now_utc, today_local
from danvan.core.workflow import ABOVE, SCOPE, Transition, Workflow
from danvan.extensions import db

__all__ = ["RATINGS", "POSITIONS"]

EVALUATION_WORKFLOW = Workflow(
    name="bloc_evaluation",
    states={"draft": "Đang tự đánh giá", "submitted": "Chờ cấp trên chấm", "returned": "Bị trả lại",
            "scored": "Đã chấm, xếp loại"},
    initial="draft",
    transitions=(
        Transition("submit", "Gửi tự đánh giá lên cấp trên", ("draft", "returned"), "submitted", "blocs.edit", SCOPE),
        Transition("score", "Chấm điểm và xếp loại", ("submitted",), "scored", "blocs.evaluate", ABOVE),
        Transition("return", "Trả lại để tự đánh giá lại", ("submitted",), "returned", "blocs.evaluate", ABOVE,
                   comment_required=True, style="danger", validate=False),
        Transition("reopen", "Mở lại để chấm lại", ("scored",), "submitted", "blocs.evaluate", ABOVE,
                   comment_required=True, style="danger", validate=False),
    ),
    final=frozenset({"scored"}),
)


class BlocError(Exception):
    def __init__(self, message: str, field: str | None = None, status: int = 422):
        super().__init__(message)
        self.message = message
        self.field = field
        self.status = status


# ---------------------------------------------------------------- configuration (provinces differ)


def rules() -> dict:
    cfg = current_app.config if has_app_context() else {}
    return {
        "min": int(cfg.get("BLOC_MIN_MEMBERS", 7)),
        "max": int(cfg.get("BLOC_MAX_MEMBERS", 13)),
        "heads": tuple(cfg.get("BLOC_HEAD_POSITIONS", ("bi_thu", "pho_bi_thu"))),
    }


# ---------------------------------------------------------------- blocs and rosters


def load_bloc_or_404(bloc_id: int, user) -> Bloc:
    return access.get_scoped_or_404(Bloc, bloc_id, user)


def load_member_or_404(member_id: int, user) -> BlocMember:
    return access.get_scoped_or_404(BlocMember, member_id, user)


def _current(on: date):
    """Members on a day: to_date is the day they left (exclusive), so ending a member today removes them today."""
    return sa.and_(BlocMember.from_date <= on, sa.or_(BlocMember.to_date.is_(None), BlocMember.to_date > on))


def current_counts_subquery(on: date):
    return (sa.select(BlocMember.bloc_id, sa.func.count().label("members"))
            .where(_current(on)).group_by(BlocMember.bloc_id).subquery("counts"))


def blocs_query(user, *, q: str | None = None, state: str | None = None, on: date | None = None) -> sa.Select:
    """Blocs in scope with their current member count, one query per page."""
    counts = current_counts_subquery(on or today_local())
    stmt = (sa.select(Bloc, sa.func.coalesce(counts.c.members, 0))
            .outerjoin(counts, counts.c.bloc_id == Bloc.id).join(Unit, Unit.id == Bloc.unit_id))
    stmt = access.scoped(stmt, Bloc.unit_id, user)
    pattern = like_pattern(q)
    if pattern:
        stmt = stmt.where(Bloc.name_key.like(pattern, escape="\\"))
    if state == "flagged":
        stmt = stmt.where(Bloc.flag_reasons != "")
    elif state in ("draft", "confirmed"):
        stmt = stmt.where(Bloc.roster_state == state)
    return stmt.order_by(Unit.path)


def province_totals(root: Unit, on: date | None = None) -> dict:
    """«108 khối, 1.265 thành viên»: blocs and current members under root, one query."""
    on = on or today_local()
    in_root = sa.select(Unit.id).where(Unit.path.startswith(root.path, autoescape=True))
    blocs = sa.select(sa.func.count()).select_from(Bloc).where(Bloc.unit_id.in_(in_root)).scalar_subquery()
    flagged = (sa.select(sa.func.count()).select_from(Bloc)
               .where(Bloc.unit_id.in_(in_root), Bloc.flag_reasons != "").scalar_subquery())
    members = (sa.select(sa.func.count()).select_from(BlocMember)
               .where(BlocMember.unit_id.in_(in_root), _current(on)).scalar_subquery())
    b, m, f = db.session.execute(sa.select(blocs, members, flagged)).one()
    return {"blocs": int(b), "members": int(m), "flagged": int(f),
            "text": f"{fmt_number(b)} khối, {fmt_number(m)} thành viên"}


def current_members(bloc: Bloc, on: date | None = None) -> list[BlocMember]:
    on = on or today_local()
    return list(db.session.scalars(sa.select(BlocMember).where(BlocMember.bloc_id == bloc.id, _current(on))
                                   .order_by(BlocMember.is_head.desc(), BlocMember.from_date, BlocMember.id)))


def past_members(bloc: Bloc, on: date | None = None) -> list[BlocMember]:
    on = on or today_local()
    return list(db.session.scalars(sa.select(BlocMember).where(BlocMember.bloc_id == bloc.id, ~_current(on))
                                   .order_by(BlocMember.to_date.desc(), BlocMember.id)))


def roster_problems(members: list[BlocMember]) -> list[str]:
    """Why a roster breaks the rules (empty list: it follows them)."""
    r = rules()
    problems = []
    n = len(members)
    if n < r["min"]:
        problems.append(f"Khối mới có {fmt_count(n)} thành viên; cần tối thiểu {fmt_count(r['min'])} thành viên.")
    if n > r["max"]:
        problems.append(f"Khối có {fmt_count(n)} thành viên, vượt quá tối đa {fmt_count(r['max'])} thành viên.")
    heads = [m for m in members if m.is_head]
    allowed = " hoặc ".join(POSITIONS[p] for p in r["heads"] if p in POSITIONS)
    if not heads:
        problems.append(f"Chưa có Trưởng khối (phải là {allowed}).")
    elif len(heads) > 1:
        problems.append(f"Có {len(heads)} người được ghi là Trưởng khối; mỗi khối chỉ có một Trưởng khối.")
    for head in heads:
        if head.position not in r["heads"]:
            problems.append(f"Trưởng khối phải là {allowed}; {head.full_name} đang giữ chức vụ "
                            f"«{head.position_label}».")
    return problems


def refresh_flags(bloc: Bloc, *, actor=None) -> list[str]:
    """Re-check the roster after any change: a roster breaking the rules falls back to draft."""
    db.session.flush()
    problems = roster_problems(current_members(bloc))
    text = "\n".join(problems)
    if text != (bloc.flag_reasons or ""):
        bloc.flag_reasons = text
    if problems and bloc.roster_state == "confirmed":
        bloc.roster_state = "draft"
        audit.record(actor, "roster_flagged", bloc, {"roster_state": ("confirmed", "draft")})
    db.session.flush()
    return problems


def confirm_roster(bloc: Bloc, *, actor) -> None:
    problems = refresh_flags(bloc, actor=actor)
    if problems:
        raise BlocError("Danh sách chỉ được lưu ở dạng bản nháp vì chưa đúng quy định: " + " ".join(problems))
    bloc.roster_state = "confirmed"
    bloc.confirmed_at = now_utc()
    audit.record(actor, "roster_confirmed", bloc, {"roster_state": ("draft", "confirmed")})
    db.session.flush()


def _member_fields(member: BlocMember, data: dict) -> None:
    if data.get("position") not in POSITIONS:
        raise BlocError("Chọn chức vụ trong danh sách.", "position")
    if data.get("from_date") is None:
        raise BlocError("Nhập ngày bắt đầu tham gia khối.", "from_date")
    if data.get("to_date") is not None and data["to_date"] < data["from_date"]:
        raise BlocError("Ngày thôi tham gia không được trước ngày bắt đầu.", "to_date")
    member.full_name = data["full_name"]
    member.name_key = fold(data["full_name"])
    member.position = data["position"]
    member.title = data.get("title") or ""
    member.is_head = bool(data.get("is_head"))
    member.from_date = data["from_date"]
    member.to_date = data.get("to_date")
    member.phone = data.get("phone") or ""


def add_member(bloc: Bloc, data: dict, *, actor) -> tuple[BlocMember, list[str]]:
    member = BlocMember(bloc=bloc, unit_id=bloc.unit_id)
    _member_fields(member, data)
    db.session.add(member)
    return member, refresh_flags(bloc, actor=actor)


def update_member(member: BlocMember, data: dict, *, actor) -> list[str]:
    member.check_version(data.get("version"))
    _member_fields(member, data)
    return refresh_flags(member.bloc, actor=actor)


def end_member(member: BlocMember, on: date, *, actor) -> list[str]:
    if member.to_date is not None and member.to_date <= on:
        raise BlocError("Thành viên này đã thôi tham gia khối.", status=409)
    member.to_date = max(on, member.from_date)
    return refresh_flags(member.bloc, actor=actor)


# ---------------------------------------------------------------- criteria sets


def visible_sets_condition(user):
    root = scope_root(user.unit)
    return sa.or_(CriteriaSet.unit_id.in_(root.ancestor_ids or [0]), CriteriaSet.unit_id.in_(access.scope_ids(user)))


def sets_query(user) -> sa.Select:
    return (sa.select(CriteriaSet).where(visible_sets_condition(user))
            .order_by(CriteriaSet.subject, CriteriaSet.year_from.desc(), CriteriaSet.id.desc()))


def load_set_or_404(set_id: int, user) -> CriteriaSet:
    row = db.session.scalar(sa.select(CriteriaSet).where(CriteriaSet.id == set_id, visible_sets_condition(user)))
    if row is None:
        abort(404)
    return row


def parse_criteria(text: str) -> list[tuple[str, Decimal]]:
    """One criterion per line: «Nội dung | điểm tối đa». The maxima must add up to 100."""
    out = []
    for n, raw in enumerate((text or "").splitlines(), 1):
        line = raw.strip()
        if not line:
            continue
        if "|" not in line:
            raise BlocError(f"Dòng {n}: viết theo dạng «Nội dung tiêu chí | điểm tối đa».", "criteria")
        title, _, points = line.rpartition("|")
        title = title.strip()
        try:
            value = Decimal(points.strip().replace(",", "."))
        except InvalidOperation:
            raise BlocError(f"Dòng {n}: điểm tối đa «{points.strip()}» không phải là số.", "criteria") from None
        if not title:
            raise BlocError(f"Dòng {n}: thiếu nội dung tiêu chí.", "criteria")
        if len(title) > 500:
            raise BlocError(f"Dòng {n}: nội dung tiêu chí tối đa 500 ký tự.", "criteria")
        if not (0 < value <= 100) or value != value.quantize(Decimal("0.01")):
            raise BlocError(f"Dòng {n}: điểm tối đa phải lớn hơn 0, không quá 100, tối đa 2 chữ số thập phân.",
                            "criteria")
        out.append((title, value))
    if not out:
        raise BlocError("Nhập ít nhất một tiêu chí.", "criteria")
    total = sum(v for _, v in out)
    if total != 100:
        raise BlocError(f"Tổng điểm tối đa các tiêu chí phải bằng 100 (hiện là {fmt_number(float(total), 2)}).",
                        "criteria")
    return out


def _check_thresholds(data: dict) -> None:
    ex, good, ok = data.get("excellent_min"), data.get("good_min"), data.get("pass_min")
    if None in (ex, good, ok) or not (0 <= ok < good < ex <= 100):
        raise BlocError("Ngưỡng xếp loại phải tăng dần: 0 ≤ «Hoàn thành» < «Hoàn thành tốt» < «Xuất sắc» ≤ 100.",
                        "excellent_min")


def save_set(unit: Unit, row: CriteriaSet | None, data: dict, *, actor) -> CriteriaSet:
    _check_thresholds(data)
    if data.get("subject") not in ("bloc", "member"):
        raise BlocError("Chọn đối tượng áp dụng.", "subject")
    lines = parse_criteria(data.get("criteria") or "")
    if row is None:
        row = CriteriaSet(unit=unit)
        db.session.add(row)
    else:
        row.check_version(data.get("version"))
    used = row.id is not None and db.session.scalar(
        sa.select(sa.func.count()).select_from(Evaluation).where(Evaluation.set_id == row.id))
    current = [(c.title, c.max_points) for c in row.criteria]
    if used and [(t, Decimal(v)) for t, v in current] != lines:
        raise BlocError("Bộ tiêu chí đã được dùng để đánh giá nên không sửa được các tiêu chí; "
                        "hãy tạo bộ tiêu chí mới cho năm sau.", "criteria", 409)
    row.name = data["name"]
    row.subject = data["subject"]
    row.year_from = data["year_from"]
    row.excellent_min, row.good_min, row.pass_min = data["excellent_min"], data["good_min"], data["pass_min"]
    row.active = bool(data.get("active", True))
    if not used:
        row.criteria.clear()
        db.session.flush()
        for i, (title, points) in enumerate(lines, 1):
            row.criteria.append(Criterion(position=i, title=title, max_points=points))
    db.session.flush()
    return row


def applicable_set(unit: Unit, subject: str, year: int) -> CriteriaSet | None:
    return db.session.scalar(
        sa.select(CriteriaSet).where(CriteriaSet.subject == subject, CriteriaSet.active.is_(True),
                                     CriteriaSet.year_from <= year,
                                     CriteriaSet.unit_id.in_(unit.ancestor_ids or [0]))
        .order_by(CriteriaSet.year_from.desc(), CriteriaSet.id.desc()).limit(1))


# ---------------------------------------------------------------- rating


def rate(total: Decimal | float | int, criteria_set: CriteriaSet) -> str:
    """Rating key for a total in [0, 100]; anything outside is refused."""
    total = Decimal(str(total))
    if total < 0 or total > 100:
        raise BlocError("Tổng điểm phải từ 0 đến 100.", "scores")
    if total >= criteria_set.excellent_min:
        return "xuat_sac"
    if total >= criteria_set.good_min:
        return "tot"
    if total >= criteria_set.pass_min:
        return "hoan_thanh"
    return "khong"


# ---------------------------------------------------------------- evaluations


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
        text = (raw.get(f"score_{s.criterion_id}") or "").strip().replace(",", ".")
        if not text:
            if required:
                errors.append(f"Chưa chấm tiêu chí {s.criterion.position}.")
            out[s.criterion_id] = None
            continue
        try:
            value = Decimal(text)
        except InvalidOperation:
            value = Decimal("NaN")
        if not value.is_finite():   # Decimal also reads "NaN" and "Infinity"
            errors.append(f"Điểm tiêu chí {s.criterion.position} «{text[:20]}» không phải là số.")
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


def own_unit(user, evaluation: Evaluation) -> bool:
    return scope_root(user.unit).id == evaluation.unit_id


def save_self(evaluation: Evaluation, raw: dict, comment: str, *, actor, submit: bool = False) -> None:
    if evaluation.state not in ("draft", "returned"):
        raise BlocError(f"Phiếu đang ở trạng thái «{evaluation.state_label}», không tự chấm được.", status=409)
    if not own_unit(actor, evaluation):
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
    stmt = access.scoped(sa.select(Evaluation).join(Bloc, Bloc.id == Evaluation.bloc_id)
                         .outerjoin(BlocMember, BlocMember.id == Evaluation.member_id), Evaluation.unit_id, user)
    if year:
        stmt = stmt.where(Evaluation.year == year)
    if subject == "bloc":
        stmt = stmt.where(Evaluation.member_id.is_(None))
    elif subject == "member":
        stmt = stmt.where(Evaluation.member_id.is_not(None))
    if rating == "none":
        stmt = stmt.where(Evaluation.rating.is_(None))
    elif rating in RATINGS:
        stmt = stmt.where(Evaluation.rating == rating)
    if bloc is not None:
        stmt = stmt.where(Evaluation.bloc_id == bloc.id)
    pattern = like_pattern(q)
    if pattern:
        stmt = stmt.where(sa.or_(Bloc.name_key.like(pattern, escape="\\"),
                                 BlocMember.name_key.like(pattern, escape="\\")))
    return stmt.order_by(Evaluation.year.desc(), Bloc.name_key, Evaluation.member_id.is_not(None), BlocMember.name_key)


def rating_counts(user, year: int, subject: str) -> dict[str, int]:
    """Counts by rating in the user's scope ('none' = not yet scored): one GROUP BY."""
    stmt = access.scoped(sa.select(Evaluation.rating, sa.func.count()).where(Evaluation.year == year),
                         Evaluation.unit_id, user)
    stmt = stmt.where(Evaluation.member_id.is_(None) if subject == "bloc" else Evaluation.member_id.is_not(None))
    return {(r or "none"): int(n) for r, n in db.session.execute(stmt.group_by(Evaluation.rating))}


def rating_counts_for(root: Unit, year: int, subject: str) -> dict[str, int]:
    in_root = sa.select(Unit.id).where(Unit.path.startswith(root.path, autoescape=True))
    stmt = (sa.select(Evaluation.rating, sa.func.count())
            .where(Evaluation.year == year, Evaluation.unit_id.in_(in_root), Evaluation.rating.is_not(None),
                   Evaluation.member_id.is_(None) if subject == "bloc" else Evaluation.member_id.is_not(None))
            .group_by(Evaluation.rating))
    return {r: int(n) for r, n in db.session.execute(stmt)}


def waiting_for_scoring(user) -> tuple[int, int | None]:
    """Submitted evaluations of units strictly under the user's committee (the level above scores):
    how many, and the latest year among them."""
    root = scope_root(user.unit)
    stmt = access.scoped(sa.select(sa.func.count(), sa.func.max(Evaluation.year)).select_from(Evaluation)
                         .where(Evaluation.state == "submitted", Evaluation.unit_id != root.id,
                                Evaluation.unit_id != user.unit_id), Evaluation.unit_id, user)
    count, year = db.session.execute(stmt).one()
    return int(count or 0), year
