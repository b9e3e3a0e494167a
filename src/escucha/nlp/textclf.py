"""A reusable text classifier: TF-IDF word (1-2) + char_wb (3-5) n-grams -> a linear model.

Character 3-5-grams (``char_wb`` style: words padded with spaces, so two-letter words are
still seen) run twice as fast as 2-5-grams; ``Features.char_ngrams`` changes it. Counts are
built without sklearn's per-document overhead (character n-grams through a per-word cache of
feature indices), so prediction runs at >10k short texts/s on one core.

``model="auto"`` (see :meth:`TextClassifier._auto`): logistic regression (C=2) and NB-LR
(naive-Bayes log-count-ratio features, Wang & Manning 2012, C=1), alone or with their
probabilities averaged, whichever has the best out-of-fold macro-F1 on the training texts;
then per-class log-biases tuned on those out-of-fold probabilities for macro-F1. With more
than 20 classes, the better of logistic regression (C=16) and a linear SVM.

Texts are normalised once (:func:`escucha.nlp.textnorm.normalize`); word features use
negation-marked, unaccented tokens, character features read the normalised text (accents
kept). Multi-label tasks train one-vs-rest models with per-label thresholds tuned on 5-fold
out-of-fold predictions over the training set; when every training text has a label, every
prediction gets at least one (the label closest to its threshold).

``embeddings=True`` (extra ``escucha[embeddings]``, English MiniLM sentence embeddings) also trains
a logistic regression on the texts' embeddings and averages its probabilities with the TF-IDF
model's, with the weight chosen on the same out-of-fold predictions (0 when they do not help).

``sentences=True`` (long texts: reviews, e-mails) also reads each text's sentences with the same
model and stacks the text's probabilities with its sentences' (mean, max, min, share of each
label, first and last sentence) into a small logistic regression trained on out-of-fold
predictions; it is kept only when it gains on those (see :meth:`TextClassifier._fit_sentence_stack`).

>>> clf = TextClassifier().fit(texts, labels)
>>> clf.predict(["the flight was late"])
>>> clf.save("model_dir"); TextClassifier.load("model_dir")
"""

from __future__ import annotations

import json
import time
from array import array
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import scipy.sparse as sp
from sklearn.base import clone
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.model_selection import KFold, StratifiedKFold
from sklearn.multiclass import OneVsRestClassifier
from sklearn.svm import LinearSVC

from escucha.errors import ModelError
from escucha.nlp.textnorm import CharGrams, _word_char_grams, normalize, word_analyzer_normalized

FORMAT_VERSION = 1
MODEL_FILE = "model.joblib"
META_FILE = "meta.json"


class NBLogisticRegression:
    """NB-LR (Wang & Manning 2012): one-vs-rest logistic regressions on features scaled by
    each class's naive-Bayes log-count ratio. Strong on short, sentiment-like texts."""

    def __init__(self, C: float = 4.0, alpha: float = 1.0, class_weight: str | None = None):
        self.C = C
        self.alpha = alpha
        self.class_weight = class_weight

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        return {"C": self.C, "alpha": self.alpha, "class_weight": self.class_weight}

    def set_params(self, **params: Any) -> NBLogisticRegression:
        for k, v in params.items():
            setattr(self, k, v)
        return self

    def fit(self, x: sp.csr_matrix, y: np.ndarray) -> NBLogisticRegression:
        y = np.asarray(y)
        self.classes_ = np.unique(y)
        self._w: np.ndarray | None = None  # folded weights, rebuilt on first prediction
        xb = (x > 0).astype(np.float32)
        self.r_: list[np.ndarray] = []
        self.models_: list[LogisticRegression] = []
        for c in self.classes_:
            pos = y == c
            p = np.asarray(xb[pos].sum(axis=0)).ravel() + self.alpha
            q = np.asarray(xb[~pos].sum(axis=0)).ravel() + self.alpha
            r = np.log((p / p.sum()) / (q / q.sum())).astype(np.float32)
            m = LogisticRegression(C=self.C, solver="liblinear", class_weight=self.class_weight)
            m.fit(x.multiply(r).tocsr(), pos.astype(int))
            self.r_.append(r)
            self.models_.append(m)
        return self

    def _margins(self, x: sp.csr_matrix) -> np.ndarray:
        """One-vs-rest margins: ``(x * r) @ coef + b`` is ``x @ (r * coef) + b``, so the scaled
        weights are folded once and every class costs one sparse product."""
        w = getattr(self, "_w", None)
        if w is None:
            w = np.column_stack(
                [m.coef_.ravel() * r for m, r in zip(self.models_, self.r_, strict=True)]
            ).astype(np.float32)
            self._w = w
            self._b = np.array([m.intercept_[0] for m in self.models_], dtype=np.float32)
        return np.asarray(x @ w) + self._b

    def decision_function(self, x: sp.csr_matrix) -> np.ndarray:
        d = self._margins(x)
        return d[:, 1] if len(self.classes_) == 2 else d

    def predict_proba(self, x: sp.csr_matrix) -> np.ndarray:
        p = 1.0 / (1.0 + np.exp(-self._margins(x)))
        if len(self.classes_) == 2:
            p = np.column_stack([1 - p[:, 1], p[:, 1]])
        return p / p.sum(axis=1, keepdims=True)

    def predict(self, x: sp.csr_matrix) -> np.ndarray:
        return self.classes_[self.predict_proba(x).argmax(axis=1)]


