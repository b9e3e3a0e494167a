"""File mode: analyse a large CSV, JSONL or Parquet file with dask.dataframe, no store involved.

The output is a Parquet dataset with one row per source record and flat columns (``id``,
``language``, ``sentiment``, ``sentiment_score``, ``dominant_emotion``, ``aspects``, ``intents``,
``urgency``, …) that a data team uses directly, plus the full analysis as JSON so that
:func:`attach_analyses` can put it into a workspace after ``ws.ingest`` of the same file.

``dask.dataframe.read_csv`` cuts blocks at raw newlines, which splits quoted multi-line fields
(138 of the 14,640 airline tweets have one); CSV and JSONL are therefore cut here at record
boundaries (quote-aware) and read with ``dask.dataframe.from_map``. Parquet uses ``read_parquet``.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import mmap
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from escucha.analysis import analyse_batch
from escucha.distributed.cluster import PipelineSpec, connect, n_workers
from escucha.distributed.worker import pipeline_for, pipeline_version
from escucha.errors import ConfigError, MappingError
from escucha.ingest.mapping import Mapping, load_mapping
from escucha.ingest.readers import (
    BadRow,
    _unique_header,
    detect_encoding,
    detect_format,
    open_reader,
    plain,
    sniff_delimiter,
)
from escucha.ingest.validate import Converter
from escucha.models import Analysis, Feedback
from escucha.store import PendingItem

if TYPE_CHECKING:
    import pyarrow as pa
    from distributed import Client

    from escucha.workspace import Workspace

log = logging.getLogger(__name__)

RAW = "_record"
"""Column of the raw partitions read here: one JSON object (a source record) per row."""
BAD = "__escucha_bad_row__"
"""Key of a raw record that could not be read (its value says why)."""
SUB_BATCH = 512
MIN_BLOCK = 64 * 1024
OUTPUT_COLUMNS: tuple[str, ...] = (
    "id", "source_id", "language", "sentiment", "sentiment_score", "dominant_emotion", "aspects",
    "intents", "urgency", "content_hash", "pipeline_version", "error", "analysis",
)  # fmt: skip


def output_schema() -> pa.Schema:
    import pyarrow as pa

    s, f = pa.string(), pa.float64()
    types = {"sentiment_score": f, "urgency": f, "aspects": pa.list_(s), "intents": pa.list_(s)}
    return pa.schema([(c, types.get(c, s)) for c in OUTPUT_COLUMNS])


def _meta() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="float64" if c in ("sentiment_score", "urgency")
                                      else "object") for c in OUTPUT_COLUMNS})  # fmt: skip


@dataclass(slots=True)
class FileSummary:
    rows: int = 0
    analysed: int = 0
    errors: int = 0
    partitions: int = 0
    workers: int = 0
    seconds: float = 0.0
    startup_s: float = 0.0
    """Part of ``seconds`` spent starting the cluster and loading the first worker's models."""
    pipeline_version: str = ""
    out: str = ""

    @property
    def texts_per_s(self) -> float:
        """Analysis rate once the cluster is up."""
        busy = self.seconds - self.startup_s
        return self.analysed / busy if busy > 0 else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "texts_per_s": round(self.texts_per_s, 1)}


