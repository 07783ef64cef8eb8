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
        return [i for i in self.invitees if i.pending]

    @property
    def roles(self) -> list[str]:
        return ([*(["Đơn vị tổ chức"] if self.organiser else []), *(["Được mời"] if self.invitees else []),
                 *(["Điểm cầu"] if self.points else [])])


def my_units(user) -> sa.Select:
    """The units the user acts for: their committee and its advisory bans (a commune: itself)."""
    root = scope_root(user.unit)
    return sa.select(Unit.id).where(sa.or_(
        Unit.id == root.id, sa.and_(Unit.parent_id == root.id, Unit.kind.in_(ADVISORY_KINDS))))


def _organiser_stats() -> list:
    """Replies so far, per conference row (correlated counts: no query of their own)."""
    inv, con = ConferenceInvitee, ConferenceContribution

    def of(model, *cols):
        return sa.select(*cols).where(model.conference_id == Conference.id).correlate(Conference).scalar_subquery()

    return [of(inv, sa.func.count()), of(inv, sa.func.sum(sa.case((inv.status == "confirmed", 1), else_=0))),
            of(inv, sa.func.sum(inv.delegates)), of(con, sa.func.count()),
            of(con, sa.func.sum(sa.case((con.state == "accepted", 1), else_=0)))]


def panel_context(user) -> dict:
    """Upcoming conferences my units organise, are invited to or host a điểm cầu of, with pending
    actions: confirm attendance, tham luận to send (with deadline), tham luận to review.
    A fixed number of queries (four), whatever the number of conferences: "my units" stay a
    subquery, the organiser's reply counts are columns of the conference rows."""
    if not access.has_permission(user, "conferences.view"):
        return {}
    mine = my_units(user)
    involved = sa.or_(
        Conference.unit_id.in_(mine),
        Conference.id.in_(sa.select(ConferenceInvitee.conference_id).where(ConferenceInvitee.unit_id.in_(mine))),
        Conference.id.in_(sa.select(ConferencePoint.conference_id).where(ConferencePoint.unit_id.in_(mine))),
        Conference.id.in_(sa.select(ConferenceContribution.conference_id)
                          .where(ConferenceContribution.unit_id.in_(mine))))
    found = db.session.execute(
        sa.select(Conference, Conference.unit_id.in_(mine), *_organiser_stats())
        .where(Conference.archived_at.is_(None), Conference.ends_at >= now_utc(), involved)
        .order_by(Conference.starts_at, Conference.id)).all()
    if not found:
        return {}
    can_edit = access.has_permission(user, "conferences.edit")
    rows = {}
    for c, organiser, invited, confirmed, delegates, papers, accepted in found:
        row = rows[c.id] = PanelRow(conf=c, organiser=bool(organiser))
        if organiser and invited:
            row.stats.update(invited=invited, confirmed=int(confirmed or 0), delegates=int(delegates or 0))
        if organiser and papers:
            row.stats.update(papers=papers, accepted=int(accepted or 0))
    ids, organised = list(rows), [cid for cid, r in rows.items() if r.organiser]
    for inv in db.session.scalars(sa.select(ConferenceInvitee).where(
            ConferenceInvitee.conference_id.in_(ids), ConferenceInvitee.unit_id.in_(mine))
            .order_by(ConferenceInvitee.id)):
        rows[inv.conference_id].invitees.append(inv)
    for point in db.session.scalars(sa.select(ConferencePoint).where(
            ConferencePoint.conference_id.in_(ids), ConferencePoint.unit_id.in_(mine)).order_by(ConferencePoint.id)):
        rows[point.conference_id].points.append(point)
    for c, own in db.session.execute(sa.select(ConferenceContribution, ConferenceContribution.unit_id.in_(mine))
            .where(ConferenceContribution.conference_id.in_(ids),
                   sa.or_(ConferenceContribution.unit_id.in_(mine),
                          sa.and_(ConferenceContribution.conference_id.in_(organised),
                                  ConferenceContribution.state == "submitted")))
            .order_by(ConferenceContribution.deadline, ConferenceContribution.id)):
        row = rows[c.conference_id]
        if own and c.state in ("invited", "returned"):
            row.to_send.append(c)
        elif c.state == "submitted" and row.organiser:
            if can_edit:      # reviewing is an officer's or leader's work, not a viewer's
                row.to_review.append(c)
        elif own:
            row.sent.append(c)
    ordered = list(rows.values())
    return {
        "rows": ordered[:PANEL_ROWS], "more": max(0, len(ordered) - PANEL_ROWS), "total": len(ordered),
        "confirm": sum(len(r.to_confirm) for r in ordered), "send": sum(len(r.to_send) for r in ordered),
        "review": sum(len(r.to_review) for r in ordered),
        "can_edit": can_edit,
    }
