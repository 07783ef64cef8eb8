"""Registering a model (mô hình, điển hình): the form's rules, the workflow up to acceptance,
the model's line through the years, the calls it answers, and moving open work on unit merges."""
from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa

from danvan import calls
from danvan.core import access, workflow
from danvan.core.errors import checked_text
from danvan.core.htmx import link
from danvan.core.models import by_name
from danvan.core.units import Unit, scope_root, tree_order
from danvan.core.vntext import fold, now_utc
from danvan.core.workflow import ABOVE, SCOPE, Transition, TransitionError, Workflow
from danvan.extensions import db
from danvan.initiatives.config import REGISTERING_KINDS, InitiativeError, province_of
from danvan.initiatives.models import (
    STATES,
    Initiative,
    InitiativeField,
    InitiativeKind,
)
from danvan.notifications import service as notifications

WORKFLOW = Workflow(
    name="initiative",
    states=STATES,
    initial="draft",
    transitions=(
        Transition("submit", "Gửi đăng ký", ("draft", "returned"), "submitted", "initiatives.edit", SCOPE),
        Transition("return", "Trả lại để sửa", ("submitted", "accepted"), "returned", "initiatives.review",
                   ABOVE, comment_required=True, style="danger", validate=False),
        Transition("accept", "Tiếp nhận", ("submitted",), "accepted", "initiatives.review", ABOVE),
        Transition("recognise", "Công nhận", ("accepted",), "recognised", "initiatives.review", ABOVE),
    ),
    final=frozenset({"recognised"}),
)
# Transitions taken from the registration page (recognition is a batch with a decision).
PAGE_TRANSITIONS = ("submit", "return", "accept")



def registrable_units(actor) -> list[Unit]:
    """Units the actor may register for: their committee and every open unit below it."""
    root = actor.scope
    return tree_order(db.session.scalars(access.scoped(
        sa.select(Unit).where(Unit.kind.in_(REGISTERING_KINDS), Unit.valid_to.is_(None)), Unit.id, actor))) or [root]


TEXT_FIELDS = {
    "situation": "Thực trạng, lý do",
    "goals": "Mục tiêu, tiêu chí",
    "content": "Nội dung, cách thức thực hiện",
    "area": "Địa bàn, đối tượng",
    "forces": "Lực lượng thực hiện",
    "resources": "Nguồn lực",
    "expected_results": "Kết quả dự kiến",
    "sustain": "Cách thức duy trì, nhân rộng",
}
REQUIRED_TO_SUBMIT = ("situation", "goals", "content", "area", "forces", "expected_results", "sustain")


def search_key_for(name: str, organisation: str, unit: Unit, field_: InitiativeField) -> str:
    return fold(f"{name} {organisation} {unit.name} {field_.name}")[:800]


def _active_option(model: type[InitiativeKind | InitiativeField], option_id, province: Unit, field: str,
                   message: str):
    """A kind or field the form names: one of the province's active options, else refused on `field`."""
    option = db.session.get(model, option_id or 0)
    if option is None or option.province_id != province.id or not option.active:
        raise InitiativeError(message, field)
    return option


