"""Issue 12, point 9: GET never writes; the sơ kết draft is made once; forms the user may not
save answer 403 on GET too."""
from __future__ import annotations

from contextlib import contextmanager
from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa
from sqlalchemy import event

from danvan.extensions import db
from danvan.notifications.models import Notification
from danvan.programme.models import Programme, Task, TaskGroup
from tests.samples import get_urls

WRITES = ("INSERT", "UPDATE", "DELETE", "CREATE", "ALTER", "DROP")


@contextmanager
def watching_writes(app):
    statements: list[str] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith(WRITES):
            statements.append(statement.split("\n")[0][:120])

    with app.app_context():
        engine = db.engine
    db.session.flush()
    event.listen(engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", before)


@pytest.mark.parametrize("role", ["admin", "leader", "officer", "viewer"])
def test_no_get_request_writes_anything(app, world, login_as, role):
    client = login_as(role, world.d1b)
    offenders = []
    for url in get_urls(app, world):
        with watching_writes(app) as writes:
            client.get(url)
            client.get(url, headers={"HX-Request": "true"})
        if writes:
            offenders.append(f"GET {url}: {writes[:3]}")
    assert not offenders, "\n".join(offenders)


def test_opening_a_notification_by_get_does_not_mark_it_read(world, login_as, db_session):
    me = login_as("officer", world.c1)
    row = Notification(user_id=me.user.id, unit_id=world.c1.id, title="Có văn bản mới", link="/van-ban/")
    db_session.add(row)
    db_session.flush()
    assert me.get(f"/thong-bao/{row.id}").status_code == 303
    db_session.refresh(row)
    assert row.read_at is None
    page = me.get("/thong-bao/").get_data(as_text=True)
    assert f'action="/thong-bao/{row.id}"' in page          # the title is a button that POSTs
    response = me.post_form(f"/thong-bao/{row.id}")
    assert response.status_code == 303 and response.headers["Location"].endswith("/van-ban/")
    db_session.refresh(row)
    assert row.read_at is not None


def _province_programme(world):
    programme = Programme(unit=world.p, title="Đề án tỉnh", title_key="de an tinh", start_year=2023, end_year=2025)
    group = TaskGroup(programme=programme, position=1, title="Nhóm 1", weight=Decimal(1))
    task = Task(programme=programme, group=group, position=1, title="Nhiệm vụ 1", weight=Decimal(1),
                level="commune", starts_on=date(2023, 1, 1))
    db.session.add_all([programme, group, task])
    db.session.flush()
    return programme, group, task


def test_soket_draft_is_made_once_per_period(world, login_as, db_session, run_jobs):
    from danvan.plans.models import PlanDocument

    programme, _, _ = _province_programme(world)
    officer = login_as("officer", world.bdv)
    documents = []
    for _ in range(2):      # the button pressed twice, each press a background job run to its end
        job_page = officer.post_form(f"/de-an/{programme.id}/so-ket")
        assert job_page.status_code == 303 and run_jobs() == ["done"]
        result = officer.get(job_page.headers["Location"] + "/tai-ve")
        assert result.status_code == 303 and "/van-ban/" in result.headers["Location"]
        documents.append(result.headers["Location"])
    assert documents[0] == documents[1]
    drafts = db_session.scalar(sa.select(sa.func.count()).select_from(PlanDocument).where(
        PlanDocument.unit_id == world.bdv.id, PlanDocument.summary.like("Sơ kết%")))
    assert drafts == 1


def test_programme_forms_a_leader_cannot_save_are_403_on_get(world, login_as):
    programme, group, task = _province_programme(world)
    commune_leader = login_as("leader", world.c1)     # sees the province's Đề án, may not change it
    for url in (f"/de-an/{programme.id}/sua", f"/de-an/{programme.id}/nhom/moi", f"/de-an/nhom/{group.id}/sua",
                f"/de-an/{programme.id}/nhiem-vu/moi", f"/de-an/nhiem-vu/{task.id}/sua"):
        assert commune_leader.get(url).status_code == 403, url
        assert commune_leader.post_form(url, {}).status_code == 403, url
    province_leader = login_as("leader", world.bdv)
    assert province_leader.get(f"/de-an/{programme.id}/sua").status_code == 200


def test_initiatives_pages_of_an_unconfigured_province_write_nothing(app, create_unit, login_as):
    from danvan.initiatives.models import InitiativeCriterion, InitiativeField, InitiativeKind

    province = create_unit("Tỉnh ủy Mới Lập", "tinh_uy", code="TU")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(InitiativeField).where(
        InitiativeField.province_id == province.id))           # made when the province was created
    for model in (InitiativeField, InitiativeKind, InitiativeCriterion):   # a province from before that
        db.session.execute(sa.delete(model).where(model.province_id == province.id))
    admin = login_as("admin", province)
    for path in ("cau-hinh", "", "moi"):
        with watching_writes(app) as writes:
            response = admin.get(f"/dan-van-kheo/{path}")
        assert response.status_code in (200, 403), (path, response.status_code)
        assert not writes, (path, writes)
    page = admin.get("/dan-van-kheo/cau-hinh").get_data(as_text=True)
    assert "danh mục mặc định" in page


def test_checklist_configuration_page_creates_the_default_set_only_on_its_button(app, world, login_as, db_session):
    from danvan.inspections.checklists import DEFAULT_NAME
    from danvan.inspections.models import ChecklistTemplate

    admin = login_as("admin", world.p)

    def defaults() -> int:
        return db_session.scalar(sa.select(sa.func.count()).select_from(ChecklistTemplate)
                                 .where(ChecklistTemplate.name == DEFAULT_NAME))

    with watching_writes(app) as writes:
        page = admin.get("/kiem-tra/bo-tieu-chi/")
    assert page.status_code == 200 and not writes and defaults() == 0
    assert "Tạo bộ tiêu chí mặc định" in page.get_data(as_text=True)
    assert admin.post("/kiem-tra/bo-tieu-chi/mac-dinh").status_code == 400  # no CSRF token: nothing made
    assert defaults() == 0
    made = admin.post_form("/kiem-tra/bo-tieu-chi/mac-dinh")
    assert made.status_code == 303 and "/kiem-tra/bo-tieu-chi/" in made.headers["Location"]
    assert admin.post_form("/kiem-tra/bo-tieu-chi/mac-dinh").status_code == 303
    assert defaults() == 1
    assert "Tạo bộ tiêu chí mặc định" not in admin.get("/kiem-tra/bo-tieu-chi/").get_data(as_text=True)
