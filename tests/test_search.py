"""Search (issue 16.17): every word of the query folded, all required, in any order — the same rule
in every list that searches (Dân vận khéo, conferences, units, accounts)."""
from __future__ import annotations

import re

from tests.samples.initiatives import make_initiative


def text(response) -> str:
    assert response.status_code == 200
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))


def test_initiatives_words_in_any_order_all_required(world, login_as):
    make_initiative(world.c1, name="Dân vận khéo trong xây dựng nông thôn mới")
    make_initiative(world.c2, name="Dân vận khéo trong giảm nghèo")
    viewer = login_as("viewer", world.d1b)
    for q in ("dan van kheo nong thon moi", "nông thôn mới dân vận", "MOI   kheo", "xay dung xuat hoa"):
        page = text(viewer.get("/dan-van-kheo/", query_string={"q": q}))
        assert "xây dựng nông thôn mới" in page, q
        assert "giảm nghèo" not in page, q
    # One word absent from the title and every other searched column: nothing.
    page = text(viewer.get("/dan-van-kheo/", query_string={"q": "dan van kheo nong thon cu"}))
    assert "xây dựng nông thôn mới" not in page and "giảm nghèo" not in page
    # A wildcard typed by the user is a plain character, not "anything".
    page = text(viewer.get("/dan-van-kheo/", query_string={"q": "%"}))
    assert "nông thôn mới" not in page and "giảm nghèo" not in page


def test_units_and_accounts_words_in_any_order(world, login_as, create_user):
    admin = login_as("admin", world.p)
    page = text(admin.hx_get("/don-vi/", query_string={"q": "be ba huyen"}))
    assert "Huyện ủy Ba Bể" in page and "Chợ Đồn" not in page
    create_user(world.c2, full_name="Nguyễn Thị Hoa")
    create_user(world.c2, full_name="Nguyễn Văn Hòa")
    page = text(admin.get("/quan-tri/nguoi-dung", query_string={"q": "hoa thi nguyen"}))
    assert "Nguyễn Thị Hoa" in page and "Nguyễn Văn Hòa" not in page
