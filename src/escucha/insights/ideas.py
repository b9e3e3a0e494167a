"""Ideas board: customers' suggestions grouped into ideas, with supporters and the first proposer.

Suggestion sentences are customer sentences that propose something (``ideas_text.is_suggestion``:
typo-tolerant wish and suggestion markers, look-alikes such as reproaches, own-case demands and
sarcasm kept out). The wish wording is removed, the rest is vectorised (TF-IDF words +
characters, plus the sentence's aspects) and grouped by average-linkage clustering.
"""

from __future__ import annotations

import json
import re
from typing import Any, cast

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.cluster import AgglomerativeClustering
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize as l2

from escucha.insights.base import (
    Insight,
    InsightContext,
    InsightResult,
    TableView,
    cut,
    day,
    register_insight,
    titles,
)
from escucha.insights.ideas_text import is_suggestion
from escucha.insights.themes import customer_sentences
from escucha.insights.themes_describe import key_phrases, readable_label
from escucha.insights.themes_text import STOP_WORDS, TOKEN, content_tokens
from escucha.nlp.lexicons import fold
from escucha.store import Filters

_WISH = re.compile(
    r"\b(?:estaria|seria|genial|puntazo|ojala|se\s+pudiera|por\s+que\s+no|dejais|deberiais|dejar|"
    r"sugerencia|dejad|echo\s+de\s+menos|me\s+encantaria|lo\s+unico\s+que|pediria|es|una\s+mejora|"
    r"que\s+se\s+pueda|por\s+favor|permitid|haria\s+falta|os\s+lo\s+pido|poder|would|love|please|"
    r"let|customers|suggestion|idea|great|nice|should|could|wish|it|be|to|mejorar|room|improvement|"
    r"one\s+request|request|why\s+can'?t\s+i|really\s+help|help|people|les\s+lo\s+pido|la\s+neta)\b"
)



def suggestion_sentences(ctx: InsightContext) -> pd.DataFrame:
    """Customer sentences that propose something (with normalised text and aspects)."""
    s = customer_sentences(ctx, employees=True)  # employees' ideas count when enough back them
    if s.empty:
        return s
    ruled = _rule_evidence(ctx)
    mask = np.array([is_suggestion(t) or any(e in fold(t) for e in ruled.get(i, ())) for i, t in
                     zip(s["item_id"], s["text"].fillna(""), strict=True)], dtype=bool)  # fmt: skip
    s = s[mask & s["_content"].to_numpy()].reset_index(drop=True)
    keep = [len(_idea_text(t).split()) >= 2 for t in s["_norm"]]
    out: pd.DataFrame = s[np.array(keep, dtype=bool)].reset_index(drop=True)
    return out


def _rule_evidence(ctx: InsightContext) -> dict[str, list[str]]:
    """Per voice, the folded terms by which the company's rules (``rules.yaml``) gave it the
    suggestion intent: the sentences holding them are suggestions whatever their wording."""
    items = ctx.store.items(Filters(intent=["suggestion"]))
    out: dict[str, list[str]] = {}
    for iid, ex in zip(items.get("id", []), items.get("extras", []), strict=True):
        if isinstance(ex, str):
            ex = json.loads(ex or "{}")
        ev = ((ex or {}).get("intent_evidence") or {}).get("suggestion") or []
        terms = [fold(e[5:]) for e in ev if isinstance(e, str) and e.startswith("rule:") and len(e) > 5]
        if terms:
            out[str(iid)] = terms
    return out


def _idea_text(norm: str) -> str:
    return " ".join(w for w in content_tokens(_WISH.sub(" ", norm)))


