"""Issue 16 points 18 and 19 through HTTP: Vietnamese alphabetical order (ICU's «vi» order) on both
databases wherever names are sorted, unit pickers in tree order, and level names taken from the unit
kinds present (a post-2025 province has communes directly under it and no «huyện»)."""
from __future__ import annotations

import random
import re
from datetime import date, timedelta
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from danvan.blocs.models import Bloc
from danvan.calls import Call
from danvan.core.models import by_name
from danvan.core.units import Unit, levels_under
from danvan.core.vntext import sort_key, today_local
from danvan.extensions import db
from danvan.programme.models import Programme, Task, TaskGroup
from tests.conftest import BACKEND, app_config, make_database

# Ordered as PostgreSQL's "vi-VN-x-icu" collation orders them (ICU 72): the alphabet a ă â b c d đ e ê
# … o ô ơ … u ư …, tones second (none, huyền, hỏi, ngã, sắc, nặng), lower case before upper, space
# and punctuation before digits before letters, digits one by one (10 before 9).
ICU_ORDER = [
    "a", "A", "à", "ả", "ã", "á", "Á", "ạ", "ă", "ắ", "â", "ầ", "b", "Ba", "Bà", "Bả", "Bá", "bạ", "Ba Bể",
    "Bac", "Bắc Kạn", "c", "ç", "da", "Da", "DA", "dz", "đa", "Đa", "e", "è", "ẻ", "ẽ", "é", "ẹ", "ê", "ề",
    "ể", "ễ", "ế", "ệ", "hoà", "hòa", "Hòa An", "Hoà Bình", "Huyện ủy Ba Bể", "Huyện ủy Bạch Thông",
    "Huyện ủy Chợ Đồn", "Huyện ủy Chợ Mới", "Lê Thị Anh", "Lê thị ánh", "Lê Thị Ánh", "Ngọ", "Ngô", "Ngổ",
    "Ngỗ", "Nguyễn văn A", "Nguyễn Văn A", "Nguyễn Văn Ă", "Nguyễn Văn Â", "o", "ô", "ơ", "Phường Đức Xuân",
    "Phường Nguyễn Thị Minh Khai", "thuỷ", "thuý", "thủy", "thúy", "u", "ü", "ư", "Xã 10", "Xã 2",
    "Xã An Thắng", "Xã Ấn", "Xã Ân Tình", "y",
]


def test_sort_key_orders_as_icu_vietnamese():
    shuffled = ICU_ORDER[:]
    random.Random(16).shuffle(shuffled)
    assert sorted(shuffled, key=sort_key) == ICU_ORDER


def test_sort_key_agrees_with_the_database_on_random_names(db_session):
    """On PostgreSQL the independent reference is its own ICU Vietnamese collation (2,000 random
    names); on both databases, sorting the stored keys with the sort_key column's collation gives
    the order of the keys in Python."""
    rng = random.Random(18)
    pool = (list("aăâbcdđeêghiklmnoôơpqrstuưvxyAĂÂĐÊÔƠƯÀÁẠỲÝ  -,.()0123456789")
            + list("àảãáạằẳẵắặầẩẫấậèẻẽéẹềểễếệìỉĩíịòỏõóọồổỗốộờởỡớợùủũúụừửữứựỳỷỹýỵ"))
    names = sorted({"".join(rng.choice(pool) for _ in range(rng.randint(1, 8))) for _ in range(2000)})
    names.sort(key=lambda n: rng.random())
    ordered = sorted(names, key=sort_key)
    if BACKEND == "postgresql":
        reference = list(db_session.scalars(sa.text(
            'SELECT x FROM unnest(CAST(:names AS text[])) AS x ORDER BY x COLLATE "vi-VN-x-icu"'), {"names": names}))
        assert ordered == reference
    collate = ' COLLATE "C"' if BACKEND == "postgresql" else ""
    db_session.execute(sa.text(f"CREATE TEMPORARY TABLE vn_order (n TEXT, k TEXT{collate})"))
    db_session.execute(sa.text("INSERT INTO vn_order (n, k) VALUES (:n, :k)"),
                       [{"n": n, "k": sort_key(n)} for n in names])
    assert list(db_session.scalars(sa.text("SELECT n FROM vn_order ORDER BY k"))) == ordered


