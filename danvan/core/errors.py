"""The error a service raises when it refuses input: a Vietnamese message for the user, the form
field it concerns (None: the whole form) and the HTTP status the view answers with."""
from __future__ import annotations

from danvan.core.vntext import fmt_number


class ServiceError(Exception):
    def __init__(self, message: str, field: str | None = None, status: int = 422):
        super().__init__(message)
        self.message = message
        self.field = field
        self.status = status


def checked_text(value: str | None, field: str, label: str, limit: int, *, required: str | None = None,
                 error: type[ServiceError] = ServiceError) -> str:
    """The stripped text a service stores: refused past `limit` characters («<label> tối đa N ký tự.»),
    and, with a `required` message, refused empty."""
    text = (value or "").strip()
    if required and not text:
        raise error(required, field)
    if len(text) > limit:
        raise error(f"{label} tối đa {fmt_number(limit)} ký tự.", field)
    return text
