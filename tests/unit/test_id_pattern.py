"""The id pattern of URLs: exactly the whole numbers up to a limit, so larger ids match no route."""

import re

import pytest

from clinic.parsing import MAX_ID, digits_up_to


@pytest.mark.parametrize("limit", [0, 7, 10, 99, 100, 209, 31415, MAX_ID])
def test_digits_up_to_matches_exactly_the_numbers_up_to_the_limit(limit):
    pattern = re.compile(digits_up_to(limit) + r"\Z")
    numbers = [*range(0, 1100), limit - 1, limit, limit + 1, limit * 10 + 9, 2**31, 2**63]
    for n in (n for n in numbers if n >= 0):
        assert bool(pattern.match(str(n))) == (n <= limit), n
        assert bool(pattern.match(f"00{n}")) == (n <= limit), n
