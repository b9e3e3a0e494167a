"""Readers of tabular binary files: Parquet (in record batches) and Excel (row by row, read-only)."""

from __future__ import annotations

import re
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from escucha.errors import MappingError, MissingExtraError
from escucha.ingest.readers import (
    BadRow,
    Record,
    RecordReader,
    _describe,
    _raw,
    _unique_header,
    plain,
)

__all__ = ["ExcelReader", "ParquetReader"]


class ParquetReader(RecordReader):
    """Parquet in record batches (pyarrow ``iter_batches``).

    A file pyarrow cannot open is a MappingError; a batch that cannot be read ends the reading
    with a bad row, and a batch with a value Python cannot hold (a timestamp past year 9999) is
    read row by row, so only that row is bad.
    """

    def __init__(self, path: str | Path, *, batch_size: int = 2000):
        super().__init__()
        self.path = Path(path)
        self.batch_size = batch_size

    def __iter__(self) -> Iterator[Record]:
        import pyarrow.parquet as pq

        try:
            pf = pq.ParquetFile(self.path)
            self.total = pf.metadata.num_rows
            self.columns = list(pf.schema_arrow.names)
        except Exception as exc:  # pyarrow raises many types on a damaged file
            raise MappingError(
                f"{self.path}: not a readable Parquet file ({_describe(exc)})",
                record=str(self.path),
            ) from exc
        try:
            n = 0
            batches = pf.iter_batches(batch_size=self.batch_size)
            while True:
                try:
                    batch = next(batches, None)
                except Exception as exc:  # a damaged row group
                    yield n + 1, BadRow(f"corrupt Parquet data after row {n}: {_describe(exc)}", "")
                    return
                if batch is None:
                    return
                for rec in self._rows(batch, n):
                    n += 1
                    self.position = n
                    yield n, rec
        finally:
            pf.close()

    @staticmethod
    def _rows(batch: Any, before: int) -> Iterator[dict[str, Any] | BadRow]:
        try:
            rows: list[Any] = batch.to_pylist()
        except (ValueError, OverflowError, TypeError):
            rows = []
            for i in range(batch.num_rows):
                try:
                    rows.extend(batch.slice(i, 1).to_pylist())
                except (ValueError, OverflowError, TypeError) as exc:
                    rows.append(BadRow(f"row {before + i + 1}: {_describe(exc)}", ""))
        for rec in rows:
            yield rec if isinstance(rec, BadRow) else {k: plain(v) for k, v in rec.items()}


_CHAR_REF = re.compile(rb"&#(x[0-9a-fA-F]+|[0-9]+);")


def _xml_char(code: int) -> bool:
    return code in (0x9, 0xA, 0xD) or 0x20 <= code <= 0xD7FF or 0xE000 <= code <= 0xFFFD or 0x10000 <= code <= 0x10FFFF


def _repair_ref(m: re.Match[bytes]) -> bytes:
    ref = m.group(1)
    code = int(ref[1:], 16) if ref[:1] == b"x" else int(ref)
    return m.group(0) if _xml_char(code) else b"&#xFFFD;"


def repaired_copy(path: Path, folder: Path) -> Path:
    """A copy of an .xlsx whose XML refers to characters XML forbids (a lone surrogate, a control
    character: some tools write them), each replaced by U+FFFD so the sheet can be read."""
    out = folder / path.name
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename.endswith(".xml"):
                data = _CHAR_REF.sub(_repair_ref, data)
            dst.writestr(info, data)
    return out


class _InvalidCharacters(Exception):
    """The sheet's XML refers to a character XML forbids, after ``rows`` rows were read."""

    def __init__(self, rows: int):
        super().__init__(rows)
        self.rows = rows


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
            yield from self._workbook(self.path, skip=0)
        except _InvalidCharacters as stop:  # written by a lax tool: read a repaired copy from there on
            with tempfile.TemporaryDirectory(prefix="escucha-xlsx-") as tmp:
                yield from self._workbook(repaired_copy(self.path, Path(tmp)), skip=stop.rows)

    def _workbook(self, path: Path, skip: int) -> Iterator[Record]:
        try:
            import openpyxl
        except ImportError as exc:  # pragma: no cover
            raise MissingExtraError("openpyxl", "excel", "Reading Excel files") from exc
        try:
            wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:  # zipfile, XML and openpyxl errors on a damaged file
            raise MappingError(
                f"{self.path}: not a readable Excel file ({_describe(exc)})", record=str(self.path)
            ) from exc
        try:
            if self.sheet is not None and self.sheet not in wb.sheetnames:
                raise MappingError(
                    f"{self.path}: no sheet {self.sheet!r}; sheets: {', '.join(wb.sheetnames)}",
                    field="sheet",
                )
            if not wb.worksheets:
                raise MappingError(f"{self.path}: the workbook has no sheet", field="sheet")
            ws = wb[self.sheet] if self.sheet else wb.worksheets[0]
            yield from self._sheet(ws, skip, repaired=path != self.path)
        finally:
            wb.close()

    def _sheet(self, ws: Any, skip: int = 0, repaired: bool = False) -> Iterator[Record]:
        rowno = 0
        rows = ws.iter_rows(values_only=True)
        try:
            self.total = ws.max_row
        except Exception:  # a damaged dimension record
            self.total = None
        header: list[str] | None = None
        while True:
            try:
                values = next(rows, None)
            except Exception as exc:  # damaged sheet XML: the rows before it stand
                if not repaired and "invalid character" in str(exc):
                    raise _InvalidCharacters(rowno) from exc
                yield (
                    rowno + 1,
                    BadRow(f"corrupt sheet data after row {rowno}: {_describe(exc)}", ""),
                )
                return
            if values is None:
                return
            rowno += 1
            self.position = rowno
            if rowno <= skip and header is not None:
                continue  # read before the repair
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
