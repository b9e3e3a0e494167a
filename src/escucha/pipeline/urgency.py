"""Urgency analyser: how soon a voice needs a human, in [0, 1], with its parts explained.

Parts (each in [0, 1], kept in ``Doc.extras["urgency_parts"]``):

* ``negativity``: how negative the text is (``-sentiment_score``);
* ``anger``: ``extras["anger_intensity"]`` (else the anger emotion);
* ``churn_threat`` / ``public_threat``: the intent scores, when the intent was assigned;
* ``safety`` / ``legal``: safety words ("peligro", "dangerous", "intoxicación"; fraud on a card or
  account: "cargo que no reconozco", "someone is using my card") and legal words ("denuncia",
  "abogado", "lawyer"), from ``nlp/lexicons/urgency.yaml``;
* ``effort``: the customer's effort (:mod:`escucha.nlp.effort`: repeat contacts, transfers,
  waiting on the phone, "un calvario"), also kept in ``Doc.extras["effort"]`` with its parts in
  ``Doc.extras["effort_parts"]``;
* ``reach``: the author's audience (followers), ``log10(1 + reach) / 6`` (a million → 1).

``urgency = 1 - Π(1 - weight · part)`` over the first seven parts (a noisy-OR: any strong signal
alone makes a text urgent, several add up), then scaled by ``0.85 + 0.3 · reach`` when the reach
is known (capped at 1).
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import ClassVar

from escucha.nlp.effort import effort
from escucha.nlp.lexicons import TermMatcher, fold, load_lexicon, negated
from escucha.pipeline.base import Doc, register

WEIGHTS: dict[str, float] = {
    "negativity": 0.35,
    "anger": 0.4,
    "churn_threat": 0.55,
    "public_threat": 0.65,
    "safety": 0.7,
    "legal": 0.55,
    "effort": 0.5,
}


@lru_cache(maxsize=1)
def _matcher() -> TermMatcher[str]:
    data = load_lexicon("urgency")
    entries = [(str(t), kind) for kind in ("safety", "legal") for t in data[kind].get("strong") or []]
    return TermMatcher(entries)


def urgency_parts(doc: Doc) -> dict[str, float]:
    """The parts of the urgency of one doc, each in [0, 1]."""
    text = doc.text or ""
    counts = {"safety": 0, "legal": 0}
    if text.strip():
        folded = fold(text)
        for hit in _matcher().finditer(folded):
            if negated(folded, hit.start, window=2):
                continue
            for kind in hit.payloads:
                counts[kind] += 1
    score = doc.sentiment_score
    if doc.sentiment == "unknown" and text.strip():
        from escucha.pipeline.aspects import clause_polarity

        score = clause_polarity(fold(text))
    negativity = max(0.0, -score)
    if doc.sentiment == "negative":
        negativity = max(negativity, 0.5)
    anger = float(doc.extras.get("anger_intensity", doc.emotions.get("anger", 0.0)) or 0.0)
    parts = {
        "negativity": negativity,
        "anger": anger,
        "churn_threat": doc.intent_scores.get("churn_threat", 0.0) if "churn_threat" in doc.intents else 0.0,
        "public_threat": doc.intent_scores.get("public_threat", 0.0) if "public_threat" in doc.intents else 0.0,
        "safety": min(1.0, 0.7 * counts["safety"]),
        "legal": min(1.0, 0.7 * counts["legal"]),
        "effort": float(doc.extras.get("effort", 0.0) or 0.0),
        "reach": min(1.0, math.log10(1 + doc.reach) / 6) if doc.reach else 0.0,
    }
    return {k: round(min(1.0, max(0.0, v)), 4) for k, v in parts.items()}


def combine(parts: dict[str, float], reach_known: bool) -> float:
    """Urgency from its parts (see the module docstring)."""
    keep = 1.0
    for k, w in WEIGHTS.items():
        keep *= 1.0 - w * parts.get(k, 0.0)
    u = 1.0 - keep
    if reach_known:
        u *= 0.85 + 0.3 * parts.get("reach", 0.0)
    return round(min(1.0, max(0.0, u)), 4)


@register("urgency")
class UrgencyAnalyzer:
    """Explainable urgency from negativity, anger, threats, safety/legal words and reach."""

    name = "urgency"
    version = "1.2"  # 1.1: fraud on a card or account counts as safety; 1.2: customer effort
    requires: ClassVar[tuple[str, ...]] = ("sentiment", "emotions", "intents")
    assigns: ClassVar[tuple[str, ...]] = ("urgency", "extras.effort", "extras.effort_parts")

    def __init__(self, **_: object) -> None:
        _matcher()

    def __call__(self, docs: list[Doc]) -> None:
        for doc in docs:
            doc.extras["effort"], doc.extras["effort_parts"] = effort(doc.text or "")
            parts = urgency_parts(doc)
            doc.urgency = combine(parts, doc.reach is not None)
            doc.extras["urgency_parts"] = parts
