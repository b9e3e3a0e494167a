"""Property-based fuzzing of ingest: good rows mixed with hostile ones, in every file format.

Whatever the hostile rows hold, ingest ends with a summary or an EscuchaError (never another
exception), every good row lands, and ``read == stored + updated + duplicates + quarantined``.
"""

from __future__ import annotations

import csv
import io
import json
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from escucha.errors import EscuchaError
from escucha.ingest import ingest
from escucha.store.duckdb import DuckDBStore

MAPPING = {"columns": {"id": "id", "text": "text", "timestamp": "when", "reach": "reach"},
           "metadata": "rest"}  # fmt: skip

_word = st.text(alphabet=st.sampled_from(list("abcñé€ 😀,;\"'|\t\n\r1")), min_size=1, max_size=12)
good_text = _word.filter(lambda s: s.strip() != "")
hostile_value = st.one_of(
    st.text(max_size=8),  # any code point, lone surrogates and NUL included
    st.sampled_from(
        [
            "\ud800",
            "\x00",
            "9999-12-31 23:59:59 -0800",
            "0001-01-01 00:00:00 +0100",
            "1,000",
            "1e400",
            "NaN",
            "-1",
            "99999999999999999999",
            "",
        ]
    ),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.recursive(
        st.none() | st.integers() | st.text(max_size=3),
        lambda c: st.lists(c, max_size=3) | st.dictionaries(st.text(max_size=3), c, max_size=3),
        max_leaves=8,
    ),
)
hostile_row = st.fixed_dictionaries(
    {},
    optional={
        "text": hostile_value,
        "when": hostile_value,
        "reach": hostile_value,
        "extra": hostile_value,
        "id": hostile_value,
    },
)


@st.composite
def mixed_rows(draw: Any) -> tuple[list[dict[str, Any]], set[str]]:
    """Good rows (ids g0, g1, …) with hostile rows between them (ids never start with g)."""
    n_good = draw(st.integers(min_value=1, max_value=6))
    good = [
        {
            "id": f"g{i}",
            "text": draw(good_text),
            "when": f"2024-03-0{i % 9 + 1} 10:00",
            "reach": draw(st.integers(min_value=0, max_value=10**6)),
        }
        for i in range(n_good)
    ]
    rows: list[dict[str, Any]] = list(good)
    for bad in draw(st.lists(hostile_row, max_size=5)):
        if "id" in bad:
            bad["id"] = f"x{draw(st.integers(0, 99))}"
        rows.insert(draw(st.integers(0, len(rows))), bad)
    return rows, {g["id"] for g in good}


def _check(path: Path, good: set[str], mapping: Any = MAPPING) -> None:
    store = DuckDBStore(path.with_suffix(".duckdb"))
    store.migrate()
    try:
        s = ingest(store, path, mapping, batch_size=4)
    except EscuchaError as exc:  # a clear error is allowed only when nothing good could be read
        assert not good, exc
        return
    finally:
        store.close()
    assert s.read == s.stored + s.updated + s.duplicates + s.quarantined
    assert all(q.line >= 1 and q.reason for q in s.problems)
    store = DuckDBStore(path.with_suffix(".duckdb"))
    stored = set(store.items()["source_id"])
    store.close()
    assert good <= stored, f"good rows lost: {sorted(good - stored)}"


FAST = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _csv_cell(v: Any) -> str:
    return v if isinstance(v, str) else json.dumps(v, default=str) if v is not None else ""


@FAST
@given(data=mixed_rows(), delim=st.sampled_from([",", ";", "\t"]),
       ending=st.sampled_from(["\n", "\r\n", "\r"]), junk=st.lists(st.binary(max_size=30), max_size=3))  # fmt: skip
def test_fuzz_csv(
    data: tuple[list[dict[str, Any]], set[str]], delim: str, ending: str, junk: list[bytes]
) -> None:
    rows, good = data
    buf = io.StringIO()
    # fields quoted (RFC 4180: a field holding a line break must be), junk lines raw at the end
    w = csv.writer(buf, delimiter=delim, lineterminator=ending, quoting=csv.QUOTE_ALL)
    w.writerow(["id", "text", "when", "reach", "extra"])
    for r in rows:
        w.writerow([_csv_cell(r.get(k)) for k in ("id", "text", "when", "reach", "extra")])
    body = buf.getvalue().encode("utf-8", "surrogatepass")
    with tempfile.TemporaryDirectory() as tmp:
        p = Path(tmp) / "f.csv"
        p.write_bytes(
            body + b"".join(j.replace(b"\n", b"").replace(b"\r", b"") + b"\n" for j in junk)
        )
        _check(p, good)


@FAST
@given(data=mixed_rows(), junk=st.lists(st.binary(max_size=30), max_size=3))
def test_fuzz_jsonl(data: tuple[list[dict[str, Any]], set[str]], junk: list[bytes]) -> None:
    rows, good = data
    lines = [json.dumps(r, default=str).encode() for r in rows]  # ASCII escapes keep surrogates
    for j in junk:  # whole junk lines between the rows
        lines.append(j.replace(b"\n", b" "))
    with tempfile.TemporaryDirectory() as tmp:
        p = Path(tmp) / "f.jsonl"
        p.write_bytes(b"\n".join(lines) + b"\n")
        _check(p, good)


def _frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    cols = ("id", "text", "when", "reach", "extra")
    return pd.DataFrame(
        [{k: _csv_cell(r.get(k)) if k != "id" else r.get(k) for k in cols} for r in rows]
    )


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=mixed_rows())
def test_fuzz_parquet(data: tuple[list[dict[str, Any]], set[str]]) -> None:
    rows, good = data
    with tempfile.TemporaryDirectory() as tmp:
        p = Path(tmp) / "f.parquet"
        df = _frame(rows)
        df = df.map(
            lambda v: v.encode("utf-8", "backslashreplace").decode() if isinstance(v, str) else v
        )
        df.to_parquet(p)
        _check(p, good)


@pytest.mark.slow
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=mixed_rows())
def test_fuzz_excel(data: tuple[list[dict[str, Any]], set[str]]) -> None:
    from openpyxl.utils.exceptions import IllegalCharacterError

    rows, good = data
    with tempfile.TemporaryDirectory() as tmp:
        p = Path(tmp) / "f.xlsx"
        try:
            _frame(rows).to_excel(p, index=False)
        except (IllegalCharacterError, UnicodeEncodeError):
            return  # openpyxl cannot write control characters or surrogates: not a file anyone has
        _check(p, good)


@pytest.mark.slow
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    data=st.binary(min_size=0, max_size=400),
    fmt=st.sampled_from(["xlsx", "parquet", "csv.gz", "csv", "jsonl"]),
)
def test_fuzz_random_bytes_never_traceback(data: bytes, fmt: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        p = Path(tmp) / f"f.{fmt}"
        p.write_bytes(data)
        _check(p, set(), mapping="jsonl_feedback")
