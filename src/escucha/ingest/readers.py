"""Streaming readers: CSV, JSONL, Parquet and Excel, in constant memory.

Every reader yields ``(line, record)`` where ``record`` is a ``dict`` of the source's columns or a
:class:`BadRow` saying why that record could not be read. ``line`` is where the record starts: the
physical line for CSV and JSONL (the header is line 1), the sheet row for Excel, the 1-based row
for Parquet, DataFrames and iterables.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import math
import re
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from escucha.errors import MappingError
from escucha.ingest.encoding import (
    STREAM_ERRORS,
    check_encoding,
    detect_encoding,
    open_binary,
)

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


_BARE_CR = re.compile(rb"(?<=\r)(?!\n)")


def _split_bare_cr(raw: bytes) -> list[bytes]:
    """A physical line split after every ``\\r`` not followed by ``\\n`` (old Mac line ends)."""
    if b"\r" not in raw[:-2]:
        return [raw]
    return [part for part in _BARE_CR.split(raw) if part]


def _describe(exc: BaseException) -> str:
    """``Type: message`` of a library's exception, short and on one line."""
    text = " ".join(str(exc).split())[:200]
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _stream_problem(path: Path, exc: BaseException) -> str:
    kind = "gzip data" if path.suffix.lower() == ".gz" else "file"
    detail = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
    return f"corrupt or truncated {kind}: {detail}"


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


class TextFileReader(RecordReader):
    """Base of the line-oriented readers: the file, its encoding and damage found while reading.

    ``encoding=None`` (or ``"auto"``) detects it (:func:`detect_encoding`); ``detected`` says so.
    ``problem`` is set when the stream breaks (a truncated ``.gz``): the records read before
    stand, and the reader ends with a bad row saying where it broke.
    """

    unit = "bytes"

    def __init__(self, path: str | Path, *, encoding: str | None = "utf-8"):
        super().__init__()
        self.path = Path(path)
        self.detected = encoding is None or encoding.strip().lower() == "auto"
        self.encoding = (
            check_encoding(encoding) if encoding is not None and not self.detected
            else detect_encoding(self.path)
        )  # fmt: skip
        self.problem: str | None = None
        try:
            self.total = self.path.stat().st_size if self.path.suffix.lower() != ".gz" else None
        except OSError as exc:
            raise MappingError(
                f"cannot read {self.path}: {exc.strerror}", record=str(path)
            ) from exc

    def _binary_lines(self, fh: IO[bytes], split_cr: bool) -> Iterator[tuple[int, bytes]]:
        """(line, bytes) of each line (ended by ``\\n``), BOM removed; stops at damage (``problem``).

        With ``split_cr`` a line is also cut after each bare ``\\r``; its parts keep its number.
        """
        lineno = 0
        try:
            for lineno, raw in enumerate(fh, 1):
                self.position += len(raw)
                if lineno == 1 and raw.startswith(codecs.BOM_UTF8):
                    raw = raw[len(codecs.BOM_UTF8) :]
                for part in _split_bare_cr(raw) if split_cr else [raw]:
                    yield lineno, part
        except STREAM_ERRORS as exc:
            self.problem = f"{_stream_problem(self.path, exc)} (after line {lineno})"
            self._broken_at = lineno + 1

    _broken_at = 1

    def _damage(self) -> Iterator[Record]:
        if self.problem is not None:
            yield self._broken_at, BadRow(self.problem, "")


