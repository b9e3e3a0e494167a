"""What the surveys need from a workspace, without importing it: the store, settings and layout,
the workspace's ingest (validation, redaction) and its pipeline (analyse an answer at once)."""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
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
    _secret: str | None = field(default=None, repr=False)
    _surveys: dict[str, tuple[float, dict[str, Any] | None]] = field(default_factory=dict, repr=False)

    def secret(self) -> str:
        """The key that signs survey links: ``secret_key`` when set, else a random key kept in the
        store (so links work across restarts and from the CLI)."""
        if self.settings.secret_key:
            return self.settings.secret_key
        if self._secret:
            return self._secret
        with LOCK:
            doc = self.store.get_docs(SECRET_KIND).get("key")
            if doc and doc.get("value"):
                self._secret = str(doc["value"])
                return self._secret
            value = secrets.token_urlsafe(32)
            self.store.put_docs(SECRET_KIND, {"key": {"value": value}})
            self._secret = value
            return value

    def survey_doc(self, survey_id: str, kind: str, max_age_s: float = 5.0) -> dict[str, Any] | None:
        """A survey's stored document, cached for ``max_age_s`` (every answer reads it; a survey
        closed from another process stops taking answers within that time)."""
        now = time.monotonic()
        hit = self._surveys.get(survey_id)
        if hit is not None and now - hit[0] < max_age_s:
            return hit[1]
        doc = self.store.get_docs(kind).get(survey_id)
        self._surveys[survey_id] = (now, doc)
        return doc

    def read_doc(self, kind: str, key: str) -> dict[str, Any] | None:
        """One document by key (without reading every document of ``kind``)."""
        return self.store.get_docs(kind, keys=[key]).get(key)

    def forget_survey(self, survey_id: str) -> None:
        self._surveys.pop(survey_id, None)

    @property
    def base_url(self) -> str:
        return self.settings.survey_base_url.rstrip("/")
