"""Read-mostly aggregates cached under keys that carry a data version (caches never lie).

A data version is a random token per named scope ("programme", "initiatives"…), kept in the
database table `data_version`. Writers bump it in their own transaction (`bump`), readers read it
first and put it into the cache key (`cached`). Why this is never stale:
- the reader reads the token before the data, so a token committed with new data is never paired
  with older data (READ COMMITTED: a later statement sees everything committed before it);
- the token is random, not a counter: a rolled-back transaction (a 4xx, a test) can never make a
  later write reuse a key whose cached value was computed from data that no longer exists;
- the token lives in the database, so every process (gunicorn workers with an in-process
  SimpleCache, app servers sharing Redis) sees the same one.
The cache backend: Redis when REDIS_URL is set, else an in-process SimpleCache (embedded default).
Redis keys also name the code release (`code_release`): a value pickled by the previous release (a
dataclass of another shape, a template's older HTML) is never read by the next one during or after a
rolling deploy, though the data versions are the same.
"""
from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable, Iterable
from functools import cache as once
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import Flask, g, has_request_context
from flask_caching import Cache
from markupsafe import Markup
from sqlalchemy import event
from sqlalchemy.orm import Mapped, Session, mapped_column

from danvan.extensions import db

cache = Cache()
TIMEOUT = 3600  # a key never goes stale (the version changes); expiry only frees memory


class DataVersion(db.Model):
    __tablename__ = "data_version"

    id = None  # keyed by name
    name: Mapped[str] = mapped_column(sa.String(60), primary_key=True)
    token: Mapped[str] = mapped_column(sa.String(32))

    __repr_attrs__ = ("name", "token")


ROOT = Path(__file__).resolve().parents[2]
SOURCES = ((ROOT / "danvan", ("*.py", "*.toml")), (ROOT / "templates", ("*.html",)))


@once
def code_release() -> str:
    """The running release: the digest of the application's code, data files and templates (what
    shapes a cached value), the same on every app server running it. Read once per process."""
    return sources_digest(SOURCES)


