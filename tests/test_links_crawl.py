"""Links are shown only where the user may follow them (issue 16.6), on the demo province: as the
province, a district and a commune officer, open the pages of calls and filing (calls, documents,
unit pages, a recognised model) and follow every link on them; none may answer 403 or 404 (or 500).
Also: no page there shows a call kind's code instead of its Vietnamese label (issue 16.1)."""
from __future__ import annotations

import re
from urllib.parse import urljoin, urlparse

import pytest
import sqlalchemy as sa

from danvan import calls, create_app
from danvan.auth.models import User
from danvan.core.units import Unit
from danvan.extensions import db
from danvan.initiatives.models import Initiative
from tests.conftest import app_config, make_database, upgrade_schema

HREF = re.compile(r'<a\b[^>]*\bhref="([^"#]*)"')
ROLES = ("canbo.bdv", "canbo.babe", "canbo.xuathoa")    # province, district, commune officers


@pytest.fixture(scope="module")
def demo():
    app = create_app(app_config(make_database("crawl")))
    upgrade_schema(app)
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _client(app, username: str):
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.username == username))
        user_id, unit_id = user.get_id(), user.unit_id
    client = app.test_client()
    with client.session_transaction() as sess:
        sess["_user_id"] = user_id
        sess["_fresh"] = True
    return client, unit_id


def _links(base: str, html: str) -> set[str]:
    out = set()
    for href in HREF.findall(html):
        parsed = urlparse(urljoin(base, href.replace("&amp;", "&")))
        if parsed.netloc or not parsed.path.startswith("/") or parsed.path.startswith(("/static/", "/dang-xuat")):
            continue
        out.add(parsed.path + (f"?{parsed.query}" if parsed.query else ""))
    return out


def _touched_pages(app, client, unit_id: int) -> set[str]:
    """The pages issue 16.1–6 changed, for this user: lists, each call and document they list,
    the unit pages, the forms, and a recognised model of the user's own committee."""
    pages = {"/yeu-cau/", "/yeu-cau/?tab=da_dong", "/van-ban/", "/van-ban/?loc=nhap", "/yeu-cau/moi", "/van-ban/moi"}
    for listing in ("/yeu-cau/", "/van-ban/"):
        html = client.get(listing).get_data(as_text=True)
        pages |= {u for u in _links(listing, html) if re.fullmatch(r"/(yeu-cau|van-ban)/\d+", u)}
    with app.app_context():
        unit = db.session.get(Unit, unit_id)
        committee = unit.parent if unit.kind == "ban" else unit
        pages |= {f"/don-vi/{unit.id}", f"/don-vi/{committee.id}"}
        model = db.session.scalar(sa.select(Initiative.id).where(Initiative.unit_id == committee.id,
                                                                 Initiative.recognition_id.is_not(None)).limit(1))
        if model is not None:
            pages.add(f"/dan-van-kheo/{model}")
    return pages


@pytest.mark.parametrize("username", ROLES)
def test_every_link_on_the_calls_and_filing_pages_can_be_followed(demo, username):
    client, unit_id = _client(demo, username)
    pages = _touched_pages(demo, client, unit_id)
    codes = {k for k, _ in calls.kind_choices()}
    broken, raw = [], []
    followed: dict[str, int] = {}
    for page in sorted(pages):
        response = client.get(page)
        if response.status_code == 403 and page.endswith("/moi"):
            continue                                     # a form the role may not use: not linked for it
        assert response.status_code == 200, (username, page, response.status_code)
        html = response.get_data(as_text=True)
        visible = re.sub(r"<[^>]+>", " ", html)
        raw += [(page, c) for c in codes if c in visible.split()]
        for link in _links(page, html):
            if link not in followed:
                followed[link] = client.get(link).status_code
            if followed[link] in (403, 404, 500):
                broken.append(f"{page} → {link}: {followed[link]}")
    assert not broken, f"{username}:\n" + "\n".join(sorted(set(broken)))
    assert not raw, raw
    assert len(followed) > 20, followed                 # the crawl did reach the pages' links
