"""Scale-out analysis on a dask.distributed cluster, keeping one writer for the store.

- :func:`analyse_store_distributed`: a workspace's pending voices, analysed by dask workers and
  saved by the calling process as results arrive (resumable like ``ws.analyze``).
- :func:`analyse_file`: a large CSV/JSONL/Parquet file to a Parquet dataset of flat analysis
  columns with dask.dataframe (no store), and :func:`attach_analyses` to load it into a workspace.

Needs the ``dask`` extra: ``pip install 'escucha[dask]'``.
"""

from escucha.distributed.cluster import PipelineSpec, connect
from escucha.distributed.files import (
    AttachSummary,
    FileSummary,
    analyse_file,
    attach_analyses,
    read_analyses,
)
from escucha.distributed.incremental import analyse_store_distributed, analyse_store_on

__all__ = [
    "AttachSummary",
    "FileSummary",
    "PipelineSpec",
    "analyse_file",
    "analyse_store_distributed",
    "analyse_store_on",
    "attach_analyses",
    "connect",
    "read_analyses",
]
