"""The shared Vietnamese form fields (core/forms.py), through the forms that use them."""
from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa

from danvan.programme.models import Programme


def test_decimal_field_reads_vietnamese_numbers(world, login_as, db_session):
    leader = login_as("leader", world.bdv)
    base = {"start_year": "2023", "end_year": "2025"}
    # Not sent at all: the required message, never a crash (the field keeps its default meanwhile).
    r = leader.post_form("/de-an/moi", {**base, "title": "Thiếu"})
    assert r.status_code == 422 and "Nhập ngưỡng chậm tiến độ." in r.get_data(as_text=True)
    assert leader.post_form("/de-an/moi", {**base, "title": "Dấu phẩy", "lagging_below": "12,5"}).status_code == 303
    # A dot is a thousands separator: 7.25 is refused rather than read as 725 or guessed.
    r = leader.post_form("/de-an/moi", {**base, "title": "Dấu chấm", "lagging_below": "7.25"})
    assert r.status_code == 422 and "Dùng dấu phẩy trước phần thập phân, ví dụ 12,5" in r.get_data(as_text=True)
    # 1.000,5 is read as one thousand and a half: out of range, not "not a number".
    r = leader.post_form("/de-an/moi", {**base, "title": "Nghìn", "lagging_below": "1.000,5"})
    assert r.status_code == 422 and "Ngưỡng phải từ 0 đến 100." in r.get_data(as_text=True)
    for bad in ("NaN", "nan", "Infinity", "inf", "1e1", "mười", "1,2,3"):
        r = leader.post_form("/de-an/moi", {**base, "title": bad, "lagging_below": bad})
        assert r.status_code == 422 and "Phải là một số, ví dụ 12,5." in r.get_data(as_text=True), bad
    rows = dict(db_session.execute(sa.select(Programme.title, Programme.lagging_below)).all())
    assert rows == {"Dấu phẩy": Decimal("12.5")}
