"""Key-driver analysis: which aspects (and themes) move NPS, CSAT, rating or sentiment.

Per driver: mentions, performance among mentioners, the exact NPS impact of its detractors
(ΔNPS = 100 · detractors mentioning it / all respondents: the points NPS would gain if those
detractors became passives), a regression importance (OLS of the score on sentiment-signed
driver indicators, seeded bootstrap 95% CIs) and an importance × performance quadrant.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from escucha.errors import ConfigError
from escucha.insights.base import (
    Insight,
    InsightContext,
    InsightResult,
    TableView,
    fmt,
    register_insight,
    titles,
)
from escucha.insights.inputs import aspect_labels, customer_aspects, customer_items, theme_rows
from escucha.insights.metrics import net_score, to_records

TARGETS: tuple[str, ...] = ("nps", "csat", "ces", "rating", "sentiment")
QUADRANTS: tuple[str, ...] = ("fix now", "keep up", "maintain", "low priority")
MIN_RESPONDENTS = 30


def nps_impact(detractors_with_driver: int, n_total: int) -> float:
    """NPS points gained if the driver's detractors became passives: 100 · d / n."""
    return 100.0 * detractors_with_driver / n_total if n_total else math.nan


def quadrant(importance: float, performance: float, imp_cut: float, perf_cut: float) -> str:
    """Importance × performance quadrant: fix now, keep up, maintain or low priority."""
    high_imp = importance >= imp_cut
    high_perf = performance >= perf_cut
    if high_imp and not high_perf:
        return "fix now"
    if high_imp:
        return "keep up"
    return "maintain" if high_perf else "low priority"


