"""The one error the inspection services raise: a Vietnamese message, the form field, a status."""
from __future__ import annotations


class InspectionError(Exception):
    def __init__(self, message: str, field: str | None = None, status: int = 422):
        super().__init__(message)
        self.message = message
        self.field = field
        self.status = status
