"""Khối dân vận cơ sở: blocs and rosters, criteria sets, yearly evaluations and ratings."""
from __future__ import annotations

from flask import abort, flash, render_template, request
from flask_login import current_user

from danvan.blocs import criteria, service
from danvan.blocs import evaluations as sheets  # the view `evaluations` keeps its endpoint name
from danvan.blocs.forms import (
    CriteriaSetForm,
    EndMemberForm,
    EvaluationFilterForm,
    FilterForm,
    MemberForm,
    NewBlocForm,
    NewEvaluationForm,
)
from danvan.blocs.models import POSITIONS, RATINGS, ROSTER_STATES
from danvan.core import access, cache, nav, panels, workflow
from danvan.core.access import object_page, requires
from danvan.core.forms import ConfirmForm
from danvan.core.formviews import form_page, submit
from danvan.core.htmx import redirect_to, render_page_or_partial
from danvan.core.models import StaleEdit
from danvan.core.pagination import Page, cached_page, list_key, paginate
from danvan.core.units import Unit, scope_root
from danvan.core.vntext import fmt_decimal, int_or_none, today_local
from danvan.extensions import db

bp = nav.blueprint("blocs", __name__, "Khối dân vận", "blocs.view", 35, url_prefix="/khoi-dan-van")


def _data(form) -> dict:
    return {name: f.data for name, f in form._fields.items() if name != "csrf_token"}



# ---------------------------------------------------------------- blocs


# The list pages show blocs, members, evaluations (this package: the "blocs" data version) and unit
# names and paths: their tables are cached per scope, filters, page and both versions (a write shows
# on the next read); the pager (it echoes the query string) is rendered around them.
LIST_SCOPES = ("blocs", "units")
cache.declare(*LIST_SCOPES)


@bp.route("/")
@requires("blocs.view")
def index():
    filters = FilterForm(request.args)
    filters.validate()
    state = filters.state.data if filters.state.data in ("flagged", "draft", "confirmed") else None
    q, today = filters.q.data, today_local()
    root = scope_root(current_user.unit)

    def fill(wanted: int) -> tuple[Page, str, dict]:
        page = paginate(service.blocs_query(current_user, q=q, state=state, on=today), page=wanted, scalars=False)
        return page, render_template("blocs/_table.html", items=page.items), service.province_totals(root, today)

    page, table, totals = cached_page(LIST_SCOPES, list_key(f"blocs-list:{root.id}", today.isoformat(), state, q), fill)
    return render_page_or_partial("blocs/index.html", "blocs/_rows.html", page=page, table=table, filters=filters,
                                  totals=totals, root=root, rules=service.rules(), states=ROSTER_STATES)


@bp.route("/moi", methods=["GET", "POST"])
@requires("blocs.create")
def bloc_new():
    """Lay down a commune's bloc; `?unit_id=` prefills the commune (the units admin links here after
    creating one). The successor of a merge posts `copy_members` to start from the old rosters."""
    form = NewBlocForm()
    units = service.units_without_bloc(current_user)
    form.unit_id.choices = [(u.id, u.name) for u in units]
    if request.method == "GET":
        form.unit_id.data = int_or_none(request.args.get("unit_id"))
        form.established_on.data = today_local()

    def save():
        unit = db.session.get(Unit, form.unit_id.data) if form.unit_id.data in {u.id for u in units} else None
        if unit is None:
            raise service.BlocError("Chọn một xã, phường, thị trấn trong phạm vi quản lý chưa có khối dân vận.",
                                    "unit_id")
        access.authorize(current_user, "create_bloc", unit)
        return service.create_bloc(unit, _data(form), actor=current_user)

    def message(result) -> str:
        bloc, copied = result
        return f"Đã lập {bloc.name}" + (f", chép {copied} thành viên từ khối các đơn vị cũ." if copied else
                                        "; thêm thành viên để hoàn thiện danh sách.")

    return form_page(form, save, message=message, done=lambda result: redirect_to("blocs.detail", bloc_id=result[0].id),
                     render=lambda status: (render_template("blocs/bloc_form.html", form=form, units=units), status))


