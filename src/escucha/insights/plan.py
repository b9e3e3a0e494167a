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

import copy
import json
from collections import Counter
from datetime import UTC, datetime
from typing import Any

import pandas as pd

from escucha.errors import ConfigError, NotFoundError
from escucha.insights.base import (
    Insight,
    InsightContext,
    InsightResult,
    TableView,
    cut,
    fmt,
    register_insight,
    titles,
)
from escucha.insights.drivers import choose_target, driver_rows, driver_weights, key_drivers
from escucha.insights.inputs import (
    aspect_labels,
    customer_aspects,
    customer_items,
    segment_column,
    theme_rows,
    voice_sentences,
)
from escucha.insights.journey import assign_sentences, load_journey
from escucha.insights.plan_merge import merge_causes
from escucha.insights.plan_parts import (
    by_id,
    evidence,
    flag_mask,
    peak,
    raisers,
    rate,
    trend,
)
from escucha.insights.promises import (
    customer_mentions,
    load_promises,
    promise_mentions,
    two_proportions,
)

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


def _problems(ctx: InsightContext, items: pd.DataFrame, pc: dict[str, Any]) -> list[dict[str, Any]]:
    """Candidate problems in ``items``: (kind, key, label, rows of negative evidence)."""
    ids = set(items["id"])
    out = []
    a = pc["aspects"]
    a = a[a["item_id"].isin(ids) & (a["aspect_sentiment"] == "negative")]
    for asp, g in a.groupby("aspect"):
        out.append({"kind": "aspect", "key": str(asp), "label": pc["labels"].get(asp, asp),
                    "titles": {"es": pc["labels_es"].get(asp, asp), "en": pc["labels"].get(asp, asp)},
                    "driver": str(asp),
                    "rows": pd.DataFrame({"item_id": g["item_id"], "text": g["quote"],
                                          "negativity": (-g["aspect_score"]).clip(0, 1),
                                          "idx": g["sentence"]})})
    t = pc["themes"]
    if t is not None:
        t = t[t["item_id"].isin(ids)]
        neg, score, text = by_id(items, "sentiment"), by_id(items, "sentiment_score"), by_id(items, "text")
        for th, g in t.groupby("driver"):
            g = g[g["item_id"].map(neg) == "negative"]
            if g.empty:
                continue
            txt = g["item_id"].map(text).astype(str).str[:300]
            out.append({"kind": "theme", "key": str(th).removeprefix("theme:"),
                        "label": str(g["label"].iloc[0]), "driver": str(th),
                        "titles": {"es": str(g["label"].iloc[0]), "en": str(g["label"].iloc[0])},
                        "rows": pd.DataFrame({"item_id": g["item_id"], "text": txt,
                                              "negativity": (-g["item_id"].map(score)).clip(0, 1),
                                              "idx": None})})
    pm = pc["promise_mentions"]
    pm = pm[pm["item_id"].isin(ids) & (pm["status"] == "broken")]
    for p in pc["promises"]:
        g = pm[pm["promise"] == p["id"]]
        if p["start"] is not None:
            g = g[g["timestamp"] >= pd.Timestamp(p["start"])]
        if g.empty:
            continue
        out.append({"kind": "promise", "key": p["id"], "label": f"Broken promise: {p['promise']}",
                    "titles": {"es": f"Promesa incumplida: {p['promise']}", "en": f"Broken promise: {p['promise']}"},
                    "driver": None, "promise": p,
                    "rows": g[["item_id", "text", "negativity", "idx"]].reset_index(drop=True)})
    return out


def _context(ctx: InsightContext, items: pd.DataFrame) -> dict[str, Any]:
    from escucha.taxonomy import workspace_taxonomy

    aspects = customer_aspects(ctx, items)
    sents = voice_sentences(ctx)  # ``items`` are the customer voices: their sentences
    promises = load_promises(ctx)
    pm = customer_mentions(ctx, promises)[0] if promises else promise_mentions(sents.iloc[:0], [])
    try:
        tax = workspace_taxonomy(ctx.path, ctx.settings.domains)
    except Exception:
        tax = None
    neg = sents[sents["sentiment"] == "negative"]
    try:
        journey = load_journey(ctx)
        assigned = assign_sentences(neg, journey)
    except ConfigError:
        journey, assigned = None, pd.DataFrame(columns=["item_id", "idx", "touchpoint", "stage"])
    return {"aspects": aspects, "sentences": sents, "promises": promises, "promise_mentions": pm,
            "labels": aspect_labels(ctx), "labels_es": aspect_labels(ctx, "es"), "tax": tax, "themes": theme_rows(ctx),
            "assigned": assigned, "journey": journey, "valuable": valuable_customers(ctx.store.customers()),
            "rows": ctx.memo("driver_rows:all", lambda: driver_rows(ctx, items))}


