"""Running the pipeline over a store: incremental, batch by batch, resumable after a crash."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass

from escucha.models import Analysis
from escucha.pipeline import Doc, Pipeline
from escucha.store import PendingItem, Store

log = logging.getLogger(__name__)


@dataclass(slots=True)
class AnalyzeSummary:
    analysed: int = 0
    failed: int = 0
    pending_before: int = 0
    seconds: float = 0.0
    pipeline_version: str = ""

    @property
    def texts_per_s(self) -> float:
        return self.analysed / self.seconds if self.seconds else 0.0

    def to_dict(self) -> dict[str, float | int | str]:
        return {**asdict(self), "texts_per_s": round(self.texts_per_s, 1)}


DOMAINS_DOC = "taxonomy_domains"  # store documents: the domain packs chosen for the workspace
DOMAINS_SAMPLE = 5000  # voices read to choose them
DOMAINS_MIN_VOICES = 20  # fewer stored voices: choose again next time


def workspace_domains(store: Store, configured: Sequence[str]) -> list[str]:
    """The domain packs a workspace's aspects use: ``configured`` as is, or for ``["auto"]`` the packs
    its voices are about (:func:`escucha.taxonomy.detect.detect_domains` over up to 5,000 of them),
    chosen once and kept in the store (``taxonomy_domains``) so later voices are read alike."""
    from escucha.taxonomy.detect import AUTO, detect_domains

    if AUTO not in configured:
        return list(configured)
    kept = store.get_docs(DOMAINS_DOC).get(AUTO)
    if kept is not None:
        return [str(d) for d in kept.get("domains", [])]
    items = store.items(limit=DOMAINS_SAMPLE)
    texts = [str(t) for t in items["text"]] if len(items) and "text" in items else []
    chosen = detect_domains(texts)
    if len(texts) >= DOMAINS_MIN_VOICES:
        store.put_docs(DOMAINS_DOC, {AUTO: {"domains": chosen, "voices_read": len(texts)}})
        log.info("domain packs chosen from %d voices: %s", len(texts), ", ".join(chosen) or "none")
    return chosen


def feedback_doc(item: PendingItem) -> Doc:
    return Doc(
        text=item.text,
        title=item.title,
        id=item.id,
        language_hint=item.language,
        reach=item.reach,
    )


def analyse_batch(pipeline: Pipeline, items: Sequence[PendingItem]) -> tuple[list[Analysis], int]:
    """Analyses for a batch; an item that breaks an analyser gets an 'unknown' analysis, not a crash."""
    version = pipeline.version
    docs = [feedback_doc(it) for it in items]
    try:
        pipeline.run(docs)
        return [d.to_analysis(version) for d in docs], 0
    except Exception:
        log.exception("a batch failed; analysing its %d items one by one", len(items))
    out, failed = [], 0
    for it in items:
        doc = feedback_doc(it)
        try:
            pipeline.run([doc])
            out.append(doc.to_analysis(version))
        except Exception as exc:  # keep going: one bad voice never stops the run
            failed += 1
            log.warning("item %s could not be analysed: %s", it.id, type(exc).__name__)
            out.append(Analysis(item_id=it.id, pipeline_version=version, extras={"error": type(exc).__name__}))
    return out, failed


def analyse_store(
    store: Store,
    pipeline: Pipeline,
    batch_size: int = 512,
    progress: Callable[[int, int], None] | None = None,
    limit: int | None = None,
) -> AnalyzeSummary:
    """Analyse every new, edited or stale item. Each batch is saved atomically, so an interrupted run
    resumes where it stopped and no item is analysed twice."""
    version = pipeline.version
    summary = AnalyzeSummary(pipeline_version=version, pending_before=store.count_pending(version))
    total = summary.pending_before if limit is None else min(limit, summary.pending_before)
    start = time.perf_counter()
    for items in store.iter_pending(version, batch_size):
        if limit is not None:
            items = items[: max(0, limit - summary.analysed)]
            if not items:
                break
        analyses, failed = analyse_batch(pipeline, items)
        store.save_analyses(items, analyses)
        summary.analysed += len(analyses)
        summary.failed += failed
        if progress:
            progress(summary.analysed, total)
    summary.seconds = time.perf_counter() - start
    log.info("analysed %d items (%d failed) in %.1fs", summary.analysed, summary.failed, summary.seconds)
    return summary
