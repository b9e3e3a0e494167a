"""The outbox against real local receivers: an HTTP server and an aiosmtpd SMTP server."""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from escucha.errors import ConfigError
from escucha.notify import CHANNELS, Message, Notifier, NotifyConfig
from escucha.store import open_store
from receivers import smtp_receiver, webhook_receiver


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def store(tmp_path: Path):
    s = open_store(str(tmp_path / "n.duckdb"))
    s.migrate()
    return s


def notifier(store, channels: dict, clock: Clock, **cfg) -> Notifier:
    return Notifier(store, NotifyConfig(channels=channels, **cfg), clock=clock)


def msg(key: str = "alert:1", **kw) -> Message:
    return Message(key=key, subject=kw.pop("subject", "Spike: United · cancellations"),
                   text=kw.pop("text", "38 voices in 1 h (baseline 4)"), url="/alerts/1",
                   facts={"score": "9.1"}, severity="high", topic="alerts", **kw)


def test_a_failing_receiver_gets_each_message_exactly_once_after_it_recovers(store) -> None:
    clock = Clock()
    with webhook_receiver() as hook:
        hook.fail_next = 2
        n = notifier(store, {"ops": {"type": "webhook", "url": hook.url}}, clock, backoff_s=10)
        [d] = n.send(msg())
        assert d["status"] == "retrying" and d["attempts"] == 1 and "HTTP 500" in d["last_error"]
        assert n.flush().sent == []  # not due before its back-off
        clock.advance(10)
        assert n.flush().retrying == [d["id"]]  # second failure; now waits 20 s
        clock.advance(19)
        assert n.flush().sent == []
        clock.advance(1)
        assert n.flush().sent == [d["id"]]
        n.send(msg())  # the same message again: already delivered
        clock.advance(3600)
        n.flush()
        assert len(hook.requests) == 3 and len(hook.bodies) == 1
        assert {r["headers"]["Idempotency-Key"] for r in hook.requests} == {d["id"]}
        [logged] = n.log()
        assert logged["status"] == "sent" and logged["attempts"] == 3
        clock.advance(91 * 86400)
        n.flush()
        assert n.log() == []  # finished deliveries leave the log after retention_days
        assert hook.bodies[0]["key"] == "alert:1" and hook.bodies[0]["facts"] == {"score": "9.1"}


def test_gives_up_after_max_attempts_and_at_once_on_a_refusal(store) -> None:
    clock = Clock()
    with webhook_receiver() as hook:
        hook.fail_next = 99
        n = notifier(store, {"ops": {"type": "webhook", "url": hook.url}}, clock, backoff_s=1, max_attempts=3)
        n.send(msg())
        for _ in range(5):
            clock.advance(100)
            n.flush()
        assert n.log()[0]["status"] == "dead" and len(hook.requests) == 3
        hook.fail_status = 404
        [d2] = n.send(msg("alert:2"))
        assert d2["status"] == "dead" and d2["attempts"] == 1  # 404 will not change by retrying
        assert n.pending() == 0


def test_an_unreachable_receiver_is_retried(store) -> None:
    clock = Clock()
    n = notifier(store, {"ops": {"type": "webhook", "url": "http://127.0.0.1:9/hook", "timeout_s": 2}}, clock)
    [d] = n.send(msg())
    assert d["status"] == "retrying" and "Connect" in d["last_error"]


def test_cooldown_per_group_and_topic_routing(store) -> None:
    clock = Clock()
    with webhook_receiver() as ops, webhook_receiver() as cases:
        n = notifier(store, {"ops": {"type": "webhook", "url": ops.url, "topics": ["alerts"]},
                             "cases": {"type": "webhook", "url": cases.url, "topics": "cases"}},
                     clock, cooldown_s=600)
        n.send(msg("a1", group="spike:United"))
        clock.advance(60)
        [d] = n.send(msg("a2", group="spike:United"))
        assert d["status"] == "suppressed"
        n.send(msg("a3", group="spike:Delta"))
        clock.advance(600)
        n.send(msg("a4", group="spike:United"))
        assert [b["key"] for b in ops.bodies] == ["a1", "a3", "a4"]
        assert cases.bodies == []


def test_digest_sends_held_messages_together(store) -> None:
    clock = Clock()
    with webhook_receiver() as hook:
        n = notifier(store, {"leads": {"type": "webhook", "url": hook.url, "digest": True}}, clock, digest_s=900)
        for i in range(3):
            n.send(msg(f"k{i}", subject=f"alert {i}"))
            clock.advance(60)
        assert hook.requests == []
        clock.advance(900)
        report = n.flush()
        assert len(report.digests) == 1 and report.sent == report.digests
        [body] = hook.bodies
        assert body["subject"] == "3 notifications (alerts)" and "alert 2" in body["text"]
        assert {d["status"] for d in n.log() if d["key"].startswith("k")} == {"digested"}


def test_slack_and_teams_bodies_and_the_signature(store) -> None:
    clock = Clock()
    with webhook_receiver() as slack, webhook_receiver() as teams:
        n = Notifier(store, NotifyConfig(public_url="https://cx.example.com", channels={
            "slack": {"type": "webhook", "url": slack.url, "format": "slack", "secret": "s3cret"},
            "teams": {"type": "webhook", "url": teams.url, "format": "teams"}}), clock=clock)
        n.send(msg())
        s, t = slack.requests[0], teams.requests[0]
        assert "https://cx.example.com/alerts/1" in s["body"]["text"]
        assert s["body"]["blocks"][0]["text"]["type"] == "mrkdwn"
        expected = hmac.new(b"s3cret", s["raw"], hashlib.sha256).hexdigest()
        assert s["headers"]["X-Escucha-Signature"] == f"sha256={expected}"
        assert t["body"]["@type"] == "MessageCard" and t["body"]["themeColor"] == "EF6C00"
        assert t["body"]["potentialAction"][0]["targets"][0]["uri"] == "https://cx.example.com/alerts/1"


