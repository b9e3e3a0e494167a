"""Word-mixture refinement of themes (a hard-EM multinomial mixture, as in short-text DMM).

k-means on LSA vectors finds the shape of the themes; for short texts, re-assigning each
sentence to the theme whose word distribution explains it best (and re-estimating the
distributions) makes themes sharper. The same scores rank how well a whole voice fits a theme
(the sum over its sentences), which is how a voice gets its theme.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import CountVectorizer

from escucha.insights.themes_text import STOP_WORDS, TOKEN

BG_MIX = 0.1  # share of the corpus-wide word distribution mixed into each theme's (words common
#               to every theme then weigh less when a sentence or voice picks its theme)
ALPHA = 0.5  # additive smoothing of word counts


def count_matrix(
    norm_texts: Sequence[str],
    aspect_lists: Sequence[Sequence[str]],
    *,
    seed: int = 0,
    fit_sample: int = 100_000,
    chunk: int = 100_000,
) -> tuple[sp.csr_matrix, list[str]]:
    """Binary word (+ ``aspect:…`` token) counts; vocabulary fitted on a seeded sample."""
    n = len(norm_texts)
    rng = np.random.default_rng(seed)
    idx = np.sort(rng.choice(n, fit_sample, replace=False)) if n > fit_sample else np.arange(n)
    cv = CountVectorizer(
        token_pattern=TOKEN.pattern,
        stop_words=sorted(STOP_WORDS),
        min_df=2 if len(idx) >= 200 else 1,
        max_features=50_000,
        binary=True,
        dtype=np.float32,
    )
    try:
        cv.fit([norm_texts[i] for i in idx])
        words = list(cv.get_feature_names_out())
    except ValueError:
        words = []
    aspects = sorted({a for lst in aspect_lists for a in lst})
    a_index = {a: len(words) + i for i, a in enumerate(aspects)}
    parts = []
    for s in range(0, n, chunk):
        e = min(n, s + chunk)
        w = cv.transform(norm_texts[s:e]) if words else sp.csr_matrix((e - s, 0), dtype=np.float32)
        rows = [r for r in range(e - s) for _a in aspect_lists[s + r]]
        cols = [a_index[a] for r in range(e - s) for a in aspect_lists[s + r]]
        a = sp.csr_matrix(
            (np.ones(len(rows), np.float32), (rows, cols)), shape=(e - s, len(words) + len(aspects))
        )
        parts.append(sp.hstack([w, a[:, len(words) :]], format="csr", dtype=np.float32))
    m = sp.vstack(parts, format="csr") if parts else sp.csr_matrix((0, len(words) + len(aspects)))
    m.data[:] = 1.0
    return m, [*words, *(f"aspect:{a}" for a in aspects)]


def theme_counts(counts: sp.csr_matrix, labels: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Word counts per theme (k × V, float64) and sentences per theme, for labels 0..k-1 (-1 skipped)."""
    ok = labels >= 0
    y = sp.csr_matrix(
        (np.ones(int(ok.sum()), np.float32), (np.flatnonzero(ok), labels[ok])),
        shape=(counts.shape[0], k),
    )
    raw = np.asarray((y.T @ counts).todense(), dtype=np.float64)
    return raw, np.asarray(y.sum(axis=0), dtype=np.float64).ravel()


