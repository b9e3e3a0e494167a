"""Insight results computed once after analysis and stored, so no dashboard page computes them.

Each page result has a name (``plan:20``, ``ideas:20``, ``journey``, ``section:drivers``…) and a
builder over an :class:`InsightContext`. :func:`precompute` builds them all and stores each as a
JSON document (kind ``insight_results``) with the key it was built under: the store's
``data_version()`` (voices, analyses, customers), the workspace's configuration files (promises,
journey, taxonomy, rules, company) and the curated documents insights read (themes, idea
statuses). A stored result whose key no longer matches is ignored and rebuilt. A result that
failed to build after analysis is stored as failed: reading it raises at once (a page does not
try again, for minutes, what failed) until the key changes.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

from escucha.errors import EscuchaError
from escucha.insights.base import InsightContext, all_insights, get_insight, publish
from escucha.version import __version__

log = logging.getLogger(__name__)

KIND = "insight_results"
CURATED_DOCS = ("themes", "idea_status")  # documents that change what insights show
PLAN_TOP = 20
IDEAS_TOP = 20


@lru_cache(maxsize=1)
def code_version() -> str:
    """escucha's version and its insight modules' files (an upgrade or an edit rebuilds)."""
    h = hashlib.sha256(__version__.encode())
    for p in sorted(Path(__file__).parent.glob("*.py")):
        st = p.stat()
        h.update(f"{p.name}:{st.st_mtime_ns}:{st.st_size}".encode())
    return h.hexdigest()[:16]


def version_key(ctx: InsightContext) -> str:
    """What a stored result was built from: the code, the data version, the configuration files
    and the curated documents (a hash; changes when any of them does)."""
    h = hashlib.sha256(code_version().encode())
    h.update(json.dumps([str(v) for v in ctx.store.data_version()]).encode())
    lay = ctx.layout
    for p in (lay.config, lay.taxonomy, lay.rules, lay.company, lay.promises, lay.journey):
        try:
            st = p.stat()
            h.update(f"{p.name}:{st.st_mtime_ns}:{st.st_size}".encode())
        except OSError:
            h.update(f"{p.name}:-".encode())
    for kind in CURATED_DOCS:
        docs = ctx.store.get_docs(kind)
        h.update(json.dumps(docs, sort_keys=True, default=str).encode())
    return h.hexdigest()[:32]


def _segments(ctx: InsightContext) -> Any:
    out = dict(ctx.run("segments", save=False).data)
    out.pop("assignments", None)  # one row per customer: not for a page
    return publish(out)


def builders() -> dict[str, Callable[[InsightContext], Any]]:
    """Every stored page result by name (the dashboard's and the API's)."""
    out: dict[str, Callable[[InsightContext], Any]] = {
        "promises": lambda ctx: publish(ctx.run("promises").data),
        "journey": lambda ctx: publish(ctx.run("journey").data),
        f"plan:{PLAN_TOP}": lambda ctx: publish(ctx.run("plan", top=PLAN_TOP, save=False).data),
        f"ideas:{IDEAS_TOP}": lambda ctx: publish(ctx.run("ideas", top=IDEAS_TOP).data),
        "segments": _segments,
        # the insights' defaults (top 20, nothing saved) are the pages' results: built once
        "plan": lambda ctx: build(ctx, f"plan:{PLAN_TOP}"),
        "ideas": lambda ctx: build(ctx, f"ideas:{IDEAS_TOP}"),
    }
    for insight in all_insights():
        out.setdefault(f"section:{insight.name}", _section_of(insight.name))
        out.setdefault(insight.name, _data_of(insight.name))
    return out


def _section_of(name: str) -> Callable[[InsightContext], Any]:
    return lambda ctx: publish(get_insight(name).section(ctx))


def _data_of(name: str) -> Callable[[InsightContext], Any]:
    return lambda ctx: publish(ctx.run(name).data)


def load(ctx: InsightContext, name: str, key: str | None = None) -> tuple[bool, Any]:
    """``(True, result)`` when ``name`` is stored under the current key, else ``(False, None)``;
    raises :class:`ResultFailed` when it failed to build under the current key."""
    doc = ctx.store.get_docs(KIND, [name]).get(name)
    if doc is None or doc.get("key") != (key or version_key(ctx)):
        return False, None
    if doc.get("failed"):
        raise ResultFailed(f"{name} could not be computed after the last analysis ({doc['failed']}); "
                           "it is computed again after the next one", record=name)  # fmt: skip
    return True, doc.get("data")


class ResultFailed(EscuchaError):
    """A stored insight result that failed to build (until the data, code or settings change)."""

    code = "insight_failed"
    http_status = 503


def save(ctx: InsightContext, name: str, data: Any, key: str, seconds: float) -> None:
    ctx.store.put_docs(KIND, {name: {"key": key, "data": data, "seconds": round(seconds, 3)}})


def forget(ctx: InsightContext) -> None:
    """Drop every stored result (after a curation that the key does not see)."""
    ctx.store.delete_docs(KIND)


def build(ctx: InsightContext, name: str, key: str | None = None) -> Any:
    """The result ``name``: stored if current, else built and stored."""
    key = key or version_key(ctx)
    ok, data = load(ctx, name, key)
    if ok:
        return data
    make = builders().get(name)
    if make is None:
        raise KeyError(name)
    t0 = time.perf_counter()
    data = make(ctx)
    save(ctx, name, data, key, time.perf_counter() - t0)
    return data


def precompute(ctx: InsightContext, names: list[str] | None = None, retry_failed: bool = True) -> dict[str, float]:
    """Build and store every page result that is not current (seconds per result built). A
    failing insight is logged and stored as failed: its page says so at once, until the key
    changes or a precompute with ``retry_failed`` (what ``escucha analyze`` runs; the server's
    background run at start does not) builds it."""
    if any(i.name == "themes" for i in all_insights()):
        ctx.run("themes")  # discovered on first use: before the key, which hashes the themes
    key = version_key(ctx)
    stored = ctx.store.get_docs(KIND)
    took: dict[str, float] = {}
    order = sorted(builders(), key=lambda n: (n.startswith("section:"), n))
    for name in names or order:
        doc = stored.get(name) or {}
        if doc.get("key") == key and not (retry_failed and doc.get("failed")):
            continue
        t0 = time.perf_counter()
        try:
            if doc.get("failed"):
                ctx.store.delete_docs(KIND, [name])  # tried again
            build(ctx, name, key)
        except Exception as exc:  # one broken insight must not stop the others
            log.warning("precomputing %s failed: %s", name, type(exc).__name__)
            if not isinstance(exc, ResultFailed):
                ctx.store.put_docs(KIND, {name: {"key": key, "failed": type(exc).__name__,
                                                 "seconds": round(time.perf_counter() - t0, 3)}})  # fmt: skip
            continue
        took[name] = time.perf_counter() - t0
    return took
