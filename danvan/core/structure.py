"""«Theo cơ cấu hiện tại»: read a merged unit's past as its successor's.

A merge closes the old units and keeps their records on them (core/units.py). Statistics, heatmaps and
call tracking show them that way by default; with the switch on (`?co_cau=hien_tai`) they fold each
closed unit's figures into the open unit that now stands for it, at the end of its successor chain.
One switch, one mapping, one link: every page asks this module, none restates it.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping

import sqlalchemy as sa
from flask import request, url_for
from sqlalchemy.orm import aliased

from danvan.core.units import Unit
from danvan.extensions import db

PARAM = "co_cau"
CURRENT = "hien_tai"
# A commune merged more often than this within the data's life is not expected; deeper links stay unfolded.
MAX_HOPS = 4


def wants_current(args: Mapping | None = None) -> bool:
    """The page was asked for the current structure."""
    return (request.args if args is None else args).get(PARAM) == CURRENT


def successor_map() -> sa.Subquery:
    """(unit_id, current_id) for every unit with a successor: the open unit its history now belongs to."""
    hops = [aliased(Unit, name=f"hop{i}") for i in range(MAX_HOPS)]
    stmt = sa.select(hops[0].id.label("unit_id"),
                     sa.func.coalesce(*(h.id for h in reversed(hops[1:]))).label("current_id"))
    stmt = stmt.select_from(hops[0]).join(hops[1], hops[1].id == hops[0].successor_id)
    for prev, nxt in zip(hops[1:], hops[2:]):
        stmt = stmt.outerjoin(nxt, nxt.id == prev.successor_id)
    return stmt.subquery("successor_map")


def current_ids(unit_ids: Iterable[int]) -> dict[int, int]:
    """unit id → the id of the open unit standing for it now, for the given ids that were merged (one query)."""
    ids = sorted(set(unit_ids))
    if not ids:
        return {}
    m = successor_map()
    return dict(db.session.execute(sa.select(m.c.unit_id, m.c.current_id).where(m.c.unit_id.in_(ids))).all())


def toggle() -> dict:
    """What the shared switch (templates/_structure_toggle.html) needs: the state and the other state's URL."""
    on = wants_current()
    # the query string may repeat a path argument or name url_for's own options (_external…): the path wins
    args = {k: v for k, v in request.args.items(multi=False) if k not in (PARAM, "page") and not k.startswith("_")}
    if not on:
        args[PARAM] = CURRENT
    return {"on": on, "url": url_for(request.endpoint, **{**args, **(request.view_args or {})}), "param": PARAM,
            "value": CURRENT}