# -- splitting files at record boundaries --------------------------------------------------------
def record_ranges(
    path: Path, blocksize: int, *, quotes: bool
) -> tuple[bytes, list[tuple[int, int]]]:
    """(header bytes, byte ranges of about ``blocksize``) of a text file, cut after a newline
    that is outside double quotes when ``quotes`` (CSV); the header is the first record (CSV)."""
    size = path.stat().st_size
    if size == 0:
        return b"", []
    with path.open("rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mm:

        def boundary(frm: int, target: int) -> int:
            """First record start at or after ``target``; ``frm`` is a record start."""
            odd = quotes and mm[frm:target].count(b'"') % 2 == 1
            pos = target
            while True:
                nl = mm.find(b"\n", pos)
                if nl == -1:
                    return size
                if quotes:
                    odd ^= mm[pos:nl].count(b'"') % 2 == 1
                if not odd:
                    return nl + 1
                pos = nl + 1

        head_end = boundary(0, 0) if quotes else 0
        header = mm[:head_end]
        ranges, start = [], head_end
        while start < size:
            end = size if start + blocksize >= size else boundary(start, start + blocksize)
            ranges.append((start, end))
            start = end
    return header, ranges


def read_csv_range(
    path: str, start: int, end: int, header: bytes, delimiter: str, encoding: str
) -> pd.DataFrame:
    """Records of one byte range of a CSV as JSON objects (bad rows say why)."""
    with open(path, "rb") as fh:
        fh.seek(start)
        data = fh.read(end - start)
    head = header.removeprefix(b"\xef\xbb\xbf").decode(encoding, errors="replace")
    columns = _unique_header(next(csv.reader(io.StringIO(head, newline=""), delimiter=delimiter)))
    text = data.decode(encoding, errors="replace")
    out: list[str] = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            out.append(json.dumps({BAD: f"malformed CSV: {exc}"}))
            continue
        if not row or (len(row) == 1 and not row[0].strip() and len(columns) > 1):
            continue
        if len(row) != len(columns):
            reason = f"wrong column count: expected {len(columns)} fields, found {len(row)}"
            out.append(json.dumps({BAD: reason}))
            continue
        out.append(json.dumps(dict(zip(columns, row, strict=True)), ensure_ascii=False))
    return pd.DataFrame({RAW: pd.Series(out, dtype="object")})


def read_lines_range(path: str, start: int, end: int, encoding: str) -> pd.DataFrame:
    """The non-blank lines of one byte range of a JSONL file."""
    with open(path, "rb") as fh:
        fh.seek(start)
        data = fh.read(end - start)
    lines = [ln for ln in data.decode(encoding, errors="replace").splitlines() if ln.strip()]
    if start == 0 and lines:
        lines[0] = lines[0].removeprefix("\ufeff")
    return pd.DataFrame({RAW: pd.Series(lines, dtype="object")})


def read_whole(path: str, mapping: Mapping) -> pd.DataFrame:
    """A file that cannot be cut (compressed, UTF-16, Excel) as one partition, via escucha's readers."""
    reader = open_reader(Path(path), format=mapping.format, delimiter=mapping.delimiter,
                         encoding=mapping.encoding, sheet=mapping.sheet)  # fmt: skip
    out = [json.dumps({BAD: rec.reason} if isinstance(rec, BadRow) else rec, ensure_ascii=False,
                      default=str) for _, rec in reader]  # fmt: skip
    return pd.DataFrame({RAW: pd.Series(out, dtype="object")})


# -- analysing a partition ----------------------------------------------------------------------
def _records(df: pd.DataFrame) -> list[dict[str, Any]]:
    if RAW in df.columns and len(df.columns) == 1:
        out = []
        for s in df[RAW]:
            try:
                obj = json.loads(s)
            except json.JSONDecodeError as exc:
                obj = {BAD: f"bad JSON: {exc.msg} at column {exc.colno}"}
            out.append(obj if isinstance(obj, dict) else {BAD: "bad JSON: expected an object"})
        return out
    cols = list(df.columns)
    return [{c: plain(v) for c, v in zip(cols, vals, strict=True)}
            for vals in df.itertuples(index=False, name=None)]  # fmt: skip


def _pending(item: Feedback) -> PendingItem:
    return PendingItem(item.id, item.hash, item.text, item.title, item.language, item.reach)


def _row(item: PendingItem, source_id: str | None, an: Analysis) -> dict[str, Any]:
    return {
        "id": item.id,
        "source_id": source_id,
        "language": an.language,
        "sentiment": an.sentiment,
        "sentiment_score": float(an.sentiment_score),
        "dominant_emotion": an.dominant_emotion,
        "aspects": list(dict.fromkeys(m.aspect for m in an.aspects)),
        "intents": list(an.intents),
        "urgency": float(an.urgency),
        "content_hash": item.content_hash,
        "pipeline_version": an.pipeline_version,
        "error": an.extras.get("error"),
        "analysis": an.model_dump_json(),
    }


def analyse_frame(
    df: pd.DataFrame, spec: PipelineSpec, mapping: Mapping, origin: str, source: str | None
) -> pd.DataFrame:
    """Convert one partition's records with ``mapping`` (as ``ws.ingest`` would) and analyse them
    with this worker's pipeline; rows that are not valid voices get only ``error``."""
    pipe = pipeline_for(spec)
    conv = Converter(mapping, origin=origin, source=source)
    rows: list[dict[str, Any] | None] = []
    slots: list[int] = []
    items: list[PendingItem] = []
    source_ids: list[str | None] = []
    for rec in _records(df):
        if BAD in rec:
            rows.append({"error": str(rec[BAD])})
            continue
        res = conv.convert(0, rec)
        if isinstance(res, Feedback):
            slots.append(len(rows))
            items.append(_pending(res))
            source_ids.append(res.source_id)
            rows.append(None)
        else:
            rows.append({"error": res.reason})
    for i in range(0, len(items), SUB_BATCH):
        chunk = items[i : i + SUB_BATCH]
        analyses, _ = analyse_batch(pipe, chunk)
        for j, (it, an) in enumerate(zip(chunk, analyses, strict=True)):
            rows[slots[i + j]] = _row(it, source_ids[i + j], an)
    out = pd.DataFrame([r or {} for r in rows], columns=list(OUTPUT_COLUMNS))
    for c in ("sentiment_score", "urgency"):
        out[c] = out[c].astype("float64")
    return out


# -- the driver ---------------------------------------------------------------------------------
def _parse_size(blocksize: int | str) -> int:
    from dask.utils import parse_bytes

    n = parse_bytes(blocksize) if isinstance(blocksize, str) else int(blocksize)
    if n < 1:
        raise ConfigError(f"blocksize: {blocksize!r} must be positive", field="blocksize")
    return n


def _raw_frame(path: Path, m: Mapping, fmt: str, blocksize: int, min_parts: int) -> Any:
    """Raw partitions: at most ``blocksize`` bytes each, and at least ``min_parts`` of them
    (analysis costs about a millisecond per text, so small files are worth splitting too)."""
    import dask.dataframe as dd

    blocksize = min(blocksize, max(MIN_BLOCK, path.stat().st_size // min_parts + 1))

    meta = pd.DataFrame({RAW: pd.Series(dtype="object")})
    encoding = m.encoding or "utf-8"  # resolved (given or detected) by the caller
    plain_text = path.suffix.lower() != ".gz" and not encoding.lower().startswith("utf-16")
    if fmt == "parquet":
        import pyarrow.parquet as pq

        Converter(m, origin=str(path), source=None).check_columns(pq.read_schema(path).names)
        ddf = dd.read_parquet(str(path), blocksize=blocksize, dtype_backend="pyarrow")
        if ddf.npartitions < min_parts:
            ddf = ddf.repartition(npartitions=min_parts)
        return ddf
    if fmt in ("csv", "tsv") and plain_text:
        header, ranges = record_ranges(path, blocksize, quotes=True)
        first = header.removeprefix(b"\xef\xbb\xbf").decode(encoding, errors="replace")
        delim = m.delimiter or ("\t" if fmt == "tsv" or path.suffix.lower() == ".tsv"
                                else sniff_delimiter(first.splitlines()[0] if first else ""))  # fmt: skip
        columns = _unique_header(
            next(csv.reader(io.StringIO(first, newline=""), delimiter=delim), [])
        )
        Converter(m, origin=str(path), source=None).check_columns(columns)
        args = [(str(path), a, b, header, delim, encoding) for a, b in ranges]
        return dd.from_map(_csv_part, args, meta=meta, enforce_metadata=False)
    if fmt == "jsonl" and plain_text:
        _, ranges = record_ranges(path, blocksize, quotes=False)
        lines = [(str(path), a, b, encoding) for a, b in ranges]
        return dd.from_map(_lines_part, lines, meta=meta, enforce_metadata=False)
    log.warning("%s cannot be cut into blocks (%s): analysed as one partition", path.name, fmt)
    return dd.from_map(_whole_part, [(str(path), m)], meta=meta, enforce_metadata=False)


def _csv_part(args: tuple[str, int, int, bytes, str, str]) -> pd.DataFrame:
    return read_csv_range(*args)


def _lines_part(args: tuple[str, int, int, str]) -> pd.DataFrame:
    return read_lines_range(*args)


def _whole_part(args: tuple[str, Mapping]) -> pd.DataFrame:
    return read_whole(*args)


def analyse_file(
    source: str | Path,
    out: str | Path,
    mapping: Mapping | str | Path | dict[str, Any] | None = None,
    *,
    workers: int = 2,
    blocksize: int | str = "16MB",
    spec: PipelineSpec | None = None,
    source_name: str | None = None,
    client: Client | None = None,
    scheduler: str | None = None,
    overwrite: bool = False,
) -> FileSummary:
    """Analyse a CSV/TSV, JSONL or Parquet file on a dask cluster into a Parquet dataset ``out``.

    Records are read with ``mapping`` (preset name, YAML path, dict or Mapping) exactly as
    ``ws.ingest`` would read them, so ``id`` matches the workspace's ids for the same file and
    mapping. ``spec`` chooses the pipeline (default: the default pipeline; use
    ``PipelineSpec.of_workspace(ws)`` for a workspace's taxonomy and rules).
    """
    import dask

    started = time.perf_counter()
    path, target = Path(source), Path(out)
    if not path.exists():
        raise MappingError(f"{path}: no such file", record=str(path))
    if not overwrite and target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise ConfigError(f"{target} exists; pass overwrite=True to replace it", field="out")
    m = load_mapping(mapping)
    fmt = (m.format or detect_format(path)).lower()
    if (m.encoding or "auto").lower() == "auto":  # one encoding for every partition
        m = m.merged(encoding="utf-8" if fmt in ("parquet", "excel", "xlsx") else detect_encoding(path))
    name = source_name or m.constants.get("source") or m.name or path.stem
    size = _parse_size(blocksize)
    with connect(workers, scheduler=scheduler, client=client) as c:
        spec = spec or PipelineSpec.default()
        version = spec.version or c.submit(pipeline_version, spec, pure=False).result()
        run_spec = spec.with_version(version)
        startup = time.perf_counter() - started
        threads = n_workers(c)
        with dask.config.set({"dataframe.convert-string": False}):
            raw = _raw_frame(path, m, fmt, size, min_parts=4 * threads)
            analysed = raw.map_partitions(
                analyse_frame, run_spec, m, str(path), name, meta=_meta(), enforce_metadata=False
            )
            analysed.to_parquet(
                str(target), write_index=False, schema=output_schema(), overwrite=overwrite
            )
        summary = FileSummary(partitions=raw.npartitions, workers=threads, startup_s=startup,
                              pipeline_version=version, out=str(target))  # fmt: skip
    import pyarrow.dataset as pads

    errors = pads.dataset(str(target), format="parquet").to_table(columns=["id", "error"])
    ids, errs = errors.column("id"), errors.column("error")
    summary.rows = errors.num_rows
    summary.analysed = summary.rows - ids.null_count
    summary.errors = summary.rows - errs.null_count
    summary.seconds = time.perf_counter() - started
    log.info("analysed %d records of %s in %.1fs", summary.analysed, path.name, summary.seconds)
    return summary


# -- back into a workspace ----------------------------------------------------------------------
@dataclass(slots=True)
class AttachSummary:
    attached: int = 0
    not_matching: int = 0
    pending_after: int = 0
    other_version: int = 0  # rows analysed by another pipeline (not the workspace's)


def attach_analyses(ws: Workspace, path: str | Path, batch_size: int = 2000) -> AttachSummary:
    """Store the analyses of an ``analyse_file`` output for the workspace's pending voices.

    Only rows with the workspace's pipeline version whose content hash equals the stored voice's
    are used (ingest the same file with the same mapping first, then analyse it with
    ``spec=PipelineSpec.of_workspace(ws)``); anything else stays pending for ``ws.analyze``.
    """
    import pyarrow.dataset as pads

    version = ws.pipeline.version
    ds = pads.dataset(str(path), format="parquet")
    table = ds.to_table(
        columns=["id", "content_hash", "analysis"],
        filter=(pads.field("pipeline_version") == version) & pads.field("id").is_valid(),
    )
    lookup = dict(zip(table.column("id").to_pylist(),
                      zip(table.column("content_hash").to_pylist(),
                          table.column("analysis").to_pylist(), strict=True), strict=True))  # fmt: skip
    del table
    summary = AttachSummary()
    summary.other_version = ds.count_rows(
        filter=(pads.field("pipeline_version") != version) & pads.field("id").is_valid()
    )
    if summary.other_version:
        log.warning("%s: %d rows were analysed by another pipeline than the workspace's (%s); they "
                    "stay pending: analyse the file with PipelineSpec.of_workspace(ws)",
                    path, summary.other_version, version)  # fmt: skip
    for items in ws.store.iter_pending(version, batch_size):
        keep: list[PendingItem] = []
        analyses: list[Analysis] = []
        for it in items:
            hit = lookup.get(it.id)
            if hit is None or hit[0] != it.content_hash:
                summary.not_matching += hit is not None
                continue
            keep.append(it)
            analyses.append(Analysis.model_validate_json(hit[1]))
        ws.store.save_analyses(keep, analyses)
        summary.attached += len(analyses)
    summary.pending_after = ws.store.count_pending(version)
    return summary


def read_analyses(path: str | Path, columns: Sequence[str] | None = None) -> pd.DataFrame:
    """An ``analyse_file`` output as a DataFrame (without the bulky ``analysis`` JSON by default)."""
    cols = list(columns) if columns else [c for c in OUTPUT_COLUMNS if c != "analysis"]
    return pd.read_parquet(str(path), columns=cols)
