"""Input types of the API that refuse what the database or date arithmetic cannot take.

Each is a plain pydantic type with a constraint, so the refusal is a 422 with a field
error (see `errors.py`, which turns the error types raised here into German messages)
and the constraint shows in the OpenAPI schema.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime
from typing import Annotated, Literal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from pydantic import AfterValidator, AwareDatetime, BeforeValidator, Field
from pydantic_core import PydanticCustomError

from anlaufstelle.lib import params

NUL = "\x00"


def _no_nul(value: str) -> str:
    # PostgreSQL cannot store or compare text with U+0000 (psycopg raises ValueError).
    if NUL in value:
        raise PydanticCustomError("nul_character", "contains a NUL character")
    return value


def _email(value: str) -> str:
    value = value.strip()
    try:
        validate_email(value)
    except DjangoValidationError as exc:
        raise PydanticCustomError("email", "is not a valid e-mail address") from exc
    return value


def _not_blank(value: str) -> str:
    if not value.strip():
        raise PydanticCustomError("blank", "must not be empty")
    return value


ISO_DATE_START = re.compile(r"\d{4}-\d{2}-\d{2}")


def _iso(kind: str) -> Callable[[object], object]:
    """Accept text that starts like an ISO 8601 date; pydantic alone would also read
    "0.5" or 1e9 as seconds since 1970, which the schema does not promise."""

    def check(value: object) -> object:
        if isinstance(value, date) or (isinstance(value, str) and ISO_DATE_START.match(value)):
            return value
        raise PydanticCustomError(kind, "is not in ISO 8601 format")

    return check


def _moment_in_range(value: datetime) -> datetime:
    if not params.datetime_in_range(value):
        raise PydanticCustomError("out_of_range", "is outside the years 1900 to 2999")
    return value


def _day_in_range(value: date) -> date:
    if not params.date_in_range(value):
        raise PydanticCustomError("out_of_range", "is outside the years 1900 to 2999")
    return value


Text200 = Annotated[str, Field(max_length=200), AfterValidator(_no_nul)]
RequiredText200 = Annotated[
    str, Field(min_length=1, max_length=200), AfterValidator(_no_nul), AfterValidator(_not_blank)
]
Text2000 = Annotated[str, Field(max_length=2000), AfterValidator(_no_nul)]
Text160 = Annotated[str, Field(max_length=160), AfterValidator(_no_nul)]
RequiredText300 = Annotated[
    str, Field(min_length=1, max_length=300), AfterValidator(_no_nul), AfterValidator(_not_blank)
]
Phone = Annotated[str, Field(max_length=60), AfterValidator(_no_nul)]
Token = Annotated[str, Field(max_length=500), AfterValidator(_no_nul)]
Email = Annotated[
    str,
    Field(
        max_length=254,
        examples=["anja@hotel-am-see.example"],
        json_schema_extra={"format": "email"},
    ),
    AfterValidator(_no_nul),
    AfterValidator(_email),
]
Moment = Annotated[
    AwareDatetime,
    BeforeValidator(_iso("datetime_iso")),
    Field(
        description="With a time zone, e.g. 2027-01-14T09:00:00+01:00 or 2027-01-14T08:00:00Z.",
        examples=["2027-01-14T09:00:00+01:00"],
    ),
    AfterValidator(_moment_in_range),
]
Day = Annotated[
    date,
    BeforeValidator(_iso("date_iso")),
    Field(examples=["2027-01-14"]),
    AfterValidator(_day_in_range),
]
Language = Literal["de", "en"]
# Printable ASCII without spaces, as a UUID or any client-made token is.
IDEMPOTENCY_KEY_PATTERN = r"^[\x21-\x7e]{1,100}$"
