"""Hostile input stops at the request boundary: bounded ids, bounded numbers and dates, no NUL.

Every value a user can type reaches the database or date arithmetic; values outside what the
columns hold (PostgreSQL INTEGER is 32-bit, SQLite 64-bit) or outside what `datetime` can add
days to made the driver raise, which answered 500. Here they answer 404 (an id that cannot
exist) or 400/422 with a Vietnamese message instead.
"""
from __future__ import annotations

import math
from datetime import date, datetime
from decimal import Decimal

from flask import Flask, request
from werkzeug.exceptions import BadRequest
from werkzeug.routing import IntegerConverter, ValidationError

from danvan.core.vntext import INT_MAX, INT_MIN

# Amounts, weights, scores: nothing in this domain comes near; Numeric columns overflow past it.
NUMBER_LIMIT = 10**12
YEAR_MIN, YEAR_MAX = 1900, 2100

INT_MESSAGE = f"Số phải nằm trong khoảng {INT_MIN:,} đến {INT_MAX:,}.".replace(",", ".")
NUMBER_MESSAGE = "Số không hợp lệ hoặc quá lớn."
DATE_MESSAGE = f"Ngày phải nằm trong khoảng năm {YEAR_MIN}–{YEAR_MAX}."
NUL_MESSAGE = ("Dữ liệu gửi lên chứa ký tự điều khiển không hợp lệ (NUL). "
               "Vui lòng nhập lại, không dán ký tự lạ.")


class HostileInput(BadRequest):
    """A 400 whose Vietnamese text the error page shows as is."""

    def __init__(self, message: str):
        super().__init__(message)
        self.vi_message = message


class BoundedIntConverter(IntegerConverter):
    """`<int:...>` for every route: an id beyond the database's integer range is a 404."""

    def __init__(self, map, *args, **kwargs):  # noqa: A002 - Werkzeug's signature
        kwargs.setdefault("max", INT_MAX)
        super().__init__(map, *args, **kwargs)

    def to_python(self, value: str) -> int:
        if len(value) > 12:  # do not even convert a 10,000-digit number
            raise ValidationError()
        return super().to_python(value)


def out_of_range(value) -> str | None:
    """The message when a parsed form value cannot be stored or computed with, else None."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, list | tuple):  # multiple selects
        return next((m for m in map(out_of_range, value) if m), None)
    if isinstance(value, int):
        return None if INT_MIN <= value <= INT_MAX else INT_MESSAGE
    if isinstance(value, float | Decimal):
        if isinstance(value, Decimal) and not value.is_finite():
            return NUMBER_MESSAGE
        if isinstance(value, float) and not math.isfinite(value):
            return NUMBER_MESSAGE
        return None if abs(value) < NUMBER_LIMIT else NUMBER_MESSAGE
    if isinstance(value, date | datetime):
        return None if YEAR_MIN <= value.year <= YEAR_MAX else DATE_MESSAGE
    return None


def _has_nul(values) -> bool:
    return any("\x00" in v for v in values if isinstance(v, str))


def refuse_nul() -> None:
    """Before every request: a NUL anywhere in the path, query, form or file names → 400.

    PostgreSQL cannot store NUL in text, and no legitimate form input contains one."""
    args = request.args
    if "\x00" in request.path or _has_nul(args.keys()) or _has_nul(v for _, v in args.items(multi=True)):
        raise HostileInput(NUL_MESSAGE)
    if request.method in ("POST", "PUT", "PATCH", "DELETE"):
        form = request.form
        if _has_nul(form.keys()) or _has_nul(v for _, v in form.items(multi=True)):
            raise HostileInput(NUL_MESSAGE)
        if _has_nul(f.filename for _, f in request.files.items(multi=True)):
            raise HostileInput(NUL_MESSAGE)


def init_app(app: Flask) -> None:
    """Call before blueprints are registered: converters bind when rules are added."""
    app.url_map.converters["int"] = BoundedIntConverter
    app.before_request_funcs.setdefault(None, []).insert(0, refuse_nul)