def grouped_suggestions(ctx: InsightContext, *, distance: float = 0.8) -> pd.DataFrame:
    """Suggestion sentences with their idea (``_idea``), wish-free text (``_core``) and supporter
    (``_who``: the customer id, else the voice). Employees' suggestions stay only in ideas backed by
    at least ``employee_min_group`` employees: fewer would single people out."""
    s = suggestion_sentences(ctx)
    if len(s) < 2:
        return s.iloc[0:0]
    core = [_idea_text(t) or t for t in s["_norm"]]
    x = _vectors(core, s["_aspects"].tolist())
    if len(s) > 6000:
        from escucha.insights.themes_cluster import cluster

        lab = cluster(x, seed=0, min_size=3, n_extra=max(10, len(s) // 60), max_outliers=0.0).labels
    else:
        lab = AgglomerativeClustering(
            n_clusters=None, distance_threshold=distance, metric="cosine", linkage="average"
        ).fit_predict(x)
    lab = merge_duplicates(x, np.asarray(lab), core)
    s = s.assign(_idea=lab, _core=core)
    s["_who"] = s["customer_id"].fillna("item:" + s["item_id"].astype(str))
    return _employee_anonymity(s, ctx.settings.employee_min_group)


def ideas(ctx: InsightContext, top: int = 20, *, distance: float = 0.8, min_supporters: int = 2) -> list[dict[str, Any]]:
    """Ideas ranked by distinct supporters: label, key phrases, supporters, quotes, first proposer
    (quotes and proposer carry their channel)."""
    # once per context: the page result and the report section share it (minutes at 1M voices)
    s = ctx.memo(f"ideas.grouped:{distance}", lambda: grouped_suggestions(ctx, distance=distance))
    if s.empty:
        return []
    groups = {int(cast(int, k)): g["_core"].tolist() for k, g in s.groupby("_idea")}
    phrases = key_phrases(groups)
    multi = key_phrases(groups, ngrams=(2, 3))
    out: list[dict[str, Any]] = []
    for k, g in s.groupby("_idea"):
        supporters = int(g["_who"].nunique())
        if supporters < min_supporters:
            continue
        dated = g.sort_values(["timestamp", "item_id", "idx"], na_position="last")
        f = dated.iloc[0]
        quotes, seen = [], set()
        for r in dated.itertuples():
            key = cast(str, r.text).lower()
            if key in seen:
                continue
            seen.add(key)
            quotes.append({"item_id": r.item_id, "customer_id": r.customer_id, "channel": r.channel,
                           "text": r.text})
            if len(quotes) == 3:
                break
        kp = phrases.get(int(cast(int, k)), [])
        out.append({
            "label": readable_label(kp, g["text"].astype(str).tolist(), multi.get(int(cast(int, k)), [])),
            "key_phrases": kp, "supporters": supporters,
            "mentions": len(g), "languages": sorted(g["language"].dropna().unique().tolist()),
            "first_proposer": {
                "customer_id": None if pd.isna(f["customer_id"]) else f["customer_id"],
                "item_id": f["item_id"], "channel": f["channel"],
                "date": None if pd.isna(f["timestamp"]) else pd.Timestamp(f["timestamp"]).isoformat(),
                "text": f["text"],
            },
            "quotes": quotes,
        })  # fmt: skip
    out.sort(key=lambda d: (-d["supporters"], -d["mentions"], d["label"]))
    for i, d in enumerate(out, 1):
        d["rank"] = i
    return out[:top]


DUPLICATE_SIMILARITY = 0.1  # centroid cosine two ideas need, besides a shared key word, to be one


def merge_duplicates(x: Any, lab: np.ndarray, core: list[str]) -> np.ndarray:
    """Labels with duplicate ideas merged: a smaller idea joins a larger one when a word of its
    top key phrases is among the larger one's key words and their centroids point the same way
    (``DUPLICATE_SIMILARITY``) — "escoger franja horaria" and "elegir una franja para el
    reparto" are one idea worded twice."""
    lab = lab.copy()
    for _ in range(20):  # a few passes: merges can chain
        ids = [int(k) for k in sorted(set(lab.tolist()), key=lambda k: -int((lab == k).sum()))]
        if len(ids) < 2:
            return lab
        groups = {k: [core[i] for i in np.flatnonzero(lab == k)] for k in ids}
        phrases = key_phrases(groups)
        words = {k: {w for p in phrases.get(k, [])[:6] for w in p.split()} for k in ids}
        top = {k: {w for p in phrases.get(k, [])[:2] for w in p.split()} for k in ids}
        cent = {k: np.asarray(x[lab == k].mean(axis=0)).ravel() for k in ids}
        norm = {k: v / (np.linalg.norm(v) or 1.0) for k, v in cent.items()}
        merged = False
        for small in ids[::-1]:
            best = max(((float(norm[small] @ norm[big]), big) for big in ids
                        if big != small and (lab == big).sum() >= (lab == small).sum() and top[small] & words[big]),
                       default=(0.0, -1))  # fmt: skip
            if best[0] >= DUPLICATE_SIMILARITY:
                lab[lab == small] = best[1]
                merged = True
                break
        if not merged:
            return lab
    return lab


def _employee_anonymity(s: pd.DataFrame, k: int) -> pd.DataFrame:
    """``s`` without the employee sentences of ideas that fewer than ``k`` employees back."""
    emp = (s["channel"] == "employee").to_numpy()
    n = s[emp].groupby("_idea")["_who"].nunique()
    few = s["_idea"].isin(n[n < k].index).to_numpy()
    return s[~(emp & few)]


LSA_DIMS = 128  # dimensions the suggestions are reduced to when there are more than 6,000


def _vectors(texts: list[str], aspects: list[list[str]]) -> np.ndarray:
    word = TfidfVectorizer(token_pattern=TOKEN.pattern, stop_words=sorted(STOP_WORDS), sublinear_tf=True)
    char = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True)
    parts = []
    for vec, w in ((word, 1.0), (char, 0.7)):
        try:
            parts.append(vec.fit_transform(texts) * w)
        except ValueError:
            continue
    names = sorted({a for lst in aspects for a in lst})
    if names:
        pos = {a: i for i, a in enumerate(names)}
        rows = [r for r, lst in enumerate(aspects) for _ in lst]
        cols = [pos[a] for lst in aspects for a in lst]
        parts.append(sp.csr_matrix((np.full(len(rows), 0.8), (rows, cols)), shape=(len(texts), len(names))))
    m = sp.hstack(parts, format="csr") if parts else sp.csr_matrix(np.ones((len(texts), 1)))
    if m.shape[0] <= 6000:
        return np.asarray(l2(m).todense(), dtype=np.float32)
    # many suggestions: dense rows of the full vocabulary would not fit; LSA keeps what groups them
    from sklearn.decomposition import TruncatedSVD

    k = max(2, min(LSA_DIMS, m.shape[1] - 1))
    z = TruncatedSVD(n_components=k, algorithm="randomized", n_iter=4, random_state=0).fit_transform(l2(m))
    out: np.ndarray = l2(z).astype(np.float32)
    return out


# ------------------------------------------------------------------------ the insight
IDEAS_TOP = 10


@register_insight
class Ideas(Insight):
    """The ideas board: suggestions clustered, with supporters and the first proposer."""

    name = "ideas"
    nav_title = titles(en="Ideas", es="Ideas")
    title = titles(en="Ideas board", es="Tablón de ideas")
    snapshot_title = titles(en="Most supported ideas", es="Ideas con más apoyos")
    order = 60
    page = "/ideas"

    def compute(self, ctx: InsightContext, top: int = 20, **params: Any) -> InsightResult[list[dict[str, Any]]]:
        return InsightResult(ideas(ctx, top=top, **params))

    def section(self, ctx: InsightContext) -> list[dict[str, Any]] | None:
        out = []
        for i in ideas(ctx, top=IDEAS_TOP):
            fp = i.get("first_proposer") or {}
            others = [q.get("text") for q in i.get("quotes") or [] if q.get("text") != fp.get("text")][:2]
            out.append({
                "rank": i.get("rank"), "label": i.get("label"), "supporters": i.get("supporters"),
                "mentions": i.get("mentions"), "languages": i.get("languages"),
                "first_proposer": {"customer_id": fp.get("customer_id"), "date": day(fp.get("date")),
                                   "text": fp.get("text"), "channel": fp.get("channel")},
                "quotes": others,
            })  # fmt: skip
        return out or None

    def snapshot(self, ctx: InsightContext, limit: int = 5) -> list[dict[str, Any]]:
        from escucha.insights.lead_boxes import ideas_snapshot

        return ideas_snapshot(ctx)

    def table(self, section: Any) -> TableView:
        rows = []
        for i in section[:8]:
            fp = i["first_proposer"]
            rows.append([str(i["label"]), str(i["supporters"]),
                         f"{fp.get('customer_id') or 'anonymous'} {fp.get('date') or ''}", cut(fp.get("text"), 70)])
        return TableView("Ideas board", [("idea", False), ("supporters", True), ("first proposer", False),
                                         ("quote", False)], rows)  # fmt: skip
