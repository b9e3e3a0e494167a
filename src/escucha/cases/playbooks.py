"""Recovery playbooks: the steps for a kind of problem, the compensations an agent may offer without
approval (each with its limit), and reply templates per language and register (tú / usted).

The shipped ``defaults/playbooks.yaml`` holds Spanish and English defaults; a workspace's
``playbooks.yaml`` replaces playbooks by name and may add more.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from escucha.cases.config import DEFAULTS, read_yaml
from escucha.errors import ConfigError

if TYPE_CHECKING:
    from escucha.layout import WorkspaceLayout

TIER_SHARE = {"platinum": 1.0, "vip": 1.0, "gold": 1.0, "silver": 0.75}
"""Share of a compensation's limit offered by the customer's value tier (others: half)."""


@dataclass(frozen=True)
class Playbook:
    name: str
    match: dict[str, list[str]]
    steps: list[dict[str, str]]
    compensations: list[dict[str, Any]]
    reply: dict[str, Any]

    def step(self, lang: str, index: int = 0) -> str:
        if not self.steps:
            return ""
        s = self.steps[min(index, len(self.steps) - 1)]
        return str(s.get(lang) or s.get("en") or next(iter(s.values())))

    def template(self, lang: str, register: str) -> str:
        t = self.reply.get(lang) or self.reply.get("en") or self.reply.get("es")
        if isinstance(t, dict):
            return str(t.get(register) or t.get("usted") or next(iter(t.values())))
        return str(t)

    def to_json(self, lang: str = "es", step: int = 0) -> dict[str, Any]:
        return {"name": self.name, "step": self.step(lang, step),
                "steps": [s.get(lang) or s.get("en") for s in self.steps],
                "compensations": [{"kind": c["kind"], "max": c["max"]} for c in self.compensations]}  # fmt: skip


@dataclass(frozen=True)
class Playbooks:
    currency: str
    items: dict[str, Playbook]
    offer: dict[str, Any]

    def choose(self, intents: list[str] | None = None, topic: str | None = None,
               aspects: list[str] | None = None) -> Playbook:
        """The first playbook matching the intents, then the topic, then the aspects; else ``general``."""
        intents, aspects = intents or [], aspects or []
        for key, have in (("intents", intents), ("topics", [topic] if topic else []), ("aspects", aspects)):
            for pb in self.items.values():
                if set(pb.match.get(key, [])) & set(have):
                    return pb
        return self.items.get("general") or next(iter(self.items.values()))

    def get(self, name: str) -> Playbook:
        if name not in self.items:
            raise ConfigError(f"no playbook {name!r}; there are {', '.join(self.items)}", field="playbook")
        return self.items[name]


def _playbook(name: str, d: Any) -> Playbook:
    if not isinstance(d, dict):
        raise ConfigError(f"playbooks.yaml: {name}: expected a mapping", record=name)
    comps = []
    for i, c in enumerate(d.get("compensations") or []):
        mx = c.get("max") if isinstance(c, dict) else None
        if not isinstance(mx, int | float) or isinstance(mx, bool) or mx < 0 or math.isnan(mx):
            raise ConfigError(f"playbooks.yaml: {name}: compensations[{i}].max must be a number >= 0",
                              field="max", record=name)  # fmt: skip
        if not c.get("kind"):
            raise ConfigError(f"playbooks.yaml: {name}: compensations[{i}] needs a kind", field="kind", record=name)
        comps.append(dict(c))
    reply = d.get("reply") or {}
    if not reply:
        raise ConfigError(f"playbooks.yaml: {name}: no reply template", field="reply", record=name)
    match = {k: [str(x) for x in v] for k, v in (d.get("match") or {}).items()}
    return Playbook(name, match, list(d.get("steps") or []), comps, reply)


def load_playbooks(layout: WorkspaceLayout | None = None) -> Playbooks:
    base = read_yaml(DEFAULTS / "playbooks.yaml")
    items = dict(base.get("playbooks") or {})
    offer = base.get("offer") or {}
    currency = base.get("currency", "EUR")
    if layout is not None and layout.playbooks.exists():
        own = read_yaml(layout.playbooks)
        mine = dict(own.get("playbooks") or {})
        items = {**mine, **{k: v for k, v in items.items() if k not in mine}}  # the workspace's first
        offer = own.get("offer") or offer
        currency = own.get("currency", currency)
    return Playbooks(str(currency), {str(k): _playbook(str(k), v) for k, v in items.items()}, offer)


def compensation(pb: Playbook, customer: dict[str, Any] | None = None, kind: str | None = None) -> dict[str, Any] | None:
    """The compensation to suggest: the playbook's first (or ``kind``), its amount scaled by the
    customer's value tier, never above the playbook's limit."""
    options = [c for c in pb.compensations if kind is None or c["kind"] == kind]
    if not options:
        return None
    c = options[0]
    limit = float(c["max"])
    tier = str((customer or {}).get("tier") or "").lower()
    amount = min(limit, math.floor(limit * TIER_SHARE.get(tier, 0.5)))
    if amount <= 0:
        return None
    return {"kind": c["kind"], "amount": amount, "max": limit, "label": c.get("label") or {}}


def offer_sentence(pbs: Playbooks, comp: dict[str, Any] | None, lang: str, register: str) -> str:
    if not comp:
        return ""
    labels = comp.get("label") or {}
    label = str(labels.get(lang) or labels.get("en") or comp["kind"])
    amount = comp["amount"]
    label = label.format(amount=f"{amount:g}", currency=pbs.currency)
    t = pbs.offer.get(lang) or pbs.offer.get("en") or "{label}. "
    if isinstance(t, dict):
        t = t.get(register) or t.get("usted") or next(iter(t.values()))
    return str(t).format(label=label)


AMOUNT = re.compile(r"(?:(?:€|\$|EUR|USD|MXN)\s*(\d+(?:[.,]\d+)?))|(?:(\d+(?:[.,]\d+)?)\s*(?:€|\$|EUR|USD|MXN|euros?|pesos|dollars?))",
                    re.I)  # fmt: skip


def amounts(text: str) -> list[float]:
    """Money amounts written in ``text`` (``15 €``, ``€15``, ``20 euros``, ``$10``)."""
    out = []
    for m in AMOUNT.finditer(text):
        v = m.group(1) or m.group(2)
        out.append(float(v.replace(",", ".")))
    return out


def within_limits(pb: Playbook, text: str) -> bool:
    """No amount in ``text`` is above the highest compensation limit of the playbook."""
    top = max((float(c["max"]) for c in pb.compensations), default=0.0)
    return all(a <= top for a in amounts(text))
