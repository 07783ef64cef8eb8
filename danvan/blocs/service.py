"""Khối dân vận cơ sở: the configured roster rules, blocs and their members over time, the figures other
features read (province_totals, rating_counts_for). Criteria sets: criteria.py; evaluations: evaluations.py."""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask import current_app, has_app_context
from sqlalchemy.orm import aliased, lazyload

from danvan.blocs.models import POSITIONS, RATINGS, Bloc, BlocMember, Evaluation
from danvan.core import access, audit
from danvan.core.errors import ServiceError
from danvan.core.models import by_name
from danvan.core.units import Unit
from danvan.core.vntext import fmt_count, fmt_number, fold, matches, now_utc, today_local
from danvan.extensions import db

__all__ = ["RATINGS", "POSITIONS"]


class BlocError(ServiceError):
    """Refused input: message for the user, field, HTTP status."""


# ---------------------------------------------------------------- configuration (provinces differ)


def rules() -> dict:
    cfg = current_app.config if has_app_context() else {}
    return {
        "min": int(cfg.get("BLOC_MIN_MEMBERS", 7)),
        "max": int(cfg.get("BLOC_MAX_MEMBERS", 13)),
        "heads": tuple(cfg.get("BLOC_HEAD_POSITIONS", ("bi_thu", "pho_bi_thu"))),
    }


# ---------------------------------------------------------------- blocs and rosters


def load_bloc_or_404(bloc_id: int, user, *, may: str | None = None) -> Bloc:
    return access.get_scoped_or_404(Bloc, bloc_id, user, may=may)


def load_member_or_404(member_id: int, user, *, may: str | None = None) -> BlocMember:
    return access.get_scoped_or_404(BlocMember, member_id, user, may=may)


def _current(on: date):
    """Members on a day: to_date is the day they left (exclusive), so ending a member today removes them today."""
    return sa.and_(BlocMember.from_date <= on, sa.or_(BlocMember.to_date.is_(None), BlocMember.to_date > on))


def current_counts_subquery(on: date):
    return (sa.select(BlocMember.bloc_id, sa.func.count().label("members"))
            .where(_current(on)).group_by(BlocMember.bloc_id).subquery("counts"))


def blocs_query(user, *, q: str | None = None, state: str | None = None, on: date | None = None) -> sa.Select:
    """Rows (bloc, current member count, name of the commune's parent unit) in scope: one query per
    page, whatever the blocs and parents on it (the bloc's own unit is not loaded: the list shows none of it)."""
    counts = current_counts_subquery(on or today_local())
    parent = aliased(Unit)
    stmt = (sa.select(Bloc, sa.func.coalesce(counts.c.members, 0), parent.name)
            .outerjoin(counts, counts.c.bloc_id == Bloc.id).join(Unit, Unit.id == Bloc.unit_id)
            .outerjoin(parent, parent.id == Unit.parent_id).options(lazyload(Bloc.unit)))
    stmt = access.scoped(stmt, Bloc.unit_id, user)
    if (found := matches(q, Bloc.name_key)) is not None:
        stmt = stmt.where(found)
    if state == "flagged":
        stmt = stmt.where(Bloc.flag_reasons != "")
    elif state in ("draft", "confirmed"):
        stmt = stmt.where(Bloc.roster_state == state)
    return stmt.order_by(by_name(Bloc), Bloc.id)


def totals_columns(root: Unit, on: date | None = None) -> dict[str, sa.ScalarSelect]:
    """Blocs, current members and flagged blocs under root, as scalar subqueries (one statement
    fetches them, with other figures of a page if it likes)."""
    on = on or today_local()
    in_root = sa.select(Unit.id).where(Unit.path.startswith(root.path, autoescape=True))
    blocs = sa.select(sa.func.count()).select_from(Bloc).where(Bloc.unit_id.in_(in_root)).scalar_subquery()
    flagged = (sa.select(sa.func.count()).select_from(Bloc)
               .where(Bloc.unit_id.in_(in_root), Bloc.flag_reasons != "").scalar_subquery())
    members = (sa.select(sa.func.count()).select_from(BlocMember)
               .where(BlocMember.unit_id.in_(in_root), _current(on)).scalar_subquery())
    return {"blocs": blocs, "members": members, "flagged": flagged}


