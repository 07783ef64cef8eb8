"""Consolidation: statistics per unit and field, the list sent up, printing it."""
from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, render_template, request
from flask_login import current_user

from danvan.core import access, cache, structure
from danvan.core.access import requires
from danvan.core.formviews import start_job
from danvan.core.htmx import redirect_to
from danvan.core.units import Unit
from danvan.core.vntext import int_or_none, today_local
from danvan.extensions import db
from danvan.initiatives import jobs as initiative_jobs
from danvan.initiatives import search, statistics
from danvan.initiatives.config import InitiativeError
from danvan.initiatives.forms import ReportForm
from danvan.initiatives.models import InitiativeReport
from danvan.initiatives.views.common import bp, load_province

# registrations, the registration call and its answers, the unit tree
STATS_SCOPES = ("initiatives", "calls", "units")
cache.declare(*STATS_SCOPES)


def _stats_root() -> Unit:
    unit_id = int_or_none(request.args.get("unit_id"))
    if unit_id:
        return access.get_scoped_or_404(Unit, unit_id, current_user, unit_attr="id")
    return current_user.scope


def _stats_year() -> int:
    years = search.years_in_scope(current_user)
    year = int_or_none(request.args.get("year"))
    if year is None:
        past = [y for y in years if y <= today_local().year]
        with_data = [y for y in past if y != today_local().year] or past
        return with_data[0] if with_data else today_local().year
    if not 2000 <= year <= 2100:
        abort(404)
    return year


@bp.route("/tong-hop", endpoint="statistics")
@requires("initiatives.view")
def statistics_page():
    load_province()
    return _render_statistics(_stats_root(), _stats_year(), ReportForm(year=None))


def _render_statistics(root: Unit, year: int, report_form: ReportForm, status: int = 200):
    """The figures of a scope and year depend on no viewer: rendered once per data version and day (the
    late/missing flags follow the calendar) and shared by everyone who may see that scope."""
    may_send = access.can(current_user, "send_initiative_report", root)
    computed = {}
    current = structure.wants_current()

    def render() -> str:
        computed["stats"] = statistics.statistics(current_user, year, root, current_structure=current)
        return render_template("initiatives/_statistics.html", stats=computed["stats"])

    stats_html = cache.cached_html(STATS_SCOPES, f"dvk-stats:{root.id}:{year}:{today_local().isoformat()}:{current}",
                                   render)
    own_report = None
    if may_send:
        own_report = computed["stats"].own_report if computed else db.session.scalar(
            sa.select(InitiativeReport).where(InitiativeReport.unit_id == root.id, InitiativeReport.year == year))
    if report_form.year.data is None:
        report_form.year.data = year
    return render_template("initiatives/statistics.html", root=root, year=year, stats_html=stats_html,
                           years=search.years_in_scope(current_user), report_form=report_form, may_send=may_send,
                           own_report=own_report, structure=structure.toggle()), status


@bp.route("/tong-hop/gui", methods=["POST"])
@requires("initiatives.edit")
def send_report():
    form = ReportForm()
    if not form.validate_on_submit():
        flash(" ".join(e for errs in form.errors.values() for e in errs), "danger")
        return _bad(422)
    try:
        report = statistics.send_report(current_user, form.year.data, form.note.data)
    except InitiativeError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
        return _bad(exc.status)
    flash(f"Đã gửi danh sách tổng hợp năm {report.year} lên cấp trên: {report.total} mô hình.", "success")
    return redirect_to("initiatives.statistics", year=report.year)


@bp.route("/tong-hop/danh-sach/<int:initiative_report_id>")
@requires("initiatives.view")
def report(initiative_report_id: int):
    sent = access.get_scoped_or_404(InitiativeReport, initiative_report_id, current_user)
    return redirect_to("initiatives.statistics", year=sent.year, unit_id=sent.unit_id)


def _bad(status: int):
    year = int_or_none(request.form.get("year")) or today_local().year
    return _render_statistics(current_user.scope, year, ReportForm(), status)


@bp.route("/tong-hop/in")
@requires("initiatives.view")
def print_consolidated():
    load_province()
    root, year = _stats_root(), _stats_year()
    stats = statistics.statistics(current_user, year, root)
    return render_template("initiatives/print.html", **initiative_jobs.consolidated_data(current_user, stats))


@bp.route("/tong-hop/in.pdf", methods=["POST"])
@requires("initiatives.view")
def print_consolidated_pdf():
    """One row per registration of the whole scope: many pages, so a background job."""
    return start_job(lambda: initiative_jobs.submit_consolidated_pdf(current_user, _stats_year(), _stats_root()))
