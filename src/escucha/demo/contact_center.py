"""The demo as a contact center: queues with agents (``cases.yaml``), the cases the rules open over
the demo's last two weeks of voices (assigned round robin, with live SLA clocks), and the dashboard
users of an agent and a team lead."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from escucha.cases import store as case_store
from escucha.cases.model import now_utc
from escucha.cases.rules import OpenSummary, open_from_rules
from escucha.store import Filters

if TYPE_CHECKING:
    from escucha.workspace import Workspace

CASES_YAML = Path(__file__).with_name("cases.yaml")
RECENT = timedelta(days=14)
"""Cases are opened from the voices of the demo's last two weeks: the older week's as if the rules
had run yesterday (some clocks are already warning or breached), the last week's now."""

DEMO_USERS: tuple[tuple[str, str, str], ...] = (
    ("demo", "escucha-demo", "admin"),
    ("sofia", "escucha-lead", "analyst"),  # team lead of the retention queue
    ("ana", "escucha-agente", "agent"),  # an agent of the Spanish and English queues
    ("viewer", "escucha-viewer", "viewer"),
)
"""(user, password, role) of the demo dashboard: loopback only, never for real data."""


def open_demo_cases(ws: Workspace) -> OpenSummary | None:
    """Write the demo's ``cases.yaml`` (unless the workspace has one) and, when the workspace has no
    cases yet, open the cases of the last two weeks. ``None`` when there was nothing to do."""
    if not ws.layout.cases.exists():
        ws.layout.cases.write_text(CASES_YAML.read_text(encoding="utf-8"), encoding="utf-8")
    if case_store.load_all(ws.store):
        return None
    newest = ws.store.items(limit=1)["timestamp"]
    if newest.empty or pd.isna(newest.iloc[0]):
        return None
    end = pd.Timestamp(newest.iloc[0]).to_pydatetime() + timedelta(seconds=1)
    mid, start = end - RECENT / 2, end - RECENT
    now = now_utc()
    older = ws.store.items(Filters(since=start, until=mid), limit=None)["id"].tolist()
    total = open_from_rules(ws.store, ws.layout, since=start, item_ids=older, now=now - timedelta(days=1))
    last = open_from_rules(ws.store, ws.layout, since=mid, now=now)
    total.checked += last.checked
    total.opened += last.opened
    total.joined.update(last.joined)
    return total
