"""The labelled incidents of the airline tweets, built from the human ``negativereason`` labels
(the detector never reads them), and how a list of alerts (or of the watch's incidents: alerts
grouped) scores against them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

REASON = "Cancelled Flight"
ASPECT = "airline.cancellations"
OTHER_REASONS = {"Late Flight": "airline.delays", "Lost Luggage": "airline.baggage",
                 "Customer Service Issue": "customer_service", "Bad Flight": "airline.seats_comfort",
                 "Flight Attendant Complaints": "airline.crew"}  # fmt: skip
"""Other labelled reasons and the aspect of escucha's airline taxonomy that says the same."""


def daily_labels(csv: Path, reason: str = REASON) -> pd.DataFrame:
    """Per airline and UTC day: tweets ``n`` and tweets labelled with a cancellation ``c``."""
    df = pd.read_csv(csv, usecols=["airline", "negativereason", "tweet_created"])
    day = pd.to_datetime(df["tweet_created"], utc=True).dt.tz_convert(None).dt.floor("D")
    df = df.assign(day=day, c=(df["negativereason"] == reason).astype(int))
    return df.groupby(["airline", "day"]).agg(n=("c", "size"), c=("c", "sum")).reset_index()


def incidents(csv: Path, min_count: int = 20, ratio: float = 2.0, min_day_volume: int = 50,
              reason: str = REASON) -> pd.DataFrame:
    """Airline-days whose cancellation count is at least ``ratio`` times the airline's own usual
    (the median over its other full days with ``min_day_volume`` tweets; an airline with fewer than
    three such days is compared with the pooled median share times its volume) and ``min_count``."""
    g = daily_labels(csv, reason)
    full = g[g["n"] >= min_day_volume]
    pooled = float((full["c"] / full["n"]).median())
    rows = []
    for r in full.itertuples():
        others = full[(full["airline"] == r.airline) & (full["day"] != r.day)]
        base = float(others["c"].median()) if len(others) >= 3 else pooled * r.n
        if r.c >= min_count and r.c >= ratio * base:
            rows.append({"airline": r.airline, "day": r.day, "count": int(r.c), "baseline": round(base, 1)})
    return pd.DataFrame(rows, columns=["airline", "day", "count", "baseline"])


def _day(alert: dict[str, Any]) -> pd.Timestamp:
    return pd.Timestamp(alert["window_start"]).tz_localize(None).floor("D")


def score(alerts: list[dict[str, Any]], inc: pd.DataFrame, n_scopes: int, weeks: float,
          aspect: str = ASPECT) -> dict[str, Any]:
    """Recall (strict: scoped to the airline and to cancellations; loose: to the airline), false
    alerts (not on an incident's airline-day) per scope-week, and lead time: hours between the
    first matching alert and the end of the incident's day (what a daily report would wait for)."""
    hit_strict, hit_loose, leads = 0, 0, []
    keys = {(r.airline, r.day) for r in inc.itertuples()}
    for r in inc.itertuples():
        mine = [a for a in alerts if a["scope"].get("product") == r.airline and _day(a) == r.day]
        strict = [a for a in mine if a["scope"].get("aspect") == aspect]
        hit_loose += bool(mine)
        if strict:
            hit_strict += 1
            first = min(pd.Timestamp(a["detected_at"]).tz_localize(None) for a in strict)
            leads.append((r.day + pd.Timedelta(days=1) - first).total_seconds() / 3600)
    false = [a for a in alerts if (a["scope"].get("product"), _day(a)) not in keys]
    n = max(len(inc), 1)
    return {
        "incidents": len(inc),
        "recall_strict": hit_strict / n,
        "recall_airline": hit_loose / n,
        "alerts": len(alerts),
        "false_alerts": len(false),
        "false_per_scope_week": len(false) / max(n_scopes * weeks, 1e-9),
        "lead_time_h_median": float(pd.Series(leads).median()) if leads else None,
        "lead_time_h": [round(x, 1) for x in leads],
    }


def score_incidents(incidents: list[dict[str, Any]], alerts: list[dict[str, Any]], inc: pd.DataFrame,
                    n_scopes: int, weeks: float, aspect: str = ASPECT) -> dict[str, Any]:  # fmt: skip
    """Incident-level figures: recall (strict: an incident containing an alert on that airline-day
    scoped to ``aspect``; loose: containing any alert on that airline-day), false incidents (none
    of whose alerts is on a labelled airline-day) per scope-week, and lead time from the incident's
    first detection (whatever alert it was) to the end of the labelled day."""
    by_id = {a["id"]: a for a in alerts}
    keys = {(r.airline, r.day) for r in inc.itertuples()}
    hit_strict, hit_loose, leads = 0, 0, []
    for r in inc.itertuples():
        strict, loose = [], []
        for i in incidents:
            mine = [by_id[x] for x in i["alert_ids"] if x in by_id]
            on_day = [a for a in mine if a["scope"].get("product") == r.airline and _day(a) == r.day]
            if on_day:
                loose.append(i)
                if any(a["scope"].get("aspect") == aspect for a in on_day):
                    strict.append(i)
        hit_loose += bool(loose)
        if strict:
            hit_strict += 1
            first = min(pd.Timestamp(i["detected_at"]).tz_localize(None) for i in strict)
            leads.append((r.day + pd.Timedelta(days=1) - first).total_seconds() / 3600)
    false = [i for i in incidents
             if not any((by_id[x]["scope"].get("product"), _day(by_id[x])) in keys for x in i["alert_ids"] if x in by_id)]  # fmt: skip
    n = max(len(inc), 1)
    return {
        "incidents": len(inc),
        "recall_strict": hit_strict / n,
        "recall_airline": hit_loose / n,
        "found": len(incidents),
        "alerts": len(alerts),
        "false_incidents": len(false),
        "false_per_scope_week": len(false) / max(n_scopes * weeks, 1e-9),
        "lead_time_h_median": float(pd.Series(leads).median()) if leads else None,
        "lead_time_h": [round(x, 1) for x in leads],
        "alerts_per_incident_max": max((len(i["alert_ids"]) for i in incidents), default=0),
    }
