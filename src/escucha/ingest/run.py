"""``ingest``: stream a source through a mapping into a store, quarantining what cannot be read."""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from escucha.errors import EscuchaError
from escucha.ingest.mapping import Mapping, load_mapping
from escucha.ingest.readers import BadRow, open_reader
from escucha.ingest.speakers import handle_key
from escucha.ingest.validate import Converter, _json_raw, safe_text
from escucha.models import Customer, Feedback, content_hash
from escucha.store.base import Filters, QuarantineRow, Store, UpsertResult

log = logging.getLogger(__name__)

MAX_PROBLEMS = 20


@dataclass(slots=True)
class IngestProgress:
    """Handed to the progress callback after every batch: ``done`` of ``total`` ``unit``."""

    done: int
    total: int | None
    unit: str
    read: int
    stored: int
    quarantined: int


@dataclass
class IngestSummary:
    """What one ingest did. ``read == stored + updated + duplicates + quarantined``.

    ``customers`` counts customer upserts (once per batch a customer appears in).
    """

    source: str
    name: str | None = None
    read: int = 0
    stored: int = 0
    updated: int = 0
    duplicates: int = 0
    quarantined: int = 0
    customers: int = 0
    problems: list[QuarantineRow] = field(default_factory=list)
    seconds: float = 0.0
    encoding: str | None = None
    """The text file's encoding (None for Parquet, Excel and in-memory sources)."""
    encoding_detected: bool = False
    warnings: list[str] = field(default_factory=list)
    """Things that are not errors but may not be what was meant (a mapped column never seen)."""

    def to_dict(self, raw_chars: int = 300) -> dict[str, Any]:
        data = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        data["seconds"] = round(self.seconds, 3)
        data["problems"] = [
            {
                "source": p.source,
                "line": p.line,
                "field": p.field,
                "reason": p.reason,
                "raw": p.raw if len(p.raw) <= raw_chars else p.raw[:raw_chars] + "…",
            }
            for p in self.problems
        ]
        return data


def _origin(source: Any, source_name: str | None) -> tuple[str, Path | None]:
    if isinstance(source, str | Path):
        return safe_text(str(source)), Path(source)
    if hasattr(source, "itertuples"):
        return source_name or "<dataframe>", None
    return source_name or "<records>", None


def _known_elsewhere(store: Store, items: list[Feedback]) -> set[str]:
    """Ids of ``items`` whose voice the store already holds under another id: the same source id
    and content, brought in before under another source name (a voice's identity does not
    depend on the path or name it came in by)."""
    keyed = [it for it in items if it.source_id]
    if not keyed:
        return set()
    stored: dict[tuple[str, str | None], set[str]] = {}
    for item_id, digest, source_id in store.find_by_content(sorted({it.hash for it in keyed})):
        stored.setdefault((digest, source_id), set()).add(item_id)
    return {
        it.id
        for it in keyed
        if (it.hash, it.source_id) in stored and it.id not in stored[(it.hash, it.source_id)]
    }


def _upsert(
    store: Store, items: list[Feedback], rows: list[tuple[int, dict[str, Any]]], conv: Converter
) -> tuple[UpsertResult, list[QuarantineRow]]:
    """Upsert a batch; if the store refuses it, item by item, so one bad value costs one row."""
    try:
        return store.upsert_items(items), []
    except EscuchaError:
        raise
    except Exception:  # a value the store's driver rejects: find which
        log.warning("the store refused a batch of %d items; retrying one by one", len(items))
    total, bad = UpsertResult(), []
    for item, (line, record) in zip(items, rows, strict=True):
        try:
            res = store.upsert_items([item])
        except EscuchaError:
            raise
        except Exception as exc:
            reason = f"the store refused this record: {type(exc).__name__}: {exc}"[:500]
            bad.append(conv.quarantine(line, None, reason, _json_raw(record)))
            continue
        total.inserted += res.inserted
        total.updated += res.updated
        total.duplicates += res.duplicates
    return total, bad


def _qkey(row: QuarantineRow) -> str:
    return content_hash(row.line, row.field, row.reason, row.raw)


def _known_quarantine(store: Store, origin: str) -> set[str]:
    """Keys of the rows already quarantined from ``origin`` (so a re-ingest adds none again)."""
    try:
        df = store.quarantine(origin)
    except (AttributeError, NotImplementedError):
        return set()
    if df is None or len(df) == 0:
        return set()
    return {
        content_hash(int(line), None if f is None or f != f else f, reason, raw)
        for line, f, reason, raw in df[["line", "field", "reason", "raw"]].itertuples(index=False)
    }


