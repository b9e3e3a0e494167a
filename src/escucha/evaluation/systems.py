"""What every evaluation task shares: sampling, timing, the TF-IDF baselines, the shipped
pipeline, and escucha's trained systems (``adapted``, ``adapted+embeddings``, ``finetuned``,
``finetuned+adapted``; see :mod:`escucha.evaluation.tasks`)."""

from __future__ import annotations

import logging
import random
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline, make_union

from escucha.nlp.textclf import TextClassifier
from escucha.nlp.tuning import accuracy, labels_over_thresholds, macro_f1, tune_thresholds
from escucha.pipeline.base import Doc, Pipeline

log = logging.getLogger(__name__)
Result = dict[str, Any]


class Task(Protocol):
    """An evaluation task: figures of escucha's systems and of baselines on one labelled set.
    ``finetune``: also score the slow fine-tuned MiniLM systems where the task has them."""

    def __call__(
        self, data_dir: Path, seed: int, max_train: int | None, max_test: int | None, *, finetune: bool = False
    ) -> Result: ...


class Skip(Exception):
    """The task cannot run here (missing analyser or data); the message says why."""


def _timed(fn: Callable[[list[str]], Any], texts: list[str]) -> tuple[Any, float]:
    t0 = time.perf_counter()
    out = fn(texts)
    dt = max(time.perf_counter() - t0, 1e-9)
    return out, round(len(texts) / dt, 1)


def _sample(rows: list[Any], n: int | None, seed: int) -> list[Any]:
    if n is None or len(rows) <= n:
        return rows
    return random.Random(seed).sample(rows, n)


def _split(rows: list[tuple[str, Any]]) -> tuple[list[str], list[Any]]:
    return [t for t, _ in rows], [y for _, y in rows]


def tfidf_lr(texts: Sequence[str], labels: Sequence[Any]) -> Any:
    """The plain baseline: default TF-IDF + LogisticRegression."""
    return make_pipeline(TfidfVectorizer(), LogisticRegression(max_iter=2000)).fit(
        list(texts), [str(y) for y in labels]
    )


def _word_char_tfidf() -> Any:
    return make_union(
        TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=1, dtype=np.float32),
        TfidfVectorizer(
            analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=2, dtype=np.float32
        ),
    )


def tfidf_wc_lr(texts: Sequence[str], labels: Sequence[Any]) -> Any:
    """The classic well-tuned baseline: TF-IDF word 1-2 + char_wb 2-5 (sublinear tf, lower-cased)
    into LogisticRegression (C=3, lbfgs; C by a held-out fifth of airline TRAIN, fixed for all)."""
    return make_pipeline(_word_char_tfidf(), LogisticRegression(C=3.0, max_iter=2000)).fit(
        list(texts), [str(y) for y in labels]
    )


def _baselines(
    tr_x: list[str], tr_y: list[Any], te_x: list[str], score: Callable[[list[Any]], Result],
    cast: Callable[[Any], Any] = str,
) -> dict[str, Result]:
    """Both TF-IDF + LR baselines, scored with ``score(predictions)``."""
    out: dict[str, Result] = {}
    for name, make in (("tfidf_lr", tfidf_lr), ("tfidf_wc_lr", tfidf_wc_lr)):
        base = make(tr_x, tr_y)

        def predict(xs: list[str], b: Any = base) -> list[Any]:
            return [cast(p) for p in b.predict(xs)]

        pred, speed = _timed(predict, te_x)
        out[name] = _with_speed(score(pred), speed)
    return out


_PIPES: dict[tuple[str, ...], Pipeline] = {}


def run_pipeline(
    texts: Sequence[str], names: Sequence[str], language: str | Sequence[str | None] | None = None
) -> list[Doc]:
    """Run analysers ``names`` over ``texts`` in batches of 512 (pipelines are built once, warm)."""
    key = tuple(names)
    if key not in _PIPES:
        _PIPES[key] = Pipeline.from_names(names)
        _PIPES[key].run([Doc(text="warm up: el vuelo llegó tarde. The flight was late.")])
    pipe = _PIPES[key]
    hints = [language] * len(texts) if language is None or isinstance(language, str) else language
    docs = [Doc(text=t, id=str(i), language_hint=h) for i, (t, h) in enumerate(zip(texts, hints, strict=True))]
    for start in range(0, len(docs), 512):
        pipe.run(docs[start : start + 512])
    return docs


