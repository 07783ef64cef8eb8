"""Dân vận khéo statistics are cached per data version: a registration written through HTTP shows at once."""
from __future__ import annotations

import re

import sqlalchemy as sa

from danvan.extensions import db
from danvan.initiatives.models import Initiative
from tests.test_initiatives import BASE, form_data, messages


def _summary(client) -> str:
    text = messages(client.get(f"{BASE}/tong-hop?year=2024"))
    return re.search(r"\d+ mô hình đã đăng ký.*?\.", text).group(0)


def test_statistics_never_stale_after_a_registration(world, login_as, count_queries):
    viewer = login_as("viewer", world.bdv)
    before = _summary(viewer)
    assert before.startswith("0 mô hình đã đăng ký") and "bản nháp" not in before
    with count_queries() as warm:
        assert _summary(viewer) == before
    officer = login_as("officer", world.c1)
    assert officer.post_form(f"{BASE}/moi", form_data(world, world.c1)).status_code == 303
    assert "1 bản nháp chưa gửi" in _summary(viewer)                  # the draft counts at once
    obj = db.session.scalar(sa.select(Initiative))
    assert officer.post_form(f"{BASE}/{obj.id}/chuyen", {"transition": "submit"}).status_code == 303
    after = _summary(viewer)
    assert after.startswith("1 mô hình đã đăng ký") and "bản nháp" not in after
    with count_queries() as cold_after_write:
        viewer.get(f"{BASE}/tong-hop?year=2023")                         # another year: computed
    assert warm.count < cold_after_write.count
