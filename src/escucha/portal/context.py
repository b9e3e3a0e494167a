"""What the portal needs from a workspace: its store, settings and layout (never the workspace)."""

from __future__ import annotations

import threading
from dataclasses import dataclass

from escucha.config import Settings
from escucha.layout import WorkspaceLayout
from escucha.store import Store

#: Guards every read-modify-write of portal documents in this process.
LOCK = threading.RLock()

IDEAS = "portal_ideas"
"""One document per idea: the single source of the portal's statuses (``idea_status`` reads it)."""
PEOPLE = "portal_people"
"""Who proposed or supported an idea (``idea:person``): credit name and e-mail, never public."""


@dataclass
class PortalContext:
    store: Store
    settings: Settings
    layout: WorkspaceLayout

    @property
    def base_url(self) -> str:
        return self.settings.survey_base_url.rstrip("/")
