"""Who may see which client. An object that is not yours is reported as missing (404)."""

from sqlalchemy import exists, select

from clinic.errors import Forbidden, NotFound
from clinic.extensions import db
from clinic.models import Appointment, Client, User


def is_therapist_of(therapist_id: int, client_id: int) -> bool:
    """A therapist's clients are those with an appointment on that therapist's calendar."""
    return bool(
        db.session.scalar(
            select(
                exists().where(
                    Appointment.therapist_id == therapist_id,
                    Appointment.client_id == client_id,
                )
            )
        )
    )


def can_see_client(user: User, client: Client) -> bool:
    if user.is_owner:
        return True
    if user.is_therapist:
        return is_therapist_of(user.id, client.id)
    return client.user_id == user.id


def visible_client(user: User, client_id: int) -> Client:
    """Load a client the user may see, or raise NotFound whether it exists or not."""
    client = db.session.get(Client, client_id)
    if client is None or not can_see_client(user, client):
        raise NotFound("No such client.")
    return client


def require_staff(user: User) -> None:
    if not user.is_staff:
        raise Forbidden("Only clinic staff can do that.")


def require_owner(user: User) -> None:
    if not user.is_owner:
        raise Forbidden("Only the clinic owner can do that.")


def is_staff_for_client(user: User, client: Client) -> bool:
    """Staff for a client: the owner, or a therapist who has them on the calendar."""
    return user.is_owner or (user.is_therapist and is_therapist_of(user.id, client.id))
