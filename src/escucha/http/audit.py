"""Audit log: logins, failed logins, exports and admin actions, as ``audit`` documents."""

from __future__ import annotations

import logging
import secrets
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from escucha.workspace import Workspace

AUDIT = "audit"
log = logging.getLogger("escucha.audit")


def record(ws: Workspace, event: str, actor: str | None, ip: str | None = None, **details: Any) -> None:
    """Append one audit event (never with customer text)."""
    ts = datetime.now(UTC)
    key = f"{ts.strftime('%Y%m%dT%H%M%S.%f')}-{secrets.token_hex(3)}"
    doc = {"ts": ts.isoformat(timespec="milliseconds"), "event": event, "actor": actor, "ip": ip, **details}
    ws.store.put_docs(AUDIT, {key: doc})
    log.info("audit %s", event, extra={"event": event, "actor": actor, "ip": ip})


def entries(ws: Workspace, limit: int = 200, event: str | None = None) -> list[dict[str, Any]]:
    """The newest audit events first."""
    docs = ws.store.get_docs(AUDIT)
    out = [d for _, d in sorted(docs.items(), reverse=True) if event is None or d.get("event") == event]
    return out[:limit]
