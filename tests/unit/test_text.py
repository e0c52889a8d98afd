"""The one rule for text the databases can store, and how stored text that breaks it is shown."""

import pytest

from clinic.text import readable, readable_json, storable


@pytest.mark.parametrize("value", ["", "Ann Müller", "\U0001f600 sore hip", "\ufffe\uffff", ["a", {"b": "c"}], 7, None])
def test_text_any_database_can_store_is_storable(value):
    assert storable(value)


@pytest.mark.parametrize(
    "value", ["a\x00b", "\ud800", "x\udfff", ["ok", "\ud83d"], {"areas": ["\x00"]}, {"\ud800": "key"}, [[["\x00"]]]]
)
def test_a_nul_or_a_lone_surrogate_anywhere_is_not(value):
    assert not storable(value)


def test_readable_replaces_only_what_cannot_be_encoded():
    assert readable("sore \ud800 hip\x00") == "sore \ufffd hip\ufffd"
    assert readable("\U0001f600 fine") == "\U0001f600 fine"
    assert readable_json({"\udc00": ["\ud800", 3, None], "n": "ok"}) == {"\ufffd": ["\ufffd", 3, None], "n": "ok"}
    "".join(readable_json(["\ud800", "\udfff"])).encode()  # encodes without error
