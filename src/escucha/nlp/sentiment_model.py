"""The shipped sentiment models (English, Spanish) blended with our polarity lexicon.

``SentimentModel.predict_proba(texts, languages)`` returns rows of (negative, neutral, positive)
probabilities. Each language goes to its model (Spanish for es/pt/ca/it/fr/gl, English for
the rest); the lexicon's score shifts the model's log-odds between negative and positive with
a weight tuned on held-out training data by ``scripts/build_models.py`` (stored in the model's
metadata). Texts without any word nor emoji cue come back as ``None`` (unknown).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np

from escucha.errors import ModelError
from escucha.nlp.calibration import temper
from escucha.nlp.polarity import score_text, score_tokens
from escucha.nlp.textclf import TextClassifier
from escucha.nlp.textnorm import (
    normalize,
    unaccented_tokens,
    word_analyzer_normalized,
    word_grams,
)

LABELS: tuple[str, str, str] = ("negative", "neutral", "positive")
ARTEFACTS = Path(__file__).parent / "artefacts"
ROMANCE = frozenset({"es", "pt", "ca", "it", "fr", "gl"})
_LETTER = re.compile(r"[^\W\d_]")
_PLACEHOLDER = re.compile(r"_(?:url|user|num)_")
# Litotes ("not bad", "nada mal") read as negative to a bag of n-grams trained on reviews; the
# model sees a neutral placeholder instead and the lexicon (which scores them) decides.
_LITOTES = re.compile(
    r"\b(?:not|isn't|wasn't|isnt|wasnt|n't)\s+(?:too\s+|that\s+|so\s+|half\s+)?bad\b|"
    r"\bnada\s+mal\b|\bno\s+(?:est[aá]|estuvo|es|fue|era|estaba)\s+(?:tan\s+|nada\s+)?mal[oa]?\b|"
    r"\bno\s+complaints\b|\bsin\s+quejas\b|\bninguna\s+queja\b"
)


def model_text(normalized: str) -> str:
    """The normalised text as the model reads it (litotes masked)."""
    return _LITOTES.sub(" _litotes_ ", normalized)


PROBE = Path(__file__).parent / "probes" / "sentiment_probe.tsv"


def probe(lang: str) -> tuple[list[str], list[str]]:
    """Our hand-written probe set (customer messages, not from any dataset) for one language."""
    texts: list[str] = []
    labels: list[str] = []
    for line in PROBE.read_text(encoding="utf-8").splitlines()[1:]:
        code, label, text = line.split("\t", 2)
        if code == lang:
            texts.append(text)
            labels.append(label)
    return texts, labels


def lexicon_proba(score: float, hits: int) -> np.ndarray:
    """The lexicon's own (neg, neu, pos) distribution, used when there is no model input."""
    if hits == 0:
        return np.array([0.0, 1.0, 0.0])
    return np.array([max(-score, 0.0), 1.0 - abs(score), max(score, 0.0)])


def blend(
    p_model: np.ndarray, texts: Sequence[str], weight: float, normalized: bool = False
) -> np.ndarray:
    """Shift the model's log-odds by the lexicon score ``s``: negative by ``-w·s``, positive by
    ``+w·s`` and neutral by ``-w·|s|/2`` (clear lexical polarity is evidence against neutral)."""
    if weight <= 0:
        return p_model
    return shift_by(p_model, np.array([score_text(t, normalized).score for t in texts]), weight)


def squash(raw: float) -> float:
    """The lexicon's raw sum squashed into [-1, 1] (as :func:`score_text` does)."""
    return raw / math.sqrt(raw * raw + 6.0)


def shift_by(p_model: np.ndarray, scores: np.ndarray, weight: float) -> np.ndarray:
    """:func:`blend` with lexicon scores already computed."""
    if weight <= 0:
        return p_model
    shift = scores * weight
    logits = np.log(np.clip(p_model, 1e-9, 1.0))
    logits[:, 0] -= shift
    logits[:, 1] -= np.abs(shift) / 2
    logits[:, 2] += shift
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def _ordered(clf: TextClassifier, p: np.ndarray) -> np.ndarray:
    return p[:, [clf.labels.index(lab) for lab in LABELS]]


@lru_cache(maxsize=4)
def load_shipped(lang: str) -> TextClassifier:
    path = ARTEFACTS / f"sentiment_{lang}"
    if not (path / "model.joblib").exists():
        raise ModelError(
            f"sentiment model for '{lang}' is missing at {path}; run scripts/build_models.py",
            field="sentiment",
        )
    return TextClassifier.load(path)


