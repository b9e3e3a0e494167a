"""Helpers shared by the survey and portal tests: a local SMTP receiver (aiosmtpd), form tokens
from public pages, and a workspace with customers, users and e-mail configured."""

from __future__ import annotations

import email
import re
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import Message
from pathlib import Path
from typing import Any

from test_api import build_workspace


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def smtp_receiver() -> Iterator[tuple[int, list[Message]]]:
    """A real SMTP server on 127.0.0.1 collecting every message it receives."""
    from aiosmtpd.controller import Controller

    got: list[Message] = []

    class Handler:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            msg = email.message_from_bytes(envelope.content)
            msg["X-Rcpt"] = ",".join(envelope.rcpt_tos)
            got.append(msg)
            return "250 OK"

    port = free_port()
    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port, got
    finally:
        controller.stop()


def body(msg: Message) -> str:
    if msg.is_multipart():
        for part in msg.walk():
            if part.get_content_type() == "text/plain":
                return str(part.get_payload(decode=True).decode("utf-8"))  # type: ignore[union-attr]
    return str(msg.get_payload(decode=True).decode("utf-8"))  # type: ignore[union-attr]


def use_smtp(ws: Any, port: int) -> None:
    """Point the workspace's e-mail channel at the local receiver."""
    ws.layout.notify.write_text(
        f"channels:\n  email: {{type: smtp, host: 127.0.0.1, port: {port}, sender: hola@tienda.example}}\n",
        encoding="utf-8",
    )


def survey_workspace(path: Path) -> tuple[Any, dict[str, str]]:
    """The API tests' workspace plus customers with segments and e-mails; no time-trap."""
    ws, tokens = build_workspace(path)
    ws.add_customers([
        {"id": "c10", "name": "Marta", "attributes": {"segment": "premium", "email": "marta@example.com"}},
        {"id": "c11", "name": "Pablo", "attributes": {"segment": "premium", "email": "pablo@example.com"}},
        {"id": "c12", "name": "Sara", "attributes": {"segment": "basic", "language": "en"}},
    ])  # fmt: skip
    ws.settings.public_min_form_s = 0.0
    return ws, tokens


def token_of(html: str) -> str:
    m = re.search(r'name="form_token" value="([^"]+)"', html)
    assert m, html[:500]
    return m.group(1)


def path_of(link: str) -> str:
    return "/s/" + link.rsplit("/s/", 1)[1]


def token_in(html: str, form_id: str) -> str:
    """The form token of the form with ``id=form_id``."""
    m = re.search(rf'<form[^>]*id="{form_id}".*?name="form_token" value="([^"]+)"', html, re.S)
    assert m, html[:500]
    return m.group(1)
