"""Who hears about a conference's steps: the invited units (invitation issued, tham luận asked,
reviewed, withdrawn) and the organiser (each paper sent). One notification per user, in-app."""
from __future__ import annotations

from danvan.core.htmx import link
from danvan.core.vntext import fmt_date
from danvan.notifications import service as notifications

from .models import Conference, ConferenceContribution


def invitation_issued(conf: Conference, number_text: str, *, actor) -> int:
    users = notifications.users_serving([i.unit_id for i in conf.invitees])
    return notifications.notify(users, f"Giấy mời số {number_text} — {conf.title}", kind="conference_invited",
                                link=link("conferences.detail", conference_id=conf.id), obj=conf, exclude=actor)


def contributions_asked(conf: Conference, papers: list[ConferenceContribution], *, actor) -> int:
    sent = 0
    for c in papers:
        sent += notifications.notify(
            notifications.users_serving(c.unit), f"Đề nghị gửi tham luận «{c.topic}» trước ngày {fmt_date(c.deadline)}"
            f" — {conf.title}", kind="contribution_asked",
            link=link("conferences.contribution", conference_contribution_id=c.id), obj=c, exclude=actor)
    return sent


def contribution_changed(c: ConferenceContribution, *, actor) -> int:
    """After a submission the organiser hears of it; after a review or withdrawal, the asked unit."""
    to_organiser = c.state == "submitted"
    units = c.conference.unit if to_organiser else c.unit
    title = (f"{c.unit.name} đã gửi tham luận «{c.title}»" if to_organiser
             else f"Tham luận «{c.title or c.topic}»: {c.state_label.lower()}")
    return notifications.notify(notifications.users_serving(units), f"{title} — {c.conference.title}",
                                kind="contribution_" + c.state, body=c.return_reason if c.state == "returned" else "",
                                link=link("conferences.contribution", conference_contribution_id=c.id), obj=c,
                                exclude=actor)
