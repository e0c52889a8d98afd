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


def test_the_demo_clinic_has_contact_details_a_currency_and_described_services(fresh_app_factory, db_backend):
    from clinic.models import ClinicSettings

    app = fresh_app_factory(db_backend)
    assert app.test_cli_runner().invoke(args=["seed-demo"]).exit_code == 0
    with app.app_context():
        saved = db.session.get(ClinicSettings, 1)
        assert saved.currency == "GBP" and saved.phone and saved.email and saved.address
        assert all(s.description for s in db.session.scalars(select(Service)))
