"""Render the low-level client `agentfm_gateway` from schema/openapi.yaml, or check it is current.

    python codegen/render.py --write generated    # replace generated/agentfm_gateway
    python codegen/render.py --check generated    # exit 1 if it differs from a fresh render

Runs in the pinned tool environment (.tools/codegen, see codegen/requirements.txt). Two
generators share the spec:

* openapi-python-client renders the operations (one module per operationId) and the attrs
  models of their parameters and bodies, with our template overrides (codegen/templates/client);
* codegen/templates/records renders `records.py`: the models the SDK reads gateway answers
  into, one dataclass per schema marked `x-agentfm-model` (lenient reading, pydantic-style
  API; see `_records.py`). Those schemas are withheld from openapi-python-client where only a
  response uses them, and every response naming one is handed over as raw JSON;
* datamodel-code-generator renders the payload types the spec declares outside any operation —
  the `webhooks:` callback body and the event payloads named by `x-agentfm-*` extensions — into
  `payloads.py` (codegen/templates/payloads). Those schemas are withheld from
  openapi-python-client, which would otherwise render every component, so each type exists once.

Every render happens in a fresh temporary directory with formatter settings that ignore the
machine's configuration, so two renders are byte-identical; every file gets a banner.
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jinja2
import yaml

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "schema" / "openapi.yaml"
CODEGEN = ROOT / "codegen"
PACKAGE = "agentfm_gateway"
TOOLS_BIN = Path(sys.executable).parent

BANNER = (
    "# Generated from schema/openapi.yaml by codegen/render.py. Do not edit: change the spec or a\n"
    "# template under codegen/ and run `make generate`.\n"
)
PAYLOAD_MODULE_DOC = (
    '"""Payload types the gateway sends outside any operation\'s response: the async-task webhook\n'
    'body and the data of `/v1/events` events."""\n'
)


def _references(node: Any) -> Iterator[str]:
    """Every component schema name referenced anywhere below `node`."""
    if isinstance(node, dict):
        reference = node.get("$ref")
        if isinstance(reference, str) and reference.startswith("#/components/schemas/"):
            yield reference.rsplit("/", 1)[1]
        for value in node.values():
            yield from _references(value)
    elif isinstance(node, list):
        for value in node:
            yield from _references(value)


def _closure(names: set[str], schemas: dict[str, Any]) -> set[str]:
    pending = list(names)
    found: set[str] = set()
    while pending:
        name = pending.pop()
        if name in found:
            continue
        found.add(name)
        pending.extend(_references(schemas[name]))
    return found


def _extension_roots(paths: dict[str, Any]) -> set[str]:
    """Schemas named only by `x-agentfm-*` extensions of media types (event and SSE payloads)."""
    roots: set[str] = set()
    for path_item in paths.values():
        for operation in path_item.values():
            if not isinstance(operation, dict):
                continue
            for response in operation.get("responses", {}).values():
                for media in response.get("content", {}).values():
                    for key, value in media.items():
                        if key.startswith("x-agentfm-"):
                            roots.update(_references(value))
    return roots


def _strip_extensions(node: Any) -> Any:
    """The spec without `x-agentfm-*` payload maps, so no reference points at a withheld schema."""
    if isinstance(node, dict):
        return {
            key: _strip_extensions(value)
            for key, value in node.items()
            if not (key.startswith("x-agentfm-") and key != "x-agentfm-stream")
        }
    if isinstance(node, list):
        return [_strip_extensions(value) for value in node]
    return node


def _record_names(schemas: dict[str, Any]) -> set[str]:
    return {name for name, schema in schemas.items() if "x-agentfm-model" in schema}


def _hand_over_records(node: Any, records: set[str]) -> Any:
    """Responses whose body is a record become untyped JSON for openapi-python-client: the SDK
    reads them with `records.py`, so the operation generator renders no second model."""
    if isinstance(node, dict):
        reference = node.get("$ref")
        if isinstance(reference, str) and reference.rsplit("/", 1)[1] in records:
            return {}
        return {key: _hand_over_records(value, records) for key, value in node.items()}
    if isinstance(node, list):
        return [_hand_over_records(value, records) for value in node]
    return node


