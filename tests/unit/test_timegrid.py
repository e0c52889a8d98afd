import re
from datetime import UTC, date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from clinic.scheduling import timegrid
from clinic.scheduling.timegrid import Span

DAY = date(2030, 3, 5)
BERLIN = ZoneInfo("Europe/Berlin")


def at(hour, minute=0, day=DAY, zone=UTC):
    return datetime.combine(day, time(hour, minute), tzinfo=zone)


def test_window_covers_hours_and_visits_in_whole_hours():
    hours = [Span(at(9), at(17))]
    visits = [Span(at(17, 15), at(18, 15))]
    assert timegrid.window([DAY], UTC, hours=hours, appointments=visits) == (9 * 4, 19 * 4)


def test_window_without_hours_or_visits_is_office_hours():
    assert timegrid.window([DAY], UTC) == timegrid.DEFAULT_WINDOW


def test_a_visit_is_a_block_sized_by_its_duration_with_buffers_either_side():
    col = timegrid.column(DAY, UTC, (36, 68), hours=[Span(at(9), at(17))],
                          appointments=[Span(at(10), at(11, 30), "visit", buffer_minutes=15)])
    blocks = [(b.kind, b.row, b.span) for b in col.blocks]
    assert blocks == [("buffer", 4, 1), ("appointment", 5, 6), ("buffer", 11, 1)]


def test_cells_outside_working_hours_are_not_working_and_free_starts_are_marked():
    col = timegrid.column(DAY, UTC, (32, 72), hours=[Span(at(9), at(12))], free=[at(9), at(9, 15), at(11)])
    working = [c.at for c in col.cells if c.working]
    assert working[0] == time(9) and working[-1] == time(11, 45)
    assert [c.at for c in col.cells if c.free] == [time(9), time(9, 15), time(11)]
    assert [(r.start, r.end) for r in col.free_ranges] == [(time(9), time(9, 30)), (time(11), time(11, 15))]


def test_time_off_over_midnight_is_clipped_to_the_day():
    off = Span(at(14, day=date(2030, 3, 4)), at(12), "ill")
    col = timegrid.column(DAY, UTC, (32, 72), time_off=[off])
    (block,) = col.blocks
    assert (block.kind, block.row, block.span, block.clipped) == ("time_off", 1, 16, True)


def test_now_marks_its_quarter_and_the_minutes_into_it_on_that_day_only():
    col = timegrid.column(DAY, UTC, (32, 72), now=at(10, 37))
    assert (col.now_row, col.now_minute) == (10 * 4 + 2 - 32 + 1, 7)
    assert [c.at for c in col.cells if c.past][-1] == time(10, 15)
    other = timegrid.column(date(2030, 3, 6), UTC, (32, 72), now=at(10, 37))
    assert other.now_row is None and not any(c.past for c in other.cells)


@pytest.mark.parametrize("day", [date(2030, 3, 31), date(2030, 10, 27)])
def test_rows_follow_the_wall_clock_on_daylight_saving_days(day):
    visit = Span(at(9, day=day, zone=BERLIN), at(10, day=day, zone=BERLIN))
    col = timegrid.column(day, BERLIN, (32, 72), appointments=[visit])
    assert (col.blocks[0].row, col.blocks[0].span) == (9 * 4 - 32 + 1, 4)


def test_the_stylesheet_has_a_class_for_every_row_span_and_minute():
    css = (Path(__file__).resolve().parents[2] / "static" / "css" / "time-grid.css").read_text()
    for prefix, numbers in (("r", range(1, 97)), ("s", range(1, 97)), ("m", range(15))):
        for n in numbers:
            assert re.search(rf"\.tg-{prefix}{n} \{{", css), f"tg-{prefix}{n} missing"
