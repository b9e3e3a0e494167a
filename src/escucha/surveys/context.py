"""What the surveys need from a workspace, without importing it: the store, settings and layout,
the workspace's ingest (validation, redaction) and its pipeline (analyse an answer at once)."""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from escucha.config import Settings
from escucha.layout import WorkspaceLayout
from escucha.store import Store

#: Guards every read-modify-write of survey documents in this process.
LOCK = threading.RLock()
SECRET_KIND = "survey_secret"


@dataclass
class SurveyContext:
    store: Store
    settings: Settings
    layout: WorkspaceLayout
    ingest: Callable[..., Any]
    pipeline: Callable[[], Any]

    def secret(self) -> str:
        """The key that signs survey links: ``secret_key`` when set, else a random key kept in the
        store (so links work across restarts and from the CLI)."""
        if self.settings.secret_key:
            return self.settings.secret_key
        with LOCK:
            doc = self.store.get_docs(SECRET_KIND).get("key")
            if doc and doc.get("value"):
                return str(doc["value"])
            value = secrets.token_urlsafe(32)
            self.store.put_docs(SECRET_KIND, {"key": {"value": value}})
            return value

    @property
    def base_url(self) -> str:
        return self.settings.survey_base_url.rstrip("/")
