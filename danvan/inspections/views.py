"""The inspections blueprint with all its routes (split by subject into *_views modules)."""
from __future__ import annotations

from . import followup_views, plan_views, visit_views  # noqa: F401  (they register routes on bp)
from .blueprint import bp

__all__ = ["bp"]
