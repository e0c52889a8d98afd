import pytest

from clinic.auth.passwords import password_problem
from clinic.security import is_safe_next


@pytest.mark.parametrize(
    ("password", "ok"),
    [
        ("short-1", False),
        ("abcdefghij", False),
        ("1234567890", False),
        ("abcdefghi1", True),
        ("          ", False),
        ("pass word!", True),
        ("ÄÖÜäöüßéèê", False),
    ],
)
def test_password_policy(password, ok):
    assert (password_problem(password) is None) is ok


@pytest.mark.parametrize(
    ("target", "safe"),
    [
        ("/clients", True),
        ("/clients?q=a", True),
        ("", False),
        (None, False),
        ("clients", False),
        ("https://evil.example", False),
        ("//evil.example", False),
        ("/\\evil.example", False),
        ("\\\\evil.example", False),
        ("http:evil.example", False),
        ("javascript:alert(1)", False),
        ("/ok\r\nLocation: https://evil.example", False),
    ],
)
def test_next_must_stay_inside_the_site(target, safe):
    assert is_safe_next(target) is safe
