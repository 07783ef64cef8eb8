"""The error a service raises when it refuses input: a Vietnamese message for the user, the form
field it concerns (None: the whole form) and the HTTP status the view answers with."""
from __future__ import annotations


class ServiceError(Exception):
    def __init__(self, message: str, field: str | None = None, status: int = 422):
        super().__init__(message)
        self.message = message
        self.field = field
        self.status = status
