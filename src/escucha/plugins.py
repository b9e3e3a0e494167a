"""Registries of named extensions (analysers, stores, insights, alert channels).

Built-ins register themselves by name; third-party packages add theirs through Python entry points,
as datasette plugins and spaCy factories do::

    # a plugin's pyproject.toml
    [project.entry-points."escucha.insights"]
    churn_cohorts = "my_package.cohorts:ChurnCohorts"

A registry loads its entry-point group once, the first time a name is not found among the
built-ins (or when every name is listed).
"""

from __future__ import annotations

import logging
from importlib.metadata import entry_points
from typing import Generic, TypeVar

from escucha.errors import ConfigError

log = logging.getLogger(__name__)
T = TypeVar("T")


class Registry(Generic[T]):
    """Named objects of one kind, extendable through the entry-point group ``group``."""

    def __init__(self, group: str, kind: str) -> None:
        self.group = group
        self.kind = kind
        self._items: dict[str, T] = {}
        self._loaded = False

    def register(self, name: str, obj: T, *, replace: bool = False) -> T:
        """Add ``obj`` under ``name`` (an existing name needs ``replace=True``)."""
        if name in self._items and not replace and self._items[name] is not obj:
            raise ConfigError(f"{self.kind} {name!r} is already registered", field=self.kind)
        self._items[name] = obj
        return obj

    def unregister(self, name: str) -> None:
        self._items.pop(name, None)

    def load_entry_points(self) -> None:
        """Import every entry point of the group (once); a broken plugin is logged and skipped."""
        if self._loaded:
            return
        self._loaded = True
        for ep in entry_points(group=self.group):
            if ep.name in self._items:
                continue
            try:
                self._items[ep.name] = ep.load()
            except Exception as exc:  # a broken plugin must not break escucha
                log.warning("%s plugin %r could not be loaded (%s)", self.kind, ep.name, type(exc).__name__)

    def get(self, name: str) -> T:
        """The object registered as ``name``; a clear error lists the known names."""
        if name not in self._items:
            self.load_entry_points()
        try:
            return self._items[name]
        except KeyError:
            known = ", ".join(sorted(self._items)) or "none"
            raise ConfigError(f"unknown {self.kind} {name!r} (known: {known})", field=self.kind) from None

    def __contains__(self, name: object) -> bool:
        return name in self._items

    def names(self) -> list[str]:
        """Every registered name, plugins included."""
        self.load_entry_points()
        return list(self._items)

    def items(self) -> list[tuple[str, T]]:
        self.load_entry_points()
        return list(self._items.items())
