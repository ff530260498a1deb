"""The offline planner: question + evidence (+ conversation) -> DSL program, no LLM, no network.

Public surface: :class:`OfflinePlanner` (registry name ``"offline"``), :func:`load_model` and
:class:`OfflineModel` (the committed artifacts), :func:`train` (``finrag train offline``).
"""

from __future__ import annotations

from .model import ARTIFACT_DIR, OfflineModel, load_model
from .planner import OfflinePlanner

__all__ = ["ARTIFACT_DIR", "OfflineModel", "OfflinePlanner", "load_model"]