def _render_detail(bloc, status=200, eval_form=None):
    members = service.current_members(bloc)
    form = eval_form or NewEvaluationForm()
    form.member_id.choices = ([(0, "Khối dân vận"), (-1, f"Tất cả {len(members)} thành viên hiện tại")]
                              + [(m.id, f"{m.full_name} — {m.position_label}") for m in members])
    if eval_form is None:
        form.year.data = today_local().year
    evaluations = list(db.session.scalars(sheets.evaluations_query(current_user, bloc=bloc).limit(200)))
    problems = service.roster_problems(members)
    return render_template("blocs/detail.html", bloc=bloc, members=members, past=service.past_members(bloc),
                           problems=problems, rules=service.rules(),
                           unconfirmed=service.unconfirmed(bloc, problems),
                           eval_form=form, evaluations=evaluations, positions=POSITIONS,
                           confirm_form=ConfirmForm()), status


object_page(bp, "/<int:bloc_id>", "detail", "blocs.view", service.load_bloc_or_404, _render_detail)


@bp.route("/<int:bloc_id>/xac-nhan", methods=["POST"])
@requires("blocs.edit")
def confirm(bloc_id: int):
    bloc = service.load_bloc_or_404(bloc_id, current_user, may="edit")
    try:
        service.confirm_roster(bloc, actor=current_user)
    except service.BlocError as exc:
        flash(exc.message, "danger")
        from danvan.core.transaction import keep_changes

        keep_changes()  # the draft and its flags are saved; only the confirmation is refused
        return _render_detail(bloc, exc.status)
    flash("Đã xác nhận danh sách khối dân vận.", "success")
    return redirect_to("blocs.detail", bloc_id=bloc.id)


@bp.route("/<int:bloc_id>/thanh-vien/moi", methods=["GET", "POST"])
@requires("blocs.edit")
def member_new(bloc_id: int):
    bloc = service.load_bloc_or_404(bloc_id, current_user, may="edit")
    form = MemberForm()
    if request.method == "GET":
        form.from_date.data = today_local()
    return form_page(form, lambda: service.add_member(bloc, _data(form), actor=current_user)[1],
                     render=lambda status: _member_page(form, bloc, None, status), done=_saved(bloc.id))


def _member_page(form, bloc, member, status: int, **extra):
    return render_template("blocs/member_form.html", form=form, bloc=bloc, member=member, **extra), status


def _saved(bloc_id: int):
    """After saving a member: the roster's state in a flash, back to the bloc."""
    def done(problems: list[str]):
        _flash_saved(problems)
        return redirect_to("blocs.detail", bloc_id=bloc_id)
    return done


def _flash_saved(problems: list[str]) -> None:
    if problems:
        flash("Đã lưu. Danh sách khối chỉ ở dạng bản nháp vì chưa đúng quy định: " + " ".join(problems), "warning")
    else:
        flash("Đã lưu thành viên.", "success")


@bp.route("/thanh-vien/<int:member_id>", methods=["GET", "POST"])
@requires("blocs.view")
def member(member_id: int):
    member = service.load_member_or_404(member_id, current_user)
    form = MemberForm(obj=member)
    return form_page(form, lambda: service.update_member(member, _data(form), actor=current_user),
                     version_of=member, write_rule="edit", done=_saved(member.bloc_id),
                     render=lambda status: _member_page(form, member.bloc, member, status, end_form=EndMemberForm()))


@bp.route("/thanh-vien/<int:member_id>/ket-thuc", methods=["POST"])
@requires("blocs.edit")
def member_end(member_id: int):
    member = service.load_member_or_404(member_id, current_user, may="edit")
    form = EndMemberForm()
    if not form.validate_on_submit():
        flash(" ".join(form.on.errors) or "Dữ liệu không hợp lệ.", "danger")
        return _member_page(MemberForm(obj=member), member.bloc, member, 422, end_form=form)
    back = redirect_to("blocs.detail", bloc_id=member.bloc_id)  # after the change, and after a refusal (flashed)

    def ended(problems: list[str]):
        if problems:
            flash("Danh sách khối chỉ ở dạng bản nháp vì chưa đúng quy định: " + " ".join(problems), "warning")
        return back

    return submit(form, lambda: service.end_member(member, form.on.data or today_local(), actor=current_user),
                  render=lambda _: back, done=ended,
                  message=lambda _: f"{member.full_name} thôi tham gia khối từ {member.to_date:%d/%m/%Y}; "
                                    "lịch sử vẫn được giữ.")


