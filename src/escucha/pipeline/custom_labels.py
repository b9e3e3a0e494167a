"""Analyser ``custom_labels``: runs a company's own classifier (``escucha train``, see
:mod:`escucha.nlp.training`) and writes ``Doc.extras["labels"]`` and ``extras["label_scores"]``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import ClassVar

from escucha.errors import ModelError
from escucha.nlp.training import load_custom_model
from escucha.pipeline.base import Doc, register

__all__ = ["CustomLabelsAnalyzer"]


@register("custom_labels")
class CustomLabelsAnalyzer:
    """Runs a company-trained model; writes ``extras["labels"]`` and ``extras["label_scores"]``."""

    name = "custom_labels"
    requires: ClassVar[tuple[str, ...]] = ()
    assigns: ClassVar[tuple[str, ...]] = ("extras.labels", "extras.label_scores")

    def __init__(self, model_path: str | Path | None = None, min_score: float = 0.0):
        if not model_path:
            raise ModelError("custom_labels needs 'model_path' in its config", field="model_path")
        self.model = load_custom_model(model_path)
        self.min_score = min_score
        self.version = f"1:{Path(model_path).name}:{self.model.meta.get('n_train', 0)}"

    def __call__(self, docs: list[Doc]) -> None:
        if not docs:
            return
        texts: Sequence[str] = [d.full_text for d in docs]
        proba = self.model.predict_proba(texts)
        preds = self.model.labels_from_proba(proba)
        for d, p, pred in zip(docs, proba, preds, strict=True):
            scores = {lab: round(float(v), 4) for lab, v in zip(self.model.labels, p, strict=True)}
            if not d.text or not d.text.strip():
                d.extras["labels"] = []
                continue
            labels: list[str] = [str(x) for x in pred] if isinstance(pred, list) else [str(pred)]
            d.extras["labels"] = [lab for lab in labels if scores.get(lab, 0.0) >= self.min_score]
            d.extras["label_scores"] = scores

