"""Filed documents: create, edit (optimistic locking), workflow, numbering on approval, delegation.

    from danvan.plans import documents
    doc = documents.create_document(unit, {
        "type_code": "BC", "summary": "Báo cáo kết quả …", "year": 2026, "period": "Năm 2026",
        "sections": [{"heading": "I. KẾT QUẢ", "body": "- 108/108 xã …"}],
        "signer_mode": "T/M", "signer_authority": "BAN THƯỜNG VỤ", "signer_title": "BÍ THƯ",
        "signer_name": "…", "recipients": "- Như trên,\\n- Lưu VT.", "call": call_or_None,
    }, actor=user)                      # DocumentError(message, field) on bad input; usable without a request
    documents.transition(doc, "submit", actor=user)     # TransitionError(message, status)

Who approves: the leaders of `approver_unit` — the committee of the call's issuer when the
document answers a call, otherwise the committee above the issuing unit (a ban's own
committee). Only they are notified of a submission (LESSONS: never every holder of a role).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from danvan import calls
from danvan.core import audit, numbering, workflow
from danvan.core.errors import ServiceError, checked_text
from danvan.core.htmx import link
from danvan.core.numbering import TYPE_CODES
from danvan.core.policies.plans import EDITABLE
from danvan.core.units import Unit, scope_root
from danvan.core.vntext import fold, now_utc, today_local
from danvan.core.workflow import OWN, SCOPE, Transition, TransitionError, Workflow
from danvan.extensions import db
from danvan.notifications import service as notifications
from danvan.plans import issued
from danvan.plans.models import SIGNER_MODES, STATES, PlanDelegation, PlanDocument

WORKFLOW = Workflow(
    name="plan_document",
    states=STATES,
    initial="draft",
    transitions=(
        Transition("submit", "Gửi duyệt", ("draft", "returned"), "submitted", "plans.edit", relation=OWN),
        Transition("approve", "Duyệt và cấp số", ("submitted",), "approved", "plans.approve", relation=SCOPE,
                   style="primary"),
        Transition("return", "Trả lại", ("submitted",), "returned", "plans.approve", relation=SCOPE,
                   comment_required=True, style="warning", validate=False),
        Transition("archive", "Lưu trữ", ("draft", "returned"), "archived", "plans.edit", relation=OWN,
                   style="danger", validate=False),
        Transition("admin_archive", "Lưu trữ (quản trị)", ("draft", "submitted", "returned", "approved"),
                   "archived", "plans.restore", relation=SCOPE, style="danger", validate=False),
        Transition("restore", "Khôi phục", ("archived",), "draft", "plans.restore", relation=SCOPE,
                   validate=False),
    ),
    final=frozenset({"approved"}),
)
APPROVER_TRANSITIONS = ("approve", "return")
MAX_SECTIONS = 12
# Calls for documents: the call names the type wanted (KH, BC…); a target answers by drafting one.
CALL_KIND = calls.register_kind(
    "document", "Văn bản (kế hoạch, báo cáo…)", objects={"PlanDocument": ("plans.document_detail", "document_id")},
    answer=("plans.document_new", "Soạn văn bản trả lời", "plans.edit"), type_codes=True, default=True)


class DocumentError(ServiceError):
    """Refused input: message for the user, field, HTTP status."""


def approver_unit_for(unit: Unit, call: calls.Call | None) -> Unit:
    if call is not None:
        return scope_root(call.unit)
    return unit.parent if unit.parent is not None else unit


# validation -------------------------------------------------------------------------

def _clean_sections(raw) -> list[dict]:
    out = []
    for item in raw or []:
        heading = (item.get("heading") or "").strip()
        body = (item.get("body") or "").strip()
        if not heading and not body:
            continue
        if len(heading) > 300:
            raise DocumentError("Tiêu đề mục tối đa 300 ký tự.", "sections")
        if len(body) > 50000:
            raise DocumentError("Nội dung một mục tối đa 50.000 ký tự.", "sections")
        out.append({"heading": heading, "body": body})
    if len(out) > MAX_SECTIONS:
        raise DocumentError(f"Tối đa {MAX_SECTIONS} mục nội dung.", "sections")
    return out


def _clean(data: dict) -> dict:
    type_code = data.get("type_code") or ""
    if type_code not in TYPE_CODES:
        raise DocumentError("Chọn loại văn bản.", "type_code")
    summary = checked_text(data.get("summary"), "summary", "Trích yếu", 500, error=DocumentError,
                           required="Nhập trích yếu (tóm tắt nội dung văn bản).")
    try:
        year = int(data.get("year") or today_local().year)
    except (TypeError, ValueError):
        raise DocumentError("Năm phải là số có 4 chữ số.", "year") from None
    if not 2000 <= year <= 2100:
        raise DocumentError("Năm phải trong khoảng 2000–2100.", "year")
    signer_mode = data.get("signer_mode") or ""
    if signer_mode not in SIGNER_MODES:
        raise DocumentError("Hình thức ký không hợp lệ.", "signer_mode")
    out = {"type_code": type_code, "summary": summary, "year": year, "signer_mode": signer_mode,
           "sections": _clean_sections(data.get("sections"))}
    for key, limit in (("period", 120), ("signer_authority", 120), ("signer_title", 120), ("signer_name", 120)):
        value = (data.get(key) or "").strip()
        if len(value) > limit:
            raise DocumentError(f"Tối đa {limit} ký tự.", key)
        out[key] = value
    out["recipients"] = checked_text(data.get("recipients"), "recipients", "Nơi nhận", 4000, error=DocumentError)
    return out


def problems(doc: PlanDocument) -> list[str]:
    """What stops the document from being sent or approved (transitions re-check it)."""
    out = []
    if not (doc.summary or "").strip():
        out.append("Văn bản chưa có trích yếu.")
    if not any((s.get("body") or "").strip() for s in doc.sections):
        out.append("Văn bản cần ít nhất một mục nội dung (ví dụ: I. Mục đích, yêu cầu).")
    if not (doc.signer_name or "").strip():
        out.append("Chưa ghi họ tên người ký.")
    if doc.call is not None:
        if doc.call.archived_at is not None:
            out.append("Yêu cầu nộp mà văn bản trả lời đã đóng.")
        if doc.call.type_code and doc.call.type_code != doc.type_code:
            out.append(f"Yêu cầu cần văn bản loại «{doc.call.type_label}».")
    return out


def pending_problems(doc: PlanDocument) -> list[str]:
    """The problems shown to the author: only while the document is still being drafted."""
    return problems(doc) if doc.state in EDITABLE else []


def _check_call(call: calls.Call | None, unit: Unit, type_code: str) -> None:
    if call is None:
        return
    if call.archived_at is not None or call.kind != CALL_KIND:
        raise DocumentError("Yêu cầu nộp này không nhận văn bản.", "call_id")
    if calls.target_for(call, unit) is None:
        raise DocumentError("Đơn vị của bạn không nằm trong danh sách nhận yêu cầu này.", "call_id", 403)
    if call.type_code and call.type_code != type_code:
        raise DocumentError(f"Yêu cầu «{call.title}» cần văn bản loại «{call.type_label}».", "type_code")


# create / edit ----------------------------------------------------------------------

def _fill(doc: PlanDocument, clean: dict) -> None:
    sections = clean.pop("sections")
    for key, value in clean.items():
        setattr(doc, key, value)
    doc.sections = sections
    doc.search_key = fold(f"{doc.summary} {doc.period}")


def create_document(unit: Unit, data: dict, *, actor) -> PlanDocument:
    """A draft issued by `unit`. Usable without a request (other features build reports with it)."""
    clean = _clean(data)
    call = data.get("call")
    _check_call(call, unit, clean["type_code"])
    doc = PlanDocument(unit=unit, call=call, approver_unit=approver_unit_for(unit, call), state="draft",
                       created_by_id=getattr(actor, "id", None))
    _fill(doc, clean)
    db.session.add(doc)
    db.session.flush()
    if call is not None:
        calls.record_submission(call, unit, doc, actor=actor, state="draft")
    return doc


def update_document(doc: PlanDocument, data: dict, *, actor, version) -> PlanDocument:
    doc.check_version(version)
    if doc.state not in EDITABLE:
        raise DocumentError(f"Văn bản đang ở trạng thái «{doc.state_label}», không sửa được.", None, 409)
    clean = _clean(data)
    _fill(doc, clean)
    db.session.flush()
    return doc


# workflow ---------------------------------------------------------------------------

def _is_approver(user, doc: PlanDocument) -> bool:
    return scope_root(user.unit).id == doc.approver_unit_id


@dataclass
class Proxy:
    """A delegate acting with the delegator's roles and unit (history: 'duyệt thay')."""

    id: int
    unit: Unit
    unit_id: int
    roles: frozenset
    is_authenticated: bool = True