def test_sort_key_columns_compare_bytes(db_session):
    """PostgreSQL: collation "C" on every sort_key column; SQLite: none declared, so BINARY."""
    tables = {"unit", "bloc", "bloc_member", "initiative", "user_account"}
    if BACKEND == "postgresql":
        rows = db_session.execute(sa.text(
            "SELECT table_name, collation_name FROM information_schema.columns WHERE column_name = 'sort_key'")).all()
        assert {t for t, _ in rows} >= tables
        assert {c for _, c in rows} == {"C"}
    else:
        for table in tables:
            sql = db_session.scalar(sa.text("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = :t"),
                                    {"t": table})
            column = next(line for line in sql.splitlines() if "sort_key" in line)
            assert "COLLATE" not in column.upper(), column


def test_keys_are_kept_on_write_and_the_database_sorts_by_them(db_session, create_unit):
    p = create_unit("Tỉnh ủy Sắp Xếp", "tinh_uy", code="TU")
    names = ["Xã Ấn", "Phường Đức Xuân", "Xã Ân Tình", "Xã An Thắng", "Phường Sông Cầu", "xã an thắng"]
    units = [create_unit(n, "xa", p) for n in names]
    units[0].name = "Xã Yên Bình"            # a rename moves the unit in the order
    db_session.flush()
    got = list(db_session.scalars(sa.select(Unit.name).where(Unit.parent_id == p.id).order_by(by_name(Unit))))
    assert got == ["Phường Đức Xuân", "Phường Sông Cầu", "xã an thắng", "Xã An Thắng", "Xã Ân Tình", "Xã Yên Bình"]


def test_bulk_inserts_get_their_keys_too(db_session):
    """Demo data, the bench and restoring an older backup insert rows in bulk, past the ORM."""
    names = ["Xã Đồng Lạc", "Xã Ấn", "Xã Bố Hạ"]
    db_session.execute(sa.insert(Unit.__table__), [{"name": n, "name_key": n, "kind": "xa"} for n in names])
    got = db_session.execute(sa.select(Unit.name, Unit.sort_key).where(Unit.name.in_(names))).all()
    assert {n: k for n, k in got} == {n: sort_key(n) for n in names}


@pytest.fixture
def tree(db_session, create_unit):
    """A 2023-shaped province whose ids and code points both disagree with Vietnamese order."""
    t = SimpleNamespace(p=create_unit("Tỉnh ủy Thứ Tự", "tinh_uy", code="TU"))
    for attr, name, kind, parent, code in (
            ("d2", "Huyện ủy Yên Thế", "huyen_uy", "p", "HU"),
            ("bdv", "Ban Tuyên giáo và Dân vận Tỉnh ủy", "ban", "p", "BTGDVTU"),
            ("d1", "Huyện ủy Ân Thi", "huyen_uy", "p", "HU"),
            ("e", "Đảng ủy Các cơ quan", "dang_uy_truc_thuoc", "p", "ĐU"),
            ("c12", "Xã Đồng Lạc", "xa", "d1", "ĐU"),
            ("c11", "Xã Ấn", "xa", "d1", "ĐU"),
            ("d1b", "Ban Dân vận Huyện ủy Ân Thi", "ban", "d1", "BDVHU"),
            ("c21", "Xã Bố Hạ", "xa", "d2", "ĐU")):
        setattr(t, attr, create_unit(name, kind, getattr(t, parent), code=code))
    return t


def _checkbox_names(html: str, name: str) -> list[str]:
    return [re.sub(r"^(— )+", "", s).strip() for s in
            re.findall(rf'name="{name}" value="\d+"[^>]*>\s*([^<]+?)\s*</label>', html)]


def test_call_form_lists_targets_in_tree_order(tree, login_as):
    officer = login_as("officer", tree.bdv)
    html = officer.get("/yeu-cau/moi").get_data(as_text=True)
    assert _checkbox_names(html, "targets") == [
        "Đảng ủy Các cơ quan", "Huyện ủy Ân Thi", "Xã Ấn", "Xã Đồng Lạc", "Huyện ủy Yên Thế", "Xã Bố Hạ"]


def test_user_admin_unit_picker_has_each_committees_ban_first(tree, login_as):
    admin = login_as("admin", tree.p)
    html = admin.get("/quan-tri/nguoi-dung/moi").get_data(as_text=True)
    select = html[html.index('name="unit_id"'):]
    options = [re.sub(r"^(— )+", "", s) for s in re.findall(r"<option[^>]*>([^<]+)</option>", select)]
    assert options[:10] == ["Tỉnh ủy Thứ Tự", "Ban Tuyên giáo và Dân vận Tỉnh ủy", "Đảng ủy Các cơ quan",
                            "Huyện ủy Ân Thi", "Ban Dân vận Huyện ủy Ân Thi", "Xã Ấn", "Xã Đồng Lạc",
                            "Huyện ủy Yên Thế", "Xã Bố Hạ"][:len(options[:10])]
    assert len(options) >= 9


