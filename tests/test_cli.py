"""The command-line contract: create-user and seed-demo, and every command on an unmigrated database."""

import pytest
import sqlalchemy as sa
from sqlalchemy import func, select

from clinic import create_app
from clinic.extensions import db
from clinic.models import Therapist, User
from tests.conftest import make_test_config, scratch_database


def test_create_user_makes_a_therapist_with_a_calendar(runner):
    result = runner.invoke(
        args=["create-user", "--role", "therapist", "--email", "T@Example.test", "--name", "Tess",
              "--password", "long-enough-1"]
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.email == "t@example.test"))
    assert user.role == "therapist"
    assert db.session.get(Therapist, user.id).calendar_token


def test_create_user_refuses_a_duplicate_email(runner):
    args = ["create-user", "--role", "owner", "--email", "o@example.test", "--name", "O",
            "--password", "long-enough-1"]
    assert runner.invoke(args=args).exit_code == 0
    result = runner.invoke(args=args)
    assert result.exit_code != 0
    assert "already exists" in result.output


def test_create_user_refuses_a_weak_password(runner):
    result = runner.invoke(
        args=["create-user", "--role", "owner", "--email", "w@example.test", "--name", "W",
              "--password", "short"]
    )
    assert result.exit_code != 0
    assert "password" in result.output.lower()
    assert db.session.scalar(select(func.count(User.id)).where(User.email == "w@example.test")) == 0


def test_create_user_refuses_the_client_role(runner):
    result = runner.invoke(
        args=["create-user", "--role", "client", "--email", "c@example.test", "--name", "C",
              "--password", "long-enough-1"]
    )
    assert result.exit_code != 0


def test_seed_demo_refuses_a_database_with_data(runner):
    runner.invoke(args=["create-user", "--role", "owner", "--email", "o@example.test", "--name", "O",
                        "--password", "long-enough-1"])
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code != 0
    assert "not empty" in result.output
    assert runner.invoke(args=["seed-demo", "--if-empty"]).exit_code == 0


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
@pytest.mark.parametrize(
    "args",
    [
        ["seed-demo"],
        ["create-user", "--role", "owner", "--email", "o@example.test", "--name", "O", "--password", "long-enough-1"],
        ["send-reminders"],
        ["mail-worker", "--once"],
    ],
    ids=["seed-demo", "create-user", "send-reminders", "mail-worker"],
)
def test_commands_on_an_unmigrated_database_say_to_run_db_upgrade(backend, args):
    with scratch_database(backend) as url:
        app = create_app(make_test_config(url))
        try:
            result = app.test_cli_runner().invoke(args=args)
        finally:
            with app.app_context():
                db.engine.dispose()
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert result.output.strip().splitlines() == [
        "Error: The database has no tables yet: run `flask --app wsgi db upgrade` first."
    ]


def test_a_database_missing_a_newer_table_is_named(runner):
    db.session.execute(sa.text("DROP TABLE outbound_emails"))
    result = runner.invoke(args=["send-reminders"])
    assert result.exit_code == 1
    assert "lacks the table(s) outbound_emails: run `flask --app wsgi db upgrade` first." in result.output