def ols_importance(
    X: np.ndarray | sp.spmatrix, y: np.ndarray, n_boot: int = 200, seed: int = 0
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """OLS coefficients (intercept dropped) with percentile bootstrap 95% CIs.

    Each bootstrap resample (``n`` rows drawn with replacement, seeded) is fitted through its
    weighted normal equations: a row drawn ``w`` times weighs ``w``. That is the same fit as
    least squares on the resampled rows (the minimum-norm one when a resample leaves a driver
    out), at the cost of the few non-zero cells instead of every row (driver indicators are sparse).
    """
    n, k = X.shape
    A = sp.hstack([np.ones((n, 1)), sp.csr_matrix(X)], format="csr")
    coef = _wls(A, y, np.ones(n))[1:]
    rng = np.random.default_rng(seed)
    boots = np.empty((n_boot, k))
    for b in range(n_boot):
        w = np.bincount(rng.integers(0, n, n), minlength=n).astype(float)
        boots[b] = _wls(A, y, w)[1:]
    lo, hi = np.percentile(boots, [2.5, 97.5], axis=0) if n_boot else (coef * np.nan,) * 2
    return coef, lo, hi


def _wls(A: sp.csr_matrix, y: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Weighted least squares through the normal equations (minimum-norm when singular)."""
    aw = A.multiply(w[:, None]).tocsr()
    gram = (A.T @ aw).toarray()
    rhs = aw.T @ y
    return np.asarray(np.linalg.lstsq(gram, rhs, rcond=None)[0])


def _score_column(target: str) -> str:
    return "sentiment_score" if target == "sentiment" else target


def choose_target(items: pd.DataFrame, target: str = "auto") -> str:
    """``auto``: the first of nps, csat, rating, ces with enough respondents, else sentiment."""
    if target != "auto":
        if target not in TARGETS:
            raise ConfigError(f"unknown target '{target}'; use one of {', '.join(TARGETS)}",
                              field="target")
        return target
    for t in ("nps", "csat", "rating", "ces"):
        if t in items and items[t].notna().sum() >= MIN_RESPONDENTS:
            return t
    return "sentiment"


MIN_DOMAIN_SHARE = 0.15  # a domain pack's share of domain-specific mentions to count as the workspace's


def own_domains(ctx: InsightContext, aspects: pd.DataFrame) -> pd.DataFrame:
    """``aspects`` without the mentions of domain packs that are not this workspace's business:
    a pack counts when it holds at least ``MIN_DOMAIN_SHARE`` of the domain-specific mentions (a
    hotel's reviews say "crew" or "fabric" now and then; airline and retail drivers would mislead)."""
    if aspects.empty:
        return aspects
    from escucha.taxonomy import workspace_taxonomy

    try:
        tax = workspace_taxonomy(ctx.path, ctx.settings.domains)
    except Exception:
        return aspects
    domain = aspects["aspect"].map(lambda a: tax.aspects[a].domain if a in tax.aspects else "general")
    specific = domain[domain != "general"]
    if specific.empty:
        return aspects
    share = specific.value_counts(normalize=True)
    keep = set(share[share >= MIN_DOMAIN_SHARE].index) | {"general"}
    return aspects[domain.isin(keep).to_numpy()]


def driver_rows(ctx: InsightContext, items: pd.DataFrame, source: str = "all") -> pd.DataFrame:
    """(item_id, driver, label, sign) per item and driver: sign +1 positive, -1 negative, 0."""
    frames = []
    if source in ("all", "aspects"):
        a = own_domains(ctx, customer_aspects(ctx, items))
        if not a.empty:
            labels = aspect_labels(ctx)
            g = a.groupby(["item_id", "aspect"])["aspect_score"].mean().reset_index()
            g["sign"] = np.sign(g["aspect_score"].where(g["aspect_score"].abs() >= 0.15, 0.0))
            g = g.rename(columns={"aspect": "driver"})
            g["label"] = g["driver"].map(lambda x: labels.get(x, x))
            frames.append(g[["item_id", "driver", "label", "sign"]])
    if source in ("all", "themes"):
        t = theme_rows(ctx)
        if t is not None:
            t = t[t["item_id"].isin(set(items["id"]))]
            sent = items.set_index("id")["sentiment_score"]
            t = t.drop_duplicates(["item_id", "driver"]).copy()
            sc = t["item_id"].map(sent).fillna(0.0)
            t["sign"] = np.sign(sc.where(sc.abs() >= 0.15, 0.0))
            frames.append(t[["item_id", "driver", "label", "sign"]])
    if not frames:
        return pd.DataFrame(columns=["item_id", "driver", "label", "sign"])
    return pd.concat(frames, ignore_index=True)


def key_drivers(
    items: pd.DataFrame,
    rows: pd.DataFrame,
    target: str = "nps",
    min_mentions: int = 20,
    n_boot: int = 200,
    seed: int = 0,
) -> pd.DataFrame:
    """Key drivers from voices (``id`` + score columns) and (item_id, driver, label, sign) rows."""
    col = _score_column(target)
    cols = ["driver", "label", "mentions", "share", "performance", "performance_others",
            "negative_share", "impact", "importance", "importance_low", "importance_high",
            "quadrant", "target", "n"]
    scored = items[items[col].notna()][["id", col]].copy()
    scored[col] = scored[col].astype(float)
    n = len(scored)
    if n < 2 or rows.empty:
        return pd.DataFrame(columns=cols)
    rows = rows[rows["item_id"].isin(set(scored["id"]))]
    counts = rows.groupby("driver")["item_id"].nunique()
    keep = counts[counts >= min_mentions].index.tolist()
    if not keep:
        return pd.DataFrame(columns=cols)
    pos = pd.Series(np.arange(n), index=scored["id"].to_numpy())
    dpos = pd.Series(np.arange(len(keep)), index=keep)
    cells = rows[rows["driver"].isin(dpos.index)].drop_duplicates(["item_id", "driver"], keep="last")
    ri = pos.reindex(cells["item_id"].to_numpy()).to_numpy()
    ci = dpos.reindex(cells["driver"].to_numpy()).to_numpy()
    X = sp.csr_matrix((cells["sign"].to_numpy(dtype=float), (ri, ci)), shape=(n, len(keep)))
    M = sp.csc_matrix((np.ones(len(ri), dtype=bool), (ri, ci)), shape=(n, len(keep)))
    y = scored[col].to_numpy()
    coef, lo, hi = ols_importance(X, y, n_boot=n_boot, seed=seed)
    scale = {"nps": 10.0, "csat": 4.0, "ces": 6.0, "rating": 4.0, "sentiment": 2.0}[target]
    low = _low(y, target)
    labels = rows.drop_duplicates("driver").set_index("driver")["label"]
    neg = rows[rows["sign"] < 0].groupby("driver")["item_id"].nunique()
    out = []
    for j, d in enumerate(keep):
        m = np.zeros(n, dtype=bool)
        m[M.indices[M.indptr[j]:M.indptr[j + 1]]] = True
        out.append({
            "driver": d, "label": labels.get(d, d), "mentions": int(m.sum()),
            "share": 100 * m.mean(),
            "performance": _performance(y[m], target),
            "performance_others": _performance(y[~m], target),
            "negative_share": 100 * neg.get(d, 0) / max(int(m.sum()), 1),
            "impact": nps_impact(int((low & m).sum()), n),
            "importance": 100 * coef[j] / scale,
            "importance_low": 100 * lo[j] / scale, "importance_high": 100 * hi[j] / scale,
            "target": target, "n": n,
        })
    df = pd.DataFrame(out)
    imp_cut = float(df["importance"].clip(lower=0).median())
    perf_cut = _performance(y, target)
    df["quadrant"] = [quadrant(max(i, 0.0), p, imp_cut, perf_cut)
                      for i, p in zip(df["importance"], df["performance"], strict=True)]
    # priorities consistent with impact: the drivers with the most to gain (ΔNPS in the top
    # quartile) and below-average performance are "fix now" whatever their per-mention importance
    big = df["impact"] >= float(df["impact"].quantile(0.75)) if len(df) >= 4 else df["impact"] == df["impact"].max()
    df.loc[big & (df["performance"] < perf_cut) & (df["impact"] > 0), "quadrant"] = "fix now"
    df.attrs.update(importance_cut=imp_cut, performance_cut=perf_cut, target=target, n=n)
    return df.sort_values("importance", ascending=False)[cols].reset_index(drop=True)


def _low(y: np.ndarray, target: str) -> np.ndarray:
    """Unhappy respondents: NPS detractors (0-6), CSAT/rating 1-2, CES 1-3, sentiment < -0.2."""
    if target == "nps":
        return y <= 6
    if target in ("csat", "rating"):
        return y <= 2
    if target == "ces":
        return y <= 3
    return y < -0.2


def _performance(y: np.ndarray, target: str) -> float:
    if len(y) == 0:
        return math.nan
    if target == "nps":
        return net_score(float((y >= 9).sum()), float((y <= 6).sum()), float(len(y)))[0]
    if target == "sentiment":
        return 100 * float(np.mean(y))
    return float(np.mean(y))


def drivers(
    ctx: InsightContext,
    target: str = "nps",
    source: str = "all",
    min_mentions: int = 20,
    n_boot: int = 200,
    seed: int = 0,
    items: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Key drivers of ``target`` (nps, csat, ces, rating, sentiment or auto) over aspects and,
    when stored, themes (``source``: all, aspects or themes).

    Columns: driver, label, mentions, share (%), performance (NPS or mean among mentioners),
    performance_others, negative_share, impact (ΔNPS if its detractors became passives; for other
    targets the points of unhappy share removed), importance (OLS coefficient of the signed
    indicator as % of the scale) with importance_low/high (bootstrap 95% CI), quadrant.
    """
    if items is None:  # every customer voice: once per context and parameters
        key = f"drivers:{target}:{source}:{min_mentions}:{n_boot}:{seed}"
        df: pd.DataFrame = ctx.memo(key, lambda: _drivers(ctx, customer_items(ctx), target, source, min_mentions,
                                                          n_boot, seed, rows_key=f"driver_rows:{source}"))  # fmt: skip
        return df.copy()
    return _drivers(ctx, items, target, source, min_mentions, n_boot, seed)


def _drivers(ctx: InsightContext, items: pd.DataFrame, target: str, source: str, min_mentions: int, n_boot: int,
             seed: int, rows_key: str | None = None) -> pd.DataFrame:  # fmt: skip
    if items.empty:
        return key_drivers(items, pd.DataFrame(columns=["item_id", "driver", "label", "sign"]))
    target = choose_target(items, target)
    rows = ctx.memo(rows_key, lambda: driver_rows(ctx, items, source)) if rows_key else driver_rows(ctx, items, source)
    return key_drivers(items, rows, target, min_mentions, n_boot, seed)


def driver_weights(df: pd.DataFrame) -> dict[str, float]:
    """Importance clipped at 0, by driver (for plans and journeys)."""
    if df.empty:
        return {}
    return {d: max(float(i), 0.0) for d, i in zip(df["driver"], df["importance"], strict=True)}


@register_insight
class Drivers(Insight):
    """Key drivers of NPS (or the best-covered score) over aspects and stored themes."""

    name = "drivers"
    nav_title = titles(en="Key drivers", es="Palancas")
    title = titles(en="Key drivers", es="Palancas clave")
    order = 40
    after = ("themes",)

    def compute(self, ctx: InsightContext, target: str = "nps", **params: Any) -> InsightResult[pd.DataFrame]:
        return InsightResult(drivers(ctx, target=target, **params))

    def section(self, ctx: InsightContext) -> dict[str, Any] | None:
        df = drivers(ctx, target="nps")
        if df.empty:  # no NPS: the best-covered score instead
            df = drivers(ctx, target="auto")
        attrs = dict(df.attrs)
        df = df[df["driver"] != "theme:-1"]  # voices without a theme are no driver
        if df.empty:
            return None
        return {"target": attrs.get("target", str(df["target"].iloc[0])), "n": attrs.get("n"),
                "importance_cut": attrs.get("importance_cut"), "performance_cut": attrs.get("performance_cut"),
                "rows": to_records(df)}  # fmt: skip

    def table(self, section: Any) -> TableView:
        delta = "ΔNPS" if section["target"] == "nps" else "Δ"
        rows = [[str(r["label"]), str(r["mentions"]), fmt(r["performance"]), fmt(r["importance"]),
                 fmt(r["impact"]), str(r["quadrant"])] for r in section["rows"][:8]]  # fmt: skip
        return TableView(f"Key drivers of {section['target'].upper()} (n={section['n']})",
                         [("driver", False), ("mentions", True), ("performance", True), ("importance", True),
                          (delta, True), ("quadrant", False)], rows)  # fmt: skip
