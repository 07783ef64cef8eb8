"""The scoped, filtered list of registrations and its filters."""
from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from danvan.core import access, cache
from danvan.core.units import Unit
from danvan.core.vntext import int_or_none, matches, today_local
from danvan.extensions import db
from danvan.initiatives.models import REGISTERED_STATES, STATES, Initiative

YEAR_SCOPES = ("initiatives", "units")   # registrations, and the unit tree that scopes them
cache.declare(*YEAR_SCOPES)


@dataclass
class Filters:
    q: str = ""
    year: int | None = None
    field_id: int | None = None
    kind_id: int | None = None
    state: str = ""
    unit_id: int | None = None
    is_new: str = ""          # "", "new", "maintained"
    exemplary: bool = False
    to_review: bool = False   # sent by units below the actor's committee: what the actor reviews

    def as_args(self) -> dict:
        out = {"q": self.q, "year": self.year, "field_id": self.field_id, "kind_id": self.kind_id,
               "state": self.state, "unit_id": self.unit_id, "is_new": self.is_new,
               "exemplary": "1" if self.exemplary else None, "cho_xem_xet": "1" if self.to_review else None}
        return {k: v for k, v in out.items() if v not in (None, "")}


def parse_filters(args) -> Filters:
    state = args.get("state", "")
    is_new = args.get("is_new", "")
    return Filters(q=(args.get("q") or "")[:200], year=int_or_none(args.get("year")),
                   field_id=int_or_none(args.get("field_id")), kind_id=int_or_none(args.get("kind_id")),
                   state=state if state in STATES or state == "registered" else "",
                   unit_id=int_or_none(args.get("unit_id")),
                   is_new=is_new if is_new in ("new", "maintained") else "", exemplary=args.get("exemplary") == "1",
                   to_review=args.get("cho_xem_xet") == "1")


def list_stmt(actor, f: Filters) -> sa.Select:
    """The scoped, filtered list. Scope, search, year and unit pick the ids from the
    (unit_id, year) index alone; the other filters and the rows come after (bench: a search
    over 500.000 rows reads only the province's index entries)."""
    ids = access.scoped(sa.select(Initiative.id), Initiative.unit_id, actor)
    if (found := matches(f.q, Initiative.search_key)) is not None:
        ids = ids.where(found)
    if f.year:
        ids = ids.where(Initiative.year == f.year)
    if f.unit_id:
        unit = db.session.get(Unit, f.unit_id)
        if unit is not None:
            ids = ids.where(Initiative.unit_id.in_(sa.select(Unit.id).where(
                Unit.path.startswith(unit.path, autoescape=True))))
        else:
            ids = ids.where(sa.false())
    stmt = sa.select(Initiative).where(Initiative.id.in_(ids))
    if f.field_id:
        stmt = stmt.where(Initiative.field_id == f.field_id)
    if f.kind_id:
        stmt = stmt.where(Initiative.kind_id == f.kind_id)
    if f.state == "registered":
        stmt = stmt.where(Initiative.state.in_(REGISTERED_STATES))
    elif f.state:
        stmt = stmt.where(Initiative.state == f.state)
    if f.is_new:
        stmt = stmt.where(Initiative.is_new.is_(f.is_new == "new"))
    if f.exemplary:
        stmt = stmt.where(Initiative.exemplary.is_(True))
    if f.to_review:   # the dashboard's "chờ xem xét" count is this list's total
        stmt = stmt.where(Initiative.state == "submitted", Initiative.unit_id.notin_((actor.scope.id, actor.unit_id)))
    # Newest first within a year. Not by id alone: PostgreSQL would walk the primary key
    # backwards through every province instead of reading the scope's units (bench).
    return stmt.order_by(Initiative.year.desc(), Initiative.created_at.desc(), Initiative.id.desc())


def years_in_scope(actor) -> list[int]:
    """Years with registrations in scope, and the current year. The distinct years are cached per
    scope and data version: over a national scope they are an index scan of every registration."""
    def compute() -> list[int]:
        return list(db.session.scalars(access.scoped(sa.select(Initiative.year).distinct(), Initiative.unit_id,
                                                     actor)))
    years = cache.cached(YEAR_SCOPES, f"dvk-years:{actor.scope.id}", compute)
    return sorted(set(years) | {today_local().year}, reverse=True)
