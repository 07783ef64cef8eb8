"""Every route × every role, in the user's own unit and in another: the permission table and
the scope rule hold. Walks app.url_map, so a new route is covered the day it is added."""
from __future__ import annotations

import pytest

from danvan.core.access import PERMISSIONS, ROLES
from tests.samples import all_forms, all_samples

PUBLIC = {"static", "auth.login", "healthz"}
SKIP_METHODS = {"HEAD", "OPTIONS"}
# What an allowed role gets in its own scope: the page (or a redirect), and for a write sent with
# only its CSRF token, the write done or refused as invalid input — never 403/404 (not checked)
# nor 500. The samples in tests/samples/ are chosen so every allowed role may act on them.
ALLOWED = {"GET": (200, 302, 303), "POST": (200, 302, 303, 400, 409, 413, 422)}
# Pages read with a view permission whose POST asks a write permission inside the view: the
# permissions the POST needs (all of them). A new GET+POST page of this kind fails the matrix
# (403 where access was expected) until it is listed here.
POST_NEEDS = {
    "programme.report": ("programme.report",),
    "programme.soket_draft": ("programme.report", "plans.edit"),
    "blocs.member": ("blocs.edit",),
    "conferences.contribution": ("conferences.edit",),
}
# Writes only the object's own unit makes (relation OWN), or only the province makes: the
# allowed role's request in its own scope comes from a user of that unit ("c1" owns the samples).
ACTS_AT = {
    "plans.document_upload": "c1", "plans.document_attachment_remove": "c1",
    "programme.report": "c1", "blocs.evaluation_self": "c1",
    "initiatives.add_option": "bdv", "initiatives.toggle_option": "bdv", "initiatives.save_criteria": "bdv",
    "inspections.upload_report": "c1", "inspections.recommendation_followup": "c1",
}


def _allowed(app, rule, method: str, role: str) -> bool:
    needs = (app.view_functions[rule.endpoint]._permission,)
    if method == "POST":
        needs = POST_NEEDS.get(rule.endpoint, needs)
    return all(role in PERMISSIONS[p] for p in needs)


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


def _request(client, method: str, url: str, form: dict | None = None):
    if method == "GET":
        return client.get(url)
    return client.open(url, method=method, data={"csrf_token": client.csrf_token(), **(form or {})})


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


def test_matrix_tables_name_existing_endpoints(app):
    assert set(POST_NEEDS) | set(ACTS_AT) | set(all_forms()) <= set(app.view_functions)
    assert all(p in PERMISSIONS for needs in POST_NEEDS.values() for p in needs)


@pytest.mark.parametrize("role", sorted(ROLES))
def test_role_matrix_in_own_and_other_unit(app, world, login_as, role):
    samples, forms = all_samples(), all_forms()
    client = login_as(role, world.d1b)   # a district ban: its scope is the whole district D1
    acting = {}
    failures = []
    for rule, method in _routes(app):
        allowed = _allowed(app, rule, method, role)
        at = ACTS_AT.get(rule.endpoint) if method == "POST" else None
        if at and at not in acting:
            acting[at] = login_as(role, getattr(world, at))
        user = acting[at] if at else client
        ids = _ids(world, rule, samples, 0)
        form = forms[rule.endpoint](world, ids) if method == "POST" and rule.endpoint in forms else None
        own = _request(user, method, _build(app, rule, ids), form)
        if not allowed:
            if own.status_code != 403:
                failures.append(f"{method} {rule.rule} own: {own.status_code}, expected 403")
        elif own.status_code not in ALLOWED[method]:
            failures.append(f"{method} {rule.rule} own: {own.status_code}, expected one of {ALLOWED[method]}")
        if rule.arguments:
            other = _request(user, method, _build(app, rule, _ids(world, rule, samples, 1)))
            # Out of scope is 404 for whoever passes the route's own gate (the object is loaded
            # before a POST's inner check), 403 for a role the route refuses outright.
            expected = 404 if role in PERMISSIONS[app.view_functions[rule.endpoint]._permission] else 403
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
