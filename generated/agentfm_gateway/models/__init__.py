# Generated from schema/openapi.yaml by codegen/render.py. Do not edit: change the spec or a
# template under codegen/ and run `make generate`.
"""Contains all the data models used in inputs/outputs"""

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
