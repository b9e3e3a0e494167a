"""Improvement plan: a ranked list of problems to fix, with the evidence and who should act.

Problems are aspects with negative mentions, themes (when theme discovery has stored them) and
broken brand promises. Each gets an impact score (0–100) whose parts are shown:

    impact = 100 · (0.35·volume + 0.15·negativity + 0.20·driver + 0.10·trend + 0.20·value)

volume = voices with the problem / most frequent problem's voices; negativity = mean negativity
of the problem's sentences; driver = key-driver importance / the largest; trend = relative rise
of its rate in the last 4 weeks vs before (0 when not significant at 5%); value = valuable
customers affected (tier gold/platinum/vip/premium or top-quartile lifetime value) / the most.

Plans are stored (``plans`` documents, one per item id) with a status (open, in_progress, done,
dismissed) and a baseline of the item's metric; for items marked done a later run compares the
metric after the change with the baseline (two-proportion test).
"""

from __future__ import annotations

import json
import math
from collections import Counter
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, cast

import numpy as np
import pandas as pd

from escucha.errors import ConfigError, NotFoundError
from escucha.insights.drivers import (
    aspect_labels,
    choose_target,
    customer_aspects,
    customer_items,
    driver_rows,
    driver_weights,
    key_drivers,
    segment_column,
    theme_rows,
)
from escucha.insights.journey import assign_sentences, content_words, load_journey
from escucha.insights.promises import load_promises, promise_mentions, two_proportions

if TYPE_CHECKING:
    from escucha.workspace import Workspace

STATUSES: tuple[str, ...] = ("open", "in_progress", "done", "dismissed")
WEIGHTS = {"volume": 0.35, "negativity": 0.15, "driver": 0.20, "trend": 0.10, "value": 0.20}
VALUABLE_TIERS = {"gold", "platinum", "vip", "premium", "oro", "platino"}
BASELINE_WEEKS = 8
MIN_SEGMENT = 50


def valuable_customers(customers: pd.DataFrame) -> set[str]:
    """Customers in a top tier or in the top quartile of lifetime value."""
    if customers is None or customers.empty:
        return set()
    attrs = customers["attributes"].map(lambda a: json.loads(a) if isinstance(a, str) else (a or {}))
    tier = attrs.map(lambda a: str(a.get("tier", "")).lower())
    ltv = pd.to_numeric(attrs.map(lambda a: a.get("lifetime_value", a.get("ltv"))), errors="coerce")
    top = ltv >= ltv.quantile(0.75) if ltv.notna().any() else pd.Series(False, index=ltv.index)
    return set(customers.loc[tier.isin(VALUABLE_TIERS) | top.fillna(False), "id"].astype(str))


def _problems(ws: Workspace, items: pd.DataFrame, ctx: dict[str, Any]) -> list[dict[str, Any]]:
    """Candidate problems in ``items``: (kind, key, label, rows of negative evidence)."""
    ids = set(items["id"])
    out = []
    a = ctx["aspects"]
    a = a[a["item_id"].isin(ids) & (a["aspect_sentiment"] == "negative")]
    for asp, g in a.groupby("aspect"):
        out.append({"kind": "aspect", "key": str(asp), "label": ctx["labels"].get(asp, asp),
                    "driver": str(asp),
                    "rows": pd.DataFrame({"item_id": g["item_id"], "text": g["quote"],
                                          "negativity": (-g["aspect_score"]).clip(0, 1),
                                          "idx": g["sentence"]})})
    t = ctx["themes"]
    if t is not None:
        t = t[t["item_id"].isin(ids)]
        neg = items.set_index("id")["sentiment"]
        score = items.set_index("id")["sentiment_score"]
        for th, g in t.groupby("driver"):
            g = g[g["item_id"].map(neg) == "negative"]
            if g.empty:
                continue
            txt = g["item_id"].map(items.set_index("id")["text"]).astype(str).str[:300]
            out.append({"kind": "theme", "key": str(th).removeprefix("theme:"),
                        "label": str(g["label"].iloc[0]), "driver": str(th),
                        "rows": pd.DataFrame({"item_id": g["item_id"], "text": txt,
                                              "negativity": (-g["item_id"].map(score)).clip(0, 1),
                                              "idx": None})})
    pm = ctx["promise_mentions"]
    pm = pm[pm["item_id"].isin(ids) & (pm["status"] == "broken")]
    for p in ctx["promises"]:
        g = pm[pm["promise"] == p["id"]]
        if p["start"] is not None:
            g = g[g["timestamp"] >= pd.Timestamp(p["start"])]
        if g.empty:
            continue
        out.append({"kind": "promise", "key": p["id"], "label": f"Broken promise: {p['promise']}",
                    "driver": None, "promise": p,
                    "rows": g[["item_id", "text", "negativity", "idx"]].reset_index(drop=True)})
    return out