def test_blocs_list_in_vietnamese_order(tree, login_as):
    for unit, name in ((tree.c12, "Khối dân vận xã Đồng Lạc"), (tree.c11, "Khối dân vận xã Ấn"),
                       (tree.c21, "Khối dân vận xã Bố Hạ")):
        db.session.add(Bloc(unit_id=unit.id, name=name, name_key=name.lower()))
    viewer = login_as("officer", tree.bdv)
    html = viewer.get("/khoi-dan-van/").get_data(as_text=True)
    found = re.findall(r"Khối dân vận xã [^<]+", html)
    assert found == ["Khối dân vận xã Ấn", "Khối dân vận xã Bố Hạ", "Khối dân vận xã Đồng Lạc"]


def test_heatmap_by_name_is_vietnamese_order(tree, login_as):
    prog = _programme(tree.p)
    db.session.add(Task(programme_id=prog.id, group_id=prog.groups[0].id, position=1, title="Nhiệm vụ xã",
                        level="commune", starts_on=date(2023, 1, 1)))
    viewer = login_as("viewer", tree.bdv)

    def order(query: str, names: list[str]) -> list[str]:
        body = viewer.hx_get(f"/de-an/{prog.id}/ban-do-nhiet?sort=name&{query}").get_data(as_text=True)
        assert all(n in body for n in names), body[:2000]
        return sorted(names, key=body.index)
    communes = ["Xã Bố Hạ", "Xã Ấn", "Xã Đồng Lạc"]
    assert order("level=unit", communes) == ["Xã Ấn", "Xã Bố Hạ", "Xã Đồng Lạc"]
    assert order("level=child", ["Huyện ủy Yên Thế", "Huyện ủy Ân Thi"]) == ["Huyện ủy Ân Thi", "Huyện ủy Yên Thế"]


# ------------------------------------------------------------------------------- point 19: levels


@pytest.fixture
def province_2025(db_session, create_unit):
    """The post-2025 shape: the province, its Ban, communes directly under it, no district."""
    t = SimpleNamespace(p=create_unit("Tỉnh ủy Sau Sáp Nhập", "tinh_uy", code="TU"))
    t.ban = create_unit("Ban Tuyên giáo và Dân vận Tỉnh ủy", "ban", t.p, code="BTGDVTU")
    t.communes = [create_unit(n, "xa", t.p) for n in ("Xã Đồng Hỷ", "Phường Phan Đình Phùng", "Xã Ân Phú")]
    return t


def test_levels_under_read_the_kinds_present(province_2025, world):
    [commune] = levels_under(province_2025.p)
    assert (commune.key, commune.kinds, commune.label, commune.all_direct) == (
        "commune", ("xa",), "xã, phường, thị trấn", True)
    district, commune = levels_under(world.p)
    assert district.label == "huyện, thành ủy, đảng ủy trực thuộc" and district.all_direct
    assert commune.kinds == ("xa",) and not commune.any_direct
    assert [lv.label for lv in levels_under(world.d1)] == ["xã, phường, thị trấn"]


def test_call_form_in_the_post_2025_shape_names_no_district(province_2025, login_as):
    officer = login_as("officer", province_2025.ban)
    html = officer.get("/yeu-cau/moi").get_data(as_text=True)
    assert "Tất cả đơn vị trực thuộc (xã, phường, thị trấn)" in html
    assert "huyện" not in html.lower()
    assert 'value="communes"' not in html        # would repeat the first line
    r = officer.post_form("/yeu-cau/moi", {"title": "Báo cáo quý", "kind": "document", "type_code": "BC",
                                           "deadline": (today_local() + timedelta(days=5)).strftime("%d/%m/%Y"),
                                           "target_mode": "reporting"})
    assert r.status_code == 303, r.get_data(as_text=True)[:800]
    call = db.session.scalar(sa.select(Call).order_by(Call.id.desc()))
    assert {t.unit_id for t in call.targets} == {c.id for c in province_2025.communes}
    bad = officer.post_form("/yeu-cau/moi", {"title": "Báo cáo quý", "kind": "document", "type_code": "BC",
                                             "deadline": "01/01/2030", "target_mode": "huyen"})
    assert bad.status_code == 422 and "Lựa chọn không hợp lệ" in bad.get_data(as_text=True)


