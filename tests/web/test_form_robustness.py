"""Bad form input never gives a 500 on any page: the problem is shown, or the request refused."""

import re

import pytest

from clinic import create_app
from tests.conftest import make_test_config
from tests.factories import PASSWORD, make_appointment, make_client, make_owner, make_service, make_therapist

ODD_VALUES = ["", "x" * 6000, "-1", "2027-02-30", "99999999999999999999999", "25:61", "<script>"]


def _post_routes():
    app = create_app(make_test_config("sqlite://"))
    for rule in app.url_map.iter_rules():
        if "POST" in rule.methods and not rule.rule.startswith("/api/"):
            yield rule.rule


POST_ROUTES = sorted(set(_post_routes()))


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
