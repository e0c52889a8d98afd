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
    # Database 15 is the tests' own. Counters outlive a run by 15 real minutes, and every test
    # client comes from 127.0.0.1: a run right after another would start over the address limit.
    connection.flushdb()
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


# --- Per account and address, per address, proxies, Redis down -------------------------------

def from_address(address: str) -> dict:
    return {"environ_base": {"REMOTE_ADDR": address}}


def token_status(client, email, password, address="192.0.2.10", **headers) -> int:
    response = client.post("/api/v1/tokens", json={"email": email, "password": password},
                           headers=headers, **from_address(address))
    return response.status_code


def test_guesses_from_one_address_do_not_lock_the_account_from_another(client):
    user = make_owner()
    for _ in range(10):
        assert token_status(client, user.email, "wrong-password-1", "203.0.113.66") == 401
    assert token_status(client, user.email, PASSWORD, "203.0.113.66") == 429
    assert token_status(client, user.email, PASSWORD, "198.51.100.7") == 201


def test_a_success_clears_the_count_for_that_address_only(client):
    user = make_owner()
    for _ in range(9):
        token_status(client, user.email, "wrong-password-1", "203.0.113.1")
    for _ in range(5):
        token_status(client, user.email, "wrong-password-1", "203.0.113.2")
    assert token_status(client, user.email, PASSWORD, "203.0.113.1") == 201
    for _ in range(10):
        assert token_status(client, user.email, "wrong-password-1", "203.0.113.1") == 401
    for _ in range(5):
        assert token_status(client, user.email, "wrong-password-1", "203.0.113.2") == 401
    assert token_status(client, user.email, "wrong-password-1", "203.0.113.2") == 429


PARALLEL_GUESSES = 50


def test_fifty_parallel_guesses_from_one_address_leave_the_owner_a_way_in(fresh_app_factory):
    """Fifty guesses at once on PostgreSQL from one address: at most ten are checked, and the
    owner, at another address, still logs in with the right password."""
    require_postgres()
    app = fresh_app_factory(
        "postgresql", SQLALCHEMY_ENGINE_OPTIONS={"pool_size": PARALLEL_GUESSES + 5, "max_overflow": 0}
    )
    email = f"owner-{uuid.uuid4().hex[:8]}@example.test"
    with app.app_context():
        from clinic.auth.services import create_staff_user
        from clinic.extensions import db

        create_staff_user(role="owner", email=email, name="Owner", password=PASSWORD)
        db.session.commit()
    barrier = threading.Barrier(PARALLEL_GUESSES)
    statuses: list[int] = []

    def guess(number: int) -> None:
        web = app.test_client()
        barrier.wait()
        statuses.append(token_status(web, email, f"wrong-guess-{number}", "203.0.113.99"))

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(PARALLEL_GUESSES)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    checked = statuses.count(401)
    assert len(statuses) == PARALLEL_GUESSES and checked <= 10, statuses
    web = app.test_client()
    for number in range(10 - checked):  # refused guesses were not counted: the rest of the ten
        assert token_status(web, email, f"late-{number}-x", "203.0.113.99") == 401
    assert token_status(web, email, PASSWORD, "203.0.113.99") == 429
    assert token_status(web, email, PASSWORD, "198.51.100.20") == 201
    assert web.post("/login", data={"email": email, "password": PASSWORD},
                    **from_address("198.51.100.20")).status_code == 302