def with_bias(p: np.ndarray, bias: np.ndarray | None) -> np.ndarray:
    """Class probabilities shifted by per-class log-biases and renormalised (``p`` when none)."""
    if bias is None:
        return p
    p = p * np.exp(bias)
    return p / p.sum(axis=1, keepdims=True)


class ProbaEnsemble:
    """The mean of its members' class probabilities, optionally shifted by per-class log-biases
    (tuned on out-of-fold probabilities for macro-F1)."""

    def __init__(self, members: list[Any], bias: np.ndarray | None = None):
        self.members = members
        self.bias = bias

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        return {"members": self.members, "bias": self.bias}

    def set_params(self, **params: Any) -> ProbaEnsemble:
        for k, v in params.items():
            setattr(self, k, v)
        return self

    def fit(self, x: sp.csr_matrix, y: np.ndarray) -> ProbaEnsemble:
        self.members = [clone(m).fit(x, y) for m in self.members]
        self.classes_ = self.members[0].classes_
        return self

    def predict_proba(self, x: sp.csr_matrix) -> np.ndarray:
        return with_bias(np.mean([_scores(m, x) for m in self.members], axis=0), self.bias)

    def predict(self, x: sp.csr_matrix) -> np.ndarray:
        return self.classes_[self.predict_proba(x).argmax(axis=1)]


@dataclass
class EmbeddingBlend:
    """A TF-IDF model and a model on sentence embeddings, their probabilities averaged
    (``(1 - weight) * text + weight * embedding``), then shifted by per-class log-biases."""

    text: Any
    vectors: Any
    weight: float
    bias: np.ndarray | None = None

    @property
    def classes_(self) -> np.ndarray:
        return np.asarray(self.text.classes_)

    def predict_proba(self, x: sp.csr_matrix, e: np.ndarray) -> np.ndarray:
        p = _scores(self.text, x)
        if self.weight > 0:
            p = (1 - self.weight) * p + self.weight * _scores(self.vectors, e)
        return with_bias(p, self.bias)


def embed_texts(texts: Sequence[str]) -> np.ndarray:
    """Sentence embeddings for the ``embeddings`` option (extra ``escucha[embeddings]``)."""
    from escucha.backends.embeddings import embed

    return embed(list(texts), batch_size=64)


BLEND_WEIGHTS = (0.0, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7)


def _embedding_model(class_weight: str | None) -> LogisticRegression:
    return LogisticRegression(C=4.0, max_iter=3000, class_weight=class_weight)


def _macro_f1(y: np.ndarray, p: np.ndarray) -> float:
    """Macro-F1 of argmax predictions (``y`` holds class indices), fast for grid searches."""
    k = p.shape[1]
    pred = p.argmax(axis=1)
    cm = np.bincount(y * k + pred, minlength=k * k).reshape(k, k)
    tp = np.diag(cm).astype(float)
    denom = cm.sum(axis=0) + cm.sum(axis=1)
    return float(np.mean(np.where(denom > 0, 2 * tp / np.maximum(denom, 1), 0.0)))


def _accuracy(y: np.ndarray, p: np.ndarray) -> float:
    return float(np.mean(p.argmax(axis=1) == y))


def tune_bias(p: np.ndarray, y: np.ndarray, rounds: int = 2) -> tuple[np.ndarray, float, float]:
    """Per-class log-biases that raise the macro-F1 of ``argmax(log p + b)`` (coordinate ascent
    on a grid); ``y`` are class indices. Returns (bias, macro-F1 before, after)."""
    logp = np.log(np.clip(p, 1e-9, 1.0))
    bias = np.zeros(p.shape[1])
    base = best = _macro_f1(y, logp)
    grid = np.round(np.arange(-1.5, 1.51, 0.1), 2)
    for _ in range(rounds):
        for j in range(p.shape[1]):
            for v in grid:
                b = bias.copy()
                b[j] = v
                f = _macro_f1(y, logp + b)
                if f > best + 1e-9:
                    best, bias = f, b
    return bias, base, best


