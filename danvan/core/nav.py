"""Navigation entries registered by each feature, shown by permission."""
from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint

from danvan.core import access


@dataclass(frozen=True)
class NavItem:
    label: str
    endpoint: str
    permission: str
    order: int
    group: str = "main"   # "main" or "admin"


_items: list[NavItem] = []


def register(label: str, endpoint: str, permission: str, order: int, group: str = "main") -> None:
    access.roles_for(permission)
    if not any(i.endpoint == endpoint for i in _items):
        _items.append(NavItem(label, endpoint, permission, order, group))


def blueprint(name: str, import_name: str, label: str, permission: str, order: int, *, endpoint: str = "index",
              group: str = "main", **options) -> Blueprint:
    """A feature's blueprint and its navigation entry, which opens the blueprint's `endpoint` (its index
    page unless told). `options` go to Blueprint (url_prefix, cli_group…)."""
    register(label, f"{name}.{endpoint}", permission, order, group)
    return Blueprint(name, import_name, **options)


def current(items: list[NavItem], endpoint: str | None) -> NavItem | None:
    """The one entry the page belongs to: its own endpoint, else the first entry of its
    blueprint. Never two at once (a page is in one section)."""
    if not endpoint:
        return None
    for item in items:
        if item.endpoint == endpoint:
            return item
    blueprint = endpoint.split(".")[0]
    return next((i for i in items if i.endpoint.split(".")[0] == blueprint), None)


def items_for(user, group: str = "main") -> list[NavItem]:
    return sorted((i for i in _items if i.group == group and access.has_permission(user, i.permission)),
                  key=lambda i: i.order)
