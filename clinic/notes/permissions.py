"""Who may read and write session notes. A note that is not yours to see is a 404."""

from clinic.models import Appointment, SessionNote, User


def can_view_note(user: User, note: SessionNote) -> bool:
    """The author, the owner, and the client the note is about."""
    if user.is_owner or note.author_id == user.id:
        return True
    client = note.appointment.client
    return user.is_client and client.user_id is not None and client.user_id == user.id


def can_amend_note(user: User, note: SessionNote) -> bool:
    """Only the author adds amendments to a signed note."""
    return note.author_id == user.id


def can_write_note(user: User, appointment: Appointment) -> bool:
    """Only the appointment's therapist records its session note."""
    return user.is_therapist and appointment.therapist_id == user.id


def can_see_appointment(user: User, appointment: Appointment) -> bool:
    """Whether the appointment's existence may be revealed to `user` (else 404, not 403)."""
    if user.is_owner or appointment.therapist_id == user.id:
        return True
    return user.is_client and appointment.client.user_id == user.id
