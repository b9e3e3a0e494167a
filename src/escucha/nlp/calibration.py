"""Temperature scaling of the shipped sentiment probabilities.

``temper(p, t)`` raises each row of probabilities to ``1 / t`` and renormalises: ``t > 1`` softens
an over-confident model, ``t < 1`` sharpens an under-confident one, and the most likely class never
changes. ``fit_temperature`` picks ``t`` by the negative log-likelihood on labelled rows held out
from the model's training (``scripts/build_models.py --only calibrate``); the model's ``meta.json``
keeps it as ``temperature``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

GRID: tuple[float, ...] = tuple(round(0.5 + 0.1 * i, 2) for i in range(36))  # 0.5 … 4.0


def temper(p: np.ndarray, t: float) -> np.ndarray:
    """Rows of probabilities at temperature ``t`` (1: unchanged)."""
    if t == 1.0:
        return p
    logits = np.log(np.clip(p, 1e-9, 1.0)) / t
    e = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def nll(p: np.ndarray, y: Sequence[int]) -> float:
    """Mean negative log-likelihood of the gold class indices ``y``."""
    rows = np.asarray(p)[np.arange(len(y)), np.asarray(y)]
    return float(-np.log(np.clip(rows, 1e-9, 1.0)).mean())


def ece(p: np.ndarray, y: Sequence[int], bins: int = 10) -> float:
    """Expected calibration error: confidence against accuracy in ``bins`` equal-width bins."""
    p = np.asarray(p)
    conf = p.max(axis=1)
    acc = p.argmax(axis=1) == np.asarray(y)
    err = 0.0
    for b in range(bins):
        m = (conf > b / bins) & (conf <= (b + 1) / bins)
        if m.any():
            err += float(m.mean()) * abs(float(acc[m].mean()) - float(conf[m].mean()))
    return err


def fit_temperature(p: np.ndarray, y: Sequence[int], grid: Sequence[float] = GRID) -> tuple[float, dict[float, float]]:
    """The temperature of ``grid`` with the lowest NLL on ``(p, y)``, and the NLL of each."""
    scores = {t: round(nll(temper(p, t), y), 5) for t in grid}
    return min(scores, key=lambda t: (scores[t], abs(t - 1.0))), scores