def totals_of(blocs: int, members: int, flagged: int) -> dict:
    b, m, f = int(blocs or 0), int(members or 0), int(flagged or 0)
    return {"blocs": b, "members": m, "flagged": f, "text": f"{fmt_number(b)} khối, {fmt_number(m)} thành viên"}


def province_totals(root: Unit, on: date | None = None) -> dict:
    """«108 khối, 1.265 thành viên»: blocs and current members under root, one query."""
    return totals_of(*db.session.execute(sa.select(*totals_columns(root, on).values())).one())


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
    if problems and bloc.roster_confirmed:
        bloc.roster_state = "draft"
        audit.record(actor, "roster_flagged", bloc, {"roster_state": ("confirmed", "draft")})
    db.session.flush()
    return problems


def unconfirmed(bloc: Bloc, problems: list[str]) -> bool:
    """The roster still needs (re)confirming: never confirmed, or breaking the rules as they stand today."""
    return not bloc.roster_confirmed or bool(problems)


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


# ---------------------------------------------------------------- laying down a bloc


def bloc_of(unit: Unit) -> Bloc | None:
    return db.session.scalar(sa.select(Bloc).where(Bloc.unit_id == unit.id))


def units_without_bloc(user) -> list[Unit]:
    """Open communes in the user's scope that have no bloc yet, in tree order (the picker of the new-bloc form)."""
    from danvan.core.policies.blocs import BLOC_UNIT_KINDS

    stmt = (sa.select(Unit).where(Unit.kind.in_(BLOC_UNIT_KINDS), Unit.valid_to.is_(None),
                                  ~sa.exists().where(Bloc.unit_id == Unit.id)).order_by(Unit.path))
    return list(db.session.scalars(access.scoped(stmt, Unit.id, user)))


def predecessor_blocs(unit: Unit) -> list[Bloc]:
    """The blocs of the units merged into `unit` (empty when it was not formed by a merge)."""
    return list(db.session.scalars(sa.select(Bloc).join(Unit, Unit.id == Bloc.unit_id)
                                   .where(Unit.successor_id == unit.id).order_by(Unit.path)))


def create_bloc(unit: Unit, data: dict, *, actor) -> tuple[Bloc, int]:
    """A new bloc for an open commune (the caller asked `can(actor, "create_bloc", unit)`). With
    `copy_members`, the current members of the merged units' blocs join it from the merge day and leave
    the old blocs that day, so each old roster keeps its history. Returns the bloc and how many were copied."""
    if bloc_of(unit) is not None:
        raise BlocError(f"{unit.name} đã có khối dân vận.", "unit_id", 409)
    old_blocs = predecessor_blocs(unit) if data.get("copy_members") else []
    if data.get("copy_members") and not old_blocs:
        raise BlocError(f"{unit.name} không hình thành từ sáp nhập đơn vị có khối dân vận; "
                        "không có thành viên để chép.", "copy_members")
    name = (data.get("name") or "").strip() or f"Khối dân vận {unit.name}"
    # a bloc made from the old rosters takes over on the merge day unless told otherwise
    bloc = Bloc(unit=unit, name=name, name_key=fold(name), roster_state="draft",
                established_on=data.get("established_on") or (unit.valid_from if old_blocs else today_local()))
    db.session.add(bloc)
    db.session.flush()
    copied = 0
    since = bloc.established_on
    for old in old_blocs:
        for m in current_members(old, since):
            db.session.add(BlocMember(bloc=bloc, unit_id=unit.id, full_name=m.full_name, name_key=m.name_key,
                                      position=m.position, title=m.title, is_head=m.is_head, from_date=since,
                                      phone=m.phone))
            m.to_date = max(since, m.from_date)
            copied += 1
        audit.record(actor, "members_copied", bloc, {"from_bloc": (old.name, bloc.name)})
    refresh_flags(bloc, actor=actor)
    return bloc, copied


def rating_counts_for(root: Unit, year: int, subject: str) -> dict[str, int]:
    in_root = sa.select(Unit.id).where(Unit.path.startswith(root.path, autoescape=True))
    stmt = (sa.select(Evaluation.rating, sa.func.count())
            .where(Evaluation.year == year, Evaluation.unit_id.in_(in_root), Evaluation.rating.is_not(None),
                   Evaluation.member_id.is_(None) if subject == "bloc" else Evaluation.member_id.is_not(None))
            .group_by(Evaluation.rating))
    return {r: int(n) for r, n in db.session.execute(stmt)}
