"""Service recovery: after an agent answered a case, did the customer come back, score a later survey
higher, stop threatening? Measured per case, then per playbook and per agent team (the queue)."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from escucha.cases import store as case_store
from escucha.cases.data import is_agent_voice, score01, voices
from escucha.cases.model import Case, iso
from escucha.store import Filters

if TYPE_CHECKING:
    from escucha.store import Store

THREATS = frozenset({"churn_threat", "public_threat"})


def case_outcome(case: Case, own: list[dict[str, Any]], window_days: int = 90) -> dict[str, Any] | None:
    """The outcome of one case from its customer's own voices (oldest first), or None when the
    case was never answered. ``came_back``: a voice after the first reply within the window;
    ``score_up``: a later survey score above the case's (or, when its voices carry none, the
    customer's last one before the answer; None without both); ``threat_stopped``:
    the case had a threat, the customer came back and no later voice threatens (None without a
    threat, or when the customer never came back: silence is not a recovery)."""
    t0 = case.first_response_at
    if t0 is None:
        return None
    in_case = [v for v in own if v["id"] in set(case.item_ids)]
    later = [v for v in own if v["id"] not in set(case.item_ids) and v.get("timestamp") is not None
             and t0 < v["timestamp"] <= t0 + timedelta(days=window_days)]  # fmt: skip
    before = [s for v in in_case if (s := score01(v)) is not None]
    if not before:  # the case's voices carry no score (a post, an e-mail): their last survey before it
        earlier = [s for v in own if v["id"] not in set(case.item_ids) and v.get("timestamp") is not None
                   and v["timestamp"] <= t0 and (s := score01(v)) is not None]  # fmt: skip
        before = earlier[-1:]
    after = [s for v in later if (s := score01(v)) is not None]
    threatened = any(THREATS & set(v["intents"]) for v in in_case)
    return {
        "case": case.id, "customer_id": case.customer_id, "playbook": case.playbook or "none",
        "team": case.queue or "none", "assignee": case.assignee, "answered_at": iso(t0),
        "came_back": bool(later),
        "score_before": round(sum(before) / len(before), 3) if before else None,
        "score_after": round(after[0], 3) if after else None,
        "score_up": (after[0] > sum(before) / len(before)) if before and after else None,
        "threat_stopped": (not any(THREATS & set(v["intents"]) for v in later)) if threatened and later else None,
        "compensation": (case.compensation or {}).get("kind"),
    }  # fmt: skip


def _share(values: list[bool | None]) -> tuple[float | None, int]:
    known = [v for v in values if v is not None]
    return (round(sum(known) / len(known), 3) if known else None), len(known)


def summarise(outcomes: list[dict[str, Any]], by: str) -> list[dict[str, Any]]:
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for o in outcomes:
        groups[str(o.get(by))].append(o)
    rows = []
    for key, os_ in sorted(groups.items()):
        back, _ = _share([o["came_back"] for o in os_])
        up, n_up = _share([o["score_up"] for o in os_])
        stop, n_stop = _share([o["threat_stopped"] for o in os_])
        deltas = [o["score_after"] - o["score_before"] for o in os_
                  if o["score_after"] is not None and o["score_before"] is not None]  # fmt: skip
        rows.append({by: key, "cases": len(os_), "came_back": back, "score_up": up, "n_scored": n_up,
                     "threat_stopped": stop, "n_threats": n_stop,
                     "score_delta": round(sum(deltas) / len(deltas), 3) if deltas else None})  # fmt: skip
    return rows


def recovery(store: Store, window_days: int = 90) -> dict[str, Any]:
    """Per-case outcomes and the recovery effect per playbook and per team."""
    cases = [c for c in case_store.load_all(store) if c.first_response_at is not None]
    ids = sorted({c.customer_id for c in cases if c.customer_id})
    own: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for i in range(0, len(ids), 500):
        for r in voices(store, Filters(customer_id=ids[i:i + 500], exclude_channel=["employee"])):
            if not is_agent_voice(r):
                own[str(r["customer_id"])].append(r)
    outcomes = [o for c in cases if (o := case_outcome(c, own.get(c.customer_id or "", []), window_days))]
    return {"cases": outcomes, "by_playbook": summarise(outcomes, "playbook"), "by_team": summarise(outcomes, "team"),
            "window_days": window_days}  # fmt: skip