# ---------------------------------------------------------------- evaluations


@bp.route("/<int:bloc_id>/danh-gia/moi", methods=["POST"])
@requires("blocs.edit")
def evaluation_new(bloc_id: int):
    bloc = service.load_bloc_or_404(bloc_id, current_user, may="edit")
    form = NewEvaluationForm()
    form.member_id.choices = [(0, "")]

    def render(status: int):
        return _render_detail(bloc, status, form)

    if not form.validate_on_submit():
        return render(422)
    year = form.year.data
    if form.member_id.data == -1:
        return submit(form, lambda: sheets.create_member_evaluations(bloc, year, actor=current_user), render=render,
                      message=lambda created: f"Đã tạo {created} phiếu đánh giá thành viên năm {year} "
                                              "(bỏ qua thành viên đã có phiếu).",
                      done=lambda _: redirect_to("blocs.evaluations", year=year, subject="member", q=bloc.unit.name))
    member = service.load_member_or_404(form.member_id.data, current_user) if form.member_id.data else None
    return submit(form, lambda: sheets.create_evaluation(bloc, year, member, actor=current_user), render=render,
                  message="Đã tạo phiếu đánh giá; đơn vị tự chấm điểm rồi gửi cấp trên.",
                  done=lambda evaluation: redirect_to("blocs.evaluation", evaluation_id=evaluation.id))


def _evaluation_page(evaluation, status=200, errors=None, raw=None):
    return render_template("blocs/evaluation.html", evaluation=evaluation, errors=errors or [], raw=raw or {},
                           history=workflow.history(evaluation), ratings=RATINGS,
                           states=sheets.EVALUATION_WORKFLOW.states,
                           **sheets.open_actions(evaluation, current_user)), status


object_page(bp, "/danh-gia/<int:evaluation_id>", "evaluation", "blocs.view", sheets.load_evaluation_or_404,
            _evaluation_page)


@bp.route("/danh-gia/<int:evaluation_id>/tu-cham", methods=["POST"])
@requires("blocs.edit")
def evaluation_self(evaluation_id: int):
    evaluation = sheets.load_evaluation_or_404(evaluation_id, current_user)
    submit = request.form.get("action") == "submit"
    return _sheet_step(evaluation, lambda: sheets.save_self(evaluation, request.form,
                                                            request.form.get("comment", "")[:4000],
                                                            actor=current_user, submit=submit),
                       "Đã gửi tự đánh giá lên cấp trên." if submit else "Đã lưu điểm tự chấm.")


@bp.route("/danh-gia/<int:evaluation_id>/cham", methods=["POST"])
@requires("blocs.evaluate")
def evaluation_score(evaluation_id: int):
    evaluation = sheets.load_evaluation_or_404(evaluation_id, current_user)
    return _sheet_step(evaluation, lambda: sheets.save_final(evaluation, request.form,
                                                             request.form.get("comment", "")[:4000],
                                                             actor=current_user),
                       lambda rating: f"Đã chấm điểm: {fmt_decimal(evaluation.final_total)} điểm — {RATINGS[rating]}.")


@bp.route("/danh-gia/<int:evaluation_id>/chuyen", methods=["POST"])
@requires("blocs.evaluate")
def evaluation_transition(evaluation_id: int):
    evaluation = sheets.load_evaluation_or_404(evaluation_id, current_user)
    name = request.form.get("transition", "")
    return _sheet_step(evaluation, lambda: sheets.send_back(evaluation, name, request.form.get("comment", ""),
                                                            actor=current_user),
                       "Đã trả lại phiếu đánh giá." if name == "return" else "Đã mở lại phiếu để chấm lại.")