def active_delegation(user, doc: PlanDocument, on: date | None = None) -> PlanDelegation | None:
    on = on or today_local()
    rows = db.session.scalars(sa.select(PlanDelegation).where(
        PlanDelegation.delegate_id == user.id, PlanDelegation.revoked_at.is_(None),
        PlanDelegation.starts_on <= on, PlanDelegation.ends_on >= on))
    for row in rows:
        leader = row.delegator
        if leader.active and "leader" in leader.roles and _is_approver(leader, doc):
            return row
    return None


def _acting(user, doc: PlanDocument, name: str):
    """(actor for the workflow check, on_behalf_of) for transition `name`."""
    if name not in APPROVER_TRANSITIONS:
        return user, None
    if "leader" in user.roles and _is_approver(user, doc):
        return user, None
    delegation = active_delegation(user, doc)
    if delegation is not None:
        leader = delegation.delegator
        return Proxy(id=user.id, unit=leader.unit, unit_id=leader.unit_id, roles=leader.roles), leader
    return user, None


def available(doc: PlanDocument, user) -> list[Transition]:
    out = []
    for t in WORKFLOW.transitions:
        actor, _ = _acting(user, doc, t.name)
        if not WORKFLOW.allowed(t, doc, actor):
            continue
        if t.name in APPROVER_TRANSITIONS and not _is_approver(actor, doc):
            continue
        if t.name == "admin_archive" and any(o.name == "archive" for o in out):
            continue
        out.append(t)
    return out


