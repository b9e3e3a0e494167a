"""A company's own rules over the models: per-label keywords, phrases and regexes (``rules.yaml``).

File format (the workspace's ``rules.yaml``; terms use :mod:`escucha.nlp.lexicons` syntax)::

    rules:
      - label: churn_threat          # an intent (see escucha.models.INTENTS) or an aspect id
        action: add                   # add (default) or block
        terms:
          es: [me cambio a Movistar, "re:\\bportabilidad\\b"]
          en: [port my number]
      - label: price_billing
        action: block
        terms: [precio de la entrada]  # a phrase that is not about our prices

Precedence, always the same:

1. the model proposes labels (with scores);
2. a matching **add** rule puts its label in (intent score 1.0; an aspect mention whose
   evidence is the matched term, in the sentence where it matched);
3. a matching **block** rule takes its label out of the whole text (score 0), even when an add
   rule or the model proposed it: block beats add, and any rule beats the model.

``kind`` (``intent`` or ``aspect``) is inferred from the label; write it to be explicit. A rule
may carry ``language: es`` to apply only to texts in that language.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, cast

from escucha.errors import ConfigError
from escucha.layout import WorkspaceLayout
from escucha.models import INTENTS
from escucha.nlp.lexicons import TermMatcher, fold, load_yaml

Action = Literal["add", "block"]
Kind = Literal["intent", "aspect"]


@dataclass(frozen=True, slots=True)
class Rule:
    index: int
    label: str
    kind: Kind
    action: Action
    terms: tuple[str, ...]
    language: str | None = None


@dataclass(frozen=True, slots=True)
class RuleHit:
    rule: Rule
    start: int
    end: int
    term: str


class RuleSet:
    """Compiled rules: one matcher pass per text finds every rule that applies."""

    def __init__(self, rules: Iterable[Rule] = (), source: str = "rules"):
        self.rules = list(rules)
        self.source = source
        self._matcher: TermMatcher[Rule] = TermMatcher(
            ((t, r) for r in self.rules for t in r.terms), plurals=False
        )
        h = hashlib.sha1(usedforsecurity=False)
        for r in self.rules:
            h.update(repr((r.label, r.kind, r.action, r.terms, r.language)).encode())
        self.digest = h.hexdigest()[:8] if self.rules else ""

    def __bool__(self) -> bool:
        return bool(self.rules)

    def __len__(self) -> int:
        return len(self.rules)

    @classmethod
    def load(cls, path: Path | str | None, known_aspects: Iterable[str] | None = None) -> RuleSet:
        """Rules from a YAML file (an empty set when ``path`` is None or the file is absent)."""
        if path is None:
            return cls()
        p = Path(path)
        if not p.exists():
            return cls()
        return cls.from_data(load_yaml(p), str(p), known_aspects)

    @classmethod
    def from_data(cls, data: Any, source: str = "rules", known_aspects: Iterable[str] | None = None) -> RuleSet:
        """Rules from already-parsed YAML; errors name ``source`` and the rule's field."""
        known = set(known_aspects) if known_aspects is not None else None
        if data is None:
            return cls(source=source)
        if isinstance(data, list):
            data = {"rules": data}
        if not isinstance(data, dict) or not isinstance(data.get("rules", []), list):
            raise ConfigError(f"{source}: rules: must be a list of rules", field="rules")
        out: list[Rule] = []
        for i, raw in enumerate(data.get("rules", [])):
            where = f"rules[{i}]"
            if not isinstance(raw, dict):
                raise ConfigError(f"{source}: {where}: must be a mapping", field=where)
            unknown = set(raw) - {"label", "action", "terms", "kind", "language", "note"}
            if unknown:
                raise ConfigError(f"{source}: {where}: unknown field(s) {sorted(unknown)}", field=where)
            label = raw.get("label")
            if not isinstance(label, str) or not label.strip():
                raise ConfigError(f"{source}: {where}.label: missing or not a string", field=f"{where}.label")
            label = label.strip()
            kind = raw.get("kind") or ("intent" if label in INTENTS else "aspect")
            if kind not in ("intent", "aspect"):
                raise ConfigError(f"{source}: {where}.kind: must be 'intent' or 'aspect'", field=f"{where}.kind")
            if kind == "intent" and label not in INTENTS:
                raise ConfigError(
                    f"{source}: {where}.label: unknown intent '{label}'; known: {', '.join(INTENTS)}",
                    field=f"{where}.label",
                )
            if kind == "aspect" and known is not None and label not in known:
                raise ConfigError(f"{source}: {where}.label: unknown aspect '{label}'", field=f"{where}.label")
            action = raw.get("action", "add")
            if action not in ("add", "block"):
                raise ConfigError(f"{source}: {where}.action: must be 'add' or 'block'", field=f"{where}.action")
            terms_raw = raw.get("terms")
            terms: list[str] = []
            items = terms_raw.values() if isinstance(terms_raw, dict) else [terms_raw]
            for group in items:
                if isinstance(group, str):
                    group = [group]
                if not isinstance(group, list) or not all(isinstance(t, str) and t.strip() for t in group):
                    raise ConfigError(
                        f"{source}: {where}.terms: must be a list of non-empty strings (or language -> list)",
                        field=f"{where}.terms",
                    )
                terms.extend(group)
            if not terms:
                raise ConfigError(f"{source}: {where}.terms: no terms", field=f"{where}.terms")
            lang = raw.get("language")
            if lang is not None and not isinstance(lang, str):
                raise ConfigError(f"{source}: {where}.language: must be a language code", field=f"{where}.language")
            out.append(Rule(i, label, cast(Kind, kind), action, tuple(terms), lang))
        try:
            return cls(out, source)
        except ConfigError as exc:
            raise ConfigError(f"{source}: {exc.message}", field="terms") from None

    def find(self, text: str, language: str | None = None, kind: Kind | None = None,
             folded: str | None = None) -> list[RuleHit]:
        """Every rule hit in ``text`` (optionally only rules of one ``kind``)."""
        if not self.rules or not text:
            return []
        f = folded if folded is not None else fold(text)
        hits = []
        for h in self._matcher.finditer(f):
            for r in h.payloads:
                if kind is not None and r.kind != kind:
                    continue
                if r.language and language and r.language != language:
                    continue
                hits.append(RuleHit(r, h.start, h.end, text[h.start : h.end]))
        return hits

    @staticmethod
    def decide(hits: Iterable[RuleHit]) -> tuple[set[str], set[str]]:
        """Labels to add and to block from a list of hits (block wins over add)."""
        add: set[str] = set()
        block: set[str] = set()
        for h in hits:
            (block if h.rule.action == "block" else add).add(h.rule.label)
        return add - block, block

    def apply_labels(self, scores: dict[str, float], text: str, language: str | None = None,
                     threshold: float = 0.5, folded: str | None = None) -> tuple[list[str], dict[str, float], list[RuleHit]]:
        """Apply intent rules to model ``scores``: returns (labels, scores, hits), labels in score order."""
        hits = self.find(text, language, "intent", folded)
        add, block = self.decide(hits)
        new = dict(scores)
        for label in add:
            new[label] = 1.0
        for label in block:
            new[label] = 0.0
        labels = [k for k in INTENTS if new.get(k, 0.0) >= threshold]
        return labels, new, hits


def load_rules(path: Path | str | None = None, workspace: Path | str | None = None,
               known_aspects: Iterable[str] | None = None) -> RuleSet:
    """The rules at ``path``, else the workspace's ``rules.yaml``, else none.

    Aspect labels are checked against ``known_aspects`` (default: the shipped taxonomy plus the
    workspace's ``taxonomy.yaml``), so a typo is an error naming the rule.
    """
    if path is None and workspace is not None:
        path = WorkspaceLayout(Path(workspace)).rules
    if path is None or not Path(path).exists():
        return RuleSet()
    if known_aspects is None:
        from escucha.taxonomy import load_taxonomy

        extra = [WorkspaceLayout(Path(workspace)).taxonomy] if workspace is not None else []
        known_aspects = load_taxonomy(None, [e for e in extra if e.exists()]).aspects
    return RuleSet.load(path, known_aspects)


__all__ = ["Rule", "RuleHit", "RuleSet", "load_rules"]
