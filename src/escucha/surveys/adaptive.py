"""The adaptive follow-up: one question chosen from the live analysis of the open answer.

- a churn threat → offer a call back (and a case is opened when the customer accepts and
  ``escucha.cases`` is installed);
- a negative aspect → ask about that aspect ("what went wrong with the delivery?");
- a positive aspect → ask what made it good, to keep doing it;
- a suggestion → ask how they would like it to work;
- otherwise negative → ask what to fix first; else → ask if there is anything else.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from escucha.models import Analysis

TEXTS: dict[str, tuple[str, str]] = {
    "callback": ("Sentimos mucho que esté pensando en dejarnos. ¿Quiere que alguien del equipo le llame para "
                 "resolverlo? Si quiere, cuéntenos qué haría que se quedara.",
                 "We are sorry you are thinking of leaving. Would you like someone from the team to call you "
                 "back to sort it out? If you like, tell us what would make you stay."),
    "aspect_negative": ("Ha mencionado un problema con {aspect}. ¿Qué pasó exactamente y qué deberíamos cambiar?",
                        "You mentioned a problem with {aspect}. What exactly happened, and what should we change?"),
    "aspect_positive": ("Nos alegra lo que cuenta de {aspect}. ¿Qué fue lo que más le gustó?",
                        "We are glad about what you say of {aspect}. What did you like most?"),
    "suggestion": ("Gracias por la idea. ¿Cómo le gustaría que funcionara?",
                   "Thanks for the idea. How would you like it to work?"),
    "negative": ("¿Qué es lo primero que deberíamos arreglar?", "What should we fix first?"),
    "other": ("¿Hay algo más que quiera contarnos?", "Is there anything else you would like to tell us?"),
}  # fmt: skip


def aspect_labels(root: Any, lang: str) -> dict[str, str]:
    """Aspect id → its label in ``lang`` from the workspace's taxonomy (empty when unreadable);
    read once per version of the workspace's ``taxonomy.yaml``."""
    own = Path(root) / "taxonomy.yaml"
    stamp = own.stat().st_mtime_ns if own.exists() else 0
    return dict(_labels(str(root), lang, stamp))


@lru_cache(maxsize=16)
def _labels(root: str, lang: str, stamp: int) -> tuple[tuple[str, str], ...]:
    from escucha.taxonomy import workspace_taxonomy

    try:
        tax = workspace_taxonomy(Path(root))
    except Exception:  # a broken taxonomy file must not break a customer's survey
        return ()
    return tuple((a.id, a.label_for(lang)) for a in tax.aspects.values())


def follow_up(analysis: Analysis | None, lang: str, labels: dict[str, str] | None = None) -> dict[str, Any]:
    """The follow-up question for an open answer's analysis: ``kind``, ``text``, ``aspect``, and
    ``callback`` (whether to offer a call back)."""
    i = 1 if lang == "en" else 0
    labels = labels or {}

    def out(kind: str, aspect: str | None = None) -> dict[str, Any]:
        name = labels.get(aspect or "", (aspect or "").replace("_", " "))
        return {"kind": kind, "aspect": aspect, "callback": kind == "callback",
                "text": TEXTS[kind][i].format(aspect=name)}  # fmt: skip

    if analysis is None:
        return out("other")
    if "churn_threat" in analysis.intents:
        return out("callback")
    negative = sorted((m for m in analysis.aspects if m.sentiment == "negative"), key=lambda m: m.score)
    if negative:
        return out("aspect_negative", negative[0].aspect)
    if "suggestion" in analysis.intents:
        return out("suggestion")
    if analysis.sentiment == "negative":
        return out("negative")
    positive = sorted((m for m in analysis.aspects if m.sentiment == "positive"), key=lambda m: -m.score)
    if positive:
        return out("aspect_positive", positive[0].aspect)
    return out("other")
