"""A small demo filing shipped with FinRAG so `make run` works on a fresh machine."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

__all__ = ["DEMO_QUESTIONS", "demo_document_path"]

#: Questions `make run` asks about the demo filing (the last one is a follow-up).
DEMO_QUESTIONS = (
    "What was the percentage change in net revenue from 2023 to 2024?",
    "What was the operating margin in 2024?",
    "What was the average research and development expense from 2022 to 2024?",
    "What was the difference in cash and cash equivalents between 2024 and 2023?",
    "What was free cash flow in 2024?",
)


def demo_document_path() -> Path:
    """Path of the demo annual report (HTML, EDGAR style) inside the installed package."""
    return Path(str(resources.files("finrag.demo") / "northwind_2024_annual_report.html"))
