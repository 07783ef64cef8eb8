"""Conferences: one blueprint (views/page.py), its routes grouped by part of the conference page."""
from __future__ import annotations

from . import contributions, main, parts  # noqa: F401  (each module adds its routes to bp)
from .page import bp

__all__ = ["bp"]