def _sheet_step(evaluation, step, message):
    """A button on the sheet: a refusal shows its message above the scores the user typed, kept."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        result = step()
    except (service.BlocError, workflow.TransitionError, StaleEdit) as exc:
        return _evaluation_page(evaluation, exc.status, [exc.message], request.form)
    flash(message(result) if callable(message) else message, "success")
    return redirect_to("blocs.evaluation", evaluation_id=evaluation.id)


@bp.route("/danh-gia/<int:evaluation_id>/in")
@requires("blocs.view")
def evaluation_print(evaluation_id: int):
    evaluation = sheets.load_evaluation_or_404(evaluation_id, current_user)
    from danvan.blocs import printing

    return printing.response(evaluation)


@bp.route("/danh-gia")
@requires("blocs.view")
def evaluations():
    filters = EvaluationFilterForm(request.args)
    filters.rating.choices = [("", "Mọi xếp loại"), *RATINGS.items(), ("none", "Chưa xếp loại"),
                              (sheets.WAITING, "Chờ tôi chấm điểm")]
    filters.validate()
    subject = filters.subject.data if filters.subject.data in ("bloc", "member") else "bloc"
    rating = filters.rating.data if filters.rating.data in (*RATINGS, "none", sheets.WAITING) else None
    asked, q = filters.year.data, filters.q.data

    def fill(wanted: int) -> tuple[Page, str, int]:
        year = asked or sheets.default_year(current_user)
        page = paginate(sheets.evaluations_query(current_user, year=year, subject=subject, rating=rating, q=q),
                        page=wanted)
        by_year = sheets.rating_counts_by_year(current_user, subject)
        table = render_template("blocs/_evaluation_table.html", page=page, year=year, subject=subject,
                                counts=by_year.get(year, {}), by_year=by_year, ratings=RATINGS)
        return page, table, year

    # the user's unit decides the scope and "chờ tôi chấm điểm"; the year, when not asked, this year
    key = list_key(f"bloc-evaluations:{current_user.unit_id}", today_local().year, asked, subject, rating, q)
    page, table, year = cached_page(LIST_SCOPES, key, fill)
    return render_page_or_partial("blocs/evaluations.html", "blocs/_evaluation_rows.html",
                                  page=page, table=table, filters=filters, year=year)


# ---------------------------------------------------------------- criteria sets


@bp.route("/tieu-chi")
@requires("blocs.view")
def criteria_sets():
    page = paginate(criteria.sets_query(current_user))
    return render_page_or_partial("blocs/criteria.html", "blocs/_criteria_rows.html", page=page)


@bp.route("/tieu-chi/moi", methods=["GET", "POST"])
@requires("blocs.configure")
def criteria_new():
    return _criteria_form(None)


@bp.route("/tieu-chi/<int:criteria_id>", methods=["GET", "POST"])
@requires("blocs.configure")
def criteria_edit(criteria_id: int):
    return _criteria_form(criteria.load_set_or_404(criteria_id, current_user))


def _criteria_form(row):
    if row is not None:   # a set published above is read in the list; its form answers 403, GET included
        access.authorize(current_user, "configure", row)
    form = CriteriaSetForm(obj=row)
    if request.method == "GET":
        if row is None:
            form.year_from.data = today_local().year
        else:
            form.criteria.data = "\n".join(f"{c.title} | {fmt_decimal(c.max_points)}" for c in row.criteria)
    return form_page(form, lambda: criteria.save_set(scope_root(current_user.unit), row, _data(form),
                                                     actor=current_user),
                     version_of=row, message="Đã lưu bộ tiêu chí.",
                     render=lambda status: (render_template("blocs/criteria_form.html", form=form, row=row), status),
                     done=lambda saved: redirect_to("blocs.criteria_edit", criteria_id=saved.id))


def _panel_counts(user) -> dict:
    if not access.has_permission(user, "blocs.view"):
        return {}
    counts = service.totals_columns(scope_root(user.unit))
    if access.has_permission(user, "blocs.evaluate"):
        counts.update(sheets.waiting_for_scoring_columns(user))
    return counts


def _panel(user, counts: dict) -> dict:
    """Dashboard: the bloc totals in scope, rosters to fix, evaluations waiting for this leader's scoring
    (every figure a count batched by the dashboard: no query of its own)."""
    if not counts or not counts["blocs"]:
        return {}
    totals = service.totals_of(counts["blocs"], counts["members"], counts["flagged"])
    waiting = {subject: int(counts.get(f"waiting_{subject}") or 0) for subject in ("bloc", "member")}
    return {"totals": totals, "waiting": {k: n for k, n in waiting.items() if n},
            "waiting_year": counts.get("waiting_year"), "root": scope_root(user.unit)}


panels.register("blocs", "blocs/_panel.html", _panel, 45, counts=_panel_counts)
