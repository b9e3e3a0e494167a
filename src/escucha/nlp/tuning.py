"""Choosing on out-of-fold predictions: fast macro-F1/accuracy of argmax predictions, per-class
log-biases for macro-F1, per-label thresholds of multi-label models."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from sklearn.metrics import f1_score

__all__ = ["accuracy", "labels_over_thresholds", "macro_f1", "tune_bias", "tune_thresholds"]


def macro_f1(y: np.ndarray, p: np.ndarray) -> float:
    """Macro-F1 of argmax predictions (``y`` holds class indices), fast for grid searches."""
    k = p.shape[1]
    pred = p.argmax(axis=1)
    cm = np.bincount(y * k + pred, minlength=k * k).reshape(k, k)
    tp = np.diag(cm).astype(float)
    denom = cm.sum(axis=0) + cm.sum(axis=1)
    return float(np.mean(np.where(denom > 0, 2 * tp / np.maximum(denom, 1), 0.0)))


def accuracy(y: np.ndarray, p: np.ndarray) -> float:
    return float(np.mean(p.argmax(axis=1) == y))


def tune_bias(p: np.ndarray, y: np.ndarray, rounds: int = 2) -> tuple[np.ndarray, float, float]:
    """Per-class log-biases that raise the macro-F1 of ``argmax(log p + b)`` (coordinate ascent
    on a grid); ``y`` are class indices. Returns (bias, macro-F1 before, after)."""
    logp = np.log(np.clip(p, 1e-9, 1.0))
    bias = np.zeros(p.shape[1])
    base = best = macro_f1(y, logp)
    grid = np.round(np.arange(-1.5, 1.51, 0.1), 2)
    for _ in range(rounds):
        for j in range(p.shape[1]):
            for v in grid:
                b = bias.copy()
                b[j] = v
                f = macro_f1(y, logp + b)
                if f > best + 1e-9:
                    best, bias = f, b
    return bias, base, best


def tune_thresholds(y: np.ndarray, p: np.ndarray) -> tuple[np.ndarray, float]:
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