def _rate(items: pd.DataFrame, flagged: set[str], since: pd.Timestamp | None = None,
          until: pd.Timestamp | None = None) -> tuple[int, int]:
    w = items
    if since is not None:
        w = w[w["timestamp"] >= since]
    if until is not None:
        w = w[w["timestamp"] < until]
    return int(w["id"].isin(flagged).sum()), len(w)


def _trend(items: pd.DataFrame, flagged: set[str]) -> dict[str, Any]:
    if items.empty:
        return {"change": None, "p_value": None, "component": 0.0}
    last = items["timestamp"].max()
    cut = last - pd.Timedelta(weeks=4)
    k1, n1 = _rate(items, flagged, until=cut)
    k2, n2 = _rate(items, flagged, since=cut)
    res = two_proportions(k1, n1, k2, n2)
    comp = 0.0
    if res["p_value"] is not None and res["p_value"] < 0.05 and res["change"] > 0:
        comp = min(1.0, (res["after"] / max(res["before"], 1e-9) - 1) / 2)
    return {"recent_rate": res["after"], "earlier_rate": res["before"], "change": res["change"],
            "p_value": res["p_value"], "component": comp}


def _peak(items: pd.DataFrame, rows: pd.DataFrame) -> dict[str, Any] | None:
    """The week with the most problem voices vs the median week, and its distinctive words."""
    ts = rows["item_id"].map(items.set_index("id")["timestamp"])
    wk = ts.dt.to_period("W-SUN").dt.start_time
    counts = wk.value_counts()
    if len(counts) < 4:
        return None
    w, top = counts.idxmax(), int(counts.max())
    med = float(counts.median()) or 1.0
    inside = rows.loc[wk == w, "text"].astype(str)
    outside = rows.loc[wk != w, "text"].astype(str)
    cin: Counter[str] = Counter()
    cout: Counter[str] = Counter()
    for t in inside:
        cin.update(set(content_words(t)))
    for t in outside:
        cout.update(set(content_words(t)))
    lift = {x: (c / max(len(inside), 1)) / ((cout[x] + 1) / (len(outside) + 1))
            for x, c in cin.items() if c >= 5}
    terms = [x for x, _ in sorted(lift.items(), key=lambda kv: -kv[1])[:5]]
    return {"week": w.date().isoformat(), "voices": top, "ratio_to_median_week": top / med,
            "terms": terms}


def _evidence(rows: pd.DataFrame, items: pd.DataFrame, n: int = 3) -> list[dict[str, Any]]:
    r = rows.drop_duplicates("text").sort_values("negativity", ascending=False).head(n * 5)
    r = r.drop_duplicates("item_id").head(n)
    ts = items.set_index("id")["timestamp"]
    return [{"item_id": x.item_id, "text": str(x.text),
             "date": cast(pd.Timestamp, ts[x.item_id]).date().isoformat()
             if x.item_id in ts.index else None}
            for x in r.itertuples()]


def _raisers(items: pd.DataFrame, flagged: set[str], n: int = 3) -> dict[str, Any]:
    w = items[items["id"].isin(flagged) & items["customer_id"].notna()]
    first = w.sort_values("timestamp").drop_duplicates("customer_id").head(n)
    return {"count": int(w["customer_id"].nunique()),
            "first": [{"customer_id": r.customer_id,
                       "date": cast(pd.Timestamp, r.timestamp).date().isoformat(),
                       "item_id": r.id} for r in first.itertuples()]}


