"""Red-flag screening of a health intake or a pre-visit check-in (pure: no Flask, no database).

Source: "When to see a doctor" in the hip-pain massage article (seed/000_770ed2fa9fd59eeb.txt).
Each sign it lists is one rule below; any rule that fires means the client needs a
physician's clearance before massage. The questions, and the condition codes from its
"Causes" section, are in clinic/intake/questions.py.
"""

from collections.abc import Callable, Mapping
from dataclasses import MISSING, dataclass, field, fields
from datetime import date, datetime

from clinic.intake.questions import CHECK_IN, CONDITIONS, INTAKE, YES_NO, keys

FLAG_CODES = (
    "post_surgery",
    "infection_signs",
    "sudden_swelling",
    "severe_pain",
    "loss_of_mobility",
    "chronic_pain_unimproved",
)
SEVERE_PAIN_LEVEL = 8
PAIN_MIN, PAIN_MAX = 0, 10
MAX_TEXT = 2000


@dataclass(frozen=True)
class IntakeAnswers:
    """The intake form's answers, as the contract names them: one field a question of
    questions.INTAKE (a test holds them together)."""

    consent: bool
    pain_level: int
    conditions: tuple[str, ...] | list[str] = ()
    recent_surgery: bool = False
    surgery_date: date | None = None
    fever_or_chills: bool = False
    redness_or_warmth: bool = False
    sudden_swelling: bool = False
    loss_of_mobility: bool = False
    chronic_pain_unimproved: bool = False
    medications: str | None = None
    notes: str | None = None


@dataclass(frozen=True)
class CheckInAnswers:
    """The short re-screen before a visit: "since your last visit ...", one field a question
    of questions.CHECK_IN."""

    pain_level: int
    fever_or_chills: bool = False
    redness_or_warmth: bool = False
    new_swelling: bool = False
    recent_surgery: bool = False
    surgery_date: date | None = None


@dataclass(frozen=True)
class RedFlag:
    code: str
    reason: str

    def as_dict(self) -> dict:
        return {"code": self.code, "reason": self.reason}


@dataclass(frozen=True)
class _Signs:
    """What every rule reads: the intake's answers, or a check-in's mapped onto them."""

    pain_level: int
    recent_surgery: bool = False
    surgery_date: date | None = None
    fever_or_chills: bool = False
    redness_or_warmth: bool = False
    sudden_swelling: bool = False
    loss_of_mobility: bool = False
    chronic_pain_unimproved: bool = False


@dataclass(frozen=True)
class Rule:
    """One sign from "When to see a doctor". `check` returns the reason's fields, or None."""

    code: str
    reason: str
    source: str
    check: Callable[[_Signs, date, int], dict | None] = field(repr=False)


def _surgery_undated(s: _Signs, today: date, window: int) -> dict | None:
    return {} if s.recent_surgery and s.surgery_date is None else None


def _surgery_in_window(s: _Signs, today: date, window: int) -> dict | None:
    # "Within" includes the edge: exactly `window` days ago still needs clearance.
    if s.recent_surgery and s.surgery_date is not None and (today - s.surgery_date).days <= window:
        return {"surgery_date": s.surgery_date.isoformat(), "window": window}
    return None


def _infection(s: _Signs, today: date, window: int) -> dict | None:
    signs = [name for name, present in (("fever or chills", s.fever_or_chills),
                                        ("redness or warmth", s.redness_or_warmth)) if present]
    return {"signs": " and ".join(signs)} if signs else None


def _flag(attribute: str) -> Callable[[_Signs, date, int], dict | None]:
    return lambda s, today, window: {} if getattr(s, attribute) else None


def _severe_pain(s: _Signs, today: date, window: int) -> dict | None:
    return {"pain_level": s.pain_level} if s.pain_level >= SEVERE_PAIN_LEVEL else None


RULES: tuple[Rule, ...] = (
    Rule("post_surgery", "Recent surgery (no date given)",
         "When to see a doctor: Post-Surgery", _surgery_undated),
    Rule("post_surgery", "Surgery on {surgery_date}, within {window} days",
         "When to see a doctor: Post-Surgery", _surgery_in_window),
    Rule("infection_signs", "Possible infection or inflammation: {signs}",
         "When to see a doctor: Redness or Warmth; Signs of Infection", _infection),
    Rule("sudden_swelling", "Sudden or unexplained swelling around the hip",
         "When to see a doctor: Sudden Swelling", _flag("sudden_swelling")),
    Rule("severe_pain", "Severe pain: {pain_level} out of 10",
         "When to see a doctor: Severe Pain", _severe_pain),
    Rule("loss_of_mobility", "Difficulty moving or bearing weight on the hip",
         "When to see a doctor: Loss of Mobility", _flag("loss_of_mobility")),
    Rule("chronic_pain_unimproved", "Chronic pain that has not improved with home care or treatment",
         "When to see a doctor: Chronic Pain", _flag("chronic_pain_unimproved")),
)


