"""escucha: listen to every customer and turn it into action."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from escucha.errors import EscuchaError
from escucha.insights.base import (
    Insight,
    InsightContext,
    InsightResult,
    all_insights,
    register_insight,
)
from escucha.models import Analysis, Channel, Customer, Feedback
from escucha.pipeline import Pipeline
from escucha.store import Filters
from escucha.version import __version__
from escucha.workspace import Workspace, open

__all__ = [
    "Analysis",
    "Channel",
    "Customer",
    "EscuchaError",
    "Feedback",
    "Filters",
    "Insight",
    "InsightContext",
    "InsightResult",
    "Pipeline",
    "Workspace",
    "__version__",
    "all_insights",
    "analyze_texts",
    "default_pipeline",
    "open",
    "register_insight",
]


@lru_cache(maxsize=1)
def default_pipeline() -> Pipeline:
    """The default pipeline, built once per process."""
    from escucha.config import DEFAULT_PIPELINE

    return Pipeline.from_names(DEFAULT_PIPELINE)


def analyze_texts(texts: Sequence[str], pipeline: Pipeline | None = None) -> list[dict[str, Any]]:
    """Analyse texts without a workspace: one record per text with language, sentiment,
    sentiment_score, emotions, aspects (each with its sentiment), intents, urgency and sentences."""
    if isinstance(texts, str):
        texts = [texts]
    return [a.to_record() for a in (pipeline or default_pipeline()).analyze(texts)]
