"""Streaming readers: CSV, JSONL, Parquet and Excel, in constant memory.

Every reader yields ``(line, record)`` where ``record`` is a ``dict`` of the source's columns or a
:class:`BadRow` saying why that record could not be read. ``line`` is where the record starts: the
physical line for CSV and JSONL (the header is line 1), the sheet row for Excel, the 1-based row
for Parquet, DataFrames and iterables.
"""

from __future__ import annotations

import codecs
import csv
import gzip
import io
import json
import math
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from escucha.errors import MappingError, MissingExtraError

RAW_LIMIT = 10_000
"""Longest raw text kept for a bad row (characters)."""

DELIMITERS: tuple[str, ...] = (",", ";", "\t", "|")

FORMATS: dict[str, str] = {
    ".csv": "csv",
    ".tsv": "csv",
    ".txt": "csv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "jsonl",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".xlsx": "excel",
    ".xlsm": "excel",
}


@dataclass(slots=True)
class BadRow:
    """A record that could not be read, with the column (if known) and why."""

    reason: str
    raw: str
    field: str | None = None


Record = tuple[int, dict[str, Any] | BadRow]
Line = tuple[int, bool, str]


def _raw(obj: Any) -> str:
    text = obj if isinstance(obj, str) else json.dumps(obj, ensure_ascii=False, default=str)
    return text if len(text) <= RAW_LIMIT else text[:RAW_LIMIT] + "…"


def plain(value: Any) -> Any:
    """A JSON-friendly Python value (numpy/pandas scalars, NaN/NaT → None, Decimal → float)."""
    if value is None or isinstance(value, str | bool | int):
        return value
    if type(value).__name__ in ("NAType", "NaTType"):
        return None
    if isinstance(value, float):
        return None if math.isnan(value) else value
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime | date):
        to_py = getattr(value, "to_pydatetime", None)  # pandas Timestamp
        return to_py(warn=False) if to_py is not None else value
    item = getattr(value, "item", None)
    if item is not None and getattr(value, "ndim", 1) == 0:  # numpy scalar
        return plain(item())
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if hasattr(value, "tolist"):
        return plain(value.tolist())
    return value


class RecordReader:
    """Base of the readers: iterate for records; ``position``/``total`` in ``unit`` for progress."""

    unit = "rows"

    def __init__(self) -> None:
        self.position = 0
        self.total: int | None = None
        self.columns: list[str] | None = None

    def __iter__(self) -> Iterator[Record]:  # pragma: no cover - abstract
        raise NotImplementedError


def _unique_header(names: list[str]) -> list[str]:
    out: list[str] = []
    seen: set[str] = set()
    for i, name in enumerate(names, 1):
        base = (name or "").strip() or f"column_{i}"
        cand, n = base, 2
        while cand in seen:
            cand, n = f"{base}_{n}", n + 1
        seen.add(cand)
        out.append(cand)
    return out


def _open_binary(path: Path) -> IO[bytes]:
    if path.suffix.lower() == ".gz":
        return gzip.open(path, "rb")  # type: ignore[return-value]
    return path.open("rb")


def _base_suffix(path: Path) -> str:
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] == ".gz":
        suffixes = suffixes[:-1]
    return suffixes[-1] if suffixes else ""


def sniff_delimiter(header_line: str) -> str:
    """The delimiter among ``, ; TAB |`` that splits the header line most (quotes ignored)."""
    counts = dict.fromkeys(DELIMITERS, 0)
    in_quotes = False
    for ch in header_line:
        if ch == '"':
            in_quotes = not in_quotes
        elif not in_quotes and ch in counts:
            counts[ch] += 1
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


