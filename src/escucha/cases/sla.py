"""SLA clocks of a case (first response, next response, resolution), warnings and escalations.

Each clock counts working time (the calendar of ``cases.yaml``, or around the clock for policies
with ``business_hours: false``) from its start, minus the time the case waited on the customer.
A clock is ``ok``, ``warning`` (``warn_at`` of its deadline used), ``breached``, ``paused``,
``met`` (stopped in time) or ``missed`` (stopped late).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from escucha.cases.calendar import Calendar, WallClock
from escucha.cases.config import duration
from escucha.cases.model import Case, now_utc, parse_time

CLOCKS = ("first_response", "next_response", "resolution")


@dataclass(frozen=True)
class Clock:
    name: str
    state: str
    due_at: datetime | None
    used_s: float
    target_s: float

    @property
    def share(self) -> float:
        return self.used_s / self.target_s if self.target_s > 0 else 0.0

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "state": self.state, "due_at": self.due_at.isoformat(timespec="seconds")
                if self.due_at else None, "used_s": round(self.used_s), "target_s": round(self.target_s),
                "share": round(self.share, 3)}  # fmt: skip


class Policies:
    """The SLA part of the case configuration, read once."""

    def __init__(self, cfg: dict[str, Any]):
        sla = cfg.get("sla") or {}
        self.calendar = Calendar.from_config(sla.get("calendar"))
        self.warn_at = float(sla.get("warn_at", 0.8))
        self.policies = sla.get("policies") or {}
        self.escalation = sorted(sla.get("escalation") or [], key=lambda e: float(e.get("after", 1.0)))
        self.warn_channels = list(sla.get("warn_channels") or [])

    def clock_of(self, priority: str) -> Calendar | WallClock:
        p = self.policies.get(priority, {})
        return self.calendar if p.get("business_hours", True) else WallClock()

    def target(self, priority: str, name: str) -> timedelta:
        clock = self.clock_of(priority)
        return duration(self.policies[priority][name], f"sla.policies.{priority}.{name}", clock.day_hours)

    def due(self, case: Case, name: str = "resolution", start: datetime | None = None) -> datetime:
        """The deadline of clock ``name`` for a case starting at ``start`` with no pause yet."""
        clock = self.clock_of(case.priority)
        return clock.add(start or case.opened_at, self.target(case.priority, name))

    def clocks(self, case: Case, now: datetime | None = None) -> dict[str, Clock]:
        now = now or now_utc()
        clock = self.clock_of(case.priority)
        pauses = [(parse_time(a), parse_time(b) or now) for a, b in case.pauses]
        out: dict[str, Clock] = {}
        spans: dict[str, tuple[datetime, datetime | None]] = {
            "first_response": (case.opened_at, case.first_response_at),
            "resolution": (case.opened_at, case.resolved_at),
        }
        waiting = (case.first_response_at is not None and case.last_customer_at is not None
                   and (case.last_reply_at is None or case.last_reply_at < case.last_customer_at))  # fmt: skip
        if waiting and case.last_customer_at is not None:
            spans["next_response"] = (case.last_customer_at, None)
        for name in CLOCKS:
            if name not in spans:
                continue
            start, stop = spans[name]
            end = stop or (case.resolved_at if not case.active else None) or now
            paused = sum((clock.between(max(a, start), min(b, end)) for a, b in pauses if a is not None),
                         timedelta(0))  # fmt: skip
            used = clock.between(start, end) - paused
            target = self.target(case.priority, name)
            all_paused = sum((clock.between(max(a, start), b) for a, b in pauses if a is not None and b > start),
                             timedelta(0))  # fmt: skip
            due = clock.add(start, target + all_paused)
            if stop is not None or not case.active:
                state = "met" if used <= target else "missed"
            elif case.paused:
                state = "paused"
            elif used >= target:
                state = "breached"
            elif used >= target * self.warn_at:
                state = "warning"
            else:
                state = "ok"
            out[name] = Clock(name, state, due, used.total_seconds(), target.total_seconds())
        return out

    def level(self, clocks: dict[str, Clock]) -> int:
        """The escalation level the clocks call for (0: none)."""
        worst = max((c.share for c in clocks.values() if c.state == "breached"), default=0.0)
        if worst < 1.0:
            return 0
        return max((int(e.get("level", i + 1)) for i, e in enumerate(self.escalation)
                    if worst >= float(e.get("after", 1.0))), default=1)  # fmt: skip

    def channels(self, level: int) -> list[str] | None:
        for i, e in enumerate(self.escalation):
            if int(e.get("level", i + 1)) == level:
                return list(e.get("channels") or []) or None
        return None

    def severity(self, level: int) -> str:
        for i, e in enumerate(self.escalation):
            if int(e.get("level", i + 1)) == level:
                return str(e.get("severity", "high"))
        return "high"
