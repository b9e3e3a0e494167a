"""The linear models behind :class:`~escucha.nlp.textclf.TextClassifier`: NB-LR, probability
ensembles, the blend with a model on sentence embeddings, and the candidates ``auto`` picks from."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.multiclass import OneVsRestClassifier
from sklearn.svm import LinearSVC

__all__ = [
    "AUTO_MEMBERS", "BLEND_WEIGHTS", "MANY_CLASSES", "EmbeddingBlend", "NBLogisticRegression",
    "ProbaEnsemble", "candidates", "class_scores", "embedding_model", "softmax", "with_bias",
]  # fmt: skip


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
        return with_bias(np.mean([class_scores(m, x) for m in self.members], axis=0), self.bias)

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
        p = class_scores(self.text, x)
        if self.weight > 0:
            p = (1 - self.weight) * p + self.weight * class_scores(self.vectors, e)
        return with_bias(p, self.bias)


BLEND_WEIGHTS = (0.0, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7)


def embedding_model(class_weight: str | None) -> LogisticRegression:
    return LogisticRegression(C=4.0, max_iter=3000, class_weight=class_weight)


AUTO_MEMBERS = ("lr_c2", "nblr_c1")
MANY_CLASSES = 20  # above this, "auto" picks among linear models without ensembling or biases


def candidates(seed: int, class_weight: str | None) -> dict[str, Any]:
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


def softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def class_scores(model: Any, x: sp.csr_matrix) -> np.ndarray:
    """Class probabilities (LR) or a softmax of the margins (SVM), shape (n, n_classes)."""
    if hasattr(model, "predict_proba"):
        return np.asarray(model.predict_proba(x))
    d = np.asarray(model.decision_function(x))
    if d.ndim == 1:
        d = np.column_stack([-d, d])
    return softmax(d * 3.0)
