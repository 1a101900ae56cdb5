"""A wire-level fake LLM server: Gemini ``generateContent`` and OpenAI ``chat/completions`` over real HTTP."""

from tests.fakellm.server import FakeLLM, Mode

__all__ = ["FakeLLM", "Mode"]
