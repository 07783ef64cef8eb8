"""The organisation tree: units with validity dates, materialised paths and scope queries.

A unit's `path` is '/1/4/27/': the ids from the root down. "Everything under a unit" is a
prefix match on that path, one indexed comparison instead of a recursive query.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from danvan.core.audit import Audited
from danvan.core.models import Label, NameSorted, Timestamped, Versioned, by_name
from danvan.core.vntext import fold
from danvan.extensions import db

# kind → (label, may have children of these kinds)
KINDS: dict[str, str] = {
    "tinh_uy": "Tỉnh ủy",
    "ban": "Ban, cơ quan tham mưu",
    "huyen_uy": "Huyện ủy, Thành ủy",
    "dang_uy_truc_thuoc": "Đảng ủy trực thuộc",
    "xa": "Xã, phường, thị trấn",
    "thon": "Thôn, tổ dân phố",
}
# Kinds that report to the province: the "11 đơn vị" of the seeds.
REPORTING_KINDS = ("huyen_uy", "dang_uy_truc_thuoc")
# The levels a committee works with below it, by kind. No level is assumed to exist: since 2025 a
# province has communes directly under it and no district. Pickers, call and task forms name the
# levels through levels_under(), which reads the kinds actually present.
LEVEL_KINDS: dict[str, tuple[str, ...]] = {"district": REPORTING_KINDS, "commune": ("xa",)}
KIND_PLURALS: dict[str, str] = {"huyen_uy": "huyện, thành ủy", "dang_uy_truc_thuoc": "đảng ủy trực thuộc",
                                "xa": "xã, phường, thị trấn"}
# An advisory body (ban) works for the committee above it, so its staff see that committee's tree.
ADVISORY_KINDS = ("ban",)


class Unit(NameSorted, Audited, Versioned, Timestamped, db.Model):
    __tablename__ = "unit"
    __table_args__ = (
        sa.CheckConstraint(
            "kind IN ('tinh_uy','ban','huyen_uy','dang_uy_truc_thuoc','xa','thon')", name="kind"
        ),
        sa.CheckConstraint("valid_to IS NULL OR valid_to >= valid_from", name="validity"),
    )

    name: Mapped[str] = mapped_column(sa.String(200))
    name_key: Mapped[str] = mapped_column(sa.String(200), index=True)
    kind: Mapped[str] = mapped_column(sa.String(30))
    code: Mapped[str] = mapped_column(sa.String(20), default="")
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("unit.id"), index=True)
    path: Mapped[str] = mapped_column(sa.String(400), default="", index=True)
    depth: Mapped[int] = mapped_column(sa.Integer, default=0)
    valid_from: Mapped[date] = mapped_column(sa.Date, default=date(2000, 1, 1))
    valid_to: Mapped[date | None] = mapped_column(sa.Date)
    successor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("unit.id"))

    parent: Mapped[Unit | None] = relationship(
        remote_side="Unit.id", foreign_keys=[parent_id], back_populates="children"
    )
    children: Mapped[list[Unit]] = relationship(
        back_populates="parent", foreign_keys=[parent_id], order_by="Unit.sort_key"
    )
    successor: Mapped[Unit | None] = relationship(remote_side="Unit.id", foreign_keys=[successor_id])

    __repr_attrs__ = ("id", "name")

    kind_label = Label("kind", KINDS)

    @property
    def is_open(self) -> bool:
        return self.valid_to is None

    @property
    def ancestor_ids(self) -> list[int]:
        return [int(part) for part in self.path.strip("/").split("/") if part]

    def contains(self, other: Unit | None) -> bool:
        """True when `other` is this unit or lies under it."""
        return other is not None and other.path.startswith(self.path)


def scope_root(unit: Unit) -> Unit:
    """The unit whose subtree a member of `unit` may see: a ban sees its committee's tree."""
    if unit.kind in ADVISORY_KINDS and unit.parent is not None:
        return unit.parent
    return unit


def in_subtree(root: Unit):
    """SQL condition on Unit: the row lies in root's subtree (root included)."""
    return within(Unit.path, root.path)


def within(column, path):
    """`column` (a materialised path) starts with `path`, written as a range so that a plain b-tree
    index on the path serves it on both databases (PostgreSQL uses an index for LIKE 'x%' only under
    the C collation). Paths are '/' and digits, and '/' sorts just before '0': '/1/4/…' < '/1/40'.
    `path` is a string, or another path column (a join: one index range scan per joined row)."""
    end = path[:-1] + "0" if isinstance(path, str) else sa.func.substr(path, 1, sa.func.length(path) - 1) + "0"
    return sa.and_(column >= path, column < end)


def set_path(unit: Unit) -> None:
    """Compute path and depth from the parent; the unit must have an id (flush first)."""
    if unit.parent is None:
        unit.path, unit.depth = f"/{unit.id}/", 0
    else:
        unit.path, unit.depth = f"{unit.parent.path}{unit.id}/", unit.parent.depth + 1
    unit.name_key = fold(unit.name)


