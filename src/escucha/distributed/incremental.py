"""Workspace mode: workers analyse, the driver alone writes the store (DuckDB allows one writer).

The driver reads pending batches, keeps at most ``max_in_flight`` of them on the cluster, and
saves each batch atomically as its result arrives, so a killed run resumes exactly like
``escucha analyze``: saved batches stay analysed, the rest is still pending.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from escucha.analysis import AnalyzeSummary
from escucha.distributed.cluster import PipelineSpec, connect, n_workers
from escucha.distributed.worker import analyse_items, pipeline_version
from escucha.errors import PipelineError
from escucha.store import PendingItem, Store

if TYPE_CHECKING:
    from distributed import Client, Future

    from escucha.workspace import Workspace

log = logging.getLogger(__name__)


def analyse_store_distributed(
    ws: Workspace,
    workers: int = 2,
    batch_size: int | None = None,
    client: Client | None = None,
    *,
    scheduler: str | None = None,
    max_in_flight: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    limit: int | None = None,
) -> AnalyzeSummary:
    """Analyse a workspace's pending voices on a dask cluster (``ws.analyze`` scaled out).

    ``workers`` local processes (one thread each) unless ``client`` or a ``scheduler`` address is
    given. ``batch_size`` defaults to the workspace's. At most ``max_in_flight`` batches (default
    2 per worker thread) are on the cluster at once.
    """
    spec = PipelineSpec.of_workspace(ws)
    with connect(workers, scheduler=scheduler, client=client) as c:
        return analyse_store_on(
            c, ws.store, spec, batch_size or ws.settings.batch_size,
            max_in_flight=max_in_flight, progress=progress, limit=limit,
        )  # fmt: skip


def analyse_store_on(
    client: Client,
    store: Store,
    spec: PipelineSpec,
    batch_size: int = 512,
    *,
    max_in_flight: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    limit: int | None = None,
) -> AnalyzeSummary:
    """Analyse ``store``'s pending items with ``client``'s workers; the caller's process writes."""
    started = time.perf_counter()
    version = spec.version or client.submit(pipeline_version, spec, pure=False).result()
    spec = spec.with_version(version)
    summary = AnalyzeSummary(pipeline_version=version, pending_before=store.count_pending(version))
    total = summary.pending_before if limit is None else min(limit, summary.pending_before)
    if total == 0:
        summary.seconds = time.perf_counter() - started
        return summary
    cap = max_in_flight or 2 * n_workers(client)
    batches = _batches(store, version, batch_size, limit)
    _run(client, store, spec, batches, cap, summary, progress, total)
    summary.seconds = time.perf_counter() - started
    log.info(
        "analysed %d items (%d failed) in %.1fs on %d workers",
        summary.analysed, summary.failed, summary.seconds, n_workers(client),
    )  # fmt: skip
    return summary


def _batches(
    store: Store, version: str, batch_size: int, limit: int | None
) -> Iterator[list[PendingItem]]:
    """Pending batches, at most ``limit`` items in all; an id is never handed out twice."""
    seen: set[str] = set()
    left = limit
    for items in store.iter_pending(version, batch_size):
        items = [it for it in items if it.id not in seen]
        if left is not None:
            items = items[:left]
            left -= len(items)
        if items:
            seen.update(it.id for it in items)
            yield items
        if left is not None and left <= 0:
            return


def _run(
    client: Client,
    store: Store,
    spec: PipelineSpec,
    batches: Iterator[list[PendingItem]],
    cap: int,
    summary: AnalyzeSummary,
    progress: Callable[[int, int], None] | None,
    total: int,
) -> None:
    from distributed import as_completed

    in_flight: dict[Future, list[PendingItem]] = {}
    done = as_completed()
    errors: list[BaseException] = []

    def submit() -> None:
        items = next(batches, None)
        if items is not None:
            fut = client.submit(analyse_items, spec, items, pure=False)
            in_flight[fut] = items
            done.add(fut)

    try:
        for _ in range(cap):
            submit()
        for fut in done:
            items = in_flight.pop(fut)
            try:
                analyses, failed = fut.result()
            except Exception as exc:  # a worker died or refused: keep what finished, then stop
                errors.append(exc)
                continue
            store.save_analyses(items, analyses)
            summary.analysed += len(analyses)
            summary.failed += failed
            if progress is not None:
                progress(summary.analysed, total)
            if not errors:
                submit()
    finally:
        for fut in in_flight:
            fut.cancel()
    if errors:
        first = errors[0]
        if isinstance(first, PipelineError):
            raise first
        raise PipelineError(
            f"distributed analysis stopped after {summary.analysed} items: "
            f"{type(first).__name__}: {first}; the rest stays pending (run again to resume)",
            field="pipeline",
        ) from first
