from datetime import date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clinic.intake.screening import (
    CONDITIONS,
    FLAG_CODES,
    RULES,
    CheckInAnswers,
    IntakeAnswers,
    RedFlag,
    answers_from_mapping,
    check_in_problems,
    intake_problems,
    screen_check_in,
    screen_intake,
)

TODAY = date(2027, 3, 2)
WINDOW = 180


def intake(**kw) -> IntakeAnswers:
    kw.setdefault("consent", True)
    kw.setdefault("pain_level", 3)
    return IntakeAnswers(**kw)


def codes(flags: list[RedFlag]) -> list[str]:
    return [f.code for f in flags]


def test_a_calm_intake_raises_no_flag():
    assert screen_intake(intake(conditions=["osteoarthritis", "bursitis"]), TODAY, WINDOW) == []


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        ({"pain_level": 7}, []),
        ({"pain_level": 8}, ["severe_pain"]),
        ({"pain_level": 10}, ["severe_pain"]),
        ({"pain_level": 0}, []),
        ({"fever_or_chills": True}, ["infection_signs"]),
        ({"redness_or_warmth": True}, ["infection_signs"]),
        ({"fever_or_chills": True, "redness_or_warmth": True}, ["infection_signs"]),
        ({"sudden_swelling": True}, ["sudden_swelling"]),
        ({"loss_of_mobility": True}, ["loss_of_mobility"]),
        ({"chronic_pain_unimproved": True}, ["chronic_pain_unimproved"]),
        ({"recent_surgery": True}, ["post_surgery"]),
        ({"recent_surgery": True, "surgery_date": TODAY}, ["post_surgery"]),
        ({"recent_surgery": True, "surgery_date": TODAY - timedelta(days=WINDOW - 1)}, ["post_surgery"]),
        ({"recent_surgery": True, "surgery_date": TODAY - timedelta(days=WINDOW)}, ["post_surgery"]),
        ({"recent_surgery": True, "surgery_date": TODAY - timedelta(days=WINDOW + 1)}, []),
        ({"recent_surgery": True, "surgery_date": date(2020, 1, 1)}, []),
        # A date without the box ticked is not a recent surgery.
        ({"recent_surgery": False, "surgery_date": TODAY - timedelta(days=3)}, []),
        ({"conditions": list(CONDITIONS)}, []),
    ],
)
def test_each_rule_fires_exactly_on_its_sign(answers, expected):
    assert codes(screen_intake(intake(**answers), TODAY, WINDOW)) == expected


def test_every_sign_at_once_raises_every_flag_once_in_table_order():
    answers = intake(
        pain_level=9, recent_surgery=True, surgery_date=TODAY - timedelta(days=10), fever_or_chills=True,
        redness_or_warmth=True, sudden_swelling=True, loss_of_mobility=True, chronic_pain_unimproved=True,
    )
    assert codes(screen_intake(answers, TODAY, WINDOW)) == list(FLAG_CODES)


@pytest.mark.parametrize(
    ("answers", "reason"),
    [
        ({"recent_surgery": True, "surgery_date": date(2027, 1, 4)}, "Surgery on 2027-01-04, within 180 days"),
        ({"recent_surgery": True}, "Recent surgery (no date given)"),
        ({"pain_level": 9}, "Severe pain: 9 out of 10"),
        ({"fever_or_chills": True}, "Possible infection or inflammation: fever or chills"),
        ({"fever_or_chills": True, "redness_or_warmth": True},
         "Possible infection or inflammation: fever or chills and redness or warmth"),
        ({"redness_or_warmth": True}, "Possible infection or inflammation: redness or warmth"),
    ],
)
def test_reasons_are_plain_sentences_for_staff(answers, reason):
    assert [f.reason for f in screen_intake(intake(**answers), TODAY, WINDOW)] == [reason]


@pytest.mark.parametrize("window", [0, 1, 30, 365])
def test_the_surgery_window_follows_the_setting(window):
    edge = intake(recent_surgery=True, surgery_date=TODAY - timedelta(days=window))
    past = intake(recent_surgery=True, surgery_date=TODAY - timedelta(days=window + 1))
    assert codes(screen_intake(edge, TODAY, window)) == ["post_surgery"]
    assert screen_intake(past, TODAY, window) == []
    assert f"within {window} days" in screen_intake(edge, TODAY, window)[0].reason


def test_every_rule_cites_the_article_and_uses_a_contract_code():
    assert {rule.code for rule in RULES} == set(FLAG_CODES)
    assert all(rule.source.startswith("When to see a doctor: ") for rule in RULES)


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        ({"pain_level": 7}, []),
        ({"pain_level": 8}, ["severe_pain"]),
        ({"pain_level": 2, "fever_or_chills": True}, ["infection_signs"]),
        ({"pain_level": 2, "redness_or_warmth": True}, ["infection_signs"]),
        ({"pain_level": 2, "new_swelling": True}, ["sudden_swelling"]),
        ({"pain_level": 2, "recent_surgery": True}, ["post_surgery"]),
        ({"pain_level": 2, "recent_surgery": True, "surgery_date": TODAY - timedelta(days=WINDOW)},
         ["post_surgery"]),
        ({"pain_level": 2, "recent_surgery": True, "surgery_date": TODAY - timedelta(days=WINDOW + 1)}, []),
        ({"pain_level": 2}, []),
    ],
)
def test_check_in_uses_the_same_rules(answers, expected):
    assert codes(screen_check_in(CheckInAnswers(**answers), TODAY, WINDOW)) == expected


