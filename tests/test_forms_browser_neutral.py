"""No English from the browser and dates in dd/mm/yyyy whatever its language (issue 16.20–16.21).

The browser's own validation ("Please fill out this field", "Value must be less than or equal
to 100") speaks the browser's language, and a native date input shows its locale's order
(12/03/2026 for 3 December in English): every form page is checked for the attributes that
trigger them, and a date typed dd/mm/yyyy is read and shown back the same way."""
from __future__ import annotations

import re
from datetime import date

import sqlalchemy as sa

from danvan.core.units import Unit
from danvan.extensions import db

BROWSER_CHECKS = re.compile(r'<(?:input|select|textarea)\b[^>]*?\s(required|min|max|minlength|pattern)(?:=|[\s>])')
NATIVE_TYPES = re.compile(r'<input\b[^>]*\stype="(date|datetime-local|number|email|month|week)"')


def _form_pages(app):
    """Every page reachable by GET without an id (lists, filters and '/moi' forms)."""
    for rule in app.url_map.iter_rules():
        if "GET" in rule.methods and not rule.arguments and not rule.rule.startswith("/static"):
            yield rule.rule


def test_no_page_asks_the_browser_to_validate(app, world, login_as):
    admin, officer = login_as("admin", world.p), login_as(["officer", "leader"], world.d1b)
    checked = 0
    for url in _form_pages(app):
        for client in (admin, officer):
            r = client.get(url)
            if r.status_code != 200 or r.mimetype != "text/html":
                continue
            html = r.get_data(as_text=True)
            checked += html.count("<input")
            assert not BROWSER_CHECKS.search(html), (url, BROWSER_CHECKS.search(html).group(0))
            assert not NATIVE_TYPES.search(html), (url, NATIVE_TYPES.search(html).group(0))
    assert checked > 50   # the crawl really read forms


def test_required_field_left_empty_gets_a_vietnamese_message(world, login_as):
    admin = login_as("admin", world.p)
    page = admin.get("/don-vi/moi").get_data(as_text=True)
    assert re.search(r'<input[^>]*aria-required="true"[^>]*name="name"|<input[^>]*name="name"[^>]*aria-required="true"',
                     page)
    r = admin.post_form("/don-vi/moi", {"name": "", "kind": "xa", "parent_id": world.d1.id, "valid_from": ""})
    assert r.status_code == 422
    body = r.get_data(as_text=True)
    assert "Nhập tên đơn vị." in body and "This field is required" not in body


def test_dates_are_typed_and_shown_as_dd_mm_yyyy(world, login_as):
    admin = login_as("admin", world.p)
    page = admin.get("/don-vi/moi").get_data(as_text=True)
    field = re.search(r'<input[^>]*name="valid_from"[^>]*>', page).group(0)
    assert 'type="text"' in field and 'placeholder="dd/mm/yyyy"' in field
    r = admin.post_form("/don-vi/moi", {"name": "Xã Tân Lập", "kind": "xa", "parent_id": world.d1.id,
                                         "valid_from": "03/12/2026", "code": "ĐU"})
    assert r.status_code == 303, r.get_data(as_text=True)[:2000]
    unit = db.session.scalar(sa.select(Unit).where(Unit.name == "Xã Tân Lập"))
    assert unit.valid_from == date(2026, 12, 3)
    bad = admin.post_form("/don-vi/moi", {"name": "Xã Tân Lập 2", "kind": "xa", "parent_id": world.d1.id,
                                           "valid_from": "12/31/2026"})
    assert bad.status_code == 422 and "dd/mm/yyyy" in bad.get_data(as_text=True)
    assert 'value="12/31/2026"' in bad.get_data(as_text=True)   # the typed text comes back


def test_as_of_date_on_programme_pages_reads_and_shows_dd_mm_yyyy(world, login_as, db_session):
    from danvan.programme.models import Programme

    prog = Programme(unit_id=world.bdv.id, title="Đề án thử", title_key="de an thu", start_year=2023,
                     end_year=2026)
    db_session.add(prog)
    db_session.flush()
    viewer = login_as("viewer", world.bdv)
    for url in (f"/de-an/{prog.id}", f"/de-an/{prog.id}/ban-do-nhiet"):
        html = viewer.get(url, query_string={"as_of": "03/12/2025"}).get_data(as_text=True)
        field = re.search(r'<input[^>]*id="as_of"[^>]*>', html).group(0)
        assert 'value="03/12/2025"' in field and 'type="text"' in field, url
