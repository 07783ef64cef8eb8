"""One paginator for every list: counts in SQL, fetches one page, builds page links."""
from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from math import ceil
from typing import Any

import sqlalchemy as sa
from flask import current_app, render_template, request
from markupsafe import Markup

from danvan.core import cache
from danvan.core.vntext import int_or_none
from danvan.extensions import db


@dataclass
class Page:
    items: list
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, ceil(self.total / self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def first_index(self) -> int:
        return (self.page - 1) * self.per_page + 1 if self.total else 0

    @property
    def last_index(self) -> int:
        return min(self.page * self.per_page, self.total)


def page_arg() -> int:
    # Bounded: page=999…9 would make an OFFSET the database cannot hold.
    return int_or_none(request.args.get("page"), 1, 10**6) or 1


def paginate(stmt: sa.Select, *, page: int | None = None, per_page: int | None = None,
             scalars: bool = True) -> Page:
    per_page = per_page or current_app.config["PER_PAGE"]
    total = db.session.scalar(sa.select(sa.func.count()).select_from(stmt.order_by(None).subquery())) or 0
    page = _clamp(page or page_arg(), total, per_page)
    result = db.session.execute(stmt.limit(per_page).offset((page - 1) * per_page))
    items = list(result.scalars()) if scalars else list(result)
    return Page(items=items, page=page, per_page=per_page, total=total)


def cached_page(scopes: Iterable[str], key: str, fill: Callable[[int], tuple[Page, str, Any]]
                ) -> tuple[Page, Markup, Any]:
    """A list's page whose table is rendered once per data version of `scopes` (core/cache), then
    served from the cache. `fill(page number)` returns the Page, its table's HTML (our autoescaped
    templates; nothing user-specific that `key` omits, no CSRF token) and any plain extra data cached
    with it. Returned: the Page's counts without items, the table, the extra. The pager is rendered
    around the table by the caller: its links echo the request's arguments."""
    wanted = page_arg()

    def compute() -> tuple[int, int, int, str, Any]:
        page, html, extra = fill(wanted)
        return page.page, page.per_page, page.total, str(html), extra

    number, per_page, total, html, extra = cache.cached(scopes, f"{key}:page={wanted}", compute)
    return Page(items=[], page=number, per_page=per_page, total=total), Markup(html), extra


def cached_table(scopes: Iterable[str], key: str, stmt: Callable[[], sa.Select], template: str,
                 **context) -> tuple[Page, Markup]:
    """`cached_page` of the commonest list: `template` renders the requested page of `stmt()` as
    `items` (with `context`). Returned: the Page's counts and the table."""
    def fill(wanted: int) -> tuple[Page, str, None]:
        page = paginate(stmt(), page=wanted)
        return page, render_template(template, items=page.items, **context), None

    page, table, _ = cached_page(scopes, key, fill)
    return page, table


def list_key(name: str, *filters: Any) -> str:
    """A list cache key: `name` (the list and whose scope), then a digest of the filters, which may
    carry any text a query string holds."""
    return f"{name}:{hashlib.blake2b(repr(filters).encode(), digest_size=8).hexdigest()}"


def paginate_rows(rows: list, *, page: int | None = None, per_page: int | None = None) -> Page:
    """A page of rows already computed in Python (a roll-up), as the same Page as SQL lists."""
    per_page = per_page or current_app.config["PER_PAGE"]
    page = _clamp(page or page_arg(), len(rows), per_page)
    return Page(items=rows[(page - 1) * per_page: page * per_page], page=page, per_page=per_page, total=len(rows))


def _clamp(page: int, total: int, per_page: int) -> int:
    """A page past the end shows the last one."""
    return min(page, max(1, ceil(total / per_page)))