def _apply_data(obj: Initiative, data: dict, actor) -> None:
    unit = db.session.get(Unit, data.get("unit_id") or 0)
    if unit is None or not access.in_scope(actor, unit) or unit.kind not in REGISTERING_KINDS or not unit.is_open:
        raise InitiativeError("Chọn đơn vị đăng ký trong phạm vi của bạn.", "unit_id")
    province = province_of(unit)
    year = data.get("year")
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        raise InitiativeError("Năm đăng ký phải từ 2000 đến 2100.", "year")
    name = checked_text(data.get("name"), "name", "Tên mô hình", 300, required="Nhập tên mô hình.",
                        error=InitiativeError)
    kind = _active_option(InitiativeKind, data.get("kind_id"), province, "kind_id", "Chọn loại mô hình.")
    field_ = _active_option(InitiativeField, data.get("field_id"), province, "field_id", "Chọn lĩnh vực.")
    organisation = checked_text(data.get("organisation"), "organisation", "Tổ chức thực hiện", 200,
                                required="Nhập tổ chức chủ trì thực hiện.", error=InitiativeError)
    is_new = data.get("is_new") in (True, "new", "1", 1)
    previous = None
    if not is_new and data.get("previous_id"):
        previous = db.session.get(Initiative, data["previous_id"])
        if previous is None or previous.unit_id != unit.id or previous.year != year - 1 or previous.id == obj.id:
            raise InitiativeError("Mô hình năm trước phải là mô hình của cùng đơn vị, đăng ký năm "
                                  f"{year - 1}.", "previous_id")
    start_on, end_on = data.get("start_on"), data.get("end_on")
    if start_on and end_on and end_on < start_on:
        raise InitiativeError("Ngày kết thúc không được trước ngày bắt đầu.", "end_on")
    budget = data.get("budget")
    if budget is not None and (budget < 0 or budget >= Decimal("1000000000000")):
        raise InitiativeError("Kinh phí không hợp lệ.", "budget")
    for key, label in TEXT_FIELDS.items():
        value = (data.get(key) or "").strip()
        if len(value) > 20000:
            raise InitiativeError(f"{label}: tối đa 20.000 ký tự.", key)
        setattr(obj, key, value)
    obj.unit, obj.unit_id, obj.year, obj.name = unit, unit.id, year, name
    obj.kind, obj.kind_id, obj.field, obj.field_id = kind, kind.id, field_, field_.id
    obj.organisation, obj.is_new = organisation, is_new
    obj.previous_id = previous.id if previous else None
    obj.start_on, obj.end_on, obj.budget = start_on, end_on, budget
    obj.search_key = search_key_for(name, organisation, unit, field_)


def create(data: dict, *, actor) -> Initiative:
    obj = Initiative(state="draft", created_by_id=actor.id)
    _apply_data(obj, data, actor)
    db.session.add(obj)
    db.session.flush()
    return obj


def update(obj: Initiative, data: dict, *, actor) -> Initiative:
    obj.check_version(data.get("version"))
    if not access.can(actor, "edit", obj):
        raise InitiativeError(f"Không thể sửa khi đăng ký đang ở trạng thái «{obj.state_label}».", status=409)
    _apply_data(obj, data, actor)
    db.session.flush()
    return obj


def problems_to_submit(obj: Initiative) -> list[str]:
    missing = [TEXT_FIELDS[k] for k in REQUIRED_TO_SUBMIT if not (getattr(obj, k) or "").strip()]
    out = []
    if missing:
        out.append("Chưa điền: " + ", ".join(missing) + ".")
    if not obj.start_on or not obj.end_on:
        out.append("Chưa nhập thời gian thực hiện (ngày bắt đầu, ngày kết thúc).")
    return out


def transition(obj: Initiative, name: str, *, actor, comment: str = "", notify: bool = True) -> None:
    """`notify=False`: the caller sends one notice for a batch (submit_all)."""
    if name not in PAGE_TRANSITIONS:
        raise TransitionError("Thao tác không hợp lệ.", 400)
    workflow.apply(WORKFLOW, obj, name, actor=actor, comment=comment, validate=problems_to_submit)
    if name == "submit":
        obj.submitted_at = now_utc()
        calls.answer_open_calls(obj.unit, CALL_KIND, obj.year, obj, actor=actor)
        if notify:
            notify_reviewers(obj.unit, [obj], actor=actor)
    if name == "return":
        obj.exemplary = False
        if notify:
            notifications.notify(notifications.users_serving(obj.unit), f"Bị trả lại — đăng ký «{obj.name}»",
                                 kind="returned", link=link("initiatives.detail", initiative_id=obj.id), obj=obj,
                                 body=comment, exclude=actor)
    mirror_state(obj)
    db.session.flush()


def reviewing_committee(unit: Unit) -> Unit | None:
    """The level that reviews a unit's registrations: the committee right above it (workflow ABOVE)."""
    parent = unit.parent
    return scope_root(parent) if parent is not None else None


def notify_reviewers(unit: Unit, sent: list[Initiative], *, actor) -> int:
    """Tell the leaders of the reviewing level that `unit` sent registrations to review."""
    committee = reviewing_committee(unit)
    if committee is None or not sent:
        return 0
    if len(sent) == 1:
        title = f"Chờ xem xét — {unit.name} gửi đăng ký «{sent[0].name}»"
        url = link("initiatives.detail", initiative_id=sent[0].id)
    else:
        title = f"Chờ xem xét — {unit.name} gửi {len(sent)} đăng ký «Dân vận khéo» năm {sent[0].year}"
        url = link("initiatives.index", unit_id=unit.id, year=sent[0].year, state="submitted")
    return notifications.notify(notifications.approvers_of(committee), title, kind="submitted", link=url,
                                obj=sent[0] if len(sent) == 1 else None, exclude=actor)


