"""The 360° customer profile: every voice of one customer across channels, with metrics and threats,
and (``escucha.cases.customer360``) the timeline with agents' replies, cases, churn risk and reach."""

from __future__ import annotations

import dataclasses
import json
from typing import TYPE_CHECKING, Any

from escucha.cases.data import is_agent_voice
from escucha.errors import NotFoundError
from escucha.http.serialize import clean, frame_records
from escucha.insights.metrics import to_records
from escucha.insights.protect import safe_listing
from escucha.store import Filters

if TYPE_CHECKING:
    from collections.abc import Callable

    from escucha.workspace import Workspace

THREAT_INTENTS = ("churn_threat", "public_threat")


def customer_profile(
    ws: Workspace, customer_id: str, limit: int = 200, redact: Callable[[Any], Any] | None = None
) -> dict[str, Any]:
    """Profile of ``customer_id``: attributes, voices (newest first), per-channel counts, metrics,
    latest sentiment and open threats (a churn or public threat not followed by a positive voice)."""
    # an employee is never reachable by author id: their voices are left out of any profile
    f = safe_listing(ws.store, ws.settings.employee_min_group, Filters(customer_id=[customer_id]))
    total = ws.store.count_items(f)
    customers = ws.store.customers()
    row = customers[customers["id"] == customer_id] if not customers.empty else customers
    if total == 0 and row.empty:
        raise NotFoundError(f"no customer {customer_id!r}", field="customer_id", record=customer_id)
    info: dict[str, Any] = {"id": customer_id, "name": None, "attributes": {}}
    if not row.empty:
        r = row.iloc[0]
        info["name"] = clean(r["name"])
        try:
            info["attributes"] = json.loads(r["attributes"]) if isinstance(r["attributes"], str) else {}
        except ValueError:
            info["attributes"] = {}
    # the thread shows the agents' replies too; the counts and metrics are the customer's alone
    voices = frame_records(ws.items(dataclasses.replace(f, agents=True), limit=limit), redact)
    metrics = to_records(ws.metrics(filters=f)) if total else []
    by_channel = to_records(ws.metrics(by="channel", filters=f)) if total else []
    own = [v for v in voices if not is_agent_voice(v)]  # the agents' replies on the thread say nothing of the customer
    latest = next((v for v in own if v.get("sentiment") not in (None, "unknown")), None)
    threats = []
    for i, v in enumerate(own):  # newest first: a later positive voice closes older threats
        hit = [x for x in v.get("intents") or [] if x in THREAT_INTENTS]
        if not hit:
            continue
        later_positive = any(w.get("sentiment") == "positive" for w in own[:i])
        if not later_positive:
            threats.append({"id": v["id"], "timestamp": v.get("timestamp"), "channel": v.get("channel"),
                            "intents": hit, "urgency": v.get("urgency")})  # fmt: skip
    from escucha.cases.customer360 import extras

    return {
        **extras(ws.store, ws.layout, customer_id, redact),
        "customer": info,
        "total_voices": total,
        "voices": voices,
        "channels": [{"channel": c["channel"], "volume": c["volume"], "sentiment_index": c.get("sentiment_index"),
                      "nps": c.get("nps")} for c in by_channel],
        "metrics": metrics[0] if metrics else {},
        "latest_sentiment": (
            {"sentiment": latest["sentiment"], "timestamp": latest.get("timestamp"), "id": latest["id"]}
            if latest else None
        ),
        "open_threats": threats,
    }
