"""Go's encoding/json as the gateway decodes request bodies: what gets through, and the exact
error texts `/api/relay/test` echoes (each expectation observed from Go 1.26's json.Decoder
into the relay request struct, its package renamed `boss`)."""

from __future__ import annotations

import pytest

from agentfm.testing._godecode import (
    FieldKind,
    GoJSONError,
    decode_go_object,
    go_string,
    go_trim_space,
)

RELAY_FIELDS: dict[str, FieldKind] = {"multiaddr": "string"}

GO_ERRORS = [
    (b"", "EOF"),
    (b"  \n", "EOF"),
    (b"{", "unexpected EOF"),
    (b'{"multiaddr":"x"', "unexpected EOF"),
    (
        b'{"multiaddr":5}',
        "json: cannot unmarshal number into Go struct field relayTestReq.multiaddr of type string",
    ),
    (
        b'{"multiaddr":1.5}',
        "json: cannot unmarshal number into Go struct field relayTestReq.multiaddr of type string",
    ),
    (
        b'{"multiaddr":true}',
        "json: cannot unmarshal bool into Go struct field relayTestReq.multiaddr of type string",
    ),
    (
        b'{"multiaddr":{"a":1}}',
        "json: cannot unmarshal object into Go struct field relayTestReq.multiaddr of type string",
    ),
    (
        b'{"multiaddr":[1]}',
        "json: cannot unmarshal array into Go struct field relayTestReq.multiaddr of type string",
    ),
    (b"[1]", "json: cannot unmarshal array into Go value of type boss.relayTestReq"),
    (b'"x"', "json: cannot unmarshal string into Go value of type boss.relayTestReq"),
    (b"12", "json: cannot unmarshal number into Go value of type boss.relayTestReq"),
    (b"true", "json: cannot unmarshal bool into Go value of type boss.relayTestReq"),
    (b'{"multiaddr":tru}', "invalid character '}' in literal true (expecting 'e')"),
    (b'{"multiaddr":nul}', "invalid character '}' in literal null (expecting 'l')"),
    (b'{"multiaddr":fals}', "invalid character '}' in literal false (expecting 'e')"),
    (b'{"multiaddr":-}', "invalid character '}' in numeric literal"),
    (b'{"multiaddr":1.}', "invalid character '}' after decimal point in numeric literal"),
    (b'{"multiaddr":1e}', "invalid character '}' in exponent of numeric literal"),
    (b'{"multiaddr":"\\x"}', "invalid character 'x' in string escape code"),
    (b'{"multiaddr":"\\u12g4"}', "invalid character 'g' in \\u hexadecimal character escape"),
    (b'{"multiaddr":"a\x01"}', "invalid character '\\x01' in string literal"),
    (b'{"multiaddr":"a\n"}', "invalid character '\\n' in string literal"),
    (b"{'multiaddr':1}", "invalid character '\\'' looking for beginning of object key string"),
    (b'{"multiaddr" 1}', "invalid character '1' after object key"),
    (b'{"multiaddr":"x" "b":2}', "invalid character '\"' after object key:value pair"),
    (b"[1 2]", "invalid character '2' after array element"),
    (b"{,}", "invalid character ',' looking for beginning of object key string"),
    (b"[,]", "invalid character ',' looking for beginning of value"),
    (b'{"multiaddr":"x",}', "invalid character '}' looking for beginning of object key string"),
    (b"\xc3\xa9", "invalid character 'Ã' looking for beginning of value"),
    (b"\x85", "invalid character '\\u0085' looking for beginning of value"),
    (b"\xad", "invalid character '\\u00ad' looking for beginning of value"),
    (b"\x7f", "invalid character '\\x7f' looking for beginning of value"),
    (b"\x1b", "invalid character '\\x1b' looking for beginning of value"),
    (
        b'{"multiaddr":5,"multiaddr":"y"}',
        "json: cannot unmarshal number into Go struct field relayTestReq.multiaddr of type string",
    ),
    (b'{"multiaddr":NaN}', "invalid character 'N' looking for beginning of value"),
    (b"1x", "json: cannot unmarshal number into Go value of type boss.relayTestReq"),
    (b'"', "unexpected EOF"),
]
GO_VALUES = [
    (b"null", ""),
    (b'{"multiaddr":"y","MultiAddr":"z"}', "z"),
    (b'{"multiaddr":"y","multiaddr":null}', "y"),
    (b'{"multiaddr":"x"} trailing', "x"),
    (b'{"multiaddr":"x"}}', "x"),
    (b'{"multiaddr":"caf\xc3\xa9 \xe6\x97"}', "café \ufffd\ufffd"),
    (b'{"a":1}{', ""),
    (b'{"multiaddr":"\\ud800"}', "\ufffd"),
    (b'{"multiaddr":"\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9"}', '"\\/\x08\x0c\n\r\té'),
]


@pytest.mark.parametrize(("body", "message"), GO_ERRORS)
def test_refused_bodies_carry_gos_error_text(body: bytes, message: str) -> None:
    with pytest.raises(GoJSONError) as refused:
        decode_go_object(body, RELAY_FIELDS, struct_name="relayTestReq")
    assert str(refused.value) == message


@pytest.mark.parametrize(("body", "multiaddr"), GO_VALUES)
def test_accepted_bodies_decode_as_in_go(body: bytes, multiaddr: str) -> None:
    fields = decode_go_object(body, RELAY_FIELDS, struct_name="relayTestReq")
    assert fields.get("multiaddr", "") == multiaddr


def test_null_zeroes_an_interface_but_not_a_string() -> None:
    fields = decode_go_object(
        b'{"model":"m","model":null,"prompt":"p","prompt":null}',
        {"model": "string", "prompt": "any"},
    )
    assert fields == {"model": "m"}


def test_a_body_cut_inside_deep_nesting_is_an_early_eof() -> None:
    body = (b'{"multiaddr":' + b"[1," * 2000)[:4096]
    with pytest.raises(GoJSONError) as refused:
        decode_go_object(body, RELAY_FIELDS)
    assert str(refused.value) == "unexpected EOF"


def test_invalid_utf8_is_one_replacement_per_byte() -> None:
    assert (
        go_string(b"ok \xe6\x97 \xed\xa0\x80 \xff") == "ok \ufffd\ufffd \ufffd\ufffd\ufffd \ufffd"
    )
    assert go_string("日本".encode()) == "日本"


def test_trim_space_is_gos_unicode_is_space() -> None:
    assert go_trim_space("\u3000\t x \x85\xa0\u2028") == "x"
    assert go_trim_space("\x1c x \x1f") == "\x1c x \x1f"
