"""Needs-based customer segments: per-customer profiles clustered with KMeans.

Profile per customer (from their voices): share of voices mentioning each aspect, mean sentiment
per aspect, intent shares, mean emotions and channel shares. Features are standardised; k is
chosen by silhouette (2..8, seeded) unless given. Each segment is described in words (es, en) by
its most over-indexed aspects and intents, with size, NPS, sentiment index and churn-threat share.
"""

from __future__ import annotations

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
    a = customer_aspects(ctx, items)
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
    """Cluster customers by needs; returns k, silhouette, segments (described) and assignments."""
    from sklearn.cluster import KMeans
    from sklearn.metrics import silhouette_score
    from sklearn.preprocessing import StandardScaler

    X, items = profiles(ctx)
    if len(X) < 10:
        return {"k": 0, "silhouette": None, "customers": len(X), "segments": [],
                "assignments": {}}
    Z = StandardScaler().fit_transform(X.to_numpy())
    rng = np.random.default_rng(seed)
    sample = rng.choice(len(Z), size=min(len(Z), 2000), replace=False)
    best: tuple[float, int, np.ndarray] | None = None
    for kk in ([k] if k else range(2, min(8, len(X) - 1) + 1)):
        km = KMeans(n_clusters=kk, random_state=seed, n_init=4).fit(Z)
        s = float(silhouette_score(Z[sample], km.labels_[sample])) if kk > 1 else 0.0
        if best is None or s > best[0]:
            best = (s, kk, km.labels_)
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
        top = [f for f in z.index if f.startswith(("aspect:", "intent:")) and z[f] > 0.2][:4]
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
    out = {"k": int(kk), "silhouette": sil, "customers": len(X), "segments": segs,
           "assignments": {str(i): int(v) for i, v in cust_label.items()}}
    if save:
        ctx.store.put_table("customer_segments", pd.DataFrame(
            {"customer_id": cust_label.index.astype(str), "segment": cust_label.to_numpy()}))
    return out


def _describe(top: list[str], z: pd.Series, labels: dict[str, str], li: int, mx: pd.DataFrame,
              means: pd.Series) -> str:
    if not top:
        return ("Clientes sin necesidades destacadas" if li == 0
                else "Customers without a stand-out need")
    parts = []
    for f in top:
        kind, name = f.split(":", 1)
        lift = mx[f].mean() / means[f] if means[f] > 0 else float("inf")
        word = labels.get(name, name) if kind == "aspect" else INTENT_WORDS.get(name, (name, name))[li]
        tone = ""
        if kind == "aspect" and f"sent:{name}" in mx:
            sc = float(mx[f"sent:{name}"].mean())
            tone = ((" (negativo)" if sc < -0.1 else " (positivo)" if sc > 0.1 else "") if li == 0
                    else (" (negative)" if sc < -0.1 else " (positive)" if sc > 0.1 else ""))
        parts.append(f"{word}{tone} ×{lift:.1f}" if np.isfinite(lift) else f"{word}{tone}")
    head = "Hablan más de " if li == 0 else "Talk more about "
    return head + ", ".join(parts)


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
