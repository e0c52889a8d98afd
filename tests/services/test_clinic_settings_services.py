import pytest

from clinic.clinic_settings.services import clinic_profile, update_clinic_settings
from clinic.errors import Forbidden, ValidationFailed
from clinic.extensions import db
from clinic.models import AuditEntry, ClinicSettings, Role, User


def _user(role: Role, email: str) -> User:
    user = User(email=email, name=email.split("@")[0], role=role, password_hash="x")
    db.session.add(user)
    db.session.flush()
    return user


def test_environment_gives_the_first_values(app):
    app.config.update(CLINIC_PHONE="+44 20 7946 0000", CLINIC_CURRENCY="gbp")
    profile = clinic_profile()
    assert profile.phone == "+44 20 7946 0000"
    assert profile.currency == "GBP"
    assert profile.cancellation_notice_hours == app.config["CANCELLATION_NOTICE_HOURS"]
    assert profile.require_staff_two_factor is False
    assert db.session.get(ClinicSettings, 1) is None


def test_the_owner_saves_and_the_saved_values_win(app):
    owner = _user(Role.OWNER, "owner@settings.test")
    profile = update_clinic_settings(owner, {"currency": "usd", "cancellation_notice_hours": 12,
                                             "phone": " 555-0100 ", "require_staff_two_factor": True})
    assert (profile.currency, profile.cancellation_notice_hours, profile.phone) == ("USD", 12, "555-0100")
    app.config["CLINIC_CURRENCY"] = "EUR"
    db.session.expire_all()
    from flask import g
    g.pop("_clinic_profile", None)
    assert clinic_profile().currency == "USD"
    assert clinic_profile().require_staff_two_factor is True
    assert db.session.query(AuditEntry).filter_by(action="clinic_settings.updated").count() == 1


def test_bad_values_are_refused_together_and_nothing_is_saved(app):
    owner = _user(Role.OWNER, "owner2@settings.test")
    with pytest.raises(ValidationFailed) as refused:
        update_clinic_settings(owner, {"currency": "EURO", "email": "not an email",
                                       "cancellation_notice_hours": -1, "time_zone": "UTC"})
    assert set(refused.value.fields) == {"currency", "email", "cancellation_notice_hours", "time_zone"}
    assert db.session.get(ClinicSettings, 1) is None


def test_only_the_owner_changes_settings(app):
    therapist = _user(Role.THERAPIST, "t@settings.test")
    with pytest.raises(Forbidden):
        update_clinic_settings(therapist, {"currency": "USD"})
