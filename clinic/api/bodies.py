"""Request bodies, each declared once as a pydantic model.

The model both checks the body and, through model_json_schema(), describes it in the
OpenAPI document, so the two cannot disagree. The field types below carry the contract's
reading of JSON: strict types (no "5" for 5, no 1 for true), a null member read as absent,
text the databases can store, ids beyond the integer columns read as unknown, dates as
YYYY-MM-DD and date-times with an offset. Pydantic's problems become the contract's 422,
`fields: {name: [message]}`, in plain words.
"""

from datetime import date, datetime, time
from typing import Annotated, Any, ClassVar, Literal, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    RootModel,
    StringConstraints,
    ValidationError,
    WithJsonSchema,
    model_validator,
)
from pydantic_core import PydanticCustomError

from clinic.api.parsing import json_array, json_object, optional_json_object
from clinic.errors import ValidationFailed
from clinic.parsing import MAX_ID, instant, known_id, parse_day
from clinic.text import UNSTORABLE_MESSAGE, storable

DEFAULT_MAX_TEXT = 5000
CLOCK_PATTERN = "^[0-2][0-9]:[0-5][0-9]$"
OUT_OF_RANGE_INSTANT = "Is too far in the past or the future."
INSTANT_FORMAT = "Must be an ISO 8601 date-time with an offset, like 2027-03-02T10:00:00+01:00."


class Body(BaseModel):
    """A JSON object body: unknown members are ignored, a null member is the same as none."""

    model_config = ConfigDict(strict=True, extra="ignore", frozen=True)
    # Messages for this body's own problems, by pydantic error type, over the common ones.
    messages: ClassVar[dict[str, str]] = {}
    # False for a body of changes, where null would be a value to save (and is refused).
    null_is_absent: ClassVar[bool] = True

    @model_validator(mode="before")
    @classmethod
    def _null_is_absent(cls, data: Any) -> Any:
        if cls.null_is_absent and isinstance(data, dict):
            return {name: value for name, value in data.items() if value is not None}
        return data


def _no_default(schema: dict) -> None:
    schema.pop("default", None)


def unchanged(description: str | None = None) -> Any:
    """The default of a member of a body of changes: absent means no change (read the body with
    model_dump(exclude_unset=True)), so the document shows no default."""
    return Field(None, description=description, json_schema_extra=_no_default)


def _problem(kind: str, message: str) -> PydanticCustomError:
    """A problem in our words; its kind is none of pydantic's, so its message is kept as is."""
    return PydanticCustomError(kind, message)


def _storable(value: Any) -> Any:
    if not storable(value):
        raise _problem("unstorable", UNSTORABLE_MESSAGE)
    return value


def Text(max_length: int = DEFAULT_MAX_TEXT, *, blank: Literal["refuse", "absent", "keep"] = "refuse") -> Any:
    """A string the clinic can store, at most max_length characters. Blank (only spaces) is
    refused (a required field), read as absent (an optional one), or kept (free text)."""

    def after(value: str) -> str | None:
        if blank != "keep" and not value.strip():
            if blank == "refuse":
                raise _problem("blank", "Must not be blank.")
            return None
        return value

    return Annotated[
        str, BeforeValidator(_storable), StringConstraints(max_length=max_length), AfterValidator(after)
    ]


def Whole(minimum: int | None = None, maximum: int | None = None) -> Any:
    """A JSON integer (not true or 1.0) within the bounds given."""
    return Annotated[int, Field(ge=minimum, le=maximum)]


def MustBeTrue(message: str) -> Any:
    """A boolean only true will do (a consent), and what to say when it is false."""

    def after(value: bool) -> bool:
        if not value:
            raise _problem("must_be_true", message)
        return value

    return Annotated[bool, AfterValidator(after), Field(json_schema_extra={"const": True})]


# A record's id. One outside 1..MAX_ID reads as an id no record has, so it is "not found" like
# any unknown id rather than a 422, and never reaches the database.
RecordId = Annotated[
    int, AfterValidator(known_id), Field(json_schema_extra={"minimum": 1, "maximum": MAX_ID})
]


def _day(value: Any) -> date:
    _storable(value)
    parsed = parse_day(value)
    if parsed is None:
        raise _problem("date_format", "Must be a date as YYYY-MM-DD.")
    return parsed


Day = Annotated[date, BeforeValidator(_day)]


def _instant(value: Any) -> datetime:
    _storable(value)
    try:
        return instant(value)
    except OverflowError:
        raise _problem("date_time_range", OUT_OF_RANGE_INSTANT) from None
    except ValueError:
        raise _problem("date_time_format", INSTANT_FORMAT) from None


# An ISO 8601 date-time with an offset, read as the UTC instant.
Instant = Annotated[datetime, BeforeValidator(_instant)]


def _clock(value: Any) -> time:
    _storable(value)
    if not isinstance(value, str):
        raise _problem("clock_type", "Must be a string.")
    digits = value[:2] + value[3:]
    if len(value) == 5 and value[2] == ":" and digits.isascii() and digits.isdigit():
        hour, minute = int(value[:2]), int(value[3:])
        if hour < 24 and minute < 60:
            return time(hour, minute)
    raise _problem("clock_format", "Must be a time as HH:MM (00:00-23:59).")