def submit_all(actor, unit_ids: list[int], year: int) -> int:
    """Send every draft of the given units for a year (after an import)."""
    rows = db.session.scalars(access.scoped(sa.select(Initiative).where(
        Initiative.unit_id.in_(unit_ids), Initiative.year == year, Initiative.state.in_(("draft", "returned"))),
        Initiative.unit_id, actor).order_by(Initiative.id)).all()
    problems = []
    for obj in rows:
        if not WORKFLOW.allowed(WORKFLOW.get("submit"), obj, actor):
            raise InitiativeError("Bạn không có quyền gửi các đăng ký này.", status=403)
        for p in problems_to_submit(obj):
            problems.append(f"«{obj.name}»: {p}")
    if problems:
        raise InitiativeError(" ".join(problems[:5]) + (f" (và {len(problems) - 5} lỗi khác)"
                                                        if len(problems) > 5 else ""))
    by_unit: dict[int, list[Initiative]] = {}
    for obj in rows:
        transition(obj, "submit", actor=actor, notify=False)
        by_unit.setdefault(obj.unit_id, []).append(obj)
    for sent in by_unit.values():   # one notice per unit, not one per registration
        notify_reviewers(sent[0].unit, sent, actor=actor)
    return len(rows)


def history_chain(obj: Initiative) -> list[Initiative]:
    """The model's line through the years: earlier registrations it maintains, itself, later ones."""
    earlier, seen = [], {obj.id}
    cur = obj.previous
    while cur is not None and cur.id not in seen and len(earlier) < 20:
        earlier.append(cur)
        seen.add(cur.id)
        cur = cur.previous
    later, cur_id = [], obj.id
    for _ in range(20):
        nxt = db.session.scalar(sa.select(Initiative).where(Initiative.previous_id == cur_id)
                                .order_by(Initiative.id).limit(1))
        if nxt is None or nxt.id in seen:
            break
        later.append(nxt)
        seen.add(nxt.id)
        cur_id = nxt.id
    return list(reversed(earlier)) + [obj] + later


def previous_choices(actor, unit_id: int | None, year: int | None) -> list[Initiative]:
    if not unit_id or not year:
        return []
    stmt = access.scoped(sa.select(Initiative).where(Initiative.unit_id == unit_id, Initiative.year == year - 1),
                         Initiative.unit_id, actor)
    return list(db.session.scalars(stmt.order_by(by_name(Initiative), Initiative.id).limit(500)))


# ---------------------------------------------------------------- calls
# A registration call of year N is answered by a target unit's registrations (when the target
# registers itself, e.g. communes answering their district's call) and by a district's
# consolidated list (answering the province's call).

CALL_KIND = calls.register_kind(
    "initiative_registration", "Đăng ký mô hình “Dân vận khéo”",
    objects={"Initiative": ("initiatives.detail", "initiative_id"),
             "InitiativeReport": ("initiatives.report", "initiative_report_id")},
    titles={"Initiative": "Đăng ký mô hình, điển hình «Dân vận khéo»",
            "InitiativeReport": "Danh sách tổng hợp đăng ký mô hình «Dân vận khéo»"})
SUBMISSION_STATE = {"draft": "draft", "submitted": "submitted", "returned": "returned",
                    "accepted": "approved", "recognised": "approved"}


def mirror_state(obj: Initiative) -> None:
    calls.update_submission_state(obj, SUBMISSION_STATE[obj.state])


# ---------------------------------------------------------------- unit merges

OPEN_STATES = ("draft", "returned", "submitted")


def move_open_work(old: Unit, new: Unit) -> int:
    """A merged unit's unfinished registrations follow it to the successor; the rest stays as history."""
    rows = list(db.session.scalars(sa.select(Initiative).where(Initiative.unit_id == old.id,
                                                               Initiative.state.in_(OPEN_STATES))))
    for obj in rows:
        obj.unit_id, obj.unit = new.id, new
        obj.search_key = search_key_for(obj.name, obj.organisation, new, obj.field)
    db.session.flush()
    return len(rows)