def has_analyser(name: str) -> bool:
    from escucha.pipeline.base import create

    try:
        create(name)
    except Exception as exc:  # missing module, model or config
        log.debug("analyser %s unavailable: %s", name, exc)
        return False
    return True


def _with_speed(fig: Result, speed: float) -> Result:
    fig["texts_per_s"] = speed
    return fig


def _adapted(
    tr_x: list[str], tr_y: list[Any], seed: int, class_weight: str | None = "balanced", **kw: Any
) -> TextClassifier:
    return TextClassifier(class_weight=class_weight, seed=seed, cv_max=4000, **kw).fit(tr_x, tr_y)


def _has_embeddings() -> bool:
    from escucha.backends import embeddings

    return embeddings.available()


def _fine_tuned(
    texts: list[str], labels: list[Any], out_dir: str, seed: int, class_weight: str | None
) -> Any:
    """MiniLM fine-tuned on ``texts`` (default settings) into ``out_dir``, loaded for prediction;
    labels given as lists train a multi-label model."""
    from escucha.backends.finetune import finetune
    from escucha.backends.transformers_dir import hf_classifier

    multilabel = all(isinstance(y, list | tuple) for y in labels)
    y_text = [[str(v) for v in y] for y in labels] if multilabel else [str(y) for y in labels]
    finetune(texts, y_text, out_dir, seed=seed, class_weight=class_weight)
    return hf_classifier(model_dir=out_dir, max_length=128, batch_size=64)


FT_BLEND_WEIGHTS = (0.0, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 1.0)


