"""How a day's open times are offered to a client. Pure: no Flask, no database.

A client choosing "Any therapist" wants a time, not a therapist: each start is offered once,
with the therapists free then, and the day is split into parts so a long day reads quickly.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, time, tzinfo

# (name, first local start in it); a part runs until the next one begins.
DAY_PARTS = (("Morning", time(0)), ("Afternoon", time(12)), ("Evening", time(17)))


@dataclass(frozen=True)
class OpenTime:
    start: datetime
    local_start: datetime
    therapist_ids: tuple[int, ...]  # in the clinic's order of preference; the first is booked by default


def day_part(local: time) -> str:
    """'Morning' before 12:00, 'Afternoon' before 17:00, 'Evening' after."""
    name = DAY_PARTS[0][0]
    for part, begins in DAY_PARTS:
        if local >= begins:
            name = part
    return name


def open_times(slots: Iterable[tuple[int, datetime]], zone: tzinfo, preference: list[int]) -> list[OpenTime]:
    """One entry per start (chronological), listing every therapist free then in `preference` order."""
    rank = {therapist_id: i for i, therapist_id in enumerate(preference)}
    free: dict[datetime, set[int]] = {}
    for therapist_id, start in slots:
        free.setdefault(start, set()).add(therapist_id)
    return [
        OpenTime(start, start.astimezone(zone),
                 tuple(sorted(ids, key=lambda t: (rank.get(t, len(rank)), t))))
        for start, ids in sorted(free.items())
    ]


def by_day_part(times: list[OpenTime]) -> list[tuple[str, list[OpenTime]]]:
    """The parts of the day that have open times, in order, each with its times."""
    groups: dict[str, list[OpenTime]] = {}
    for entry in times:
        groups.setdefault(day_part(entry.local_start.time()), []).append(entry)
    return [(name, groups[name]) for name, _begins in DAY_PARTS if name in groups]
