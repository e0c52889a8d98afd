"""Demo data for scheduling: services, working hours, time off, and a diary that keeps the
made-up history honest (no therapist or client in two places at once)."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

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
    {d: (time(12), time(20)) for d in (0, 2, 3, 4)},
]
# Every visit keeps this far from the therapist's other visits (the largest service buffer).
GAP = timedelta(minutes=15)


def seed_setup(demo) -> None:
    """Services, each therapist's working week, and a course Aisha takes in two weeks."""
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
        demo.diary.hours[user.id] = week
    if len(demo.therapists) >= 3:
        today = clock.today()
        off_day = today + timedelta(days=14 - today.weekday() + 3)  # a Thursday
        start = clock.local_datetime(off_day, time(0))
        end = clock.local_datetime(off_day + timedelta(days=2), time(0))
        aisha = demo.therapists[2].id
        services.add_time_off(owner, aisha, start=start, end=end, reason="Course on myofascial release")
        demo.diary.away.setdefault(aisha, []).append((start, end))


@dataclass
class Diary:
    """Who is busy when, kept beside the database while the demo is made, so finding a free
    time is a few comparisons instead of a query per candidate. The real services still check."""

    hours: dict[int, dict[int, tuple[time, time]]] = field(default_factory=dict)
    away: dict[int, list[tuple[datetime, datetime]]] = field(default_factory=dict)
    therapist_busy: dict[int, list[tuple[datetime, datetime]]] = field(default_factory=dict)
    client_busy: dict[int, list[tuple[datetime, datetime]]] = field(default_factory=dict)

    def works(self, therapist_id: int, start: datetime, minutes: int) -> bool:
        local = clock.to_local(start)
        hours = self.hours.get(therapist_id, {}).get(local.weekday())
        if hours is None:
            return False
        end = local + timedelta(minutes=minutes)
        return hours[0] <= local.time() and end.time() <= hours[1] and end.date() == local.date()

    def free(self, therapist_id: int, client_id: int, start: datetime, minutes: int) -> bool:
        end = start + timedelta(minutes=minutes)
        if not self.works(therapist_id, start, minutes):
            return False
        if any(s < end and e > start for s, e in self.away.get(therapist_id, [])):
            return False
        if any(s - GAP < end and e + GAP > start for s, e in self.therapist_busy.get(therapist_id, [])):
            return False
        # A client is never in two rooms at once, nor booked twice the same day.
        day = clock.to_local(start).date()
        return not any(clock.to_local(s).date() == day for s, _e in self.client_busy.get(client_id, []))

    def book(self, therapist_id: int, client_id: int, start: datetime, minutes: int) -> None:
        end = start + timedelta(minutes=minutes)
        self.therapist_busy.setdefault(therapist_id, []).append((start, end))
        self.client_busy.setdefault(client_id, []).append((start, end))

    def starts_on(self, therapist_id: int, day: date, minutes: int) -> list[datetime]:
        """Every quarter-hour start on `day` whose visit fits the therapist's hours."""
        hours = self.hours.get(therapist_id, {}).get(day.weekday())
        if hours is None:
            return []
        opens, closes = (h.hour * 60 + h.minute for h in hours)
        return [
            clock.local_datetime(day, time(m // 60, m % 60))
            for m in range(opens, closes - minutes + 1, 15)
        ]
