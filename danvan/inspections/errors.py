"""The one error the inspection services raise: a Vietnamese message, the form field, a status."""
from __future__ import annotations

from danvan.core.errors import ServiceError


class InspectionError(ServiceError):
    """Refused input or a step taken out of turn (status 409)."""
