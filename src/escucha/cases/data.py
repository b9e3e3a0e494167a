"""Small readers shared by the case modules: voices as plain dicts, customers' attributes, agent voices."""

from __future__ import annotations

import json
import math
import re
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import pandas as pd

from escucha.insights.base import as_list
from escucha.models import AGENT, AGENT_SOURCE

if TYPE_CHECKING:
    from escucha.store import Filters, Store

AGENT_SPEAKER = re.compile(r"^(agent|agente|asesor|asesora|operador|operadora|rep|brand)", re.I)


def loads(v: Any) -> dict[str, Any]:
    if isinstance(v, dict):
        return v
    if isinstance(v, str) and v:
        try:
            out = json.loads(v)
        except ValueError:
            return {}
        return out if isinstance(out, dict) else {}
    return {}


def missing(v: Any) -> bool:
    return v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and math.isnan(v))


def value(v: Any) -> Any:
    """A cell as a plain Python value (None for missing; numpy scalars unwrapped)."""
    if missing(v):
        return None
    if isinstance(v, pd.Timestamp):
        return v.to_pydatetime().replace(tzinfo=UTC) if v.tzinfo is None else v.to_pydatetime()
    return v.item() if hasattr(v, "item") and not isinstance(v, str | bytes) else v


def is_agent_voice(row: dict[str, Any]) -> bool:
    """A voice written by the company (speaker ``agent``: an agent's reply stored on the customer's
    thread, the brand's account, an owner's reply)."""
    if row.get("speaker") == AGENT or row.get("source") == AGENT_SOURCE:
        return True
    meta = loads(row.get("metadata"))
    return AGENT_SPEAKER.match(str(meta.get("speaker") or "")) is not None


def voices(store: Store, filters: Filters | None = None, limit: int | None = None) -> list[dict[str, Any]]:
    """Voices with their analysis as plain dicts, oldest first (intents as a list, metadata and
    extras as dicts, timestamps aware UTC)."""
    df = store.items(filters, limit=limit)
    out: list[dict[str, Any]] = []
    for r in df.to_dict("records"):
        row = {str(k): value(v) if k not in ("intents", "metadata", "extras", "emotions") else v for k, v in r.items()}
        row["intents"] = [str(x) for x in as_list(r.get("intents"))]
        row["metadata"] = loads(r.get("metadata"))
        row["extras"] = loads(r.get("extras"))
        row["emotions"] = loads(r.get("emotions"))
        out.append(row)
    epoch = datetime.min.replace(tzinfo=UTC)
    out.sort(key=lambda r: (r.get("timestamp") or epoch, r["id"]))
    return out


def customer_attributes(store: Store) -> dict[str, dict[str, Any]]:
    """customer id → {"name", **attributes}."""
    df = store.customers()
    out: dict[str, dict[str, Any]] = {}
    if df.empty:
        return out
    for r in df.to_dict("records"):
        attrs = loads(r.get("attributes"))
        out[str(r["id"])] = {"name": value(r.get("name")), **attrs}
    return out


def aspect_lists(store: Store, filters: Filters | None = None) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """(item id → its aspects, item id → its negative aspects), each in order of the text."""
    df = store.aspects(filters)
    every: dict[str, list[str]] = {}
    neg: dict[str, list[str]] = {}
    if df.empty:
        return every, neg
    df = df.sort_values(["item_id", "sentence"], na_position="last")
    for item_id, aspect, sent in zip(df["item_id"], df["aspect"], df["aspect_sentiment"], strict=True):
        for out, keep in ((every, True), (neg, sent == "negative")):
            lst = out.setdefault(str(item_id), [])
            if keep and aspect not in lst:
                lst.append(str(aspect))
    return every, neg


def score01(row: dict[str, Any]) -> float | None:
    """The voice's survey score on 0..1 (NPS, CSAT or rating), or None."""
    if row.get("nps") is not None:
        return float(row["nps"]) / 10
    if row.get("csat") is not None:
        return (float(row["csat"]) - 1) / 4
    if row.get("rating") is not None:
        return (float(row["rating"]) - 1) / 4
    return None