def word_logp(
    counts: sp.csr_matrix,
    labels: np.ndarray,
    k: int,
    alpha: float | None = None,
    bg_mix: float | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Per-theme log word probabilities (k × V) and log priors from labelled rows; each theme's
    distribution is mixed with the corpus's by ``bg_mix`` (``BG_MIX`` when None; 0 gives the
    themes' own profiles, as merging compares them)."""
    raw, sizes = theme_counts(counts, labels, k)
    alpha = ALPHA if alpha is None else alpha
    cnt = raw + alpha
    pk = cnt / cnt.sum(axis=1, keepdims=True)
    bg_mix = BG_MIX if bg_mix is None else bg_mix
    if bg_mix > 0:
        bg = raw.sum(axis=0) + alpha
        pk = (1 - bg_mix) * pk + bg_mix * bg / bg.sum()
    logp = np.log(pk)
    prior = np.log(sizes + 1.0)
    return logp.astype(np.float32), prior.astype(np.float32)


def scores(
    counts: sp.csr_matrix, logp: np.ndarray, prior: np.ndarray, chunk: int = 100_000
) -> tuple[np.ndarray, np.ndarray]:
    """Best theme and its per-word log-likelihood gain over the runner-up, chunk by chunk."""
    n = counts.shape[0]
    best = np.zeros(n, np.int32)
    margin = np.zeros(n, np.float32)
    if logp.shape[0] == 0:  # no themes at all (every cluster too small): nothing is assigned
        return np.full(n, -1, np.int32), margin
    for s in range(0, n, chunk):
        sc = np.asarray(counts[s : s + chunk] @ logp.T) + prior
        best[s : s + chunk] = sc.argmax(axis=1)
        if sc.shape[1] > 1:
            part = np.partition(sc, -2, axis=1)
            margin[s : s + chunk] = part[:, -1] - part[:, -2]
    return best, margin


def refine(
    counts: sp.csr_matrix,
    labels: np.ndarray,
    k: int,
    *,
    iters: int = 10,
    alpha: float | None = None,
    fixed_rows: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Hard EM from ``labels``; rows in ``fixed_rows`` (bool mask) and empty rows keep theirs."""
    lab = labels.astype(np.int32).copy()
    empty = np.asarray(counts.sum(axis=1)).ravel() == 0
    keep = empty | (lab < 0) if fixed_rows is None else empty | (lab < 0) | fixed_rows
    logp, prior = word_logp(counts, lab, k, alpha)
    for _ in range(iters):
        new, _m = scores(counts, logp, prior)
        new = np.where(keep, lab, new).astype(np.int32)
        changed = float(np.mean(new != lab))
        lab = new
        logp, prior = word_logp(counts, lab, k, alpha)
        if changed < 1e-3:
            break
    return lab, logp, prior


REMAINDER_KL = 0.35  # a theme whose words diverge from the corpus this much less than the median
#                      theme's is not about anything in particular: it is the remainder


def distinctiveness(counts: sp.csr_matrix, labels: np.ndarray, ids: Sequence[int]) -> np.ndarray:
    """How much a theme's sentences say beyond the corpus's usual words: the sum over words of
    P(w | theme) · log(P(w | theme) / P(w)), with P(w) the share of sentences holding ``w``
    (a theme of "help", "like", "need"… is near 0; "bag", "luggage", "lost" is far from it)."""
    n = max(counts.shape[0], 1)
    p_bg = (np.asarray(counts.sum(axis=0)).ravel().astype(np.float64) + ALPHA) / n
    order = np.argsort(np.asarray(ids))
    ranked = np.asarray(ids)[order]
    pos = np.clip(np.searchsorted(ranked, labels), 0, max(len(ids) - 1, 0))
    lab = np.where(ranked[pos] == labels, order[pos], -1) if len(ids) else np.full(len(labels), -1)
    raw, sizes = theme_counts(counts, lab, len(ids))
    p = raw / np.maximum(sizes, 1)[:, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(raw > 0, p * np.log(p / p_bg), 0.0)
    out: np.ndarray = terms.sum(axis=1)
    return out


def remainders(counts: sp.csr_matrix, labels: np.ndarray, keep: set[int], rel: float = REMAINDER_KL) -> list[int]:
    """Themes (not in ``keep``) whose distinctiveness is under ``rel`` × the median theme's: the
    sentences no topic explains, which clustering still had to put somewhere."""
    ids = [int(t) for t in np.unique(labels[labels >= 0])]
    if len(ids) < 4:
        return []
    d = distinctiveness(counts, labels, ids)
    cut = rel * float(np.median(d))
    return [t for t, v in zip(ids, d, strict=True) if v < cut and t not in keep]


def drop_remainders(counts: sp.csr_matrix, labels: np.ndarray, keep: set[int], rel: float = REMAINDER_KL) -> np.ndarray:
    """``labels`` with the :func:`remainders`' sentences unassigned (-1)."""
    rest = remainders(counts, labels, keep, rel)
    return np.where(np.isin(labels, rest), -1, labels).astype(np.int32) if rest else labels
