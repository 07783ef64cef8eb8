"""Plans pages: one blueprint (views.common.bp), its routes in modules by domain."""
from danvan.plans.views import delegations, documents  # noqa: F401  (their routes join the blueprint)
from danvan.plans.views.common import bp

__all__ = ["bp"]
