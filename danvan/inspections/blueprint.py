"""The inspections blueprint, its navigation entries, dashboard panel and call kind."""
from __future__ import annotations

from danvan.core import nav, panels

from . import dashboard, report_call

bp = nav.blueprint("inspections", __name__, "Kiểm tra", "inspections.view", 55, url_prefix="/kiem-tra")
nav.register("Bộ tiêu chí kiểm tra", "inspections.checklists", "inspections.configure", 80, group="admin")
panels.register("inspections", "inspections/_panel.html", dashboard.panel_context, 40,
                counts=dashboard.panel_counts)
report_call.register()


@bp.cli.command("send-reminders")
def send_reminders_command() -> None:
    """Remind units and teams of overdue recommendations (`flask inspections send-reminders`)."""
    import click

    from danvan.extensions import db

    from . import recommendations

    sent = recommendations.send_reminders()
    db.session.commit()
    click.echo(f"Đã nhắc {sent} kiến nghị quá hạn.")
