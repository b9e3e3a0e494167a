"""Analyser ``sentiment``: negative / neutral / positive for each voice and each sentence.

``sentiment_score`` is ``p(positive) - p(negative)`` in [-1, 1]; empty or garbage text is
``"unknown"``. Sentences are only scored by the model when a voice has more than one; a
single-sentence voice gives its sentence the voice's label. Models: see
:mod:`escucha.nlp.sentiment_model` and the cards in ``escucha/nlp/cards/``.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from escucha.nlp import training as _training  # noqa: F401  (registers "custom_labels")
from escucha.nlp.sentiment_model import LABELS, SentimentModel
from escucha.pipeline.base import Doc, register


def _label(p: np.ndarray | None) -> tuple[str, float]:
    if p is None:
        return "unknown", 0.0
    return LABELS[int(np.argmax(p))], float(p[2] - p[0])


@register("sentiment")
class SentimentAnalyzer:
    """Assigns ``sentiment``, ``sentiment_score``, ``sentiment_proba`` and per-sentence sentiment."""

    name = "sentiment"
    version = "1"
    requires: ClassVar[tuple[str, ...]] = ("language", "sentences")
    assigns: ClassVar[tuple[str, ...]] = ("sentiment", "sentiment_score", "sentiment_proba")

    def __init__(self, per_sentence: bool = True):
        self.per_sentence = per_sentence
        self._model: SentimentModel | None = None

    @property
    def model(self) -> SentimentModel:
        if self._model is None:
            self._model = SentimentModel()
        return self._model

    def __call__(self, docs: list[Doc]) -> None:
        if not docs:
            return
        probs = self.model.predict_proba([d.full_text for d in docs], [d.language for d in docs])
        sent_texts: list[str] = []
        sent_langs: list[str] = []
        where: list[tuple[int, int]] = []
        for i, (d, p) in enumerate(zip(docs, probs, strict=True)):
            d.sentiment, d.sentiment_score = _label(p)
            d.sentiment_proba = (
                {lab: round(float(v), 4) for lab, v in zip(LABELS, p, strict=True)}
                if p is not None
                else {}
            )
            if len(d.sentences) == 1:
                d.sentences[0].sentiment = d.sentiment
                d.sentences[0].sentiment_score = d.sentiment_score
            elif self.per_sentence:
                for j, s in enumerate(d.sentences):
                    sent_texts.append(s.text)
                    sent_langs.append(d.language)
                    where.append((i, j))
        if sent_texts:
            for (i, j), p in zip(where, self.model.predict_proba(sent_texts, sent_langs), strict=True):
                s = docs[i].sentences[j]
                s.sentiment, s.sentiment_score = _label(p)
