"""overlap_clause (SQL) agrees with slots.overlaps (Python) on the same table of cases."""

import pytest
from sqlalchemy import select

from clinic.extensions import db
from clinic.models import TimeOff
from clinic.scheduling.services import overlap_clause
from tests.factories import make_therapist, make_time_off
from tests.unit.test_overlap import OVERLAP_CASES


@pytest.mark.parametrize(("a_start", "a_end", "b_start", "b_end", "expected"), OVERLAP_CASES)
def test_overlap_clause_matches_the_python_rule(app, a_start, a_end, b_start, b_end, expected):
    row = make_time_off(make_therapist(), a_start, a_end)
    found = db.session.scalar(
        select(TimeOff.id).where(TimeOff.id == row.id, overlap_clause(TimeOff.starts_at, TimeOff.ends_at, b_start, b_end))
    )
    assert (found is not None) is expected
