"""Every recorded answer conforms to schema/openapi.yaml, and no cassette holds a credential.

The cassettes were recorded from a running gateway (tests/record.py), so this checks the spec
against real answers: a documented status, a documented content type, and a body that validates
against the documented schema (JSON bodies, and each `data:` line of an event stream).
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import pytest
import yaml
from cassette_support import CASSETTES
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

SPEC_PATH = Path(__file__).resolve().parent.parent / "schema" / "openapi.yaml"
SPEC_URI = "urn:agentfm:openapi"
CASSETTE_FILES = sorted(CASSETTES.rglob("*.yaml"))


@cache
def _spec() -> dict[str, Any]:
    return yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))


def _operation(method: str, path: str) -> dict[str, Any]:
    # The most literal template first: `/comments/{cid}.json` before `/comments/{cid}`.
    templates = sorted(
        _spec()["paths"].items(), key=lambda entry: -len(re.sub(r"\{[^}]+\}", "", entry[0]))
    )
    for template, item in templates:
        pattern = "^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)) + "$"
        if re.match(pattern, path) and method.lower() in item:
            return item[method.lower()]  # type: ignore[no-any-return]
    raise AssertionError(f"no operation in the spec for {method} {path}")


def _validate(instance: Any, schema: dict[str, Any], where: str) -> None:
    wrapped = {"$ref": f"{SPEC_URI}#/$defs/__wrapped__", "$defs": {"__wrapped__": schema}}
    # Resolve `#/components/...` inside the spec resource by giving the wrapper the spec's URI.
    resource = {**_spec(), "$defs": {"__wrapped__": schema}}
    registry = Registry().with_resource(SPEC_URI, Resource(resource, DRAFT202012))
    validator = jsonschema.Draft202012Validator(wrapped, registry=registry)
    errors = sorted(validator.iter_errors(instance), key=str)
    assert not errors, f"{where}: {errors[0].message} at {list(errors[0].absolute_path)}"


def _media_type(response: dict[str, Any], content_type: str) -> tuple[str, dict[str, Any]]:
    wanted = content_type.split(";")[0].strip().lower()
    for documented, media in response.get("content", {}).items():
        if documented.split(";")[0].strip().lower() == wanted:
            return documented, media
    raise AssertionError(f"content type {content_type!r} is not documented for this status")


def _interactions() -> list[tuple[str, dict[str, Any]]]:
    found = []
    for path in CASSETTE_FILES:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
        for number, interaction in enumerate(document["interactions"]):
            found.append((f"{path.relative_to(CASSETTES)}#{number}", interaction))
    return found


def test_there_are_cassettes_to_check() -> None:
    assert len(CASSETTE_FILES) >= 18


@pytest.mark.parametrize(("where", "interaction"), _interactions())
def test_each_recorded_answer_conforms_to_the_spec(where: str, interaction: dict[str, Any]) -> None:
    request, response = interaction["request"], interaction["response"]
    url = httpx.URL(request["uri"])
    operation = _operation(request["method"], url.path)
    status = str(response["status"]["code"])
    responses = operation["responses"]
    assert status in responses, f"{where}: status {status} is not documented"
    documented = responses[status]
    if "$ref" in documented:
        documented = _spec()["components"]["responses"][documented["$ref"].rsplit("/", 1)[1]]
    headers = {name.lower(): values for name, values in response["headers"].items()}
    body: str = response["body"]["string"]
    if not documented.get("content"):
        assert body == "", f"{where}: a body where none is documented"
        return
    content_type = headers["content-type"][0]
    _, media = _media_type(documented, content_type)
    schema = media.get("schema", {})
    if content_type.startswith("application/json"):
        _validate(json.loads(body), schema, where)
    elif content_type.startswith("text/event-stream"):
        chunk_schema = media.get("x-agentfm-sse-data")
        for line in body.splitlines():
            if line.startswith("data: ") and line != "data: [DONE]" and chunk_schema:
                _validate(json.loads(line.removeprefix("data: ")), chunk_schema, where)
    else:
        _validate(body, schema, where)


@pytest.mark.parametrize("path", CASSETTE_FILES, ids=lambda p: str(p.relative_to(CASSETTES)))
def test_no_cassette_holds_a_credential(path: Path) -> None:
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    for interaction in document["interactions"]:
        names = {name.lower() for name in interaction["request"]["headers"]}
        assert "authorization" not in names
        assert "cookie" not in names
        assert "set-cookie" not in {n.lower() for n in interaction["response"]["headers"]}
    assert not re.search(r"record-[0-9a-f]{24}", path.read_text(encoding="utf-8"))