def _touchpoint(pc: dict[str, Any], rows: pd.DataFrame, promise: dict[str, Any] | None
                ) -> dict[str, Any] | None:
    asg = pc["assigned"]
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


def _owner(pc: dict[str, Any], problem: dict[str, Any]) -> str:
    """The team that owns a problem: its aspect's (or the aspect that names its item), else that of
    the aspect most characteristic of its voices (mentions × lift over all voices, so delivery,
    mentioned everywhere, does not own every theme)."""
    tax = pc["tax"]
    if tax is None:
        return ""
    if problem["kind"] == "aspect" or problem.get("owner_aspect"):
        return str(tax.owner(problem.get("owner_aspect") or problem["key"]))
    ids = set(problem["rows"]["item_id"])
    a = pc["aspects"]
    a = a[a["item_id"].isin(ids)]
    if a.empty:
        return "Marketing" if problem["kind"] == "promise" else ""
    if "aspect_voices" not in pc:  # once per plan: voices mentioning each aspect, of all voices
        pc["aspect_voices"] = (pc["aspects"].groupby("aspect")["item_id"].nunique(), pc["aspects"]["item_id"].nunique())
    overall, n_all = pc["aspect_voices"]
    here = a.groupby("aspect")["item_id"].nunique()
    here = here[here >= 0.1 * here.max()]
    lift = (here / max(len(ids), 1)) / (overall.reindex(here.index) / max(n_all, 1))
    dom = str((here * lift).idxmax())
    owner = tax.owner(dom)
    return f"{owner} + Marketing (claim)" if problem["kind"] == "promise" else owner


