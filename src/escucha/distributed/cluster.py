"""Where the work runs: a dask.distributed Client on a LocalCluster (processes, one thread each),
on a scheduler address (a real cluster) or a Client the caller already has."""

from __future__ import annotations

import hashlib
import json
import logging
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from escucha.errors import ConfigError, MissingExtraError

if TYPE_CHECKING:
    from distributed import Client

    from escucha.workspace import Workspace

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class PipelineSpec:
    """What a worker needs to build the same pipeline as the driver (names + analyser config).

    ``version`` is the pipeline version the driver expects; a worker whose pipeline has another
    version (another escucha or model build) refuses to analyse instead of mixing versions.
    """

    names: tuple[str, ...]
    config: dict[str, dict[str, Any]] = field(default_factory=dict, hash=False)
    version: str | None = None
    salt: str = ""

    @classmethod
    def default(cls) -> PipelineSpec:
        from escucha.config import DEFAULT_PIPELINE

        return cls(tuple(DEFAULT_PIPELINE))

    @classmethod
    def of_workspace(cls, ws: Workspace) -> PipelineSpec:
        """The workspace's pipeline (its settings, taxonomy, rules). Workers on other machines
        need the same escucha version and read access to the workspace's taxonomy/rules files."""
        names, config, salt = ws.pipeline_spec()
        return cls(tuple(names), config, salt=salt)

    @property
    def key(self) -> str:
        blob = json.dumps([self.names, self.config, self.salt], sort_keys=True, default=str)
        return hashlib.sha1(blob.encode(), usedforsecurity=False).hexdigest()[:16]

    def with_version(self, version: str) -> PipelineSpec:
        return replace(self, version=version)


def _require_dask() -> None:
    try:
        import dask  # noqa: F401
        import distributed  # noqa: F401
    except ImportError as exc:
        raise MissingExtraError("dask[distributed]", "dask", "Distributed analysis") from exc


@contextmanager
def connect(
    workers: int = 2, *, scheduler: str | None = None, client: Client | None = None
) -> Iterator[Client]:
    """A Client: ``client`` as given, one connected to ``scheduler`` (``tcp://host:8786``), or a
    new LocalCluster of ``workers`` processes with one thread each. Only what is created here is
    closed on exit."""
    _require_dask()
    if client is not None:
        yield client
        return
    from distributed import Client, LocalCluster

    if scheduler is not None:
        with Client(scheduler) as c:
            yield c
        return
    if workers < 1:
        raise ConfigError(f"workers: {workers} must be at least 1", field="workers")
    from distributed.utils import silence_logging_cmgr

    with warnings.catch_warnings(), silence_logging_cmgr(logging.WARNING), _quiet():
        # a busy machine or port is not an error here
        for msg in ("Creating scratch directories", "Port .* is already in use"):
            warnings.filterwarnings("ignore", message=msg, category=UserWarning)
        cluster = LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=":0",
            silence_logs=logging.WARNING,
        )
    with silence_logging_cmgr(logging.WARNING), _quiet(), cluster, Client(cluster) as c:
        log.info("local dask cluster with %d worker processes", workers)
        yield c


@contextmanager
def _quiet() -> Iterator[None]:
    """Keep the local cluster's INFO chatter out of the application's log, unless it logs INFO."""
    logger = logging.getLogger("distributed")
    old = logger.level
    if logging.getLogger().getEffectiveLevel() > logging.INFO and old < logging.WARNING:
        logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        logger.setLevel(old)


def n_workers(client: Client) -> int:
    """Threads available on the cluster (one task per thread runs at a time)."""
    return max(1, sum(client.nthreads().values()))
