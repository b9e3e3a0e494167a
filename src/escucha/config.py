"""Settings, one typed object per concern, from one file and one environment prefix.

:class:`WorkspaceSettings` is what the library reads (store, pipeline, privacy), and
:class:`ServerSettings` what ``escucha serve`` reads (sessions, logins, uploads, display).
:class:`Settings` holds both: a workspace's ``escucha.yaml`` may set any of them, and environment
variables ``ESCUCHA_<NAME>`` override the file. ``python -m escucha.config`` prints the reference
(docs/settings.md is that output; a test keeps the two equal).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from escucha.layout import WorkspaceLayout

DEFAULT_PIPELINE: tuple[str, ...] = (
    "language",
    "sentences",
    "sentiment",
    "emotion",
    "aspects",
    "intent",
    "urgency",
)
CONFIG = SettingsConfigDict(env_prefix="ESCUCHA_", extra="ignore")


class WorkspaceSettings(BaseSettings):
    """What the library reads: where the voices are stored, how they are read, what is protected."""

    model_config = CONFIG

    store_url: str | None = Field(
        default=None, description="postgresql://… to use PostgreSQL; default: the workspace's DuckDB file"
    )
    pipeline: list[str] = Field(
        default_factory=lambda: list(DEFAULT_PIPELINE), description="The analysers, in order, by name"
    )
    analyzers: dict[str, dict[str, Any]] = Field(
        default_factory=dict,
        description="Per-analyser options, e.g. {llm_labels: {base_url: …, model: …, labels: […]}}",
    )
    domains: list[str] = Field(
        default_factory=lambda: ["auto"],
        description=(
            "Taxonomy domain packs the aspects analyser uses (general aspects always): any of airline, "
            "hotel, retail, telecom, banking, or auto (the default): chosen from the workspace's voices "
            "by the packs' cue words the first time they are analysed, and kept"
        ),
    )
    batch_size: int = Field(default=2000, ge=1, description="Voices analysed and saved per batch")
    lock_timeout_s: float = Field(
        default=30.0, ge=0, description="How long to wait for another process holding the DuckDB file"
    )
    redact_pii: bool = Field(default=False, description="Redact PII in voices as they are ingested")
    employee_min_group: int = Field(
        default=5, ge=1, description="Fewest distinct employees a group needs before its figures show"
    )
    assist_llm_url: str | None = Field(
        default=None,
        description="OpenAI-compatible endpoint (…/v1) agent assist may ask for reply drafts; default: templates "
        "only (the API key, if needed, from ESCUCHA_LLM_API_KEY)",
    )
    assist_llm_model: str | None = Field(default=None, description="The model agent assist asks at assist_llm_url")
    assist_llm_timeout_s: float = Field(
        default=3.0, gt=0, description="How long agent assist waits for the endpoint before using its templates"
    )
    themes_llm_url: str | None = Field(
        default=None,
        description="OpenAI-compatible endpoint (…/v1) that may propose theme names; default: names from the "
        "customers' own key phrases only (the API key, if needed, from ESCUCHA_LLM_API_KEY)",
    )
    themes_llm_model: str | None = Field(default=None, description="The model asked for theme names at themes_llm_url")
    themes_llm_timeout_s: float = Field(
        default=10.0, gt=0, description="How long theme discovery waits for a proposed name before keeping its own"
    )
    assist_history_ttl_s: float = Field(
        default=60.0, ge=0, description="How old agent assist's in-memory customer history may get before a refresh"
    )
    survey_fatigue_days: int = Field(
        default=30, ge=0, description="No customer is invited to a survey more than once in this many days"
    )
    survey_base_url: str = Field(
        default="http://127.0.0.1:8000", description="Public address of the server, for survey and portal links"
    )
    precompute_insights: bool = Field(
        default=True,
        description="After `escucha analyze` (and an API analysis run), compute the insights and store "
        "them so dashboard pages answer at once",
    )


class ServerSettings(BaseSettings):
    """What ``escucha serve`` reads: sessions, logins, uploads and how voices are displayed."""

    model_config = CONFIG

    secret_key: str | None = Field(
        default=None, description="Signs sessions; required (32+ characters) off loopback"
    )
    log_level: str = Field(default="INFO", description="Server log level (JSON logs)")
    display_redaction: bool = Field(
        default=False, description="Redact PII when showing voices (API, dashboard, export)"
    )
    session_max_age_s: int = Field(default=12 * 3600, ge=60, description="Login session lifetime")
    cookie_secure: bool | None = Field(
        default=None, description="Force the Secure cookie flag; default: on unless loopback"
    )
    login_max_failures: int = Field(
        default=5, ge=1, description="Failed logins per IP and user per window before 429"
    )
    login_window_s: float = Field(default=60.0, gt=0, description="The failed-login window")
    max_upload_mb: int = Field(default=100, ge=1, description="Largest file accepted by upload")
    ui_language: str = Field(default="es", description="Default dashboard language (es or en)")
    watch_live: bool = Field(
        default=True,
        description="Analyse voices posted to the API in the background and evaluate the alert rules (alerts.yaml)",
    )
    cases_sla_check_s: float = Field(
        default=60.0, ge=0, description="How often the server opens cases from the rules (cases.yaml auto_open) and checks case SLAs; 0: never"
    )
    public_rate_limit: int = Field(
        default=30, ge=1, description="Public form posts (surveys, ideas portal) per IP per minute before 429"
    )
    public_min_form_s: float = Field(
        default=2.0, ge=0, description="Bot time-trap: public forms sent sooner than this after loading are refused"
    )
    survey_widget_origins: list[str] = Field(
        default_factory=list, description="Sites allowed to embed the survey widget (https://shop.example)"
    )


class Settings(WorkspaceSettings, ServerSettings):
    """All settings of a workspace folder: both concerns, one file (``escucha.yaml``)."""

    workspace: Path | None = Field(default=None, description="The workspace folder (set by escucha)")

    @classmethod
    def for_workspace(cls, path: Path, **overrides: Any) -> Settings:
        """Settings for a workspace: its ``escucha.yaml`` then environment then ``overrides``."""
        file_values: dict[str, Any] = {}
        cfg = WorkspaceLayout(path).config
        if cfg.exists():
            file_values = yaml.safe_load(cfg.read_text(encoding="utf-8")) or {}
        env = cls()
        merged = {**file_values, **env.model_dump(exclude_unset=True), **overrides, "workspace": path}
        return cls.model_validate(merged)


def reference() -> str:
    """The settings reference in Markdown (docs/settings.md)."""
    out = [
        "# Settings",
        "",
        "Set them in a workspace's `escucha.yaml` or as environment variables `ESCUCHA_<NAME>`",
        "(which win over the file). Generated by `python -m escucha.config`.",
    ]
    for cls in (WorkspaceSettings, ServerSettings):
        out += ["", f"## {cls.__name__}", "", (cls.__doc__ or "").strip(), "",
                "| setting | environment | default | what it does |", "|---|---|---|---|"]  # fmt: skip
        for name, f in cls.model_fields.items():
            default = f.get_default(call_default_factory=True)
            out.append(f"| `{name}` | `ESCUCHA_{name.upper()}` | `{default!r}` | {f.description} |")
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    print(reference(), end="")