def transition(doc: PlanDocument, name: str, *, actor, comment: str = ""):
    t = WORKFLOW.get(name)
    acting, on_behalf_of = _acting(actor, doc, name)
    if name in APPROVER_TRANSITIONS and WORKFLOW.allowed(t, doc, acting) and not _is_approver(acting, doc):
        raise TransitionError("Chỉ lãnh đạo của cấp duyệt văn bản này mới được duyệt hoặc trả lại.", 403)
    before = doc.state
    row = workflow.apply(WORKFLOW, doc, name, actor=acting, comment=comment, validate=problems,
                         on_behalf_of=on_behalf_of)
    now = now_utc()
    url = link("plans.document_detail", document_id=doc.id)
    label = f"{doc.type_label}: {doc.summary[:150]}"
    if name == "submit":
        doc.submitted_at = now
        approvers = notifications.approvers_of(doc.approver_unit)
        notifications.notify(approvers + _delegates_of(approvers), f"Chờ duyệt — {label}",
                             kind="submitted", link=url, obj=doc, exclude=actor)
    elif name == "approve":
        _assign_number(doc)
        doc.approved_at = now
        issued.freeze(doc, actor=acting)    # the number prints what was approved, ever after
        notifications.notify(_filers(doc), f"Đã duyệt — {doc.number_text} — {label}", kind="approved",
                             link=url, obj=doc, exclude=actor)
    elif name == "return":
        notifications.notify(_filers(doc), f"Bị trả lại — {label}", kind="returned", link=url, obj=doc,
                             body=row.comment, exclude=actor)
    elif name in ("archive", "admin_archive"):
        doc.archived_from = before
    elif name == "restore":
        doc.state = doc.archived_from if doc.archived_from in STATES and doc.archived_from != "archived" else "draft"
        row.to_state = doc.state
        doc.archived_from = ""
    if doc.call_id is not None:
        mirrored = {"archived": "withdrawn"}.get(doc.state, doc.state)
        calls.update_submission_state(doc, mirrored, at=now)
    db.session.flush()
    return row


@dataclass
class Approval:
    unit: Unit          # the unit of the leader who approved (for a delegate: of the leader delegating)
    leader: object
    delegate: object | None
    at: object


def approval_of(doc: PlanDocument, history: list) -> Approval | None:
    """Who actually approved the document, from its history: `approver_unit` is only the
    committee whose leaders may (a ban's leader approves its own ban's plans for it)."""
    if not doc.issued:
        return None
    rows = [h for h in history if h.transition == "approve"]
    if not rows:
        return None
    row = rows[-1]
    leader = row.on_behalf_of or row.actor
    if leader is None:
        return None
    return Approval(unit=leader.unit, leader=leader, delegate=row.actor if row.on_behalf_of else None, at=row.at)


