"""What a call may ask for: each feature registers the kinds of call it answers.

    KIND = calls.register_kind(
        "document", "Văn bản (kế hoạch, báo cáo…)",
        objects={"PlanDocument": ("plans.document_detail", "document_id")},   # tracking links
        answer=("plans.document_new", "Soạn văn bản trả lời", "plans.edit"),  # target's button
        type_codes=True, default=True)

Registering needs no request and no database; it happens when the feature's service module is
imported (create_app imports every feature). The calls package never names a feature's kind.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class CallKind:
    kind: str
    label: str                     # what the call asks for, shown to users (Vietnamese)
    # object type answering the call -> (endpoint, url argument): the tracking page links to it
    objects: dict[str, tuple[str, str]] = field(default_factory=dict)
    # (endpoint, button label, permission): where a target answers; url_for(endpoint, call_id=…)
    answer: tuple[str, str, str] | None = None
    type_codes: bool = False       # the call names the document type wanted (KH, BC…)


_kinds: dict[str, CallKind] = {}
_default: list[str] = []
_links: dict[str, tuple[str, str]] = {}
_titles: dict[str, str] = {}


def register_kind(kind: str, label: str, *, objects: dict[str, tuple[str, str]] | None = None,
                  answer: tuple[str, str, str] | None = None, type_codes: bool = False,
                  default: bool = False, titles: dict[str, str] | None = None) -> str:
    """Declare a kind of call; returns `kind` so the feature keeps it as a constant.
    `default`: the kind a call gets when none is given (documents). `titles`: object type -> what
    it is, in Vietnamese ("Danh sách tổng hợp…"), shown where a unit sees what it sent."""
    if len(kind) > 40:
        raise ValueError("a call kind is at most 40 characters")
    _kinds[kind] = CallKind(kind, label, dict(objects or {}), answer, type_codes)
    _links.update(objects or {})
    _titles.update(titles or {})
    if default:
        _default[:] = [kind]
    return kind


def get_kind(kind: str) -> CallKind | None:
    return _kinds.get(kind)


def kind_choices() -> list[tuple[str, str]]:
    """(kind, label) of every registered kind, the default first."""
    return sorted(((k.kind, k.label) for k in _kinds.values()), key=lambda c: c[0] not in _default)


def default_kind() -> str | None:
    return _default[0] if _default else None


def kind_label(kind: str) -> str:
    """The kind's Vietnamese label; a kind no feature registers (any more) never shows its code."""
    found = _kinds.get(kind)
    return found.label if found is not None else "Yêu cầu nộp khác"


def object_link(object_type: str) -> tuple[str, str] | None:
    """(endpoint, url argument) of an object type answering calls of some kind."""
    return _links.get(object_type)


def object_title(object_type: str, kind: str) -> str:
    """What an object answering a call of `kind` is: its registered title, else the kind's label."""
    return _titles.get(object_type) or kind_label(kind)
