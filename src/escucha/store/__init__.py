"""Storage: the Store contract and its engines, found by URL scheme.

:func:`open_store` reads the scheme of its argument: ``postgresql://`` (or ``postgres://``) opens
a :class:`~escucha.store.postgres.PostgresStore`, a path without a scheme (or ``duckdb://PATH``) a
DuckDB file. Other packages add engines through the entry points of group ``escucha.stores``
(the name is the scheme, the object a factory ``(url, **kwargs) -> Store``; see
:mod:`escucha.plugins`), or in code with ``STORES.register("myscheme", factory)``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from escucha.errors import ConfigError
from escucha.plugins import Registry
from escucha.store.base import Filters, PendingItem, QuarantineRow, Store, UpsertResult

__all__ = [
    "STORES", "Filters", "PendingItem", "QuarantineRow", "Store", "StoreFactory", "UpsertResult",
    "open_store",
]  # fmt: skip

StoreFactory = Callable[..., Store]
"""Opens a store: ``factory(url_or_path, **kwargs)``."""

DUCKDB = "duckdb"
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")
# What a store must offer: the methods of the Store protocol, checked when a store is opened.
STORE_METHODS: tuple[str, ...] = tuple(
    sorted(n for n, v in vars(Store).items() if callable(v) and not n.startswith("_"))
)


def _duckdb(url_or_path: str, **kwargs: Any) -> Store:
    from escucha.store.duckdb import DuckDBStore

    path = url_or_path.removeprefix(f"{DUCKDB}://")
    return DuckDBStore(path, **kwargs)


def _postgres(url: str, **kwargs: Any) -> Store:
    from escucha.store.postgres import PostgresStore

    return PostgresStore(url, **kwargs)


STORES: Registry[StoreFactory] = Registry("store scheme", "escucha.stores", field="store")
"""Store factories by URL scheme: the built-ins, then the entry points of group ``escucha.stores``."""
STORES.register(DUCKDB, _duckdb)
STORES.register("postgresql", _postgres)
STORES.register("postgres", _postgres)


def scheme_of(url_or_path: str) -> str:
    """The URL scheme, lower-cased; ``duckdb`` for a plain path."""
    m = _SCHEME.match(url_or_path)
    return m.group(1).lower() if m else DUCKDB


def open_store(url_or_path: str, **kwargs: object) -> Store:
    """Open a store: ``postgresql://…`` for PostgreSQL, a scheme a plugin registered, else a
    DuckDB file path. An unknown scheme, or a plugin whose store lacks a method of the
    :class:`~escucha.store.base.Store` contract, is a :class:`~escucha.errors.ConfigError`."""
    scheme = scheme_of(url_or_path)
    store = STORES.get(scheme)(url_or_path, **kwargs)
    missing = [m for m in STORE_METHODS if not callable(getattr(store, m, None))]
    if missing:
        raise ConfigError(
            f"the store of scheme '{scheme}' ({type(store).__name__}) lacks {missing} "
            "of the Store contract",
            field="store",
        )
    return store
