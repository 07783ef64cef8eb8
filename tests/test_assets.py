"""Static files: content-hashed names, one-year immutable cache, gzip/brotli, no session cookie; HTML
compressed; the bell's unread count rendered into the page."""
from __future__ import annotations

import gzip
import re

import brotli

from danvan.notifications.models import Notification


def _asset(html: str, name: str) -> str:
    match = re.search(rf'(/static/{re.escape(name)}\.[0-9a-f]{{12}}\.(css|js))"', html)
    assert match, f"no hashed address for {name} in the page"
    return match.group(1)


def test_static_files_hashed_immutable_and_compressed(client):
    page = client.get("/dang-nhap").get_data(as_text=True)
    css = _asset(page, "css/app")
    response = client.get(css, headers={"Accept-Encoding": "br, gzip"})
    assert response.status_code == 200
    assert response.headers["Content-Encoding"] == "br"
    assert "immutable" in response.headers["Cache-Control"] and "max-age=31536000" in response.headers["Cache-Control"]
    assert "Cookie" not in response.headers.get("Vary", "") and "Set-Cookie" not in response.headers
    with open("static/css/app.css", "rb") as source:
        assert brotli.decompress(response.get_data()) == source.read()
    js = client.get(_asset(page, "vendor/htmx-2.0.11.min"), headers={"Accept-Encoding": "gzip"})
    assert js.headers["Content-Encoding"] == "gzip" and gzip.decompress(js.get_data()).startswith(b"var htmx")
    plain = client.get(css)
    assert plain.status_code == 200 and "Content-Encoding" not in plain.headers


def test_html_is_compressed_when_the_browser_accepts_it(world, login_as):
    client = login_as("viewer", world.c1)
    response = client.get("/", headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200 and response.headers["Content-Encoding"] == "gzip"
    assert "<html" in gzip.decompress(response.get_data()).decode()


def test_bell_count_is_in_the_page_without_a_request_on_load(world, login_as, db_session):
    client = login_as("officer", world.c1)
    db_session.add_all([Notification(user_id=client.user.id, title=f"Thông báo {i}") for i in range(3)])
    html = client.get("/").get_data(as_text=True)
    bell = re.search(r'<a class="bell"[^>]*>.*?</a>', html, re.S).group(0)
    assert re.search(r'id="bell-count"[^>]*>3<', bell)
    assert 'hx-trigger="every 60s"' in bell and "load" not in bell and "hx-on" not in bell
