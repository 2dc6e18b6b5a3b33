"""`parse_json` / `parse_gateway_json`: hostile JSON raises only our errors, in linear time."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from agentfm import GatewayProtocolError
from agentfm._json import MAX_JSON_DEPTH, parse_gateway_json, parse_json


def _nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def test_ordinary_documents_parse_as_json_loads_would() -> None:
    document = '{"a": [1, -2.5, true, null, {"b": "x\\"[{y"}], "c": "\\\\", "d": "é"}'
    assert parse_json(document) == {
        "a": [1, -2.5, True, None, {"b": 'x"[{y'}],
        "c": "\\",
        "d": "é",
    }
    assert parse_json(document.encode()) == parse_json(document)


def test_nesting_is_accepted_up_to_the_limit_and_refused_beyond() -> None:
    assert parse_json(_nested(MAX_JSON_DEPTH)) is not None
    with pytest.raises(ValueError, match="nested more than 64"):
        parse_json(_nested(MAX_JSON_DEPTH + 1))
    # Many brackets side by side are not depth.
    assert len(parse_json("[" + ",".join(["[[]]"] * 1000) + "]")) == 1000


def test_brackets_inside_strings_nest_nothing() -> None:
    text = '["' + "[{" * 500 + '\\"' + "[[" * 500 + '"]'
    assert parse_json(text) == ["[{" * 500 + '"' + "[[" * 500]


@pytest.mark.parametrize("depth", [MAX_JSON_DEPTH + 1, 5_000, 1_000_000])
def test_deep_nesting_is_a_value_error_never_a_recursion_error(depth: int) -> None:
    for opener in ("[", '{"k":'):
        with pytest.raises(ValueError, match="nested more than"):
            parse_json(opener * depth)


@pytest.mark.parametrize(
    "document",
    ["NaN", "[Infinity]", '{"x": -Infinity}', "1" * 101, "-" + "9" * 101, b"\xff\xfe", "", "[1,"],
)
def test_what_go_never_sends_is_refused(document: str | bytes) -> None:
    with pytest.raises(ValueError, match=r"JSON value|digits|decode|Expecting"):
        parse_json(document)


def test_a_gateway_answer_that_is_not_usable_json_is_a_protocol_error() -> None:
    with pytest.raises(GatewayProtocolError) as raised:
        parse_gateway_json(b"[" * 100_000, status=200)
    assert (raised.value.code, raised.value.status) == ("unexpected_body", 200)
    assert "nested more than 64" in raised.value.message
    with pytest.raises(GatewayProtocolError, match="not UTF-8"):
        parse_gateway_json(b'{"a": "\xff"}')


def _cpu_seconds(work: Callable[[], object]) -> float:
    best = float("inf")
    for _ in range(5):
        started = time.process_time()
        work()
        best = min(best, time.process_time() - started)
    return max(best, 1e-4)


@pytest.mark.parametrize(
    "make",
    [
        # A run of escaped quotes after deep brackets: quadratic for a naive string pattern.
        lambda size: "[" * 100 + '"' + '\\"' * size,
        lambda size: "[" * size,
        lambda size: '["' + "[" * size + '"]' + "]" * 100,
    ],
)
def test_refusing_hostile_documents_takes_linear_time(make: Callable[[int], str]) -> None:
    small, large = make(250_000), make(1_000_000)

    def refuse(text: str) -> Callable[[], object]:
        def attempt() -> object:
            try:
                return parse_json(text)
            except ValueError as error:
                return error

        return attempt

    ratio = _cpu_seconds(refuse(large)) / _cpu_seconds(refuse(small))
    assert ratio < 10, f"4x the input cost {ratio:.1f}x the time (linear: ~4, quadratic: ~16)"
