# Generated from schema/openapi.yaml by codegen/render.py. Do not edit: change the spec or a
# template under codegen/ and run `make generate`.
"""Contains all the data models used in inputs/outputs; each is imported on first use."""

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .about import About
    from .async_execute_request import AsyncExecuteRequest
    from .async_task_ack import AsyncTaskAck
    from .chat_completion import ChatCompletion
    from .chat_completion_choice import ChatCompletionChoice
    from .chat_completion_request import ChatCompletionRequest
    from .chat_message import ChatMessage
    from .comment_body import CommentBody
    from .comment_receipt import CommentReceipt
    from .completion_request import CompletionRequest
    from .error_detail import ErrorDetail
    from .error_detail_type import ErrorDetailType
    from .error_envelope import ErrorEnvelope
    from .execute_request import ExecuteRequest
    from .health import Health
    from .inclusion_proof import InclusionProof
    from .ledger_entry import LedgerEntry
    from .model_entry import ModelEntry
    from .model_list import ModelList
    from .peer_log import PeerLog
    from .peer_reputation import PeerReputation
    from .peer_reputation_scores import PeerReputationScores
    from .peer_summary import PeerSummary
    from .rater_summary import RaterSummary
    from .relay_test_request import RelayTestRequest
    from .relay_test_result import RelayTestResult
    from .self_comment_request import SelfCommentRequest
    from .signed_comment_request import SignedCommentRequest
    from .signed_tree_head import SignedTreeHead
    from .text_completion import TextCompletion
    from .text_completion_choice import TextCompletionChoice
    from .usage import Usage
    from .worker import Worker
    from .worker_list import WorkerList

_MODULES = {
    "About": ".about",
    "AsyncExecuteRequest": ".async_execute_request",
    "AsyncTaskAck": ".async_task_ack",
    "ChatCompletion": ".chat_completion",
    "ChatCompletionChoice": ".chat_completion_choice",
    "ChatCompletionRequest": ".chat_completion_request",
    "ChatMessage": ".chat_message",
    "CommentBody": ".comment_body",
    "CommentReceipt": ".comment_receipt",
    "CompletionRequest": ".completion_request",
    "ErrorDetail": ".error_detail",
    "ErrorDetailType": ".error_detail_type",
    "ErrorEnvelope": ".error_envelope",
    "ExecuteRequest": ".execute_request",
    "Health": ".health",
    "InclusionProof": ".inclusion_proof",
    "LedgerEntry": ".ledger_entry",
    "ModelEntry": ".model_entry",
    "ModelList": ".model_list",
    "PeerLog": ".peer_log",
    "PeerReputation": ".peer_reputation",
    "PeerReputationScores": ".peer_reputation_scores",
    "PeerSummary": ".peer_summary",
    "RaterSummary": ".rater_summary",
    "RelayTestRequest": ".relay_test_request",
    "RelayTestResult": ".relay_test_result",
    "SelfCommentRequest": ".self_comment_request",
    "SignedCommentRequest": ".signed_comment_request",
    "SignedTreeHead": ".signed_tree_head",
    "TextCompletion": ".text_completion",
    "TextCompletionChoice": ".text_completion_choice",
    "Usage": ".usage",
    "Worker": ".worker",
    "WorkerList": ".worker_list",
}

__all__ = (
    "About",
    "AsyncExecuteRequest",
    "AsyncTaskAck",
    "ChatCompletion",
    "ChatCompletionChoice",
    "ChatCompletionRequest",
    "ChatMessage",
    "CommentBody",
    "CommentReceipt",
    "CompletionRequest",
    "ErrorDetail",
    "ErrorDetailType",
    "ErrorEnvelope",
    "ExecuteRequest",
    "Health",
    "InclusionProof",
    "LedgerEntry",
    "ModelEntry",
    "ModelList",
    "PeerLog",
    "PeerReputation",
    "PeerReputationScores",
    "PeerSummary",
    "RaterSummary",
    "RelayTestRequest",
    "RelayTestResult",
    "SelfCommentRequest",
    "SignedCommentRequest",
    "SignedTreeHead",
    "TextCompletion",
    "TextCompletionChoice",
    "Usage",
    "Worker",
    "WorkerList",
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