class CSVReader(RecordReader):
    """CSV read from bytes line by line, so one row's bad bytes or shape spoil only that row.

    RFC-4180 quoting (embedded newlines and doubled quotes), a BOM, and ``, ; TAB |`` delimiters
    (sniffed from the header unless given). When a record that runs over several lines is bad
    (typically an unclosed quote that swallowed the rows after it), only its first line is
    reported and the following lines are read again, so the good rows behind it still land.
    ``position`` counts bytes.
    """

    unit = "bytes"
    field_limit = 4 * 1024 * 1024
    """Longest field in characters (a runaway quote is cut off here and its lines re-read)."""

    def __init__(self, path: str | Path, *, delimiter: str | None = None, encoding: str = "utf-8"):
        super().__init__()
        self.path = Path(path)
        self.delimiter = delimiter
        self.encoding = encoding
        self._pushback: deque[Line] = deque()
        self._entries: Iterator[Line] = iter(())
        try:
            self.total = self.path.stat().st_size if self.path.suffix.lower() != ".gz" else None
        except OSError as exc:
            raise MappingError(
                f"cannot read {self.path}: {exc.strerror}", record=str(path)
            ) from exc

    def _decode(self, fh: IO[bytes]) -> Iterator[Line]:
        """(line, bad_bytes, text) for each physical line of a UTF-8 (or single-byte) file."""
        for lineno, raw in enumerate(fh, 1):
            self.position += len(raw)
            if lineno == 1 and raw.startswith(codecs.BOM_UTF8):
                raw = raw[len(codecs.BOM_UTF8) :]
            try:
                yield lineno, False, raw.decode(self.encoding)
            except UnicodeDecodeError:
                yield lineno, True, raw.decode(self.encoding, errors="replace")

    def _decode_utf16(self, fh: IO[bytes]) -> Iterator[Line]:
        """UTF-16 files (some spreadsheet exports): decoded as a stream, counted by line."""
        stream = io.TextIOWrapper(fh, encoding="utf-16", newline="")
        try:
            for n, line in enumerate(stream, 1):
                self.position += len(line.encode("utf-16-le"))
                yield n, False, line
        finally:
            stream.detach()

    def _feed(self, buf: list[Line]) -> Iterator[str]:
        """Lines for the csv module: pushed-back lines first, then the file's; noted in ``buf``."""
        while True:
            if self._pushback:
                entry = self._pushback.popleft()
            else:
                nxt = next(self._entries, None)
                if nxt is None:
                    return
                entry = nxt
            buf.append(entry)
            yield entry[2]

    def _reader(self, buf: list[Line], delimiter: str) -> Any:
        return csv.reader(self._feed(buf), delimiter=delimiter, strict=True)

    def __iter__(self) -> Iterator[Record]:
        if csv.field_size_limit() < self.field_limit:
            csv.field_size_limit(self.field_limit)
        with _open_binary(self.path) as fh:
            head = fh.read(4)
            fh.seek(0)
            utf16 = head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
            self._entries = self._decode_utf16(fh) if utf16 else self._decode(fh)
            self._pushback.clear()
            first = next(self._entries, None)
            if first is None:
                return
            delimiter = self.delimiter or sniff_delimiter(first[2])
            self._pushback.append(first)
            buf: list[Line] = []
            reader = self._reader(buf, delimiter)
            try:
                header_row = next(reader)
            except (csv.Error, StopIteration) as exc:
                raise MappingError(f"{self.path}: cannot read the CSV header: {exc}") from exc
            self.columns = _unique_header(header_row)
            buf.clear()
            yield from self._records(reader, buf, delimiter)

    def _records(self, reader: Any, buf: list[Line], delimiter: str) -> Iterator[Record]:
        assert self.columns is not None
        width = len(self.columns)
        while True:
            try:
                row = next(reader)
                error = None
            except StopIteration:
                if not self._pushback:
                    return
                reader = self._reader(buf, delimiter)  # re-read lines after a bad record at EOF
                continue
            except csv.Error as exc:
                row, error = None, f"malformed CSV: {exc}"
                if "unexpected end of data" in str(exc):
                    error = "truncated record: unterminated quoted field at end of file"
            lines, buf[:] = list(buf), []
            if not lines:
                continue
            start = lines[0][0]
            text = "".join(t for _, _, t in lines)
            if error is None and (not row or (len(row) == 1 and not row[0].strip() and width > 1)):
                continue  # blank line
            if error is None and not text.endswith(("\n", "\r")) and text.count('"') % 2 == 1:
                error = "truncated record: unterminated quoted field at end of file"
            if error is None and row is not None and len(row) != width:
                error = f"wrong column count: expected {width} fields, found {len(row)}"
            if error is not None:
                if len(lines) > 1:
                    self._pushback.extendleft(reversed(lines[1:]))
                    error += (
                        f" (the record ran over lines {start}–{lines[-1][0]}; "
                        f"lines after {start} are read again)"
                    )
                    yield start, BadRow(error, _raw(lines[0][2]))
                else:
                    yield start, BadRow(error, _raw(row if row is not None else text))
                continue
            assert row is not None
            record = dict(zip(self.columns, row, strict=True))
            if any(bad for _, bad, _ in lines):
                cols = [c for c, v in record.items() if "\ufffd" in v]
                where = ", ".join(cols) if cols else "row"
                reason = f"{where}: invalid {self.encoding} bytes (bad encoding)"
                yield start, BadRow(reason, _raw(record), field=cols[0] if cols else None)
                continue
            yield start, record


