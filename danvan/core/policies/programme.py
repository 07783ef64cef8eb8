"""Đề án tracker: a unit writes its own progress reports while drafting; the programme's owning tree
manages its structure. Transitions (submit, accept, return) are the workflow configuration's in
programme/service.py."""
from __future__ import annotations

from danvan.core.access import has_permission
from danvan.core.policies import rule
from danvan.core.units import scope_root

EDITABLE = ("draft", "returned")


def _own_unit(user, report) -> bool:
    """Units report for themselves (a ban's staff for its committee)."""
    return scope_root(user.unit).id == report.unit_id


@rule("ProgressReport", "edit")
def report_edit(user, report) -> bool:
    """The unit that writes the report edits it while it is a draft or returned."""
    return report.state in EDITABLE and has_permission(user, "programme.report") and _own_unit(user, report)


@rule("ProgressReport", "submit")
def report_submit(user, report) -> bool:
    """Only the unit that wrote the report sends it up; the workflow decides the states and the role
    (and a reviewer above, who may see the report, never sends it in the unit's name)."""
    return _own_unit(user, report)


@rule("Programme", "draft_soket")
def programme_draft_soket(user, programme) -> bool:
    """The sơ kết draft becomes a filed report (BC) of the user's committee: reporting and filing roles."""
    return has_permission(user, "programme.report") and has_permission(user, "plans.edit")
