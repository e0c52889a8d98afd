"""Every protected URL refuses visitors: pages send them to log in, the API answers 401.

The lists are read from the app's URL map, so a new route is covered the day it is added.
"""

import re

import pytest

from clinic import create_app
from tests.conftest import make_test_config

PUBLIC_PAGES = {
    "home.index", "auth.login", "auth.login_second_step", "auth.signup", "auth.password_reset_request",
    "auth.password_reset_confirm", "static",
}


def _routes():
    app = create_app(make_test_config("sqlite://"))
    routes = []
    for rule in app.url_map.iter_rules():
        url = re.sub(r"<(?:int:)?[^>]+>", "1", rule.rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            view = app.view_functions[rule.endpoint]
            spec = getattr(view, "_openapi", None)
            routes.append((rule.endpoint, method, url, spec))
    return routes


ROUTES = _routes()
PAGE_ROUTES = [(e, m, u) for e, m, u, _ in ROUTES if not u.startswith("/api/") and e not in PUBLIC_PAGES]
API_ROUTES = [(e, m, u) for e, m, u, spec in ROUTES if u.startswith("/api/") and (spec is None or spec["auth"])]


@pytest.mark.parametrize(("endpoint", "method", "url"), PAGE_ROUTES)
def test_pages_send_visitors_to_log_in(client, endpoint, method, url):
    response = client.open(url, method=method)
    assert response.status_code == 302, endpoint
    assert response.headers["Location"].startswith("/login?next="), endpoint


@pytest.mark.parametrize(("endpoint", "method", "url"), API_ROUTES)
def test_protected_api_routes_answer_401_without_a_token(client, endpoint, method, url):
    response = client.open(url, method=method, json={})
    assert response.status_code in (401, 405), endpoint
    if response.status_code == 401:
        assert response.get_json()["error"]["code"] == "unauthenticated"


def test_the_route_lists_are_not_empty():
    assert len(PAGE_ROUTES) >= 3
    assert len(API_ROUTES) >= 2
