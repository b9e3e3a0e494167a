"""Alert records kept in the store (documents of kind ``watch_alerts``): open → acknowledged →
resolved, who acknowledged and when; and their delivery through :mod:`escucha.notify`."""

from __future__ import annotations

import threading
import weakref
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from escucha.errors import NotFoundError, ValidationError
from escucha.store import Store

if TYPE_CHECKING:
    from escucha.notify import Notifier

DOCS = "watch_alerts"
STATES = ("open", "acknowledged", "resolved")
_LOCKS: weakref.WeakKeyDictionary[Any, threading.Lock] = weakref.WeakKeyDictionary()
_GUARD = threading.Lock()


def _lock(store: Store) -> threading.Lock:
    with _GUARD:
        lock = _LOCKS.get(store)
        if lock is None:
            lock = _LOCKS[store] = threading.Lock()
        return lock


def _now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def evidence_links(alert: dict[str, Any]) -> dict[str, str]:
    """The alert's page and the explorer filtered to its scope and window (its chart and voices)."""
    q: dict[str, str] = {k: str(v) for k, v in alert.get("scope", {}).items()
                         if k in ("product", "location", "channel", "aspect")}  # fmt: skip
    q["since"] = str(alert["window_start"])[:19]
    q["until"] = str(alert["window_end"])[:19]
    return {"page": f"/alerts/{alert['id']}", "explore": "/explore?" + urlencode(q)}


class StatefulBook:
    """Store documents of one ``kind`` (alerts, incidents) with a ``state`` and a ``detected_at``."""

    kind = DOCS
    noun = "alert"

    def __init__(self, store: Store):
        self.store = store

    def all(self, state: str | None = None) -> list[dict[str, Any]]:
        """Newest detection first (``state`` filters)."""
        if state is not None and state not in STATES:
            raise ValidationError(f"state {state!r} is not one of {', '.join(STATES)}", field="state")
        docs = self.store.get_docs(self.kind).values()
        rows = [d for d in docs if state is None or d.get("state") == state]
        return sorted(rows, key=lambda d: (d.get("detected_at") or "", d["id"]), reverse=True)

    def _move(self, doc_id: str, state: str, user: str, note: str | None, lock: Any) -> dict[str, Any]:
        """Move one document to ``state`` by ``user``, now (resolving acknowledges too; an
        acknowledgement of a resolved one is refused), keeping ``note``; atomic under ``lock``."""

        def change(docs: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any] | None]:
            if doc_id not in docs:
                raise NotFoundError(f"no {self.noun} {doc_id!r}", field="id", record=doc_id)
            doc = dict(docs[doc_id])
            if state == "acknowledged" and doc.get("state") == "resolved":
                raise ValidationError(f"{self.noun} {doc_id} is already resolved", field="state", record=doc_id)
            prefix = "acknowledged" if state == "acknowledged" else "resolved"
            doc.update({"state": state, f"{prefix}_by": user, f"{prefix}_at": _now()})
            if state == "resolved" and not doc.get("acknowledged_by"):
                doc.update({"acknowledged_by": user, "acknowledged_at": doc["resolved_at"]})
            if note:
                doc["notes"] = [*doc.get("notes", []), {"by": user, "at": _now(), "text": note[:1000]}]
            return {doc_id: doc}

        with lock:
            out = self.store.update_docs(self.kind, change, keys=[doc_id])
        return out[doc_id]  # type: ignore[return-value]

    def get(self, doc_id: str) -> dict[str, Any]:
        doc = self.store.get_docs(self.kind, keys=[doc_id]).get(doc_id)
        if doc is None:
            raise NotFoundError(f"no {self.noun} {doc_id!r}", field="id", record=doc_id)
        return doc


class AlertBook(StatefulBook):
    """The alerts of one workspace."""

    def merge(self, alerts: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Store ``alerts``; an alert already known (same id: kind, scope, window) keeps its state
        and is updated only when it grew (late voices). Returns the alerts that are new.
        Atomic across threads and processes (``Store.update_docs``)."""
        new: list[dict[str, Any]] = []
        if not alerts:
            return new

        def change(docs: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any] | None]:
            new.clear()
            changed: dict[str, dict[str, Any] | None] = {}
            for a in alerts:
                old = docs.get(a["id"])
                if old is None:
                    doc = {**a, "state": "open", "created_at": _now(), "links": evidence_links(a)}
                    changed[a["id"]] = doc
                    new.append(doc)
                elif a.get("count", 0) > old.get("count", 0) or len(a.get("evidence", [])) > len(old.get("evidence", [])):
                    keep = {k: old[k] for k in ("state", "created_at", "detected_at", "acknowledged_by",
                                                "acknowledged_at", "resolved_by", "resolved_at", "notes") if k in old}
                    changed[a["id"]] = {**old, **a, **keep, "updated_at": _now()}
            return changed

        with _lock(self.store):
            self.store.update_docs(DOCS, change, keys=[a["id"] for a in alerts])
        return new

    def _set(self, alert_id: str, state: str, user: str, note: str | None, follow: bool = True) -> dict[str, Any]:
        out = self._move(alert_id, state, user, note, _lock(self.store))
        if follow:
            from escucha.watch.incidents import IncidentBook

            IncidentBook(self.store).follow(alert_id)  # its incident, once all its alerts are handled
        return out

    def ack(self, alert_id: str, user: str, note: str | None = None, follow: bool = True) -> dict[str, Any]:
        """Acknowledge an alert (``follow``: its incident too once all its alerts are handled)."""
        return self._set(alert_id, "acknowledged", user, note, follow)

    def resolve(self, alert_id: str, user: str, note: str | None = None, follow: bool = True) -> dict[str, Any]:
        return self._set(alert_id, "resolved", user, note, follow)

    def clear(self) -> None:
        self.store.delete_docs(DOCS)


def deliver(notifier: Notifier, alerts: list[dict[str, Any]], rules: dict[str, dict[str, Any]], lang: str = "en",
            root: Path | None = None) -> int:  # fmt: skip
    """Send each new alert through its rule's channels (dedup by alert id: never twice), told in its
    rule's ``language`` or ``lang`` (aspects by the labels of the workspace at ``root``)."""
    from escucha.notify import Message

    if not notifier.channel_names():
        return 0
    sent = 0
    for a in alerts:
        rule = rules.get(a.get("rule", ""), {})
        said = alert_text(a, rule.get("language") or lang, root)
        facts = {"kind": a["kind"], "score": f"{a['score']:.1f}", "window": a["window_start"][:10],
                 "evidence": str(len(a.get("evidence", [])))}  # fmt: skip
        if "count" in a:
            facts["count"] = str(a["count"])
        if a.get("expected") is not None:
            facts["expected"] = f"{a['expected']:.1f}"
        msg = Message(key=f"alert:{a['id']}", subject=f"[escucha] {said[:120]}", text=said,
                      url=f"/alerts/{a['id']}", facts=facts, severity=a.get("severity", "high"), topic="alerts",
                      group=f"{a.get('rule')}:{a['kind']}:{sorted(a['scope'].items())}")  # fmt: skip
        notifier.send(msg, channels=rule.get("channels"))
        sent += 1
    return sent


def alert_text(alert: dict[str, Any], lang: str, root: Path | None = None) -> str:
    """An alert's summary as plain text in ``lang`` (aspects by the labels of the workspace at ``root``)."""
    from escucha.taxonomy import aspect_labels
    from escucha.watch import text

    return str(text.alert_text(alert, lang, text.Style.plain(aspect_labels(root, lang) if root else None)))
