"""The plans blueprint, its navigation and dashboard panel."""
from __future__ import annotations

import sqlalchemy as sa

from danvan import calls
from danvan.core import access, nav, panels
from danvan.core.units import register_open_work_mover
from danvan.core.vntext import today_local
from danvan.plans import documents as service

bp = nav.blueprint("plans", __name__, "Văn bản", "plans.view", 20, cli_group=None)
nav.register("Ủy quyền duyệt", "plans.delegations", "plans.approve", 70, group="admin")
register_open_work_mover("Văn bản chưa duyệt, yêu cầu nộp đang mở", service.move_open_work)


def _panel_counts(user) -> dict:
    if not access.has_permission(user, "plans.view"):
        return {}
    drafts = panels.count(service.my_drafts(user)) if access.has_permission(user, "plans.edit") else sa.literal(0)
    return {"drafts": drafts, "waiting": panels.count(service.waiting_for(user))}


def _panel(user, counts: dict) -> dict:
    """The counts come batched from the dashboard; the calls addressed to me are one query."""
    if not counts:
        return {}
    today = today_local()
    mine = calls.my_calls(user)
    pending = len(calls.still_to_send(mine))   # the list its link opens
    return {"drafts": counts["drafts"] or 0, "waiting": counts["waiting"] or 0, "soon": calls.due_soon(mine, today),
            "overdue": calls.overdue(mine, today), "today": today,
            "pending": pending,
            "can_edit": access.has_permission(user, "plans.edit")}


panels.register("plans", "plans/_panel.html", _panel, order=10, scopes=("plans", "calls", "units"),
                counts=_panel_counts)
