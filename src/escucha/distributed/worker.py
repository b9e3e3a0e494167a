"""Code that runs inside dask workers: each worker process builds its pipeline once and keeps it."""

from __future__ import annotations

import threading
from collections.abc import Sequence

from escucha.analysis import analyse_batch
from escucha.distributed.cluster import PipelineSpec
from escucha.errors import PipelineError
from escucha.models import Analysis
from escucha.pipeline import Pipeline
from escucha.store import PendingItem

_PIPELINES: dict[str, Pipeline] = {}
_LOCK = threading.Lock()


def pipeline_for(spec: PipelineSpec) -> Pipeline:
    """This process's pipeline for ``spec`` (built on first use, then reused)."""
    with _LOCK:
        pipe = _PIPELINES.get(spec.key)
        if pipe is None:
            pipe = Pipeline.from_names(spec.names, spec.config, salt=spec.salt)
            if len(_PIPELINES) >= 2:  # a worker rarely serves more than one pipeline
                _PIPELINES.clear()
            _PIPELINES[spec.key] = pipe
    if spec.version is not None and pipe.version != spec.version:
        raise PipelineError(
            f"worker pipeline version {pipe.version} differs from the driver's {spec.version}: "
            "run the same escucha version (and models) on every worker",
            field="pipeline",
        )
    return pipe


def pipeline_version(spec: PipelineSpec) -> str:
    """The version of ``spec``'s pipeline (and a warm worker)."""
    return pipeline_for(spec).version


def analyse_items(spec: PipelineSpec, items: Sequence[PendingItem]) -> tuple[list[Analysis], int]:
    """``analyse_batch`` with this worker's pipeline: (analyses, failed count)."""
    return analyse_batch(pipeline_for(spec), items)
