"""The outbox: every delivery is written down before it is attempted, retried until it succeeds,
and never sent twice.

A delivery is one message to one channel, with an id made from the channel and the message key;
asking for it again changes nothing (dedup). Its status moves ``queued`` → ``sent``, or through
``retrying`` (exponential back-off) to ``dead`` after ``max_attempts`` (``sending`` while one
process, which claimed it atomically, is trying); ``held`` deliveries wait for
their channel's digest (then ``digested``), and ``suppressed`` ones fell inside the cooldown of an
earlier message of the same group. The log is the store's ``notify_deliveries`` documents.

At-least-once across crashes: a delivery is marked sent right after the receiver accepts it, and
every attempt carries the same id (``Idempotency-Key`` header, e-mail ``Message-ID``), so a receiver
can drop the rare repeat after a crash between the two.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from escucha.errors import ConfigError
from escucha.layout import WorkspaceLayout
from escucha.notify.channels import Channel, DeliveryError, make_channel
from escucha.notify.config import NotifyConfig
from escucha.notify.message import Message, digest
from escucha.store import Store

log = logging.getLogger(__name__)

DELIVERIES = "notify_deliveries"
ACTIVE = ("queued", "retrying")
FINAL = ("sent", "dead", "digested", "suppressed")
CLAIM_TIMEOUT_S = 600  # a delivery claimed this long ago by a process that never finished is retried
_LOCKS: dict[str, threading.RLock] = {}
_LOCKS_GUARD = threading.Lock()


def _lock_for(store: Store) -> threading.RLock:
    key = str(getattr(store, "path", None) or getattr(store, "schema", None) or id(store))
    with _LOCKS_GUARD:
        return _LOCKS.setdefault(key, threading.RLock())


def _iso(dt: datetime) -> str:
    return dt.astimezone(UTC).isoformat(timespec="milliseconds")


def _utcnow() -> datetime:
    return datetime.now(UTC)


def delivery_id(channel: str, key: str) -> str:
    return hashlib.sha256(f"{channel}\0{key}".encode()).hexdigest()[:20]


@dataclass
class FlushReport:
    """What one flush did (delivery ids)."""

    sent: list[str] = field(default_factory=list)
    retrying: list[str] = field(default_factory=list)
    dead: list[str] = field(default_factory=list)
    digests: list[str] = field(default_factory=list)


class Notifier:
    """Deliver messages to a workspace's channels, keeping the delivery log in its store."""

    def __init__(self, store: Store, config: NotifyConfig | None = None, *,
                 clock: Callable[[], datetime] = _utcnow, channels: dict[str, Channel] | None = None):
        self.store = store
        self.config = config or NotifyConfig()
        self.clock = clock
        self._lock = _lock_for(store)
        self._channels = channels if channels is not None else {
            name: make_channel(name, opts, self.config.public_url) for name, opts in self.config.channels.items()}

    @classmethod
    def from_layout(cls, store: Store, layout: WorkspaceLayout, **kwargs: Any) -> Notifier:
        """The notifier of a workspace (channels from its ``notify.yaml``)."""
        return cls(store, NotifyConfig.load(layout.notify), **kwargs)

    def channel_names(self) -> list[str]:
        return sorted(self._channels)

    # -- queueing ------------------------------------------------------------------------------
    def _targets(self, message: Message, channels: Iterable[str] | None) -> list[str]:
        if channels is not None:
            names = list(channels)
            unknown = [n for n in names if n not in self._channels]
            if unknown:
                raise ConfigError(f"no channel named {', '.join(unknown)} in notify.yaml", field="channels")
            return names
        return [n for n in sorted(self._channels)
                if n != self.config.email_channel
                and ((t := self.config.topics(n)) is None or message.topic in t)]

    def enqueue(self, message: Message, channels: Iterable[str] | None = None,
                digest: bool | None = None) -> list[dict[str, Any]]:
        """Write the deliveries of ``message`` (one per channel) without sending them."""
        now = self.clock()
        targets = self._targets(message, channels)
        out: dict[str, dict[str, Any]] = {}

        def change(docs: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any] | None]:
            new: dict[str, dict[str, Any] | None] = {}
            for name in targets:
                did = delivery_id(name, message.key)
                if did in docs:  # the same message to the same channel: already handled
                    out[did] = docs[did]
                    continue
                status = "queued"
                if message.group and self._cooling(docs, name, message.group, now):
                    status = "suppressed"
                elif digest if digest is not None else self.config.digests(name):
                    status = "held"
                doc = {"id": did, "channel": name, "key": message.key, "topic": message.topic,
                       "group": message.group, "status": status, "attempts": 0,
                       "created_at": _iso(now), "next_at": _iso(now), "sent_at": None,
                       "last_error": None, "message": message.to_dict()}
                new[did] = docs[did] = out[did] = doc
            return new

        with self._lock:
            self.store.update_docs(DELIVERIES, change)
        return list(out.values())

    def _cooling(self, docs: dict[str, dict[str, Any]], channel: str, group: str, now: datetime) -> bool:
        if self.config.cooldown_s <= 0:
            return False
        since = _iso(now - timedelta(seconds=self.config.cooldown_s))
        return any(d["channel"] == channel and d.get("group") == group and d["created_at"] >= since
                   and d["status"] in ("queued", "retrying", "sent", "held", "digested") for d in docs.values())

    def send(self, message: Message, channels: Iterable[str] | None = None,
             digest: bool | None = None) -> list[dict[str, Any]]:
        """Queue ``message`` for its channels and deliver what is due now; returns its deliveries."""
        queued = self.enqueue(message, channels, digest)
        self.flush()
        docs = self.store.get_docs(DELIVERIES)
        return [docs.get(d["id"], d) for d in queued]

    def email(self, to: Sequence[str], subject: str, text: str, html: str | None = None,
              key: str | None = None, topic: str = "customer") -> list[dict[str, Any]]:
        """E-mail ``to`` through the configured e-mail channel (``email_channel``)."""
        name = self.config.email_channel
        if name not in self._channels:
            raise ConfigError(f"no e-mail channel {name!r} in notify.yaml", field="email_channel")
        key = key or hashlib.sha256(f"{','.join(to)}\0{subject}\0{text}".encode()).hexdigest()[:24]
        return self.send(Message(key=key, subject=subject, text=text, html=html, recipients=tuple(to),
                                 topic=topic), channels=[name], digest=False)

    # -- delivering ----------------------------------------------------------------------------
    def flush(self) -> FlushReport:
        """Send due deliveries (and due digests); failed ones wait their back-off."""
        report = FlushReport()
        with self._lock:
            now = self.clock()
            docs = self.store.get_docs(DELIVERIES)
            self._prune(docs, now)
            self._make_digests(docs, now, report)
            due = sorted((d["created_at"], d["id"]) for d in docs.values() if self._due(d, now))
            for _, did in due:
                doc = self._claim(did, now)
                if doc is not None:  # (another process may have taken it meanwhile)
                    self._attempt(doc, now, report)
        return report

    def _prune(self, docs: dict[str, dict[str, Any]], now: datetime) -> None:
        """Forget finished deliveries older than ``retention_days`` (the log stays bounded)."""
        cutoff = _iso(now - timedelta(days=self.config.retention_days))
        old = [k for k, d in docs.items() if d["status"] in FINAL and d["created_at"] < cutoff]
        if old:
            self.store.delete_docs(DELIVERIES, old)
            for k in old:
                del docs[k]

    def _make_digests(self, docs: dict[str, dict[str, Any]], now: datetime, report: FlushReport) -> None:
        held: dict[str, list[dict[str, Any]]] = {}
        for d in docs.values():
            if d["status"] == "held":
                held.setdefault(d["channel"], []).append(d)
        cutoff = _iso(now - timedelta(seconds=self.config.digest_s))
        for channel, items in held.items():
            items.sort(key=lambda d: d["created_at"])
            if items[0]["created_at"] > cutoff:
                continue
            ids = [d["id"] for d in items]
            key = "digest:" + hashlib.sha256("\0".join(ids).encode()).hexdigest()[:16]
            msg = digest([Message.from_dict(d["message"]) for d in items], key, items[0]["topic"])
            did = delivery_id(channel, key)
            docs[did] = {"id": did, "channel": channel, "key": key, "topic": msg.topic, "group": None,
                         "status": "queued", "attempts": 0, "created_at": _iso(now), "next_at": _iso(now),
                         "sent_at": None, "last_error": None, "message": msg.to_dict(), "digest_of": ids}
            for d in items:
                d["status"], d["digest_id"] = "digested", did
            self.store.put_docs(DELIVERIES, {did: docs[did], **{d["id"]: d for d in items}})
            report.digests.append(did)

    def _due(self, d: dict[str, Any], now: datetime) -> bool:
        if d["status"] == "sending":  # claimed by a process that died before it finished
            return bool(d.get("claimed_at", "") <= _iso(now - timedelta(seconds=CLAIM_TIMEOUT_S)))
        return d["status"] in ACTIVE and d["next_at"] <= _iso(now)

    def _claim(self, did: str, now: datetime) -> dict[str, Any] | None:
        """Mark one due delivery as being sent, atomically across processes."""

        def change(docs: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any] | None]:
            d = docs.get(did)
            if d is None or not self._due(d, now):
                return {}
            d = {**d, "status": "sending", "claimed_at": _iso(now), "attempts": d["attempts"] + 1}
            return {did: d}

        claimed = self.store.update_docs(DELIVERIES, change, keys=[did])
        return claimed.get(did)

    def _attempt(self, doc: dict[str, Any], now: datetime, report: FlushReport) -> None:
        channel = self._channels.get(doc["channel"])
        try:
            if channel is None:
                raise DeliveryError(f"channel {doc['channel']} is no longer configured", retry=False)
            channel.send(Message.from_dict(doc["message"]), doc["id"])
        except DeliveryError as exc:
            doc["last_error"] = exc.message
            if exc.retry and doc["attempts"] < self.config.max_attempts:
                wait = min(self.config.max_backoff_s, self.config.backoff_s * 2 ** (doc["attempts"] - 1))
                doc["status"], doc["next_at"] = "retrying", _iso(now + timedelta(seconds=wait))
                report.retrying.append(doc["id"])
            else:
                doc["status"] = "dead"
                report.dead.append(doc["id"])
            log.warning("delivery %s to %s failed (attempt %d): %s", doc["id"], doc["channel"],
                        doc["attempts"], exc.message)
        else:
            doc["status"], doc["sent_at"], doc["last_error"] = "sent", _iso(self.clock()), None
            report.sent.append(doc["id"])
            log.info("delivered %s to %s", doc["id"], doc["channel"])
        self.store.put_docs(DELIVERIES, {doc["id"]: doc})

    # -- reading -------------------------------------------------------------------------------
    def log(self, limit: int = 100, status: str | None = None) -> list[dict[str, Any]]:
        """The newest deliveries first (``status`` filters)."""
        docs = [d for d in self.store.get_docs(DELIVERIES).values() if status is None or d["status"] == status]
        return sorted(docs, key=lambda d: d["created_at"], reverse=True)[:limit]

    def pending(self) -> int:
        """Deliveries still to be attempted (queued, retrying or held)."""
        return sum(d["status"] in (*ACTIVE, "held") for d in self.store.get_docs(DELIVERIES).values())
