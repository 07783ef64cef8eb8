"""The visit and recommendation lists at any scale: a page of rows is rendered once per reader,
filters, page and data version (of the inspections and the unit tree), then served from the cache;
any write in scope shows at once. The pager is rendered around the cached table (its links follow
the request's arguments)."""
from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from flask import render_template
from markupsafe import Markup

from danvan.core.pagination import Page, cached_page, paginate

from . import planning
from .overview import SCOPES


def cached_table(name: str, user, filters: tuple, stmt: Callable[[], sa.Select], template: str,
                 **context) -> tuple[Page, Markup]:
    """(the page, with its counts but no items; the table's HTML) of `stmt()` at the requested page."""
    def fill(wanted: int) -> tuple[Page, str, None]:
        page = paginate(stmt(), page=wanted)
        return page, render_template(template, items=page.items, **context), None

    page, table, _ = cached_page(SCOPES, f"inspections:{name}:{planning.visibility_key(user)}:{filters!r}", fill)
    return page, table
