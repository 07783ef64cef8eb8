"""Every count on the dashboard that links to a list equals that list's total (its pager), for
every demo login: "65 phiếu chờ chấm điểm" must not open a list of 91."""
from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from danvan import create_app
from danvan.auth.demo import NAMED
from danvan.auth.models import User
from danvan.core.units import Unit
from danvan.extensions import db
from tests.conftest import app_config, make_database, upgrade_schema

_NUMBER = r"(\d{1,3}(?:\.\d{3})*|\d+)"
# <a href>…<strong>12</strong>…</a> · <a href>12 phiếu…</a> · <a href>Chờ duyệt</a>: <strong>12</strong>
_LINK = re.compile(r'<a href="([^"#]+)"[^>]*>(.*?)</a>(?:\s*:\s*<strong[^>]*>\s*' + _NUMBER + r"\s*</strong>)?", re.S)
_TOTAL = re.compile(r"Hiển thị [\d.]+–[\d.]+ / " + _NUMBER)


def _number(text: str) -> int:
    return int(text.replace(".", ""))


def counted_links(html: str) -> list[tuple[str, str, int]]:
    """(label, url, count) of every link in the dashboard's panels that carries a count."""
    panels = "".join(re.findall(r'<section class="panel[^"]*"[^>]*>.*?</section>', html, re.S))
    out = []
    for m in _LINK.finditer(panels):
        url, inner, after = m.group(1).replace("&amp;", "&"), m.group(2), m.group(3)
        label = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", inner)).strip()
        strong = re.search(r"<strong[^>]*>\s*" + _NUMBER + r"\s*</strong>", inner)
        leading = re.match(_NUMBER + r"\s", label)
        found = after or (strong.group(1) if strong else None) or (leading.group(1) if leading else None)
        if found is not None:
            out.append((label, url, _number(found)))
    return out


def list_total(html: str) -> int | None:
    """The total the list's pager states; 0 for an empty list; None when the page shows no list."""
    found = _TOTAL.search(html)
    if found:
        return _number(found.group(1))
    return 0 if 'class="empty"' in html else None


@pytest.fixture(scope="module")
def demo_app():
    app = create_app(app_config(make_database("dashcounts")))
    upgrade_schema(app)
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        _more_to_count()
        db.session.commit()
    yield app
    with app.app_context():
        db.engine.dispose()


def _more_to_count() -> None:
    """What the demo has none of this year: registrations waiting for review and returned, one of them
    at the reviewer's own level (it must not be counted as waiting for him)."""
    from danvan.core.vntext import today_local
    from tests.samples.initiatives import make_initiative

    units = {u.name: u for u in db.session.scalars(sa.select(Unit).where(Unit.name.in_(
        ("Phường Xuất Hóa", "Thị trấn Chợ Rã", "Thành ủy Bắc Kạn", "Huyện ủy Ba Bể"))))}
    year = today_local().year
    for unit, state, n in (("Phường Xuất Hóa", "submitted", 3), ("Thị trấn Chợ Rã", "submitted", 2),
                           ("Thành ủy Bắc Kạn", "submitted", 1), ("Huyện ủy Ba Bể", "returned", 1),
                           ("Phường Xuất Hóa", "returned", 2)):
        for i in range(n):
            make_initiative(units[unit], year=year, state=state, name=f"Đếm {unit} {state} {i}")


@pytest.mark.parametrize("username", [n[0] for n in NAMED])
def test_every_dashboard_count_equals_the_list_it_opens(demo_app, username):
    client = demo_app.test_client()
    with demo_app.app_context():
        user_id = db.session.scalar(sa.select(User).where(User.username == username)).get_id()
    with client.session_transaction() as session:
        session["_user_id"], session["_fresh"] = user_id, True
    home = client.get("/")
    assert home.status_code == 200
    links = counted_links(home.get_data(as_text=True))
    assert links, f"{username}: no counted link on the dashboard"
    mismatches = []
    for label, url, count in links:
        page = client.get(url)
        assert page.status_code == 200, (username, label, url, page.status_code)
        total = list_total(page.get_data(as_text=True))
        if total != count:
            mismatches.append(f"«{label}» = {count}, {url} lists {total}")
    assert not mismatches, f"{username}: " + "; ".join(mismatches)


def test_the_reader_finds_counts_and_totals():
    """The parser itself, on the shapes the panels use (so a broken regex cannot pass silently)."""
    html = ('<section class="panel"><a href="/a?x=1&amp;y=2"><span class="badge">1.234 phiếu</span></a>'
            '<a href="/b">Chờ tôi duyệt: <strong id="c">7</strong></a> <a href="/c">Báo cáo</a>: <strong>3</strong>'
            '<a href="/d"><strong>Hội nghị năm 2026</strong></a><a href="/e">Xem tổng hợp</a></section>')
    assert counted_links(html) == [("1.234 phiếu", "/a?x=1&y=2", 1234), ("Chờ tôi duyệt: 7", "/b", 7),
                                   ("Báo cáo", "/c", 3)]
    assert list_total("<nav>Hiển thị 1–50 / 1.091</nav>") == 1091
    assert list_total('<p class="empty">Không có</p>') == 0 and list_total("<p>x</p>") is None
