"""Token prices and the cost of model calls.

Prices are US dollars per one million tokens, ``(input, output)``, keyed by model name. A
model id with a dated suffix (``gpt-4o-2024-08-06``) is priced by its longest known prefix
(``gpt-4o``; ``gpt-4o-mini-2024-07-18`` finds ``gpt-4o-mini``). Models with no known price
(self-hosted vLLM or Ollama) cost 0. Defaults are list prices at the time of writing;
override them in configuration (``FINRAG_LLM__PRICES``) when they change.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

__all__ = ["DEFAULT_PRICES", "Price", "PriceTable"]


class Price(NamedTuple):
    """US dollars per one million input (prompt) and output (completion) tokens."""

    input_per_million: float
    output_per_million: float


DEFAULT_PRICES: Mapping[str, Price] = {
    "gpt-4o": Price(2.50, 10.00),
    "gpt-4o-mini": Price(0.15, 0.60),
}


class PriceTable:
    """Looks prices up by model name (longest prefix) and computes call costs."""

    def __init__(self, overrides: Mapping[str, tuple[float, float]] | None = None) -> None:
        table = dict(DEFAULT_PRICES)
        for model, (inp, out) in (overrides or {}).items():
            table[model] = Price(float(inp), float(out))
        self._prices = table

    def price(self, model: str) -> Price | None:
        """The price of ``model`` or of its longest known prefix; None when unknown."""
        if model in self._prices:
            return self._prices[model]
        best = max((m for m in self._prices if model.startswith(m)), key=len, default=None)
        return self._prices[best] if best is not None else None

    def cost(self, model: str, prompt_tokens: int, completion_tokens: int) -> float:
        """Dollars for one call; 0.0 for models without a price."""
        price = self.price(model)
        if price is None:
            return 0.0
        return (
            prompt_tokens * price.input_per_million + completion_tokens * price.output_per_million
        ) / 1_000_000
