"""Demo data for scheduling: services, working hours, time off, and weeks of appointments."""

import random
from datetime import time, timedelta

from clinic import clock
from clinic.scheduling import services

SERVICES = [
    # name, minutes, price in minor units (pence), buffer minutes, description
    ("Hip relief massage 60 min", 60, 6500, 15,
     "Slow, focused work on the hips, glutes and lower back, for stiffness, bursitis or sciatica. "
     "A good first visit."),
    ("Deep tissue 90 min", 90, 9000, 15,
     "Firm pressure through the deeper layers of muscle, with time for the whole back and legs."),
    ("Trigger point 45 min", 45, 5200, 10,
     "Short sessions on the knots that refer pain into the hip and thigh."),
    ("Maintenance 60 min", 60, 6000, 10,
     "A monthly session once a course of care has brought the pain down."),
]

# Per demo therapist (in order): weekday -> (start, end), clinic wall-clock time.
WEEKS = [
    {d: (time(9), time(17)) for d in range(5)},
    {**{d: (time(10), time(18)) for d in range(5)}, 5: (time(9), time(13))},
    {**{d: (time(8), time(14)) for d in range(4)}, 4: (time(12), time(19))},
]
PAST_WEEKS = 4
NEW_CLIENTS = 2
FUTURE_WEEKS = 3


def seed_schedule(demo) -> None:
    """Services, working hours, a time-off block, and past and future appointments."""
    rng = random.Random(2026)
    owner = demo.owner
    for name, minutes, price, buffer, description in SERVICES:
        demo.services.append(
            services.create_service(
                owner, name=name, duration_minutes=minutes, price_cents=price, buffer_minutes=buffer,
                description=description,
            )
        )
    for user, week in zip(demo.therapists, WEEKS, strict=False):
        services.set_working_hours(owner, user.id, [(d, s, e) for d, (s, e) in sorted(week.items())])

    today = clock.today()
    # Aisha takes a long weekend off in two weeks' time.
    if len(demo.therapists) >= 3:
        off_day = today + timedelta(days=14 - today.weekday() + 3)  # a Thursday
        services.add_time_off(
            owner,
            demo.therapists[2].id,
            start=clock.local_datetime(off_day, time(0)),
            end=clock.local_datetime(off_day + timedelta(days=2), time(0)),
            reason="Course on myofascial release",
        )

    now = clock.now()
    not_before = services.booking_not_before()
    clients = list(demo.clients)
    # The last NEW_CLIENTS demo clients are new: only future visits (the intake demo leaves one
    # of them held for clearance and one without an intake, which past visits would contradict).
    regulars = clients[: max(1, len(clients) - NEW_CLIENTS)]
    first_day = today - timedelta(weeks=PAST_WEEKS)
    last_day = today + timedelta(weeks=FUTURE_WEEKS)
    n = 0
    day = first_day
    while day <= last_day:
        for user, week in zip(demo.therapists, WEEKS, strict=False):
            hours = week.get(day.weekday())
            if hours is None:
                continue
            for _ in range(rng.choice((1, 2, 2, 3))):
                service = demo.services[n % len(demo.services)]
                start = _free_start(rng, user.id, service, day, hours, now, not_before)
                if start is None:
                    continue
                pool = clients if start > now else regulars
                client = pool[n % len(pool)]
                n += 1
                appointment = services.book_appointment(
                    owner, service_id=service.id, therapist_id=user.id, start=start, client_id=client.id
                )
                _settle(rng, owner, appointment, now)
                demo.appointments.append(appointment)
        day += timedelta(days=1)


def _free_start(rng, therapist_id, service, day, hours, now, not_before):
    """A random free grid start on `day` inside `hours`, clear of the present.

    Only starts whose whole visit fits the day's hours are tried, so the real rule check
    (`schedule_problem`) runs a few times per booking rather than for every grid point.
    """
    opens, closes = (h.hour * 60 + h.minute for h in hours)
    last = closes - service.duration_minutes
    candidates = [
        clock.local_datetime(day, time(minute // 60, minute % 60)) for minute in range(opens, last + 1, 15)
    ]
    rng.shuffle(candidates)
    for start in candidates:
        finished = start + timedelta(minutes=service.duration_minutes) <= now
        if not (finished or start >= not_before):
            continue
        if services.schedule_problem(therapist_id, service, start) is None:
            return start
    return None


def _settle(rng, owner, appointment, now) -> None:
    """Past visits mostly happened (seed_notes signs their notes); a few were missed or
    called off. Some future ones cancel."""
    roll = rng.random()
    if appointment.starts_at < now:
        if roll < 0.1:
            services.mark_no_show(owner, appointment.id)
        elif roll < 0.2:
            services.cancel_appointment(owner, appointment.id, "Client was unwell")
        # Otherwise it happened: it stays booked until its session note completes it.
    elif roll < 0.08:
        services.cancel_appointment(owner, appointment.id, "Client rescheduled by phone")
