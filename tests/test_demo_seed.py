"""`seed-demo` on an empty database builds a clinic someone can click through."""

from sqlalchemy import func, select

from clinic.extensions import db
from clinic.models import Appointment, Client, Service, Therapist, User


def test_seed_demo_fills_an_empty_database(fresh_app_factory, db_backend):
    app = fresh_app_factory(db_backend)
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    assert "owner@demo.clinic" in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count(User.id)).where(User.role == "owner")) == 1
        assert db.session.scalar(select(func.count(Therapist.id))) >= 3
        assert db.session.scalar(select(func.count(Client.id))) >= 5
        assert db.session.scalar(select(func.count(Service.id))) >= 3
        assert db.session.scalar(select(func.count(Appointment.id))) >= 20
    again = app.test_cli_runner().invoke(args=["seed-demo"])
    assert again.exit_code != 0
