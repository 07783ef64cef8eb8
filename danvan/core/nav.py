"""Navigation entries registered by each feature, shown by permission."""
from __future__ import annotations

from dataclasses import dataclass

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


def items_for(user, group: str = "main") -> list[NavItem]:
    return sorted((i for i in _items if i.group == group and access.has_permission(user, i.permission)),
                  key=lambda i: i.order)
