"""Brand promises as configured: the ``promises:`` block of ``company.yaml`` or ``promises.yaml``
(a list, or a mapping with ``promises:``), checked and normalised.

Each promise has an ``id``, the ``promise`` (short claim, e.g. "Entrega en 24 horas"), optional
``claim``/``claim_en``, ``campaign``, ``channels``, ``start``/``end`` dates, ``keywords``,
``breaks`` (phrases that show it broken) and ``keeps`` (phrases that show it kept).
"""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from escucha.errors import ConfigError
from escucha.insights.inputs import load_company
from escucha.insights.journey import as_str_list, fold

if TYPE_CHECKING:
    from escucha.insights.base import InsightContext


def _date(v: Any, where: str) -> date | None:
    if v in (None, ""):
        return None
    if isinstance(v, datetime):
        return v.date()
    if isinstance(v, date):
        return v
    try:
        return date.fromisoformat(str(v))
    except ValueError as exc:
        raise ConfigError(f"{where}: not a date (YYYY-MM-DD): {v!r}", field=where) from exc


def normalize_promises(data: Any, source: str = "promises") -> list[dict[str, Any]]:
    """Check and normalise promise definitions; errors name the file and the field."""
    if isinstance(data, dict):
        data = data.get("promises")
    if not isinstance(data, list):
        raise ConfigError(f"{source}: expected a list of promises", field="promises")
    out, seen = [], set()
    for i, p in enumerate(data):
        where = f"{source}: promises[{i}]"
        if not isinstance(p, dict):
            raise ConfigError(f"{where}: each promise is a mapping", field=f"promises[{i}]")
        text = p.get("promise") or p.get("claim") or p.get("name")
        if not text:
            raise ConfigError(f"{where}: needs 'promise' (the claim text)", field=f"promises[{i}].promise")
        pid = str(p.get("id") or re.sub(r"\W+", "_", fold(str(text))).strip("_"))
        if pid in seen:
            raise ConfigError(f"{where}: duplicate id '{pid}'", field=f"promises[{i}].id")
        seen.add(pid)
        start = _date(p.get("start"), f"promises[{i}].start")
        end = _date(p.get("end"), f"promises[{i}].end")
        if start and end and end < start:
            raise ConfigError(f"{where}: end {end} is before start {start}", field=f"promises[{i}].end")
        out.append({
            "id": pid, "promise": str(text), "claim": str(p.get("claim") or ""),
            "claim_en": str(p.get("claim_en") or ""), "campaign": str(p.get("campaign") or ""),
            "channels": as_str_list(p.get("channels")), "markets": as_str_list(p.get("markets")),
            "start": start, "end": end, "journey_stage": p.get("journey_stage"),
            "keywords": as_str_list(p.get("keywords")), "breaks": as_str_list(p.get("breaks")),
            "keeps": as_str_list(p.get("keeps")), "expectation": p.get("expectation"),
        })
    return out


def load_promises(ctx: InsightContext | None = None, promises: Any = None) -> list[dict[str, Any]]:
    """Promises from the argument (list, mapping or YAML path), the workspace's promises.yaml or
    the ``promises:`` of its company.yaml."""
    if promises is not None:
        if isinstance(promises, str | Path):
            p = Path(promises)
            if not p.exists():
                raise ConfigError(f"no promises file at {p}", field="promises")
            return normalize_promises(yaml.safe_load(p.read_text(encoding="utf-8")), str(p))
        return normalize_promises(promises)
    if ctx is None:
        return []
    p = ctx.layout.promises
    if p.exists():
        return normalize_promises(yaml.safe_load(p.read_text(encoding="utf-8")), str(p))
    company = load_company(ctx)
    if company.get("promises"):
        return normalize_promises(company["promises"], str(ctx.layout.company))
    return []
