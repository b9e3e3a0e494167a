"""Needs-based customer segments: per-customer profiles clustered with KMeans.

Profile per customer (from their voices): share of voices mentioning each aspect, mean sentiment
per aspect, intent shares, mean emotions and channel shares. Features are standardised; k is
chosen by silhouette (2..8, seeded) unless given. Each segment is described in words (es, en) by
its most over-indexed aspects and intents, with size, NPS, sentiment index and churn-threat share.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import numpy as np
import pandas as pd

from escucha.insights.base import (
    Insight,
    InsightContext,
    InsightResult,
    TableView,
    fmt,
    register_insight,
    titles,
)
from escucha.insights.inputs import aspect_labels, customer_aspects, customer_items
from escucha.insights.metrics import net_score

MIN_K, MAX_K = 3, 8
MIN_SEGMENT_SHARE = 0.05  # every segment holds at least this share of the customers
INTENT_WORDS = {
    "complaint": ("quejas", "complaints"), "praise": ("elogios", "praise"),
    "suggestion": ("sugerencias", "suggestions"), "question": ("preguntas", "questions"),
    "churn_threat": ("amenazas de baja", "churn threats"),
    "public_threat": ("amenazas de hacerlo público", "public threats"),
}


def profiles(ctx: InsightContext, min_voices: int = 1) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(features per customer, the customers' voices)."""
    items = customer_items(ctx)
    items = items[items["customer_id"].notna()]
    counts = items["customer_id"].value_counts()
    items = items[items["customer_id"].isin(counts[counts >= min_voices].index)]
    n = items.groupby("customer_id").size()
    feats = []
    from escucha.insights.drivers import own_domains

    a = own_domains(ctx, customer_aspects(ctx, items))  # a hotel's customers need no airline crew
    if not a.empty:
        ai = a.drop_duplicates(["item_id", "aspect"])
        share = ai.groupby(["customer_id", "aspect"]).size().unstack(fill_value=0)
        share = share.div(n, axis=0).add_prefix("aspect:")
        sent = a.groupby(["customer_id", "aspect"])["aspect_score"].mean().unstack()
        feats += [share, sent.fillna(0).add_prefix("sent:")]
    intents = items[["customer_id", "intents"]].explode("intents").dropna()
    if len(intents):
        feats.append(pd.crosstab(intents["customer_id"], intents["intents"]).div(n, axis=0)
                     .add_prefix("intent:"))
    emo = items["emotions"].map(lambda e: json.loads(e) if isinstance(e, str) else (e or {}))
    emo_df = pd.DataFrame(emo.tolist(), index=items.index).fillna(0)
    emo_df["customer_id"] = items["customer_id"]
    feats.append(emo_df.groupby("customer_id").mean().add_prefix("emotion:"))
    feats.append(pd.crosstab(items["customer_id"], items["channel"]).div(n, axis=0)
                 .add_prefix("channel:"))
    X = pd.concat(feats, axis=1).reindex(n.index).fillna(0.0)
    return X, items


def segments(ctx: InsightContext, k: int | None = None, seed: int = 0, lang: str = "es",
             save: bool = True) -> dict[str, Any]:
    """Cluster customers by needs; returns k, silhouette, segments (described) and assignments
    (clustered once per context for the same ``k`` and ``seed``: the page and its section share it)."""
    out: dict[str, Any] = copy.deepcopy(ctx.memo(f"segments:{k}:{seed}", lambda: _segments(ctx, k, seed)))
    if save and out["segments"]:
        assigned = out["assignments"]
        ctx.store.put_table("customer_segments", pd.DataFrame(
            {"customer_id": list(assigned), "segment": np.array(list(assigned.values()), dtype=np.int32)}))
    return out


