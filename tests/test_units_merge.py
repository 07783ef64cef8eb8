"""Issue 16.22: a merge moves the staff to the successor (account by account), leaves the others reading only,
and offers the successor a bloc made from the old rosters."""
from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from danvan.auth.models import User
from danvan.blocs.models import Bloc, BlocMember
from danvan.core.audit import AuditEvent
from danvan.core.units import Unit
from danvan.units.models import AccountMove


@pytest.fixture
def admin(world, login_as):
    return login_as("admin", world.bdv)


def _merge(admin, world, **extra):
    data = {"unit_ids": [world.c1.id, world.c2.id], "name": "Phường Xuất Hóa – Nam Mẫu", "code": "ĐU",
            "parent_id": world.d1.id, "on": "01/07/2025", **extra}
    return admin.post_form("/don-vi/sap-nhap", data, follow_redirects=True)


def _successor(db_session) -> Unit:
    return db_session.scalar(sa.select(Unit).where(Unit.name == "Phường Xuất Hóa – Nam Mẫu"))


def test_merge_moves_every_account_by_default(admin, world, db_session, create_user):
    a, b = create_user(world.c1, ["officer"]), create_user(world.c2, ["leader"])
    response = _merge(admin, world)
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    successor = _successor(db_session)
    for user in (a, b):
        db_session.refresh(user)
        assert user.unit_id == successor.id
    assert "đã chuyển 2 tài khoản" in body
    assert "<dt>Số tài khoản</dt><dd>2</dd>" in body
    moves = db_session.scalars(sa.select(AccountMove).where(AccountMove.to_unit_id == successor.id)).all()
    assert sorted((m.user_id, m.from_unit_id) for m in moves) == sorted([(a.id, world.c1.id), (b.id, world.c2.id)])
    assert all(m.moved_on == date(2025, 7, 1) for m in moves)
    audits = db_session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "move_account")).all()
    assert sorted(e.object_id for e in audits) == sorted([a.id, b.id])
    assert "Tài khoản chuyển do sáp nhập" in body and a.full_name in body


def test_merge_form_lists_accounts_and_the_admin_keeps_one_behind(admin, world, db_session, create_user, login_as):
    a = create_user(world.c1, ["officer"], full_name="Hà Thị Chuyển")
    b = create_user(world.c2, ["officer"], full_name="Vi Văn Ở Lại")
    fragment = admin.hx_get(f"/don-vi/sap-nhap/tai-khoan?unit_ids={world.c1.id}&unit_ids={world.c2.id}")
    text = fragment.get_data(as_text=True)
    assert "Hà Thị Chuyển" in text and "Vi Văn Ở Lại" in text and "<html" not in text
    assert text.count("checked") == 2
    _merge(admin, world, accounts_shown="1", account_ids=[a.id])
    successor = _successor(db_session)
    db_session.refresh(a)
    db_session.refresh(b)
    assert a.unit_id == successor.id and b.unit_id == world.c2.id


def test_account_left_on_a_closed_unit_only_reads(admin, world, db_session, create_user, login_as):
    _merge(admin, world, accounts_shown="1")          # nobody ticked: everyone stays behind
    left = login_as("officer", world.c2)
    assert left.user.roles == frozenset({"viewer"}) and left.user.assigned_roles == frozenset({"officer"})
    assert left.get("/khoi-dan-van/moi").status_code == 403
    assert left.get("/khoi-dan-van/").status_code == 200     # the old records are still readable
    db_session.refresh(world.c1)
    assert world.c1.valid_to == date(2025, 7, 1)


def _bloc(db_session, unit, names):
    bloc = Bloc(unit=unit, name=f"Khối dân vận {unit.name}", name_key="k")
    db_session.add(bloc)
    for i, name in enumerate(names):
        db_session.add(BlocMember(bloc=bloc, unit_id=unit.id, full_name=name, name_key=name.lower(),
                                  position="bi_thu" if i == 0 else "khac", is_head=i == 0, from_date=date(2023, 1, 1)))
    db_session.flush()
    return bloc


def test_successor_gets_a_bloc_from_the_old_rosters_in_one_click(admin, world, db_session, login_as):
    old1 = _bloc(db_session, world.c1, ["Nông Văn Một", "Hoàng Thị Hai"])
    old2 = _bloc(db_session, world.c2, ["Ma Văn Ba"])
    _merge(admin, world)
    successor = _successor(db_session)
    page = admin.get(f"/don-vi/{successor.id}").get_data(as_text=True)
    assert "Lập khối dân vận từ thành viên 2 khối cũ" in page
    response = admin.post_form("/khoi-dan-van/moi", {"unit_id": successor.id, "copy_members": "y"},
                               follow_redirects=True)
    assert response.status_code == 200 and "chép 3 thành viên" in response.get_data(as_text=True)
    bloc = db_session.scalar(sa.select(Bloc).where(Bloc.unit_id == successor.id))
    names = sorted(db_session.scalars(sa.select(BlocMember.full_name).where(BlocMember.bloc_id == bloc.id)))
    assert names == ["Hoàng Thị Hai", "Ma Văn Ba", "Nông Văn Một"]
    # the old rosters keep their rows, ended on the merge day
    for old in (old1, old2):
        ends = db_session.scalars(sa.select(BlocMember.to_date).where(BlocMember.bloc_id == old.id)).all()
        assert ends and all(d == date(2025, 7, 1) for d in ends)
    # one bloc per commune: a second click is refused
    again = admin.post_form("/khoi-dan-van/moi", {"unit_id": successor.id, "copy_members": "y"})
    assert again.status_code == 422
    assert db_session.scalar(sa.select(sa.func.count()).select_from(Bloc).where(Bloc.unit_id == successor.id)) == 1


def test_merge_account_choice_bad_input(admin, world, db_session, create_user):
    a = create_user(world.c1, ["officer"])
    response = admin.post_form("/don-vi/sap-nhap", {
        "unit_ids": [world.c1.id, world.c2.id], "name": "Mới", "parent_id": world.d1.id, "on": "01/07/2025",
        "accounts_shown": "1", "account_ids": ["abc"]})
    assert response.status_code == 422
    db_session.refresh(a)
    assert a.unit_id == world.c1.id
    # an account of another unit named in the choice is ignored, not moved
    stranger = create_user(world.c3, ["officer"])
    _merge(admin, world, accounts_shown="1", account_ids=[stranger.id])
    db_session.refresh(stranger)
    assert stranger.unit_id == world.c3.id
    assert db_session.scalar(sa.select(sa.func.count()).select_from(User).where(
        User.unit_id == _successor(db_session).id)) == 0


@pytest.mark.parametrize("value", ["99999999999999999999", "-1", "1e3"])
def test_merge_out_of_range_ids_are_refused_not_500(admin, world, value):
    response = admin.post_form("/don-vi/sap-nhap", {
        "unit_ids": [world.c1.id, value], "name": "Mới", "parent_id": world.d1.id, "on": "01/07/2025",
        "accounts_shown": "1", "account_ids": [value]})
    assert response.status_code == 422
    assert admin.hx_get(f"/don-vi/sap-nhap/tai-khoan?unit_ids={value}").status_code == 200