class JSONLReader(RecordReader):
    """One JSON object per line; a line that is not an object is a bad row. ``position`` in bytes."""

    unit = "bytes"

    def __init__(self, path: str | Path, *, encoding: str = "utf-8"):
        super().__init__()
        self.path = Path(path)
        self.encoding = encoding
        try:
            self.total = self.path.stat().st_size if self.path.suffix.lower() != ".gz" else None
        except OSError as exc:
            raise MappingError(
                f"cannot read {self.path}: {exc.strerror}", record=str(path)
            ) from exc

    def __iter__(self) -> Iterator[Record]:
        with _open_binary(self.path) as fh:
            for lineno, raw in enumerate(fh, 1):
                self.position += len(raw)
                if lineno == 1 and raw.startswith(codecs.BOM_UTF8):
                    raw = raw[len(codecs.BOM_UTF8) :]
                try:
                    text = raw.decode(self.encoding)
                except UnicodeDecodeError:
                    yield (
                        lineno,
                        BadRow(
                            f"invalid {self.encoding} bytes (bad encoding)",
                            _raw(raw.decode(self.encoding, errors="replace")),
                        ),
                    )
                    continue
                if not text.strip():
                    continue
                try:
                    obj = json.loads(text)
                except json.JSONDecodeError as exc:
                    yield lineno, BadRow(f"bad JSON: {exc.msg} at column {exc.colno}", _raw(text))
                    continue
                if not isinstance(obj, dict):
                    yield (
                        lineno,
                        BadRow(
                            f"bad JSON: expected an object, found {type(obj).__name__}", _raw(text)
                        ),
                    )
                    continue
                yield lineno, obj


class ParquetReader(RecordReader):
    """Parquet in record batches (pyarrow ``iter_batches``)."""

    def __init__(self, path: str | Path, *, batch_size: int = 2000):
        super().__init__()
        self.path = Path(path)
        self.batch_size = batch_size

    def __iter__(self) -> Iterator[Record]:
        import pyarrow.parquet as pq

        pf = pq.ParquetFile(self.path)
        try:
            self.total = pf.metadata.num_rows
            self.columns = list(pf.schema_arrow.names)
            n = 0
            for batch in pf.iter_batches(batch_size=self.batch_size):
                for rec in batch.to_pylist():
                    n += 1
                    self.position = n
                    yield n, {k: plain(v) for k, v in rec.items()}
        finally:
            pf.close()


class ExcelReader(RecordReader):
    """An .xlsx sheet (the first, or ``sheet``) read with openpyxl in read-only mode.

    The first non-empty row is the header; ``line`` is the sheet row number.
    """

    def __init__(self, path: str | Path, *, sheet: str | None = None):
        super().__init__()
        self.path = Path(path)
        self.sheet = sheet

    def __iter__(self) -> Iterator[Record]:
        try:
            import openpyxl
        except ImportError as exc:  # pragma: no cover
            raise MissingExtraError("openpyxl", "excel", "Reading Excel files") from exc
        wb = openpyxl.load_workbook(self.path, read_only=True, data_only=True)
        try:
            if self.sheet is not None and self.sheet not in wb.sheetnames:
                raise MappingError(
                    f"{self.path}: no sheet {self.sheet!r}; sheets: {', '.join(wb.sheetnames)}",
                    field="sheet",
                )
            ws = wb[self.sheet] if self.sheet else wb.worksheets[0]
            self.total = ws.max_row
            header: list[str] | None = None
            for rowno, values in enumerate(ws.iter_rows(values_only=True), 1):
                self.position = rowno
                if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
                    continue
                if header is None:
                    header = _unique_header(["" if v is None else str(v) for v in values])
                    while header and header[-1].startswith("column_"):
                        header.pop()
                    self.columns = header
                    continue
                cells = list(values)
                extra = [v for v in cells[len(header) :] if v not in (None, "")]
                if extra:
                    yield (
                        rowno,
                        BadRow(
                            f"wrong column count: expected {len(header)} fields, "
                            f"found {len(header) + len(extra)}",
                            _raw(cells),
                        ),
                    )
                    continue
                cells += [None] * (len(header) - len(cells))
                yield rowno, {h: plain(v) for h, v in zip(header, cells, strict=False)}
        finally:
            wb.close()