class SentimentModel:
    """English + Spanish models with the lexicon; ``None`` rows mean "unknown"."""

    def __init__(self, models: dict[str, TextClassifier] | None = None):
        self.models = models or {"en": load_shipped("en"), "es": load_shipped("es")}

    def route(self, lang: str | None) -> str:
        if lang in self.models:
            return lang  # type: ignore[return-value]
        return "es" if lang in ROMANCE and "es" in self.models else "en"

    def predict_proba(
        self, texts: Sequence[str], languages: Sequence[str | None]
    ) -> list[np.ndarray | None]:
        out: list[np.ndarray | None] = [None] * len(texts)
        groups: dict[str, list[int]] = {}
        for i, (t, lang) in enumerate(zip(texts, languages, strict=True)):
            if not t or not t.strip():
                continue
            if not _LETTER.search(_PLACEHOLDER.sub(" ", normalize(t))):
                ls = score_text(t)  # emoji- or emoticon-only
                if ls.hits:
                    out[i] = lexicon_proba(ls.score, ls.hits)
                continue
            groups.setdefault(self.route(lang), []).append(i)
        for lang, idx in groups.items():
            clf = self.models[lang]
            sub = [normalize(texts[i]) for i in idx]
            p = _ordered(clf, clf.predict_proba([model_text(t) for t in sub], normalized=True))
            p = temper(blend(p, sub, float(clf.meta.get("lexicon_weight", 1.0)), normalized=True), _temperature(clf))
            for k, i in enumerate(idx):
                out[i] = p[k]
        return out

    def predict_docs(
        self, segments: Sequence[Sequence[str]], languages: Sequence[str | None]
    ) -> list[tuple[np.ndarray | None, list[np.ndarray | None]]]:
        """For each doc given as its sentences: (doc probabilities, sentence probabilities).

        Each sentence is normalised and tokenised once: the lexicon and the word features share
        its tokens, the doc's features are the sums of its sentences' counts, and its lexicon
        score the squashed sum of theirs.
        """
        out: list[tuple[np.ndarray | None, list[np.ndarray | None]]] = [
            (None, [None] * len(segs)) for segs in segments
        ]
        groups: dict[str, list[int]] = {}
        norms: list[list[str]] = []
        for i, (segs, lang) in enumerate(zip(segments, languages, strict=True)):
            norm = [normalize(seg) for seg in segs]
            norms.append(norm)
            joined = " ".join(norm)
            if not joined.strip():
                continue
            if not _LETTER.search(_PLACEHOLDER.sub(" ", joined)):
                doc = score_text(joined, normalized=True)
                sents: list[np.ndarray | None] = []
                for seg in norm:
                    ls = score_text(seg, normalized=True)
                    sents.append(lexicon_proba(ls.score, ls.hits) if ls.hits else None)
                out[i] = (lexicon_proba(doc.score, doc.hits) if doc.hits else None, sents)
                continue
            groups.setdefault(self.route(lang), []).append(i)
        for lang, idx in groups.items():
            clf = self.models[lang]
            weight = float(clf.meta.get("lexicon_weight", 1.0))
            texts: list[str] = []
            grams: list[list[str]] = []
            raws: list[float] = []
            owner: list[int] = []
            for g, i in enumerate(idx):
                for seg in norms[i]:
                    lows = unaccented_tokens(seg)
                    raws.append(score_tokens(lows).raw)
                    masked = model_text(seg)
                    if masked is seg or masked == seg:
                        grams.append(word_grams(lows))
                    else:
                        grams.append(word_analyzer_normalized(masked))
                    texts.append(masked)
                    owner.append(g)
            ps, pd = clf.predict_proba_grouped(texts, owner, len(idx), word_grams=grams)
            single = pd is ps  # every doc is one sentence: the doc rows are the sentence rows
            ps = temper(shift_by(_ordered(clf, ps), _squash_all(np.asarray(raws)), weight), _temperature(clf))
            if not single:
                pd = _ordered(clf, pd)
                doc_raw = np.zeros(len(idx))
                np.add.at(doc_raw, np.asarray(owner), np.asarray(raws))
                ps_doc = temper(shift_by(pd, _squash_all(doc_raw), weight), _temperature(clf))
            else:
                ps_doc = ps
            k = 0
            for g, i in enumerate(idx):
                n = len(segments[i])
                out[i] = (ps_doc[g], [ps[k + j] for j in range(n)])
                k += n
        return out


def _temperature(clf: TextClassifier) -> float:
    """The model's calibration temperature (``meta.json``; 1 when it has none)."""
    return float(clf.meta.get("temperature", 1.0))


def _squash_all(raw: np.ndarray) -> np.ndarray:
    return raw / np.sqrt(raw * raw + 6.0)