def add_unit(name: str, kind: str, *, parent: Unit | None, code: str = "",
             valid_from: date | None = None) -> Unit:
    if kind not in KINDS:
        raise ValueError(f"unknown unit kind {kind!r}")
    unit = Unit(name=name, name_key=fold(name), kind=kind, code=code, parent=parent,
                valid_from=valid_from or date(2000, 1, 1))
    db.session.add(unit)
    db.session.flush()
    set_path(unit)
    if parent is None:
        for setup in _province_setups:
            setup(unit)
    return unit


# Features that keep per-province lists (Dân vận khéo fields, kinds, criteria) make them when the
# province is created, so that no GET request ever has to write them.
_province_setups: list[Callable[[Unit], None]] = []


def register_province_setup(setup: Callable[[Unit], None]) -> None:
    if setup not in _province_setups:
        _province_setups.append(setup)


def subtree(root: Unit, *, open_only: bool = True) -> sa.Select:
    stmt = sa.select(Unit).where(in_subtree(root))
    if open_only:
        stmt = stmt.where(Unit.valid_to.is_(None))
    return stmt.order_by(Unit.path)


def tree_order(units: Iterable[Unit]) -> list[Unit]:
    """Units as the tree reads, for every unit picker: each parent, then its Ban, then its other
    children in Vietnamese alphabetical order. (The materialised path sorted as text put /1/10/
    before /1/4/.) Ancestors missing from `units` are read in one query."""
    units = list(units)
    known = {u.id: u for u in units}
    missing = {i for u in units for i in u.ancestor_ids} - known.keys()
    if missing:
        known.update((u.id, u) for u in db.session.scalars(sa.select(Unit).where(Unit.id.in_(missing))))

    def key(u: Unit) -> list[tuple]:
        return [(known[i].kind not in ADVISORY_KINDS, known[i].sort_key, i) for i in u.ancestor_ids]
    return sorted(units, key=key)


def tree_units(root: Unit) -> list[Unit]:
    """The open units of root's subtree, root included, in tree order."""
    return tree_order(db.session.scalars(subtree(root)))


def tree_choices(units: Iterable[Unit]) -> list[tuple[int, str]]:
    """Picker choices in tree order, each name indented by its depth below the list's top: '— — Xã A'."""
    ordered = tree_order(units)
    top = min((u.depth for u in ordered), default=0)
    return [(u.id, f"{'— ' * (u.depth - top)}{u.name}") for u in ordered]


@dataclass(frozen=True)
class Level:
    """A level present under a committee: its kinds that exist there, and how they hang under it."""

    key: str                    # "district" | "commune" (LEVEL_KINDS)
    kinds: tuple[str, ...]      # of the level's kinds, those with open units under the root
    any_direct: bool            # some of them are the root's direct children
    all_direct: bool            # all of them are

    @property
    def label(self) -> str:
        """'huyện, thành ủy, đảng ủy trực thuộc', 'xã, phường, thị trấn': for «Chọn tất cả …»."""
        return ", ".join(KIND_PLURALS[k] for k in self.kinds)


def levels_under(root: Unit) -> list[Level]:
    """The levels with open units under `root` (root excluded), top level first; one query."""
    kinds = [k for ks in LEVEL_KINDS.values() for k in ks]
    direct = sa.case((Unit.parent_id == root.id, 1), else_=0)
    rows = {kind: (lo, hi) for kind, lo, hi in db.session.execute(
        sa.select(Unit.kind, sa.func.min(direct), sa.func.max(direct))
        .where(in_subtree(root), Unit.id != root.id, Unit.valid_to.is_(None), Unit.kind.in_(kinds))
        .group_by(Unit.kind))}
    levels = []
    for key, level_kinds in LEVEL_KINDS.items():
        present = tuple(k for k in level_kinds if k in rows)
        if present:
            levels.append(Level(key, present, any(rows[k][1] for k in present), all(rows[k][0] for k in present)))
    return levels


def reporting_units(root: Unit) -> list[Unit]:
    """The open units directly answerable to `root`'s committee (districts and đảng ủy trực thuộc)."""
    return list(db.session.scalars(
        sa.select(Unit).where(Unit.parent_id == root.id, Unit.kind.in_(REPORTING_KINDS),
                              Unit.valid_to.is_(None)).order_by(by_name(Unit), Unit.id)
    ))


# Features register here how to move their open work from a unit being merged to its successor.
OpenWorkMover = Callable[[Unit, Unit], int]
_open_work_movers: dict[str, OpenWorkMover] = {}


def register_open_work_mover(label: str, mover: OpenWorkMover) -> None:
    """`mover(old, new)` reassigns unfinished items and returns how many it moved."""
    _open_work_movers[label] = mover


def open_work_movers() -> dict[str, OpenWorkMover]:
    return dict(_open_work_movers)
