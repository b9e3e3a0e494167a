"""Case rules: which voices open a case, with what priority and topic; one open case per customer
and topic (a new voice on the same topic joins the open case)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from escucha.cases import store as case_store
from escucha.cases.assign import auto_assign
from escucha.cases.config import load_config
from escucha.cases.data import aspect_lists, customer_attributes, is_agent_voice, voices
from escucha.cases.model import Case, bump, now_utc
from escucha.cases.sla import Policies
from escucha.store import Filters

if TYPE_CHECKING:
    from escucha.layout import WorkspaceLayout
    from escucha.store import Store


def _any(v: Any) -> list[str]:
    return [str(x) for x in v] if isinstance(v, list | tuple) else [str(v)]


def matches(when: dict[str, Any], voice: dict[str, Any], customer: dict[str, Any], neg: list[str],
            aspects: list[str]) -> bool:
    """Whether every condition of ``when`` holds for ``voice``."""
    for key, want in when.items():
        if key == "intent" and not set(_any(want)) & set(voice.get("intents") or []):
            return False
        if key == "aspect" and not set(_any(want)) & set(aspects):
            return False
        if key == "negative_aspect" and not set(_any(want)) & set(neg):
            return False
        if key in ("channel", "language", "sentiment") and str(voice.get(key)) not in _any(want):
            return False
        if key in ("nps_max", "csat_max", "rating_max"):
            score = voice.get(key.removesuffix("_max"))
            if score is None or float(score) > float(want):
                return False
        if key == "urgency_min" and float(voice.get("urgency") or 0) < float(want):
            return False
        if key == "customer":
            for attr, values in (want or {}).items():
                if str(customer.get(attr)) not in _any(values):
                    return False
    return True


def is_vip(cfg: dict[str, Any], customer: dict[str, Any]) -> bool:
    vip = cfg.get("vip") or {}
    return bool(vip) and any(str(customer.get(a)) in _any(v) for a, v in vip.items())


@dataclass
class OpenSummary:
    """What a run of the rules did."""

    checked: int = 0
    opened: list[str] = field(default_factory=list)
    joined: dict[str, list[str]] = field(default_factory=dict)  # case id → voices that joined it

    def to_json(self) -> dict[str, Any]:
        return {"checked": self.checked, "opened": self.opened, "joined": self.joined}


def join(case: Case, item_id: str, rule: str, now: datetime, actor: str | None) -> None:
    """A new voice of the customer on the case's topic joins it (and restarts paused clocks)."""
    if item_id in case.item_ids:
        return
    case.item_ids.append(item_id)
    case.last_customer_at = now
    if case.paused:  # the customer answered: the clocks run again
        case.pauses[-1][1] = now.isoformat(timespec="seconds")
        case.status = "open"
    case.log("voice_joined", actor, at=now, item_id=item_id, rule=rule)


def case_key(customer_id: str | None, thread: str | None, item_id: str, topic: str) -> tuple[str, str]:
    return (customer_id or thread or f"item:{item_id}", topic)


def open_from_rules(
    store: Store,
    layout: WorkspaceLayout | None,
    since: datetime | None = None,
    item_ids: list[str] | None = None,
    now: datetime | None = None,
    actor: str | None = "rules",
) -> OpenSummary:
    """Run the rules over voices not yet in a case (``since``, or only ``item_ids``), opening cases
    and joining voices to open ones; new cases are queued, assigned and given their SLA deadline."""
    cfg = load_config(layout)
    rules = cfg.get("rules") or []
    policies = Policies(cfg)
    now = now or now_utc()
    summary = OpenSummary()
    with case_store.LOCK:
        cases = case_store.load_all(store)
        seen = {i for c in cases for i in (*c.item_ids, *c.reply_ids)}
        by_key = {case_key(c.customer_id, c.thread_id, c.item_ids[0] if c.item_ids else c.id, c.topic): c
                  for c in cases if c.active}  # fmt: skip
        rows = voices(store, Filters(since=since, exclude_channel=["employee"]))
        if item_ids is not None:
            wanted = set(item_ids)
            rows = [r for r in rows if r["id"] in wanted]
        rows = [r for r in rows if r["id"] not in seen and not is_agent_voice(r)]
        summary.checked = len(rows)
        if not rows:
            return summary
        customers = customer_attributes(store)
        all_aspects, neg = aspect_lists(store, Filters(since=since, exclude_channel=["employee"]))
        new: list[Case] = []
        joins: dict[str, list[tuple[str, str]]] = {}  # stored case id → (item id, rule) joining it
        for r in rows:
            cust = customers.get(str(r.get("customer_id")), {}) if r.get("customer_id") else {}
            item_neg = neg.get(r["id"], [])
            rule = next((x for x in rules if matches(x["when"], r, cust, item_neg, all_aspects.get(r["id"], []))),
                        None)  # fmt: skip
            if rule is None:
                continue
            topic = str(rule.get("topic", "aspect"))
            if topic == "aspect":
                topic = item_neg[0] if item_neg else "general"
            key = case_key(r.get("customer_id"), r.get("thread_id"), r["id"], topic)
            open_case = by_key.get(key)
            if open_case is None and str(rule.get("topic", "aspect")) == "aspect":
                # the same problem told with other words: any of its negative aspects is the topic
                open_case = next((c for a in item_neg if (c := by_key.get((key[0], a))) is not None), None)
            if open_case is not None:
                if any(open_case is c for c in new):
                    join(open_case, r["id"], str(rule["name"]), now, actor)
                else:
                    joins.setdefault(open_case.id, []).append((r["id"], str(rule["name"])))
                continue
            priority = str(rule.get("priority", "normal"))
            if is_vip(cfg, cust):
                priority = bump(priority)
            case = Case(id="", customer_id=r.get("customer_id"), topic=topic, reason=str(rule["name"]),
                        priority=priority, opened_at=now, item_ids=[r["id"]], rule=str(rule["name"]),
                        channel=r.get("channel"), language=r.get("language"),
                        thread_id=r.get("thread_id") or r["id"])  # fmt: skip
            case.due_at = policies.due(case)
            case.log("opened", actor, at=now, rule=rule["name"], item_id=r["id"], priority=priority)
            by_key[key] = case
            new.append(case)
        if new:
            auto_assign(cfg, store, new, [c for c in cases if c.active] + new, actor)

        def joiner(pairs: list[tuple[str, str]]) -> case_store.Edit:
            def edit(case: Case) -> None:
                for item, rule in pairs:
                    join(case, item, rule, now, actor)

            return edit

        written = case_store.commit(store, new, {cid: joiner(pairs) for cid, pairs in joins.items()})
        summary.opened = [c.id for c in new]
        for cid, pairs in joins.items():
            summary.joined[cid] = [i for i, _ in pairs if i in written[cid].item_ids]
        for c in new:  # voices that joined a case opened in this run
            if len(c.item_ids) > 1:
                summary.joined[c.id] = c.item_ids[1:]
    return summary


def auto_open(store: Store, layout: WorkspaceLayout | None, now: datetime | None = None) -> OpenSummary | None:
    """What the server runs by itself: the rules over the last ``auto_open_days`` days of voices,
    when ``auto_open`` is on in cases.yaml (None when it is off)."""
    cfg = load_config(layout)
    if not cfg.get("auto_open", True):
        return None
    now = now or now_utc()
    return open_from_rules(store, layout, since=now - timedelta(days=float(cfg.get("auto_open_days", 3))), now=now)
