"""Versioned prompt templates (Jinja2, strict about undefined variables), one per artifact.

The version is part of every cache key and of each artifact's ``generated_by``; change a template, bump the
version (copy ``v1/`` to ``v2/`` and point ``PROMPT_VERSION`` at it).
"""

from app.llm.prompts.library import PROMPT_VERSION, PromptContext, Prompts

__all__ = ["PROMPT_VERSION", "PromptContext", "Prompts"]
