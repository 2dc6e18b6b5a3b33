"""Every public name of agentfm 0.3.0 exists here.

tests/data/surface_030.json lists 0.3.0's public surface (module `__all__` names, class attributes,
parameter names), extracted from the published wheel. The same extraction is run here on this
package; a 0.3.0 name missing here fails the test unless it is in one of the two lists below.
"""

from __future__ import annotations

import builtins
import importlib
import inspect
import json
from pathlib import Path
from typing import Any

SURFACE_030 = Path(__file__).parent.parent / "data" / "surface_030.json"
MODULES = (
    "agentfm",
    "agentfm.client",
    "agentfm.async_client",
    "agentfm.streaming",
    "agentfm.models",
    "agentfm.exceptions",
    "agentfm.artifacts",
    "agentfm.crypto",
    "agentfm.daemon",
    "agentfm.webhook",
    "agentfm.openai",
    "agentfm.openai.models",
)
MODEL_API = ("model_dump", "model_dump_json", "model_validate", "model_copy", "model_fields")
_FOREIGN_PACKAGES = {"builtins", "abc", "enum", "typing", "pydantic"}

# Names of 0.3.0 left out on purpose, with the reason (README, "Migrating from 0.3.0").
DELIBERATE_EXCEPTIONS: dict[str, str] = {}


def _parameters(prefix: str, function: Any, items: set[str]) -> None:
    try:
        signature = inspect.signature(function)
    except (TypeError, ValueError):
        return
    for parameter in signature.parameters.values():
        if parameter.name in ("self", "cls") or parameter.kind in (
            parameter.VAR_POSITIONAL,
            parameter.VAR_KEYWORD,
        ):
            continue
        items.add(f"{prefix}({parameter.name})")


def _class_items(prefix: str, cls: type, items: set[str]) -> None:
    foreign: set[str] = set()
    for base in cls.__mro__[1:]:
        if base.__module__.split(".")[0] in _FOREIGN_PACKAGES or base in vars(builtins).values():
            foreign |= set(dir(base))
    for name in dir(cls):
        if name.startswith("_") or (name in foreign and name not in MODEL_API):
            continue
        items.add(f"{prefix}.{name}")
        if name in MODEL_API:
            continue
        try:
            attribute = inspect.getattr_static(cls, name)
        except AttributeError:
            continue
        if isinstance(attribute, (staticmethod, classmethod)):
            attribute = attribute.__func__
        if callable(attribute) and not inspect.isclass(attribute):
            _parameters(f"{prefix}.{name}", attribute, items)
    fields = getattr(cls, "model_fields", None)
    if isinstance(fields, dict):
        items.update(f"{prefix}.{field}" for field in fields)


def public_surface() -> set[str]:
    items: set[str] = set()
    for module_name in MODULES:
        module = importlib.import_module(module_name)
        names = getattr(module, "__all__", None) or [n for n in dir(module) if n[:1] != "_"]
        for name in names:
            items.add(f"{module_name}.{name}")
            value = getattr(module, name, None)
            if inspect.isclass(value):
                _class_items(f"{module_name}.{name}", value, items)
            elif callable(value):
                _parameters(f"{module_name}.{name}", value, items)
    return items


def test_every_0_3_0_name_is_here() -> None:
    surface_030 = set(json.loads(SURFACE_030.read_text()))
    missing = surface_030 - public_surface()
    unexplained = sorted(item for item in missing if item not in DELIBERATE_EXCEPTIONS)
    assert unexplained == [], f"{len(unexplained)} names of 0.3.0 are missing: {unexplained}"


def test_the_deliberate_exceptions_are_really_missing() -> None:
    # An exception that is present again must leave the list (and the README).
    assert not set(DELIBERATE_EXCEPTIONS) & public_surface()


def test_the_extraction_sees_what_it_should() -> None:
    # Guards the comparison itself: a broken extraction would find nothing missing.
    surface = public_surface()
    assert "agentfm.client.DEFAULT_GATEWAY" in surface
    assert "agentfm.artifacts.ArtifactManager.wait_for_task_zip(stable_for)" in surface
    assert "agentfm.crypto.SwarmKey.from_string(text)" in surface
    assert "agentfm.exceptions.from_envelope(status)" in surface
    assert "agentfm.nonexistent" not in surface
    assert len(surface) > 400