# A time of day written HH:MM.
Clock = Annotated[time, BeforeValidator(_clock), WithJsonSchema({"type": "string", "pattern": CLOCK_PATTERN})]


def _blank_to_none(value: Any) -> Any:
    return None if isinstance(value, str) and not value.strip() else value


def blank_is_absent(kind: Any) -> Any:
    """An optional member of type kind that may also be sent blank ("") to leave it out."""
    return Annotated[kind | None, BeforeValidator(_blank_to_none)]


def _list_of_strings(value: Any) -> list:
    _storable(value)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _problem("list_of_strings", "Must be a list of strings.")
    return value


def Codes(allowed: tuple[str, ...], *, allow_empty: bool = True) -> Any:
    """A list of known codes, without repeats, in the order given."""

    def before(value: Any) -> list:
        _list_of_strings(value)
        unknown = [v for v in value if v not in allowed]
        if unknown:
            known = ", ".join(allowed)
            raise _problem("unknown_codes", f"Unknown codes: {', '.join(unknown)}. Known: {known}.")
        if not value and not allow_empty:
            raise _problem("no_codes", "Give at least one.")
        return value

    return Annotated[
        list[Literal[allowed]],
        BeforeValidator(before),
        Field(min_length=0 if allow_empty else 1),
        AfterValidator(lambda codes: list(dict.fromkeys(codes))),
    ]


def Strings(*, max_items: int, max_length: int) -> Any:
    """A short list of short texts; blank ones are dropped, the others trimmed."""

    def before(value: Any) -> list:
        _list_of_strings(value)
        if len(value) > max_items:
            raise _problem("too_many_items", f"At most {max_items} items.")
        if any(len(v) > max_length for v in value):
            raise _problem("item_too_long", f"Each item must be at most {max_length} characters.")
        return value

    return Annotated[
        list[Annotated[str, StringConstraints(max_length=max_length)]],
        BeforeValidator(before),
        Field(max_length=max_items),
        AfterValidator(lambda items: [v.strip() for v in items if v.strip()]),
    ]


# -- problems in the contract's words ------------------------------------------------------

MESSAGES = {
    "missing": "This field is required.",
    "int_type": "Must be a whole number.",
    "string_type": "Must be a string.",
    "bool_type": "Must be true or false.",
    "list_type": "Must be a list.",
    "model_type": "Must be an object.",
    "dict_type": "Must be an object.",
    "extra_forbidden": "Is not a member of this request.",
    "greater_than_equal": "Must be at least {ge}.",
    "less_than_equal": "Must be at most {le}.",
    "string_too_long": "Must be at most {max_length} characters.",
    "too_long": "At most {max_length} items.",
    "too_short": "Give at least one.",
    "literal_error": "Must be one of {expected}.",
}


def _field_name(loc: tuple) -> str:
    """The field as the contract names it: `start`, or `[2].weekday` in a list of objects."""
    name = ""
    for part in loc:
        if isinstance(part, int):
            name += f"[{part}]"
        else:
            name += f".{part}" if name else str(part)
            break
    return name or "items"


def problems(error: ValidationError, messages: dict[str, str]) -> dict[str, list[str]]:
    fields: dict[str, list[str]] = {}
    for item in error.errors(include_url=False):
        kind = item["type"]
        if kind == "too_long" and isinstance(item.get("input"), str):
            kind = "string_too_long"  # a length limit on a string in an Annotated type
        template = messages.get(kind) or MESSAGES.get(kind)
        try:
            message = template.format(**item.get("ctx", {})) if template else item["msg"]
        except (KeyError, IndexError):  # a message of our own (PydanticCustomError) under a common type
            message = item["msg"]
        found = fields.setdefault(_field_name(item["loc"]), [])
        if message not in found:
            found.append(message)
    return fields


B = TypeVar("B", bound=BaseModel)


def checked(model: type[B], data: Any) -> B:
    """data checked against model; every problem at once as a 422."""
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise ValidationFailed(fields=problems(error, getattr(model, "messages", {}))) from None


def read_body(model: type[B]) -> B:
    """The request's JSON object body (a 400 when it is not one), checked against model."""
    return checked(model, json_object())


def read_optional_body(model: type[B]) -> B:
    """The same for a body that may be absent: no body reads as {}."""
    return checked(model, optional_json_object())


def read_array_body(model: type[B]) -> B:
    """The request's JSON array body (a 400 when it is not one), checked against a RootModel."""
    return checked(model, json_array())


class ListBody(RootModel):
    """A JSON array body (a RootModel over a list)."""

    model_config = ConfigDict(strict=True, frozen=True)
    messages: ClassVar[dict[str, str]] = {}


class Reason(Body):
    """An optional reason, for cancelling; the body itself may be absent."""

    reason: Text(500, blank="absent") | None = None
