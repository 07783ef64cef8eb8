"""Conferences: the organiser's tree manages a conference and its parts; a participating unit acts only
on its own invitation and tham luận. Loaders in conferences/service.py already answer 404 outside
these trees; the rules here decide the rest (role, which side, state)."""
from __future__ import annotations

from danvan.core.access import has_permission, in_scope
from danvan.core.policies import rule
from danvan.core.vntext import now_utc


def _manages(user, conf) -> bool:
    return (conf.archived_at is None and has_permission(user, "conferences.edit")
            and in_scope(user, conf.unit))


@rule("Conference", "manage")
def conference_manage(user, conf) -> bool:
    """Edit, archive, chairs, điểm cầu, invitees, agenda, tham luận requests, numbers."""
    return _manages(user, conf)


@rule("Conference", "conclude")
def conference_conclude(user, conf) -> bool:
    """The conclusion is written once the conference has started."""
    return _manages(user, conf) and conf.starts_at <= now_utc()


@rule("ConferenceInvitee", "confirm")
def invitee_confirm(user, inv) -> bool:
    """The invited unit answers for itself; the organiser records an answer given by telephone."""
    conf = inv.conference
    return (conf.archived_at is None and has_permission(user, "conferences.edit")
            and (in_scope(user, conf.unit) or in_scope(user, inv.unit)))


@rule("ConferenceContribution", "write")
def contribution_write(user, c) -> bool:
    """Sending the paper is the asked unit's work (or its superiors'); the state is the service's."""
    return c.conference.archived_at is None and has_permission(user, "conferences.edit") and in_scope(user, c.unit)


@rule("ConferenceContribution", "submit")
def contribution_submit(user, c) -> bool:
    return contribution_write(user, c) and c.state in ("invited", "returned")


@rule("ConferenceContribution", "review")
def contribution_review(user, c) -> bool:
    """Only the organiser accepts or returns a paper, once it was sent."""
    return _manages(user, c.conference) and c.state in ("submitted", "accepted")


@rule("ConferenceContribution", "schedule")
def contribution_schedule(user, c) -> bool:
    """An accepted paper goes on the programme once."""
    return (_manages(user, c.conference) and c.state == "accepted"
            and not any(item.contribution_id == c.id for item in c.conference.items))


@rule("ConferenceContribution", "withdraw")
def contribution_withdraw(user, c) -> bool:
    """The organiser takes a request back while it is open (the paper's history stays)."""
    return _manages(user, c.conference) and c.state in ("invited", "submitted", "returned", "accepted")
