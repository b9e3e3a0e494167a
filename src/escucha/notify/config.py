"""``notify.yaml``: the workspace's delivery channels and the rules every delivery follows.

::

    public_url: https://cx.example.com      # makes evidence links absolute
    channels:
      ops:   {type: webhook, url_env: SLACK_WEBHOOK_URL, format: slack, topics: [alerts, cases]}
      leads: {type: smtp, host: smtp.example.com, port: 587, starttls: true, sender: cx@example.com,
              username: cx, password_env: SMTP_PASSWORD, to: [lead@example.com], digest: true}
      email: {type: smtp, host: smtp.example.com, sender: hola@example.com}   # customers
    email_channel: email      # the channel that e-mails customers (surveys, idea credits)
    cooldown_s: 3600          # same group to the same channel at most once per hour
    digest_s: 900             # held messages go out together every 15 minutes
    max_attempts: 8           # then the delivery is dead (kept in the log)
    backoff_s: 30             # 30 s, 60 s, 120 s, … between attempts
    retention_days: 90        # finished deliveries are dropped from the log after this (dedup forgets them)
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field
from pydantic import ValidationError as PydanticError

from escucha.errors import ConfigError


class NotifyConfig(BaseModel):
    """Channels and delivery rules (see the module's docstring for the file)."""

    model_config = ConfigDict(extra="forbid")

    public_url: str | None = None
    channels: dict[str, dict[str, Any]] = Field(default_factory=dict)
    email_channel: str = "email"
    cooldown_s: float = Field(default=3600.0, ge=0)
    digest_s: float = Field(default=900.0, ge=0)
    max_attempts: int = Field(default=8, ge=1)
    backoff_s: float = Field(default=30.0, ge=0)
    max_backoff_s: float = Field(default=3600.0, ge=0)
    retention_days: float = Field(default=90.0, gt=0)

    @classmethod
    def load(cls, path: Path) -> NotifyConfig:
        """Read ``path``; a missing file means no channels."""
        if not path.exists():
            return cls()
        try:
            raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as exc:
            raise ConfigError(f"{path.name}: not valid YAML: {exc}") from exc
        if not isinstance(raw, dict):
            raise ConfigError(f"{path.name}: expected a mapping at the top level")
        try:
            return cls.model_validate(raw)
        except PydanticError as exc:
            err = exc.errors()[0]
            where = ".".join(str(p) for p in err["loc"])
            raise ConfigError(f"{path.name}: {where}: {err['msg']}", field=where) from exc

    def topics(self, channel: str) -> list[str] | None:
        """The topics a channel takes (None: every topic)."""
        t = self.channels.get(channel, {}).get("topics")
        return None if t is None else [str(x) for x in ([t] if isinstance(t, str) else t)]

    def digests(self, channel: str) -> bool:
        return bool(self.channels.get(channel, {}).get("digest", False))
