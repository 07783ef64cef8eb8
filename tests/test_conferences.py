"""Conferences through HTTP: scope, điểm cầu, invitees, agenda, tham luận, numbers, documents, bad input."""
from __future__ import annotations

import pytest

from danvan.core.access import PERMISSIONS, ROLES
from tests.samples import all_samples
from tests.test_access_matrix import _build, _ids, _request, _routes

PDF_HEAD = b"%PDF-"


def mine(app):
    return [(rule, m) for rule, m in _routes(app) if rule.endpoint.startswith("conferences.")]


@pytest.mark.parametrize("role", sorted(ROLES))
def test_route_matrix_for_conference_routes(app, world, login_as, role):
    """The foundation matrix, limited to this feature's routes (the full one needs every feature's samples)."""
    samples = all_samples()
    client = login_as(role, world.d1b)
    failures = []
    for rule, method in mine(app):
        allowed = role in PERMISSIONS[app.view_functions[rule.endpoint]._permission]
        own = _request(client, method, _build(app, rule, _ids(world, rule, samples, 0)))
        if not allowed and own.status_code != 403:
            failures.append(f"{method} {rule.rule} own: {own.status_code}, expected 403")
        elif allowed and own.status_code in (403, 404, 500) and not (method != "GET" and own.status_code == 403):
            failures.append(f"{method} {rule.rule} own: {own.status_code}, expected access")
        if rule.arguments:
            other = _request(client, method, _build(app, rule, _ids(world, rule, samples, 1)))
            expected = 404 if allowed else 403
            if other.status_code != expected:
                failures.append(f"{method} {rule.rule} other: {other.status_code}, expected {expected}")
    assert not failures, "\n".join(failures)


def test_conference_routes_refuse_missing_csrf_and_anonymous(app, client, world, login_as):
    samples = all_samples()
    for rule, method in mine(app):
        url = _build(app, rule, _ids(world, rule, samples, 0))
        response = _request(client, method, url)
        assert response.status_code in (302, 303) and "/dang-nhap" in response.headers["Location"]
    admin = login_as("admin", world.d1b)
    for rule, method in mine(app):
        if method != "GET":
            url = _build(app, rule, _ids(world, rule, samples, 0))
            assert admin.open(url, method=method, data={}).status_code == 400
