"""Voice and threshold rules stepped through time like the detector: viral risk, VIP customers,
fixed thresholds on a scope (each alert raised at the first step that shows it)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from escucha.store import Store
from escucha.watch.frame import scope_label
from escucha.watch.replay import DAY, alert_id
from escucha.watch.viral import VELOCITY_FLOOR, VELOCITY_HOURS, thread_replies, viral_scores

HORIZON = pd.Timedelta(hours=24)


def _step_end(ts: pd.Timestamp, step: pd.Timedelta) -> pd.Timestamp:
    return ts.floor(step) + step  # type: ignore[arg-type]


def _in_days(ts: pd.Series, days: set[pd.Timestamp] | None) -> np.ndarray:
    if days is None:
        return np.ones(len(ts), dtype=bool)
    return ts.dt.floor("D").isin(days).to_numpy()  # type: ignore[no-any-return]


def _alert(kind: str, scope: dict[str, Any], day: pd.Timestamp, at: pd.Timestamp, score: float, summary: str,
           evidence: list[str], **extra: Any) -> dict[str, Any]:  # fmt: skip
    start = day.isoformat()
    return {"id": alert_id(kind, scope, start), "kind": kind, "scope": scope, "window_start": start,
            "window_end": (day + DAY).isoformat(), "detected_at": at.isoformat(), "score": round(float(score), 4),
            "summary": summary, "evidence": evidence, **extra}  # fmt: skip


def viral_alerts(voices: pd.DataFrame, step: pd.Timedelta, min_risk: float,
                 days: set[pd.Timestamp] | None = None, until: pd.Timestamp | None = None) -> list[dict[str, Any]]:  # fmt: skip
    """A voice whose viral risk reaches ``min_risk`` within a day of being posted, raised at the
    first step it does (its thread's replies counted as they arrive)."""
    if voices.empty:
        return []
    end = until if until is not None else voices["ts"].max()
    final = viral_scores(voices, now=end)
    base = (final["intensity"] * final["threat"] * final["reach"]).to_numpy()
    resolved_f = np.where(final["unresolved"].to_numpy() < 0.5, 0.2, 1.0)
    platform = final["engagement"].to_numpy() - _reply_counts(voices, end)
    roots = voices["parent_id"].isna().to_numpy() & _in_days(voices["ts"], days)
    cand = np.nonzero(roots & (base * resolved_f >= min_risk))[0]  # velocity and time only lower it
    replies = voices[voices["parent_id"].notna() & voices["thread_id"].notna()].groupby("thread_id")["ts"]
    times = {k: np.sort(g.to_numpy()) for k, g in replies} if len(cand) else {}
    out = []
    for i in cand:
        v = voices.iloc[i]
        t0 = pd.Timestamp(v["ts"])
        steps = pd.date_range(_step_end(t0, step), min(t0 + HORIZON + step, end + step), freq=step)
        if steps.empty:
            continue
        rt = times.get(v["thread_id"], np.array([], dtype="datetime64[ns]"))
        rt = rt[rt <= np.datetime64(t0 + pd.Timedelta(hours=VELOCITY_HOURS))]
        n_rep = np.searchsorted(rt, steps.to_numpy(), side="right")
        vel = np.clip(np.log1p(n_rep + platform[i]) / np.log1p(1000), VELOCITY_FLOOR, 1.0)
        age = (steps - t0) / pd.Timedelta(hours=24)
        risk = base[i] * vel * (0.5 + 0.5 * np.minimum(np.asarray(age, dtype=float), 1.0)) * resolved_f[i]
        hit = np.nonzero(risk >= min_risk)[0]
        if not hit.size:
            continue
        k, at = int(hit[0]), steps[int(hit[0])]
        parts = {"intensity": float(final["intensity"].iloc[i]), "threat": float(final["threat"].iloc[i]),
                 "reach": float(final["reach"].iloc[i]), "velocity": round(float(vel[k]), 3),
                 "unresolved": round(float(risk[k] / max(base[i] * vel[k], 1e-12)), 3)}  # fmt: skip
        thread = voices[(voices["thread_id"] == v["thread_id"]) & (voices["ts"] <= at)]["id"].tolist() \
            if pd.notna(v.get("thread_id")) else []  # fmt: skip
        out.append(_alert("viral", {"voice": str(v["id"])}, t0.floor("D"), at, float(risk[k]),
                          f"viral risk {risk[k]:.2f}: {v['channel']} voice with audience "
                          f"{int(final['audience'].iloc[i]):,} and {int(n_rep[k] + platform[i]):,} engagements",
                          [str(v["id"]), *[str(x) for x in thread if x != v["id"]][:19]],
                          viral_risk=round(float(risk[k]), 4), parts=parts,
                          facts={"channel": str(v["channel"]), "audience": int(final["audience"].iloc[i]),
                                 "engagements": int(n_rep[k] + platform[i])}))  # fmt: skip
    return out


def _reply_counts(voices: pd.DataFrame, now: pd.Timestamp) -> np.ndarray:
    rep = thread_replies(voices, now)
    if rep.empty or "thread_id" not in voices:
        return np.zeros(len(voices))
    return voices["thread_id"].map(rep.set_index("thread_id")["replies"]).fillna(0).to_numpy(dtype=float)  # type: ignore[no-any-return]


def vip_alerts(voices: pd.DataFrame, store: Store, rule: dict[str, Any], step: pd.Timedelta,
               days: set[pd.Timestamp] | None = None) -> list[dict[str, Any]]:  # fmt: skip
    """A negative voice from a customer whose ``attribute`` is one of ``values`` (one alert per
    customer and day)."""
    if voices.empty:
        return []
    cust = store.customers()
    if cust.empty:
        return []
    attr, values = str(rule.get("attribute", "tier")), {str(v).lower() for v in rule.get("values", [])}
    vip = {str(r.id) for r in cust.itertuples()
           if str(json.loads(str(r.attributes or "{}")).get(attr, "")).lower() in values}  # fmt: skip
    sel = voices[voices["customer_id"].isin(vip) & (voices["sentiment"] == "negative") & _in_days(voices["ts"], days)]
    out = []
    for (cid, day), g in sel.groupby([sel["customer_id"], sel["ts"].dt.floor("D")]):
        first = g.iloc[0]
        out.append(_alert("vip", {"customer": str(cid)}, pd.Timestamp(str(day)), _step_end(pd.Timestamp(first["ts"]), step),
                          1.0, f"VIP customer {cid} ({attr}) is unhappy: {len(g)} negative voice(s)",
                          [str(x) for x in g["id"]][:20], facts={"attribute": attr, "n": len(g)}))  # fmt: skip
    return out


def threshold_alerts(voices: pd.DataFrame, obs: pd.DataFrame, rule: dict[str, Any], step: pd.Timedelta,
                     days: set[pd.Timestamp] | None = None) -> list[dict[str, Any]]:  # fmt: skip
    """The window's count (voices, or negative voices) in ``scope`` reaching ``min``."""
    from escucha.watch.frame import SHARE_DIMS, VOLUME_DIMS, scope_key

    scope = rule["scope"]
    sel = np.ones(len(voices), dtype=bool)
    for d in VOLUME_DIMS:
        if d in scope:
            sel &= (voices[d].astype("string") == str(scope[d])).fillna(False).to_numpy(dtype=bool)
    kid = {d: v for d, v in scope.items() if d in SHARE_DIMS}
    if kid:
        ids = set(obs.loc[obs["scope"] == scope_key(kid), "item_id"])
        sel &= voices["id"].astype(str).isin(ids).to_numpy()
    if rule.get("metric") == "negative":
        sel &= (voices["sentiment"] == "negative").to_numpy()
    o = voices[sel & _in_days(voices["ts"], days)]
    out = []
    for day, g in o.groupby(o["ts"].dt.floor("D")):
        if len(g) < rule["min"]:
            continue
        at = g.iloc[int(rule["min"]) - 1]["ts"]
        what = "negative voices" if rule.get("metric") == "negative" else "voices"
        out.append(_alert("threshold", dict(scope), pd.Timestamp(day), _step_end(pd.Timestamp(at), step),
                          float(len(g)) / rule["min"], f"{scope_label(scope)}: {len(g)} {what} (threshold {rule['min']})",
                          [str(x) for x in g["id"]][-20:], count=len(g),
                          facts={"metric": "negative" if rule.get("metric") == "negative" else "voices",
                                 "min": int(rule["min"])}))  # fmt: skip
    return out


def promise_alerts(promises: Iterable[dict[str, Any]], now: pd.Timestamp, rule: dict[str, Any]) -> list[dict[str, Any]]:
    """A brand promise the promises insight finds broken more often than kept: the lower 95% bound
    of its broken share at least ``min_broken_share`` (%) over ``min_mentions`` mentions (one alert
    per promise and week)."""
    out = []
    week = (now - pd.Timedelta(days=now.dayofweek)).floor("D")
    for p in promises:
        low = p.get("broken_share_low")
        if low is None or float(low) < rule["min_broken_share"] or int(p.get("mentions") or 0) < rule["min_mentions"]:
            continue
        pid = str(p.get("id"))
        quotes = [str(q["item_id"]) for q in p.get("evidence_broken") or [] if isinstance(q, dict) and q.get("item_id")]
        a = _alert("broken_promise", {"promise": pid}, week, now, float(p.get("gap") or 0.0),
                   f"promise '{p.get('promise') or pid}' broken in {float(p['broken_share']):.0f}% of "
                   f"{int(p['mentions'])} mentions ({int(p.get('broken') or 0)} broken, {int(p.get('kept') or 0)} kept)",
                   (quotes + [str(i) for i in (p.get("item_ids") or [])])[:20],
                   facts={"promise": str(p.get("promise") or pid), "share": round(float(p["broken_share"])),
                          "mentions": int(p["mentions"]), "broken": int(p.get("broken") or 0),
                          "kept": int(p.get("kept") or 0)})  # fmt: skip
        a["window_end"] = (week + pd.Timedelta(days=7)).isoformat()
        out.append(a)
    return out
