"""The encoding of a text file: given (checked) or detected (UTF-8, UTF-16 with a BOM, or the
Western European code page a spreadsheet export used)."""

from __future__ import annotations

import codecs
import gzip
import zlib
from pathlib import Path
from typing import IO

from escucha.errors import MappingError

__all__ = ["DETECT_BYTES", "LEGACY_ENCODINGS", "check_encoding", "detect_encoding"]

DETECT_BYTES = 1 << 20
"""How much of a text file is sampled to detect its encoding."""

LEGACY_ENCODINGS: tuple[str, ...] = ("cp1252", "iso8859_15", "cp850")
"""Encodings the detector chooses among when a file is not UTF-8 (Western European exports);
other encodings are read with an explicit ``encoding``."""


def open_binary(path: Path) -> IO[bytes]:
    """The file's bytes (``.gz`` decompressed)."""
    if path.suffix.lower() == ".gz":
        return gzip.open(path, "rb")  # type: ignore[return-value]
    return path.open("rb")


STREAM_ERRORS: tuple[type[BaseException], ...] = (OSError, EOFError, zlib.error)
"""What reading a damaged file (a truncated or corrupt ``.gz``, a vanished file) raises."""


def check_encoding(name: str) -> str:
    """The codec's canonical name, or MappingError naming the unknown encoding."""
    try:
        return codecs.lookup(name).name
    except LookupError:
        raise MappingError(
            f"unknown encoding {name!r}: use e.g. utf-8, cp1252, latin-1 or utf-16",
            field="encoding",
        ) from None


def detect_encoding(path: str | Path) -> str:
    """The encoding of a text file (``.gz`` allowed), from a sample of its first megabyte.

    UTF-8 (and UTF-16 with a BOM) when the sample reads as such, or when its non-ASCII lines
    mostly do (a few bad lines are then bad rows, not another encoding); otherwise the best of
    ``LEGACY_ENCODINGS`` by charset-normalizer, cp1252 when it cannot tell.
    """
    p = Path(path)
    try:
        with open_binary(p) as fh:
            sample = fh.read(DETECT_BYTES)
    except STREAM_ERRORS:
        return "utf-8"  # the reader reports the damage
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=len(sample) < DETECT_BYTES)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    good = bad = 0
    lines = sample.split(b"\n")
    for line in lines[:-1] if len(sample) == DETECT_BYTES else lines:
        if line.isascii():
            continue
        try:
            line.decode("utf-8")
            good += 1
        except UnicodeDecodeError:
            bad += 1
    if good >= bad:
        return "utf-8"
    from charset_normalizer import from_bytes

    best = from_bytes(sample, cp_isolation=list(LEGACY_ENCODINGS)).best()
    return codecs.lookup(best.encoding).name if best is not None else "cp1252"


