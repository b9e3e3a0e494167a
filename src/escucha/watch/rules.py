"""Alert rules: the workspace's ``alerts.yaml`` (edited by hand or through the API).

```yaml
step: 1h                   # how often a live watcher evaluates (the replay's default step)
anomaly:                   # the detector's sensitivity (escucha.watch.anomaly.ModelParams)
  fdr: 0.01
  min_count: 10
  min_ratio: 2.0
incidents:                 # how alerts group into incidents (escucha.watch.incidents)
  gap: 24h                 # windows this close belong to one incident (when their scopes relate)
  separate: [product, location]   # different values: different incidents
  min_shared: 3            # alerts sharing this many evidence voices are linked
rules:
  - id: anomalies          # volume, topic and negativity spikes per scope
    kind: anomaly
    kinds: [volume, topic, negativity]
    channels: [ops]        # notify.yaml channels (default: all of them)
    deliver: incident      # incident (default: one message per new incident) or alert (each alert)
    language: en           # what its messages speak (default: the workspace's ui_language)
  - id: viral              # one voice likely to go viral
    kind: viral
    min_risk: 0.25
  - id: vip                # a negative voice from a VIP customer
    kind: vip
    attribute: tier
    values: [gold, vip]
  - id: united-negative    # a fixed threshold on a scope's window
    kind: threshold
    scope: {product: United}
    metric: negative       # volume | negative
    min: 50
  - id: promises           # a brand promise that is being broken
    kind: broken_promise
```

Without the file, :data:`DEFAULT_RULES` apply (anomalies, viral, VIP).
"""

from __future__ import annotations

import builtins
import re
import threading
from pathlib import Path
from typing import Any

import yaml

from escucha.errors import ConfigError, NotFoundError, ValidationError
from escucha.i18n import LANGUAGES
from escucha.watch.anomaly import ModelParams
from escucha.watch.incidents import IncidentParams

RULE_KINDS = ("anomaly", "viral", "vip", "threshold", "broken_promise")
SEVERITY = {"anomaly": "high", "viral": "critical", "vip": "high", "threshold": "medium", "broken_promise": "medium"}
DEFAULT_RULES: list[dict[str, Any]] = [
    {"id": "anomalies", "kind": "anomaly", "kinds": ["volume", "topic", "negativity"]},
    {"id": "viral", "kind": "viral", "min_risk": 0.25},
    {"id": "vip", "kind": "vip", "attribute": "tier", "values": ["vip", "platinum"]},
]
DELIVER = ("incident", "alert")
"""How a rule's alerts are delivered: through their incident (once per incident) or one by one."""
_ID = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
_LOCK = threading.Lock()


def validate_rule(rule: Any, where: str = "rule") -> dict[str, Any]:
    """A checked copy of one rule (errors name the rule and the field)."""
    if not isinstance(rule, dict):
        raise ValidationError(f"{where}: expected a mapping", field="rules")
    rid = str(rule.get("id") or "")
    if not _ID.match(rid):
        raise ValidationError(f"{where}: id {rid!r} must be 1-64 letters, digits, . _ -", field="id", record=rid)
    kind = rule.get("kind")
    if kind not in RULE_KINDS:
        raise ValidationError(f"rule {rid}: kind {kind!r} is not one of {', '.join(RULE_KINDS)}", field="kind",
                              record=rid)  # fmt: skip
    out = dict(rule)
    if kind == "anomaly":
        from escucha.watch.replay import KINDS

        kinds = out.setdefault("kinds", list(KINDS))
        if not isinstance(kinds, list) or any(k not in KINDS for k in kinds):
            raise ValidationError(f"rule {rid}: kinds must be a list of {', '.join(KINDS)}", field="kinds", record=rid)
    if kind == "viral":
        out["min_risk"] = _number(out.get("min_risk", 0.25), rid, "min_risk", 0, 1)
    if kind == "threshold":
        if not isinstance(out.get("scope"), dict) or not out["scope"]:
            raise ValidationError(f"rule {rid}: scope must be a mapping such as {{product: X}}", field="scope",
                                  record=rid)  # fmt: skip
        if out.setdefault("metric", "volume") not in ("volume", "negative"):
            raise ValidationError(f"rule {rid}: metric must be volume or negative", field="metric", record=rid)
        out["min"] = int(_number(out.get("min"), rid, "min", 1, 1e12))
    if kind == "broken_promise":
        out["min_broken_share"] = _number(out.get("min_broken_share", 50), rid, "min_broken_share", 0, 100)
        out["min_mentions"] = int(_number(out.get("min_mentions", 20), rid, "min_mentions", 1, 1e9))
    if kind == "vip":
        out.setdefault("attribute", "tier")
        vals = out.setdefault("values", ["vip"])
        if not isinstance(vals, list) or not vals:
            raise ValidationError(f"rule {rid}: values must be a non-empty list", field="values", record=rid)
    if out.setdefault("deliver", "incident") not in DELIVER:
        raise ValidationError(f"rule {rid}: deliver must be one of {', '.join(DELIVER)}", field="deliver", record=rid)
    if out.get("language") is not None and out["language"] not in LANGUAGES:
        raise ValidationError(f"rule {rid}: language must be one of {', '.join(LANGUAGES)}", field="language",
                              record=rid)  # fmt: skip
    chans = out.get("channels")
    if chans is not None and (not isinstance(chans, list) or not all(isinstance(c, str) for c in chans)):
        raise ValidationError(f"rule {rid}: channels must be a list of channel names", field="channels", record=rid)
    return out


