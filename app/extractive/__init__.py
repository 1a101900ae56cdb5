"""The offline 'extractive' engine: every artifact built from the source text, with no model or network.

analyse(text) -> Analysis           sentences, key terms, scores, definitions, sections (cached by hash)
build(artifact, analysis, controls, outline, request) -> dict   content for validate_content
ExtractiveGenerator                 the Generator port (check before a job, generate per artifact)
"""

from app.extractive.analysis import Analysis, analyse
from app.extractive.engine import ExtractiveGenerator
from app.extractive.recipes import build

__all__ = ["Analysis", "ExtractiveGenerator", "analyse", "build"]