def _segments(ctx: InsightContext, k: int | None, seed: int) -> dict[str, Any]:
    from sklearn.cluster import KMeans
    from sklearn.metrics import silhouette_score
    from sklearn.preprocessing import StandardScaler

    X, items = profiles(ctx)
    if len(X) < 10:
        return {"k": 0, "silhouette": None, "customers": len(X), "segments": [],
                "assignments": {}}
    needs = [c for c in X.columns if c.startswith("aspect:")] or list(X.columns)
    Z = StandardScaler().fit_transform(X[needs].to_numpy())  # needs: what each customer talks about
    rng = np.random.default_rng(seed)
    sample = rng.choice(len(Z), size=min(len(Z), 2000), replace=False)
    best: tuple[float, int, np.ndarray] | None = None
    floor = max(1, int(MIN_SEGMENT_SHARE * len(X)))
    for kk in ([k] if k else range(MIN_K, min(MAX_K, len(X) - 1) + 1)):
        km = KMeans(n_clusters=kk, random_state=seed, n_init=4).fit(Z)
        if not k and np.bincount(km.labels_).min() < floor:
            continue  # a segment of a handful of customers is no stable segment
        s = float(silhouette_score(Z[sample], km.labels_[sample])) if kk > 1 else 0.0
        if best is None or s > best[0]:
            best = (s, kk, km.labels_)
    if best is None:  # every k left a tiny segment: the smallest k
        km = KMeans(n_clusters=min(MIN_K, len(X) - 1), random_state=seed, n_init=4).fit(Z)
        best = (float(silhouette_score(Z[sample], km.labels_[sample])), km.n_clusters, km.labels_)
    assert best is not None
    sil, kk, labels = best
    lab_es, lab_en = aspect_labels(ctx, "es"), aspect_labels(ctx, "en")
    means = X.mean()
    sds = X.std().replace(0, 1)
    segs: list[dict[str, Any]] = []
    cust_label = pd.Series(labels, index=X.index)
    for c in range(kk):
        members = X.index[labels == c]
        mx = X.loc[members]
        z = ((mx.mean() - means) / sds).sort_values(ascending=False)
        top = [f for f in z.index if f.startswith("aspect:") and z[f] > 0.2][:3]
        if not top:  # nothing over-indexed: what its customers mention most
            share = mx[[c for c in mx.columns if c.startswith("aspect:")]].mean().sort_values(ascending=False)
            top = [f for f in share.index[:2] if share[f] > 0]
        top += [f for f in z.index if f.startswith("intent:") and z[f] > 0.2][:1]
        voices = items[items["customer_id"].isin(set(members))]
        nps_v = voices["nps"].dropna().astype(float)
        nps = net_score(float((nps_v >= 9).sum()), float((nps_v <= 6).sum()), float(len(nps_v)))
        sv = voices["sentiment"]
        si = net_score(float((sv == "positive").sum()), float((sv == "negative").sum()),
                       float(sv.isin(["positive", "neutral", "negative"]).sum()))
        churn = voices.groupby("customer_id")["intents"].apply(
            lambda x: any("churn_threat" in (v if isinstance(v, list | np.ndarray) else [])
                          for v in x))
        segs.append({
            "id": int(c), "size": len(members), "share": 100 * len(members) / len(X),
            "voices": len(voices),
            "over_indexed": [{"feature": f, "z": float(z[f]),
                              "mean": float(mx[f].mean()), "overall": float(means[f])} for f in top],
            "description_es": _describe(top, z, lab_es, 0, mx, means),
            "description_en": _describe(top, z, lab_en, 1, mx, means),
            "nps": nps[0], "nps_n": len(nps_v), "sentiment_index": si[0],
            "churn_threat_share": 100 * float(churn.mean()) if len(churn) else 0.0,
        })
    segs.sort(key=lambda s: -s["size"])
    return {"k": int(kk), "silhouette": sil, "customers": len(X), "segments": segs,
            "assignments": {str(i): int(v) for i, v in cust_label.items()}}


MOTIVES = {
    "complaint": ("con quejas", "complaining"), "praise": ("contentos", "pleased"),
    "suggestion": ("proponiendo mejoras", "suggesting improvements"), "question": ("con dudas", "asking questions"),
    "churn_threat": ("a punto de irse", "about to leave"), "public_threat": ("amenazando con hacerlo público", "threatening to go public"),
}


def _describe(top: list[str], z: pd.Series, labels: dict[str, str], li: int, mx: pd.DataFrame,
              means: pd.Series) -> str:
    """What the segment needs, in words: the aspects its customers talk about far more than the
    rest (with their tone) and, when one stands out, why they write ("complaining")."""
    needs, motive = [], None
    for f in top:
        kind, name = f.split(":", 1)
        if kind == "intent":
            motive = MOTIVES.get(name, INTENT_WORDS.get(name, (name, name)))[li]
            continue
        word = labels.get(name, name)
        sc = float(mx[f"sent:{name}"].mean()) if f"sent:{name}" in mx else 0.0
        tone = (" (negativo)" if sc < -0.1 else " (positivo)" if sc > 0.1 else "") if li == 0 else (
            " (negative)" if sc < -0.1 else " (positive)" if sc > 0.1 else "")
        needs.append(f"{word}{tone}")
    if not needs:
        head = "Sin una necesidad destacada" if li == 0 else "No stand-out need"
    else:
        joined = needs[0] if len(needs) == 1 else ", ".join(needs[:-1]) + (" y " if li == 0 else " and ") + needs[-1]
        head = ("Les importa sobre todo: " if li == 0 else "Care most about: ") + joined
    return f"{head} — {motive}" if motive else head


# ------------------------------------------------------------------------ the insight
@register_insight
class Segments(Insight):
    """Needs-based customer segments, described in words."""

    name = "segments"
    nav_title = titles(en="Segments", es="Segmentos")
    title = titles(en="Segments", es="Segmentos")
    order = 70
    page = "/segments"

    def compute(self, ctx: InsightContext, k: int | None = None, seed: int = 0, lang: str = "es",
                save: bool = True, **params: Any) -> InsightResult[dict[str, Any]]:  # fmt: skip
        return InsightResult(segments(ctx, k=k, seed=seed, lang=lang, save=save))

    def section(self, ctx: InsightContext) -> dict[str, Any] | None:
        seg = segments(ctx, save=False)
        if not seg.get("segments"):
            return None
        keep = ("id", "size", "share", "voices", "description_en", "description_es", "nps", "nps_n",
                "sentiment_index", "churn_threat_share")
        return {"k": seg.get("k"), "silhouette": seg.get("silhouette"), "customers": seg.get("customers"),
                "segments": [{k: s.get(k) for k in keep} for s in seg["segments"]]}  # fmt: skip

    def table(self, section: Any) -> TableView:
        rows = [[s["description_en"] or "", f"{s['size']} ({fmt(s['share'], 0)}%)", fmt(s["nps"]),
                 fmt(s["sentiment_index"]), fmt(s["churn_threat_share"])] for s in section["segments"]]
        return TableView(f"Segments ({section['customers']:,} customers, k={section['k']})",
                         [("segment", False), ("customers", True), ("NPS", True), ("sentiment", True),
                          ("% churn", True)], rows)  # fmt: skip