def test_email_through_smtp_with_recipients_and_a_stable_message_id(store) -> None:
    clock = Clock()
    with smtp_receiver() as smtp:
        n = notifier(store, {"email": {"type": "smtp", "host": smtp.host, "port": smtp.port,
                                       "sender": "hola@escucha.example"},
                             "leads": {"type": "smtp", "host": smtp.host, "port": smtp.port,
                                       "sender": "cx@escucha.example", "to": ["lead@example.com"]}}, clock)
        [d] = n.email(["ana@example.com"], "¿Qué tal tu pedido?", "Cuéntanos: https://x/s/abc", key="inv:1")
        assert d["status"] == "sent" and d["channel"] == "email"
        n.send(msg())  # alerts go to every channel but the customers' e-mail channel
        assert smtp.envelopes == [("hola@escucha.example", ["ana@example.com"]),
                                  ("cx@escucha.example", ["lead@example.com"])]
        first = smtp.messages[0]
        assert first["Subject"] == "¿Qué tal tu pedido?" and first["Message-ID"] == f"<{d['id']}@escucha.example>"
        assert "https://x/s/abc" in first.get_content()


def test_smtp_down_then_up_loses_nothing(store) -> None:
    clock = Clock()
    with smtp_receiver() as smtp:
        port = smtp.port
    n = notifier(store, {"email": {"type": "smtp", "host": "127.0.0.1", "port": port, "sender": "a@b.c",
                                   "timeout_s": 2}}, clock, backoff_s=5)
    [d] = n.email(["x@example.com"], "hola", "texto", key="k")
    assert d["status"] == "retrying"
    from aiosmtpd.controller import Controller

    got: list[bytes] = []

    class Handler:
        async def handle_DATA(self, server, session, envelope):
            got.append(envelope.content)
            return "250 OK"

    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        clock.advance(5)
        assert n.flush().sent == [d["id"]]
        clock.advance(500)
        n.flush()
    finally:
        controller.stop()
    assert len(got) == 1


def test_configuration_errors_name_the_field(tmp_path: Path, store) -> None:
    with pytest.raises(ConfigError, match="type is missing"):
        Notifier(store, NotifyConfig(channels={"x": {"url": "http://a"}}))
    with pytest.raises(ConfigError, match="alert channel 'pager'"):
        Notifier(store, NotifyConfig(channels={"x": {"type": "pager"}}))
    with pytest.raises(ConfigError, match="http:// or https://"):
        Notifier(store, NotifyConfig(channels={"x": {"type": "webhook", "url": "ftp://a"}}))
    with pytest.raises(ConfigError, match="SMTP_PW"):
        Notifier(store, NotifyConfig(channels={"x": {"type": "smtp", "host": "h", "sender": "a@b",
                                                     "password_env": "SMTP_PW"}}))
    bad = tmp_path / "notify.yaml"
    bad.write_text("channels: {ops: {type: webhook, url: http://a}}\ncooldown: 5\n")
    with pytest.raises(ConfigError, match="cooldown"):
        NotifyConfig.load(bad)
    n = Notifier(store, NotifyConfig(channels={"ops": {"type": "webhook", "url": "http://a"}}))
    with pytest.raises(ConfigError, match="no channel named nope"):
        n.send(msg(), channels=["nope"])
    with pytest.raises(ConfigError, match="no e-mail channel"):
        n.email(["a@b.c"], "s", "t")


def test_a_plugin_channel_type(store) -> None:
    sent: list[tuple[str, str]] = []

    class Pager:
        name = "pager"

        def send(self, message: Message, delivery_id: str) -> None:
            sent.append((message.key, delivery_id))

    CHANNELS.register("test-pager", lambda name, opts, base: Pager())
    try:
        n = Notifier(store, NotifyConfig(channels={"p": {"type": "test-pager"}}))
        n.send(msg())
        assert [k for k, _ in sent] == ["alert:1"]
    finally:
        CHANNELS.unregister("test-pager")


def _flush_in_another_process(db: str, url: str) -> None:
    store = open_store(db, lock_timeout=60)
    Notifier(store, NotifyConfig(channels={"ops": {"type": "webhook", "url": url}})).flush()


@pytest.mark.slow
def test_two_processes_flushing_one_outbox_send_each_delivery_once(tmp_path: Path) -> None:
    import multiprocessing as mp

    db = str(tmp_path / "n.duckdb")
    store = open_store(db)
    store.migrate()
    with webhook_receiver() as hook:
        n = Notifier(store, NotifyConfig(channels={"ops": {"type": "webhook", "url": hook.url}}))
        for i in range(30):
            n.enqueue(msg(f"k{i}"))
        ctx = mp.get_context("spawn")
        procs = [ctx.Process(target=_flush_in_another_process, args=(db, hook.url)) for _ in range(2)]
        for p in procs:
            p.start()
        n.flush()
        for p in procs:
            p.join(120)
            assert p.exitcode == 0
        assert sorted(b["key"] for b in hook.bodies) == sorted(f"k{i}" for i in range(30))
        assert {d["status"] for d in n.log()} == {"sent"}
