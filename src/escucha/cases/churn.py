"""Churn risk from behaviour and voice, evaluated with a time-based split; the silent customers.

Features of a customer at a cutoff use only what happened before it: recency and frequency,
negative share, the sentiment trajectory (last voice minus the mean of the earlier ones), threats,
complaints not followed by a positive voice ("unresolved"), silence after a complaint, the last
survey score and the customer's value. The label: no voice in the following horizon. A logistic
regression is trained on an earlier cutoff and tested on a later one (never on the same period),
beside the recency-only baseline, in the same run.
"""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import numpy as np

from escucha.cases import store as case_store
from escucha.cases.data import customer_attributes, is_agent_voice, score01, voices
from escucha.cases.model import iso
from escucha.errors import ValidationError
from escucha.store import Filters

if TYPE_CHECKING:
    from escucha.store import Store

FEATURES = ("recency_days", "log_voices", "negative_share", "trajectory", "threats", "unresolved",
            "silent_after_complaint", "last_score", "log_value")  # fmt: skip
THREATS = frozenset({"churn_threat", "public_threat"})


def _negative(v: dict[str, Any]) -> bool:
    return v.get("sentiment") == "negative" or "complaint" in (v.get("intents") or [])


def own_voices(store: Store) -> dict[str, list[dict[str, Any]]]:
    """customer id → their own voices (no agent replies, no employees), oldest first."""
    by: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in voices(store, Filters(exclude_channel=["employee"])):
        if r.get("customer_id") and r.get("timestamp") is not None and not is_agent_voice(r):
            by[str(r["customer_id"])].append(r)
    return dict(by)


def features(vs: list[dict[str, Any]], cutoff: datetime, attrs: dict[str, Any] | None = None,
             open_cases: int = 0) -> list[float] | None:
    """The feature vector of one customer at ``cutoff`` (None when they said nothing before it)."""
    past = [v for v in vs if v["timestamp"] <= cutoff]
    if not past:
        return None
    scores = [float(v.get("sentiment_score") or 0.0) for v in past]
    trajectory = scores[-1] - (sum(scores[:-1]) / (len(scores) - 1)) if len(scores) > 1 else 0.0
    unresolved = 0
    for v in past:  # a complaint stays unresolved until a positive voice follows
        if _negative(v):
            unresolved += 1
        elif v.get("sentiment") == "positive":
            unresolved = 0
    surveys = [s for v in past if (s := score01(v)) is not None]
    value = float((attrs or {}).get("lifetime_value") or 0.0)
    recency = (cutoff - past[-1]["timestamp"]).total_seconds() / 86400
    return [
        recency,
        math.log1p(len(past)),
        sum(_negative(v) for v in past) / len(past),
        trajectory,
        float(sum(bool(THREATS & set(v.get("intents") or [])) for v in past)),
        float(max(unresolved, open_cases)),
        recency if _negative(past[-1]) else 0.0,
        surveys[-1] if surveys else 0.5,
        math.log1p(max(value, 0.0)),
    ]


def dataset(by: dict[str, list[dict[str, Any]]], attrs: dict[str, dict[str, Any]], cutoff: datetime,
            horizon: timedelta) -> tuple[list[str], np.ndarray, np.ndarray]:
    """(customer ids, features at ``cutoff``, churned = no voice in (cutoff, cutoff + horizon])."""
    ids, xs, ys = [], [], []
    for cid, vs in by.items():
        x = features(vs, cutoff, attrs.get(cid))
        if x is None:
            continue
        ids.append(cid)
        xs.append(x)
        ys.append(not any(cutoff < v["timestamp"] <= cutoff + horizon for v in vs))
    return ids, np.array(xs, dtype=float).reshape(-1, len(FEATURES)), np.array(ys, dtype=int)


def _fit(x: np.ndarray, y: np.ndarray) -> Any:
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    return make_pipeline(StandardScaler(), LogisticRegression(C=1.0, max_iter=1000)).fit(x, y)


def _span(by: dict[str, list[dict[str, Any]]]) -> tuple[datetime, datetime]:
    times = [v["timestamp"] for vs in by.values() for v in vs]
    if not times:
        raise ValidationError("no customer voices with a customer id and a time: nothing to evaluate",
                              field="customer_id")  # fmt: skip
    return min(times), max(times)


