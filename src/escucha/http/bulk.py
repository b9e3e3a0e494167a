"""Several voices with their analyses at once (one store round trip instead of one per voice)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from escucha.models import Analysis, Feedback

if TYPE_CHECKING:
    from escucha.workspace import Workspace


def get_many(ws: Workspace, ids: list[str]) -> dict[str, tuple[Feedback, Analysis | None]]:
    """``{id: (Feedback, Analysis | None)}`` for the ids that exist."""
    return ws.store.get_items(ids) if ids else {}