def _context(ws: Workspace, items: pd.DataFrame) -> dict[str, Any]:
    from escucha.taxonomy import workspace_taxonomy

    aspects = customer_aspects(ws, items)
    sents = ws.store.sentences()
    sents = sents[(sents["speaker"].fillna("customer") != "agent") & sents["item_id"].isin(set(items["id"]))]
    promises = load_promises(ws)
    pm = promise_mentions(sents, promises) if promises else promise_mentions(sents.iloc[:0], [])
    try:
        tax = workspace_taxonomy(ws.path, ws.settings.domains)
    except Exception:
        tax = None
    neg = sents[sents["sentiment"] == "negative"]
    try:
        journey = load_journey(ws)
        assigned = assign_sentences(neg, journey)
    except ConfigError:
        journey, assigned = None, pd.DataFrame(columns=["item_id", "idx", "touchpoint", "stage"])
    return {"aspects": aspects, "sentences": sents, "promises": promises, "promise_mentions": pm,
            "labels": aspect_labels(ws), "tax": tax, "themes": theme_rows(ws),
            "assigned": assigned, "journey": journey, "valuable": valuable_customers(ws.store.customers()),
            "rows": driver_rows(ws, items)}


def _touchpoint(ctx: dict[str, Any], rows: pd.DataFrame, promise: dict[str, Any] | None
                ) -> dict[str, Any] | None:
    asg = ctx["assigned"]
    if asg.empty:
        return None
    if rows["idx"].notna().any():
        keys = set(zip(rows["item_id"], rows["idx"].astype("Int64"), strict=True))
        hit = asg[[k in keys for k in zip(asg["item_id"], asg["idx"], strict=True)]]
    else:
        hit = asg[asg["item_id"].isin(set(rows["item_id"]))]
    if promise is not None and promise.get("journey_stage"):
        staged = hit[hit["stage"] == promise["journey_stage"]]
        hit = staged if len(staged) else hit
    if hit.empty:
        return None
    tp, k = Counter(hit["touchpoint"]).most_common(1)[0]
    stage = hit.loc[hit["touchpoint"] == tp, "stage"].iloc[0]
    return {"id": tp, "stage": stage, "share": 100 * k / len(hit)}


def _owner(ctx: dict[str, Any], problem: dict[str, Any]) -> str:
    tax = ctx["tax"]
    if tax is None:
        return ""
    if problem["kind"] == "aspect":
        return tax.owner(problem["key"])
    ids = set(problem["rows"]["item_id"])
    a = ctx["aspects"]
    a = a[a["item_id"].isin(ids)]
    if a.empty:
        return "Marketing" if problem["kind"] == "promise" else ""
    dom = Counter(a["aspect"]).most_common(1)[0][0]
    owner = tax.owner(dom)
    return f"{owner} + Marketing (claim)" if problem["kind"] == "promise" else owner


