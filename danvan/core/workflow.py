"""One state machine for everything that is filed: states and transitions as data.

A feature declares a `Workflow` (states, transitions, the permission and the unit relation
each transition needs, whether a comment is required) and calls `apply()`. `apply()`
re-checks everything server-side, runs the document's own validation, writes a history row
and an audit event. Forged transitions (a POST the role may not take) raise TransitionError.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from danvan.core import access, audit
from danvan.core.models import UTCDateTime
from danvan.core.units import scope_root
from danvan.core.vntext import now_utc
from danvan.extensions import db

# Unit relations a transition may require between the actor and the object's unit.
OWN = "own"        # the actor belongs to the unit that owns the object
SCOPE = "scope"    # the object's unit is the actor's unit or lies under it
ABOVE = "above"    # the object's unit lies strictly under the actor's committee


class TransitionError(Exception):
    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass(frozen=True)
class Transition:
    name: str
    label: str
    source: tuple[str, ...]
    target: str
    permission: str
    relation: str = SCOPE
    comment_required: bool = False
    style: str = "primary"   # button style in templates
    validate: bool = True    # run the object's validation before taking it


@dataclass(frozen=True)
class Workflow:
    name: str
    states: dict[str, str]
    initial: str
    transitions: tuple[Transition, ...]
    final: frozenset[str] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        for t in self.transitions:
            access.roles_for(t.permission)
            unknown = {t.target, *t.source} - set(self.states)
            if unknown:
                raise ValueError(f"{self.name}.{t.name}: unknown states {unknown}")

    def label(self, state: str) -> str:
        return self.states.get(state, state)

    def get(self, name: str) -> Transition:
        for t in self.transitions:
            if t.name == name:
                return t
        raise TransitionError("Thao tác không hợp lệ.", 400)

    def allowed(self, t: Transition, obj, user) -> bool:
        if obj.state not in t.source or not access.has_permission(user, t.permission):
            return False
        return relation_holds(t.relation, user, obj.unit)

    def available(self, obj, user) -> list[Transition]:
        return [t for t in self.transitions if self.allowed(t, obj, user)]


def review_workflow(name: str, states: dict[str, str], *, submit: tuple[str, str], decide: tuple[str, str, str],
                    review_permission: str, return_label: str, reopen: tuple[str, str],
                    reviewer: str = ABOVE) -> Workflow:
    """The usual shape of a filed thing: its unit drafts and submits (`submit`: label, permission) from
    draft or returned; the reviewer (`reviewer` relation, above by default) decides (`decide`: name,
    label, final state), returns it with a reason, or reopens a decided one with a reason (`reopen`:
    label, target state). Returning and reopening skip the object's own validation."""
    decision, decision_label, final = decide
    reopen_label, reopen_to = reopen
    return Workflow(
        name=name,
        states=states,
        initial="draft",
        transitions=(
            Transition("submit", submit[0], ("draft", "returned"), "submitted", submit[1], SCOPE),
            Transition(decision, decision_label, ("submitted",), final, review_permission, reviewer),
            Transition("return", return_label, ("submitted",), "returned", review_permission, reviewer,
                       comment_required=True, style="danger", validate=False),
            Transition("reopen", reopen_label, (final,), reopen_to, review_permission, reviewer,
                       comment_required=True, style="danger", validate=False),
        ),
        final=frozenset({final}),
    )


def relation_holds(relation: str, user, unit) -> bool:
    if unit is None:
        return False
    if relation == OWN:
        return user.unit_id == unit.id
    root = scope_root(user.unit)
    if relation == SCOPE:
        return root.contains(unit)
    if relation == ABOVE:
        return root.contains(unit) and unit.id not in (root.id, user.unit_id)
    raise ValueError(f"unknown relation {relation!r}")


class WorkflowHistory(db.Model):
    __tablename__ = "workflow_history"
    __table_args__ = (sa.Index("ix_workflow_history_object", "object_type", "object_id"),)

    object_type: Mapped[str] = mapped_column(sa.String(60))
    object_id: Mapped[int] = mapped_column(sa.Integer)
    transition: Mapped[str] = mapped_column(sa.String(40))
    from_state: Mapped[str] = mapped_column(sa.String(30))
    to_state: Mapped[str] = mapped_column(sa.String(30))
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    on_behalf_of_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    comment: Mapped[str] = mapped_column(sa.Text, default="")
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc)

    actor = sa.orm.relationship("User", foreign_keys=[actor_id], lazy="joined")
    on_behalf_of = sa.orm.relationship("User", foreign_keys=[on_behalf_of_id], lazy="joined")

    __repr_attrs__ = ("object_type", "object_id", "transition")


def apply(workflow: Workflow, obj, name: str, *, actor, comment: str = "",
          validate: Callable[[object], list[str]] | None = None,
          on_behalf_of=None) -> WorkflowHistory:
    """Take transition `name` on `obj` (which has .id, .state and .unit) as `actor`."""
    t = workflow.get(name)
    if obj.state not in t.source:
        raise TransitionError(
            f"Không thể «{t.label}» khi văn bản đang ở trạng thái «{workflow.label(obj.state)}».", 409)
    if not workflow.allowed(t, obj, actor):
        raise TransitionError("Bạn không có quyền thực hiện thao tác này.", 403)
    comment = (comment or "").strip()
    if t.comment_required and not comment:
        raise TransitionError("Cần ghi rõ lý do.", 422)
    if len(comment) > 4000:
        raise TransitionError("Lý do quá dài (tối đa 4.000 ký tự).", 422)
    if t.validate and validate is not None:
        problems = validate(obj)
        if problems:
            raise TransitionError(" ".join(problems), 422)
    before = obj.state
    obj.state = t.target
    row = WorkflowHistory(object_type=type(obj).__name__, object_id=obj.id, transition=t.name,
                          from_state=before, to_state=t.target, actor_id=actor.id,
                          on_behalf_of_id=getattr(on_behalf_of, "id", None), comment=comment)
    db.session.add(row)
    audit.record(actor, t.name, obj, {"state": (before, t.target)})
    db.session.flush()
    return row


def history(obj) -> list[WorkflowHistory]:
    return list(db.session.scalars(
        sa.select(WorkflowHistory)
        .where(WorkflowHistory.object_type == type(obj).__name__,
               WorkflowHistory.object_id == obj.id)
        .order_by(WorkflowHistory.at, WorkflowHistory.id)
    ))


def time_in_states(rows: list[WorkflowHistory], *, until: datetime | None = None) -> dict[str, timedelta]:
    """How long the object stayed in each state, from its history (the timeline shows it)."""
    spent: dict[str, timedelta] = {}
    for current, nxt in zip(rows, rows[1:] + [None], strict=False):
        end = nxt.at if nxt is not None else (until or now_utc())
        spent[current.to_state] = spent.get(current.to_state, timedelta()) + (end - current.at)
    return spent
