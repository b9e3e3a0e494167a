"""The store contract: everything escucha keeps, behind one interface that keeps SQL out of the rest.

A store holds voices (items), customers, per-item analyses (with sentences and aspects), the
quarantine of rejected rows, and an ingest log. ``DuckDBStore`` is the embedded default;
another engine implements this same protocol.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

import pandas as pd

from escucha.models import Analysis, Customer, Feedback

ITEM_DIMENSIONS: tuple[str, ...] = (
    "channel",
    "product",
    "location",
    "language",
    "source",
    "customer_id",
    "sentiment",
    "dominant_emotion",
)
"""Dimensions stored as columns; ``aspect``, ``intent``, ``attr:NAME`` (customer attribute),
``meta:NAME`` (item metadata) and time periods are also accepted by ``stats``."""

PERIODS: tuple[str, ...] = ("day", "week", "month", "quarter", "year")


@dataclass(slots=True)
class QuarantineRow:
    """A row that could not be stored, with where it came from and why."""

    source: str
    line: int
    field: str | None
    reason: str
    raw: str


@dataclass(slots=True)
class PendingItem:
    """What the analysis needs of a stored voice (light: no validation on the hot path)."""

    id: str
    content_hash: str
    text: str
    title: str | None = None
    language: str | None = None
    reach: int | None = None


@dataclass(slots=True)
class UpsertResult:
    inserted: int = 0
    updated: int = 0
    duplicates: int = 0


@dataclass(slots=True)
class Filters:
    """Filters shared by every query (all optional, combined with AND)."""

    since: datetime | None = None
    until: datetime | None = None
    channel: list[str] | None = None
    product: list[str] | None = None
    location: list[str] | None = None
    language: list[str] | None = None
    sentiment: list[str] | None = None
    aspect: list[str] | None = None
    intent: list[str] | None = None
    customer_id: list[str] | None = None
    source: list[str] | None = None
    exclude_channel: list[str] | None = None
    search: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    agents: bool = False
    """Also the voices that are not the customer's (speaker ``agent``, or ``models.AGENT_SOURCE``):
    only the thread and the customer 360 ask."""


class Store(Protocol):
    """What every store engine provides."""

    def migrate(self) -> int:
        """Bring the schema to the newest version; returns the version."""

    def schema_version(self) -> int: ...

    def upsert_items(self, items: Sequence[Feedback]) -> UpsertResult:
        """Insert new voices; an item with a known id and new content is updated (and re-analysed)."""

    def upsert_customers(self, customers: Sequence[Customer]) -> int: ...

    def add_quarantine(self, rows: Sequence[QuarantineRow]) -> None: ...

    def quarantine(self, source: str | None = None) -> pd.DataFrame: ...

    def log_ingest(self, source: str, summary: dict[str, Any]) -> None: ...

    def count_pending(self, pipeline_version: str) -> int: ...

    def iter_pending(self, pipeline_version: str, batch_size: int) -> Iterator[list[PendingItem]]:
        """Batches of items whose analysis is missing, stale (content changed) or of another version."""

    def save_analyses(self, items: Sequence[PendingItem], analyses: Sequence[Analysis]) -> None:
        """Store analyses atomically (replacing older ones for the same items)."""

    def items(self, filters: Filters | None = None, limit: int | None = None, offset: int = 0) -> pd.DataFrame:
        """Voices joined with their analysis, newest first."""

    def get_item(self, item_id: str) -> tuple[Feedback, Analysis | None]: ...

    def find_by_content(self, hashes: Sequence[str]) -> list[tuple[str, str, str | None]]:
        """(id, content_hash, source_id) of the stored voices with one of these content hashes."""

    def get_items(self, ids: Sequence[str]) -> dict[str, tuple[Feedback, Analysis | None]]:
        """Several voices with their analyses in one round trip (ids that do not exist are left out)."""

    def aspects(self, filters: Filters | None = None) -> pd.DataFrame:
        """One row per (item, aspect) with the aspect's sentiment and the item's scores and dimensions."""

    def sentences(self, filters: Filters | None = None) -> pd.DataFrame: ...

    def customers(self) -> pd.DataFrame: ...

    def stats(self, by: Sequence[str] = (), period: str | None = None, filters: Filters | None = None) -> pd.DataFrame:
        """Sufficient statistics per group: n, promoters, passives, detractors, n_nps (customers
        only), n_enps, e_promoters, e_detractors (employees), csat_top2,
        n_csat, ces_sum, ces_sq, n_ces, rating_sum, rating_sq, n_rating, positive, neutral, negative."""

    def counts(self) -> dict[str, int]: ...

    def data_version(self) -> tuple[Any, ...]:
        """A value that changes whenever the voices, analyses or customers change (cache keys)."""

    def put_docs(self, kind: str, docs: dict[str, dict[str, Any]]) -> None:
        """Insert or replace JSON documents of one kind (themes, plans, users, …)."""

    def get_docs(self, kind: str, keys: Sequence[str] | None = None) -> dict[str, dict[str, Any]]:
        """Documents of one kind (only those of ``keys`` when given: a read by key)."""

    def update_docs(
        self,
        kind: str,
        change: Callable[[dict[str, dict[str, Any]]], dict[str, dict[str, Any] | None]],
        keys: Sequence[str] | None = None,
    ) -> dict[str, dict[str, Any] | None]:
        """Read-modify-write documents atomically, across threads and processes: ``change`` gets
        the documents of ``kind`` (only ``keys`` when given) and returns the changes (key → new
        document, or None to delete), written in the same transaction; returns the changes."""

    def delete_docs(self, kind: str, keys: Sequence[str] | None = None) -> None: ...

    def put_table(self, name: str, df: pd.DataFrame) -> None:
        """Replace a derived table (e.g. sentence → theme assignments)."""

    def get_table(self, name: str) -> pd.DataFrame | None: ...

    def count_items(self, filters: Filters | None = None) -> int: ...

    def close(self) -> None: ...