AUTO_MEMBERS = ("lr_c2", "nblr_c1")
MULTILABEL_FOLDS = 5  # out-of-fold predictions that multi-label thresholds are tuned on
MANY_CLASSES = 20  # above this, "auto" picks among linear models without ensembling or biases


def _candidates(seed: int, class_weight: str | None) -> dict[str, Any]:
    lr2 = LogisticRegression(C=2.0, max_iter=1000, class_weight=class_weight)
    nb1 = NBLogisticRegression(C=1.0, class_weight=class_weight)
    return {
        "lr_c2": lr2,
        "nblr_c1": nb1,
        "lr_c2+nblr_c1": ProbaEnsemble([lr2, nb1]),
        "nblr_c4": NBLogisticRegression(C=4.0, class_weight=class_weight),
        "lr_c4": OneVsRestClassifier(
            LogisticRegression(C=4.0, solver="liblinear", class_weight=class_weight)
        ),
        "lr_c16": OneVsRestClassifier(
            LogisticRegression(C=16.0, solver="liblinear", class_weight=class_weight)
        ),
        "svm_c0.3": LinearSVC(C=0.3, class_weight=class_weight, random_state=seed),
    }


@dataclass
class Features:
    """Word + character TF-IDF features (fitted once, then only transformed)."""

    max_word: int = 60_000
    max_char: int = 120_000
    char_ngrams: tuple[int, int] = (3, 5)
    word: TfidfVectorizer | None = None
    char: TfidfVectorizer | None = None

    def fit_transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        texts = [normalize(t) for t in texts]
        self.word = TfidfVectorizer(
            analyzer=word_analyzer_normalized, sublinear_tf=True, min_df=2, max_features=self.max_word,
            dtype=np.float32,
        )
        self.char = TfidfVectorizer(
            analyzer=CharGrams(*self.char_ngrams), sublinear_tf=True,
            min_df=2, max_features=self.max_char, dtype=np.float32, lowercase=False,
        )
        if self.max_char <= 0:  # word features only (faster)
            self.char = None
            xw = self.word.fit_transform(texts)
            self.word.stop_words_ = None
            return xw.tocsr()
        x = sp.hstack([self.word.fit_transform(texts), self.char.fit_transform(texts)]).tocsr()
        # The pruned-term sets are only for inspection and can weigh tens of MB once pickled.
        self.word.stop_words_ = None
        self.char.stop_words_ = None
        return x

    def transform(self, texts: Sequence[str], normalized: bool = False) -> sp.csr_matrix:
        """Features of raw texts (or of texts already passed through ``normalize``)."""
        if self.word is None:
            raise ModelError("features are not fitted", field="model")
        if not normalized:
            texts = [normalize(t) for t in texts]
        xw = self.word._tfidf.transform(_counts(self.word, texts))
        if self.char is None:
            return xw.tocsr()
        xc = self.char._tfidf.transform(_counts(self.char, texts))
        return sp.hstack([xw, xc]).tocsr()


_WORD_CACHE_MAX = 200_000


def _csr(indices: array, indptr: array, n_cols: int) -> sp.csr_matrix:
    ind = np.frombuffer(indices, dtype=np.int32) if len(indices) else np.zeros(0, np.int32)
    ptr = np.frombuffer(indptr, dtype=np.int64)
    x = sp.csr_matrix(
        (np.ones(len(ind), dtype=np.float32), ind, ptr), shape=(len(ptr) - 1, n_cols)
    )
    x.sum_duplicates()
    return x


def gram_counts(vec: TfidfVectorizer, grams: Sequence[Sequence[str]]) -> sp.csr_matrix:
    """Raw counts of already extracted n-grams (one list per text) in ``vec``'s vocabulary."""
    vocab = vec.vocabulary_
    get = vocab.get
    indices = array("i")
    indptr = array("q", [0])
    for gs in grams:
        indices.extend([j for j in map(get, gs) if j is not None])
        indptr.append(len(indices))
    return _csr(indices, indptr, len(vocab))


