"""A case: one customer's problem on one topic, worked by an agent until it is resolved.

A case is a JSON document of kind ``cases`` in the workspace store (key: the case id). Its
history (``events``) records every change with who made it and when; notes are events too.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from escucha.errors import ValidationError

CASES = "cases"
"""Store document kind of cases."""

STATUSES: tuple[str, ...] = ("new", "open", "pending", "resolved", "closed")
"""``new`` (not yet assigned), ``open`` (an agent works it), ``pending`` (waiting on the customer:
the SLA clocks pause), ``resolved`` (a resolution code is set), ``closed`` (no more changes)."""
ACTIVE: frozenset[str] = frozenset({"new", "open", "pending"})
PRIORITIES: tuple[str, ...] = ("urgent", "high", "normal", "low")
RESOLUTION_CODES: tuple[str, ...] = (
    "fixed",  # the problem itself was solved (delivery made, product replaced, …)
    "compensated",  # solved with a compensation from the playbook
    "explained",  # nothing to fix; the customer got an explanation
    "no_response",  # the customer never answered
    "duplicate",
    "not_actionable",
)
EVENT_TYPES: tuple[str, ...] = (
    "opened", "voice_joined", "assigned", "status", "priority", "note", "reply", "sla_warning",
    "sla_breach", "escalated", "resolved", "reopened",
)  # fmt: skip


def now_utc() -> datetime:
    return datetime.now(UTC)


def iso(t: datetime | None) -> str | None:
    return None if t is None else t.astimezone(UTC).isoformat(timespec="seconds")


def parse_time(v: Any, field_name: str = "timestamp", record: str | None = None) -> datetime | None:
    """An ISO 8601 string or datetime as an aware UTC datetime (naive ones are UTC)."""
    if v is None or v == "":
        return None
    if isinstance(v, datetime):
        t = v
    else:
        try:
            t = datetime.fromisoformat(str(v).replace("Z", "+00:00"))
        except ValueError:
            raise ValidationError(f"{field_name}: {v!r} is not an ISO 8601 time", field=field_name,
                                  record=record) from None  # fmt: skip
    return t.replace(tzinfo=UTC) if t.tzinfo is None else t.astimezone(UTC)


def bump(priority: str, levels: int = 1) -> str:
    """``priority`` raised by ``levels`` (urgent stays urgent)."""
    return PRIORITIES[max(0, PRIORITIES.index(priority) - levels)]


@dataclass
class Case:
    """One case. Times are aware UTC datetimes; ``due_at`` is the resolution deadline."""

    id: str
    customer_id: str | None
    topic: str
    reason: str
    priority: str = "normal"
    status: str = "new"
    opened_at: datetime = field(default_factory=now_utc)
    due_at: datetime | None = None
    item_ids: list[str] = field(default_factory=list)
    rule: str | None = None
    channel: str | None = None
    language: str | None = None
    thread_id: str | None = None
    queue: str | None = None
    assignee: str | None = None
    playbook: str | None = None
    first_response_at: datetime | None = None
    last_reply_at: datetime | None = None
    last_customer_at: datetime | None = None
    resolved_at: datetime | None = None
    resolution_code: str | None = None
    compensation: dict[str, Any] | None = None
    reply_ids: list[str] = field(default_factory=list)
    pauses: list[list[str | None]] = field(default_factory=list)  # [[start, end | None], …]
    escalation_level: int = 0
    sla_flags: list[str] = field(default_factory=list)  # "first_response:warning", … already sent
    events: list[dict[str, Any]] = field(default_factory=list)

    @property
    def active(self) -> bool:
        return self.status in ACTIVE

    @property
    def paused(self) -> bool:
        return bool(self.pauses) and self.pauses[-1][1] is None

    @property
    def notes(self) -> list[dict[str, Any]]:
        return [e for e in self.events if e["type"] == "note"]

    def log(self, type_: str, actor: str | None, at: datetime | None = None, **details: Any) -> None:
        """Append one event to the history (never message text: notes keep their own text)."""
        self.events.append({"ts": iso(at or now_utc()), "type": type_, "actor": actor, **details})

    def to_doc(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for f in dataclasses.fields(self):
            v = getattr(self, f.name)
            out[f.name] = iso(v) if isinstance(v, datetime) else v
        return out

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> Case:
        names = {f.name: f for f in dataclasses.fields(cls)}
        kw: dict[str, Any] = {}
        for k, v in doc.items():
            if k not in names:
                continue
            kw[k] = parse_time(v, k, doc.get("id")) if k.endswith("_at") else v
        return cls(**kw)

    def public(self) -> dict[str, Any]:
        """The case as the interfaces show it (the contract's fields first)."""
        doc = self.to_doc()
        head = ("id", "customer_id", "status", "priority", "opened_at", "due_at", "reason", "item_ids")
        return {**{k: doc[k] for k in head}, **{k: v for k, v in doc.items() if k not in head}}


def check_choice(value: str, choices: tuple[str, ...], field_name: str, record: str | None = None) -> str:
    if value not in choices:
        raise ValidationError(f"{field_name}: {value!r} is not one of {', '.join(choices)}", field=field_name,
                              record=record)  # fmt: skip
    return value