class CSVReader(TextFileReader):
    """CSV read from bytes line by line, so one row's bad bytes or shape spoil only that row.

    RFC-4180 quoting (embedded newlines and doubled quotes), a BOM, and ``, ; TAB |`` delimiters
    (sniffed from the header unless given). A bare ``\\r`` ends a record as ``\\n`` does. When a
    record that runs over several lines is bad (typically an unclosed quote that swallowed the
    rows after it), only its first line is reported and the following lines are read again, so
    the good rows behind it still land. ``position`` counts bytes.
    """

    field_limit = 4 * 1024 * 1024
    """Longest field in characters (a runaway quote is cut off here and its lines re-read)."""

    def __init__(
        self, path: str | Path, *, delimiter: str | None = None, encoding: str | None = "utf-8"
    ):
        super().__init__(path, encoding=encoding)
        self.delimiter = delimiter
        self._pushback: deque[Line] = deque()
        self._entries: Iterator[Line] = iter(())

    def _decode(self, fh: IO[bytes]) -> Iterator[Line]:
        """(line, bad_bytes, text) for each physical line of a UTF-8 (or single-byte) file."""
        for lineno, raw in self._binary_lines(fh, split_cr=True):
            try:
                yield lineno, False, raw.decode(self.encoding)
            except UnicodeDecodeError:
                yield lineno, True, raw.decode(self.encoding, errors="replace")

    def _decode_utf16(self, fh: IO[bytes]) -> Iterator[Line]:
        """UTF-16 files (some spreadsheet exports): decoded as a stream, counted by line."""
        stream = io.TextIOWrapper(fh, encoding="utf-16", errors="replace", newline="")
        n = 0
        try:
            for n, line in enumerate(stream, 1):
                self.position += len(line.encode("utf-16-le", "surrogatepass"))
                yield n, "\ufffd" in line, line
        except STREAM_ERRORS as exc:
            self.problem = f"{_stream_problem(self.path, exc)} (after line {n})"
            self._broken_at = n + 1
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
        with open_binary(self.path) as fh:
            try:
                head = fh.read(4)
                fh.seek(0)
            except STREAM_ERRORS as exc:
                raise MappingError(
                    f"{self.path}: {_stream_problem(self.path, exc)}", record=str(self.path)
                ) from exc
            utf16 = head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or (
                self.encoding.startswith("utf-16")
            )
            self._entries = self._decode_utf16(fh) if utf16 else self._decode(fh)
            self._pushback.clear()
            first = next(self._entries, None)
            if first is None:
                if self.problem is not None:
                    raise MappingError(f"{self.path}: {self.problem}", record=str(self.path))
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
            yield from self._damage()

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


class JSONLReader(TextFileReader):
    """One JSON object per line; a line that is not an object is a bad row. ``position`` in bytes."""

    def __iter__(self) -> Iterator[Record]:
        with open_binary(self.path) as fh:
            for lineno, raw in self._binary_lines(fh, split_cr=False):
                yield from self._line(lineno, raw)
        yield from self._damage()

    def _line(self, lineno: int, raw: bytes) -> Iterator[Record]:
        try:
            text = raw.decode(self.encoding)
            bad_bytes = False
        except UnicodeDecodeError:
            text, bad_bytes = raw.decode(self.encoding, errors="replace"), True
        if not text.strip():
            return
        try:
            obj = json.loads(text)
        except json.JSONDecodeError as exc:
            msg = exc.msg if exc.msg.endswith(" at") else exc.msg + " at"
            yield lineno, BadRow(f"bad JSON: {msg} column {exc.colno}", _raw(text))
            return
        except RecursionError:
            yield lineno, BadRow("bad JSON: nested too deep to read", _raw(text))
            return
        if not isinstance(obj, dict):
            yield (
                lineno,
                BadRow(f"bad JSON: expected an object, found {type(obj).__name__}", _raw(text)),
            )
            return
        if bad_bytes:
            cols = [k for k, v in obj.items() if "\ufffd" in str(k) + _raw(v)]
            where = f"{cols[0]}: " if cols else ""
            reason = f"{where}invalid {self.encoding} bytes (bad encoding)"
            yield lineno, BadRow(reason, _raw(text), field=cols[0] if cols else None)
            return
        yield lineno, obj


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
                try:
                    yield n, {str(k): plain(v) for k, v in rec.items()}
                except RecursionError:
                    keys = ", ".join(map(str, list(rec)[:20]))
                    yield n, BadRow("nested too deep to read", _raw(f"{{{keys}: …}}"))
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


def _check_file(path: Path) -> None:
    """MappingError unless ``path`` is a file this process can open for reading."""
    if not path.exists():
        raise MappingError(f"{path}: no such file", record=str(path))
    if path.is_dir():
        raise MappingError(f"{path}: is a directory, not a file", record=str(path))
    try:
        with path.open("rb"):
            pass
    except OSError as exc:
        raise MappingError(f"cannot read {path}: {exc.strerror}", record=str(path)) from exc


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
    encoding: str | None = None,
    sheet: str | None = None,
    batch_size: int = 2000,
) -> RecordReader:
    """The reader for a path (by extension unless ``format``), a DataFrame or an iterable of dicts.

    Text files are read in ``encoding``, or in the one :func:`detect_encoding` finds when None.
    """
    if isinstance(source, str | Path):
        path = Path(source)
        _check_file(path)
        fmt = (format or detect_format(path)).lower()
        if fmt in ("csv", "tsv"):
            delim = delimiter or ("\t" if fmt == "tsv" or _base_suffix(path) == ".tsv" else None)
            return CSVReader(path, delimiter=delim, encoding=encoding)
        if fmt in ("jsonl", "ndjson", "json"):
            return JSONLReader(path, encoding=encoding)
        if fmt == "parquet":
            from escucha.ingest.table_readers import ParquetReader

            return ParquetReader(path, batch_size=batch_size)
        if fmt in ("excel", "xlsx"):
            from escucha.ingest.table_readers import ExcelReader

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
