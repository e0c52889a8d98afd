"""The command-line contract: create-user and seed-demo."""

from sqlalchemy import func, select

from clinic.extensions import db
from clinic.models import Therapist, User


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
