"""The dashboard panel: upcoming conferences seen from the user's units, with what is left to do."""
from __future__ import annotations

import dataclasses

import sqlalchemy as sa

from danvan.core import access
from danvan.core.units import ADVISORY_KINDS, Unit, scope_root
from danvan.core.vntext import now_utc
from danvan.extensions import db

from .models import Conference, ConferenceContribution, ConferenceInvitee, ConferencePoint

PANEL_ROWS = 8


@dataclasses.dataclass
class PanelRow:
    """An upcoming conference seen from the user's unit, with what the unit still has to do."""

    conf: Conference
    organiser: bool = False
    invitees: list[ConferenceInvitee] = dataclasses.field(default_factory=list)     # my units' invitations
    points: list[ConferencePoint] = dataclasses.field(default_factory=list)         # my units' điểm cầu
    to_send: list[ConferenceContribution] = dataclasses.field(default_factory=list)    # tham luận my units owe
    to_review: list[ConferenceContribution] = dataclasses.field(default_factory=list)  # sent to me, the organiser
    sent: list[ConferenceContribution] = dataclasses.field(default_factory=list)  # my tham luận already sent
    stats: dict[str, int] = dataclasses.field(default_factory=dict)                # organiser: replies so far

    @property
    def to_confirm(self) -> list[ConferenceInvitee]:
        return [i for i in self.invitees if i.status == "pending"]

    @property
    def roles(self) -> list[str]:
        return ([*(["Đơn vị tổ chức"] if self.organiser else []), *(["Được mời"] if self.invitees else []),
                 *(["Điểm cầu"] if self.points else [])])


def my_unit_ids(user) -> list[int]:
    """The units the user acts for: their committee and its advisory bans (a commune: itself)."""
    root = scope_root(user.unit)
    return list(db.session.scalars(sa.select(Unit.id).where(sa.or_(
        Unit.id == root.id, sa.and_(Unit.parent_id == root.id, Unit.kind.in_(ADVISORY_KINDS))))))


def panel_context(user) -> dict:
    """Upcoming conferences my units organise, are invited to or host a điểm cầu of, with pending
    actions: confirm attendance, tham luận to send (with deadline), tham luận to review.
    A fixed number of queries (seven), whatever the number of conferences."""
    if not access.has_permission(user, "conferences.view"):
        return {}
    mine = set(my_unit_ids(user))
    involved = sa.or_(
        Conference.unit_id.in_(mine),
        Conference.id.in_(sa.select(ConferenceInvitee.conference_id).where(ConferenceInvitee.unit_id.in_(mine))),
        Conference.id.in_(sa.select(ConferencePoint.conference_id).where(ConferencePoint.unit_id.in_(mine))),
        Conference.id.in_(sa.select(ConferenceContribution.conference_id)
                          .where(ConferenceContribution.unit_id.in_(mine))))
    confs = list(db.session.scalars(
        sa.select(Conference).where(Conference.archived_at.is_(None), Conference.ends_at >= now_utc(), involved)
        .order_by(Conference.starts_at, Conference.id)))
    if not confs:
        return {}
    can_edit = access.has_permission(user, "conferences.edit")
    rows = {c.id: PanelRow(conf=c, organiser=c.unit_id in mine) for c in confs}
    ids, organised = list(rows), [c.id for c in confs if c.unit_id in mine]
    for inv in db.session.scalars(sa.select(ConferenceInvitee).where(
            ConferenceInvitee.conference_id.in_(ids), ConferenceInvitee.unit_id.in_(mine))
            .order_by(ConferenceInvitee.id)):
        rows[inv.conference_id].invitees.append(inv)
    for point in db.session.scalars(sa.select(ConferencePoint).where(
            ConferencePoint.conference_id.in_(ids), ConferencePoint.unit_id.in_(mine)).order_by(ConferencePoint.id)):
        rows[point.conference_id].points.append(point)
    for c in db.session.scalars(sa.select(ConferenceContribution).where(
            ConferenceContribution.conference_id.in_(ids),
            sa.or_(ConferenceContribution.unit_id.in_(mine),
                   sa.and_(ConferenceContribution.conference_id.in_(organised),
                           ConferenceContribution.state == "submitted")))
            .order_by(ConferenceContribution.deadline, ConferenceContribution.id)):
        row = rows[c.conference_id]
        if c.unit_id in mine and c.state in ("invited", "returned"):
            row.to_send.append(c)
        elif c.state == "submitted" and row.organiser:
            if can_edit:      # reviewing is an officer's or leader's work, not a viewer's
                row.to_review.append(c)
        elif c.unit_id in mine:
            row.sent.append(c)
    if organised:
        for cid, total, confirmed, delegates in db.session.execute(
                sa.select(ConferenceInvitee.conference_id, sa.func.count(),
                          sa.func.sum(sa.case((ConferenceInvitee.status == "confirmed", 1), else_=0)),
                          sa.func.sum(ConferenceInvitee.delegates))
                .where(ConferenceInvitee.conference_id.in_(organised)).group_by(ConferenceInvitee.conference_id)):
            rows[cid].stats.update(invited=total, confirmed=int(confirmed or 0), delegates=int(delegates or 0))
        for cid, total, accepted in db.session.execute(
                sa.select(ConferenceContribution.conference_id, sa.func.count(),
                          sa.func.sum(sa.case((ConferenceContribution.state == "accepted", 1), else_=0)))
                .where(ConferenceContribution.conference_id.in_(organised))
                .group_by(ConferenceContribution.conference_id)):
            rows[cid].stats.update(papers=total, accepted=int(accepted or 0))
    ordered = list(rows.values())
    return {
        "rows": ordered[:PANEL_ROWS], "more": max(0, len(ordered) - PANEL_ROWS), "total": len(ordered),
        "confirm": sum(len(r.to_confirm) for r in ordered), "send": sum(len(r.to_send) for r in ordered),
        "review": sum(len(r.to_review) for r in ordered),
        "can_edit": can_edit,
    }