def split_spec(spec: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(spec for the operation generator, spec holding only the payload schemas)."""
    schemas: dict[str, Any] = spec.get("components", {}).get("schemas", {})
    records = _record_names(schemas)
    operations_spec = _strip_extensions({k: v for k, v in spec.items() if k != "webhooks"})
    for path_item in operations_spec.get("paths", {}).values():
        for operation in path_item.values():
            if isinstance(operation, dict) and "responses" in operation:
                operation["responses"] = _hand_over_records(operation["responses"], records)
    used_by_operations = _closure(set(_references(operations_spec.get("paths", {}))), schemas)
    payload_roots = set(_references(spec.get("webhooks", {}))) | _extension_roots(spec["paths"])
    payload_names = _closure(payload_roots, schemas) - used_by_operations - records
    withheld = payload_names | (records - used_by_operations)
    operations_spec["components"] = {
        **operations_spec.get("components", {}),
        "schemas": {name: s for name, s in schemas.items() if name not in withheld},
    }
    payload_spec = {
        "openapi": spec["openapi"],
        "info": spec["info"],
        "paths": {},
        "components": {"schemas": {n: s for n, s in schemas.items() if n in payload_names}},
    }
    return operations_spec, payload_spec


# --- records.py ---------------------------------------------------------------------------------

_SCALARS = {"string": "str", "integer": "int", "number": "float", "boolean": "bool"}
_ZERO = {"str": '""', "int": "0", "float": "0.0", "bool": "False"}
OLDEST_GATEWAY = "1.1.0"


def _docstring(text: str, indent: str) -> str:
    body = text.strip().replace("\\", "\\\\").replace('"""', '\\"\\"\\"')
    lines = body.splitlines()
    if len(lines) <= 1:
        return body
    return "\n".join([lines[0], *[indent + line if line else "" for line in lines[1:]], indent])


def _annotation(schema: dict[str, Any], models: dict[str, str]) -> tuple[str, str]:
    """(Python annotation, kind) of a property schema; kind picks the zero default."""
    reference = schema.get("$ref")
    if isinstance(reference, str):
        name = models[reference.rsplit("/", 1)[1]]
        return name, f"record:{name}"
    kind = schema.get("type")
    nullable = isinstance(kind, list) and "null" in kind
    if isinstance(kind, list):
        kind = next(item for item in kind if item != "null")
    if kind == "array":
        item, _ = _annotation(schema.get("items", {}), models)
        annotation, base = f"list[{item}]", "list"
    elif kind == "object":
        extra = schema.get("additionalProperties")
        value = _annotation(extra, models)[0] if isinstance(extra, dict) else "Any"
        annotation, base = f"dict[str, {value}]", "dict"
    elif kind == "string" and schema.get("format") == "date-time":
        annotation, base = "datetime.datetime", "datetime"
    elif kind in _SCALARS:
        annotation = base = _SCALARS[kind]
    else:
        annotation, base = "Any", "any"
    return (f"{annotation} | None", "nullable") if nullable else (annotation, base)


def record_fields(
    schema: dict[str, Any], models: dict[str, str], schemas: dict[str, Any]
) -> list[dict[str, Any]]:
    """Each property's annotation and default. A property the answer may lack (not `required`,
    or sent only since a newer gateway, `x-agentfm-since`) without a stated `default` is
    Optional and None; other properties default to their spec `default`, their `const`, or
    their type's zero value. Names in `x-agentfm-needed` get no default: the reader refuses
    an answer without them; so does an object property whose own schema has needed fields
    (it has no default instance)."""
    required = set(schema.get("required", []))
    needed = set(schema.get("x-agentfm-needed", []))
    fields = []
    for name, prop in schema.get("properties", {}).items():
        annotation, kind = _annotation(prop, models)
        reference = prop.get("$ref")
        if isinstance(reference, str):
            target = schemas[reference.rsplit("/", 1)[1]]
            if target.get("x-agentfm-needed"):
                needed.add(name)
        may_lack = (
            name not in required or prop.get("x-agentfm-since", OLDEST_GATEWAY) != OLDEST_GATEWAY
        )
        default: str | None
        if name in needed:
            default = None
        elif "x-agentfm-default" in prop or "default" in prop:
            # `x-agentfm-default`: the reader's default where the spec's `default` cannot say it
            # (null for a property the gateway always sends as a string, as in 0.3.0's models).
            stated = prop.get("x-agentfm-default", prop.get("default"))
            default = repr(stated)
            if stated is None and kind != "nullable":
                annotation = f"{annotation} | None"
        elif "const" in prop:
            default = repr(prop["const"])
        elif kind == "nullable":
            default = "None"
        elif may_lack or kind in ("datetime", "any"):
            annotation, default = f"{annotation} | None", "None"
        elif kind in ("list", "dict"):
            default = f"dataclasses.field(default_factory={kind})"
        elif kind.startswith("record:"):
            default = f"dataclasses.field(default_factory={kind.split(':', 1)[1]})"
        else:
            default = _ZERO[kind]
        attribute = prop.get("x-agentfm-attribute", name)
        if attribute != name:
            # The JSON key differs from the attribute: `Record` reads the key named in metadata.
            if default is None:
                default = f"dataclasses.field(metadata={{'json': {name!r}}})"
            elif default.startswith("dataclasses.field("):
                default = default.replace(")", f", metadata={{'json': {name!r}}})", 1)
            else:
                default = f"dataclasses.field(default={default}, metadata={{'json': {name!r}}})"
        doc = prop.get("description", "")
        if "x-agentfm-since" in prop:
            doc = f"{doc.strip()} (Sent since gateway {prop['x-agentfm-since']}.)".strip()
        fields.append(
            {
                "name": attribute,
                "annotation": annotation,
                "default": default,
                "doc": _docstring(doc, "    "),
            }
        )
    return fields


def _record_order(names: list[str], schemas: dict[str, Any]) -> list[str]:
    """Schemas after the ones they refer to, so default factories name defined classes."""
    ordered: list[str] = []

    def visit(name: str) -> None:
        if name in ordered:
            return
        for dependency in sorted(set(_references(schemas[name]))):
            if dependency in names:
                visit(dependency)
        ordered.append(name)

    for name in names:
        visit(name)
    return ordered


def render_records(spec: dict[str, Any], package: Path) -> None:
    """`records.py` from the schemas marked `x-agentfm-model`, plus its two companions."""
    schemas: dict[str, Any] = spec["components"]["schemas"]
    marked = [name for name, schema in schemas.items() if "x-agentfm-model" in schema]
    models = {name: schemas[name]["x-agentfm-model"] for name in marked}
    records = []
    for name in _record_order(marked, schemas):
        schema = schemas[name]
        mixins = schema.get("x-agentfm-mixins", [])
        records.append(
            {
                "name": models[name],
                "doc": _docstring(schema.get("description", name), "    "),
                "mixins": mixins,
                "positional": schema.get("x-agentfm-positional", False),
                "fields": record_fields(schema, models, schemas),
            }
        )
    # Renders Python source, not HTML: escaping would corrupt it.
    environment = jinja2.Environment(  # noqa: S701
        loader=jinja2.FileSystemLoader(CODEGEN / "templates" / "records"),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )
    mixins = sorted({mixin for record in records for mixin in record["mixins"]})
    text = environment.get_template("records.py.jinja").render(records=records, mixins=mixins)
    (package / "records.py").write_text(text, encoding="utf-8")
    for companion in ("_records.py", "_derived.py"):
        shutil.copyfile(CODEGEN / "templates" / "records" / companion, package / companion)


def _run(arguments: list[str], cwd: Path) -> None:
    environment = {**os.environ, "PATH": f"{TOOLS_BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    completed = subprocess.run(
        arguments, cwd=cwd, env=environment, capture_output=True, text=True, check=False
    )
    if completed.returncode != 0 or "Warning" in completed.stdout:
        sys.stderr.write(completed.stdout + completed.stderr)
        raise SystemExit(f"render: {Path(arguments[0]).name} failed or warned (see above)")


def render(destination: Path, spec_path: Path = SPEC) -> None:
    """Render the whole package into `destination/agentfm_gateway`."""
    spec = yaml.safe_load(spec_path.read_text(encoding="utf-8"))
    operations_spec, payload_spec = split_spec(spec)
    work = destination.parent
    (work / "operations.json").write_text(json.dumps(operations_spec), encoding="utf-8")
    (work / "payloads.json").write_text(json.dumps(payload_spec), encoding="utf-8")
    package = destination / PACKAGE

    _run(
        [
            str(TOOLS_BIN / "openapi-python-client"),
            "generate",
            "--path", str(work / "operations.json"),
            "--config", str(CODEGEN / "config.yaml"),
            "--custom-template-path", str(CODEGEN / "templates" / "client"),
            "--meta", "none",
            "--output-path", str(package),
            "--fail-on-warning",
        ],
        cwd=work,
    )  # fmt: skip
    render_records(spec, package)
    shutil.copyfile(
        CODEGEN / "templates" / "payloads" / "_payload_decoding.py",
        package / "_payload_decoding.py",
    )
    _run(
        [
            str(TOOLS_BIN / "datamodel-codegen"),
            "--input", str(work / "payloads.json"),
            "--input-file-type", "openapi",
            "--output", str(package / "payloads.py"),
            "--output-model-type", "dataclasses.dataclass",
            "--custom-template-dir", str(CODEGEN / "templates" / "payloads"),
            "--target-python-version", "3.10",
            "--frozen-dataclasses",
            "--keyword-only",
            "--enum-field-as-literal", "all",
            "--use-union-operator",
            "--use-standard-collections",
            "--use-schema-description",
            "--use-field-description",
            "--disable-timestamp",
            "--additional-imports",
            f"json,collections.abc.Mapping,typing.Any,{PACKAGE}._payload_decoding._decode_dataclass",
            "--formatters", "ruff-format",
        ],
        cwd=work,
    )  # fmt: skip
    payloads = package / "payloads.py"
    payload_lines = payloads.read_text(encoding="utf-8").splitlines(keepends=True)
    # Replace datamodel-codegen's own header comment (which names a temporary file) with ours.
    while payload_lines and payload_lines[0].startswith("#"):
        payload_lines.pop(0)
    payloads.write_text(PAYLOAD_MODULE_DOC + "".join(payload_lines), encoding="utf-8")
    (package / "py.typed").write_text("", encoding="utf-8")

    for module in sorted(package.rglob("*.py")):
        module.write_text(BANNER + module.read_text(encoding="utf-8"), encoding="utf-8")
    ruff = str(TOOLS_BIN / "ruff")
    settings = ["--isolated", "--no-cache", "--target-version", "py310"]
    _run([ruff, "check", *settings, "--fix-only", "--select", "I,F401", "."], cwd=package)
    _run([ruff, "format", *settings, "."], cwd=package)


def _tree(root: Path) -> dict[str, bytes]:
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts
    }