def test_call_form_in_the_2023_shape_names_both_levels(world, login_as):
    html = login_as("officer", world.bdv).get("/yeu-cau/moi").get_data(as_text=True)
    assert "Tất cả đơn vị trực thuộc (huyện, thành ủy, đảng ủy trực thuộc)" in html
    assert "Tất cả xã, phường, thị trấn trong phạm vi" in html
    district = login_as("officer", world.d1b).get("/yeu-cau/moi").get_data(as_text=True)
    assert "Tất cả đơn vị trực thuộc (xã, phường, thị trấn)" in district and "huyện," not in district


def _programme(unit) -> Programme:
    prog = Programme(unit_id=unit.id, title="Đề án khối dân vận", start_year=2023, end_year=2025)
    db.session.add(prog)
    db.session.flush()
    db.session.add(TaskGroup(programme_id=prog.id, position=1, title="Nhóm 1"))
    db.session.flush()
    return prog


def _task_data(prog: Programme, level: str) -> dict:
    return {"group_id": prog.groups[0].id, "position": "1", "title": "Xây dựng chương trình công tác",
            "weight": "1", "level": level}


def test_task_form_in_the_post_2025_shape_offers_the_communes_not_districts(province_2025, login_as):
    prog = _programme(province_2025.p)
    leader = login_as(("officer", "leader"), province_2025.ban)
    html = leader.get(f"/de-an/{prog.id}/nhiem-vu/moi").get_data(as_text=True)
    select = html[html.index('name="level"'):html.index("</select>", html.index('name="level"'))]
    assert re.findall(r"<option[^>]*>([^<]+)</option>", select) == ["Đơn vị ban hành Đề án", "Các xã, phường, thị trấn"]
    bad = leader.post_form(f"/de-an/{prog.id}/nhiem-vu/moi", _task_data(prog, "district"))
    assert bad.status_code == 422 and "Cấp thực hiện không hợp lệ." in bad.get_data(as_text=True)
    ok = leader.post_form(f"/de-an/{prog.id}/nhiem-vu/moi", _task_data(prog, "commune"))
    assert ok.status_code == 303, ok.get_data(as_text=True)[:800]
    assert db.session.scalar(sa.select(Task.level).where(Task.programme_id == prog.id)) == "commune"


def test_task_form_in_the_2023_shape_offers_the_districts(world, login_as):
    prog = _programme(world.p)
    html = login_as(("officer", "leader"), world.bdv).get(f"/de-an/{prog.id}/nhiem-vu/moi").get_data(as_text=True)
    assert "Các huyện, thành ủy, đảng ủy trực thuộc" in html and "Các xã, phường, thị trấn" in html


def _picker_buttons(html: str) -> list[str]:
    return re.findall(r'<button type="button" data-check="([^"]+)">([^<]+)</button>', html)


def test_conference_picker_in_the_post_2025_shape(province_2025, login_as):
    from tests.test_conferences import _new_data

    officer = login_as("officer", province_2025.ban)
    r = officer.post_form("/hoi-nghi/moi", _new_data(unit_id=province_2025.ban.id))
    assert r.status_code == 303, r.get_data(as_text=True)[:800]
    html = officer.get(r.headers["Location"]).get_data(as_text=True)
    buttons = {label for _, label in _picker_buttons(html)}
    assert buttons == {"Chọn tất cả xã, phường, thị trấn"}
    assert "Chọn tất cả huyện" not in html
    assert all(sel == f"#{pid} input[data-kind=xa]" for sel, _ in _picker_buttons(html)
               for pid in [sel.split()[0][1:]])


def test_conference_picker_in_the_2023_shape(world, login_as):
    from tests.test_conferences import _new_data

    officer = login_as("officer", world.bdv)
    r = officer.post_form("/hoi-nghi/moi", _new_data(unit_id=world.bdv.id))
    html = officer.get(r.headers["Location"]).get_data(as_text=True)
    labels = [label for _, label in _picker_buttons(html)]
    assert "Chọn tất cả huyện, thành ủy, đảng ủy trực thuộc" in labels
    assert "Chọn tất cả xã, phường, thị trấn" in labels


def test_migration_fills_the_keys_of_existing_rows():
    from flask_migrate import upgrade

    from danvan import create_app

    app = create_app(app_config(make_database("sortkeys")))
    with app.app_context():
        upgrade(revision="0009_security")
        db.session.execute(sa.text(
            "INSERT INTO unit (name, name_key, kind, code, path, depth, valid_from, version, created_at, updated_at)"
            " VALUES ('Xã Ấn', 'xa an', 'xa', '', '/1/', 0, '2000-01-01', 1, '2024-01-01', '2024-01-01')"))
        db.session.commit()
        upgrade(revision="heads")
        assert db.session.scalar(sa.text("SELECT sort_key FROM unit")) == sort_key("Xã Ấn")
        db.session.remove()
        db.engine.dispose()