def ingest(
    store: Store,
    source: str | Path | Any | Iterable[dict[str, Any]],
    mapping: Mapping | str | Path | dict[str, Any] | None = None,
    *,
    source_name: str | None = None,
    format: str | None = None,
    batch_size: int = 2000,
    progress: Callable[[IngestProgress], None] | None = None,
    redact: Callable[[str], str] | None = None,
    max_problems: int = MAX_PROBLEMS,
    on_stored: Callable[[list[Feedback]], None] | None = None,
    company_handles: Iterable[str] = (),
) -> IngestSummary:
    """Read ``source`` (a file path, a DataFrame or dicts) with ``mapping`` into ``store``.

    ``mapping`` is a Mapping, a preset name, a YAML path, a dict, or ``None`` for columns named like
    Feedback fields. Valid records are upserted in batches (idempotent: ids come from the source's
    id, else the content hash); the rest go to the quarantine with line, field and reason.
    ``source_name`` labels the items' ``source`` (default: the mapping's name or the file's stem).
    ``redact`` rewrites text and title before storing (PII redaction). ``on_stored`` gets each
    batch of voices as stored (after redaction), so a caller can analyse them without reading
    them back. ``company_handles``: the company's own accounts (``@Brand``); the voices they wrote
    are stored as the company's words (``speaker = "agent"``), never counted as a customer's.
    """
    started = time.perf_counter()
    m = load_mapping(mapping)
    origin, path = _origin(source, source_name)
    name = source_name or m.constants.get("source") or m.name or (path.stem if path else None)
    name = None if name is None else safe_text(name)
    reader = open_reader(
        source,
        format=format or m.format,
        delimiter=m.delimiter,
        encoding=m.encoding,
        sheet=m.sheet,
        batch_size=batch_size,
    )
    handles = frozenset(k for k in map(handle_key, company_handles) if k)
    conv = Converter(m, origin=origin, source=name, redact=redact, handles=handles)
    summary = IngestSummary(source=origin, name=name)
    summary.encoding = getattr(reader, "encoding", None)
    summary.encoding_detected = bool(getattr(reader, "detected", False))
    items: list[Feedback] = []
    rows: list[tuple[int, dict[str, Any]]] = []  # (line, record) of each item, for _upsert
    seen_keys: set[str] = set()
    customers: dict[str, Customer] = {}
    bad: list[QuarantineRow] = []
    checked = False
    known: set[str] | None = None  # read when a row is quarantined: clean sources never ask
    # an empty store holds no voice under another source name: skip that lookup per batch (a
    # source of one batch just looks, one round trip instead of two)
    others: bool | None = None

    def flush(last: bool = False) -> None:
        nonlocal known, others
        if customers:
            summary.customers += store.upsert_customers(list(customers.values()))
            customers.clear()
        if items:
            if others is None and not last:
                others = store.count_items(Filters(agents=True)) > 0
            elsewhere = _known_elsewhere(store, items) if others is not False else set()
            if elsewhere:
                kept = [
                    (it, r) for it, r in zip(items, rows, strict=True) if it.id not in elsewhere
                ]
                summary.duplicates += len(items) - len(kept)
                items[:], rows[:] = [it for it, _ in kept], [r for _, r in kept]
            res, refused = _upsert(store, items, rows, conv)
            summary.stored += res.inserted
            summary.updated += res.updated
            summary.duplicates += res.duplicates
            bad.extend(refused)
            if on_stored is not None:
                lost = {q.line for q in refused}
                on_stored([it for it, (line, _) in zip(items, rows, strict=True) if line not in lost])
            items.clear()
            rows.clear()
        if bad:
            if known is None:
                known = _known_quarantine(store, origin)
            new = [q for q in bad if _qkey(q) not in known]
            if new:
                store.add_quarantine(new)
            summary.quarantined += len(bad)
            room = max_problems - len(summary.problems)
            if room > 0:
                summary.problems.extend(bad[:room])
            bad.clear()
        log.debug("%s: %d read, %d stored so far", origin, summary.read, summary.stored)
        if progress is not None:
            progress(
                IngestProgress(
                    done=reader.position,
                    total=reader.total,
                    unit=reader.unit,
                    read=summary.read,
                    stored=summary.stored,
                    quarantined=summary.quarantined,
                )
            )

    for line, record in reader:
        summary.read += 1
        if isinstance(record, BadRow):
            bad.append(conv.bad_row(line, record))
        else:
            if not checked and reader.columns is not None:
                conv.check_columns(reader.columns)
            checked = True
            if reader.columns is None:
                seen_keys.update(record)
            result = conv.convert(line, record)
            if isinstance(result, Feedback):
                items.append(result)
                rows.append((line, record))
                cust = conv.customer(result, record)
                if cust is not None:
                    prev = customers.get(cust.id)
                    if prev is not None:
                        prev.attributes.update(cust.attributes)
                        prev.name = cust.name or prev.name
                    else:
                        customers[cust.id] = cust
            else:
                bad.append(result)
        if len(items) >= batch_size or len(bad) >= batch_size:
            flush()
    flush(last=True)
    if reader.columns is None and summary.read:
        summary.warnings += [
            f"no record has the column {col!r} mapped to {fld}"
            for fld, col in conv.missing_columns(seen_keys)
        ]
    summary.seconds = time.perf_counter() - started
    store.log_ingest(origin, summary.to_dict())
    log.info(
        "ingested %s: read %d, stored %d, updated %d, duplicates %d, quarantined %d in %.1fs",
        origin, summary.read, summary.stored, summary.updated, summary.duplicates,
        summary.quarantined, summary.seconds,
    )  # fmt: skip
    return summary