def _screen(signs: _Signs, today: date, surgery_clearance_days: int) -> list[RedFlag]:
    flags = []
    for rule in RULES:
        values = rule.check(signs, today, surgery_clearance_days)
        if values is not None:
            flags.append(RedFlag(rule.code, rule.reason.format(**values)))
    return flags


def screen_intake(answers: IntakeAnswers, today: date, surgery_clearance_days: int) -> list[RedFlag]:
    """The red flags an intake raises, in the order of the rules table (empty when clear).

    Any flag means a physician's clearance is needed before massage ("When to see a doctor").
    """
    signs = _Signs(**{f.name: getattr(answers, f.name) for f in fields(_Signs)})
    return _screen(signs, today, surgery_clearance_days)


def screen_check_in(answers: CheckInAnswers, today: date, surgery_clearance_days: int) -> list[RedFlag]:
    """The red flags of a pre-visit check-in: the same rules, new swelling counting as sudden."""
    signs = _Signs(
        pain_level=answers.pain_level,
        recent_surgery=answers.recent_surgery,
        surgery_date=answers.surgery_date,
        fever_or_chills=answers.fever_or_chills,
        redness_or_warmth=answers.redness_or_warmth,
        sudden_swelling=answers.new_swelling,
    )
    return _screen(signs, today, surgery_clearance_days)


# --- Checking answers before they are screened or saved --------------------------------------

def _is_bool(value) -> bool:
    return isinstance(value, bool)


def _pain_problem(value) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int):
        return "Give your pain as a whole number from 0 to 10."
    if not PAIN_MIN <= value <= PAIN_MAX:
        return "Pain must be between 0 (none) and 10 (worst imaginable)."
    return None


def _surgery_problems(recent_surgery, surgery_date, today: date) -> dict[str, list[str]]:
    problems: dict[str, list[str]] = {}
    if not _is_bool(recent_surgery):
        problems["recent_surgery"] = ["Must be true or false."]
    if surgery_date is not None:
        if isinstance(surgery_date, datetime) or not isinstance(surgery_date, date):
            problems["surgery_date"] = ["Must be a date as YYYY-MM-DD."]
        elif surgery_date > today:
            problems["surgery_date"] = ["The surgery date cannot be in the future."]
    return problems


def intake_problems(answers: IntakeAnswers, today: date) -> dict[str, list[str]]:
    """Every problem with an intake's answers, by field (empty when it may be saved)."""
    problems: dict[str, list[str]] = {}
    if answers.consent is not True:
        problems["consent"] = ["Please confirm your consent to treatment and to us keeping this record."]
    if problem := _pain_problem(answers.pain_level):
        problems["pain_level"] = [problem]
    conditions = answers.conditions
    if not isinstance(conditions, list | tuple) or not all(isinstance(c, str) for c in conditions):
        problems["conditions"] = ["Must be a list of condition codes."]
    elif unknown := [c for c in conditions if c not in CONDITIONS]:
        problems["conditions"] = [
            f"Unknown condition codes: {', '.join(unknown)}. Known: {', '.join(CONDITIONS)}."
        ]
    for name in keys(INTAKE, YES_NO):
        if not _is_bool(getattr(answers, name)):
            problems[name] = ["Must be true or false."]
    for name in ("medications", "notes"):
        value = getattr(answers, name)
        if value is not None and not isinstance(value, str):
            problems[name] = ["Must be text."]
        elif value is not None and len(value) > MAX_TEXT:
            problems[name] = [f"Please keep this under {MAX_TEXT} characters."]
    problems.update(_surgery_problems(answers.recent_surgery, answers.surgery_date, today))
    return problems


def check_in_problems(answers: CheckInAnswers, today: date) -> dict[str, list[str]]:
    """Every problem with a check-in's answers, by field."""
    problems: dict[str, list[str]] = {}
    if problem := _pain_problem(answers.pain_level):
        problems["pain_level"] = [problem]
    for name in keys(CHECK_IN, YES_NO):
        if not _is_bool(getattr(answers, name)):
            problems[name] = ["Must be true or false."]
    problems.update(_surgery_problems(answers.recent_surgery, answers.surgery_date, today))
    return problems


def answers_from_mapping(cls, mapping: Mapping) -> tuple[object | None, dict[str, list[str]]]:
    """Build `cls` (IntakeAnswers or CheckInAnswers) from a mapping; unknown or missing keys
    are reported as problems instead of raising."""
    known = {f.name for f in fields(cls)}
    problems = {key: ["Unknown field."] for key in mapping if key not in known}
    try:
        answers = cls(**{k: v for k, v in mapping.items() if k in known})
    except TypeError:
        required = [f.name for f in fields(cls) if f.default is MISSING and f.default_factory is MISSING]
        for name in required:
            if name not in mapping:
                problems[name] = ["This field is required."]
        return None, problems
    return answers, problems
