"""Issue 12, point 4: the Content-Security-Policy and Permissions-Policy on every response, and
templates that need nothing the policy forbids (inline handlers, hx-on:, inline styles, eval)."""
from __future__ import annotations

import json
import re
from pathlib import Path

from tests.samples import get_urls

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
# WeasyPrint renders templates/print/ on the server; no browser ever applies a CSP to them.
BROWSER_TEMPLATES = [p for p in TEMPLATES.rglob("*.html") if "print" not in p.relative_to(TEMPLATES).parts[:1]]
INLINE = re.compile(r"""\s(on[a-z]+|hx-on[:-][\w:-]*|style)\s*=|<script(?![^>]*\bsrc=)|<style|javascript:""", re.I)


def _assert_policy(response, where: str) -> None:
    csp = response.headers.get("Content-Security-Policy", "")
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";") if d.strip())
    assert directives.get("default-src") == "'self'", where
    assert directives.get("script-src") == "'self'", where
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp, where
    assert directives.get("object-src") == "'none'" and directives.get("frame-ancestors") == "'self'", where
    assert "camera=()" in response.headers.get("Permissions-Policy", ""), where
    assert "geolocation=()" in response.headers.get("Permissions-Policy", ""), where


def test_policy_on_every_kind_of_response(app, client, world, login_as):
    _assert_policy(client.get("/dang-nhap"), "login page")
    _assert_policy(client.get("/"), "redirect to login")
    _assert_policy(client.get("/static/js/app.js"), "static file")
    _assert_policy(client.get("/khong-co"), "404")
    _assert_policy(client.post("/dang-nhap", data={}), "CSRF 400")
    _assert_policy(client.get("/?q=%00"), "NUL 400")


def test_policy_on_every_page_for_an_administrator_and_an_officer(app, world, login_as):
    urls = get_urls(app, world)
    for role in ("admin", "officer"):
        client = login_as(role, world.d1b)
        for url in urls:
            _assert_policy(client.get(url), f"{role} GET {url}")


def test_no_template_needs_inline_script_style_or_eval():
    offenders = [f"{p.relative_to(TEMPLATES)}: {m.group(0).strip()}"
                 for p in BROWSER_TEMPLATES for m in INLINE.finditer(p.read_text("utf-8"))]
    assert not offenders, "\n".join(offenders)


def test_htmx_runs_without_eval_or_injected_styles(client):
    page = client.get("/dang-nhap").get_data(as_text=True)
    config = json.loads(re.search(r"name=\"htmx-config\" content='([^']+)'", page).group(1))
    assert config["allowEval"] is False
    assert config["includeIndicatorStyles"] is False
    assert config["allowScriptTags"] is False
    assert re.findall(r"<script[^>]*>", page) == [
        s for s in re.findall(r"<script[^>]*>", page) if "src=\"/static/" in s]


def test_nul_byte_is_refused_with_a_vietnamese_400(client, world, login_as):
    officer = login_as("officer", world.c1)
    for response in (client.post_form("/dang-nhap", {"username": "ad\x00min", "password": "x"}),
                     officer.get("/van-ban/?q=%00"), officer.get("/don-vi/%00")):
        assert response.status_code == 400
        assert "ký tự điều khiển không hợp lệ (NUL)" in response.get_data(as_text=True)


def test_ids_beyond_the_integer_range_are_404(world, login_as):
    officer = login_as("officer", world.c1)
    for url in ("/van-ban/2147483648", "/van-ban/99999999999999999999", "/tep/9223372036854775808",
                "/don-vi/" + "9" * 10_000):
        assert officer.get(url).status_code == 404, url
