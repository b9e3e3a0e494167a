"""Figures for one system on one task: accuracy, macro/micro F1, per-class F1, confusion, MAE."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.metrics import confusion_matrix, f1_score, precision_recall_fscore_support
from sklearn.preprocessing import MultiLabelBinarizer


def single_label(
    gold: Sequence[Any], pred: Sequence[Any], labels: Sequence[Any] | None = None
) -> dict[str, Any]:
    """n, accuracy, macro_f1, per_class_f1 and confusion (rows gold, columns predicted)."""
    labels = list(labels) if labels is not None else sorted(set(gold))
    g = [str(x) for x in gold]
    p = [str(x) for x in pred]
    labs = [str(x) for x in labels]
    extra = sorted(set(p) - set(labs))
    f1s = f1_score(g, p, labels=labs, average=None, zero_division=0)
    return {
        "n": len(g),
        "accuracy": round(float(np.mean([a == b for a, b in zip(g, p, strict=True)])), 4) if g else 0.0,
        "macro_f1": round(float(np.mean(f1s)), 4) if len(labs) else 0.0,
        "per_class_f1": {lab: round(float(f), 4) for lab, f in zip(labs, f1s, strict=True)},
        "confusion": {
            "labels": labs + extra,
            "matrix": confusion_matrix(g, p, labels=labs + extra).tolist(),
        },
    }


def rating(gold: Sequence[int], pred: Sequence[int]) -> dict[str, Any]:
    """Single-label figures on 1-5 ratings plus mean absolute error."""
    out = single_label(gold, pred, labels=[1, 2, 3, 4, 5])
    out["mae"] = round(float(np.mean(np.abs(np.asarray(gold) - np.asarray(pred)))), 4)
    return out


def multi_label(
    gold: Sequence[Sequence[str]], pred: Sequence[Sequence[str]], labels: Sequence[str]
) -> dict[str, Any]:
    """n, micro_f1, macro_f1, per_class_f1 and per-label precision/recall; accuracy = exact match."""
    mlb = MultiLabelBinarizer(classes=list(labels))
    g = mlb.fit_transform([[x for x in ls if x in labels] for ls in gold])
    p = mlb.transform([[x for x in ls if x in labels] for ls in pred])
    prec, rec, f1s, support = precision_recall_fscore_support(g, p, average=None, zero_division=0)
    return {
        "n": len(gold),
        "accuracy": round(float(np.mean(np.all(g == p, axis=1))), 4),
        "micro_f1": round(float(f1_score(g, p, average="micro", zero_division=0)), 4),
        "macro_f1": round(float(np.mean(f1s)), 4),
        "per_class_f1": {lab: round(float(f), 4) for lab, f in zip(labels, f1s, strict=True)},
        "per_class": {
            lab: {"precision": round(float(a), 4), "recall": round(float(b), 4), "support": int(s)}
            for lab, a, b, s in zip(labels, prec, rec, support, strict=True)
        },
        "confusion": {
            "labels": list(labels),
            # per label: [true negatives, false positives, false negatives, true positives]
            "matrix": [
                [int(((g[:, j] == 0) & (p[:, j] == 0)).sum()), int(((g[:, j] == 0) & (p[:, j] == 1)).sum()),
                 int(((g[:, j] == 1) & (p[:, j] == 0)).sum()), int(((g[:, j] == 1) & (p[:, j] == 1)).sum())]
                for j in range(len(labels))
            ],
        },
    }
