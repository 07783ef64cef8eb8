"""Every route × every role, in the user's own unit and in another: the permission table and
the scope rule hold. Walks app.url_map, so a new route is covered the day it is added."""
from __future__ import annotations

import pytest

from danvan.core.access import PERMISSIONS, ROLES
from tests.samples import all_samples

PUBLIC = {"static", "auth.login", "healthz"}
SKIP_METHODS = {"HEAD", "OPTIONS"}


def _routes(app):
    out = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in PUBLIC:
            continue
        for method in sorted(rule.methods - SKIP_METHODS):
            out.append((rule, method))
    # Logout last: it ends the session the rest of the matrix runs in.
    return sorted(out, key=lambda rm: rm[0].endpoint == "auth.logout")


def _build(app, rule, ids: dict) -> str:
    with app.test_request_context():
        from flask import url_for

        return url_for(rule.endpoint, **{arg: ids[arg] for arg in rule.arguments})


def _ids(world, rule, samples, which: int) -> dict:
    ids = {}
    for arg in sorted(rule.arguments):
        if arg not in samples:
            pytest.fail(f"route {rule.rule} has argument {arg!r} with no sample: "
                        f"add one in tests/samples/<feature>.py")
        ids[arg] = samples[arg](world)[which]
    return ids


def _request(client, method: str, url: str):
    if method == "GET":
        return client.get(url)
    return client.open(url, method=method, data={"csrf_token": client.csrf_token()})


def test_every_view_declares_a_permission(app):
    missing = [rule.endpoint for rule, _ in _routes(app)
               if not hasattr(app.view_functions[rule.endpoint], "_permission")]
    assert not missing, f"views without @requires: {missing}"


def test_anonymous_is_sent_to_login_everywhere(app, client, world):
    samples = all_samples()
    for rule, method in _routes(app):
        url = _build(app, rule, _ids(world, rule, samples, 0))
        response = _request(client, method, url)
        assert response.status_code in (302, 303), (method, url, response.status_code)
        assert "/dang-nhap" in response.headers["Location"], (method, url)


def test_htmx_request_without_session_gets_hx_redirect(client):
    response = client.get("/", headers={"HX-Request": "true"})
    assert response.status_code == 401
    assert response.headers["HX-Redirect"].startswith("/dang-nhap")


@pytest.mark.parametrize("role", sorted(ROLES))
def test_role_matrix_in_own_and_other_unit(app, world, login_as, role):
    samples = all_samples()
    client = login_as(role, world.d1b)   # a district ban: its scope is the whole district D1
    failures = []
    for rule, method in _routes(app):
        allowed = role in PERMISSIONS[app.view_functions[rule.endpoint]._permission]
        own = _request(client, method, _build(app, rule, _ids(world, rule, samples, 0)))
        if not allowed:
            if own.status_code != 403:
                failures.append(f"{method} {rule.rule} own: {own.status_code}, expected 403")
        elif own.status_code in (403, 404, 500) and not (method != "GET" and own.status_code == 403):
            failures.append(f"{method} {rule.rule} own: {own.status_code}, expected access")
        if rule.arguments:
            other = _request(client, method, _build(app, rule, _ids(world, rule, samples, 1)))
            expected = 404 if allowed else 403
            if other.status_code != expected:
                failures.append(f"{method} {rule.rule} other unit: {other.status_code}, expected {expected}")
    assert not failures, "\n".join(failures)


def test_every_post_route_refuses_missing_csrf(app, world, login_as):
    samples = all_samples()
    client = login_as("admin", world.d1b)
    for rule, method in _routes(app):
        if method == "GET":
            continue
        url = _build(app, rule, _ids(world, rule, samples, 0))
        response = client.open(url, method=method, data={})
        assert response.status_code == 400, (method, url, response.status_code)
        assert "CSRF" in response.get_data(as_text=True)
