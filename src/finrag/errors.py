"""The one FinRAG exception hierarchy.

Every error FinRAG raises on purpose derives from :class:`FinRAGError`. Messages name the
offending value and say how to fix it.

::

    FinRAGError
    ├── ConfigError                 invalid settings or unknown backend name
    ├── DSLError                    anything the DSL raises
    │   ├── ProgramError            the program is wrong (bad reference, unknown row, kind
    │   │                           mismatch, division by zero, parse error); a planner can
    │   │                           repair it from the message
    │   └── ExecutionError          terminal: limits exceeded, internal inconsistency
    ├── DocumentError               a file could not be turned into a Document
    │   ├── UnsupportedFormatError  content sniffing found no parser for the bytes
    │   ├── EmptyDocumentError      zero bytes, or no text and no tables at all
    │   ├── DocumentTooLargeError   over the configured size limit
    │   └── CorruptDocumentError    truncated or damaged file the parser cannot read
    ├── StoreError                  persistence failures
    │   ├── NotFoundError           no such document/chunk for this tenant
    │   └── AccessDeniedError       an operation outside the caller's tenant or role
    ├── EmbeddingError              the embedder failed (model missing, API error)
    ├── PlanningError               a planner could not produce a valid program
    └── EvaluationError             a dataset file or baseline is malformed
"""

from __future__ import annotations

__all__ = [
    "AccessDeniedError",
    "ConfigError",
    "CorruptDocumentError",
    "DSLError",
    "DocumentError",
    "DocumentTooLargeError",
    "EmbeddingError",
    "EmptyDocumentError",
    "EvaluationError",
    "ExecutionError",
    "FinRAGError",
    "NotFoundError",
    "PlanningError",
    "ProgramError",
    "StoreError",
    "UnsupportedFormatError",
]


class FinRAGError(Exception):
    """Base class of every error FinRAG raises on purpose."""


class ConfigError(FinRAGError):
    """Invalid settings, or a backend name that is not registered."""


class DSLError(FinRAGError):
    """Base class of DSL errors."""


class ProgramError(DSLError):
    """The program is wrong; the message tells a planner how to repair it."""


class ExecutionError(DSLError):
    """Terminal execution failure (limits exceeded); retrying the same program will not help."""


class DocumentError(FinRAGError):
    """A file could not be turned into a Document."""


class UnsupportedFormatError(DocumentError):
    """No parser recognises the file's content."""


class EmptyDocumentError(DocumentError):
    """The file is empty or holds no text and no tables."""


class DocumentTooLargeError(DocumentError):
    """The file is larger than the configured limit."""


class CorruptDocumentError(DocumentError):
    """The file is truncated or damaged."""


class StoreError(FinRAGError):
    """A persistence operation failed."""


class NotFoundError(StoreError):
    """The requested object does not exist for this tenant."""


class AccessDeniedError(StoreError):
    """The caller's tenant or role does not allow the operation."""


class EmbeddingError(FinRAGError):
    """The embedder failed."""


class PlanningError(FinRAGError):
    """A planner could not produce a valid program."""


class EvaluationError(FinRAGError):
    """A dataset, report or baseline file is malformed."""
