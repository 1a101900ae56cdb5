"""Per-model defaults: each model's input budget and its price (each provider names its default model).

Prices are USD per million tokens as published by the providers; ``CF_LLM_PRICES`` adds or overrides entries.
A model with no known price is recorded at cost 0 and logged once, so spend is never silently invented.
"""

from __future__ import annotations

import logging

from app.config import ModelPrice
from app.content.generator import Usage

log = logging.getLogger(__name__)

DEFAULT_PRICES: dict[str, ModelPrice] = {
    "gemini-2.5-flash": ModelPrice(input=0.30, output=2.50, cached_input=0.075),
    "gemini-2.5-flash-lite": ModelPrice(input=0.10, output=0.40, cached_input=0.025),
    "gemini-2.5-pro": ModelPrice(input=1.25, output=10.00, cached_input=0.31),
    "gpt-4o-mini": ModelPrice(input=0.15, output=0.60, cached_input=0.075),
    "gpt-4o": ModelPrice(input=2.50, output=10.00, cached_input=1.25),
    "gpt-4.1-mini": ModelPrice(input=0.40, output=1.60, cached_input=0.10),
}

# Input tokens a request may carry before the source is condensed in chunks. Unknown models (a local server
# with a small context, say) get a conservative budget.
DEFAULT_INPUT_BUDGETS = {
    "gemini-2.5-flash": 900_000,
    "gemini-2.5-flash-lite": 900_000,
    "gemini-2.5-pro": 900_000,
    "gpt-4o-mini": 110_000,
    "gpt-4o": 110_000,
    "gpt-4.1-mini": 900_000,
}
UNKNOWN_MODEL_BUDGET = 6_000


def estimate_tokens(text: str) -> int:
    """A provider-neutral estimate: about four characters a token for the languages these prompts carry."""
    return len(text) // 4 + 1


class PriceTable:
    def __init__(self, overrides: dict[str, ModelPrice]) -> None:
        self._prices = {**DEFAULT_PRICES, **overrides}
        self._warned: set[str] = set()

    def usage(self, model: str, input_tokens: int, output_tokens: int, cached_input_tokens: int = 0) -> Usage:
        """One call's usage; input tokens the provider served from its prompt cache are billed at its cached price."""
        price = self._prices.get(model)
        if price is None and model not in self._warned:
            self._warned.add(model)
            log.warning("no price for model %s: its cost is recorded as 0 (set CF_LLM_PRICES)", model)
        cached = min(cached_input_tokens, input_tokens)
        cost = 0.0
        if price is not None:
            cached_price = price.input if price.cached_input is None else price.cached_input
            cost = ((input_tokens - cached) * price.input + cached * cached_price + output_tokens * price.output) / 1e6
        return Usage(
            input_tokens=input_tokens,
            output_tokens=output_tokens,
            cached_input_tokens=cached,
            llm_calls=1,
            cost_usd=round(cost, 8),
        )
