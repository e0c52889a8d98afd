from tests.factories import bearer, make_client


def test_home_page_renders_for_visitors(client):
    response = client.get("/")
    assert response.status_code == 200
    assert b"Create an account" in response.data


def test_client_reads_own_record_through_the_api(client):
    me = make_client()
    headers = bearer(client, me.email)
    response = client.get(f"/api/v1/clients/{me.id}", headers=headers)
    assert response.status_code == 200
    assert response.get_json()["clearance_status"] == "not_required"
