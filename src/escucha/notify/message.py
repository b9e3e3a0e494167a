"""What is delivered: one :class:`Message`, rendered for each kind of receiver.

A message is channel-neutral (subject, plain text, an evidence link, a few facts); each channel
renders it: Slack and Microsoft Teams incoming-webhook bodies, a generic JSON body, or an e-mail.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from email.message import EmailMessage
from typing import Any

SEVERITIES: tuple[str, ...] = ("info", "low", "medium", "high", "critical")
_TEAMS_COLOURS = {"info": "2E7D32", "low": "558B2F", "medium": "F9A825", "high": "EF6C00", "critical": "C62828"}


@dataclass(frozen=True, slots=True)
class Message:
    """One notification.

    ``key`` identifies it: the same key is never delivered twice to a channel. ``group`` (e.g. an
    alert rule and scope) is what the cooldown counts: a second message of the same group inside the
    cooldown is logged, not sent. ``recipients`` overrides an e-mail channel's own list.
    """

    key: str
    subject: str
    text: str
    url: str | None = None
    facts: Mapping[str, str] = field(default_factory=dict)
    severity: str = "info"
    recipients: tuple[str, ...] = ()
    html: str | None = None
    topic: str = "general"
    group: str | None = None

    def __post_init__(self) -> None:
        if self.severity not in SEVERITIES:
            raise ValueError(f"severity {self.severity!r} is not one of {', '.join(SEVERITIES)}")
        if not self.key:
            raise ValueError("a message needs a key")

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["facts"] = {str(k): str(v) for k, v in self.facts.items()}
        d["recipients"] = list(self.recipients)
        return d

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Message:
        fields = {k: d[k] for k in cls.__dataclass_fields__ if k in d}
        fields["recipients"] = tuple(fields.get("recipients") or ())
        fields["facts"] = dict(fields.get("facts") or {})
        return cls(**fields)

    def absolute_url(self, base: str | None) -> str | None:
        """The evidence link, made absolute with the public base address when it is relative."""
        if self.url and base and self.url.startswith("/"):
            return base.rstrip("/") + self.url
        return self.url


def digest(messages: Sequence[Message], key: str, topic: str) -> Message:
    """One message standing for several (a digest), listing each subject with its link."""
    worst = max((SEVERITIES.index(m.severity) for m in messages), default=0)
    lines = [f"• {m.subject}" + (f" — {m.url}" if m.url else "") for m in messages]
    return Message(
        key=key,
        subject=f"{len(messages)} notifications ({topic})",
        text="\n".join(lines),
        severity=SEVERITIES[worst],
        topic=topic,
        facts={"count": str(len(messages))},
    )


def slack_body(m: Message, base_url: str | None = None) -> dict[str, Any]:
    """A Slack incoming-webhook body (text fallback plus blocks)."""
    url = m.absolute_url(base_url)
    head = f"*{m.subject}*\n{m.text}"
    blocks: list[dict[str, Any]] = [{"type": "section", "text": {"type": "mrkdwn", "text": head[:2900]}}]
    if m.facts:
        blocks.append({"type": "section", "fields": [
            {"type": "mrkdwn", "text": f"*{k}*\n{v}"} for k, v in list(m.facts.items())[:10]]})
    if url:
        blocks.append({"type": "actions", "elements": [
            {"type": "button", "text": {"type": "plain_text", "text": "Evidence"}, "url": url}]})
    return {"text": f"{m.subject}" + (f" <{url}|evidence>" if url else ""), "blocks": blocks}


def teams_body(m: Message, base_url: str | None = None) -> dict[str, Any]:
    """A Microsoft Teams incoming-webhook body (MessageCard)."""
    url = m.absolute_url(base_url)
    card: dict[str, Any] = {
        "@type": "MessageCard",
        "@context": "https://schema.org/extensions",
        "summary": m.subject,
        "title": m.subject,
        "text": m.text,
        "themeColor": _TEAMS_COLOURS[m.severity],
        "sections": [{"facts": [{"name": k, "value": v} for k, v in m.facts.items()]}] if m.facts else [],
    }
    if url:
        card["potentialAction"] = [{"@type": "OpenUri", "name": "Evidence", "targets": [{"os": "default", "uri": url}]}]
    return card


def generic_body(m: Message, delivery_id: str, base_url: str | None = None) -> dict[str, Any]:
    """A plain JSON body with every field (for one's own receivers)."""
    return {**m.to_dict(), "url": m.absolute_url(base_url), "delivery_id": delivery_id}


WEBHOOK_FORMATS = {"slack": slack_body, "teams": teams_body}


def email_message(m: Message, sender: str, to: Sequence[str], delivery_id: str,
                  base_url: str | None = None) -> EmailMessage:
    """The e-mail for a message; its Message-ID comes from the delivery, so a resend is recognisable."""
    mail = EmailMessage()
    mail["Subject"] = m.subject
    mail["From"] = sender
    mail["To"] = ", ".join(to)
    domain = sender.rpartition("@")[2] or "escucha.local"
    mail["Message-ID"] = f"<{delivery_id}@{domain}>"
    url = m.absolute_url(base_url)
    facts = "".join(f"\n{k}: {v}" for k, v in m.facts.items())
    mail.set_content(m.text + ("\n" + facts if facts else "") + (f"\n\n{url}" if url else "") + "\n")
    if m.html:
        mail.add_alternative(m.html, subtype="html")
    return mail