def _counts(vec: TfidfVectorizer, texts: Sequence[str]) -> sp.csr_matrix:
    """Raw n-gram counts. Character n-grams go through a per-word cache of feature indices,
    which skips sklearn's per-n-gram dictionary lookups (3-4x faster, same matrix)."""
    analyzer = vec.analyzer
    if analyzer is word_analyzer_normalized:
        return gram_counts(vec, [analyzer(t) for t in texts])
    if not isinstance(analyzer, CharGrams):
        return CountVectorizer.transform(vec, texts)
    cache: dict[str, array] | None = getattr(vec, "_escucha_word_cache", None)
    if cache is None or len(cache) > _WORD_CACHE_MAX:
        cache = {}
        vec._escucha_word_cache = cache
    vocab = vec.vocabulary_
    indices = array("i")
    indptr = array("q", [0])
    for text in texts:
        for word in text.split():
            idx = cache.get(word)
            if idx is None:
                grams = _word_char_grams(word, analyzer.min_n, analyzer.max_n)
                idx = array("i", [j for j in (vocab.get(g) for g in grams) if j is not None])
                cache[word] = idx
            indices.extend(idx)
        indptr.append(len(indices))
    return _csr(indices, indptr, len(vocab))


def _softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def grouped_features(
    features: Features,
    texts: Sequence[str],
    groups: Sequence[int],
    n_groups: int,
    word_grams: Sequence[Sequence[str]] | None = None,
) -> tuple[sp.csr_matrix, sp.csr_matrix]:
    """TF-IDF rows for normalised ``texts`` and for their groups (the sums of their counts).

    Reading each sentence once gives both the sentence and the document features, at the cost
    of the n-grams that would straddle two sentences. ``word_grams``: the texts' word n-grams
    when the caller already has them (:func:`escucha.nlp.textnorm.word_grams`). When every
    group is one text the document rows are the sentence rows.
    """
    if features.word is None:
        raise ModelError("features are not fitted", field="model")
    single = n_groups == len(texts)
    g = None
    if not single:
        g = sp.csr_matrix(
            (np.ones(len(texts), dtype=np.float32), (np.asarray(groups), np.arange(len(texts)))),
            shape=(n_groups, len(texts)),
        )
    rows, docs = [], []
    for vec in (features.word, features.char):
        if vec is None:
            continue
        if vec is features.word and word_grams is not None:
            c = gram_counts(vec, word_grams)
        else:
            c = _counts(vec, texts)
        rows.append(vec._tfidf.transform(c))
        if g is not None:
            docs.append(vec._tfidf.transform((g @ c).tocsr()))
    x = sp.hstack(rows).tocsr()
    return x, (x if g is None else sp.hstack(docs).tocsr())


def _scores(model: Any, x: sp.csr_matrix) -> np.ndarray:
    """Class probabilities (LR) or a softmax of the margins (SVM), shape (n, n_classes)."""
    if hasattr(model, "predict_proba"):
        return np.asarray(model.predict_proba(x))
    d = np.asarray(model.decision_function(x))
    if d.ndim == 1:
        d = np.column_stack([-d, d])
    return _softmax(d * 3.0)


def _tune_thresholds(y: np.ndarray, p: np.ndarray) -> tuple[np.ndarray, float]:
    """Per-label thresholds that maximise each label's F1 on (y, p); returns them and the
    micro-F1 they give."""
    grid = np.linspace(0.1, 0.9, 33)
    thresholds = np.full(p.shape[1], 0.5)
    for j in range(p.shape[1]):
        if y[:, j].min() == y[:, j].max():
            continue
        f1s = [f1_score(y[:, j], p[:, j] >= g, zero_division=0) for g in grid]
        thresholds[j] = grid[int(np.argmax(f1s))]
    micro = f1_score(y, (p >= thresholds).astype(int), average="micro", zero_division=0)
    return thresholds, float(micro)


def labels_over_thresholds(
    p: np.ndarray, labels: Sequence[str], thresholds: np.ndarray, at_least_one: bool
) -> list[list[str]]:
    """Multi-label predictions: every label at or over its threshold; with ``at_least_one``, a
    row with none gets the label closest to its threshold."""
    on = p >= thresholds
    if at_least_one and len(p):
        empty = ~on.any(axis=1)
        on[empty, (p[empty] / np.maximum(thresholds, 1e-9)).argmax(axis=1)] = True
    return [[lab for lab, o in zip(labels, row, strict=True) if o] for row in on]


SENTENCES_PER_TEXT = 50  # the sentences of a text that the sentence stack reads


def split_texts(texts: Sequence[str]) -> tuple[list[str], np.ndarray]:
    """Every text's sentences (at most :data:`SENTENCES_PER_TEXT`; the text itself when it has
    none) and, for each sentence, the index of its text."""
    from escucha.pipeline.sentences import split_sentences

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


