"""Failed logins lock the pair (account, client address), never the account alone.

A lock on the account alone let anyone keep `admin` out with five tries a quarter hour; a lock on
the pair stops guessing from one address while the owner, from their own machine, still logs in.
Guessing from many addresses meets the per-address limit on the login form (core/security) and
the answer never tells whether the account exists. Counters live in the rate-limit storage
(memory:// embedded, Redis with REDIS_URL), so every app server sees the same counts.
"""
from __future__ import annotations

from time import time

from flask import current_app, request
from limits import RateLimitItemPerMinute

from danvan.core import audit
from danvan.core.security import limiter


def _item() -> RateLimitItemPerMinute:
    cfg = current_app.config
    return RateLimitItemPerMinute(cfg["LOGIN_MAX_FAILURES"], cfg["LOGIN_LOCK_MINUTES"], namespace="LOGINFAIL")


def _keys(username: str) -> tuple[str, str]:
    return username, request.remote_addr or "-"


def minutes_left(username: str) -> int:
    """Minutes until this address may try this username again; 0 when not locked."""
    stats = limiter.limiter.get_window_stats(_item(), *_keys(username))
    if stats.remaining > 0:
        return 0
    return max(1, int((stats.reset_time - time()) // 60) + 1)


def record_failure(username: str, user) -> bool:
    """Count a failed login; True when it locks the pair now (audited on the account)."""
    item = _item()
    limiter.limiter.hit(item, *_keys(username))
    locked = limiter.limiter.get_window_stats(item, *_keys(username)).remaining == 0
    if user is not None:
        audit.record(None, "locked" if locked else "login_failed", user,
                     {"address": [None, request.remote_addr]})
    return locked


def clear(username: str) -> None:
    limiter.limiter.clear(_item(), *_keys(username))
