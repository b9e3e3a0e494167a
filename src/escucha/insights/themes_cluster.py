"""Clustering engine for theme discovery: guided, seeded spherical k-means on unit vectors.

Pure numpy on ``float32`` rows, in chunks, so a million sentences fit in memory: centroids are
fitted on a seeded sample (``fit_sample`` rows) and every row is then assigned to its nearest
centroid. Seeds come from (1) fixed centroids (existing or pinned themes, never moved), (2) the
aspects the analysis found (one seed per aspect with enough support: the "guided" step) and
(3) k-means++ picks for topics outside the taxonomy. Rows too far from every centroid are
outliers (``-1``), capped at ``max_outliers`` of the rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.cluster import kmeans_plusplus


@dataclass(slots=True)
class Clustering:
    labels: np.ndarray  # int32, -1 = outlier, else index into centroids
    sims: np.ndarray  # float32 cosine similarity to the assigned (or nearest) centroid
    centroids: np.ndarray  # float32 unit rows
    threshold: float


def unit(m: np.ndarray) -> np.ndarray:
    n = np.linalg.norm(m, axis=-1, keepdims=True)
    out: np.ndarray = (m / np.maximum(n, 1e-9)).astype(np.float32)
    return out


def nearest(x: np.ndarray, c: np.ndarray, chunk: int = 65_536) -> tuple[np.ndarray, np.ndarray]:
    """Index of and similarity to the nearest centroid, chunk by chunk."""
    n = x.shape[0]
    lab = np.full(n, -1, dtype=np.int32)
    sim = np.zeros(n, dtype=np.float32)
    if n == 0 or c.shape[0] == 0:
        return lab, sim
    for s in range(0, n, chunk):
        d = x[s : s + chunk] @ c.T
        lab[s : s + chunk] = d.argmax(axis=1)
        sim[s : s + chunk] = d.max(axis=1)
    return lab, sim


def centroids_of(x: np.ndarray, labels: np.ndarray, k: int) -> np.ndarray:
    """Unit mean vector of each label 0..k-1 (zeros for empty labels)."""
    c = np.zeros((k, x.shape[1]), dtype=np.float32)
    ok = labels >= 0
    np.add.at(c, labels[ok], x[ok])
    return unit(c)


def aspect_seeds(
    x: np.ndarray, aspect_lists: Sequence[Sequence[str]], min_support: int
) -> tuple[list[str], np.ndarray]:
    """One seed per aspect carried by at least ``min_support`` rows (their unit mean)."""
    rows: dict[str, list[int]] = {}
    for i, lst in enumerate(aspect_lists):
        for a in lst:
            rows.setdefault(a, []).append(i)
    names = sorted(a for a, r in rows.items() if len(r) >= min_support)
    if not names:
        return [], np.zeros((0, x.shape[1]), dtype=np.float32)
    return names, unit(np.stack([x[rows[a]].mean(axis=0) for a in names]))


def spherical_kmeans(
    x: np.ndarray,
    init: np.ndarray,
    n_fixed: int = 0,
    iters: int = 25,
    tol: float = 1e-4,
) -> np.ndarray:
    """Lloyd iterations on the unit sphere; the first ``n_fixed`` centroids never move."""
    c = init.copy()
    k = c.shape[0]
    prev = None
    for _ in range(iters):
        lab, _sim = nearest(x, c)
        new = centroids_of(x, lab, k)
        empty = np.linalg.norm(new, axis=1) < 0.5
        new[empty] = c[empty]
        new[:n_fixed] = c[:n_fixed]
        c = new
        if prev is not None and np.mean(lab != prev) < tol:
            break
        prev = lab
    return c


def default_extra(n: int) -> int:
    """How many free (non-aspect) clusters to look for in ``n`` rows."""
    return int(np.clip(round(np.sqrt(max(n, 1)) / 10), 3, 40))


def cluster(
    x: np.ndarray,
    aspect_lists: Sequence[Sequence[str]] | None = None,
    *,
    seed: int = 0,
    min_size: int = 10,
    n_extra: int | None = None,
    fixed: np.ndarray | None = None,
    threshold: float = 0.3,
    max_outliers: float = 0.08,
    fit_sample: int = 150_000,
) -> Clustering:
    """Cluster unit rows; labels index ``centroids`` whose first rows are ``fixed`` (if given)."""
    n, dim = x.shape
    fixed = np.zeros((0, dim), dtype=np.float32) if fixed is None else unit(fixed)
    valid = np.flatnonzero(np.linalg.norm(x, axis=1) > 0.5)
    rng = np.random.default_rng(seed)
    fit_rows = np.sort(rng.choice(valid, fit_sample, replace=False)) if len(valid) > fit_sample else valid
    xs = x[fit_rows]
    seeds = [fixed]
    if aspect_lists is not None and len(xs):
        sub_aspects = [aspect_lists[int(i)] for i in fit_rows]
        support = max(min_size, int(0.004 * len(xs)))
        _names, a_seeds = aspect_seeds(xs, sub_aspects, support)
        seeds.append(a_seeds)
    extra = default_extra(len(valid)) if n_extra is None else n_extra
    if extra and len(xs) > extra:
        picks, _ = kmeans_plusplus(xs, extra, random_state=seed)
        seeds.append(unit(picks))
    init = np.concatenate(seeds).astype(np.float32)
    if init.shape[0] == 0:
        return Clustering(np.full(n, -1, np.int32), np.zeros(n, np.float32), init, threshold)
    c = spherical_kmeans(xs, init, n_fixed=len(fixed)) if len(xs) else init
    # drop clusters that are too small (fixed ones stay), then reassign everything
    for _ in range(3):
        lab, _sim = nearest(xs, c)
        sizes = np.bincount(lab, minlength=c.shape[0]) * (n / max(1, len(xs)))
        keep = sizes >= min_size
        keep[: len(fixed)] = True
        if keep.all():
            break
        c = c[keep]
        if c.shape[0] == 0:  # every cluster too small (few voices): all of them are outliers
            return Clustering(np.full(n, -1, np.int32), np.zeros(n, np.float32), c, threshold)
        c = spherical_kmeans(xs, c, n_fixed=len(fixed), iters=5)
    lab, sim = nearest(x, c)
    lab[np.linalg.norm(x, axis=1) <= 0.5] = -1
    cut = threshold
    if len(valid):
        q = float(np.quantile(sim[valid], max_outliers)) if max_outliers > 0 else -1.0
        cut = min(threshold, q)
    out = (sim < cut) | (lab < 0)
    lab = np.where(out, -1, lab).astype(np.int32)
    return Clustering(lab, sim, c, cut)


def aspect_domain(aspect: str) -> str:
    """The domain pack of an aspect id (``airline.delays`` → ``airline``); ``general`` otherwise."""
    return aspect.split(".", 1)[0] if "." in aspect else "general"


def corpus_domains(aspect_lists: Sequence[Sequence[str]], keep_frac: float = 0.2) -> set[str]:
    """Domains whose aspects are frequent in the corpus: at least ``keep_frac`` of the mentions
    of the most mentioned domain (``general`` aspects always count)."""
    counts: dict[str, int] = {}
    for lst in aspect_lists:
        for a in lst:
            d = aspect_domain(a)
            counts[d] = counts.get(d, 0) + 1
    counts.pop("general", None)
    top = max(counts.values(), default=0)
    return {"general"} | {d for d, c in counts.items() if c >= keep_frac * top}


def restrict_aspects(aspect_lists: Sequence[Sequence[str]], keep_frac: float = 0.2) -> list[list[str]]:
    """Aspect lists without the aspects of domains foreign to the corpus (a hotel aspect firing
    on an airline tweet), so they neither seed themes nor pull sentences together."""
    keep = corpus_domains(aspect_lists, keep_frac)
    return [[a for a in lst if aspect_domain(a) in keep] for lst in aspect_lists]


def merge_close(profiles: np.ndarray, threshold: float, n_fixed: int = 0) -> np.ndarray:
    """Average-linkage merge of themes whose word profiles are within ``threshold`` cosine
    distance; ``profiles`` are per-theme log word probabilities (rows). Returns the new index of
    each theme (fixed themes, the first ``n_fixed`` rows, are never merged)."""
    k = profiles.shape[0]
    free = k - n_fixed
    out = np.arange(k, dtype=np.int32)
    if free < 2:
        return out
    from sklearn.cluster import AgglomerativeClustering

    p = unit(np.sqrt(np.exp(profiles[n_fixed:].astype(np.float64))))  # Hellinger-style profiles
    ag = AgglomerativeClustering(
        n_clusters=None, distance_threshold=threshold, metric="cosine", linkage="average"
    ).fit(p)
    _, groups = np.unique(ag.labels_, return_inverse=True)
    out[n_fixed:] = n_fixed + groups.astype(np.int32)
    return out


MAX_THEME_SHARE = 0.15  # a theme holding more of the assigned sentences is a catch-all: split it


def split_catch_alls(
    x: np.ndarray, labels: np.ndarray, keep: set[int], next_id: int, seed: int = 0,
    max_share: float = MAX_THEME_SHARE,
) -> tuple[np.ndarray, int]:
    """Themes over ``max_share`` of the assigned sentences (a catch-all such as "help · fly ·
    airline") split by spherical k-means into ``ceil(share / (max_share * 2/3))`` new themes
    with new ids; pinned themes (``keep``) stay whole. Returns the labels and the next free id."""
    labels = labels.copy()
    assigned = labels >= 0
    total = int(assigned.sum())
    if total == 0:
        return labels, next_id
    rng = np.random.default_rng(seed)
    for tid in [int(t) for t in np.unique(labels[assigned])]:
        rows = np.flatnonzero(labels == tid)
        share = len(rows) / total
        if tid in keep or share <= max_share or len(rows) < 20:
            continue
        k = int(np.ceil(share / (max_share * 2 / 3)))
        xs = x[rows]
        picks = [int(rng.integers(len(rows)))]
        for _ in range(k - 1):  # farthest-first seeds: distinct sub-topics
            sims = np.max(xs @ xs[picks].T, axis=1)
            picks.append(int(np.argmin(sims)))
        cents = spherical_kmeans(xs, unit(xs[picks]))
        sub, _ = nearest(xs, cents)
        for j in range(k):
            labels[rows[sub == j]] = next_id + j
        next_id += k
    return labels, next_id
