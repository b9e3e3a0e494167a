"""Named registries that other packages extend through Python entry points.

One mechanism for every kind of extension (analysers, stores, insights, alert channels), as
spaCy factories and datasette plugins do: built-ins register by name, and a third-party package
declares more in its ``pyproject.toml``::

    [project.entry-points."escucha.analyzers"]
    my_labels = "my_package.analysers:MyLabels"

The entry point's name is the registered name and its object is what gets registered (a factory,
a class). Entry points are read only when a name is not found among the registered ones, and each
is loaded at most once.

>>> SHAPES: Registry[type] = Registry("shape", "example.shapes")
>>> SHAPES.register("square", int)
<class 'int'>
>>> SHAPES.get("square")
<class 'int'>
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from importlib.metadata import entry_points
from typing import Generic, TypeVar

from escucha.errors import ConfigError, EscuchaError

__all__ = ["Registry"]

log = logging.getLogger(__name__)
T = TypeVar("T")


class Registry(Generic[T]):
    """Objects of one ``kind`` by name, extended by the entry points of ``group``.

    ``error`` (with ``field``) is the error raised for an unknown name or a clash; ``builtins``,
    when given, is called once before the first lookup (it imports the modules that register the
    built-in objects, so importing the registry stays cheap).
    """

    def __init__(
        self,
        kind: str,
        group: str,
        *,
        error: type[EscuchaError] = ConfigError,
        field: str | None = None,
        builtins: Callable[[], object] | None = None,
    ):
        self.kind = kind
        self.group = group
        self._error = error
        self._field = field
        self._builtins = builtins
        self._items: dict[str, T] = {}
        self._loaded: set[str] = set()  # entry-point names already loaded (or tried)
        self._broken: dict[str, str] = {}  # entry-point name -> why it failed to load

    def register(self, name: str, obj: T, *, replace: bool = False) -> T:
        """Register ``obj`` under ``name`` and return it; a name already taken is an error
        unless ``replace``."""
        if not replace and name in self._items and self._items[name] is not obj:
            raise self._error(f"{self.kind} '{name}' is already registered", field=self._field)
        self._items[name] = obj
        return obj

    def get(self, name: str) -> T:
        """The object registered as ``name``, loading the group's entry points on a miss."""
        self._load_builtins()
        if name not in self._items:
            self.load_entry_points()
        try:
            return self._items[name]
        except KeyError:
            why = f" (its plugin failed to load: {self._broken[name]})" if name in self._broken else ""
            raise self._error(
                f"unknown {self.kind} '{name}'{why}; known: {', '.join(self.names())}", field=self._field
            ) from None

    def unregister(self, name: str) -> None:
        """Forget ``name`` (and let its entry point, if any, load again on the next miss)."""
        self._items.pop(name, None)
        self._loaded.discard(name)

    def names(self) -> list[str]:
        """Every registered name, sorted (built-ins and installed plugins)."""
        self._load_builtins()
        self.load_entry_points()
        return sorted(self._items)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name in self.names()

    def load_entry_points(self) -> None:
        """Register the objects of the group's entry points not loaded yet. A plugin that fails
        to import is logged and remembered (:meth:`get` names it), never fatal to the others; an
        entry point never replaces a name registered in code."""
        for ep in entry_points(group=self.group):
            if ep.name in self._loaded:
                continue
            self._loaded.add(ep.name)
            try:
                obj = ep.load()
            except Exception as exc:  # a broken third-party package
                self._broken[ep.name] = f"{type(exc).__name__}: {exc}"
                log.warning("%s plugin '%s' (%s) failed to load: %s", self.kind, ep.name, ep.value, exc)
                continue
            if ep.name not in self._items:
                self._items[ep.name] = obj
            elif self._items[ep.name] is not obj:  # (a module that registered itself is fine)
                log.warning("%s plugin '%s' (%s) ignored: the name is taken", self.kind, ep.name, ep.value)

    def _load_builtins(self) -> None:
        load, self._builtins = self._builtins, None  # once; registering may look names up again
        if load is not None:
            try:
                load()
            except BaseException:
                self._builtins = load
                raise