def evaluate(store: Store, horizon_share: float = 0.3, train_share: float = 0.4) -> dict[str, Any]:
    """Time-based split: train at cutoff t1 (labels up to t2), test at t2 (labels up to the end);
    the model's AUC beside the recency-only baseline's on the same test customers."""
    from sklearn.metrics import roc_auc_score

    by = own_voices(store)
    attrs = customer_attributes(store)
    start, end = _span(by)
    span = end - start
    horizon = span * horizon_share
    t2 = end - horizon
    t1 = t2 - horizon
    if t1 - start < span * train_share * 0.5:
        t1 = start + span * train_share * 0.5
    _, x_tr, y_tr = dataset(by, attrs, t1, t2 - t1)
    _, x_te, y_te = dataset(by, attrs, t2, horizon)
    if len(set(y_tr)) < 2 or len(set(y_te)) < 2:
        raise ValidationError("every customer came back (or none did) in a split: no churn to learn",
                              field="timestamp")  # fmt: skip
    model = _fit(x_tr, y_tr)
    p = model.predict_proba(x_te)[:, 1]
    recency = x_te[:, FEATURES.index("recency_days")]
    coefs = model[-1].coef_[0]
    return {
        "train_cutoff": iso(t1), "test_cutoff": iso(t2), "horizon_days": round(horizon.total_seconds() / 86400, 1),
        "train": {"customers": len(y_tr), "churned": int(y_tr.sum())},
        "test": {"customers": len(y_te), "churned": int(y_te.sum())},
        "auc_model": round(float(roc_auc_score(y_te, p)), 4),
        "auc_recency": round(float(roc_auc_score(y_te, recency)), 4),
        "coefficients": {f: round(float(c), 3) for f, c in zip(FEATURES, coefs, strict=True)},
    }  # fmt: skip


def risk(store: Store, customer_ids: list[str] | None = None, as_of: datetime | None = None,
         horizon_share: float = 0.3) -> dict[str, Any]:
    """Churn risk per customer now (``as_of``: default the newest voice): a model trained on the
    latest complete window, applied to today's features (open cases count as unresolved)."""
    by = own_voices(store)
    attrs = customer_attributes(store)
    start, end = _span(by)
    as_of = as_of or end
    horizon = (end - start) * horizon_share
    _, x, y = dataset(by, attrs, as_of - horizon, horizon)
    model = _fit(x, y) if len(set(y)) == 2 else None
    open_by: dict[str, int] = defaultdict(int)
    for c in case_store.load_all(store):
        if c.active and c.customer_id:
            open_by[c.customer_id] += 1
    out: list[dict[str, Any]] = []
    for cid in customer_ids if customer_ids is not None else sorted(by):
        f = features(by.get(cid, []), as_of, attrs.get(cid), open_by.get(cid, 0))
        if f is None:
            continue
        p = float(model.predict_proba(np.array([f]))[0, 1]) if model is not None else None
        out.append({"customer_id": cid, "risk": None if p is None else round(p, 4),
                    **{k: round(v, 3) for k, v in zip(FEATURES, f, strict=True)}})  # fmt: skip
    out.sort(key=lambda r: -float(r["risk"] or 0))
    return {"as_of": iso(as_of), "customers": out}


def silent_customers(store: Store, quiet_days: float = 30, as_of: datetime | None = None,
                     limit: int = 100) -> list[dict[str, Any]]:
    """Customers whose last voice was a complaint and who said nothing for ``quiet_days`` since."""
    by = own_voices(store)
    if not by:
        return []
    as_of = as_of or _span(by)[1]
    attrs = customer_attributes(store)
    rows = []
    for cid, vs in by.items():
        past = [v for v in vs if v["timestamp"] <= as_of]
        if not past or not _negative(past[-1]):
            continue
        quiet = (as_of - past[-1]["timestamp"]).total_seconds() / 86400
        if quiet >= quiet_days:
            a = attrs.get(cid, {})
            rows.append({"customer_id": cid, "name": a.get("name"), "tier": a.get("tier"),
                         "last_complaint_at": iso(past[-1]["timestamp"]), "quiet_days": round(quiet, 1),
                         "channel": past[-1].get("channel"), "item_id": past[-1]["id"],
                         "value": a.get("lifetime_value")})  # fmt: skip
    rows.sort(key=lambda r: (-(float(r["value"] or 0)), -r["quiet_days"]))
    return rows[:limit]
