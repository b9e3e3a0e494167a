"""Near-duplicate ideas while a customer types: the text representation of the ideas board
(``escucha.insights.ideas``: wish wording removed, TF-IDF words and characters) and cosine
similarity against the ideas already public. A portal has few ideas, so the TF-IDF weights are
unsteady; the score is the larger of that cosine and the overlap of content words (cut to their
first five letters, so "domingo"/"domingos" match), which does not depend on the other ideas."""

from __future__ import annotations

from typing import Any

import numpy as np

from escucha.insights.ideas import _idea_text, _vectors
from escucha.insights.themes_text import content_tokens, normalize

#: Similarity above which a proposal is "probably the same idea" (offer to vote for it instead).
DUPLICATE = 0.5
#: Similarity above which an idea is shown as related while typing.
RELATED = 0.25


def _core(text: str) -> str:
    norm = normalize(text)
    return _idea_text(norm) or norm


def _stems(core: str) -> set[str]:
    return {w[:5] for w in content_tokens(core)}


def overlap(a: str, b: str) -> float:
    """Shared content words over the shorter text's (0.9 at most: words alone are weaker evidence)."""
    sa, sb = _stems(a), _stems(b)
    if len(sa) < 2 or len(sb) < 2:
        return 0.0
    return 0.9 * len(sa & sb) / min(len(sa), len(sb))


def similar(query: str, ideas: list[dict[str, Any]], top: int = 3, floor: float = RELATED) -> list[dict[str, Any]]:
    """The ``ideas`` (dicts with ``id``, ``title``, ``body``) most like ``query``, best first, each
    with its ``similarity`` (0-1) and whether it is a ``duplicate``."""
    q = _core(query or "")
    if len(q) < 4 or not ideas:
        return []
    texts = [q] + [_core(f"{i.get('title', '')}. {i.get('body') or ''}") for i in ideas]
    x = _vectors(texts, [[] for _ in texts])
    m = np.asarray(x if isinstance(x, np.ndarray) else x.toarray())
    sims = m[1:] @ m[0]
    for k, i in enumerate(ideas):
        sims[k] = max(float(sims[k]), overlap(q, _core(str(i.get("title", "")))), overlap(q, texts[k + 1]))
    order = np.argsort(-sims)[:top]
    return [{**ideas[int(i)], "similarity": round(float(sims[i]), 3), "duplicate": bool(sims[i] >= DUPLICATE)}
            for i in order if sims[i] >= floor]  # fmt: skip
