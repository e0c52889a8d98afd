"""Bad form input never gives a 500 on any page: the problem is shown, or the request refused."""

import re

import pytest

from clinic import create_app
from tests.conftest import make_test_config
from tests.factories import PASSWORD, make_appointment, make_client, make_owner, make_service, make_therapist

# Digits Python's isdigit() accepts but int() refuses (²), other scripts' digits, far dates and
# instants past 2038-01-19 (a 32-bit epoch), and the text no database stores (NUL; a lone
# surrogate cannot be sent urlencoded, its UTF-8 bytes arrive as U+FFFD).
ODD_VALUES = ["", "x" * 6000, "-1", "2027-02-30", "99999999999999999999999", "25:61", "<script>", "a\x00b", "²",
              "١٢", "1e308", "NaN", "2038-01-20", "2100-06-01", "9999-12-31", "0001-01-01", "2100-06-01T10:00",
              "\ufffe\U0001f600"]


def _post_routes():
    app = create_app(make_test_config("sqlite://"))
    for rule in app.url_map.iter_rules():
        if "POST" in rule.methods and not rule.rule.startswith("/api/"):
            yield rule.rule


POST_ROUTES = sorted(set(_post_routes()))


def _get_routes():
    app = create_app(make_test_config("sqlite://"))
    for rule in app.url_map.iter_rules():
        if "GET" in rule.methods and not rule.rule.startswith(("/api/", "/static/")):
            yield rule.rule


GET_ROUTES = sorted(set(_get_routes()))
# Query strings a page may be sent by hand: a NUL, Flask's reserved url_for arguments, odd ids.
ODD_QUERIES = [
    "?q=a%00b&next=%00",
    "?q=%ED%A0%80&day=2038-01-20&page=%C2%B2&client_id=%C2%B2&actor_id=%C2%B2&service_id=%C2%B2&therapist_id=%C2%B2",
    "?day=2100-06-01&from=9999-12-31&to=0001-01-01&page=99999999999999999999999&week=2100-06-01",
    "?_method=POST&_external=1&_anchor=x&_scheme=javascript",
    "?service_id=99999999999999999999999&therapist_id=-1&client_id=abc&day=2027-02-30&page=0",
]


@pytest.fixture
def scene(app):
    owner, therapist, me = make_owner(), make_therapist(hours=True), make_client()
    make_service()
    make_appointment(therapist=therapist, client=me)
    return {"owner": owner.email, "therapist": therapist.user.email, "client": me.email}


@pytest.mark.parametrize("role", ["owner", "therapist", "client"])
def test_no_page_answers_500_to_odd_form_input(client, scene, role):
    client.post("/login", data={"email": scene[role], "password": PASSWORD})
    checked = 0
    for rule in POST_ROUTES:
        if rule in ("/logout", "/login"):
            continue
        url = re.sub(r"<(?:int:)?[^>]+>", "1", rule)
        page = client.get(url)
        names = set(re.findall(r'name="([a-z_0-9-]+)"', page.get_data(as_text=True))) - {"csrf_token"}
        for value in ODD_VALUES:
            response = client.post(url, data=dict.fromkeys(names or {"x"}, value))
            assert response.status_code < 500, (role, url, value, response.status_code)
            checked += 1
    assert checked > 50


@pytest.mark.parametrize("role", ["owner", "therapist", "client", "visitor"])
def test_no_page_answers_500_to_an_odd_query_string(client, scene, role):
    if role != "visitor":
        client.post("/login", data={"email": scene[role], "password": PASSWORD})
    for rule in GET_ROUTES:
        if rule == "/logout":
            continue
        url = re.sub(r"<(?:int:)?[^>]+>", "1", rule)
        for query in ODD_QUERIES:
            with client.get(url + query) as response:  # CSV downloads stream: read and close
                response.get_data()
                assert response.status_code < 500, (role, url + query, response.status_code)


def test_a_nul_in_the_login_form_is_refused_not_a_500(client, scene):
    response = client.post("/login", data={"email": "a\x00b@example.test", "password": "x"})
    assert response.status_code == 400
