"""Emails sign with the clinic's saved name and contact details and state its saved notice hours."""

from clinic.clinic_settings.services import update_clinic_settings
from clinic.models import CarePlan
from clinic.notifications.messages import CANCELLATION, CONFIRMATION, compose, compose_care_plan
from tests.factories import make_appointment, make_owner


def test_a_confirmation_carries_the_saved_name_contact_and_notice(app):
    update_clinic_settings(make_owner(), {
        "name": "Riverside Massage", "address": "1 River Lane, London", "phone": "+44 20 7946 0000",
        "email": "hello@riverside.example", "cancellation_notice_hours": 48})
    message = compose(CONFIRMATION, make_appointment())
    assert "at least 48 hours before it starts" in message.body
    assert "call us on +44 20 7946 0000" in message.body
    signature = message.body.rsplit("See you soon,", 1)[1]
    for line in ("Riverside Massage", "1 River Lane, London", "Phone: +44 20 7946 0000",
                 "Email: hello@riverside.example"):
        assert line in signature
    assert b"Riverside Massage" in message.attachment


def test_without_contact_details_the_signature_is_just_the_name(app):
    update_clinic_settings(make_owner(), {"name": "Quiet Clinic", "phone": "", "email": "", "address": ""})
    body = compose(CANCELLATION, make_appointment()).body
    assert body.rstrip().endswith("Quiet Clinic")
    assert "Phone:" not in body and "Email:" not in body


def test_a_care_plan_email_states_the_saved_notice(app):
    owner = make_owner()
    update_clinic_settings(owner, {"cancellation_notice_hours": 36, "phone": "555-0100"})
    visit = make_appointment()
    plan = CarePlan(client_id=visit.client_id, therapist_id=visit.therapist_id, service_id=visit.service_id,
                    weekly_sessions=1, maintenance_sessions=0)
    body = compose_care_plan(plan, [visit]).body
    assert "at least 36 hours before it starts" in body and "Phone: 555-0100" in body
