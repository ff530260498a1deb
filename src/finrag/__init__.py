"""FinRAG: numeric question answering over financial reports with auditable programs."""

__version__ = "0.1.0"

__all__ = ["__version__"]
