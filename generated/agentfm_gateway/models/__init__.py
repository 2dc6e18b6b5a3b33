# Generated from schema/openapi.yaml by codegen/render.py. Do not edit: change the spec or a
# template under codegen/ and run `make generate`.
"""Contains all the data models used in inputs/outputs; each is imported on first use."""

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .async_execute_request import AsyncExecuteRequest
    from .chat_completion_request import ChatCompletionRequest
    from .chat_message import ChatMessage
    from .completion_request import CompletionRequest
    from .error_detail import ErrorDetail
    from .error_detail_type import ErrorDetailType
    from .error_envelope import ErrorEnvelope
    from .execute_request import ExecuteRequest
    from .relay_test_request import RelayTestRequest
    from .relay_test_result import RelayTestResult
    from .self_comment_request import SelfCommentRequest
    from .signed_comment_request import SignedCommentRequest

_MODULES = {
    "AsyncExecuteRequest": ".async_execute_request",
    "ChatCompletionRequest": ".chat_completion_request",
    "ChatMessage": ".chat_message",
    "CompletionRequest": ".completion_request",
    "ErrorDetail": ".error_detail",
    "ErrorDetailType": ".error_detail_type",
    "ErrorEnvelope": ".error_envelope",
    "ExecuteRequest": ".execute_request",
    "RelayTestRequest": ".relay_test_request",
    "RelayTestResult": ".relay_test_result",
    "SelfCommentRequest": ".self_comment_request",
    "SignedCommentRequest": ".signed_comment_request",
}

__all__ = (
    "AsyncExecuteRequest",
    "ChatCompletionRequest",
    "ChatMessage",
    "CompletionRequest",
    "ErrorDetail",
    "ErrorDetailType",
    "ErrorEnvelope",
    "ExecuteRequest",
    "RelayTestRequest",
    "RelayTestResult",
    "SelfCommentRequest",
    "SignedCommentRequest",
)


def __getattr__(name: str) -> Any:
    module = _MODULES.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
