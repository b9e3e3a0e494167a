"""Real local receivers for delivery tests: an HTTP webhook endpoint and an SMTP server (aiosmtpd)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import Message as EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class WebhookReceiver:
    """Records every POST; answers ``fail_next`` requests with ``fail_status`` first."""

    url: str = ""
    requests: list[dict[str, Any]] = field(default_factory=list)
    fail_next: int = 0
    fail_status: int = 500

    @property
    def bodies(self) -> list[Any]:
        return [r["body"] for r in self.requests if r["accepted"]]


@contextmanager
def webhook_receiver() -> Iterator[WebhookReceiver]:
    rec = WebhookReceiver()
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            with lock:
                accepted = rec.fail_next <= 0
                if not accepted:
                    rec.fail_next -= 1
                rec.requests.append({"body": json.loads(raw), "headers": dict(self.headers), "raw": raw,
                                     "accepted": accepted})
            self.send_response(200 if accepted else rec.fail_status)
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    rec.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    try:
        yield rec
    finally:
        server.shutdown()
        server.server_close()


@dataclass
class SmtpReceiver:
    host: str = "127.0.0.1"
    port: int = 0
    messages: list[EmailMessage] = field(default_factory=list)
    envelopes: list[tuple[str, list[str]]] = field(default_factory=list)


@contextmanager
def smtp_receiver() -> Iterator[SmtpReceiver]:
    """An aiosmtpd server on a free local port that keeps every message it accepts."""
    import socket

    from aiosmtpd.controller import Controller

    rec = SmtpReceiver()

    class Handler:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            rec.messages.append(message_from_bytes(envelope.content, policy=policy.default))
            rec.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
            return "250 OK"

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        rec.port = s.getsockname()[1]
    controller = Controller(Handler(), hostname="127.0.0.1", port=rec.port)
    controller.start()
    try:
        yield rec
    finally:
        controller.stop()
