"""The SLA watch: warn before a deadline, escalate after it, through the shared ``escucha.notify``.

``check_sla`` looks at every active case once; each warning and each escalation level is logged
on the case and sent once (the case keeps ``sla_flags``; the notifier dedups by message key too).
Messages carry ids, priorities and deadlines, never what the customer wrote.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from escucha.cases import store as case_store
from escucha.cases.config import load_config
from escucha.cases.model import Case, iso, now_utc
from escucha.cases.sla import Policies

if TYPE_CHECKING:
    from escucha.layout import WorkspaceLayout
    from escucha.notify import Notifier
    from escucha.store import Store

log = logging.getLogger(__name__)


@dataclass
class SlaReport:
    checked: int = 0
    warnings: list[dict[str, Any]] = field(default_factory=list)
    escalations: list[dict[str, Any]] = field(default_factory=list)
    delivered: int = 0
    delivery_errors: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"checked": self.checked, "warnings": self.warnings, "escalations": self.escalations,
                "delivered": self.delivered, "delivery_errors": self.delivery_errors}  # fmt: skip


def _message(case: Case, kind: str, clock: str, due: datetime | None, level: int, severity: str) -> Any:
    from escucha.notify import Message

    what = "SLA warning" if kind == "warning" else f"SLA breached, escalation level {level}"
    return Message(
        key=f"case:{case.id}:{clock}:{kind}:{level}",
        subject=f"{what}: case {case.id} ({case.priority})",
        text=(f"Case {case.id} for customer {case.customer_id or '–'} ({case.reason}, topic {case.topic}): "
              f"{clock.replace('_', ' ')} due {iso(due) or '–'}; assignee {case.assignee or 'nobody'}."),
        url=f"/cases/{case.id}",
        facts={"case": case.id, "priority": case.priority, "clock": clock, "due_at": iso(due) or "",
               "assignee": case.assignee or "", "level": str(level)},
        severity=severity, topic="cases", group=f"case:{case.id}:{kind}:{level}",
    )  # fmt: skip


def _check_case(case: Case, policies: Policies, now: datetime, actor: str | None, report: SlaReport,
                outgoing: list[tuple[Any, list[str] | None]]) -> bool:
    """Warn and escalate one case (in place); whether it changed."""
    clocks = policies.clocks(case, now)
    touched = False
    for name, c in clocks.items():
        flag = f"{name}:warning"
        if c.state in ("warning", "breached") and flag not in case.sla_flags:
            case.sla_flags.append(flag)
            case.log("sla_warning", actor, at=now, clock=name, due_at=iso(c.due_at))
            report.warnings.append({"case": case.id, "clock": name, "due_at": iso(c.due_at)})
            outgoing.append((_message(case, "warning", name, c.due_at, 0, "medium"), policies.warn_channels or None))
            touched = True
        flag = f"{name}:breach"
        if c.state == "breached" and flag not in case.sla_flags:
            case.sla_flags.append(flag)
            case.log("sla_breach", actor, at=now, clock=name, due_at=iso(c.due_at))
            touched = True
    level = policies.level(clocks)
    if level > case.escalation_level:
        worst = max((c for c in clocks.values() if c.state == "breached"), key=lambda c: c.share)
        for lv in range(case.escalation_level + 1, level + 1):
            case.log("escalated", actor, at=now, level=lv, clock=worst.name)
            report.escalations.append({"case": case.id, "level": lv, "clock": worst.name, "due_at": iso(worst.due_at)})
            outgoing.append((_message(case, "breach", worst.name, worst.due_at, lv, policies.severity(lv)),
                             policies.channels(lv)))  # fmt: skip
        case.escalation_level = level
        touched = True
    return touched


def check_sla(store: Store, layout: WorkspaceLayout | None, now: datetime | None = None,
              notifier: Notifier | None = None, actor: str | None = "sla") -> SlaReport:
    """Warn and escalate what is due; ``notifier`` defaults to the workspace's ``notify.yaml``."""
    cfg = load_config(layout)
    policies = Policies(cfg)
    now = now or now_utc()
    report = SlaReport()
    outgoing: list[tuple[Any, list[str] | None]] = []

    def check(cases: list[Case]) -> list[Case]:
        """Runs inside the store's transaction on the cases as stored now (no store calls here)."""
        nonlocal report
        report, changed = SlaReport(), []
        outgoing.clear()
        for case in cases:
            if not case.active:
                continue
            report.checked += 1
            if _check_case(case, policies, now, actor, report, outgoing):
                changed.append(case)
        return changed

    with case_store.LOCK:
        case_store.update_all(store, check)
    if outgoing:
        _deliver(store, layout, notifier, outgoing, report)
    return report


def _deliver(store: Store, layout: WorkspaceLayout | None, notifier: Notifier | None,
             outgoing: list[tuple[Any, list[str] | None]], report: SlaReport) -> None:
    from escucha.errors import EscuchaError
    from escucha.notify import Notifier

    if notifier is None:
        if layout is None:
            return
        notifier = Notifier.from_layout(store, layout)
    if not notifier.channel_names():
        return
    for msg, channels in outgoing:
        try:
            for d in notifier.send(msg, channels=channels):
                if d.get("status") == "sent":
                    report.delivered += 1
                elif d.get("last_error"):
                    report.delivery_errors.append(f"{d.get('channel')}: {d.get('last_error')}")
        except EscuchaError as exc:  # a channel named in cases.yaml but not in notify.yaml
            report.delivery_errors.append(exc.message)
            log.warning("case SLA notification not queued: %s", exc.message)