@dataclass
class Trial:
    """One task's TRAIN and TEST texts, how predictions are scored (``score``), and the systems
    and notes scored so far; ``finetune`` asks for the slow fine-tuned MiniLM systems."""

    systems: dict[str, Result]
    notes: list[str]
    tr_x: list[str]
    tr_y: list[Any]
    te_x: list[str]
    score: Callable[[list[Any]], Result]
    seed: int
    finetune: bool = False

    def add_embedding_system(self, **kw: Any) -> None:
        """Score ``adapted+embeddings`` for an English task into ``systems``; without the extra,
        only a note says why it is missing."""
        tr_x, tr_y, te_x, seed, notes = self.tr_x, self.tr_y, self.te_x, self.seed, self.notes
        if not _has_embeddings():
            notes.append("adapted+embeddings skipped: pip install 'escucha[embeddings]'")
            return
        kw.setdefault("cv_max", 4000)
        clf = TextClassifier(seed=seed, embeddings=True, **kw).fit(tr_x, tr_y)
        pred, speed = _timed(clf.predict, te_x)
        blend = clf.meta.get("cv_embedding_blend")
        notes.append(f"adapted+embeddings: weight {clf.meta.get('embedding_weight')} chosen on TRAIN {blend}")
        self.systems["adapted+embeddings"] = _with_speed(self.score(pred), speed)

    def _finetune_ready(self, system: str) -> bool:
        """Whether a fine-tuned ``system`` is scored: asked for (``finetune``) and its extras installed
        (else a note says which)."""
        if not self.finetune:
            return False
        if not _has_embeddings():
            self.notes.append(f"{system} skipped: pip install 'escucha[embeddings,transformers]'")
            return False
        return True

    def add_finetuned_system(self, class_weight: str | None = None) -> None:
        """Score ``finetuned`` (MiniLM fine-tuned on TRAIN, default settings) when ``finetune``;
        ``class_weight="balanced"`` for the many-class tasks scored by macro-F1."""
        if not self._finetune_ready("finetuned"):
            return
        tr_x, tr_y, te_x, seed, notes = self.tr_x, self.tr_y, self.te_x, self.seed, self.notes
        with tempfile.TemporaryDirectory() as tmp:
            t0 = time.perf_counter()
            clf = _fine_tuned(tr_x, tr_y, tmp, seed, class_weight)
            train_s = time.perf_counter() - t0
            by_text = {str(y): y for y in tr_y} if not clf.multilabel else {}

            def predict(xs: list[str]) -> list[Any]:
                p = np.asarray(clf.predict(xs)).reshape(len(xs), len(clf.labels))
                if clf.multilabel:  # every label over 0.5, else the most likely one
                    return labels_over_thresholds(p, clf.labels, np.full(len(clf.labels), 0.5), at_least_one=True)
                return [by_text[clf.labels[i]] for i in p.argmax(axis=1)]

            pred, speed = _timed(predict, te_x)
        notes.append(f"finetuned: MiniLM, 2 epochs, lr 1e-4, class weights {class_weight}, trained in {train_s:.0f} s")
        self.systems["finetuned"] = _with_speed(self.score(pred), speed)

    def add_finetuned_blend(
        self,
        adapted: Callable[[list[str], list[Any]], TextClassifier],
        metric: str = "macro_f1",
        class_weight: str | None = None,
    ) -> None:
        """Score ``finetuned+adapted``: MiniLM fine-tuned on four fifths of TRAIN, its probabilities
        averaged with the ``adapted`` model's (``adapted(texts, labels)`` trains it); the weight (and,
        multi-label, the per-label thresholds) are chosen on the held-out fifth of TRAIN, then the
        adapted model is refitted on all of TRAIN. Costs one fine-tuning run."""
        if not self._finetune_ready("finetuned+adapted"):
            return
        tr_x, tr_y, te_x, seed, notes = self.tr_x, self.tr_y, self.te_x, self.seed, self.notes
        multilabel = all(isinstance(y, list | tuple) for y in tr_y)
        idx = np.arange(len(tr_x))
        strat = None if multilabel else [str(y) for y in tr_y]
        a_i, d_i = train_test_split(idx, test_size=0.2, random_state=seed, stratify=strat)
        a_x, a_y = [tr_x[i] for i in a_i], [tr_y[i] for i in a_i]
        d_x, d_y = [tr_x[i] for i in d_i], [tr_y[i] for i in d_i]
        t0 = time.perf_counter()
        with tempfile.TemporaryDirectory() as tmp:
            ft = _fine_tuned(a_x, a_y, tmp, seed, class_weight)
            part = adapted(a_x, a_y)
            cols = [ft.labels.index(lab) for lab in part.labels]  # fine-tuned columns in adapted order

            def both(model: TextClassifier, xs: list[str]) -> tuple[np.ndarray, np.ndarray]:
                return model.predict_proba(xs), np.asarray(ft.predict(xs))[:, cols]

            pa, pf = both(part, d_x)
            if multilabel:
                yd = np.array([[int(lab in y) for lab in part.labels] for y in d_y])
                tuned = {w: tune_thresholds(yd, (1 - w) * pa + w * pf) for w in FT_BLEND_WEIGHTS}
                dev = {w: t[1] for w, t in tuned.items()}
            else:
                yd = np.array([part.labels.index(str(y)) for y in d_y])
                f = macro_f1 if metric == "macro_f1" else accuracy
                dev = {w: f(yd, (1 - w) * pa + w * pf) for w in FT_BLEND_WEIGHTS}
            w = max(dev, key=lambda k: (round(dev[k], 4), -k))
            full = adapted(tr_x, tr_y)
            by_text = {str(y): y for y in tr_y} if not multilabel else {}

            def predict(xs: list[str]) -> list[Any]:
                ta, tf = both(full, xs)
                p = (1 - w) * ta + w * tf
                if not multilabel:
                    return [by_text[full.labels[i]] for i in p.argmax(axis=1)]
                return labels_over_thresholds(p, full.labels, tuned[w][0], at_least_one=True)

            pred, speed = _timed(predict, te_x)
        notes.append(
            f"finetuned+adapted: MiniLM fine-tuned on 4/5 of TRAIN ({time.perf_counter() - t0:.0f} s in all), "
            f"weight {w} chosen on the held-out fifth: {{{', '.join(f'{k}: {v:.4f}' for k, v in dev.items())}}}"
        )
        self.systems["finetuned+adapted"] = _with_speed(self.score(pred), speed)