@dataclass
class TextClassifier:
    """Single-label or multi-label text classifier with save/load.

    ``model``: ``"auto"`` (see :meth:`_auto`), or one of ``lr_c2``, ``nblr_c1``, ``lr_c2+nblr_c1``,
    ``nblr_c4``, ``lr_c4``, ``lr_c16``, ``svm_c0.3``.
    ``class_weight``: ``None`` or ``"balanced"`` (helps macro-F1 on skewed labels).
    ``metric``: what ``auto`` optimises, ``"macro_f1"`` (with per-class biases) or ``"accuracy"``.
    ``embeddings``: blend in a model on sentence embeddings (needs ``escucha[embeddings]``; English).
    ``sentences``: stack the texts' sentence-level predictions (single-label, without embeddings).
    """

    model: str = "auto"
    class_weight: str | None = None
    multilabel: bool = False
    metric: str = "macro_f1"
    seed: int = 0
    cv_folds: int = 3
    cv_max: int = 6000
    embeddings: bool = False
    sentences: bool = False
    features: Features = field(default_factory=Features)
    labels: list[str] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)
    _est: Any = None
    _thresholds: np.ndarray | None = None
    _vectors: Any = None  # multi-label with embeddings: one model per label on the embeddings
    _blend_weight: float = 0.0
    _at_least_one: bool = False
    _stack: SentenceStack | None = None

    # -- training ---------------------------------------------------------------------------
    def fit(
        self,
        texts: Sequence[str],
        labels: Sequence[str] | Sequence[Sequence[str]],
        vectors: np.ndarray | None = None,
    ) -> TextClassifier:
        """Train on ``texts``; ``labels`` are strings, or lists of strings when multi-label.
        ``vectors``: the texts' sentence embeddings when ``embeddings`` is on and the caller
        already has them (they are computed otherwise)."""
        if len(texts) != len(labels):
            raise ModelError(f"{len(texts)} texts but {len(labels)} labels", field="labels")
        t0 = time.perf_counter()
        texts = [t if isinstance(t, str) else "" for t in texts]
        e = None
        if self.embeddings:
            e = embed_texts(texts) if vectors is None else np.asarray(vectors, dtype=np.float32)
            if len(e) != len(texts):
                raise ModelError(f"{len(texts)} texts but {len(e)} vectors", field="vectors")
        x = self.features.fit_transform(texts)
        if self.multilabel:
            self._fit_multilabel(x, [list(ls) for ls in labels], e)  # type: ignore[arg-type]
        else:
            y = np.asarray([str(v) for v in labels])
            self.labels = sorted(set(y.tolist()))
            if len(self.labels) < 2:
                raise ModelError("need at least two distinct labels to train", field="labels")
            if self.model == "auto" or e is not None:
                self._est = self._auto(x, y, e)
            else:
                self._est = clone(_candidates(self.seed, self.class_weight)[self.model]).fit(x, y)
                self.meta["model"] = self.model
            if self.sentences and e is None:
                self._fit_sentence_stack(texts, x, y)
        self.meta.update(
            {
                "format_version": FORMAT_VERSION,
                "labels": self.labels,
                "multilabel": self.multilabel,
                "n_train": len(texts),
                "class_weight": self.class_weight,
                "seed": self.seed,
                "embeddings": "all-MiniLM-L6-v2" if self.embeddings else None,
                "sentences": self.sentences,
                "train_seconds": round(time.perf_counter() - t0, 1),
            }
        )
        return self

    def _auto(self, x: sp.csr_matrix, y: np.ndarray, e: np.ndarray | None = None) -> Any:
        """The ``auto`` recipe, chosen on out-of-fold predictions over (a sample of) train only.

        Few classes: word+char TF-IDF into logistic regression (C=2) and NB-LR (C=1), alone or
        averaged (the best out-of-fold macro-F1 wins); then per-class log-biases tuned on the
        out-of-fold probabilities for macro-F1, kept when they gain ≥ 0.003. Many classes: the
        best of logistic regression (C=16) and a linear SVM in the same cross-validation.
        An explicit ``model`` skips the choice. With embeddings ``e``, a logistic regression on
        them is blended in with the out-of-fold best weight before the biases are tuned.
        """
        rng = np.random.default_rng(self.seed)
        idx = np.arange(len(y))
        if len(idx) > self.cv_max:
            idx = np.sort(rng.choice(idx, self.cv_max, replace=False))
        xs, ys = x[idx], y[idx]
        classes, yi = np.unique(ys, return_inverse=True)
        folds = max(2, min(self.cv_folds, int(np.bincount(yi).min())))
        skf = StratifiedKFold(folds, shuffle=True, random_state=self.seed)
        cands = _candidates(self.seed, self.class_weight)
        many = len(classes) > MANY_CLASSES
        if self.model != "auto":
            names = [self.model]
        else:
            names = ["lr_c16", "svm_c0.3"] if many else list(AUTO_MEMBERS)
        oof = {n: np.zeros((len(ys), len(classes))) for n in names}
        oof_e = np.zeros((len(ys), len(classes)))
        es = None if e is None else e[idx]
        for tr, va in skf.split(xs, ys):
            if len(np.unique(ys[tr])) < len(classes):
                continue
            for n in names:
                oof[n][va] = _scores(clone(cands[n]).fit(xs[tr], ys[tr]), xs[va])
            if es is not None:
                oof_e[va] = _embedding_model(self.class_weight).fit(es[tr], ys[tr]).predict_proba(es[va])
        if not many and len(names) > 1:
            oof["+".join(names)] = np.mean([oof[n] for n in names], axis=0)
        score = _macro_f1 if self.metric == "macro_f1" else _accuracy
        results = {n: score(yi, p) for n, p in oof.items()}
        name = max(results, key=lambda k: results[k])
        self.meta["cv_macro_f1" if score is _macro_f1 else "cv_accuracy"] = {
            k: round(v, 4) for k, v in results.items()
        }
        self.meta["model"] = name
        est = cands[name]
        p_oof = oof[name]
        weight = 0.0
        if e is not None:
            blends = {w: score(yi, (1 - w) * p_oof + w * oof_e) for w in BLEND_WEIGHTS}
            weight = max(blends, key=lambda w: (round(blends[w], 4), -w))
            self.meta["cv_embedding_blend"] = {str(w): round(v, 4) for w, v in blends.items()}
            self.meta["embedding_weight"] = weight
            p_oof = (1 - weight) * p_oof + weight * oof_e
        bias = None
        if not many and self.metric == "macro_f1":
            b, before, after = tune_bias(p_oof, yi)
            bias = b if after - before >= 0.003 else None
            self.meta["bias"] = (
                {str(c): round(float(v), 2) for c, v in zip(classes, b, strict=True)} if bias is not None else None
            )
            self.meta["cv_macro_f1_biased"] = round(after, 4)
        if e is not None:
            return EmbeddingBlend(
                clone(est).fit(x, y), _embedding_model(self.class_weight).fit(e, y), weight, bias
            )
        if bias is None and (many or self.metric != "macro_f1"):
            return clone(est).fit(x, y)
        members = est.members if isinstance(est, ProbaEnsemble) else [est]
        return ProbaEnsemble([clone(m) for m in members], bias).fit(x, y)

    def _fit_sentence_stack(self, texts: Sequence[str], x: sp.csr_matrix, y: np.ndarray) -> None:
        """Train :class:`SentenceStack` on out-of-fold predictions (``cv_folds`` folds over all of
        train): the model refitted on the other folds reads each held-out text and its sentences.
        With or without the first/last-sentence columns, whichever scores better out of fold
        (they help on thousands of reviews, not always on hundreds). Kept when its out-of-fold
        score (itself cross-validated, biases tuned for macro-F1) beats the text-level model's by
        ≥ 0.003."""
        flat, owner = split_texts(texts)
        xs = self.features.transform(flat)
        classes = np.asarray(self._est.classes_)
        yi = np.searchsorted(classes, y)
        folds = max(2, min(self.cv_folds, int(np.bincount(yi).min())))
        skf = StratifiedKFold(folds, shuffle=True, random_state=self.seed)
        feats: np.ndarray | None = None
        for tr, va in skf.split(x, y):
            m = clone(self._est).fit(x[tr], y[tr])
            rows = np.flatnonzero(np.isin(owner, va))
            f = sentence_stack_features(_scores(m, x[va]), _scores(m, xs[rows]), np.searchsorted(va, owner[rows]))
            if feats is None:
                feats = np.zeros((len(y), f.shape[1]))
            feats[va] = f
        assert feats is not None
        k = len(classes)
        score = _macro_f1 if self.metric == "macro_f1" else _accuracy
        before = score(yi, feats[:, :k])
        stack = LogisticRegression(C=1.0, max_iter=3000, class_weight=self.class_weight)
        variants = {False: feats[:, : feats.shape[1] - 2 * k], True: feats}  # ends: the last 2k columns
        tried: dict[bool, tuple[float, np.ndarray | None]] = {}
        for ends, f in variants.items():
            p_oof = np.zeros((len(y), k))
            for tr, va in StratifiedKFold(folds, shuffle=True, random_state=self.seed + 1).split(f, yi):
                p_oof[va] = clone(stack).fit(f[tr], yi[tr]).predict_proba(f[va])
            bias = None
            after = score(yi, p_oof)
            if self.metric == "macro_f1":
                b, _, tuned = tune_bias(p_oof, yi)
                if tuned - after >= 0.003:
                    bias, after = b, tuned
            tried[ends] = (after, bias)
        ends = tried[True][0] > tried[False][0]
        after, bias = tried[ends]
        keep = after - before >= 0.003
        self.meta["sentence_stack"] = {
            "cv_text_only": round(before, 4),
            "cv_stacked": round(after, 4),
            "cv_stacked_ends": {str(e).lower(): round(v[0], 4) for e, v in tried.items()},
            "ends": ends,
            "kept": keep,
        }
        self._stack = SentenceStack(stack.fit(variants[ends], yi), bias, ends=ends) if keep else None

    def _fit_multilabel(
        self, x: sp.csr_matrix, labels: list[list[str]], e: np.ndarray | None = None
    ) -> None:
        self.labels = sorted({lab for ls in labels for lab in ls})
        if not self.labels:
            raise ModelError("no labels to train on", field="labels")
        y = np.zeros((len(labels), len(self.labels)), dtype=np.int8)
        pos = {lab: j for j, lab in enumerate(self.labels)}
        for i, ls in enumerate(labels):
            for lab in ls:
                y[i, pos[lab]] = 1
        name = self.model if self.model != "auto" else "lr_c16"
        base = _candidates(self.seed, self.class_weight)[name]
        # Thresholds (and the embedding weight) are tuned on out-of-fold predictions over (a
        # sample of) train, then every label is refitted on all.
        rng = np.random.default_rng(self.seed)
        idx = np.arange(len(labels))
        if len(idx) > self.cv_max:
            idx = np.sort(rng.choice(idx, self.cv_max, replace=False))
        yo = y[idx]
        pt = np.zeros((len(idx), len(self.labels)))
        pe = np.zeros_like(pt)
        for tr, va in KFold(MULTILABEL_FOLDS, shuffle=True, random_state=self.seed).split(idx):
            a, b = idx[tr], idx[va]
            for j in range(len(self.labels)):
                if y[a, j].min() == y[a, j].max():
                    pt[va, j] = pe[va, j] = float(y[a, j][0])
                    continue
                pt[va, j] = _scores(clone(base).fit(x[a], y[a, j]), x[b])[:, 1]
                if e is not None:
                    pe[va, j] = _embedding_model(None).fit(e[a], y[a, j]).predict_proba(e[b])[:, 1]
        weights = BLEND_WEIGHTS if e is not None else (0.0,)
        tuned = {w: _tune_thresholds(yo, (1 - w) * pt + w * pe) for w in weights}
        weight = max(tuned, key=lambda w: (round(tuned[w][1], 4), -w))
        thresholds = tuned[weight][0]
        if e is not None:
            self.meta["cv_embedding_blend"] = {str(w): round(t[1], 4) for w, t in tuned.items()}
            self.meta["embedding_weight"] = weight
        self._est = []
        vectors: list[Any] = []
        for j in range(len(self.labels)):
            col = y[:, j]
            if col.min() == col.max():
                self._est.append(int(col[0]))
                vectors.append(None)  # a constant label needs no model
                continue
            self._est.append(clone(base).fit(x, col))
            vectors.append(_embedding_model(None).fit(e, col) if e is not None and weight > 0 else None)
        self._vectors = vectors if e is not None and weight > 0 else None
        self._blend_weight = weight
        self._thresholds = thresholds
        self._at_least_one = bool(y.sum(axis=1).min() > 0)
        self.meta["model"] = name
        self.meta["at_least_one_label"] = self._at_least_one
        self.meta["thresholds"] = {k: round(float(t), 3) for k, t in zip(self.labels, thresholds, strict=True)}

    # -- inference --------------------------------------------------------------------------
    @property
    def uses_embeddings(self) -> bool:
        """Whether prediction needs sentence embeddings (the model blends them in)."""
        return isinstance(self._est, EmbeddingBlend) or self._vectors is not None

    def predict_proba(
        self, texts: Sequence[str], normalized: bool = False, vectors: np.ndarray | None = None
    ) -> np.ndarray:
        """Shape (n, len(labels)): class probabilities (single-label) or per-label ones.
        ``vectors``: the texts' embeddings, when the model uses them and the caller has them."""
        if self._est is None:
            raise ModelError("the classifier is not trained", field="model")
        texts = [t if isinstance(t, str) else "" for t in texts]
        x = self.features.transform(texts, normalized)
        e = None
        if self.uses_embeddings:
            e = embed_texts(texts) if vectors is None else np.asarray(vectors, dtype=np.float32)
        if not self.multilabel:
            if isinstance(self._est, EmbeddingBlend):
                assert e is not None
                p = self._est.predict_proba(x, e)
            else:
                p = _scores(self._est, x)
            if self._stack is not None and len(texts):
                flat, owner = split_texts(texts)
                p_sent = _scores(self._est, self.features.transform(flat, normalized))
                p = self._stack.predict_proba(p, p_sent, owner)
            order = [list(self._est.classes_).index(lab) for lab in self.labels]
            return p[:, order]
        cols = []
        for j, est in enumerate(self._est):
            if isinstance(est, int):
                cols.append(np.full(x.shape[0], float(est)))
                continue
            p = _scores(est, x)[:, 1]
            if self._vectors is not None and e is not None:
                p = (1 - self._blend_weight) * p + self._blend_weight * _scores(self._vectors[j], e)[:, 1]
            cols.append(p)
        return np.column_stack(cols)

    def predict_proba_grouped(
        self,
        texts: Sequence[str],
        groups: Sequence[int],
        n_groups: int,
        word_grams: Sequence[Sequence[str]] | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Probabilities of normalised sentence ``texts`` and of the documents they form."""
        if self._est is None or self.multilabel or self.uses_embeddings or self._stack is not None:
            raise ModelError(
                "grouped prediction needs a trained single-label model without embeddings or sentence stack",
                field="model",
            )
        xs, xd = grouped_features(self.features, texts, groups, n_groups, word_grams)
        order = [list(self._est.classes_).index(lab) for lab in self.labels]
        ps = _scores(self._est, xs)[:, order]
        return ps, (ps if xd is xs else _scores(self._est, xd)[:, order])

    def predict(
        self, texts: Sequence[str], vectors: np.ndarray | None = None
    ) -> list[str] | list[list[str]]:
        """The label of each text, or its list of labels when multi-label."""
        return self.labels_from_proba(self.predict_proba(texts, vectors=vectors))

    def labels_from_proba(self, p: np.ndarray) -> list[str] | list[list[str]]:
        """Predictions from :meth:`predict_proba`'s output (argmax, or per-label thresholds;
        with ``at least one label`` the label closest to its threshold when none passes)."""
        if not self.multilabel:
            return [self.labels[i] for i in p.argmax(axis=1)]
        assert self._thresholds is not None
        return labels_over_thresholds(p, self.labels, self._thresholds, self._at_least_one)

    # -- persistence ------------------------------------------------------------------------
    def save(self, path: str | Path, **meta: Any) -> Path:
        """Write ``model.joblib`` (compressed) and ``meta.json`` into the directory ``path``."""
        out = Path(path)
        out.mkdir(parents=True, exist_ok=True)
        self.meta.update(meta)
        for vec in (self.features.word, self.features.char):
            if vec is not None and hasattr(vec, "_escucha_word_cache"):
                del vec._escucha_word_cache  # a run-time cache, not part of the model
        state = {
            "features": self.features,
            "labels": self.labels,
            "multilabel": self.multilabel,
            "est": self._est,
            "thresholds": self._thresholds,
            "vectors": self._vectors,
            "blend_weight": self._blend_weight,
            "at_least_one": self._at_least_one,
            "stack": self._stack,
            "meta": self.meta,
        }
        joblib.dump(state, out / MODEL_FILE, compress=("xz", 3))
        (out / META_FILE).write_text(json.dumps(self.meta, indent=2, ensure_ascii=False), "utf-8")
        return out

    @classmethod
    def load(cls, path: str | Path) -> TextClassifier:
        p = Path(path)
        f = p / MODEL_FILE if p.is_dir() else p
        if not f.exists():
            raise ModelError(f"no model at {f}", field="model")
        try:
            state = joblib.load(f)
        except Exception as exc:  # corrupt or incompatible pickle
            raise ModelError(f"cannot load model {f}: {exc}", field="model") from exc
        clf = cls(multilabel=state["multilabel"], features=state["features"])
        clf.labels = list(state["labels"])
        clf._est = state["est"]
        clf._thresholds = state["thresholds"]
        clf._vectors = state.get("vectors")
        clf._blend_weight = float(state.get("blend_weight", 0.0))
        clf._at_least_one = bool(state.get("at_least_one", False))
        clf._stack = state.get("stack")
        clf.sentences = clf._stack is not None
        clf.meta = dict(state["meta"])
        clf.embeddings = clf.uses_embeddings
        return clf

