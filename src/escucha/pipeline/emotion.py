"""Emotion analyser: seven emotion scores in [0, 1] from our own Spanish/English lexicons.

One regex pass per text finds every lexicon term (words, stems, phrases, emoji). Each hit adds
its weight (strong 1.0, weak 0.5) to its emotion, times 1.5 after an intensifier ("muy",
"so"). A negated positive word ("no me gustó", "not happy") turns into a little sadness and
anger; a negated negative word ("no estoy enfadado") counts for nothing. Hits are then made
consistent with the sentence's sentiment: anger, disgust and sadness are damped in positive
sentences and joy in negative ones. Exclamation marks and words in capitals raise anger (in a
negative text) or joy (in a positive one). Scores saturate: ``1 - exp(-0.9 * evidence)``.

``Doc.emotions`` holds these lexicon scores: how strongly the words express each emotion (the
intent and urgency analysers read them). The voice's dominant emotion,
``Doc.extras["emotion"]`` (or ``none``), blends them with the shipped emotion model's
probabilities when one serves the voice's language (:mod:`escucha.nlp.emotion_model`). Also
writes ``Doc.extras["anger_intensity"]`` in [0, 1].
"""

from __future__ import annotations

import math
import re
from functools import lru_cache
from typing import ClassVar

import numpy as np

from escucha.models import EMOTIONS
from escucha.nlp.emotion_model import NONE, EmotionModel, combine, consistent, dominant_emotions
from escucha.nlp.lexicons import TermMatcher, fold, load_lexicon, negated, sentence_index
from escucha.pipeline.base import Doc, register

_POSITIVE = {"joy", "trust"}
_NEGATIVE = {"anger", "sadness", "disgust", "fear"}
_EXCLAIM = re.compile(r"!+")
_CAPS_WORD = re.compile(r"\b[A-ZÁÉÍÓÚÑ]{4,}\b")
_WORD = re.compile(r"\b[^\W\d_]{4,}\b")
_WORDS_BEFORE = re.compile(r"(\w+)\W+(?:\w+\W+)?$")

# How much a hit counts in a sentence of each sentiment: (positive emotion, negative emotion).
_CONSISTENCY = {
    "positive": (1.0, 0.3),
    "negative": (0.3, 1.0),
    "neutral": (0.75, 0.75),
    "unknown": (1.0, 1.0),
}


@lru_cache(maxsize=1)
def _lexicon() -> tuple[TermMatcher[tuple[str, float]], frozenset[str]]:
    entries: list[tuple[str, tuple[str, float]]] = []
    intensifiers: set[str] = set()
    for name in ("emotion_es", "emotion_en", "emotion_emoji"):
        data = load_lexicon(name)
        for emo, groups in data["emotions"].items():
            if emo not in EMOTIONS:
                raise ValueError(f"{name}.yaml: emotions.{emo}: unknown emotion")
            for strength, weight in (("strong", 1.0), ("weak", 0.5)):
                for term in groups.get(strength) or []:
                    entries.append((str(term), (emo, weight)))
        intensifiers.update(fold(str(t)) for t in data.get("intensifiers", []))
    return TermMatcher(entries), frozenset(intensifiers)


def lexicon_size() -> int:
    """Number of distinct terms in the emotion lexicons."""
    return _lexicon()[0].size


def _saturate(x: float) -> float:
    return 1.0 - math.exp(-0.9 * x) if x > 0 else 0.0