def rank_problems(ws: Workspace, items: pd.DataFrame, ctx: dict[str, Any], top: int = 20,
                  segment: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """Scored problems for the voices in ``items``, best first."""
    if items.empty:
        return []
    target = choose_target(items)
    kd = key_drivers(items, ctx["rows"], target=target, min_mentions=10, n_boot=50)
    weights = driver_weights(kd)
    probs = _problems(ws, items, ctx)
    raw = []
    customers = items.set_index("id")["customer_id"]
    seg_valuable = {c for c in items["customer_id"].dropna() if c in ctx["valuable"]}
    for p in probs:
        flagged = set(p["rows"]["item_id"])
        custs = {c for c in customers.reindex(list(flagged)).dropna()}
        driver = p["driver"]
        if driver is None:  # a promise: the dominant aspect of its evidence
            a = ctx["aspects"]
            a = a[a["item_id"].isin(flagged)]
            driver = Counter(a["aspect"]).most_common(1)[0][0] if len(a) else None
        raw.append({
            "p": p, "flagged": flagged, "volume": len(flagged),
            "negativity": float(p["rows"]["negativity"].mean()),
            "driver": weights.get(driver, 0.0) if driver else 0.0, "driver_id": driver,
            "trend": _trend(items, flagged),
            "valuable": len(custs & seg_valuable), "customers": len(custs),
        })
    if not raw:
        return []
    vmax = max(r["volume"] for r in raw) or 1
    dmax = max(r["driver"] for r in raw) or 1.0
    valmax = max(r["valuable"] for r in raw) or 1
    n_voices = len(items)
    out = []
    for r in raw:
        parts = {
            "volume": {"voices": r["volume"], "share_of_voices": 100 * r["volume"] / n_voices,
                       "component": r["volume"] / vmax},
            "negativity": {"mean": r["negativity"], "component": r["negativity"]},
            "driver": {"driver": r["driver_id"], "importance": r["driver"], "target": target,
                       "component": r["driver"] / dmax if dmax > 0 else 0.0},
            "trend": r["trend"],
            "value": {"valuable_customers": r["valuable"], "customers": r["customers"],
                      "component": r["valuable"] / valmax},
        }
        score = 100 * sum(WEIGHTS[k] * float(parts[k]["component"]) for k in WEIGHTS)
        p = r["p"]
        out.append({"p": p, "score": score, "parts": parts, "flagged": r["flagged"]})
    out.sort(key=lambda x: -x["score"])
    result = []
    for rank, x in enumerate(out[:top], 1):
        p = x["p"]
        seg_key = f"@{segment['by']}={segment['value']}" if segment else ""
        k, n = _rate(items, x["flagged"], since=items["timestamp"].max()
                     - pd.Timedelta(weeks=BASELINE_WEEKS))
        result.append({
            "id": f"{p['kind']}:{p['key']}{seg_key}", "rank": rank, "kind": p["kind"],
            "key": p["key"], "title": p["label"], "segment": segment,
            "impact": round(x["score"], 2), "parts": x["parts"],
            "touchpoint": _touchpoint(ctx, p["rows"], p.get("promise")),
            "owner": _owner(ctx, p), "evidence": _evidence(p["rows"], items),
            "peak": _peak(items, p["rows"]),
            "metric": {"name": _metric_name(p), "baseline": 100 * k / n if n else None,
                       "baseline_voices": n, "baseline_flagged": k,
                       "baseline_weeks": BASELINE_WEEKS},
            "raisers": _raisers(items, x["flagged"]),
        })
    return result


def _metric_name(p: dict[str, Any]) -> str:
    if p["kind"] == "promise":
        return f"% of customer voices reporting '{p['promise']['promise']}' broken"
    return f"% of customer voices with a negative mention of {p['label']}"


def improvement_plan(ws: Workspace, by: str | None = None, top: int = 20, save: bool = True
                     ) -> list[dict[str, Any]]:
    """The ranked improvement plan; with ``by`` (product, location, channel, meta:X) the top
    problems of each segment with at least 50 voices. Stored statuses and outcomes are merged."""
    items = customer_items(ws)
    if items.empty:
        return []
    ctx = _context(ws, items)
    if by is None:
        result = rank_problems(ws, items, ctx, top)
    else:
        seg = segment_column(items, by)
        result = []
        for value, idx in seg.groupby(seg, dropna=True).groups.items():
            sub = items.loc[idx]
            if len(sub) < MIN_SEGMENT:
                continue
            result += rank_problems(ws, sub, ctx, top, {"by": by, "value": str(value)})
    stored = ws.store.get_docs("plans")
    now = datetime.now(UTC).isoformat()
    docs = {}
    for item in result:
        old = stored.get(item["id"], {})
        item["status"] = old.get("status", "open")
        item["created_at"] = old.get("created_at", now)
        if old.get("metric", {}).get("baseline") is not None:
            item["metric"].update({k: old["metric"][k] for k in ("baseline", "baseline_voices",
                                                                 "baseline_flagged")})
        if item["status"] == "done" and old.get("done_at"):
            item["done_at"] = old["done_at"]
            sub = items
            if item["segment"]:
                sub = items[segment_column(items, by or item["segment"]["by"]).astype(str)
                            == item["segment"]["value"]]
            item["outcome"] = outcome(item["metric"], sub, _flagged_for(item, ctx, sub),
                                      pd.Timestamp(old["done_at"]).tz_localize(None))
        docs[item["id"]] = {**old, **_storable(item)}
    if save and docs:
        ws.store.put_docs("plans", docs)
    return result


def _flagged_for(item: dict[str, Any], ctx: dict[str, Any], items: pd.DataFrame) -> set[str]:
    probs = _problems(None, items, ctx)  # type: ignore[arg-type]
    for p in probs:
        if p["kind"] == item["kind"] and p["key"] == item["key"]:
            return set(p["rows"]["item_id"])
    return set()


def _storable(item: dict[str, Any]) -> dict[str, Any]:
    keep = ("id", "kind", "key", "title", "segment", "impact", "parts", "touchpoint", "owner",
            "evidence", "metric", "raisers", "status", "created_at", "done_at", "outcome")
    return json.loads(json.dumps({k: item[k] for k in keep if k in item}, default=str))


def outcome(metric: dict[str, Any], items: pd.DataFrame, flagged: set[str], done_at: pd.Timestamp,
            alpha: float = 0.05) -> dict[str, Any]:
    """Did the metric move after ``done_at``? Baseline (stored counts) vs voices since then."""
    k1, n1 = int(metric.get("baseline_flagged") or 0), int(metric.get("baseline_voices") or 0)
    k2, n2 = _rate(items, flagged, since=done_at)
    res = two_proportions(k1, n1, k2, n2)
    res.update(n_after=n2, flagged_after=k2, since=done_at.date().isoformat())
    sig = res["p_value"] is not None and res["p_value"] < alpha
    res["verdict"] = ("not enough data" if n2 < 30 else "improved" if sig and res["change"] < 0
                      else "worse" if sig and res["change"] > 0 else "no significant change")
    return res


def set_status(ws: Workspace, item_id: str, status: str, at: datetime | str | None = None,
               note: str | None = None) -> dict[str, Any]:
    """Set a stored plan item's status (open, in_progress, done, dismissed); ``done`` records
    when (``at``, default now) so later runs test the metric before vs after."""
    if status not in STATUSES:
        raise ConfigError(f"unknown status '{status}'; use one of {', '.join(STATUSES)}",
                          field="status", record=item_id)
    docs = ws.store.get_docs("plans")
    if item_id not in docs:
        raise NotFoundError(f"no plan item '{item_id}': run the plan first", record=item_id)
    doc = docs[item_id]
    when = pd.Timestamp(at) if at is not None else pd.Timestamp(datetime.now(UTC))
    when = when.tz_localize("UTC") if when.tzinfo is None else when
    doc["status"] = status
    doc.setdefault("history", []).append({"status": status, "at": when.isoformat(), "note": note})
    if status == "done":
        doc["done_at"] = when.isoformat()
    ws.store.put_docs("plans", {item_id: doc})
    return doc


def check_outcomes(ws: Workspace) -> list[dict[str, Any]]:
    """Before/after tests for every stored item marked done."""
    docs = ws.store.get_docs("plans")
    done = [d for d in docs.values() if d.get("status") == "done" and d.get("done_at")]
    if not done:
        return []
    items = customer_items(ws)
    ctx = _context(ws, items)
    out = []
    for d in done:
        sub = items
        seg = d.get("segment")
        if seg:
            sub = items[segment_column(items, seg["by"]).astype(str) == seg["value"]]
        res = outcome(d["metric"], sub, _flagged_for(d, ctx, sub),
                      pd.Timestamp(d["done_at"]).tz_localize(None))
        d["outcome"] = res
        out.append({"id": d["id"], "title": d.get("title"), "outcome": res})
        ws.store.put_docs("plans", {d["id"]: d})
    return out


def _unused() -> None:  # keep numpy/math imported for typing helpers
    _ = (np, math)
