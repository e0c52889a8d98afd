"""The contract's reading of JSON, as the body field types carry it: strict types, null as
absent, storable text, unknown ids, dates and date-times with an offset, plain messages."""

from datetime import UTC, date, datetime, time

import pytest

from clinic.api.bodies import Body, Clock, Codes, Day, Instant, RecordId, Strings, Text, Whole, checked
from clinic.api.scheduling import WeeklyHours
from clinic.errors import ValidationFailed
from clinic.parsing import MAX_ID, UNKNOWN_ID
from clinic.text import UNSTORABLE_MESSAGE


class Sample(Body):
    name: Text(10)
    count: Whole(0, 5)
    record: RecordId
    day: Day | None = None
    at: Instant | None = None
    clock: Clock | None = None
    codes: Codes(("a", "b"), allow_empty=False) | None = None
    words: Strings(max_items=2, max_length=3) | None = None
    note: Text(20, blank="absent") | None = None
    keep: Text(20, blank="keep") | None = None
    flag: bool = False


VALID = {"name": "Ada", "count": 2, "record": 7}


def _fields(data: dict) -> dict:
    with pytest.raises(ValidationFailed) as raised:
        checked(Sample, data)
    return raised.value.fields


def test_a_valid_body_is_read_into_values():
    read = checked(Sample, {**VALID, "day": "2027-03-02", "at": "2027-03-02T10:00:00+01:00", "clock": "09:30",
                            "codes": ["b", "a", "b"], "words": [" x ", " "], "note": "  ", "keep": "  ",
                            "unknown": "ignored"})
    assert (read.day, read.at, read.clock) == (date(2027, 3, 2), datetime(2027, 3, 2, 9, tzinfo=UTC), time(9, 30))
    assert (read.codes, read.words, read.note, read.keep) == (["b", "a"], ["x"], None, "  ")


def test_null_is_the_same_as_absent():
    required = ["This field is required."]
    assert _fields({"name": None, "count": None, "record": None}) == {"name": required, "count": required,
                                                                       "record": required}
    assert checked(Sample, {**VALID, "flag": None, "note": None}).flag is False


@pytest.mark.parametrize(("member", "value", "message"), [
    ("count", True, "Must be a whole number."),
    ("count", 1.0, "Must be a whole number."),
    ("count", "2", "Must be a whole number."),
    ("count", 6, "Must be at most 5."),
    ("count", 10**30, "Must be at most 5."),
    ("name", 5, "Must be a string."),
    ("name", "   ", "Must not be blank."),
    ("name", "x" * 11, "Must be at most 10 characters."),
    ("name", "a\x00b", UNSTORABLE_MESSAGE),
    ("name", "\ud800", UNSTORABLE_MESSAGE),
    ("flag", 1, "Must be true or false."),
    ("day", "2027-2-3", "Must be a date as YYYY-MM-DD."),
    ("at", "2027-03-02T10:00:00", "Must be an ISO 8601 date-time with an offset, like 2027-03-02T10:00:00+01:00."),
    ("at", "0001-01-01T00:00:00+01:00", "Is too far in the past or the future."),
    ("clock", "24:00", "Must be a time as HH:MM (00:00-23:59)."),
    ("codes", [], "Give at least one."),
    ("codes", ["c"], "Unknown codes: c. Known: a, b."),
    ("words", ["a", "b", "c"], "At most 2 items."),
    ("words", ["abcd"], "Each item must be at most 3 characters."),
    ("words", ["\x00"], UNSTORABLE_MESSAGE),
])
def test_each_problem_names_its_field_in_plain_words(member, value, message):
    assert _fields({**VALID, member: value}) == {member: [message]}


@pytest.mark.parametrize("value", [0, -5, MAX_ID + 1, 2**70])
def test_an_id_outside_the_integer_columns_reads_as_unknown(value):
    assert checked(Sample, {**VALID, "record": value}).record == UNKNOWN_ID
    assert checked(Sample, {**VALID, "record": MAX_ID}).record == MAX_ID


def test_a_list_body_names_the_item_and_member():
    with pytest.raises(ValidationFailed) as raised:
        checked(WeeklyHours, [{"weekday": 0, "start": "09:00", "end": "17:00"}, 3, {"weekday": 7}])
    assert raised.value.fields == {
        "[1]": ["Must be an object with weekday, start and end."],
        "[2].weekday": ["Must be at most 6."],
        "[2].start": ["This field is required."],
        "[2].end": ["This field is required."],
    }
    with pytest.raises(ValidationFailed) as raised:
        checked(WeeklyHours, [{}] * 51)
    assert raised.value.fields == {"items": ["At most 50 intervals."]}
