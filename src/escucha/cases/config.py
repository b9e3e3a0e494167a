"""The case configuration: the shipped ``defaults/cases.yaml`` with the workspace's ``cases.yaml`` on top."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from escucha.cases.model import PRIORITIES
from escucha.errors import ConfigError

if TYPE_CHECKING:
    from escucha.layout import WorkspaceLayout

DEFAULTS = Path(__file__).parent / "defaults"
RULE_KEYS = frozenset({
    "intent", "aspect", "negative_aspect", "channel", "language", "sentiment", "nps_max", "csat_max",
    "rating_max", "urgency_min", "customer",
})  # fmt: skip
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd])\s*$")


def read_yaml(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path.name}: not valid YAML ({exc})", record=path.name) from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path.name}: expected a mapping at the top", record=path.name)
    return data


def load_config(layout: WorkspaceLayout | None) -> dict[str, Any]:
    """The case configuration (top-level keys of the workspace's file replace the defaults')."""
    cfg = read_yaml(DEFAULTS / "cases.yaml")
    if layout is not None and layout.cases.exists():
        cfg.update(read_yaml(layout.cases))
    validate(cfg)
    return cfg


def duration(v: Any, field: str, day_hours: float = 24.0) -> timedelta:
    """``"30m"``, ``"4h"``, ``"2d"`` (a day of ``day_hours``) or seconds as a number."""
    if isinstance(v, int | float) and not isinstance(v, bool):
        return timedelta(seconds=float(v))
    m = _DURATION.match(str(v))
    if not m:
        raise ConfigError(f"cases.yaml: {field}: {v!r} is not a duration such as 30m, 4h or 2d", field=field)
    n, unit = float(m.group(1)), m.group(2)
    hours = {"s": 1 / 3600, "m": 1 / 60, "h": 1.0, "d": day_hours}[unit] * n
    return timedelta(hours=hours)


TOP_KEYS = frozenset({"rules", "vip", "assignment", "queues", "sla", "auto_open", "auto_open_days"})


def save_config(layout: WorkspaceLayout, changes: dict[str, Any]) -> dict[str, Any]:
    """Replace top-level keys of the workspace's ``cases.yaml`` (validated first; comments in the
    file are not kept); returns the effective configuration."""
    unknown = set(changes) - TOP_KEYS
    if unknown:
        raise ConfigError(f"cases.yaml: unknown key(s) {', '.join(sorted(unknown))}; use {', '.join(sorted(TOP_KEYS))}",
                          field=sorted(unknown)[0])  # fmt: skip
    own = read_yaml(layout.cases) if layout.cases.exists() else {}
    own.update(changes)
    merged = {**read_yaml(DEFAULTS / "cases.yaml"), **own}
    validate(merged)
    tmp = layout.cases.with_suffix(".yaml.tmp")
    tmp.write_text("# escucha case rules (written by the API; see escucha/cases/defaults/cases.yaml)\n"
                   + yaml.safe_dump(own, allow_unicode=True, sort_keys=False), encoding="utf-8")  # fmt: skip
    tmp.replace(layout.cases)
    return merged


def validate(cfg: dict[str, Any]) -> None:
    """Fail with the rule/field at fault, before anything is opened or assigned."""
    rules = cfg.get("rules") or []
    if not isinstance(rules, list):
        raise ConfigError("cases.yaml: rules must be a list", field="rules")
    for i, r in enumerate(rules):
        name = r.get("name") if isinstance(r, dict) else None
        where = f"rules[{i}]" + (f" ({name})" if name else "")
        if not isinstance(r, dict) or not name:
            raise ConfigError(f"cases.yaml: {where}: a rule needs a name", field="rules", record=where)
        when = r.get("when") or {}
        if not isinstance(when, dict) or not when:
            raise ConfigError(f"cases.yaml: {where}: 'when' must be a mapping of conditions", field="when",
                              record=str(name))  # fmt: skip
        unknown = set(when) - RULE_KEYS
        if unknown:
            raise ConfigError(f"cases.yaml: {where}: unknown condition(s) {', '.join(sorted(unknown))}; use "
                              f"{', '.join(sorted(RULE_KEYS))}", field="when", record=str(name))  # fmt: skip
        if r.get("priority", "normal") not in PRIORITIES:
            raise ConfigError(f"cases.yaml: {where}: priority {r.get('priority')!r} is not one of "
                              f"{', '.join(PRIORITIES)}", field="priority", record=str(name))  # fmt: skip
    queues = cfg.get("queues") or {}
    if not isinstance(queues, dict):
        raise ConfigError("cases.yaml: queues must be a mapping of name → queue", field="queues")
    for q, spec in queues.items():
        if not isinstance(spec, dict) or not isinstance(spec.get("agents", []), list):
            raise ConfigError(f"cases.yaml: queue {q!r}: agents must be a list", field="agents", record=str(q))
    days = cfg.get("auto_open_days", 3)
    if not isinstance(days, int | float) or isinstance(days, bool) or days <= 0:
        raise ConfigError("cases.yaml: auto_open_days must be a number of days above 0", field="auto_open_days")
    if cfg.get("assignment", "round_robin") not in ("round_robin", "least_loaded"):
        raise ConfigError("cases.yaml: assignment must be round_robin or least_loaded", field="assignment")
    policies = (cfg.get("sla") or {}).get("policies") or {}
    for p in PRIORITIES:
        if p not in policies:
            raise ConfigError(f"cases.yaml: sla.policies has no {p!r} policy", field="sla.policies", record=p)
        for k in ("first_response", "next_response", "resolution"):
            duration(policies[p].get(k), f"sla.policies.{p}.{k}")
