"""Storage: the Store contract and its engines."""

from escucha.store.base import Filters, PendingItem, QuarantineRow, Store, UpsertResult

__all__ = ["Filters", "PendingItem", "QuarantineRow", "Store", "UpsertResult", "open_store"]


def open_store(url_or_path: str, **kwargs: object) -> Store:
    """Open a store: ``postgresql://…`` for PostgreSQL, else a DuckDB file path."""
    if url_or_path.startswith(("postgresql://", "postgres://")):
        from escucha.store.postgres import PostgresStore

        return PostgresStore(url_or_path, **kwargs)  # type: ignore[arg-type]
    from escucha.store.duckdb import DuckDBStore

    return DuckDBStore(url_or_path, **kwargs)  # type: ignore[arg-type]
