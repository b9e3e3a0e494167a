"""Train a company's own classifier from a labelled CSV (``escucha train``) and use it.

>>> path = train("labelled.csv", text_col="text", label_col="reason", out_dir="models/reason")
>>> clf = load_custom_model(path)

The analyser ``custom_labels`` (:mod:`escucha.pipeline.custom_labels`, config ``model_path``)
runs such a model in the pipeline and writes the labels into ``Doc.extras["labels"]`` (and their
scores in ``extras["label_scores"]``).
"""

from __future__ import annotations

import csv
import logging
from pathlib import Path
from typing import Any, NamedTuple

from sklearn.metrics import f1_score
from sklearn.model_selection import train_test_split

from escucha.errors import ValidationError
from escucha.nlp.embeddings import embed_texts
from escucha.nlp.textclf import TextClassifier

log = logging.getLogger(__name__)


class LabelledCSV(NamedTuple):
    """What :func:`read_labelled_csv` read: texts, their labels, and the rows it skipped, each
    named by its line in the file and the field that was empty."""

    texts: list[str]
    labels: list[Any]
    skipped: list[str]


def read_labelled_csv(
    csv_path: str | Path, text_col: str, label_col: str, multilabel: bool = False, label_sep: str = "|"
) -> LabelledCSV:
    """Texts and labels from a CSV; a row with an empty text or label is skipped and reported
    in ``skipped`` ("line 12: empty 'text'"), never the whole file."""
    path = Path(csv_path)
    if not path.exists():
        raise ValidationError(f"no such file: {path}", field="csv_path")
    texts: list[str] = []
    labels: list[Any] = []
    skipped: list[str] = []
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        cols = reader.fieldnames or []
        for col in (text_col, label_col):
            if col not in cols:
                raise ValidationError(
                    f"{path.name} has no column '{col}'; columns are {cols}", field=col
                )
        for row in reader:
            text = (row.get(text_col) or "").strip()
            raw = (row.get(label_col) or "").strip()
            empty = [c for c, v in ((text_col, text), (label_col, raw or multilabel)) if not v]
            if empty:
                skipped.append(f"line {reader.line_num}: empty {' and '.join(repr(c) for c in empty)}")
                continue
            texts.append(text)
            labels.append([x.strip() for x in raw.split(label_sep) if x.strip()] if multilabel else raw)
    if len(texts) < 10:
        raise ValidationError(
            f"{path.name}: only {len(texts)} labelled rows, need ≥ 10 ({len(skipped)} skipped)", field=label_col
        )
    if skipped:
        log.warning("%s: skipped %d row(s): %s", path.name, len(skipped), "; ".join(skipped[:20]))
    return LabelledCSV(texts, labels, skipped)


def train(
    csv_path: str | Path,
    text_col: str,
    label_col: str,
    out_dir: str | Path,
    *,
    multilabel: bool = False,
    label_sep: str = "|",
    seed: int = 0,
    model: str = "auto",
    class_weight: str | None = "balanced",
    holdout: float = 0.2,
    embeddings: bool = False,
    sentences: bool = False,
) -> Path:
    """Train a :class:`TextClassifier` on a CSV and save it in ``out_dir``; returns the path.

    A stratified ``holdout`` part of the CSV is scored first (figures go into ``meta.json``), then
    the model is refitted on every row. Classes are weighted ``"balanced"`` by default (labels
    of customer feedback are skewed; the ``auto`` recipe then tunes per-class biases).
    ``embeddings``: blend in sentence embeddings (``escucha[embeddings]``; English texts).
    ``sentences``: stack each text's sentence-level predictions (long texts: reviews, e-mails).
    """
    texts, labels, skipped = read_labelled_csv(csv_path, text_col, label_col, multilabel, label_sep)
    metrics: dict[str, Any] = {}
    vectors = embed_texts(texts) if embeddings else None
    rows = list(range(len(texts)))
    if holdout > 0 and len(texts) >= 50:
        strat = None if multilabel else labels
        try:
            tr, te = train_test_split(rows, test_size=holdout, random_state=seed, stratify=strat)
        except ValueError:  # a label too rare to stratify
            tr, te = train_test_split(rows, test_size=holdout, random_state=seed)
        te_y = [labels[i] for i in te]
        clf = TextClassifier(
            model=model, class_weight=class_weight, multilabel=multilabel, seed=seed, embeddings=embeddings,
            sentences=sentences,
        )
        clf.fit([texts[i] for i in tr], [labels[i] for i in tr], None if vectors is None else vectors[tr])
        pred = clf.predict([texts[i] for i in te], None if vectors is None else vectors[te])
        if multilabel:
            from sklearn.preprocessing import MultiLabelBinarizer

            mlb = MultiLabelBinarizer(classes=clf.labels)
            yt = mlb.fit_transform([[lab for lab in ls if lab in clf.labels] for ls in te_y])
            metrics["holdout_micro_f1"] = round(float(f1_score(yt, mlb.transform(pred), average="micro")), 4)
        else:
            metrics["holdout_accuracy"] = round(
                sum(p == g for p, g in zip(pred, te_y, strict=True)) / len(te_y), 4
            )
            metrics["holdout_macro_f1"] = round(float(f1_score(te_y, pred, average="macro")), 4)
        metrics["holdout_n"] = len(te_y)
    clf = TextClassifier(
        model=model, class_weight=class_weight, multilabel=multilabel, seed=seed, embeddings=embeddings,
        sentences=sentences,
    )
    clf.fit(texts, labels, vectors)
    out = clf.save(
        out_dir,
        training_data=[f"{Path(csv_path).name} ({text_col} -> {label_col}, {len(texts)} rows)"],
        metrics=metrics,
        skipped_rows={"n": len(skipped), "first": skipped[:20]},
    )
    log.info("trained %s on %d rows: %s", out, len(texts), metrics)
    return out


def load_custom_model(path: str | Path) -> TextClassifier:
    """Load a model written by :func:`train` (or :meth:`TextClassifier.save`)."""
    return TextClassifier.load(path)
