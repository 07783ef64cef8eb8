"""Dashboard panels as a registry that features fill: a template and a function giving its context.

Core knows no feature: each feature registers its panels at import; the dashboard only asks
`rendered_for(user)` (or `panels_for(user)` for the raw contexts).

Each panel's HTML is cached per user (id, unit, roles), hour and the data versions of its scopes
(by default the feature named by its key, and the unit tree): a write in scope shows at once, a
panel that only ages (deadlines, upcoming conferences) is recomputed within the hour."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import render_template
from markupsafe import Markup

from danvan.core import cache
from danvan.core.units import Unit
from danvan.core.vntext import now_utc

UNITS = "units"
cache.watch(Unit, UNITS)


@dataclass(frozen=True)
class Panel:
    key: str
    template: str
    context: Callable[[object], dict]   # context(user) -> dict, or {} to hide the panel
    order: int = 50
    scopes: tuple[str, ...] = ()


_panels: dict[str, Panel] = {}


def register(key: str, template: str, context: Callable[[object], dict], order: int = 50, *,
             scopes: tuple[str, ...] | None = None) -> None:
    """`scopes`: the data versions the panel depends on; by default its feature (= key) and the units."""
    scopes = (key, UNITS) if scopes is None else tuple(scopes)
    cache.declare(*scopes)
    _panels[key] = Panel(key, template, context, order, scopes)


def panels_for(user) -> list[tuple[Panel, dict]]:
    out = []
    for panel in sorted(_panels.values(), key=lambda p: p.order):
        ctx = panel.context(user)
        if ctx:
            out.append((panel, ctx))
    return out


def _render(panel: Panel, user) -> str:
    ctx = panel.context(user)
    return render_template(panel.template, ctx=ctx) if ctx else ""


def rendered_for(user) -> list[Markup]:
    """The HTML of each panel that has something to show, in order; cached (see the module doc)."""
    who = f"{user.id}:{user.unit_id}:{','.join(sorted(user.roles))}:{now_utc():%Y%m%d%H}"
    out = []
    for panel in sorted(_panels.values(), key=lambda p: p.order):
        html = cache.cached_html(panel.scopes, f"panel:{panel.key}:{who}", lambda p=panel: _render(p, user))
        if html:
            out.append(html)
    return out
