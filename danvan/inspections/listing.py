"""The visit and recommendation lists at any scale: a page of rows is rendered once per reader,
filters, page and data version (of the inspections and the unit tree), then served from the cache;
any write in scope shows at once. The pager is rendered around the cached table (its links follow
the request's arguments)."""
from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from markupsafe import Markup

from danvan.core import pagination
from danvan.core.pagination import Page

from . import planning
from .overview import SCOPES


def cached_table(name: str, user, filters: tuple, stmt: Callable[[], sa.Select], template: str,
                 **context) -> tuple[Page, Markup]:
    """(the page, with its counts but no items; the table's HTML) of `stmt()` at the requested page,
    for what the user may see (the key names their visibility)."""
    key = pagination.list_key(f"inspections:{name}:{planning.visibility_key(user)}", *filters)
    return pagination.cached_table(SCOPES, key, stmt, template, **context)
