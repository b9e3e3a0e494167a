"""One typed settings object (environment prefix ``ESCUCHA_``; a workspace may add ``escucha.yaml``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_PIPELINE: tuple[str, ...] = (
    "language",
    "sentences",
    "sentiment",
    "emotion",
    "aspects",
    "intent",
    "urgency",
)


class Settings(BaseSettings):
    """Settings from the environment (``ESCUCHA_*``) and the workspace's ``escucha.yaml``."""

    model_config = SettingsConfigDict(env_prefix="ESCUCHA_", extra="ignore")

    workspace: Path | None = None
    store_url: str | None = Field(
        default=None, description="postgresql://… to use PostgreSQL; default is the workspace's DuckDB file"
    )
    pipeline: list[str] = Field(default_factory=lambda: list(DEFAULT_PIPELINE))
    analyzers: dict[str, dict[str, Any]] = Field(
        default_factory=dict, description="Per-analyser options, e.g. {llm_labels: {base_url: …, model: …, labels: […]}}"
    )
    domains: list[str] = Field(default_factory=lambda: ["airline", "hotel", "retail", "telecom", "banking"])
    batch_size: int = 2000
    lock_timeout_s: float = 30.0
    redact_pii: bool = False
    language_hint: list[str] = Field(default_factory=lambda: ["es", "en", "pt", "fr", "it", "de", "ca"])
    employee_min_group: int = 5
    secret_key: str | None = None
    log_level: str = "INFO"
    # -- server (escucha serve) --
    display_redaction: bool = Field(default=False, description="Redact PII when showing voices (API, dashboard, export)")
    session_max_age_s: int = Field(default=12 * 3600, ge=60, description="Login session lifetime")
    cookie_secure: bool | None = Field(default=None, description="Force the Secure cookie flag; default: on unless loopback")
    login_max_failures: int = Field(default=5, ge=1, description="Failed logins per IP+user per window before 429")
    login_window_s: float = Field(default=60.0, gt=0)
    max_upload_mb: int = Field(default=100, ge=1)
    ui_language: str = Field(default="es", description="Default dashboard language (es or en)")

    @classmethod
    def for_workspace(cls, path: Path, **overrides: Any) -> Settings:
        """Settings for a workspace: its ``escucha.yaml`` then environment then ``overrides``."""
        file_values: dict[str, Any] = {}
        cfg = path / "escucha.yaml"
        if cfg.exists():
            file_values = yaml.safe_load(cfg.read_text(encoding="utf-8")) or {}
        env = cls()
        merged = {**file_values, **env.model_dump(exclude_unset=True), **overrides, "workspace": path}
        return cls.model_validate(merged)