def _number(v: Any, rid: str, name: str, lo: float, hi: float) -> float:
    try:
        f = float(v)
    except (TypeError, ValueError):
        raise ValidationError(f"rule {rid}: {name} must be a number", field=name, record=rid) from None
    if not lo <= f <= hi:
        raise ValidationError(f"rule {rid}: {name} must be between {lo:g} and {hi:g}", field=name, record=rid)
    return f


class Rules:
    """The rules of one workspace (its ``alerts.yaml``)."""

    def __init__(self, path: Path):
        self.path = path

    def load(self) -> dict[str, Any]:
        """``{"step", "anomaly", "rules", "incidents"}`` with defaults filled in."""
        data: dict[str, Any] = {}
        if self.path.exists():
            try:
                data = yaml.safe_load(self.path.read_text(encoding="utf-8")) or {}
            except yaml.YAMLError as exc:
                raise ConfigError(f"{self.path.name}: not valid YAML ({exc})", field="alerts.yaml") from None
            if not isinstance(data, dict):
                raise ConfigError(f"{self.path.name}: expected a mapping", field="alerts.yaml")
        rules = data.get("rules")
        rules = DEFAULT_RULES if rules is None else rules
        if not isinstance(rules, list):
            raise ConfigError(f"{self.path.name}: rules must be a list", field="rules")
        checked = [validate_rule(r, f"{self.path.name} rule {i}") for i, r in enumerate(rules)]
        return {"step": str(data.get("step", "1h")), "anomaly": self.params(data.get("anomaly")), "rules": checked,
                "incidents": IncidentParams.from_config(data.get("incidents"))}  # fmt: skip

    @staticmethod
    def params(section: Any) -> ModelParams:
        if section is None:
            return ModelParams()
        if not isinstance(section, dict):
            raise ConfigError("alerts.yaml: anomaly must be a mapping", field="anomaly")
        known = set(ModelParams.__dataclass_fields__)
        bad = sorted(set(section) - known)
        if bad:
            raise ConfigError(f"alerts.yaml: unknown anomaly setting {bad[0]!r} (known: {', '.join(sorted(known))})",
                              field="anomaly")  # fmt: skip
        return ModelParams(**section)

    def list(self) -> builtins.list[dict[str, Any]]:
        return builtins.list(self.load()["rules"])

    def _write(self, rules: builtins.list[dict[str, Any]]) -> None:
        data: dict[str, Any] = {}
        if self.path.exists():
            data = yaml.safe_load(self.path.read_text(encoding="utf-8")) or {}
        data["rules"] = rules
        self.path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")

    def put(self, rule: dict[str, Any]) -> dict[str, Any]:
        """Add or replace (by id) one rule."""
        checked = validate_rule(rule)
        with _LOCK:
            rules = [r for r in self.list() if r["id"] != checked["id"]] + [checked]
            self._write(rules)
        return checked

    def delete(self, rule_id: str) -> None:
        with _LOCK:
            rules = self.list()
            if not any(r["id"] == rule_id for r in rules):
                raise NotFoundError(f"no alert rule {rule_id!r}", field="id", record=rule_id)
            self._write([r for r in rules if r["id"] != rule_id])
