"""Samples for conference routes: objects organised by C1 (own) and C3 (other)."""
from __future__ import annotations

import io
from datetime import UTC, date, datetime, time

from pypdf import PdfWriter

from danvan.conferences.models import (
    Conference,
    ConferenceChair,
    ConferenceContribution,
    ConferenceInvitee,
    ConferenceItem,
    ConferencePoint,
)
from danvan.extensions import db


def blank_pdf() -> bytes:
    """A one-page PDF, as a tham luận file."""
    out = io.BytesIO()
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer.write(out)
    return out.getvalue()


def make_conference(unit, **kw) -> Conference:
    conf = Conference(unit=unit, kind="so_ket", title=kw.pop("title", f"Hội nghị sơ kết {unit.name}"),
                      search_key="hoi nghi so ket",
                      starts_at=kw.pop("starts_at", datetime(2026, 12, 10, 1, tzinfo=UTC)),
                      ends_at=kw.pop("ends_at", datetime(2026, 12, 10, 4, tzinfo=UTC)), venue="Hội trường", **kw)
    db.session.add(conf)
    db.session.flush()
    return conf


def _pair(world, build):
    return build(world.c1).id, build(world.c3).id


def _conference(world):
    return _pair(world, make_conference)


def _chair(world):
    return _pair(world, lambda u: _attach(make_conference(u), "chairs", ConferenceChair(name="Ma Văn Cường")))


def _point(world):
    return _pair(world, lambda u: _attach(make_conference(u), "points", ConferencePoint(unit=u, venue="Hội trường")))


def _invitee(world):
    return _pair(world, lambda u: _attach(make_conference(u), "invitees", ConferenceInvitee(unit=u, addressee="LĐ")))


def _item(world):
    return _pair(world, lambda u: _attach(make_conference(u), "items", ConferenceItem(content="Khai mạc", position=1,
                                                                                start_time=time(8))))


def _contribution(world):
    return _pair(world, lambda u: _attach(make_conference(u), "contributions", ConferenceContribution(
        unit=u, topic="Kinh nghiệm", deadline=date(2026, 12, 5), state="submitted", title="Tham luận")))


def _attach(conf, attr, obj):
    getattr(conf, attr).append(obj)
    db.session.flush()
    return obj


SAMPLES = {
    "conference_id": _conference, "conference_chair_id": _chair, "conference_point_id": _point,
    "conference_invitee_id": _invitee, "conference_item_id": _item, "conference_contribution_id": _contribution,
    "conference_doc": lambda world: ("chuong-trinh", "chuong-trinh"),
    "conference_list": lambda world: ("diem-cau", "diem-cau"),
}
