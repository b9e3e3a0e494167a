"""A reusable text classifier: TF-IDF word (1-2) + char_wb (3-5) n-grams -> a linear model.

Character 3-5-grams (``char_wb`` style: words padded with spaces, so two-letter words are
still seen) run twice as fast as 2-5-grams; ``Features.char_ngrams`` changes it. Counts are
built without sklearn's per-document overhead (character n-grams through a per-word cache of
feature indices), so prediction runs at >10k short texts/s on one core.

The parts live beside this module: features in :mod:`escucha.nlp.textfeatures`, the linear
models in :mod:`escucha.nlp.linear_models`, out-of-fold tuning in :mod:`escucha.nlp.tuning`, the
sentence stack in :mod:`escucha.nlp.sentence_stack`; this module trains, runs and saves them.

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
predictions; it is kept only when it gains on those (see
:func:`escucha.nlp.sentence_stack.fit_sentence_stack`).

>>> clf = TextClassifier().fit(texts, labels)
>>> clf.predict(["the flight was late"])
>>> clf.save("model_dir"); TextClassifier.load("model_dir")
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import scipy.sparse as sp
from sklearn.base import clone
from sklearn.model_selection import KFold, StratifiedKFold

from escucha.errors import ModelError
from escucha.nlp.embeddings import embed_texts
from escucha.nlp.linear_models import (
    AUTO_MEMBERS,
    BLEND_WEIGHTS,
    MANY_CLASSES,
    EmbeddingBlend,
    NBLogisticRegression,
    ProbaEnsemble,
    candidates,
    class_scores,
    embedding_model,
    with_bias,
)
from escucha.nlp.sentence_stack import (
    SentenceStack,
    fit_sentence_stack,
    sentence_stack_features,
    split_texts,
)
from escucha.nlp.textfeatures import Features, gram_counts, grouped_features
from escucha.nlp.tuning import (
    accuracy,
    labels_over_thresholds,
    macro_f1,
    tune_bias,
    tune_thresholds,
)

# What other modules import from here, and the classes pickled in saved models (``model.joblib``
# names them in this module: they must stay importable from it).
__all__ = [
    "EmbeddingBlend", "Features", "NBLogisticRegression", "ProbaEnsemble", "SentenceStack",
    "TextClassifier", "embed_texts", "gram_counts", "grouped_features", "labels_over_thresholds",
    "sentence_stack_features", "split_texts", "tune_bias", "with_bias",
]  # fmt: skip

FORMAT_VERSION = 1
MODEL_FILE = "model.joblib"
META_FILE = "meta.json"
MULTILABEL_FOLDS = 5  # out-of-fold predictions that multi-label thresholds are tuned on


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
                self._est = clone(candidates(self.seed, self.class_weight)[self.model]).fit(x, y)
                self.meta["model"] = self.model
            if self.sentences and e is None:
                self._stack, self.meta["sentence_stack"] = fit_sentence_stack(
                    self._est, self.features, texts, x, y, cv_folds=self.cv_folds, seed=self.seed,
                    metric=self.metric, class_weight=self.class_weight,
                )
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
        cands = candidates(self.seed, self.class_weight)
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
                oof[n][va] = class_scores(clone(cands[n]).fit(xs[tr], ys[tr]), xs[va])
            if es is not None:
                oof_e[va] = embedding_model(self.class_weight).fit(es[tr], ys[tr]).predict_proba(es[va])
        if not many and len(names) > 1:
            oof["+".join(names)] = np.mean([oof[n] for n in names], axis=0)
        score = macro_f1 if self.metric == "macro_f1" else accuracy
        results = {n: score(yi, p) for n, p in oof.items()}
        name = max(results, key=lambda k: results[k])
        self.meta["cv_macro_f1" if score is macro_f1 else "cv_accuracy"] = {
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
                clone(est).fit(x, y), embedding_model(self.class_weight).fit(e, y), weight, bias
            )
        if bias is None and (many or self.metric != "macro_f1"):
            return clone(est).fit(x, y)
        members = est.members if isinstance(est, ProbaEnsemble) else [est]
        return ProbaEnsemble([clone(m) for m in members], bias).fit(x, y)

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
        base = candidates(self.seed, self.class_weight)[name]
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
                pt[va, j] = class_scores(clone(base).fit(x[a], y[a, j]), x[b])[:, 1]
                if e is not None:
                    pe[va, j] = embedding_model(None).fit(e[a], y[a, j]).predict_proba(e[b])[:, 1]
        weights = BLEND_WEIGHTS if e is not None else (0.0,)
        tuned = {w: tune_thresholds(yo, (1 - w) * pt + w * pe) for w in weights}
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
            vectors.append(embedding_model(None).fit(e, col) if e is not None and weight > 0 else None)
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
                p = class_scores(self._est, x)
            if self._stack is not None and len(texts):
                flat, owner = split_texts(texts)
                p_sent = class_scores(self._est, self.features.transform(flat, normalized))
                p = self._stack.predict_proba(p, p_sent, owner)
            order = [list(self._est.classes_).index(lab) for lab in self.labels]
            return p[:, order]
        cols = []
        for j, est in enumerate(self._est):
            if isinstance(est, int):
                cols.append(np.full(x.shape[0], float(est)))
                continue
            p = class_scores(est, x)[:, 1]
            if self._vectors is not None and e is not None:
                p = (1 - self._blend_weight) * p + self._blend_weight * class_scores(self._vectors[j], e)[:, 1]
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
        ps = class_scores(self._est, xs)[:, order]
        return ps, (ps if xd is xs else class_scores(self._est, xd)[:, order])

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
