"""Failed logins are throttled per account, with a counter every server process shares."""

import threading
import uuid

import pytest
import redis
from freezegun import freeze_time

from tests.conftest import IN_CI, require_postgres
from tests.factories import PASSWORD, make_owner

REDIS_URL = "redis://127.0.0.1:6379/15"


def fail_api(client, email, times):
    for _ in range(times):
        response = client.post("/api/v1/tokens", json={"email": email, "password": "wrong-password-1"})
        assert response.status_code == 401


def test_after_ten_failures_even_the_right_password_gets_429(client):
    user = make_owner()
    fail_api(client, user.email, 10)
    response = client.post("/api/v1/tokens", json={"email": user.email, "password": PASSWORD})
    assert response.status_code == 429
    assert response.get_json()["error"]["code"] == "too_many_attempts"


def test_the_login_page_shares_the_counter_with_the_token_endpoint(client):
    user = make_owner()
    fail_api(client, user.email, 10)
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 429
    assert "Too many failed logins" in response.get_data(as_text=True)


def test_nine_failures_still_let_the_right_password_in(client):
    user = make_owner()
    fail_api(client, user.email, 9)
    assert client.post("/api/v1/tokens", json={"email": user.email, "password": PASSWORD}).status_code == 201


def test_the_lockout_ends_when_the_window_has_passed(client):
    user = make_owner()
    with freeze_time("2030-01-01 10:00:00"):
        fail_api(client, user.email, 10)
        assert client.post("/api/v1/tokens", json={"email": user.email, "password": PASSWORD}).status_code == 429
    with freeze_time("2030-01-01 10:15:01"):
        assert client.post("/api/v1/tokens", json={"email": user.email, "password": PASSWORD}).status_code == 201


def test_the_throttle_is_per_account(client):
    victim, other = make_owner(), make_owner()
    fail_api(client, victim.email, 10)
    assert client.post("/api/v1/tokens", json={"email": other.email, "password": PASSWORD}).status_code == 201


def _redis_or_skip():
    try:
        connection = redis.Redis.from_url(REDIS_URL, socket_timeout=2)
        connection.ping()
    except redis.RedisError as error:
        if IN_CI:
            pytest.fail(f"CI must run the Redis throttle test: {error}")
        pytest.skip(f"Redis not reachable at {REDIS_URL}: {error}")
    return connection


def test_with_redis_two_app_instances_share_one_counter(fresh_app_factory, db_backend):
    """Two app objects stand in for two server processes: they share only Redis and the DB."""
    _redis_or_skip()
    first = fresh_app_factory(db_backend, REDIS_URL=REDIS_URL)
    second = fresh_app_factory(db_backend, REDIS_URL=REDIS_URL)
    email = f"owner-{uuid.uuid4().hex[:8]}@example.test"
    for app in (first, second):
        with app.app_context():
            from clinic.auth.services import create_staff_user
            from clinic.extensions import db

            create_staff_user(role="owner", email=email, name="Owner", password=PASSWORD)
            db.session.commit()
    a, b = first.test_client(), second.test_client()
    for attempt in range(10):
        target = a if attempt % 2 else b
        assert target.post("/api/v1/tokens", json={"email": email, "password": "wrong-1-wrong"}).status_code == 401
    assert a.post("/api/v1/tokens", json={"email": email, "password": PASSWORD}).status_code == 429
    assert b.post("/login", data={"email": email, "password": PASSWORD}).status_code == 429


GUESSES = 30


@pytest.mark.parametrize("store", ["database", "redis"])
def test_parallel_guesses_reach_at_most_ten_password_checks(fresh_app_factory, store):
    """Thirty guesses at once on PostgreSQL, each on its own connection: no more than ten are
    checked (401), the rest are refused (429), and the account is then locked."""
    require_postgres()
    overrides = {"SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": GUESSES + 5, "max_overflow": 0}}
    if store == "redis":
        _redis_or_skip()
        overrides["REDIS_URL"] = REDIS_URL
    app = fresh_app_factory("postgresql", **overrides)
    email = f"owner-{uuid.uuid4().hex[:8]}@example.test"
    with app.app_context():
        from clinic.auth.services import create_staff_user
        from clinic.extensions import db

        create_staff_user(role="owner", email=email, name="Owner", password=PASSWORD)
        db.session.commit()
    barrier = threading.Barrier(GUESSES)
    statuses: list[int] = []

    def guess(number: int) -> None:
        web = app.test_client()
        barrier.wait()
        response = web.post("/api/v1/tokens", json={"email": email, "password": f"wrong-guess-{number}"})
        statuses.append(response.status_code)

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(GUESSES)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert len(statuses) == GUESSES
    checked = statuses.count(401)
    assert checked <= 10 and statuses.count(429) == GUESSES - checked, statuses
    web = app.test_client()
    # Refused guesses are not counted, so the rest of the ten may still be used, and no more.
    for number in range(10 - checked):
        assert web.post("/api/v1/tokens", json={"email": email, "password": f"late-{number}-x"}).status_code == 401
    assert web.post("/api/v1/tokens", json={"email": email, "password": PASSWORD}).status_code == 429
