"""The route × role matrix restricted to the initiatives routes (pins ours while other features are in flux)."""
import pytest

import tests.test_access_matrix as m
from danvan.core.access import ROLES

_orig = m._routes


def _mine(app):
    return [(r, meth) for r, meth in _orig(app) if r.endpoint.startswith("initiatives.")]


@pytest.fixture(autouse=True)
def only_mine(monkeypatch):
    monkeypatch.setattr(m, "_routes", _mine)


def test_anon(app, client, world):
    m.test_anonymous_is_sent_to_login_everywhere(app, client, world)


@pytest.mark.parametrize("role", sorted(ROLES))
def test_roles(app, world, login_as, role):
    m.test_role_matrix_in_own_and_other_unit(app, world, login_as, role)


def test_csrf(app, world, login_as):
    m.test_every_post_route_refuses_missing_csrf(app, world, login_as)


def test_perm(app):
    m.test_every_view_declares_a_permission(app)
