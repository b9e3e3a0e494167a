"""The sentence stack of :class:`~escucha.nlp.textclf.TextClassifier` (``sentences=True``): each
text's probabilities stacked with its sentences' into a small logistic regression."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold

from escucha.nlp.linear_models import class_scores, with_bias
from escucha.nlp.sentences import split_sentences
from escucha.nlp.textfeatures import Features
from escucha.nlp.tuning import accuracy, macro_f1, tune_bias

__all__ = [
    "SENTENCES_PER_TEXT", "SentenceStack", "fit_sentence_stack", "sentence_stack_features",
    "split_texts",
]  # fmt: skip


SENTENCES_PER_TEXT = 50  # the sentences of a text that the sentence stack reads


def split_texts(texts: Sequence[str]) -> tuple[list[str], np.ndarray]:
    """Every text's sentences (at most :data:`SENTENCES_PER_TEXT`; the text itself when it has
    none) and, for each sentence, the index of its text."""
    flat: list[str] = []
    owner: list[int] = []
    for i, t in enumerate(texts):
        parts = [s.text for s in split_sentences(t)][:SENTENCES_PER_TEXT] or [t]
        flat.extend(parts)
        owner.extend([i] * len(parts))
    return flat, np.asarray(owner, dtype=np.int64)


def sentence_stack_features(
    p_text: np.ndarray, p_sent: np.ndarray, owner: np.ndarray, ends: bool = True
) -> np.ndarray:
    """Per text: its probabilities, then its sentences' mean, max and min probabilities, the
    share of its sentences that each label wins, log(1 + number of sentences) and, with
    ``ends``, the probabilities of its first sentence (a title, a subject line) and of its last
    (the verdict)."""
    n, k = p_text.shape
    counts = np.maximum(np.bincount(owner, minlength=n), 1).astype(float)
    mean = np.zeros((n, k))
    np.add.at(mean, owner, p_sent)
    hi = np.zeros((n, k))
    np.maximum.at(hi, owner, p_sent)
    lo = np.ones((n, k))
    np.minimum.at(lo, owner, p_sent)
    share = np.zeros((n, k))
    np.add.at(share, (owner, p_sent.argmax(axis=1)), 1.0)
    cols = [p_text, mean / counts[:, None], hi, lo, share / counts[:, None], np.log1p(counts)[:, None]]
    if ends:  # a text without sentence rows keeps its own probabilities
        first, last = p_text.copy(), p_text.copy()
        texts, at = np.unique(owner, return_index=True)
        first[texts] = p_sent[at]
        texts, at = np.unique(owner[::-1], return_index=True)
        last[texts] = p_sent[len(owner) - 1 - at]
        cols += [first, last]
    return np.hstack(cols)


@dataclass
class SentenceStack:
    """The logistic regression over :func:`sentence_stack_features`, with per-class log-biases.
    ``ends``: whether it reads the first and last sentences (False in models saved before them)."""

    model: LogisticRegression
    bias: np.ndarray | None = None
    ends: bool = False

    def predict_proba(self, p_text: np.ndarray, p_sent: np.ndarray, owner: np.ndarray) -> np.ndarray:
        f = sentence_stack_features(p_text, p_sent, owner, self.ends)
        return with_bias(self.model.predict_proba(f), self.bias)


def fit_sentence_stack(
    est: Any,
    features: Features,
    texts: Sequence[str],
    x: sp.csr_matrix,
    y: np.ndarray,
    *,
    cv_folds: int,
    seed: int,
    metric: str,
    class_weight: str | None,
) -> tuple[SentenceStack | None, dict[str, Any]]:
    """Train :class:`SentenceStack` over the text-level model ``est`` (``x``: the ``features`` of
    ``texts``; ``y``: their labels) on out-of-fold predictions (``cv_folds`` folds over all of
    train): the model refitted on the other folds reads each held-out text and its sentences.
    With or without the first/last-sentence columns, whichever scores better out of fold
    (they help on thousands of reviews, not always on hundreds). Kept when its out-of-fold
    score (itself cross-validated, biases tuned for macro-F1) beats the text-level model's by
    ≥ 0.003. Returns the stack (None when not kept) and what was measured."""
    flat, owner = split_texts(texts)
    xs = features.transform(flat)
    classes = np.asarray(est.classes_)
    yi = np.searchsorted(classes, y)
    folds = max(2, min(cv_folds, int(np.bincount(yi).min())))
    skf = StratifiedKFold(folds, shuffle=True, random_state=seed)
    feats: np.ndarray | None = None
    for tr, va in skf.split(x, y):
        m = clone(est).fit(x[tr], y[tr])
        rows = np.flatnonzero(np.isin(owner, va))
        f = sentence_stack_features(
            class_scores(m, x[va]), class_scores(m, xs[rows]), np.searchsorted(va, owner[rows])
        )
        if feats is None:
            feats = np.zeros((len(y), f.shape[1]))
        feats[va] = f
    assert feats is not None
    k = len(classes)
    score = macro_f1 if metric == "macro_f1" else accuracy
    before = score(yi, feats[:, :k])
    stack = LogisticRegression(C=1.0, max_iter=3000, class_weight=class_weight)
    variants = {False: feats[:, : feats.shape[1] - 2 * k], True: feats}  # ends: the last 2k columns
    tried: dict[bool, tuple[float, np.ndarray | None]] = {}
    for ends, f in variants.items():
        p_oof = np.zeros((len(y), k))
        for tr, va in StratifiedKFold(folds, shuffle=True, random_state=seed + 1).split(f, yi):
            p_oof[va] = clone(stack).fit(f[tr], yi[tr]).predict_proba(f[va])
        bias = None
        after = score(yi, p_oof)
        if metric == "macro_f1":
            b, _, tuned = tune_bias(p_oof, yi)
            if tuned - after >= 0.003:
                bias, after = b, tuned
        tried[ends] = (after, bias)
    ends = tried[True][0] > tried[False][0]
    after, bias = tried[ends]
    keep = after - before >= 0.003
    meta = {
        "cv_text_only": round(before, 4),
        "cv_stacked": round(after, 4),
        "cv_stacked_ends": {str(e).lower(): round(v[0], 4) for e, v in tried.items()},
        "ends": ends,
        "kept": keep,
    }
    return (SentenceStack(stack.fit(variants[ends], yi), bias, ends=ends) if keep else None), meta
