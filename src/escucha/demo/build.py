"""Build the demo workspace: generate the company's feedback, ingest it, analyse it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.console import Console

import escucha
from escucha.demo.contact_center import open_demo_cases
from escucha.demo.generator import FILES, generate
from escucha.workspace import Workspace


def build_demo(
    path: str | Path, n: int = 6000, seed: int = 7, console: Console | None = None
) -> tuple[Workspace, dict[str, Path]]:
    """Generate the demo data into ``path/data``, ingest every file, analyse, replay the reputation
    watch and open the contact center's cases (idempotent)."""
    console = console or Console(stderr=True)
    root = Path(path)
    root.mkdir(parents=True, exist_ok=True)
    cfg = root / "escucha.yaml"
    if not cfg.exists():  # the demo company is a home-goods retailer: only the retail aspect pack
        cfg.write_text("domains: [retail]\n", encoding="utf-8")
    ws = escucha.open(root)
    files = generate(ws.path / "data", seed=seed, n=n)
    # company.yaml first: its social_handles mark the brand's own replies at ingest
    for extra in ("company.yaml",):
        src = files.get("company")
        if src and not (ws.path / extra).exists():
            (ws.path / extra).write_text(Path(src).read_text(encoding="utf-8"), encoding="utf-8")
    for name in FILES:
        if name == "customers":
            count = ws.load_customers(files[name])
            console.print(f"customers: {count:,} profiles")
            continue
        summary = ws.ingest(files[name], files[f"mapping:{name}"])
        console.print(
            f"{name}: read {summary.read:,}, stored {summary.stored:,}, "
            f"duplicates {summary.duplicates:,}, quarantined {summary.quarantined:,}"
        )
    with console.status("analysing…"):
        result: Any = ws.analyze()
    console.print(f"analysed {result.analysed:,} voices at {result.texts_per_s:,.0f}/s")
    alerts = ws.watch.replay(save=True)  # the reputation watch's history (stored, never delivered)
    console.print(f"reputation watch: {len(alerts)} alerts (escucha alerts; /alerts)")
    opened = open_demo_cases(ws)  # the contact center: queues, agents, cases with SLA clocks
    if opened is not None:
        console.print(f"contact center: {len(opened.opened):,} cases opened from the last two weeks (escucha cases; /inbox)")
    return ws, files
