"""The CX aspect taxonomy: general aspects plus domain packs, in YAML, with a company overlay.

Shipped files (this folder): ``general.yaml`` and one pack per domain (``airline``, ``hotel``,
``retail``, ``telecom``, ``banking``). Each aspect has an ``id``, ``label`` in ``es`` and ``en``,
a ``parent`` (domain aspects roll up to a general one; general aspects have none), an ``owner``
(the team that should act on it) and ``terms`` per language. Domain aspects may also have
``context_terms``: ambiguous words that count only when the text mentions one of the pack's
``cues`` (so "delay" is an airline delay in a tweet about a flight, not in a hotel review).

A company adds its own file (the workspace's ``taxonomy.yaml``)::

    aspects:
      - id: loyalty_app            # a new aspect…
        label: {es: App de puntos, en: Points app}
        parent: web_app
        owner: Loyalty
        terms: {es: [app de puntos], en: [points app]}
      - id: customer_service       # …or an existing one: fields given replace, terms are added
        terms: {es: [gestor personal]}
    disable: [advertising_promise] # aspects to drop

Errors name the file and the field (``ConfigError``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from escucha.errors import ConfigError
from escucha.layout import WorkspaceLayout
from escucha.nlp.lexicons import load_yaml

TAXONOMY_DIR = Path(__file__).parent
DOMAINS: tuple[str, ...] = ("airline", "hotel", "retail", "telecom", "banking")
LANGS: tuple[str, ...] = ("es", "en")


@dataclass(frozen=True, slots=True)
class Aspect:
    id: str
    label: dict[str, str]
    parent: str | None
    owner: str
    domain: str = "general"
    terms: tuple[str, ...] = ()
    context_terms: tuple[str, ...] = ()

    def label_for(self, language: str) -> str:
        return self.label.get(language) or self.label.get("en") or self.id


@dataclass(slots=True)
class Taxonomy:
    """Aspects by id and, per domain, the cue terms that switch on its ``context_terms``."""

    aspects: dict[str, Aspect] = field(default_factory=dict)
    cues: dict[str, tuple[str, ...]] = field(default_factory=dict)
    sources: list[str] = field(default_factory=list)

    def __contains__(self, aspect_id: object) -> bool:
        return aspect_id in self.aspects

    def __getitem__(self, aspect_id: str) -> Aspect:
        return self.aspects[aspect_id]

    def __len__(self) -> int:
        return len(self.aspects)

    def roll_up(self, aspect_id: str) -> str:
        """The general (top-level) aspect an aspect belongs to."""
        seen = set()
        cur = aspect_id
        while cur in self.aspects and self.aspects[cur].parent and cur not in seen:
            seen.add(cur)
            cur = self.aspects[cur].parent or cur
        return cur

    def children(self, aspect_id: str) -> list[str]:
        return [a.id for a in self.aspects.values() if a.parent == aspect_id]

    def ancestors(self, aspect_id: str) -> list[str]:
        out: list[str] = []
        cur = self.aspects.get(aspect_id)
        while cur is not None and cur.parent and cur.parent not in out:
            out.append(cur.parent)
            cur = self.aspects.get(cur.parent)
        return out

    def owner(self, aspect_id: str) -> str:
        a = self.aspects.get(aspect_id)
        return a.owner if a else ""

    @property
    def digest(self) -> str:
        """Changes whenever an aspect or its terms change (feeds the analyser version)."""
        h = hashlib.sha1(usedforsecurity=False)
        for a in sorted(self.aspects.values(), key=lambda x: x.id):
            h.update(repr((a.id, a.parent, a.domain, a.terms, a.context_terms)).encode())
        for d in sorted(self.cues):
            h.update(repr((d, self.cues[d])).encode())
        return h.hexdigest()[:8]


def _err(path: Path | str, where: str, msg: str) -> ConfigError:
    return ConfigError(f"{path}: {where}: {msg}", field=where)


def _terms(value: Any, path: Path | str, where: str) -> tuple[str, ...]:
    """Terms as a list, or a mapping language -> list."""
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if isinstance(value, dict):
        out: list[str] = []
        for lang, items in value.items():
            out.extend(_terms(items, path, f"{where}.{lang}"))
        return tuple(out)
    if not isinstance(value, list):
        raise _err(path, where, "must be a list of terms or a mapping language -> list")
    out = []
    for i, t in enumerate(value):
        if isinstance(t, bool) or not isinstance(t, str | int | float):
            raise _err(path, f"{where}[{i}]", f"must be a string, got {type(t).__name__}")
        s = str(t).strip()
        if not s:
            raise _err(path, f"{where}[{i}]", "empty term")
        if s.startswith("re:"):
            import re

            try:
                re.compile(s[3:])
            except re.error as exc:
                raise _err(path, f"{where}[{i}]", f"bad regular expression: {exc}") from None
        out.append(s)
    return tuple(out)


def _parse(data: Any, path: Path | str, *, overlay: bool = False) -> tuple[str, dict[str, tuple[str, ...]], list[dict[str, Any]], list[str]]:
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise _err(path, "(top level)", "must be a mapping with 'aspects'")
    domain = data.get("domain", "custom" if overlay else "general")
    if not isinstance(domain, str):
        raise _err(path, "domain", "must be a string")
    cues = {domain: _terms(data.get("cues"), path, "cues")} if data.get("cues") else {}
    raw = data.get("aspects", [])
    if not isinstance(raw, list):
        raise _err(path, "aspects", "must be a list")
    disable = data.get("disable", [])
    if not isinstance(disable, list) or not all(isinstance(d, str) for d in disable):
        raise _err(path, "disable", "must be a list of aspect ids")
    items = []
    for i, a in enumerate(raw):
        where = f"aspects[{i}]"
        if not isinstance(a, dict):
            raise _err(path, where, "must be a mapping")
        aid = a.get("id")
        if not isinstance(aid, str) or not aid.strip():
            raise _err(path, f"{where}.id", "missing or not a string")
        where = f"aspects[{i}] ({aid})"
        unknown = set(a) - {"id", "label", "parent", "owner", "terms", "context_terms", "domain", "replace_terms"}
        if unknown:
            raise _err(path, where, f"unknown field(s) {sorted(unknown)}")
        item: dict[str, Any] = {"id": aid.strip(), "domain": a.get("domain", domain)}
        if "label" in a:
            lab = a["label"]
            if isinstance(lab, str):
                lab = {"es": lab, "en": lab}
            if not isinstance(lab, dict) or not all(isinstance(v, str) for v in lab.values()):
                raise _err(path, f"{where}.label", "must be a mapping language -> text")
            if not overlay and not all(k in lab for k in LANGS):
                raise _err(path, f"{where}.label", "needs both 'es' and 'en'")
            item["label"] = dict(lab)
        elif not overlay:
            raise _err(path, f"{where}.label", "missing")
        if "parent" in a:
            if a["parent"] is not None and not isinstance(a["parent"], str):
                raise _err(path, f"{where}.parent", "must be an aspect id or null")
            item["parent"] = a["parent"]
        if "owner" in a:
            if not isinstance(a["owner"], str):
                raise _err(path, f"{where}.owner", "must be a string")
            item["owner"] = a["owner"]
        elif not overlay:
            raise _err(path, f"{where}.owner", "missing")
        if "terms" in a:
            item["terms"] = _terms(a["terms"], path, f"{where}.terms")
        if "context_terms" in a:
            item["context_terms"] = _terms(a["context_terms"], path, f"{where}.context_terms")
        item["replace_terms"] = bool(a.get("replace_terms", False))
        items.append(item)
    return domain, cues, items, list(disable)


def _merge(tax: Taxonomy, path: Path | str, data: Any, *, overlay: bool) -> None:
    _domain, cues, items, disable = _parse(data, path, overlay=overlay)
    for d, c in cues.items():
        tax.cues[d] = tuple(dict.fromkeys(tax.cues.get(d, ()) + c))
    for item in items:
        aid = item["id"]
        old = tax.aspects.get(aid)
        if old is None:
            if "label" not in item:
                raise _err(path, f"aspects ({aid}).label", "a new aspect needs a label")
            tax.aspects[aid] = Aspect(
                id=aid,
                label=item["label"],
                parent=item.get("parent"),
                owner=item.get("owner", ""),
                domain=item["domain"],
                terms=item.get("terms", ()),
                context_terms=item.get("context_terms", ()),
            )
            continue
        changes: dict[str, Any] = {}
        if "label" in item:
            changes["label"] = {**old.label, **item["label"]}
        for k in ("parent", "owner"):
            if k in item:
                changes[k] = item[k]
        for k in ("terms", "context_terms"):
            if k in item:
                changes[k] = item[k] if item["replace_terms"] else tuple(dict.fromkeys(getattr(old, k) + item[k]))
        tax.aspects[aid] = replace(old, **changes)
    for d in disable:
        gone = tax.aspects.pop(d, None)
        if gone is not None:  # its children now roll up to its parent
            for cid, child in list(tax.aspects.items()):
                if child.parent == d:
                    tax.aspects[cid] = replace(child, parent=gone.parent)
    tax.sources.append(str(path))


def _check(tax: Taxonomy) -> None:
    for a in tax.aspects.values():
        if a.parent is not None and a.parent not in tax.aspects:
            raise ConfigError(
                f"{tax.sources[-1] if tax.sources else 'taxonomy'}: aspects ({a.id}).parent: "
                f"unknown aspect '{a.parent}'",
                field="parent",
            )
        if not a.terms and not a.context_terms:
            raise ConfigError(f"taxonomy: aspects ({a.id}).terms: no terms", field="terms")


def load_taxonomy(
    domains: Sequence[str] | None = None,
    extra: Iterable[Path | str] = (),
) -> Taxonomy:
    """The shipped taxonomy (general + ``domains``, default all; ``["auto"]``, the setting that
    asks for detection, also loads all) with ``extra`` files merged over it."""
    tax = Taxonomy()
    _merge(tax, TAXONOMY_DIR / "general.yaml", load_yaml(TAXONOMY_DIR / "general.yaml"), overlay=False)
    for d in DOMAINS if domains is None or "auto" in domains else domains:
        p = TAXONOMY_DIR / f"{d}.yaml"
        if not p.exists():
            raise ConfigError(f"unknown taxonomy domain '{d}'; known: {', '.join(DOMAINS)}", field="domains")
        _merge(tax, p, load_yaml(p), overlay=False)
    for e in extra:
        p = Path(e)
        _merge(tax, p, load_yaml(p), overlay=True)
    _check(tax)
    return tax


def workspace_taxonomy(workspace: Path, domains: Sequence[str] | None = None) -> Taxonomy:
    """The taxonomy for a workspace: shipped files plus its ``taxonomy.yaml`` when present."""
    p = WorkspaceLayout(Path(workspace)).taxonomy
    return load_taxonomy(domains, [p] if p.exists() else [])


@lru_cache(maxsize=16)
def _aspect_labels(path: str, lang: str, stamp: float) -> dict[str, str]:
    try:
        return {a.id: a.label_for(lang) for a in workspace_taxonomy(Path(path)).aspects.values()}
    except Exception:  # a broken taxonomy file shows ids, never breaks a page or a message
        return {}


def aspect_labels(workspace: Path, lang: str) -> dict[str, str]:
    """Aspect id → label in ``lang`` for a workspace (cached until its taxonomy file changes)."""
    tax = WorkspaceLayout(Path(workspace)).taxonomy
    stamp = tax.stat().st_mtime if tax.exists() else 0.0
    return _aspect_labels(str(workspace), lang, stamp)


__all__ = ["DOMAINS", "Aspect", "Taxonomy", "aspect_labels", "load_taxonomy", "workspace_taxonomy"]
