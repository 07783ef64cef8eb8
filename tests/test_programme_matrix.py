"""The route × role matrix restricted to the programme and blocs blueprints (same rules as
tests/test_access_matrix.py), so these features are checked even while others' routes change."""
from __future__ import annotations

import pytest

from danvan.core.access import PERMISSIONS, ROLES
from tests.samples import all_samples
from tests.test_access_matrix import _build, _ids, _request, _routes

MINE = ("programme.", "blocs.")


def _my_routes(app):
    return [(rule, method) for rule, method in _routes(app) if rule.endpoint.startswith(MINE)]


@pytest.mark.parametrize("role", sorted(ROLES))
def test_programme_and_blocs_matrix(app, world, login_as, role):
    samples = all_samples()
    client = login_as(role, world.d1b)
    failures = []
    routes = _my_routes(app)
    assert len(routes) > 25
    for rule, method in routes:
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


def test_my_post_routes_refuse_missing_csrf(app, world, login_as):
    samples = all_samples()
    client = login_as("admin", world.d1b)
    for rule, method in _my_routes(app):
        if method == "GET":
            continue
        url = _build(app, rule, _ids(world, rule, samples, 0))
        response = client.open(url, method=method, data={})
        assert response.status_code == 400, (method, url, response.status_code)
