"""Dân vận khéo pages: one blueprint (views.common.bp), its routes in modules by domain."""
from danvan.initiatives.views import (  # noqa: F401  (their routes join the blueprint)
    configuration,
    consolidation,
    recognition,
    registrations,
    spreadsheets,
)
from danvan.initiatives.views.common import bp

__all__ = ["bp"]