@given(
    pain=st.integers(0, 10),
    booleans=st.lists(st.booleans(), min_size=6, max_size=6),
    days_ago=st.none() | st.integers(0, 1000),
)
def test_flags_appear_if_and_only_if_some_sign_is_present(pain, booleans, days_ago):
    surgery, fever, redness, swelling, mobility, chronic = booleans
    answers = intake(
        pain_level=pain, recent_surgery=surgery,
        surgery_date=None if days_ago is None else TODAY - timedelta(days=days_ago),
        fever_or_chills=fever, redness_or_warmth=redness, sudden_swelling=swelling,
        loss_of_mobility=mobility, chronic_pain_unimproved=chronic,
    )
    surgery_counts = surgery and (days_ago is None or days_ago <= WINDOW)
    expected = {
        "post_surgery": surgery_counts,
        "infection_signs": fever or redness,
        "sudden_swelling": swelling,
        "severe_pain": pain >= 8,
        "loss_of_mobility": mobility,
        "chronic_pain_unimproved": chronic,
    }
    flags = screen_intake(answers, TODAY, WINDOW)
    assert codes(flags) == [code for code in FLAG_CODES if expected[code]]
    assert len(set(codes(flags))) == len(flags)


# --- Checking answers ------------------------------------------------------------------------

def test_a_good_intake_has_no_problems():
    assert intake_problems(intake(conditions=["sciatica"], medications="Ibuprofen", notes=""), TODAY) == {}


@pytest.mark.parametrize(
    ("answers", "field"),
    [
        ({"consent": False}, "consent"),
        ({"consent": None}, "consent"),
        ({"consent": "yes"}, "consent"),
        ({"pain_level": -1}, "pain_level"),
        ({"pain_level": 11}, "pain_level"),
        ({"pain_level": "5"}, "pain_level"),
        ({"pain_level": 5.5}, "pain_level"),
        ({"pain_level": True}, "pain_level"),
        ({"pain_level": None}, "pain_level"),
        ({"conditions": ["gout"]}, "conditions"),
        ({"conditions": "osteoarthritis"}, "conditions"),
        ({"conditions": [1]}, "conditions"),
        ({"recent_surgery": True, "surgery_date": TODAY + timedelta(days=1)}, "surgery_date"),
        ({"surgery_date": TODAY + timedelta(days=30)}, "surgery_date"),
        ({"recent_surgery": True, "surgery_date": "2027-01-01"}, "surgery_date"),
        ({"recent_surgery": True, "surgery_date": datetime(2027, 1, 1)}, "surgery_date"),
        ({"recent_surgery": "yes"}, "recent_surgery"),
        ({"fever_or_chills": 1}, "fever_or_chills"),
        ({"redness_or_warmth": None}, "redness_or_warmth"),
        ({"sudden_swelling": "no"}, "sudden_swelling"),
        ({"loss_of_mobility": 0}, "loss_of_mobility"),
        ({"chronic_pain_unimproved": []}, "chronic_pain_unimproved"),
        ({"medications": 12}, "medications"),
        ({"notes": "x" * 2001}, "notes"),
    ],
)
def test_each_bad_answer_is_reported_on_its_field(answers, field):
    problems = intake_problems(intake(**answers), TODAY)
    assert list(problems) == [field]


def test_pain_edges_are_accepted():
    assert intake_problems(intake(pain_level=0), TODAY) == {}
    assert intake_problems(intake(pain_level=10), TODAY) == {}


def test_a_surgery_today_is_not_in_the_future():
    assert intake_problems(intake(recent_surgery=True, surgery_date=TODAY), TODAY) == {}


@pytest.mark.parametrize(
    ("answers", "field"),
    [
        ({"pain_level": 11}, "pain_level"),
        ({"pain_level": 3, "new_swelling": "yes"}, "new_swelling"),
        ({"pain_level": 3, "recent_surgery": True, "surgery_date": TODAY + timedelta(days=1)}, "surgery_date"),
    ],
)
def test_check_in_problems(answers, field):
    assert list(check_in_problems(CheckInAnswers(**answers), TODAY)) == [field]


def test_answers_from_a_mapping_report_unknown_and_missing_keys():
    answers, problems = answers_from_mapping(IntakeAnswers, {"consent": True, "pain_level": 2, "mood": "ok"})
    assert answers == intake(pain_level=2)
    assert problems == {"mood": ["Unknown field."]}
    answers, problems = answers_from_mapping(IntakeAnswers, {"consent": True})
    assert answers is None
    assert problems == {"pain_level": ["This field is required."]}
