"""Theme discovery beyond the fixed taxonomy: incremental, curated, offline, in Spanish and English.

Customer sentences (agent turns are left out) → TF-IDF (words + characters) → LSA unit vectors
with the analysis' aspects as a guiding block → seeded spherical k-means (seeds: existing and
pinned themes, aspects with support, k-means++ picks) → word-mixture refinement (hard EM).
A voice's theme is the theme that best explains all its customer sentences.

Incremental by default: sentences assigned on an earlier run keep their theme; new sentences
join the nearest existing theme when close enough (each theme's own 10th-percentile
similarity), and leftovers form new themes with new ids (ids are never reused). Analysts'
curation (rename, merge, split, pin) is stored as documents and re-applied on every run.

Stored: documents ``themes`` (one per theme), ``theme_curation``, ``themes_meta``; tables
``theme_assignments`` (item_id, idx, theme_id, similarity; -1 = unassigned) and ``theme_items``
(item_id, theme_id).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from escucha.errors import EscuchaError
from escucha.insights.base import (
    Insight,
    InsightContext,
    InsightResult,
    TableView,
    as_list,
    cut,
    day,
    fmt,
    register_insight,
    titles,
)
from escucha.insights.themes_cluster import (
    centroids_of,
    cluster,
    merge_close,
    nearest,
    restrict_aspects,
    spherical_kmeans,  # fmt: skip
    split_catch_alls,
    unit,
)
from escucha.insights.themes_describe import (
    describe,
    item_emotions,
    label_from,
    propose_names,
    snapshot_section,
)
from escucha.insights.themes_mix import count_matrix, drop_remainders, refine, scores, word_logp
from escucha.insights.themes_text import Representation, content_tokens, normalize
from escucha.store import Filters

log = logging.getLogger(__name__)

DOCS, CURATION, META = "themes", "theme_curation", "themes_meta"
ASSIGN_TABLE, ITEM_TABLE = "theme_assignments", "theme_items"
MERGE_DISTANCE = 0.20  # cosine distance between themes' word profiles under which they merge
VOICE_ALPHA = 1.0  # word-count smoothing when whole voices pick a theme (more words than a sentence)
ITEM_ITERS = 10  # hard-EM passes over whole voices when giving each voice its theme
AGENT_SPEAKERS = frozenset({"agent", "agente", "operator", "operador", "operadora", "asesor", "asesora"})


# ------------------------------------------------------------------------------- data in
def customer_sentences(ctx: InsightContext, filters: Filters | None = None, employees: bool = False) -> pd.DataFrame:
    """Sentences said by customers (agent turns and, unless asked, employees' comments dropped),
    with normalised text and aspect lists. Without filters the sentences are read and normalised
    once per context (themes and ideas both read them): callers may add or replace columns of the
    frame returned, never write into it in place."""
    s: pd.DataFrame
    if filters is None:
        s = ctx.memo("theme_sentences", lambda: _said(ctx.store.sentences()))
    else:
        s = _said(ctx.store.sentences(filters))
    if not employees and "channel" in s:
        return s[s["channel"].fillna("") != "employee"].reset_index(drop=True)
    return s.copy(deep=False)  # a million sentences: no second copy of every text


def _said(s: pd.DataFrame) -> pd.DataFrame:
    """``s`` without agent turns, with ``_norm``, ``_aspects`` and ``_content`` columns."""
    if "speaker" in s:
        s = s[~s["speaker"].fillna("").str.lower().isin(AGENT_SPEAKERS)]
    s = s.reset_index(drop=True)
    s["_norm"] = [normalize(t) for t in s["text"].fillna("")]
    s["_aspects"] = [_as_list(a) for a in s["aspects"]] if "aspects" in s else [[] for _ in range(len(s))]
    s["_content"] = [bool(content_tokens(t)) for t in s["_norm"]]
    return s


def _as_list(v: Any) -> list[str]:
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return []
    if isinstance(v, str):
        try:
            v = json.loads(v)
        except ValueError:
            return [v]
    return [str(a) for a in v]


# ------------------------------------------------------------------------------- state
def _state(ctx: InsightContext) -> dict[str, Any]:
    return ctx.store.get_docs(META).get("state", {})


def _resolve(tid: int, cur: dict[str, dict[str, Any]]) -> int:
    """Follow ``merged_into`` links to the surviving theme."""
    seen = set()
    while str(tid) in cur and cur[str(tid)].get("merged_into") is not None and tid not in seen:
        seen.add(tid)
        tid = int(cur[str(tid)]["merged_into"])
    return tid


def _previous(ctx: InsightContext, s: pd.DataFrame, cur: dict[str, dict[str, Any]]) -> np.ndarray:
    """Previous theme of each sentence (merges applied; -1 when none or retired)."""
    prev = ctx.store.get_table(ASSIGN_TABLE)
    if prev is None or prev.empty:
        return np.full(len(s), -1, np.int32)
    m = s[["item_id", "idx"]].merge(prev[["item_id", "idx", "theme_id"]], on=["item_id", "idx"], how="left")
    t = m["theme_id"].fillna(-1).astype(int).to_numpy()
    mapped = np.array([_resolve(int(x), cur) if x >= 0 else -1 for x in t], dtype=np.int32)
    retired = {int(k) for k, v in cur.items() if v.get("split_into")}
    if retired:
        mapped[np.isin(mapped, list(retired))] = -1
    return mapped


# ------------------------------------------------------------------------------- discovery
def discover_themes(
    ctx: InsightContext,
    *,
    seed: int | None = None,
    min_size: int | None = None,
    incremental: bool = True,
    filters: Filters | None = None,
    max_outliers: float = 0.08,
) -> pd.DataFrame:
    """Discover (or update) themes and store them; returns :func:`themes`' table.

    ``df.attrs`` holds ``unassigned_share`` (customer sentences with words but no theme),
    ``unassigned_items_share`` and ``n_sentences``."""
    state = _state(ctx)
    seed = int(state.get("seed", 0) if seed is None else seed)
    s = customer_sentences(ctx, filters)
    n = len(s)
    min_size = int(min_size or state.get("min_size") or max(5, min(50, n // 400)))
    cur = ctx.store.get_docs(CURATION)
    next_id = int(state.get("next_id", 1))
    if n == 0:
        raise EscuchaError("no customer sentences to find themes in: ingest and analyse first", field="sentences")
    norm = s["_norm"].tolist()
    asp = restrict_aspects(s["_aspects"].tolist())
    s["_aspects"] = asp
    rep = Representation(seed=seed).fit(norm, asp)
    x = rep.transform(norm, asp)
    counts, _vocab = count_matrix(norm, asp, seed=seed)
    empty = ~s["_content"].to_numpy()
    prev = _previous(ctx, s, cur) if incremental else np.full(n, -1, np.int32)
    prev_any = _previous(ctx, s, cur)

    # pending splits: the members of a theme marked for splitting become two new themes
    for key, c in list(cur.items()):
        if c.get("split") and not c.get("split_into"):
            tid = int(key)
            rows = np.flatnonzero(prev_any == tid)
            children = [next_id, next_id + 1]
            next_id += 2
            if len(rows) >= 2:
                xs = x[rows]
                init = unit(xs[[0, int(np.argmin(xs @ xs[0]))]])
                c2 = spherical_kmeans(xs, init)
                lab2, _ = nearest(xs, c2)
                prev_any[rows] = np.where(lab2 == 0, children[0], children[1])
                if incremental:
                    prev[rows] = prev_any[rows]
            cur[key] = {**c, "split_into": children, "split": False}
            for ch in children:
                cur[str(ch)] = {"split_from": tid}
    pinned = {int(k) for k, v in cur.items() if v.get("pinned") and not v.get("merged_into")}

    labels = np.full(n, -1, np.int32)
    if incremental and (prev >= 0).any():
        labels, next_id = _update(x, counts, asp, prev, empty, seed, min_size, max_outliers, next_id)
    else:
        labels, next_id = _full(x, counts, asp, prev_any, pinned, empty, seed, min_size, max_outliers, next_id)
    labels, next_id = split_catch_alls(x, labels, pinned, next_id, seed)
    labels = drop_remainders(counts, labels, pinned)  # sentences about nothing in particular: no theme

    ids = sorted(int(t) for t in np.unique(labels) if t >= 0)
    index = {t: i for i, t in enumerate(ids)}
    lab_idx = np.array([index.get(int(t), -1) for t in labels], dtype=np.int32)
    cents = centroids_of(x, lab_idx, len(ids))
    sims = np.einsum("ij,ij->i", x, cents[np.maximum(lab_idx, 0)]) if ids else np.zeros(n, np.float32)
    sims = np.where(lab_idx >= 0, sims, 0.0).astype(np.float32)

    # a voice's theme: the one whose words best explain all its customer sentences
    item_codes, items = pd.factorize(s["item_id"])
    if ids:
        item_theme = _voice_themes(counts, item_codes, len(items), lab_idx, np.array(ids, dtype=np.int32))
    else:
        item_theme = np.full(len(items), -1, np.int32)

    emotions = item_emotions(ctx, filters)
    desc = describe(s, labels, sims, emotions)
    old_docs = ctx.store.get_docs(DOCS)
    propose_names(desc, ctx.settings, old_docs)  # only when an endpoint is configured
    now = datetime.now(UTC).isoformat()
    docs: dict[str, dict[str, Any]] = {}
    for tid in ids:
        d = desc[tid]
        c = cur.get(str(tid), {})
        old = old_docs.get(str(tid), {})
        label = d.pop("name", None) or label_from(d["key_phrases"])
        if c.get("pinned") and c.get("label"):
            label, d["key_phrases"] = c["label"], c.get("key_phrases", d["key_phrases"])
        if c.get("name"):
            label = c["name"]
        docs[str(tid)] = {
            "id": tid, "label": label, **d,
            "pinned": bool(c.get("pinned")), "renamed": bool(c.get("name")),
            "name_source": "analyst" if c.get("name") or (c.get("pinned") and c.get("label"))
            else d.get("name_source", "phrases"),
            "merged_from": sorted(int(k) for k, v in cur.items() if v.get("merged_into") is not None
                                  and _resolve(int(k), cur) == tid),
            "split_from": c.get("split_from"),
            "created_at": old.get("created_at", now), "updated_at": now,
        }  # fmt: skip
    with_words = ~empty
    share = float(np.mean(labels[with_words] < 0)) if with_words.any() else 0.0
    item_share = float(np.mean(item_theme < 0)) if len(items) else 0.0
    ctx.store.delete_docs(DOCS)
    ctx.store.put_docs(DOCS, docs)
    if cur:
        ctx.store.put_docs(CURATION, cur)
    meta = {
        "seed": seed, "min_size": min_size, "next_id": next_id, "n_sentences": n,
        "n_themes": len(ids), "unassigned_share": round(share, 4),
        "unassigned_items_share": round(item_share, 4), "run_at": now,
    }  # fmt: skip
    ctx.store.put_docs(META, {"state": meta})
    ctx.store.put_table(
        ASSIGN_TABLE,
        pd.DataFrame({"item_id": s["item_id"], "idx": s["idx"].astype("int32"), "theme_id": labels,
                      "similarity": sims}),
    )  # fmt: skip
    ctx.store.put_table(ITEM_TABLE, pd.DataFrame({"item_id": items.astype(str), "theme_id": item_theme}))
    log.info("themes: %d themes over %d sentences (%.1f%% unassigned)", len(ids), n, 100 * share)
    return themes(ctx)


def _full(
    x: np.ndarray,
    counts: sp.csr_matrix,
    asp: Sequence[Sequence[str]],
    prev: np.ndarray,
    pinned: set[int],
    empty: np.ndarray,
    seed: int,
    min_size: int,
    max_outliers: float,
    next_id: int,
) -> tuple[np.ndarray, int]:
    """Cluster everything; pinned themes are fixed seeds; ids kept by overlap with earlier themes."""
    pin_ids = sorted(t for t in pinned if (prev == t).any())
    fixed = np.stack([x[prev == t].mean(axis=0) for t in pin_ids]) if pin_ids else None
    cl = cluster(x, asp, seed=seed, min_size=min_size, fixed=fixed, max_outliers=max_outliers)
    k = cl.centroids.shape[0]
    pin_rows = np.isin(prev, pin_ids) if pin_ids else np.zeros(len(prev), bool)
    start = np.where(pin_rows, np.searchsorted(pin_ids, prev), cl.labels) if pin_ids else cl.labels
    lab, _lp, _pr = refine(counts, np.where(empty, -1, start).astype(np.int32), k, fixed_rows=pin_rows)
    lab = np.where(cl.labels < 0, -1, lab) if not pin_ids else np.where((cl.labels < 0) & ~pin_rows, -1, lab)
    lab = _drop_small(lab, min_size, keep=set(range(len(pin_ids))))
    lab = _merge_close(counts, lab, len(pin_ids), pin_rows)
    lab = _drop_small(lab, min_size, keep=set(range(len(pin_ids))))
    # map cluster index → theme id
    mapping: dict[int, int] = {j: pin_ids[j] for j in range(len(pin_ids))}
    used = set(pin_ids)
    for j in sorted({int(v) for v in np.unique(lab) if v >= len(pin_ids)}):
        members = prev[lab == j]
        members = members[members >= 0]
        if len(members):
            vals, cnt = np.unique(members, return_counts=True)
            order = np.argsort(-cnt)
            for o in order:
                if int(vals[o]) not in used and cnt[o] >= 0.3 * (lab == j).sum():
                    mapping[j] = int(vals[o])
                    used.add(int(vals[o]))
                    break
        if j not in mapping:
            mapping[j] = next_id
            next_id += 1
    out = np.array([mapping.get(int(v), -1) if v >= 0 else -1 for v in lab], dtype=np.int32)
    return out, next_id


def _merge_close(counts: sp.csr_matrix, lab: np.ndarray, n_fixed: int, fixed_rows: np.ndarray) -> np.ndarray:
    """Merge themes whose word profiles are close (pinned ones stay apart), then re-fit words."""
    present = sorted(set(np.unique(lab[lab >= 0]).tolist()) | set(range(n_fixed)))
    if len(present) - n_fixed < 2:
        return lab
    remap = np.full(max(present) + 1, -1, np.int32)
    remap[present] = np.arange(len(present), dtype=np.int32)
    lab = np.where(lab >= 0, remap[np.maximum(lab, 0)], -1).astype(np.int32)
    logp, _prior = word_logp(counts, lab, len(present), bg_mix=0.0)
    to = merge_close(logp, MERGE_DISTANCE, n_fixed)
    if len(np.unique(to)) == len(present):
        return lab
    lab = np.where(lab >= 0, to[np.maximum(lab, 0)], -1).astype(np.int32)
    new, _lp, _pr = refine(counts, lab, int(to.max()) + 1, fixed_rows=fixed_rows)
    return np.where(lab < 0, -1, new).astype(np.int32)


def _voice_themes(
    counts: sp.csr_matrix, item_codes: np.ndarray, n_items: int, lab_idx: np.ndarray, ids: np.ndarray
) -> np.ndarray:
    """Each voice's theme: the one whose words best explain all its customer sentences, sharpened
    by a few hard-EM passes over whole voices (short voices borrow context from each other)."""
    n = counts.shape[0]
    logp, prior = word_logp(counts, lab_idx, len(ids), VOICE_ALPHA)
    g = sp.csr_matrix((np.ones(n, np.float32), (item_codes, np.arange(n))), shape=(n_items, n))
    vc = (g @ counts).tocsr()
    vc.data[:] = 1.0
    has = (np.bincount(item_codes[lab_idx >= 0], minlength=n_items) > 0) | (np.asarray(vc.sum(axis=1)).ravel() > 0)
    best, _m = scores(vc, logp, prior)
    start = np.where(has, best, -1).astype(np.int32)
    if ITEM_ITERS:
        best, _lp, _pr = refine(vc, start, len(ids), iters=ITEM_ITERS, alpha=VOICE_ALPHA)
    return np.where(has, ids[np.maximum(best, 0)], -1).astype(np.int32)


def _drop_small(lab: np.ndarray, min_size: int, keep: set[int]) -> np.ndarray:
    ids, cnt = np.unique(lab[lab >= 0], return_counts=True)
    small = [int(i) for i, c in zip(ids, cnt, strict=True) if c < min_size and int(i) not in keep]
    return np.where(np.isin(lab, small), -1, lab).astype(np.int32) if small else lab


def _update(
    x: np.ndarray,
    counts: sp.csr_matrix,
    asp: Sequence[Sequence[str]],
    prev: np.ndarray,
    empty: np.ndarray,
    seed: int,
    min_size: int,
    max_outliers: float,
    next_id: int,
) -> tuple[np.ndarray, int]:
    """Keep earlier assignments; new sentences join the nearest theme or form new themes."""
    labels = prev.copy()
    old_ids = sorted(int(t) for t in np.unique(prev) if t >= 0)
    index = np.array([old_ids.index(int(t)) if t >= 0 else -1 for t in prev], dtype=np.int32)
    cents = centroids_of(x, index, len(old_ids))
    own = np.einsum("ij,ij->i", x, cents[np.maximum(index, 0)])
    floor = np.array([np.quantile(own[index == j], 0.10) for j in range(len(old_ids))], dtype=np.float32)
    todo = np.flatnonzero((prev < 0) & ~empty)
    if len(todo):
        near, sim = nearest(x[todo], cents)
        join = sim >= floor[near]
        labels[todo[join]] = np.array(old_ids, dtype=np.int32)[near[join]]
        left = todo[~join]
        if len(left) >= 2 * min_size:
            sub_lab, next_id = _full(
                x[left], counts[left], [asp[i] for i in left], np.full(len(left), -1, np.int32),
                set(), empty[left], seed, min_size, max_outliers, next_id,
            )
            labels[left] = sub_lab
    return labels, next_id


# ------------------------------------------------------------------------------- reading
def themes(ctx: InsightContext) -> pd.DataFrame:
    """Stored themes, largest first (one row per theme); ``attrs`` has the run's summary."""
    docs = ctx.store.get_docs(DOCS)
    cols = ["id", "label", "size", "items", "customers", "share_negative", "share_positive",
            "dominant_emotion", "trend", "trend_p", "key_phrases", "quotes", "first_raised", "language",
            "aspects", "pinned", "renamed", "merged_from", "split_from"]  # fmt: skip
    df = pd.DataFrame(list(docs.values()))
    df = pd.DataFrame(columns=cols) if df.empty else df.sort_values(["size", "id"], ascending=[False, True])
    df = df.reset_index(drop=True)
    df.attrs.update(_state(ctx))
    return df


def item_themes(ctx: InsightContext) -> pd.DataFrame:
    """One row per voice: item_id, theme_id (-1 when none)."""
    t = ctx.store.get_table(ITEM_TABLE)
    return pd.DataFrame(columns=["item_id", "theme_id"]) if t is None else t


def theme_sentences(ctx: InsightContext, theme_id: int) -> pd.DataFrame:
    """The sentences assigned to a theme, most typical first."""
    a = ctx.store.get_table(ASSIGN_TABLE)
    if a is None:
        return pd.DataFrame(columns=["item_id", "idx", "theme_id", "similarity"])
    return a[a["theme_id"] == int(theme_id)].sort_values("similarity", ascending=False).reset_index(drop=True)


# ------------------------------------------------------------------------------- curation
def _known(ctx: InsightContext, tid: int) -> dict[str, Any]:
    docs = ctx.store.get_docs(DOCS)
    if str(tid) not in docs:
        raise EscuchaError(f"no theme {tid}; see `escucha themes`", record=str(tid), field="theme_id")
    return docs[str(tid)]


def _curate(ctx: InsightContext, tid: int, **changes: Any) -> None:
    cur = ctx.store.get_docs(CURATION)
    ctx.store.put_docs(CURATION, {str(tid): {**cur.get(str(tid), {}), **changes}})


def rename_theme(ctx: InsightContext, theme_id: int, name: str) -> dict[str, Any]:
    """Give a theme an analyst's name (kept on every re-run)."""
    if not name.strip():
        raise EscuchaError("a theme name cannot be empty", record=str(theme_id), field="name")
    doc = _known(ctx, theme_id)
    _curate(ctx, theme_id, name=name.strip())
    doc.update(label=name.strip(), renamed=True)
    ctx.store.put_docs(DOCS, {str(theme_id): doc})
    return doc


def pin_theme(ctx: InsightContext, theme_id: int, pinned: bool = True) -> dict[str, Any]:
    """Pin a theme: its label, key phrases and members' centroid stay as they are on re-runs."""
    doc = _known(ctx, theme_id)
    _curate(ctx, theme_id, pinned=pinned, label=doc["label"], key_phrases=doc.get("key_phrases", []))
    doc["pinned"] = pinned
    ctx.store.put_docs(DOCS, {str(theme_id): doc})
    return doc


def merge_themes(ctx: InsightContext, theme_ids: Sequence[int]) -> pd.DataFrame:
    """Merge themes into the first one (the others' ids are retired for good); re-describes."""
    ids = [int(t) for t in theme_ids]
    if len(ids) < 2:
        raise EscuchaError("merge needs at least two theme ids", field="theme_id")
    for t in ids:
        _known(ctx, t)
    for t in ids[1:]:
        _curate(ctx, t, merged_into=ids[0])
    return discover_themes(ctx, incremental=True)


def split_theme(ctx: InsightContext, theme_id: int) -> pd.DataFrame:
    """Split a theme in two (new ids; the old id is retired); re-describes."""
    _known(ctx, theme_id)
    _curate(ctx, theme_id, split=True)
    return discover_themes(ctx, incremental=True)


# ------------------------------------------------------------------------------- the insight
THEMES_TOP = 10


@register_insight
class Themes(Insight):
    """Themes in the customers' own words (discovered on first use or with ``refresh``)."""

    name = "themes"
    nav_title = titles(en="Themes", es="Temas")
    snapshot_title = titles(en="Rising themes", es="Temas en alza")
    title = titles(en="Themes in their own words", es="Temas en sus propias palabras")
    order = 50
    page = "/themes"

    def compute(self, ctx: InsightContext, refresh: bool = False, **params: Any) -> InsightResult[pd.DataFrame]:
        current = themes(ctx)
        if refresh or current.empty:
            current = discover_themes(ctx, **params)
        return InsightResult(current)

    def section(self, ctx: InsightContext) -> dict[str, Any] | None:
        df = self.compute(ctx).data
        if df.empty:
            return None
        rows = []
        for r in df.head(THEMES_TOP).to_dict("records"):
            fr: dict[str, Any] = r["first_raised"] if isinstance(r.get("first_raised"), dict) else {}
            quotes = [q for q in as_list(r.get("quotes")) if isinstance(q, dict) and q.get("text")]
            if fr.get("text"):
                quotes.append({"text": fr["text"], "customer_id": fr.get("customer_id")})
            quote = next((q for q in quotes if 25 <= len(str(q["text"])) <= 280), quotes[0] if quotes else None)
            rows.append({
                "id": r.get("id"), "label": r.get("label"), "sentences": r.get("size"),
                "voices": r.get("items"), "customers": r.get("customers"),
                "negative_pct": 100 * float(r["share_negative"]) if r.get("share_negative") is not None else None,
                "trend": r.get("trend"), "trend_p": r.get("trend_p"),
                "dominant_emotion": r.get("dominant_emotion"), "key_phrases": as_list(r.get("key_phrases"))[:5],
                "quote": {"text": quote["text"], "customer_id": quote.get("customer_id")} if quote else None,
                "first_raised": {"customer_id": fr.get("customer_id"), "date": day(fr.get("timestamp")),
                                 "text": fr.get("text")} if fr else None,
            })  # fmt: skip
        return {"total": len(df), "themes": rows}

    def table(self, section: Any) -> TableView:
        rows = []
        for th in section["themes"][:8]:
            fr = th.get("first_raised") or {}
            rows.append([str(th["label"]), str(th["voices"]), fmt(th["negative_pct"], 0), str(th["trend"] or "–"),
                         cut((th.get("quote") or {}).get("text"), 70),
                         f"{fr.get('customer_id') or '–'} {fr.get('date') or ''}"])  # fmt: skip
        return TableView("Themes in their own words", [("theme", False), ("voices", True), ("% neg", True),
                         ("trend", False), ("quote", False), ("first raised", False)], rows)  # fmt: skip

    def snapshot(self, ctx: InsightContext, limit: int = 5) -> list[dict[str, Any]]:
        return snapshot_section(ctx, limit)
