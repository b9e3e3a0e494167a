"""The shipped emotion models (English, Spanish), blended with the emotion lexicon.

Each model is a :class:`~escucha.nlp.textclf.TextClassifier` over escucha's seven emotions plus
``none``, trained by ``scripts/build_models.py`` on our own hand-written texts (``data/seed/``).
A voice's dominant emotion is the highest of ``(1 - w)·lexicon_k + w·p_k`` over the emotions
``k`` when it passes a threshold, else ``none``; ``p`` may be damped where it contradicts the
voice's sentiment (:func:`consistent`). ``w``, the threshold and the damping were chosen on
out-of-fold predictions over those texts and sit in the model's ``meta.json`` (``model_weight``,
``threshold``, ``damping``). A language without a built model keeps the lexicon alone, where any
evidence makes an emotion dominant. Languages are routed as for sentiment (Romance languages to
Spanish, the rest to English).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache

import numpy as np

from escucha.models import EMOTIONS
from escucha.nlp.sentiment_model import ARTEFACTS, ROMANCE
from escucha.nlp.textclf import TextClassifier

NONE = "none"
"""The dominant emotion of a voice that shows none clearly."""


@lru_cache(maxsize=4)
def load_emotion(lang: str) -> TextClassifier | None:
    """The shipped emotion model for ``lang`` (``en``/``es``), or ``None`` when not built."""
    path = ARTEFACTS / f"emotion_{lang}"
    return TextClassifier.load(path) if (path / "model.joblib").exists() else None


def dominant_emotions(
    scores: np.ndarray, threshold: float = 0.0, names: Sequence[str] = EMOTIONS
) -> np.ndarray:
    """For each row of ``scores`` (columns ``names``), the highest-scoring emotion when its score
    is above ``threshold`` (and above 0), else :data:`NONE` (the first of equal scores wins)."""
    labels = np.asarray([*names, NONE], dtype=object)
    top = scores.argmax(axis=1)
    return np.where(scores.max(axis=1) > max(threshold, 0.0), labels[top], NONE)


def dominant_emotion(scores: Mapping[str, float], threshold: float = 0.0) -> str:
    """:func:`dominant_emotions` for one voice's scores by emotion."""
    if not scores:
        return NONE
    return str(dominant_emotions(np.array([list(scores.values())]), threshold, list(scores))[0])


def emotion_columns(clf: TextClassifier, p: np.ndarray) -> np.ndarray:
    """A model's class probabilities ``p`` as ``EMOTIONS`` columns (0 for an emotion it never saw;
    ``none`` is dropped: it takes the rest)."""
    padded = np.column_stack([p, np.zeros(len(p))])  # column -1: an emotion never seen
    return padded[:, [clf.labels.index(e) if e in clf.labels else -1 for e in EMOTIONS]]


_POSITIVE = np.array([e in ("joy", "trust") for e in EMOTIONS])
_NEGATIVE = np.array([e in ("anger", "sadness", "fear", "disgust") for e in EMOTIONS])


def consistent(model: np.ndarray, sentiments: Sequence[str], damping: float) -> np.ndarray:
    """Model probabilities (rows of ``EMOTIONS`` columns) times ``damping`` where they contradict
    each voice's sentiment label (anger, sadness, fear, disgust in a positive voice; joy, trust in
    a negative one), as the lexicon's hits are; 1 leaves them as they are."""
    model = np.atleast_2d(model)
    if damping >= 1.0:
        return model
    pos = np.array([s == "positive" for s in sentiments])[:, None]
    neg = np.array([s == "negative" for s in sentiments])[:, None]
    factor = np.where(pos & _NEGATIVE, damping, 1.0) * np.where(neg & _POSITIVE, damping, 1.0)
    return model * factor


def combine(lexicon: np.ndarray, model: np.ndarray | None, weight: float) -> np.ndarray:
    """Per-emotion scores (columns in :data:`~escucha.models.EMOTIONS` order):
    ``(1 - weight)·lexicon + weight·model`` (the lexicon alone when there is no model row)."""
    if model is None or weight <= 0:
        return lexicon
    return (1.0 - weight) * lexicon + weight * model


class EmotionModel:
    """English + Spanish emotion models; each language goes to its model, if one is built."""

    def __init__(self, models: dict[str, TextClassifier] | None = None):
        if models is None:
            models = {lang: m for lang in ("en", "es") if (m := load_emotion(lang)) is not None}
        self.models = models

    def route(self, lang: str | None) -> str | None:
        if lang in self.models:
            return lang
        if lang in ROMANCE and "es" in self.models:
            return "es"
        return "en" if "en" in self.models else None

    def settings(self, lang: str | None) -> tuple[float, float, float]:
        """(model weight, dominant-emotion threshold, damping) for a language."""
        key = self.route(lang)
        if key is None:
            return 0.0, 0.0, 1.0
        meta = self.models[key].meta
        return (
            float(meta.get("model_weight", 0.0)),
            float(meta.get("threshold", 0.0)),
            float(meta.get("damping", 1.0)),
        )

    def predict_proba(self, texts: Sequence[str], languages: Sequence[str | None]) -> list[np.ndarray | None]:
        """For each text, the model's probabilities of the seven emotions (``EMOTIONS`` order;
        ``none`` takes the rest), or ``None`` when empty or no model serves its language."""
        out: list[np.ndarray | None] = [None] * len(texts)
        used = {key for key in self.models if self.settings(key)[0] > 0}
        groups: dict[str, list[int]] = {}
        for i, (t, lang) in enumerate(zip(texts, languages, strict=True)):
            key = self.route(lang)
            if key in used and t and t.strip():
                groups.setdefault(key, []).append(i)
        for key, idx in groups.items():
            clf = self.models[key]
            p7 = emotion_columns(clf, clf.predict_proba([texts[i] for i in idx]))
            for k, i in enumerate(idx):
                out[i] = p7[k]
        return out
