"""Delivery channels: a webhook (Slack, Teams or generic JSON) and e-mail over SMTP.

A channel is made from its configuration (a ``type`` and its options, from ``notify.yaml``) by the
factory registered under that type in :data:`CHANNELS`; other packages add types through the entry
point group ``escucha.alert_channels``. ``send`` delivers one message or raises
:class:`DeliveryError`, saying whether trying again later may help.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import smtplib
import ssl
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol

from escucha.errors import ConfigError, EscuchaError
from escucha.notify.message import WEBHOOK_FORMATS, Message, email_message, generic_body
from escucha.plugins import Registry
from escucha.version import __version__

__all__ = ["CHANNELS", "Channel", "DeliveryError", "SmtpChannel", "WebhookChannel", "make_channel"]


class DeliveryError(EscuchaError):
    """A delivery failed; ``retry`` says whether the same delivery may succeed later."""

    code = "delivery_failed"
    http_status = 502

    def __init__(self, message: str, *, retry: bool = True):
        super().__init__(message)
        self.retry = retry


class Channel(Protocol):
    """Something that delivers messages."""

    name: str

    def send(self, message: Message, delivery_id: str) -> None: ...


ChannelFactory = Callable[[str, Mapping[str, Any], "str | None"], Channel]
CHANNELS: Registry[ChannelFactory] = Registry("alert channel", "escucha.alert_channels", field="type")


def _secret(options: Mapping[str, Any], key: str) -> str | None:
    """A secret from the environment variable named by ``<key>_env`` (secrets stay out of YAML)."""
    env = options.get(f"{key}_env")
    if env:
        value = os.environ.get(str(env))
        if value is None:
            raise ConfigError(f"environment variable {env} (for {key}) is not set", field=f"{key}_env")
        return value
    value = options.get(key)
    return None if value is None else str(value)


class WebhookChannel:
    """POST a JSON body to a URL: Slack- or Teams-compatible, or every field (``generic``).

    Each request carries ``Idempotency-Key`` (the delivery id, the same on every retry) and, when a
    ``secret`` is configured, ``X-Escucha-Signature: sha256=<HMAC of the body>``.
    """

    def __init__(self, name: str, url: str, format: str = "generic", secret: str | None = None,
                 timeout_s: float = 10.0, base_url: str | None = None, headers: Mapping[str, str] | None = None):
        if format not in (*WEBHOOK_FORMATS, "generic"):
            raise ConfigError(f"channel {name}: unknown webhook format {format!r} (slack, teams or generic)",
                              field="format")
        if not url.startswith(("http://", "https://")):
            raise ConfigError(f"channel {name}: the webhook url must start with http:// or https://", field="url")
        self.name, self.url, self.format = name, url, format
        self.secret, self.timeout_s, self.base_url = secret, timeout_s, base_url
        self.headers = dict(headers or {})

    def body(self, message: Message, delivery_id: str) -> dict[str, Any]:
        render = WEBHOOK_FORMATS.get(self.format)
        return render(message, self.base_url) if render else generic_body(message, delivery_id, self.base_url)

    def send(self, message: Message, delivery_id: str) -> None:
        data = json.dumps(self.body(message, delivery_id), ensure_ascii=False).encode("utf-8")
        headers = {"Content-Type": "application/json", "Idempotency-Key": delivery_id,
                   "User-Agent": f"escucha/{__version__}", **self.headers}
        if self.secret:
            digest = hmac.new(self.secret.encode(), data, hashlib.sha256).hexdigest()
            headers["X-Escucha-Signature"] = f"sha256={digest}"
        import httpx  # imported on first delivery: importing escucha stays light

        try:
            r = httpx.post(self.url, content=data, headers=headers, timeout=self.timeout_s)
        except httpx.HTTPError as exc:
            raise DeliveryError(f"{self.name}: {type(exc).__name__}: {exc}") from exc
        if r.status_code >= 300:
            # 408, 425, 429 and 5xx are worth retrying; any other refusal will not change by itself
            retry = r.status_code in (408, 425, 429) or r.status_code >= 500
            raise DeliveryError(f"{self.name}: HTTP {r.status_code}", retry=retry)


class SmtpChannel:
    """E-mail through an SMTP server (STARTTLS or TLS when configured; password from the environment)."""

    def __init__(self, name: str, host: str, sender: str, port: int = 25, to: Sequence[str] = (),
                 username: str | None = None, password: str | None = None, starttls: bool = False,
                 tls: bool = False, timeout_s: float = 15.0, base_url: str | None = None):
        if "@" not in sender:
            raise ConfigError(f"channel {name}: sender must be an e-mail address", field="sender")
        self.name, self.host, self.port, self.sender = name, host, int(port), sender
        self.to = [str(a) for a in to]
        self.username, self.password = username, password
        self.starttls, self.tls, self.timeout_s, self.base_url = starttls, tls, timeout_s, base_url

    def send(self, message: Message, delivery_id: str) -> None:
        to = list(message.recipients) or self.to
        if not to:
            raise DeliveryError(f"{self.name}: no recipients", retry=False)
        mail = email_message(message, self.sender, to, delivery_id, self.base_url)
        try:
            smtp_cls = smtplib.SMTP_SSL if self.tls else smtplib.SMTP
            with smtp_cls(self.host, self.port, timeout=self.timeout_s) as smtp:
                if self.starttls:
                    smtp.starttls(context=ssl.create_default_context())
                if self.username:
                    smtp.login(self.username, self.password or "")
                smtp.send_message(mail, from_addr=self.sender, to_addrs=to)
        except smtplib.SMTPRecipientsRefused as exc:
            raise DeliveryError(f"{self.name}: recipients refused", retry=False) from exc
        except smtplib.SMTPResponseException as exc:
            raise DeliveryError(f"{self.name}: SMTP {exc.smtp_code}", retry=exc.smtp_code < 500) from exc
        except (OSError, smtplib.SMTPException) as exc:
            raise DeliveryError(f"{self.name}: {type(exc).__name__}: {exc}") from exc


def _webhook(name: str, o: Mapping[str, Any], base_url: str | None) -> Channel:
    if not o.get("url") and not o.get("url_env"):
        raise ConfigError(f"channel {name}: a webhook needs url (or url_env)", field="url")
    return WebhookChannel(name, _secret(o, "url") or "", format=str(o.get("format", "generic")),
                          secret=_secret(o, "secret"), timeout_s=float(o.get("timeout_s", 10.0)),
                          base_url=base_url, headers=o.get("headers"))


def _smtp(name: str, o: Mapping[str, Any], base_url: str | None) -> Channel:
    for key in ("host", "sender"):
        if not o.get(key):
            raise ConfigError(f"channel {name}: smtp needs {key}", field=key)
    to = o.get("to") or []
    return SmtpChannel(name, str(o["host"]), str(o["sender"]), port=int(o.get("port", 25)),
                       to=[to] if isinstance(to, str) else list(to), username=o.get("username"),
                       password=_secret(o, "password"), starttls=bool(o.get("starttls", False)),
                       tls=bool(o.get("tls", False)), timeout_s=float(o.get("timeout_s", 15.0)),
                       base_url=base_url)


CHANNELS.register("webhook", _webhook)
CHANNELS.register("smtp", _smtp)


def make_channel(name: str, options: Mapping[str, Any], base_url: str | None = None) -> Channel:
    """The channel ``name`` from its options (``type`` picks the factory)."""
    kind = options.get("type")
    if not kind:
        raise ConfigError(f"channel {name}: type is missing (webhook, smtp, …)", field="type")
    return CHANNELS.get(str(kind))(name, options, base_url)
