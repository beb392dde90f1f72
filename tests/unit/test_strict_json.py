"""The strict JSON loader every service reads bodies with (unionkit/strict_json.py)."""
import pytest

from unionkit.strict_json import MAX_DEPTH, JSONRejected, loads


@pytest.mark.parametrize("raw,reason", [
    (b"[" * 30000 + b"]" * 30000, "nested deeper"),
    (b'{"a":' * (MAX_DEPTH + 1) + b"1" + b"}" * (MAX_DEPTH + 1), "nested deeper"),
    (b'{"text": "\\ud800"}', "surrogate"),
    (b'{"text": "a\\udfffb"}', "surrogate"),
    (b'{"\\ud800": 1}', "surrogate"),
    (b'{"text": "a\\u0000b"}', "NUL"),
    (b'{"text": "\xff\xfe"}', "UTF-8"),
    (b'{"id": 9223372036854775808}', "64 bits"),
    (b'{"id": -9223372036854775809}', "64 bits"),
    (b'{"id": ' + b"9" * 5000 + b"}", "64 bits"),
    (b'{"x": 1e999}', "finite"),
    (b'{"x": NaN}', "not JSON"),
    (b'{"x": Infinity}', "not JSON"),
    (b'{"a": 1, "a": 2}', "twice"),
    (b'{"a": ', "not valid JSON"),
    (b"", "not valid JSON"),
])
def test_refused_with_a_reason(raw, reason):
    with pytest.raises(JSONRejected) as refused:
        loads(raw)
    assert reason in str(refused.value)


def test_ordinary_json_passes_unchanged():
    raw = '{"text": "我想入会 \\u4e2d", "n": 9223372036854775807, "m": -9223372036854775808, "f": 1.5, ' \
          '"nested": [[[{"brackets in text": "[[[{{{"}]]], "ok": true, "none": null}'
    assert loads(raw.encode()) == {"text": "我想入会 中", "n": 2**63 - 1, "m": -(2**63), "f": 1.5,
                                   "nested": [[[{"brackets in text": "[[[{{{"}]]], "ok": True, "none": None}
    assert loads(b"\xef\xbb\xbf[1]") == [1]  # a UTF-8 byte-order mark is allowed
    depth_ok = b"[" * MAX_DEPTH + b"]" * MAX_DEPTH
    assert loads(depth_ok) is not None


def test_size_limit():
    with pytest.raises(JSONRejected, match="larger than 10 bytes"):
        loads(b'{"text": "long enough"}', max_bytes=10)