def check(rendered: Path, committed: Path) -> int:
    fresh, current = _tree(rendered), _tree(committed)
    problems = 0
    for name in sorted(fresh.keys() | current.keys()):
        if name not in current:
            print(f"missing from {committed.name}/: {name}")
        elif name not in fresh:
            print(f"not produced by the spec and templates: {name}")
        elif fresh[name] != current[name]:
            print(f"differs from a fresh render: {name}")
            diff = difflib.unified_diff(
                current[name].decode("utf-8", "replace").splitlines(),
                fresh[name].decode("utf-8", "replace").splitlines(),
                f"committed/{name}",
                f"rendered/{name}",
                lineterm="",
                n=1,
            )
            print("\n".join(list(diff)[:40]))
        else:
            continue
        problems += 1
    if problems:
        print(f"generated/{PACKAGE} is stale or hand-edited: run `make generate` and commit.")
        return 1
    print(f"{committed} matches schema/ + codegen/")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--write", metavar="DIR", type=Path, help="render into DIR/agentfm_gateway")
    mode.add_argument("--check", metavar="DIR", type=Path, help="compare DIR/agentfm_gateway")
    parser.add_argument("--spec", type=Path, default=SPEC, help="the OpenAPI document to render")
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="agentfm-render-") as scratch:
        destination = Path(scratch) / "out"
        destination.mkdir()
        render(destination, arguments.spec)
        if arguments.check is not None:
            return check(destination / PACKAGE, arguments.check.resolve() / PACKAGE)
        target = arguments.write.resolve() / PACKAGE
        if target.exists():
            shutil.rmtree(target)
        shutil.copytree(destination / PACKAGE, target)
        print(f"rendered {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