class IterableReader(RecordReader):
    """Dicts from any iterable (``line`` = 1-based position); non-dicts are bad rows."""

    def __init__(self, records: Iterable[Any]):
        super().__init__()
        self.records = records
        try:
            self.total = len(records)  # type: ignore[arg-type]
        except TypeError:
            self.total = None

    def __iter__(self) -> Iterator[Record]:
        for n, rec in enumerate(self.records, 1):
            self.position = n
            if isinstance(rec, dict):
                yield n, {str(k): plain(v) for k, v in rec.items()}
            else:
                yield n, BadRow(f"expected a mapping, found {type(rec).__name__}", _raw(str(rec)))


class DataFrameReader(RecordReader):
    """Rows of a pandas DataFrame (``line`` = 1-based row position)."""

    def __init__(self, df: Any, *, chunk: int = 2000):
        super().__init__()
        self.df = df
        self.chunk = chunk
        self.total = len(df)
        self.columns = _unique_header([str(c) for c in df.columns])

    def __iter__(self) -> Iterator[Record]:
        cols = self.columns or []
        n = 0
        for start in range(0, len(self.df), self.chunk):
            part = self.df.iloc[start : start + self.chunk]
            for values in part.itertuples(index=False, name=None):
                n += 1
                self.position = n
                yield n, {c: plain(v) for c, v in zip(cols, values, strict=True)}


def detect_format(path: str | Path) -> str:
    """``csv``, ``jsonl``, ``parquet`` or ``excel`` from the file name (``.gz`` allowed for text)."""
    p = Path(path)
    fmt = FORMATS.get(_base_suffix(p))
    if fmt is None:
        raise MappingError(
            f"{p}: cannot tell the format from the extension {p.suffix!r}; "
            f"pass format= one of csv, jsonl, parquet, excel",
            field="format",
        )
    return fmt


def open_reader(
    source: Any,
    *,
    format: str | None = None,
    delimiter: str | None = None,
    encoding: str = "utf-8",
    sheet: str | None = None,
    batch_size: int = 2000,
) -> RecordReader:
    """The reader for a path (by extension unless ``format``), a DataFrame or an iterable of dicts."""
    if isinstance(source, str | Path):
        path = Path(source)
        if not path.exists():
            raise MappingError(f"{path}: no such file", record=str(path))
        fmt = (format or detect_format(path)).lower()
        if fmt in ("csv", "tsv"):
            delim = delimiter or ("\t" if fmt == "tsv" or _base_suffix(path) == ".tsv" else None)
            return CSVReader(path, delimiter=delim, encoding=encoding)
        if fmt in ("jsonl", "ndjson", "json"):
            return JSONLReader(path, encoding=encoding)
        if fmt == "parquet":
            return ParquetReader(path, batch_size=batch_size)
        if fmt in ("excel", "xlsx"):
            return ExcelReader(path, sheet=sheet)
        raise MappingError(
            f"unknown format {format!r}: use csv, jsonl, parquet or excel", field="format"
        )
    if hasattr(source, "itertuples") and hasattr(source, "columns"):
        return DataFrameReader(source, chunk=batch_size)
    if isinstance(source, dict):
        raise MappingError("source is a single dict; pass a list of dicts")
    if isinstance(source, Iterable):
        return IterableReader(source)
    raise MappingError(f"cannot read a source of type {type(source).__name__}")
