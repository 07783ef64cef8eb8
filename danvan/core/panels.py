"""Dashboard panels as a registry that features fill: a template and a function giving its context.

Core knows no feature: each feature registers its panels at import; the dashboard only asks
`rendered_for(user)` (or `panels_for(user)` for the raw contexts).

Each panel's HTML is cached per user (id, unit, roles), hour and the data versions of its scopes
(by default the feature named by its key, and the unit tree): a write in scope shows at once, a
panel that only ages (deadlines, upcoming conferences) is recomputed within the hour.

The whole dashboard runs at most 15 statements with every panel full and an empty cache
(tests/test_dashboard_queries.py). A panel's counts go through `counts(user) -> {name: scalar
subquery}`: the counts of every panel being computed are fetched together in ONE statement and given
to `context(user, counts)`; its lists cost one indexed query each."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa
from flask import render_template
from markupsafe import Markup

from danvan.core import cache
from danvan.core.units import Unit
from danvan.core.vntext import now_utc
from danvan.extensions import db

UNITS = "units"
cache.watch(Unit, UNITS)

Counts = Callable[[object], dict[str, sa.ColumnElement]]


@dataclass(frozen=True)
class Panel:
    key: str
    template: str
    context: Callable[..., dict]   # context(user) -> dict, or context(user, counts); {} hides the panel
    order: int = 50
    scopes: tuple[str, ...] = ()
    counts: Counts | None = None


_panels: dict[str, Panel] = {}


def register(key: str, template: str, context: Callable[..., dict], order: int = 50, *,
             scopes: tuple[str, ...] | None = None, counts: Counts | None = None) -> None:
    """`scopes`: the data versions the panel depends on; by default its feature (= key) and the units.
    `counts`: the panel's scalar counts, batched with the other panels' (then `context(user, counts)`)."""
    scopes = (key, UNITS) if scopes is None else tuple(scopes)
    cache.declare(*scopes)
    _panels[key] = Panel(key, template, context, order, scopes, counts)


def count(stmt: sa.Select) -> sa.ScalarSelect:
    """The number of rows of a list query, as a scalar subquery for a panel's `counts`."""
    return sa.select(sa.func.count()).select_from(stmt.order_by(None).subquery()).scalar_subquery()


def _ordered() -> list[Panel]:
    return sorted(_panels.values(), key=lambda p: p.order)


def _contexts(user, panels: list[Panel]) -> list[dict]:
    """The panels' contexts; every count of theirs comes from one statement."""
    wanted: dict[tuple[str, str], sa.ColumnElement] = {}
    for panel in panels:
        if panel.counts is not None:
            wanted.update({(panel.key, name): col for name, col in (panel.counts(user) or {}).items()})
    values: dict[tuple[str, str], object] = {}
    if wanted:
        row = db.session.execute(sa.select(*(col.label(f"c{i}") for i, col in enumerate(wanted.values())))).one()
        values = dict(zip(wanted, row, strict=True))
    out = []
    for panel in panels:
        if panel.counts is None:
            out.append(panel.context(user))
        else:
            out.append(panel.context(user, {name: value for (key, name), value in values.items() if key == panel.key}))
    return out


def panels_for(user) -> list[tuple[Panel, dict]]:
    panels = _ordered()
    return [(panel, ctx) for panel, ctx in zip(panels, _contexts(user, panels), strict=True) if ctx]


def rendered_for(user) -> list[Markup]:
    """The HTML of each panel that has something to show, in order; cached (see the module doc).
    Only the panels missing from the cache are computed, their counts in one statement."""
    who = f"{user.id}:{user.unit_id}:{','.join(sorted(user.roles))}:{now_utc():%Y%m%d%H}"
    panels = _ordered()

    def compute(missing: list[int]) -> list[str]:
        chosen = [panels[i] for i in missing]
        return [render_template(panel.template, ctx=ctx) if ctx else ""
                for panel, ctx in zip(chosen, _contexts(user, chosen), strict=True)]

    html = cache.cached_batch([(p.scopes, f"html:panel:{p.key}:{who}") for p in panels], compute)
    return [Markup(h) for h in html if h]