def _delegates_of(leaders: list) -> list:
    """Users approving today on behalf of these leaders."""
    if not leaders:
        return []
    today = today_local()
    rows = db.session.scalars(sa.select(PlanDelegation).where(
        PlanDelegation.delegator_id.in_([u.id for u in leaders]), PlanDelegation.revoked_at.is_(None),
        PlanDelegation.starts_on <= today, PlanDelegation.ends_on >= today))
    return [row.delegate for row in rows]


def _filers(doc: PlanDocument) -> list:
    users = notifications.users_serving(doc.unit, roles=("officer", "leader"))
    if doc.unit.kind in ("ban",):   # a ban's own staff, not its committee's other bans
        users = [u for u in users if u.unit_id == doc.unit_id]
    return users


def _assign_number(doc: PlanDocument) -> None:
    if doc.number is not None:
        return
    year = today_local().year
    number = numbering.next_number(doc.unit_id, doc.type_code, year)
    doc.number, doc.number_year, doc.issued_on = number, year, today_local()
    doc.number_text = numbering.format_number(number, doc.type_code, doc.unit.code or "")
    audit.record(None, "number", doc, {"number_text": (None, doc.number_text)})


# unit merges ------------------------------------------------------------------------

def move_open_work(old: Unit, new: Unit) -> int:
    """A merged unit's unfinished documents (draft, returned, submitted) and its open call
    targets move to the successor; approved and archived ones stay with the unit that owned them."""
    moved = db.session.execute(
        sa.update(PlanDocument).where(PlanDocument.unit_id == old.id,
                                      PlanDocument.state.in_(("draft", "returned", "submitted")))
        .values(unit_id=new.id, version=PlanDocument.version + 1)).rowcount or 0
    return moved + calls.move_open_targets(old, new)


# delegation -------------------------------------------------------------------------

def delegate(leader, delegate_user, starts_on: date, ends_on: date, *, actor) -> PlanDelegation:
    if "leader" not in leader.roles:
        raise DocumentError("Chỉ lãnh đạo mới ủy quyền duyệt được.", "delegate_id", 403)
    if delegate_user is None or delegate_user.id == leader.id or not delegate_user.active:
        raise DocumentError("Chọn một người khác, đang hoạt động, để ủy quyền.", "delegate_id")
    if scope_root(delegate_user.unit).id != scope_root(leader.unit).id:
        raise DocumentError("Người được ủy quyền phải cùng cấp ủy với bạn.", "delegate_id")
    if ends_on < starts_on:
        raise DocumentError("Ngày kết thúc phải sau ngày bắt đầu.", "ends_on")
    if ends_on < today_local():
        raise DocumentError("Khoảng thời gian ủy quyền đã qua.", "ends_on")
    row = PlanDelegation(unit_id=leader.unit_id, delegator_id=leader.id, delegate_id=delegate_user.id,
                         starts_on=starts_on, ends_on=ends_on)
    db.session.add(row)
    db.session.flush()
    return row


def revoke_delegation(row: PlanDelegation, *, actor) -> None:
    row.revoked_at = now_utc()
    db.session.flush()


# queries ----------------------------------------------------------------------------

def waiting_for(user) -> sa.Select:
    """Submitted documents this leader (or their delegate) approves."""
    root_ids = [scope_root(user.unit).id]
    today = today_local()
    delegated = sa.select(PlanDelegation.delegator_id).where(
        PlanDelegation.delegate_id == user.id, PlanDelegation.revoked_at.is_(None),
        PlanDelegation.starts_on <= today, PlanDelegation.ends_on >= today)
    stmt = sa.select(PlanDocument).where(PlanDocument.state == "submitted")
    from danvan.auth.models import User

    leader_units = sa.select(User.unit_id).where(User.id.in_(delegated))
    cond = PlanDocument.approver_unit_id.in_(root_ids) if "leader" in user.roles else sa.false()
    # A delegate approves for the committee of the leader who delegated.
    parents = sa.select(Unit.parent_id).where(Unit.id.in_(leader_units), Unit.kind == "ban")
    selves = sa.select(Unit.id).where(Unit.id.in_(leader_units), Unit.kind != "ban")
    cond = sa.or_(cond, PlanDocument.approver_unit_id.in_(parents), PlanDocument.approver_unit_id.in_(selves))
    return stmt.where(cond)


def my_drafts(user) -> sa.Select:
    return sa.select(PlanDocument).where(PlanDocument.unit_id == user.unit_id,
                                         PlanDocument.state.in_(EDITABLE))
