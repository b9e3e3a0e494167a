"""The customer 360: what the profile adds for the contact center — the timeline with the agents'
replies, the sentiment trajectory, the cases, churn risk, reach and what the customer told us —
and the customer search (by id, name or e-mail)."""

from __future__ import annotations

import threading
import unicodedata
from typing import TYPE_CHECKING, Any

from escucha.cases import store as case_store
from escucha.cases.churn import risk
from escucha.cases.config import load_config
from escucha.cases.data import customer_attributes, is_agent_voice, voices
from escucha.cases.history import orders_in
from escucha.cases.model import iso
from escucha.cases.sla import Policies
from escucha.cases.workflow import case_view
from escucha.errors import ValidationError
from escucha.store import Filters

if TYPE_CHECKING:
    from collections.abc import Callable

    from escucha.layout import WorkspaceLayout
    from escucha.store import Store

_RISK_CACHE: dict[tuple[int, Any], dict[str, Any]] = {}
_RISK_LOCK = threading.Lock()
RISK_DOCS = "churn_risk"
MAX_SCORED_VOICES = 300_000


def _fold(s: Any) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", str(s or "").lower()) if not unicodedata.combining(c))


def risk_of(store: Store, customer_id: str) -> dict[str, Any] | None:
    """The customer's churn risk: every customer scored once per data version and case change;
    on workspaces over ``MAX_SCORED_VOICES`` voices, the last table ``escucha cases churn`` stored."""
    key = (id(store), (store.data_version(), case_store.generation()))
    with _RISK_LOCK:
        table = _RISK_CACHE.get(key)
        if table is None:
            if store.count_items() > MAX_SCORED_VOICES:
                table = (store.get_docs(RISK_DOCS).get("last") or {}).get("customers") or {}
            else:
                try:
                    scored = risk(store)["customers"]
                except ValidationError:
                    scored = []
                table = {r["customer_id"]: r for r in scored}
            _RISK_CACHE.clear()
            _RISK_CACHE[key] = table
    return table.get(customer_id)


def store_risk(store: Store) -> dict[str, Any]:
    """Score every customer and keep the table for the 360 (large workspaces read it from here)."""
    out = risk(store)
    store.put_docs(RISK_DOCS, {"last": {"as_of": out["as_of"], "customers": {r["customer_id"]: r for r in out["customers"]}}})
    return out


def extras(store: Store, layout: WorkspaceLayout | None, customer_id: str,
           redact: Callable[[Any], Any] | None = None) -> dict[str, Any]:
    """What the 360 adds to the profile of ``customer_id``."""
    rows = voices(store, Filters(customer_id=[customer_id], exclude_channel=["employee"], agents=True))
    timeline = []
    for r in rows:
        agent = is_agent_voice(r)
        text = r.get("text") or ""
        timeline.append({"id": r["id"], "timestamp": iso(r.get("timestamp")), "channel": r.get("channel"),
                         "speaker": "agent" if agent else "customer", "sentiment": r.get("sentiment"),
                         "sentiment_score": r.get("sentiment_score"), "intents": r.get("intents"),
                         "case_id": (r.get("metadata") or {}).get("case_id"),
                         "text": redact(text) if redact else text})  # fmt: skip
    own = [t for t in timeline if t["speaker"] == "customer"]
    trajectory = [{"timestamp": t["timestamp"], "score": t["sentiment_score"], "channel": t["channel"]}
                  for t in own if t["sentiment_score"] is not None]  # fmt: skip
    told: list[str] = []
    for r in reversed(rows):
        if is_agent_voice(r):
            continue
        told += [f"order {o}" for o in orders_in(r.get("text") or "") if f"order {o}" not in told]
        if r.get("product") and f"product {r['product']}" not in told:
            told.append(f"product {r['product']}")
    quotes = store.aspects(Filters(customer_id=[customer_id], exclude_channel=["employee"]))
    said = []
    if not quotes.empty:
        neg = quotes[(quotes["aspect_sentiment"] == "negative") & (quotes["speaker"].fillna("") != "agent")]
        for q in neg.sort_values("timestamp", ascending=False).head(5).to_dict("records"):
            said.append({"aspect": q["aspect"], "quote": redact(q["quote"]) if redact else q["quote"],
                         "item_id": q["item_id"]})  # fmt: skip
    policies = Policies(load_config(layout))
    cases = [case_view(c, policies) for c in case_store.load_all(store) if c.customer_id == customer_id]
    reach = sum(int(r.get("reach") or 0) for r in rows if not is_agent_voice(r))
    return {"timeline": timeline, "trajectory": trajectory, "cases": cases, "risk": risk_of(store, customer_id),
            "reach": reach, "told_us": told[:10], "said": said}  # fmt: skip


def search(store: Store, q: str, limit: int = 20, with_names: bool = True) -> list[dict[str, Any]]:
    """Customers whose id, name or e-mail (an ``email`` attribute) contains ``q`` (accents and case
    ignored); ``with_names=False`` searches and shows ids only (names hidden by the PII setting)."""
    needle = _fold(q.strip())
    if len(needle) < 2:
        raise ValidationError("search needs at least 2 characters", field="q")
    out = []
    for cid, a in customer_attributes(store).items():
        fields = [cid] + ([a.get("name"), a.get("email")] if with_names else [])
        if any(needle in _fold(f) for f in fields if f):
            out.append({"id": cid, "name": a.get("name") if with_names else None, "tier": a.get("tier"),
                        "segment": a.get("segment")})  # fmt: skip
        if len(out) >= limit:
            break
    if len(out) < limit and not any(needle == _fold(r["id"]) for r in out):
        known = {r["id"] for r in out}
        df = store.items(Filters(customer_id=[q.strip()]), limit=1)
        if not df.empty and q.strip() not in known:
            out.append({"id": q.strip(), "name": None, "tier": None, "segment": None})
    return out
