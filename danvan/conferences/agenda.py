"""The programme of a conference: items in order, moved one place at a time."""
from __future__ import annotations

from datetime import time

from danvan.core.vntext import clean
from danvan.extensions import db

from .models import Conference, ConferenceContribution, ConferenceItem
from .service import ConferenceError


def _fields(content: str, presenter: str, document: str) -> tuple[str, str, str]:
    content, presenter, document = clean(content), clean(presenter), clean(document)
    if not content:
        raise ConferenceError("Nhập nội dung.", "content")
    if len(content) > 500 or len(presenter) > 300 or len(document) > 300:
        raise ConferenceError("Nội dung tối đa 500, người trình bày và tài liệu tối đa 300 ký tự.", "content")
    return content, presenter, document


def update_item(item: ConferenceItem, *, start_time: time | None, content: str, presenter: str = "",
                document: str = "", version) -> ConferenceItem:
    """Edited in place, keeping its place (and its tham luận link); stale saves are refused."""
    item.check_version(version)
    item.content, item.presenter, item.document = _fields(content, presenter, document)
    item.start_time = start_time
    db.session.flush()
    return item


def add_item(conf: Conference, *, start_time: time | None, content: str, presenter: str = "",
             document: str = "", contribution: ConferenceContribution | None = None) -> ConferenceItem:
    content, presenter, document = _fields(content, presenter, document)
    last = max((i.position for i in conf.items), default=0)
    item = ConferenceItem(start_time=start_time, content=content, presenter=presenter, document=document,
                          position=last + 1, contribution=contribution)
    conf.items.append(item)
    db.session.flush()
    return item


def move_item(item: ConferenceItem, direction: str) -> None:
    items = sorted(item.conference.items, key=lambda i: (i.position, i.id))
    index = items.index(item)
    other = index - 1 if direction == "up" else index + 1
    if 0 <= other < len(items):
        items[index], items[other] = items[other], items[index]
    for pos, it in enumerate(items, start=1):
        it.position = pos
    db.session.flush()
    db.session.expire(item.conference, ["items"])   # reload in the new order


def remove_item(item: ConferenceItem) -> None:
    item.conference.items.remove(item)
    db.session.flush()
