"""Text the clinic can store and show: one rule for forms, the API and every response.

PostgreSQL refuses a NUL in text, and a lone surrogate (half of a UTF-16 pair, which JSON's
"\\ud800" escape can carry) cannot be encoded as UTF-8 by any database driver or response.
No name, note or answer needs either, so input holding one is refused; anything already
stored that holds one is shown with U+FFFD in its place rather than failing the page.
"""

import re
from typing import Any

UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
UNSTORABLE_MESSAGE = "Must not contain NUL characters or unpaired surrogates."
REPLACEMENT = "\ufffd"


def storable(value: Any) -> bool:
    """False when a string anywhere in value (a JSON value: lists, object keys and members)
    holds a character no database can store."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if UNSTORABLE.search(item):
                return False
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list | tuple):
            stack.extend(item)
    return True


def readable(text: str) -> str:
    """text with every unstorable character replaced by U+FFFD, so it can be encoded."""
    return UNSTORABLE.sub(REPLACEMENT, text) if UNSTORABLE.search(text) else text


def readable_json(value: Any) -> Any:
    """A JSON value with readable() applied to every string in it (keys too)."""
    if isinstance(value, str):
        return readable(value)
    if isinstance(value, dict):
        return {readable_json(k): readable_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [readable_json(v) for v in value]
    return value
