"""Real-browser tests: the app served on 127.0.0.1 from a thread, driven by Playwright in the
Debian Chromium at /usr/bin/chromium (never a downloaded browser). Missing Chromium fails loudly.

The live app has its own database (migrated, with the demo tree and demo logins); tests add
what else they need through `live_data`, which commits.
"""
from __future__ import annotations

import os
import threading
from contextlib import contextmanager

import pytest
from werkzeug.serving import make_server

from danvan import create_app
from danvan.auth.demo import DEMO_PASSWORD
from danvan.extensions import db
from tests.conftest import app_config, make_database, upgrade_schema

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]


@pytest.fixture(scope="session")
def live_app():
    app = create_app(app_config(make_database("browser"), TESTING=False, PROPAGATE_EXCEPTIONS=False))
    upgrade_schema(app)
    with app.app_context():
        from danvan.auth import demo as auth_demo
        from danvan.units import demo as units_demo

        units_demo.seed("2023")
        auth_demo.seed("2023")
        db.session.commit()
    return app


@pytest.fixture(scope="session")
def live_server(live_app):
    server = make_server("127.0.0.1", 0, live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture
def live_data(live_app):
    """with live_data() as session: create objects; committed at the end of the block."""

    @contextmanager
    def block():
        with live_app.app_context():
            yield db.session
            db.session.commit()

    return block


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: install the Debian package chromium (make test-deps)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server, locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh",
                                  viewport={"width": 1366, "height": 768})
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    # The Content-Security-Policy forbids inline script, handlers, styles and eval: any template
    # that still needs one shows up here as a console error.
    page.on("console", lambda msg: errors.append(msg.text)
            if msg.type == "error" and "Content Security Policy" in msg.text else None)
    yield page
    context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


@pytest.fixture
def login(page):
    """login(username) through the real login form; returns the page on the dashboard."""

    def do(username: str, password: str = DEMO_PASSWORD):
        page.goto("/dang-nhap")
        page.get_by_label("Tên đăng nhập").fill(username)
        page.get_by_label("Mật khẩu").fill(password)
        page.get_by_role("button", name="Đăng nhập").click()
        page.wait_for_url("**/")
        return page

    return do
