"""The reads every SQL engine shares; an engine adds its connections, dialect and writes."""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager
from typing import Any, ClassVar

import pandas as pd

from escucha.errors import NotFoundError
from escucha.models import Analysis, Feedback
from escucha.store.base import Filters, PendingItem
from escucha.store.rows import ItemRows, assemble_items
from escucha.store.sql import (
    COUNTS,
    COUNTS_SQL,
    DATA_VERSION_SQL,
    SCHEMA_VERSION_SQL,
    aspects_sql,
    count_sql,
    customers_sql,
    items_sql,
    json_text,
    pending_sql,
    placeholder,
    quarantine_sql,
    sentences_sql,
    stats_sql,
)


class SQLStore(ABC):
    """Base of :class:`DuckDBStore` and :class:`PostgresStore` (the ``Store`` reads, once)."""

    DIALECT: ClassVar[str] = "duckdb"

    @abstractmethod
    def connect(self) -> AbstractContextManager[Any]:
        """A connection inside one transaction (``execute(sql, params)`` → cursor)."""

    @abstractmethod
    def _df(self, sql: str, params: Sequence[Any] = ()) -> pd.DataFrame:
        """A query's result as a frame, with DuckDB's columns and dtypes."""

    @abstractmethod
    def _fetch_items(self, ids: list[str]) -> ItemRows:
        """The item, analysis, sentence and aspect rows of ``ids`` (sentences by item and idx)."""

    def _scalar(self, sql: str, params: Sequence[Any] = ()) -> Any:
        with self.connect() as con:
            row = con.execute(sql, list(params)).fetchone()
        return row[0] if row else None

    def schema_version(self) -> int:
        return int(self._scalar(SCHEMA_VERSION_SQL))

    def quarantine(self, source: str | None = None) -> pd.DataFrame:
        return self._df(*quarantine_sql(source, self.DIALECT))

    # -- analysis ---------------------------------------------------------------------------
    def count_pending(self, pipeline_version: str) -> int:
        return int(self._scalar(f"SELECT count(*) {pending_sql(self.DIALECT)}", [pipeline_version]))

    def iter_pending(self, pipeline_version: str, batch_size: int) -> Iterator[list[PendingItem]]:
        """Yields batches until nothing is pending; each batch must be saved before the next."""
        ph = placeholder(self.DIALECT)
        sql = (
            "SELECT i.id, i.content_hash, i.text, i.title, i.language, i.reach "
            f"{pending_sql(self.DIALECT)} AND i.id > {ph} ORDER BY i.id LIMIT {ph}"
        )
        last = ""
        while True:
            with self.connect() as con:
                rows = con.execute(sql, [pipeline_version, last, batch_size]).fetchall()
            if not rows:
                return
            last = rows[-1][0]
            yield [PendingItem(*r) for r in rows]

    # -- documents ----------------------------------------------------------------------------
    def _docs_query(self, kind: str, keys: Sequence[str] | None) -> tuple[str, list[Any]]:
        """The SELECT of ``kind``'s documents (only ``keys`` when given, which must not be empty)."""
        body, ph = json_text("body", self.DIALECT), placeholder(self.DIALECT)
        sql, params = f"SELECT key, {body} FROM documents WHERE kind = {ph}", [kind]
        if keys is not None:
            sql += f" AND key IN ({', '.join([ph] * len(keys))})"
            params += list(keys)
        return sql, params

    def get_docs(self, kind: str, keys: Sequence[str] | None = None) -> dict[str, dict[str, Any]]:
        if keys is not None and not keys:
            return {}
        sql, params = self._docs_query(kind, keys)
        with self.connect() as con:
            rows = con.execute(sql + " ORDER BY key", params).fetchall()
        return {k: json.loads(b) for k, b in rows}

    def update_docs(
        self,
        kind: str,
        change: Callable[[dict[str, dict[str, Any]]], dict[str, dict[str, Any] | None]],
        keys: Sequence[str] | None = None,
    ) -> dict[str, dict[str, Any] | None]:
        if keys is not None and not keys:
            return {}
        sql, params = self._docs_query(kind, keys)
        with self.connect() as con:
            self._lock_docs(con, kind)
            docs = {k: json.loads(b) for k, b in con.execute(sql, params).fetchall()}
            changes = change(docs)
            if changes:
                self._write_docs(con, kind, changes)
        return changes

    @abstractmethod
    def _lock_docs(self, con: Any, kind: str) -> None:
        """Make other writers of ``kind`` wait until this transaction ends."""

    @abstractmethod
    def _write_docs(self, con: Any, kind: str, changes: dict[str, dict[str, Any] | None]) -> None:
        """Write (or, for None, delete) documents inside ``con``'s transaction."""

    # -- reads ------------------------------------------------------------------------------
    def items(
        self, filters: Filters | None = None, limit: int | None = None, offset: int = 0
    ) -> pd.DataFrame:
        return self._df(*items_sql(filters, limit, offset, self.DIALECT))

    def count_items(self, filters: Filters | None = None) -> int:
        return int(self._scalar(*count_sql(filters, self.DIALECT)))

    def find_by_content(self, hashes: Sequence[str]) -> list[tuple[str, str, str | None]]:
        if not hashes:
            return []
        marks = ", ".join([placeholder(self.DIALECT)] * len(hashes))
        df = self._df(f"SELECT id, content_hash, source_id FROM items WHERE content_hash IN ({marks})", list(hashes))
        return [(str(i), str(h), None if s is None else str(s)) for i, h, s in df.itertuples(index=False)]

    def get_item(self, item_id: str) -> tuple[Feedback, Analysis | None]:
        found = self.get_items([item_id])
        if item_id not in found:
            raise NotFoundError(f"no feedback item with id {item_id!r}", field="id", record=item_id)
        return found[item_id]

    def get_items(self, ids: Sequence[str]) -> dict[str, tuple[Feedback, Analysis | None]]:
        """``{id: (Feedback, Analysis | None)}`` for the ids that exist, in the order asked."""
        unique = list(dict.fromkeys(ids))
        if not unique:
            return {}
        return assemble_items(unique, *self._fetch_items(unique))

    def aspects(self, filters: Filters | None = None) -> pd.DataFrame:
        return self._df(*aspects_sql(filters, self.DIALECT))

    def sentences(self, filters: Filters | None = None) -> pd.DataFrame:
        return self._df(*sentences_sql(filters, self.DIALECT))

    def customers(self) -> pd.DataFrame:
        return self._df(customers_sql(self.DIALECT))

    def stats(
        self, by: Sequence[str] = (), period: str | None = None, filters: Filters | None = None
    ) -> pd.DataFrame:
        dims = [*by, *([period] if period else [])]
        return self._df(*stats_sql(dims, filters, dialect=self.DIALECT))

    def counts(self) -> dict[str, int]:
        with self.connect() as con:
            row = con.execute(COUNTS_SQL).fetchone()
        assert row is not None
        return dict(zip(COUNTS, map(int, row), strict=True))

    def data_version(self) -> tuple[Any, ...]:
        """Changes whenever what the voices say changes: counts, the latest analysis, the latest
        customer update (an edited voice is analysed again, so it moves too)."""
        with self.connect() as con:
            row = con.execute(DATA_VERSION_SQL).fetchone()
        return (*self.counts().values(), *(str(v) for v in (row or ())))