def sources_digest(sources: tuple[tuple[Path, tuple[str, ...]], ...]) -> str:
    """A digest of the files matching the patterns in each folder: names and contents."""
    digest = hashlib.sha256()
    for folder, patterns in sources:
        for path in sorted(p for pattern in patterns for p in folder.rglob(pattern)):
            digest.update(str(path.relative_to(folder)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:12]


def init_app(app: Flask) -> None:
    redis_url = app.config.get("REDIS_URL")
    if redis_url:
        release = app.config.get("CACHE_RELEASE") or code_release()
        config = {"CACHE_TYPE": "RedisCache", "CACHE_REDIS_URL": redis_url, "CACHE_KEY_PREFIX": f"danvan:{release}:"}
    else:
        config = {"CACHE_TYPE": "SimpleCache", "CACHE_THRESHOLD": 2000}
    config["CACHE_DEFAULT_TIMEOUT"] = TIMEOUT
    cache.init_app(app, config={**config, **app.config.get("CACHE_OVERRIDES", {})})


def bump(names: Iterable[str], connection: sa.Connection | None = None) -> None:
    """Give each scope a new token, inside the caller's transaction (usable from flush events)."""
    conn = connection if connection is not None else db.session.connection()
    table = DataVersion.__table__
    for name in sorted(set(names)):
        token = secrets.token_hex(8)
        if conn.execute(sa.update(table).where(table.c.name == name).values(token=token)).rowcount == 0:
            conn.execute(sa.insert(table).values(name=name, token=token))
    _forget_versions()


def _forget_versions() -> None:
    if has_request_context():  # only requests remember versions
        g.pop("data_versions", None)


def versions(names: Iterable[str]) -> str:
    """The current tokens of the scopes, joined. Every token is read in one query, once per request
    (outside a request each call reads: another connection may have written since)."""
    memo = g.setdefault("data_versions", None) if has_request_context() else None
    if memo is None:
        memo = dict(db.session.execute(sa.select(DataVersion.name, DataVersion.token)).all())
        if has_request_context():
            g.data_versions = memo
    return ".".join(memo.get(n, "0") for n in sorted(set(names)))


def cached(scopes: Iterable[str], key: str, compute: Callable[[], Any]) -> Any:
    """`compute()` once per data version of `scopes`; the value must be picklable plain data."""
    full_key = f"{key}@{versions(scopes)}"
    value = cache.get(full_key)
    if value is None:
        value = compute()
        cache.set(full_key, value)
    return value


# Which writes bump which scope. A model defined in danvan/<feature>/ belongs to the scope named after
# its feature; `watch` adds more (the unit tree matters to every scoped figure). Only scopes some reader
# declared (`declare`, at import) are bumped: the others' writers take no lock on a version row.
_watched: dict[type, set[str]] = {}
_unwatched: set[type] = set()
_declared: set[str] = set()
_memo: dict[type, frozenset[str]] = {}


def declare(*scopes: str) -> None:
    """Readers name, at import, the scopes their cached values depend on."""
    _declared.update(scopes)


def watch(model: type, *scopes: str) -> None:
    """Every ORM insert, update or delete of `model` rows (bulk ones through the session included)
    bumps `scopes` in the same transaction. Writes outside the ORM (COPY) must call `bump`."""
    _watched.setdefault(model, set()).update(scopes)
    _memo.clear()


def unwatch(model: type) -> None:
    """The model's feature bumps its scope itself, more precisely (programme/summary.py)."""
    _unwatched.add(model)
    _memo.clear()


def scopes_of(model: type) -> frozenset[str]:
    if model not in _memo:
        names = {n for base, ns in _watched.items() if issubclass(model, base) for n in ns}
        parts = model.__module__.split(".")
        if len(parts) > 2 and parts[0] == "danvan" and parts[1] != "core" and model not in _unwatched:
            names.add(parts[1])
        _memo[model] = frozenset(names & _declared)
    return _memo[model]


@event.listens_for(Session, "after_flush")
def _bump_watched(session: Session, flush_context) -> None:
    changed = [o for o in session.dirty if session.is_modified(o, include_collections=False)]
    scopes = {n for obj in (*session.new, *changed, *session.deleted) for n in scopes_of(type(obj))}
    if scopes:
        bump(scopes, session.connection())


@event.listens_for(Session, "do_orm_execute")
def _bump_bulk(state) -> None:
    """`session.execute(sa.update(Model)…)` and friends bypass the flush: bump here."""
    if not (state.is_update or state.is_delete or state.is_insert):
        return
    mapper = state.bind_arguments.get("mapper")
    scopes = scopes_of(mapper.class_) if mapper is not None else frozenset()
    if scopes:
        bump(scopes, state.session.connection())


def cached_batch(entries: list[tuple[Iterable[str], str]], compute: Callable[[list[int]], list[Any]]) -> list[Any]:
    """`cached` for several keys at once: one cache round trip, and `compute(missing)` gets the indexes
    of the entries not in the cache and returns their values together (so their queries can be
    batched: the dashboard computes every missing panel's counts in one statement)."""
    keys = [f"{key}@{versions(scopes)}" for scopes, key in entries]
    values = list(cache.get_many(*keys)) if keys else []
    missing = [i for i, value in enumerate(values) if value is None]
    if missing:
        for i, value in zip(missing, compute(missing), strict=True):
            values[i] = value
            cache.set(keys[i], value)
    return values


def cached_html(scopes: Iterable[str], key: str, render: Callable[[], str]) -> Markup:
    """A rendered fragment of our own autoescaped templates, cached like `cached`. The fragment must
    depend only on what the key names (no CSRF token, no user-specific link that the key omits)."""
    return Markup(cached(scopes, "html:" + key, lambda: str(render())))
