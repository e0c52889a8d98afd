"""Reading care plans: the plans an actor may see, each plan's sessions and phase, and the
overview the plan page and the API show (changing plans: services.py).

A session is "ahead" when it is not cancelled and has not started yet. The plan's phase
is `weekly` while a weekly session is ahead, then `maintenance` while a maintenance
session is ahead, then `finished` (also once the plan is ended early or cancelled).
"""

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from clinic import access, clock
from clinic.care_plans import cadence
from clinic.care_plans.cadence import Phase
from clinic.care_plans.progress import PainPoint, Progress, progress_of
from clinic.extensions import db
from clinic.models import Appointment, AppointmentStatus, CarePlan, Client, SessionNote, Therapist, User


@dataclass(frozen=True)
class PlanSession:
    appointment: Appointment
    phase: Phase
    ahead: bool
    note: SessionNote | None

    @property
    def cancelled(self) -> bool:
        return self.appointment.status == AppointmentStatus.CANCELLED


@dataclass(frozen=True)
class PlanOverview:
    """What the plan page and the API show: phase, sessions done and to come, pain."""

    plan: CarePlan
    phase: Phase
    sessions: list[PlanSession]
    progress: Progress
    points: list[PainPoint] = field(default_factory=list)

    @property
    def done(self) -> list[PlanSession]:
        return [s for s in self.sessions if not s.cancelled and not s.ahead]

    @property
    def to_come(self) -> list[PlanSession]:
        return [s for s in self.sessions if s.ahead]

    @property
    def cancelled(self) -> list[PlanSession]:
        return [s for s in self.sessions if s.cancelled]


def plan_for(actor: User, plan_id: int) -> CarePlan:
    """The plan, for staff (owner, front desk, its therapist, the client's therapists) and its
    client; else 404."""
    return access.care_plan_for(actor, plan_id)


def plans_for(actor: User, *, chronological: bool = False) -> list[CarePlan]:
    """Plans the actor may see: a client's own, a therapist's own, all for the owner and the
    front desk.

    The newest 200, newest first for the plans page; `chronological` gives the same plans
    oldest first (by first session, then id), the API's order for lists.
    """
    query = (
        select(CarePlan)
        .options(joinedload(CarePlan.client), joinedload(CarePlan.therapist).joinedload(Therapist.user))
        .where(access.care_plan_scope(actor))
        .order_by(CarePlan.first_start.desc(), CarePlan.id.desc())
    )
    plans = list(db.session.scalars(query.limit(200)))
    return plans[::-1] if chronological else plans


def plans_of_client(actor: User, client: Client) -> list[CarePlan]:
    plans = db.session.scalars(
        select(CarePlan).where(CarePlan.client_id == client.id).order_by(CarePlan.first_start.desc())
    )
    return [p for p in plans if access.may_see_plan(actor, p)]


def plan_appointments(plan: CarePlan) -> list[Appointment]:
    return list(
        db.session.scalars(
            select(Appointment)
            .where(Appointment.care_plan_id == plan.id)
            .order_by(Appointment.starts_at, Appointment.id)
        )
    )


def _is_ahead(appointment: Appointment, now: datetime) -> bool:
    return appointment.status != AppointmentStatus.CANCELLED and appointment.starts_at > now


def session_phase_of(plan: CarePlan, appointment: Appointment) -> Phase:
    """The phase (weekly or maintenance) a session of `plan` belongs to, by its start."""
    return cadence.session_phase(
        appointment.starts_at, plan.first_start, plan.weekly_sessions, clock.clinic_zone()
    )


def plan_phase(plan: CarePlan, appointments: list[Appointment] | None = None) -> Phase:
    """weekly / maintenance / finished, counting only non-cancelled sessions (see module doc)."""
    now = clock.now()
    appointments = plan_appointments(plan) if appointments is None else appointments
    return cadence.phase_of(
        [
            (session_phase_of(plan, a), _is_ahead(a, now))
            for a in appointments
            if a.status != AppointmentStatus.CANCELLED
        ]
    )


def sessions_of_plans(plans: list[CarePlan]) -> dict[int, list[Appointment]]:
    """Each plan's sessions as plan_appointments gives them, from one query for all the plans."""
    by_plan: dict[int, list[Appointment]] = {p.id: [] for p in plans}
    if by_plan:
        for appointment in db.session.scalars(
            select(Appointment)
            .where(Appointment.care_plan_id.in_(by_plan))
            .order_by(Appointment.starts_at, Appointment.id)
        ):
            by_plan[appointment.care_plan_id].append(appointment)
    return by_plan


def phases_for(plans: list[CarePlan]) -> dict[int, Phase]:
    """Each plan's phase, from one query over all their sessions (for lists and panels)."""
    by_plan = sessions_of_plans(plans)
    return {p.id: plan_phase(p, by_plan[p.id]) for p in plans}


def plan_overview(plan: CarePlan, *, with_notes: bool = True) -> PlanOverview:
    """`with_notes=False` leaves out the notes and the pain trend (clinical content), for
    viewers who schedule but do not treat."""
    now = clock.now()
    appointments = plan_appointments(plan)
    notes = {
        n.appointment_id: n
        for n in db.session.scalars(
            select(SessionNote)
            .options(selectinload(SessionNote.techniques))
            .where(SessionNote.appointment_id.in_([a.id for a in appointments]))
        )
    } if with_notes else {}
    sessions = [
        PlanSession(a, session_phase_of(plan, a), _is_ahead(a, now), notes.get(a.id)) for a in appointments
    ]
    points = [
        PainPoint(
            a.id,
            clock.to_local(a.starts_at).date(),
            notes[a.id].pain_before,
            notes[a.id].pain_after,
            tuple(notes[a.id].technique_codes),
        )
        for a in appointments
        if a.id in notes
    ]
    return PlanOverview(plan, plan_phase(plan, appointments), sessions, progress_of(points), points)
