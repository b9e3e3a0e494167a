"""What people do with a case: open it by hand, change it (status, priority, assignee, resolution),
add notes, and reply — the reply is stored as the agent's voice on the customer's thread."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import TYPE_CHECKING, Any

from escucha.cases import store as case_store
from escucha.cases.config import load_config
from escucha.cases.model import (
    PRIORITIES,
    RESOLUTION_CODES,
    STATUSES,
    Case,
    check_choice,
    iso,
    now_utc,
)  # fmt: skip
from escucha.cases.sla import Policies
from escucha.errors import ValidationError
from escucha.models import AGENT, AGENT_SOURCE, Channel, Feedback

if TYPE_CHECKING:
    from escucha.layout import WorkspaceLayout
    from escucha.store import Store

PATCHABLE = frozenset({"status", "priority", "assignee", "queue", "resolution_code", "playbook", "compensation",
                       "note", "topic"})  # fmt: skip
REPLY_SOURCE = AGENT_SOURCE  # the store leaves these voices out of every customer figure
AGENT_LABEL = {"es": "Agente", "en": "Agent"}
_MAX_TEXT = 20_000


def _text(v: Any, field: str, record: str | None) -> str:
    if not isinstance(v, str) or not v.strip():
        raise ValidationError(f"{field} is empty", field=field, record=record)
    if len(v) > _MAX_TEXT:
        raise ValidationError(f"{field} is longer than {_MAX_TEXT} characters", field=field, record=record)
    return v.strip()


def create_case(store: Store, layout: WorkspaceLayout | None, *, customer_id: str | None, reason: str,
                priority: str = "normal", topic: str = "general", item_ids: list[str] | None = None,
                assignee: str | None = None, language: str | None = None, channel: str | None = None,
                actor: str | None = None, now: datetime | None = None) -> Case:
    """Open a case by hand (an agent or the API)."""
    check_choice(priority, PRIORITIES, "priority")
    reason = _text(reason, "reason", customer_id)
    if not customer_id and not item_ids:
        raise ValidationError("a case needs a customer_id or item_ids", field="customer_id")
    if item_ids:
        found = store.get_items(item_ids)
        missing = [i for i in item_ids if i not in found]
        if missing:
            raise ValidationError(f"item_ids: no voice {missing[0]!r}", field="item_ids", record=missing[0])
        customer_id = customer_id or found[item_ids[0]][0].customer_id
        channel = channel or found[item_ids[0]][0].channel.value
    now = now or now_utc()
    cfg = load_config(layout)
    case = Case(id="", customer_id=customer_id, topic=topic or "general", reason=reason, priority=priority,
                opened_at=now, item_ids=list(item_ids or []), language=language, channel=channel,
                thread_id=item_ids[0] if item_ids else None)  # fmt: skip
    case.due_at = Policies(cfg).due(case)
    case.log("opened", actor, at=now, manual=True, priority=priority)
    if assignee:
        case.assignee, case.status = assignee, "open"
        case.log("assigned", actor, at=now, to=assignee)
    else:
        from escucha.cases.assign import auto_assign

        auto_assign(cfg, store, [case], [case], actor)
    case_store.commit(store, [case])
    return case


def _set_status(case: Case, status: str, actor: str | None, now: datetime, code: str | None) -> None:
    old = case.status
    if status == old:
        return
    if old == "closed":
        raise ValidationError(f"case {case.id} is closed", field="status", record=case.id)
    if status == "closed" and old != "resolved":
        raise ValidationError("only a resolved case can be closed", field="status", record=case.id)
    if status == "resolved" and not (code or case.resolution_code):
        raise ValidationError(f"resolving needs a resolution_code ({', '.join(RESOLUTION_CODES)})",
                              field="resolution_code", record=case.id)  # fmt: skip
    stamp = now.isoformat(timespec="seconds")
    if case.paused:
        case.pauses[-1][1] = stamp
    if status == "pending":
        case.pauses.append([stamp, None])
    if status == "resolved":
        case.resolved_at = now
        case.log("resolved", actor, at=now, code=code or case.resolution_code)
    if old in ("resolved",) and status in ("new", "open", "pending"):
        case.resolved_at = None
        case.log("reopened", actor, at=now)
    case.status = status
    case.log("status", actor, at=now, frm=old, to=status)


def patch_case(store: Store, layout: WorkspaceLayout | None, case_id: str, changes: dict[str, Any],
               actor: str | None = None, now: datetime | None = None) -> Case:
    """Change a case: ``status``, ``priority``, ``assignee``, ``queue``, ``resolution_code``,
    ``playbook``, ``compensation``, ``topic``, or add a ``note``."""
    unknown = set(changes) - PATCHABLE
    if unknown:
        raise ValidationError(f"cannot change {', '.join(sorted(unknown))}; use {', '.join(sorted(PATCHABLE))}",
                              field=sorted(unknown)[0], record=case_id)  # fmt: skip
    now = now or now_utc()

    def apply(case: Case) -> None:
        code = changes.get("resolution_code")
        if code is not None:
            case.resolution_code = check_choice(str(code), RESOLUTION_CODES, "resolution_code", case_id)
        if changes.get("priority") is not None:
            new = check_choice(str(changes["priority"]), PRIORITIES, "priority", case_id)
            if new != case.priority:
                case.log("priority", actor, at=now, frm=case.priority, to=new)
                case.priority = new
                case.due_at = Policies(load_config(layout)).due(case)
        if "assignee" in changes and changes["assignee"] != case.assignee:
            case.assignee = str(changes["assignee"]) if changes["assignee"] else None
            case.log("assigned", actor, at=now, to=case.assignee)
            if case.assignee and case.status == "new" and "status" not in changes:
                _set_status(case, "open", actor, now, None)
        for k in ("queue", "playbook", "topic"):
            if changes.get(k) is not None:
                setattr(case, k, str(changes[k]))
        if changes.get("compensation") is not None:
            if not isinstance(changes["compensation"], dict):
                raise ValidationError("compensation must be an object", field="compensation", record=case_id)
            case.compensation = dict(changes["compensation"])
        if changes.get("status") is not None:
            _set_status(case, check_choice(str(changes["status"]), STATUSES, "status", case_id), actor, now,
                        case.resolution_code)  # fmt: skip
        if changes.get("note") is not None:
            case.log("note", actor, at=now, text=_text(changes["note"], "note", case_id))

    return case_store.update(store, case_id, apply)


def reply_voice(case: Case, text: str, actor: str | None, now: datetime, language: str | None = None) -> Feedback:
    """The agent's reply as a voice of the agent on the customer's thread."""
    lang = language or case.language or "es"
    channel = case.channel if case.channel in ("chat", "call", "email", "social") else "email"
    label = AGENT_LABEL.get(lang, AGENT_LABEL["en"])
    key = f"{case.id}:{now.strftime('%Y%m%dT%H%M%S')}-{secrets.token_hex(3)}"
    return Feedback(
        id=f"{REPLY_SOURCE}:{key}", channel=Channel(channel), text=f"{label}: {text}", timestamp=now,
        customer_id=case.customer_id, language=lang, thread_id=case.thread_id or case.id,
        parent_id=case.item_ids[-1] if case.item_ids else None, source=REPLY_SOURCE, source_id=key,
        speaker=AGENT, metadata={"speaker": "agent", "author": actor, "case_id": case.id},
    )  # fmt: skip


def _not_active(case: Case) -> ValidationError:
    return ValidationError(f"case {case.id} is {case.status}; reopen it to reply", field="status", record=case.id)


def reply(store: Store, case_id: str, text: str, actor: str | None = None, *, wait_customer: bool = False,
          language: str | None = None, compensation: dict[str, Any] | None = None,
          playbook: str | None = None, now: datetime | None = None) -> tuple[Case, Feedback]:
    """Reply to the customer: store the reply as the agent's voice, stop the response clocks, and
    (``wait_customer``) wait on the customer with the clocks paused."""
    text = _text(text, "text", case_id)
    now = now or now_utc()
    case = case_store.load(store, case_id)
    if not case.active:
        raise _not_active(case)
    fb = reply_voice(case, text, actor, now, language)
    store.upsert_items([fb])

    def apply(case: Case) -> None:
        if not case.active:
            raise _not_active(case)
        case.reply_ids.append(fb.id)
        case.first_response_at = case.first_response_at or now
        case.last_reply_at = now
        if compensation:
            case.compensation = dict(compensation)
        if playbook:
            case.playbook = playbook
        if not case.assignee and actor:
            case.assignee = actor
            case.log("assigned", actor, at=now, to=actor)
        case.log("reply", actor, at=now, item_id=fb.id, compensation=(compensation or {}).get("kind"))
        target = "pending" if wait_customer else ("open" if case.status in ("new", "pending") else case.status)
        _set_status(case, target, actor, now, None)

    return case_store.update(store, case_id, apply), fb


def case_view(case: Case, policies: Policies, now: datetime | None = None) -> dict[str, Any]:
    """A case with its SLA clocks, for the interfaces."""
    clocks = policies.clocks(case, now)
    out = case.public()
    out["sla"] = {k: c.to_json() for k, c in clocks.items()}
    states = [c.state for c in clocks.values()]
    out["sla_state"] = next((s for s in ("breached", "warning", "paused", "ok") if s in states),
                            "missed" if "missed" in states else "met")  # fmt: skip
    nxt = [c.due_at for c in clocks.values() if c.state in ("ok", "warning", "breached") and c.due_at]
    out["next_due_at"] = iso(min(nxt)) if nxt else None
    return out