def analyse_emotions(doc: Doc) -> tuple[dict[str, float], float]:
    """Emotion scores and anger intensity for one doc (sentences and sentiment read if present)."""
    text = doc.text or ""
    if not text.strip():
        return {e: 0.0 for e in EMOTIONS}, 0.0
    matcher, intensifiers = _lexicon()
    folded = fold(text)
    sents = doc.sentences
    starts = [s.start for s in sents]
    raw = dict.fromkeys(EMOTIONS, 0.0)
    strong_anger = 0
    seen: set[tuple[int, str]] = set()
    transcript = doc.is_transcript
    for hit in matcher.finditer(folded):
        if transcript and doc.agent_at(starts, hit.start):
            continue
        label = sents[sentence_index(starts, hit.start)].sentiment if sents else doc.sentiment
        pos_k, neg_k = _CONSISTENCY.get(label, (1.0, 1.0))
        is_neg = negated(folded, hit.start)
        boost = 1.0
        m = _WORDS_BEFORE.search(folded, max(0, hit.start - 25), hit.start)
        if m and (m.group(1) in intensifiers or folded[m.start() : hit.start].split()[0] in intensifiers):
            boost = 1.5
        for emo, weight in hit.payloads:
            key = (hit.start, emo)
            if key in seen:
                continue
            seen.add(key)
            w = weight * boost
            if is_neg:
                if emo in _POSITIVE:
                    raw["sadness"] += 0.4 * w * neg_k
                    raw["anger"] += 0.2 * w * neg_k
                continue
            if emo in _POSITIVE:
                raw[emo] += w * pos_k
            elif emo in _NEGATIVE:
                raw[emo] += w * neg_k
                if emo == "anger" and weight >= 1.0 and neg_k >= 1.0:
                    strong_anger += 1
            else:
                raw[emo] += w
    # Sentiment alone is weak evidence of an emotion.
    score = doc.sentiment_score
    if doc.sentiment == "negative" or score < -0.2:
        s = max(0.3, -score)
        raw["anger"] += 0.2 * s
        raw["sadness"] += 0.15 * s
    elif doc.sentiment == "positive" or score > 0.2:
        raw["joy"] += 0.25 * max(0.3, score)
    # Shouting: "!!!" and CAPITALS raise the dominant polarity's arousal emotion.
    excl = min(3, len(_EXCLAIM.findall(text)))
    words = len(_WORD.findall(text))
    caps = len(_CAPS_WORD.findall(text)) / words if words >= 3 else 0.0
    arousal = 0.15 * excl + 0.8 * min(caps, 0.6)
    negative_text = doc.sentiment == "negative" or score < -0.2 or (
        doc.sentiment == "unknown" and raw["anger"] + raw["disgust"] > raw["joy"] + raw["trust"]
    )
    positive_text = doc.sentiment == "positive" or score > 0.2 or (
        doc.sentiment == "unknown" and raw["joy"] + raw["trust"] > raw["anger"] + raw["disgust"]
    )
    if arousal:
        if negative_text and raw["anger"] > 0:
            raw["anger"] *= 1.0 + arousal
        elif positive_text and raw["joy"] > 0:
            raw["joy"] *= 1.0 + arousal
        if raw["surprise"] > 0:
            raw["surprise"] *= 1.0 + 0.5 * arousal
    scores = {e: round(_saturate(raw[e]), 4) for e in EMOTIONS}
    anger = scores["anger"]
    intensity = 0.0
    if anger > 0 and negative_text:
        intensity = min(1.0, 0.75 * anger + 0.08 * strong_anger + 0.07 * excl + 0.4 * min(caps, 0.5)
                        + 0.1 * scores["disgust"])
    elif anger > 0:
        intensity = 0.5 * anger
    return scores, round(intensity, 4)


@register("emotion")
class EmotionAnalyzer:
    """Lexicon emotions (es/en/emoji), negation- and sentiment-aware; the dominant emotion also
    reads the shipped emotion models (``model=False``: the lexicon alone)."""

    name = "emotion"
    version = "2.1"  # 2.1: the reported dominant emotion never has a score of 0
    requires: ClassVar[tuple[str, ...]] = ("language", "sentences", "sentiment")
    assigns: ClassVar[tuple[str, ...]] = ("emotions",)

    def __init__(self, model: bool = True, **_: object) -> None:
        _lexicon()
        self.model = EmotionModel() if model else EmotionModel({})

    def __call__(self, docs: list[Doc]) -> None:
        probs = self.model.predict_proba([d.customer_text() for d in docs], [d.language for d in docs])
        for doc, p in zip(docs, probs, strict=True):
            scores, intensity = analyse_emotions(doc)
            weight, threshold, damping = self.model.settings(doc.language)
            model = None if p is None else consistent(p, [doc.sentiment], damping)
            mixed = combine(np.array([[scores[e] for e in EMOTIONS]]), model, weight)
            doc.emotions = scores
            doc.extras["anger_intensity"] = intensity
            doc.extras["emotion"] = _reported(doc, mixed[0], str(dominant_emotions(mixed, threshold)[0]))


def _reported(doc: Doc, mixed: np.ndarray, top: str) -> str:
    """The dominant emotion as reported, never one whose score reads 0 (issue 19: "joy" on a voice
    whose joy is 0). When the model alone proposes it, it stands with its blended score written in
    ``Doc.emotions``, unless it contradicts the voice's sentiment (joy or trust in a negative voice,
    a negative emotion in a positive one): then the lexicon's top emotion, or ``none``."""
    if top == NONE or doc.emotions.get(top, 0.0) > 0:
        return top
    contradicts = (top in _POSITIVE and doc.sentiment == "negative") or (
        top in _NEGATIVE and doc.sentiment == "positive"
    )
    if contradicts:
        best = max(doc.emotions, key=lambda e: doc.emotions[e], default=NONE)
        return best if best != NONE and doc.emotions[best] > 0 else NONE
    doc.emotions[top] = round(float(mixed[EMOTIONS.index(top)]), 4)
    return top