def rank_problems(ctx: InsightContext, items: pd.DataFrame, pc: dict[str, Any], top: int = 20,
                  segment: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """Scored problems for the voices in ``items``, best first."""
    if items.empty:
        return []
    target = choose_target(items)
    kd = key_drivers(items, pc["rows"], target=target, min_mentions=10, n_boot=50)
    weights = driver_weights(kd)
    probs = _problems(ctx, items, pc)
    raw = []
    customers, when = by_id(items, "customer_id"), by_id(items, "timestamp")
    ids = pd.Index(items["id"])
    seg_valuable = {c for c in items["customer_id"].dropna() if c in pc["valuable"]}
    for p in probs:
        flagged = set(p["rows"]["item_id"])
        custs = {c for c in customers.reindex(list(flagged)).dropna()}
        driver = p["driver"]
        if driver is None:  # a promise: the dominant aspect of its evidence
            a = pc["aspects"]
            a = a[a["item_id"].isin(flagged)]
            driver = Counter(a["aspect"]).most_common(1)[0][0] if len(a) else None
        raw.append({
            "p": p, "flagged": flagged, "volume": len(flagged),
            "negativity": float(p["rows"]["negativity"].mean()),
            "driver": weights.get(driver, 0.0) if driver else 0.0, "driver_id": driver,
            "trend": trend(items, flag_mask(ids, flagged)),
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
    out = merge_causes([x for x in out if not (x["p"]["kind"] == "theme" and x["p"]["key"] == "-1")], n_voices)
    result = []
    for rank, x in enumerate(out[:top], 1):
        p = x["p"]
        seg_key = f"@{segment['by']}={segment['value']}" if segment else ""
        k, n = rate(items, flag_mask(ids, x["flagged"]), since=items["timestamp"].max()
                     - pd.Timedelta(weeks=BASELINE_WEEKS))
        result.append({
            "id": f"{p['kind']}:{p['key']}{seg_key}", "rank": rank, "kind": p["kind"],
            "key": p["key"], "title": p["label"], "titles": p.get("titles"), "segment": segment,
            "members": x["members"],
            "impact": round(x["score"], 2), "parts": x["parts"],
            "touchpoint": _touchpoint(pc, p["rows"], p.get("promise")),
            "owner": _owner(pc, p), "evidence": evidence(p["rows"], when),
            "peak": peak(when, p["rows"]),
            "metric": {"name": _metric_name(p, "en"), "names": {lg: _metric_name(p, lg) for lg in ("es", "en")},
                       "baseline": 100 * k / n if n else None,
                       "baseline_voices": n, "baseline_flagged": k,
                       "baseline_weeks": BASELINE_WEEKS},
            "raisers": raisers(items, x["flagged"]),
        })
    return result


def _metric_name(p: dict[str, Any], lang: str = "en") -> str:
    title = (p.get("titles") or {}).get(lang) or p["label"]
    if p["kind"] == "promise":
        if lang == "es":
            return f"% de voces de clientes que ven incumplida «{p['promise']['promise']}»"
        return f"% of customer voices reporting '{p['promise']['promise']}' broken"
    if lang == "es":
        return f"% de voces de clientes con una mención negativa de {title}"
    return f"% of customer voices with a negative mention of {title}"


def improvement_plan(ctx: InsightContext, by: str | None = None, top: int = 20, save: bool = True
                     ) -> list[dict[str, Any]]:
    """The ranked improvement plan; with ``by`` (product, location, channel, meta:X) the top
    problems of each segment with at least 50 voices. Stored statuses and outcomes are merged."""
    items = customer_items(ctx)
    if items.empty:
        return []
    pc = plan_context(ctx, items)
    if by is None:
        result = _ranked(ctx, items, pc, top)
    else:
        seg = segment_column(items, by)
        result = []
        for value, idx in seg.groupby(seg, dropna=True).groups.items():
            sub = items.loc[idx]
            if len(sub) < MIN_SEGMENT:
                continue
            result += rank_problems(ctx, sub, pc, top, {"by": by, "value": str(value)})
    stored = ctx.store.get_docs("plans")
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
            item["outcome"] = outcome(item["metric"], sub, _flagged_for(item, pc, sub),
                                      pd.Timestamp(old["done_at"]).tz_localize(None))
        docs[item["id"]] = {**old, **_storable(item)}
    if save and docs:
        ctx.store.put_docs("plans", docs)
    return result


def plan_context(ctx: InsightContext, items: pd.DataFrame) -> dict[str, Any]:
    """What ranking reads about the customer voices ``items`` (:func:`customer_items`), built
    once per context (the plan page, its section and the outcome checks share it)."""
    return ctx.memo("plan_context", lambda: _context(ctx, items))  # type: ignore[no-any-return]


def _ranked(ctx: InsightContext, items: pd.DataFrame, pc: dict[str, Any], top: int) -> list[dict[str, Any]]:
    """The whole plan's ``top`` items, ranked once per context for the largest ``top`` asked
    (a shorter plan is its head: ranks do not depend on ``top``)."""
    hit = ctx.memo("plan_ranked", dict)
    if hit.get("top", -1) < top:
        hit.update(top=top, items=rank_problems(ctx, items, pc, top))
    return copy.deepcopy(hit["items"][:top])


def _flagged_for(item: dict[str, Any], pc: dict[str, Any], items: pd.DataFrame) -> set[str]:
    probs = _problems(None, items, pc)  # type: ignore[arg-type]
    for p in probs:
        if p["kind"] == item["kind"] and p["key"] == item["key"]:
            return set(p["rows"]["item_id"])
    return set()


def _storable(item: dict[str, Any]) -> dict[str, Any]:
    keep = ("id", "kind", "key", "title", "titles", "members", "segment", "impact", "parts", "touchpoint", "owner",
            "evidence", "metric", "raisers", "status", "created_at", "done_at", "outcome")
    out: dict[str, Any] = json.loads(json.dumps({k: item[k] for k in keep if k in item}, default=str))
    return out


def outcome(metric: dict[str, Any], items: pd.DataFrame, flagged: set[str], done_at: pd.Timestamp,
            alpha: float = 0.05) -> dict[str, Any]:
    """Did the metric move after ``done_at``? Baseline (stored counts) vs voices since then."""
    k1, n1 = int(metric.get("baseline_flagged") or 0), int(metric.get("baseline_voices") or 0)
    k2, n2 = rate(items, flagged, since=done_at)
    res = two_proportions(k1, n1, k2, n2)
    res.update(n_after=n2, flagged_after=k2, since=done_at.date().isoformat())
    sig = res["p_value"] is not None and res["p_value"] < alpha
    res["verdict"] = ("not enough data" if n2 < 30 else "improved" if sig and res["change"] < 0
                      else "worse" if sig and res["change"] > 0 else "no significant change")
    return res


def set_status(ctx: InsightContext, item_id: str, status: str, at: datetime | str | None = None,
               note: str | None = None) -> dict[str, Any]:
    """Set a stored plan item's status (open, in_progress, done, dismissed); ``done`` records
    when (``at``, default now) so later runs test the metric before vs after."""
    if status not in STATUSES:
        raise ConfigError(f"unknown status '{status}'; use one of {', '.join(STATUSES)}",
                          field="status", record=item_id)
    docs = ctx.store.get_docs("plans")
    if item_id not in docs:
        raise NotFoundError(f"no plan item '{item_id}': run the plan first", record=item_id)
    doc = docs[item_id]
    when = pd.Timestamp(at) if at is not None else pd.Timestamp(datetime.now(UTC))
    when = when.tz_localize("UTC") if when.tzinfo is None else when
    doc["status"] = status
    doc.setdefault("history", []).append({"status": status, "at": when.isoformat(), "note": note})
    if status == "done":
        doc["done_at"] = when.isoformat()
    ctx.store.put_docs("plans", {item_id: doc})
    return doc


def check_outcomes(ctx: InsightContext) -> list[dict[str, Any]]:
    """Before/after tests for every stored item marked done."""
    docs = ctx.store.get_docs("plans")
    done = [d for d in docs.values() if d.get("status") == "done" and d.get("done_at")]
    if not done:
        return []
    items = customer_items(ctx)
    pc = plan_context(ctx, items)
    out = []
    for d in done:
        sub = items
        seg = d.get("segment")
        if seg:
            sub = items[segment_column(items, seg["by"]).astype(str) == seg["value"]]
        res = outcome(d["metric"], sub, _flagged_for(d, pc, sub),
                      pd.Timestamp(d["done_at"]).tz_localize(None))
        d["outcome"] = res
        out.append({"id": d["id"], "title": d.get("title"), "outcome": res})
        ctx.store.put_docs("plans", {d["id"]: d})
    return out


# ------------------------------------------------------------------------ the insight
PLAN_TOP = 8


@register_insight
class Plan(Insight):
    """The improvement plan: ranked problems with impact parts, owner, evidence and credits."""

    name = "plan"
    nav_title = titles(en="Improvement plan", es="Plan de mejora")
    title = titles(en="What to fix first", es="Qué arreglar primero")
    order = 10
    after = ("themes",)
    page = "/plan"

    def compute(self, ctx: InsightContext, by: str | None = None, top: int = 20, save: bool = True,
                **params: Any) -> InsightResult[list[dict[str, Any]]]:  # fmt: skip
        return InsightResult(improvement_plan(ctx, by=by, top=top, save=save))

    def section(self, ctx: InsightContext) -> list[dict[str, Any]] | None:
        out: list[dict[str, Any]] = []
        for it in improvement_plan(ctx, top=PLAN_TOP + 2, save=False):
            if it.get("kind") == "theme" and str(it.get("key")) == "-1":
                continue  # voices without a theme are no problem of their own
            parts = it.get("parts") or {}
            points = {k: 100 * w * float((parts.get(k) or {}).get("component") or 0.0) for k, w in WEIGHTS.items()}
            vol, trend = parts.get("volume") or {}, parts.get("trend") or {}
            tp, metric, raisers = it.get("touchpoint") or {}, it.get("metric") or {}, it.get("raisers") or {}
            out.append({
                "rank": len(out) + 1, "id": it.get("id"), "kind": it.get("kind"), "problem": it.get("title"),
                "titles": it.get("titles"), "members": it.get("members") or [], "outcome": it.get("outcome"),
                "impact": it.get("impact"), "impact_parts": points,
                "voices": vol.get("voices"), "share_of_voices": vol.get("share_of_voices"),
                "negativity": (parts.get("negativity") or {}).get("mean"),
                "driver_importance": (parts.get("driver") or {}).get("importance"),
                "trend_change": trend.get("change"), "trend_p": trend.get("p_value"),
                "valuable_customers": (parts.get("value") or {}).get("valuable_customers"),
                "owner": it.get("owner") or None,
                "touchpoint": {"id": tp.get("id"), "stage": tp.get("stage"), "share": tp.get("share")} if tp else None,
                "metric": {"name": metric.get("name"), "names": metric.get("names"), "baseline": metric.get("baseline"),
                           "baseline_weeks": metric.get("baseline_weeks")},
                "evidence": [{"text": e.get("text"), "date": e.get("date")} for e in it.get("evidence") or []],
                "raisers": {"count": raisers.get("count", 0),
                            "first": [{"customer_id": f.get("customer_id"), "date": f.get("date")}
                                      for f in raisers.get("first") or []]},
                "status": it.get("status"), "peak": it.get("peak"),
            })  # fmt: skip
        return out[:PLAN_TOP] or None

    def snapshot(self, ctx: InsightContext, limit: int = 5) -> list[dict[str, Any]]:
        from escucha.insights.lead_boxes import plan_snapshot

        return plan_snapshot(ctx)

    def table(self, section: Any) -> TableView:
        rows = []
        for p in section[:6]:
            parts = p["impact_parts"]
            first = p["raisers"]["first"][:1]
            rows.append([str(p["rank"]), p["problem"] or "", fmt(p["impact"]),
                         "/".join(f"{parts.get(k) or 0:.0f}" for k in ("volume", "negativity", "driver", "trend", "value")),
                         p["owner"] or "–", (p["touchpoint"] or {}).get("id") or "–",
                         f"{p['raisers']['count']} (first {first[0]['customer_id']})" if first else str(p["raisers"]["count"]),
                         cut(p["evidence"][0]["text"], 70) if p["evidence"] else ""])  # fmt: skip
        return TableView("What to fix first", [("#", True), ("problem", False), ("impact", True),
                         ("vol/neg/drv/trend/val", False), ("owner", False), ("touchpoint", False),
                         ("raised by", False), ("evidence", False)], rows)  # fmt: skip
