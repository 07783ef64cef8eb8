"""Dashboard panels as a registry that features fill: a template and a function giving its context.

Core knows no feature: each feature registers its panels at import; the dashboard only asks
`panels_for(user)`."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Panel:
    key: str
    template: str
    context: Callable[[object], dict]   # context(user) -> dict, or {} to hide the panel
    order: int = 50


_panels: dict[str, Panel] = {}


def register(key: str, template: str, context: Callable[[object], dict], order: int = 50) -> None:
    _panels[key] = Panel(key, template, context, order)


def panels_for(user) -> list[tuple[Panel, dict]]:
    out = []
    for panel in sorted(_panels.values(), key=lambda p: p.order):
        ctx = panel.context(user)
        if ctx:
            out.append((panel, ctx))
    return out
