"""The route × role matrix restricted to the plans and notifications routes (the full matrix in
test_access_matrix.py covers every feature; this one pins ours even while others are in flux)."""
from __future__ import annotations

import pytest

from danvan.core.access import PERMISSIONS, ROLES
from tests.samples import all_samples
from tests.test_access_matrix import _build, _ids, _request, _routes

MINE = ("plans.", "notifications.")


def _my_routes(app):
    return [(rule, method) for rule, method in _routes(app) if rule.endpoint.startswith(MINE)]


def test_my_routes_exist_and_declare_permissions(app):
    routes = _my_routes(app)
    assert len(routes) >= 20
    assert all(hasattr(app.view_functions[r.endpoint], "_permission") for r, _ in routes)


@pytest.mark.parametrize("role", sorted(ROLES))
def test_plans_role_matrix(app, world, login_as, role):
    samples = all_samples()
    client = login_as(role, world.d1b)
    failures = []
    for rule, method in _my_routes(app):
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


def test_anonymous_and_csrf_on_my_routes(app, client, world, login_as):
    samples = all_samples()
    for rule, method in _my_routes(app):
        url = _build(app, rule, _ids(world, rule, samples, 0))
        response = _request(client, method, url)
        assert response.status_code in (302, 303), (method, url, response.status_code)
    admin = login_as("admin", world.d1b)
    for rule, method in _my_routes(app):
        if method == "GET":
            continue
        url = _build(app, rule, _ids(world, rule, samples, 0))
        response = admin.open(url, method=method, data={})
        assert response.status_code == 400, (method, url, response.status_code)
