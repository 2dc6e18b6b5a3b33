"""Read a batch of prompts for `agentfm-py scatter`: one per line, or JSON lines `{"prompt": ...}`.

The format is decided once, from the first non-blank line: if it is a JSON object, the whole input
is JSON lines and every non-blank line must be an object with a string `prompt` (other keys are
ignored); otherwise every non-blank line is a prompt, verbatim (without its line ending). Blank
lines are skipped in both formats: the gateway refuses an empty prompt
(docs/reference/gateway-protocol.md §5.4). A mixed input is refused with the line number, rather
than sending a JSON text to a worker as a prompt.
"""

from __future__ import annotations

from typing import Literal

from agentfm._json import parse_json
from agentfm.exceptions import InvalidRequestError

__all__ = ["PromptFormat", "parse_prompts"]

PromptFormat = Literal["auto", "lines", "jsonl"]


def _looks_like_object(line: str) -> bool:
    try:
        return isinstance(parse_json(line), dict)
    except ValueError:
        return False


def _prompt_of(line: str, number: int, source: str) -> str:
    try:
        record = parse_json(line)
    except ValueError as error:
        reason = getattr(error, "msg", None) or str(error)
        raise InvalidRequestError(
            f"{source} line {number}: not JSON ({reason}); the input is JSON lines because "
            'its first line is, so every line must be {"prompt": "..."}',
            code="invalid_prompts",
        ) from None
    prompt = record.get("prompt") if isinstance(record, dict) else None
    if not isinstance(prompt, str) or not prompt:
        raise InvalidRequestError(
            f'{source} line {number}: expected an object with a non-empty string "prompt"',
            code="invalid_prompts",
        )
    if not _is_unicode_text(prompt):
        # JSON can spell a lone surrogate (`"\\ud800"`); no request can carry one.
        raise InvalidRequestError(
            f"{source} line {number}: the prompt holds an unpaired surrogate escape",
            code="invalid_prompts",
        )
    return prompt


def _is_unicode_text(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def parse_prompts(text: str, *, source: str, format: PromptFormat = "auto") -> list[str]:
    """The prompts in `text`, in order; `source` names the input in error messages."""
    numbered = [
        (number, line.removesuffix("\r"))
        for number, line in enumerate(text.split("\n"), start=1)
        if line.strip()
    ]
    if format == "auto":
        format = "jsonl" if numbered and _looks_like_object(numbered[0][1]) else "lines"
    if format == "lines":
        return [line for _, line in numbered]
    return [_prompt_of(line, number, source) for number, line in numbered]