def test_one_address_over_the_limit_is_refused_everywhere_but_others_are_not(client, app, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_ADDRESS_LIMIT", 12)
    owners = [make_owner() for _ in range(3)]
    attacker = "203.0.113.50"
    for number in range(13):  # more than twelve failures, over several accounts
        assert token_status(client, owners[number % 3].email, "wrong-password-1", attacker) == 401
    fresh = make_owner()
    assert token_status(client, fresh.email, PASSWORD, attacker) == 429
    page = client.post("/login", data={"email": fresh.email, "password": PASSWORD}, **from_address(attacker))
    assert page.status_code == 429
    reset = client.post("/api/v1/password-resets", json={"email": fresh.email}, **from_address(attacker))
    assert reset.status_code == 429
    confirm = client.post("/api/v1/password-resets/confirm", json={"token": "x", "password": "new-pass-2026"},
                          **from_address(attacker))
    assert confirm.status_code == 429
    signup = client.post("/api/v1/clients", json={"name": "Eve", "email": "eve@example.test",
                                                  "password": "long-enough-1"}, **from_address(attacker))
    assert signup.status_code == 429
    assert client.post("/signup", data={"name": "Eve", "email": "eve@example.test", "password": "long-enough-1",
                                        "confirm": "long-enough-1"}, **from_address(attacker)).status_code == 429
    assert client.post("/password-reset", data={"email": fresh.email},
                       **from_address(attacker)).status_code == 429
    assert token_status(client, fresh.email, PASSWORD, "198.51.100.3") == 201


def test_the_address_limit_counts_only_failures(client, app, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_ADDRESS_LIMIT", 3)
    user = make_owner()
    for _ in range(6):  # successes never fill the address's counter
        assert token_status(client, user.email, PASSWORD, "203.0.113.51") == 201


def test_without_trusted_proxies_x_forwarded_for_is_ignored(client):
    user = make_owner()
    for number in range(10):
        token_status(client, user.email, "wrong-password-1", "10.0.0.1", **{"X-Forwarded-For": f"198.51.100.{number}"})
    assert token_status(client, user.email, PASSWORD, "10.0.0.1", **{"X-Forwarded-For": "198.51.100.200"}) == 429


def test_with_trusted_proxies_the_forwarded_address_counts(fresh_app_factory):
    app = fresh_app_factory("sqlite", TRUSTED_PROXIES=2)
    with app.app_context():
        from clinic.auth.services import create_staff_user
        from clinic.extensions import db

        create_staff_user(role="owner", email="proxied@example.test", name="Owner", password=PASSWORD)
        db.session.commit()
    web = app.test_client()
    # Two proxies: the client is the second address from the right; what it sent itself is ignored.
    for number in range(10):
        forwarded = {"X-Forwarded-For": f"1.2.3.{number}, 203.0.113.7, 10.0.0.2"}
        assert token_status(web, "proxied@example.test", "wrong-password-1", "10.0.0.1", **forwarded) == 401
    spoofed = {"X-Forwarded-For": "9.9.9.9, 203.0.113.7, 10.0.0.2"}
    assert token_status(web, "proxied@example.test", PASSWORD, "10.0.0.1", **spoofed) == 429
    other = {"X-Forwarded-For": "203.0.113.8, 10.0.0.2"}
    assert token_status(web, "proxied@example.test", PASSWORD, "10.0.0.1", **other) == 201
    # Fewer entries than proxies: the peer address counts.
    short = {"X-Forwarded-For": "10.0.0.2"}
    assert token_status(web, "proxied@example.test", PASSWORD, "10.0.0.9", **short) == 201


def test_with_redis_down_logins_still_work_and_are_still_throttled(client, app, monkeypatch):
    monkeypatch.setitem(app.config, "REDIS_URL", "redis://127.0.0.1:1/0")  # nothing listens there
    user = make_owner()
    assert token_status(client, user.email, PASSWORD) == 201
    assert client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 302
    client.post("/logout")
    for _ in range(10):
        assert token_status(client, user.email, "wrong-password-1") == 401
    assert token_status(client, user.email, PASSWORD) == 429
    assert token_status(client, user.email, PASSWORD, "198.51.100.4") == 201
    assert client.post("/api/v1/password-resets", json={"email": user.email}).status_code == 202


def test_a_wrong_current_password_on_me_password_counts_as_a_failed_login(client):
    user = make_owner()
    token = client.post("/api/v1/tokens", json={"email": user.email, "password": PASSWORD}).get_json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    for _ in range(10):
        response = client.post("/api/v1/me/password", headers=headers,
                               json={"current_password": "wrong-password-1", "new_password": "new-pass-2026"})
        assert response.status_code == 403 and response.get_json()["error"]["code"] == "wrong_password"
    assert client.post("/api/v1/me/password", headers=headers,
                       json={"current_password": PASSWORD, "new_password": "new-pass-2026"}).status_code == 429
    assert client.post("/api/v1/tokens", json={"email": user.email, "password": PASSWORD}).status_code == 429


def test_with_redis_the_counters_are_per_account_and_address_and_per_address(client, app, monkeypatch):
    _redis_or_skip()
    monkeypatch.setitem(app.config, "REDIS_URL", REDIS_URL)
    monkeypatch.setitem(app.config, "LOGIN_ADDRESS_LIMIT", 15)
    # Fresh addresses each run: the Redis counters outlive the test's database transaction.
    run = uuid.uuid4().int
    attacker, owner_address = f"10.{run % 250}.{run // 250 % 250}.1", f"10.{run % 250}.{run // 250 % 250}.2"
    user = make_owner()
    for _ in range(10):
        assert token_status(client, user.email, "wrong-password-1", attacker) == 401
    assert token_status(client, user.email, PASSWORD, attacker) == 429
    assert token_status(client, user.email, PASSWORD, owner_address) == 201
    others = [make_owner() for _ in range(2)]
    for number in range(6):  # 16 failures from the address in all: more than 15
        assert token_status(client, others[number % 2].email, "wrong-password-1", attacker) == 401
    assert token_status(client, make_owner().email, PASSWORD, attacker) == 429
    assert client.post("/api/v1/password-resets", json={"email": user.email},
                       **from_address(attacker)).status_code == 429
