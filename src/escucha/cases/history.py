"""What a customer told us before, kept warm in memory for agent assist.

``CustomerIndex`` holds, per customer, their recent voices (light records), their attributes and
their active cases. Building it reads the store once (a few hundred ms on 6,000 voices); the
assist service rebuilds it in the background when it is older than its time to live, and reloads
the cases at once when a case changes in this process.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from escucha.cases import store as case_store
from escucha.cases.data import aspect_lists, customer_attributes, is_agent_voice, score01, voices
from escucha.cases.model import Case, iso
from escucha.store import Filters

if TYPE_CHECKING:
    from escucha.store import Store

ORDER = re.compile(r"\b(?:[A-Z]{2,4}-\d{4,}|(?:pedido|order|orden)\s*(?:n[ºo°.]*\s*|#\s*)?\d{5,})\b", re.I)
KEEP = 30  # voices kept per customer


_USTED = re.compile(r"\b(usted|ustedes|le agradecería|podría(?:n)? (?:ustedes? )?(?:indicarme|decirme)|"
                    r"disculpe|oiga|perdone|su (?:pedido|empresa|tienda|servicio))\b", re.I)  # fmt: skip
_TU = re.compile(r"\b(tú|oye|puedes|sabes|tienes|podéis|vuestr[oa]s?|os|hola chicos|tu (?:pedido|tienda))\b", re.I)


def register_of(text: str, lang: str, default: str | None = "usted") -> str | None:
    """``tu`` or ``usted`` for Spanish (how the customer addresses us; ``default`` when unclear);
    English has one register (``neutral``)."""
    if lang != "es":
        return "neutral"
    u, t = len(_USTED.findall(text)), len(_TU.findall(text))
    if u > t:
        return "usted"
    if t > u:
        return "tu"
    return default


def orders_in(text: str) -> list[str]:
    return [m.group(0) for m in ORDER.finditer(text or "")]


def _light(r: dict[str, Any], neg: dict[str, list[str]]) -> dict[str, Any]:
    return {
        "complaints": neg.get(r["id"], []),
        "id": r["id"], "timestamp": r.get("timestamp"), "channel": r.get("channel"),
        "sentiment": r.get("sentiment"), "sentiment_score": r.get("sentiment_score"),
        "intents": r.get("intents") or [], "score": score01(r), "product": r.get("product"),
        "language": r.get("language"), "agent": is_agent_voice(r), "orders": orders_in(r.get("text") or ""),
        "urgency": r.get("urgency"),
        "register": register_of(r.get("text") or "", "es", default=None) if r.get("language") == "es" else None,
    }  # fmt: skip


@dataclass
class CustomerIndex:
    """Per customer: recent voices, attributes, cases. Up to ``MAX_VOICES`` stored voices it holds
    everyone's history; above, it reads a customer's voices on first ask and keeps the latest
    ``LAZY_CUSTOMERS`` customers (``store`` is then kept to read them)."""

    voices: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    attributes: dict[str, dict[str, Any]] = field(default_factory=dict)
    cases: dict[str, list[Case]] = field(default_factory=dict)
    cases_generation: int = -1
    store: Store | None = None  # set when the history is read per customer (large workspaces)

    MAX_VOICES = 300_000
    LAZY_CUSTOMERS = 20_000

    @classmethod
    def build(cls, store: Store) -> CustomerIndex:
        if store.count_items(Filters(exclude_channel=["employee"])) > cls.MAX_VOICES:
            index = cls(attributes=customer_attributes(store), store=store)
            index.reload_cases(store)
            return index
        by: dict[str, list[dict[str, Any]]] = defaultdict(list)
        f = Filters(exclude_channel=["employee"])
        _, neg = aspect_lists(store, f)
        for r in voices(store, f):
            cid = r.get("customer_id")
            if cid:
                by[str(cid)].append(_light(r, neg))
        index = cls({k: v[-KEEP:] for k, v in by.items()}, customer_attributes(store))
        index.reload_cases(store)
        return index

    def history(self, customer_id: str) -> list[dict[str, Any]]:
        """The customer's recent voices, oldest first."""
        if self.store is None or customer_id in self.voices:
            return self.voices.get(customer_id, [])
        f = Filters(customer_id=[customer_id], exclude_channel=["employee"])
        rows = voices(self.store, f, limit=KEEP)
        _, neg = aspect_lists(self.store, f)
        if len(self.voices) >= self.LAZY_CUSTOMERS:
            self.voices.pop(next(iter(self.voices)))
        self.voices[customer_id] = [_light(r, neg) for r in rows]
        return self.voices[customer_id]

    def reload_cases(self, store: Store) -> None:
        gen = case_store.generation()
        cases: dict[str, list[Case]] = defaultdict(list)
        for c in case_store.load_all(store):
            if c.customer_id:
                cases[c.customer_id].append(c)
        self.cases, self.cases_generation = dict(cases), gen

    def summary(self, customer_id: str) -> dict[str, Any] | None:
        """What assist shows about a customer (None when escucha knows nothing of them)."""
        vs = self.history(customer_id)
        attrs = self.attributes.get(customer_id)
        cases = self.cases.get(customer_id, [])
        if not vs and attrs is None and not cases:
            return None
        own = [v for v in vs if not v["agent"]]
        facts: list[str] = []
        for v in reversed(own):
            facts += [f"order {o}" for o in v["orders"] if f"order {o}" not in facts]
            if v.get("product") and f"product {v['product']}" not in facts:
                facts.append(f"product {v['product']}")
            facts += [f"complaint {a}" for a in v.get("complaints", []) if f"complaint {a}" not in facts]
        threats = [v["id"] for v in own if {"churn_threat", "public_threat"} & set(v["intents"])]
        scores = [v["score"] for v in own if v["score"] is not None]
        trend = [round(float(v["sentiment_score"]), 3) for v in own[-10:] if v["sentiment_score"] is not None]
        attrs = attrs or {}
        return {
            "id": customer_id,
            "name": attrs.get("name"),
            "tier": attrs.get("tier"),
            "value": attrs.get("lifetime_value"),
            "segment": attrs.get("segment"),
            "voices": len(own),
            "last_contact": iso(own[-1]["timestamp"]) if own and own[-1]["timestamp"] else None,
            "last_channel": own[-1]["channel"] if own else None,
            "language": next((v["language"] for v in reversed(own) if v.get("language") in ("es", "en")), None),
            "register": next((v["register"] for v in reversed(own) if v.get("register")), None),
            "facts": facts[:8],
            "threats": threats[-5:],
            "last_score": scores[-1] if scores else None,
            "sentiment_trend": trend,
            "open_cases": [
                {"id": c.id, "status": c.status, "priority": c.priority, "topic": c.topic, "reason": c.reason,
                 "assignee": c.assignee, "due_at": iso(c.due_at)}
                for c in cases if c.active
            ],
            "past_cases": sum(1 for c in cases if not c.active),
        }
