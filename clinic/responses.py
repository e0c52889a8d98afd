"""Responses that always encode: text stored before it was checked is shown, not a 500.

A lone surrogate (say, in a note's areas written by hand into SQLite) cannot be encoded as
UTF-8, so the page or JSON holding it would fail every time it is asked for. Here it becomes
U+FFFD on the way out, on pages, streamed downloads and the API alike.
"""

from collections.abc import Iterator
from typing import Any

from flask import Flask, Response
from flask.json.provider import DefaultJSONProvider

from clinic.text import readable, readable_json


class ClinicResponse(Response):
    def set_data(self, value: bytes | str) -> None:
        super().set_data(readable(value) if isinstance(value, str) else value)

    def iter_encoded(self) -> Iterator[bytes]:
        return _encoded(self.response)


def _encoded(items) -> Iterator[bytes]:
    for item in items:
        yield readable(item).encode() if isinstance(item, str) else item


class ClinicJSONProvider(DefaultJSONProvider):
    def dumps(self, obj: Any, **kwargs: Any) -> str:
        text = super().dumps(obj, **kwargs)
        # Surrogates are escaped as \udXXX (ensure_ascii): a lone one can only be in there then.
        if "\\ud" in text:
            return super().dumps(readable_json(obj), **kwargs)
        return text


class ClinicFlask(Flask):
    """Flask whose pages, downloads and JSON always encode."""

    response_class = ClinicResponse
    json_provider_class = ClinicJSONProvider
