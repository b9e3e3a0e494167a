"""Values between pandas/escucha and PostgreSQL: cleaning what PostgreSQL cannot store, result
frames shaped like DuckDB's (same columns and dtypes), and the PostgreSQL types of derived tables'
pandas columns."""

from __future__ import annotations

import json
import math
from datetime import UTC, date, datetime
from typing import Any, Literal

import numpy as np
import pandas as pd
import psycopg

__all__ = ["cell", "clean", "frame", "pg_type", "text_value", "to_json"]


def clean(v: Any) -> Any:
    """A value PostgreSQL accepts: no NUL characters, no NaN/inf inside JSON."""
    if isinstance(v, str):
        return v.replace("\x00", "") if "\x00" in v else v
    if isinstance(v, float):
        return v if math.isfinite(v) else None
    if isinstance(v, dict):
        return {clean(str(k)): clean(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [clean(x) for x in v]
    return v


def to_json(v: Any) -> str:
    return json.dumps(clean(v), ensure_ascii=False, default=str)


def text_value(v: Any) -> Any:
    return v.replace("\x00", "") if isinstance(v, str) and "\x00" in v else v


# -- result frames shaped like DuckDB's ----------------------------------------------------------
_INTS: dict[int, tuple[str, Literal["Int16", "Int32", "Int64"]]] = {
    21: ("int16", "Int16"),
    23: ("int32", "Int32"),
    20: ("int64", "Int64"),
}
_FLOATS = {700, 701, 1700}
_TIMESTAMP, _TIMESTAMPTZ, _DATE, _BOOL = 1114, 1184, 1082, 16
_TEXT_ARRAYS = {1009, 1015}


def column(oid: int, vals: list[Any]) -> Any:
    """One result column as DuckDB's ``df()`` gives it (nullable ints, NA for missing lists)."""
    has_null = None in vals  # psycopg gives plain Python values: no elementwise ==
    if oid in _INTS:
        plain, nullable = _INTS[oid]
        return pd.array(vals, dtype=nullable) if has_null else np.array(vals, dtype=plain)
    if oid in _FLOATS:
        return np.array([np.nan if v is None else float(v) for v in vals], dtype="float64")
    if oid in (_TIMESTAMP, _DATE):
        return np.array(
            [np.datetime64("NaT") if v is None else v for v in vals], dtype="datetime64[us]"
        )
    if oid == _TIMESTAMPTZ:
        naive = [None if v is None else v.astimezone(UTC).replace(tzinfo=None) for v in vals]
        col = np.array(
            [np.datetime64("NaT") if v is None else v for v in naive], dtype="datetime64[us]"
        )
        return pd.DatetimeIndex(col).tz_localize(UTC)
    if oid == _BOOL and not has_null:
        return np.array(vals, dtype=bool)
    if oid in _TEXT_ARRAYS:
        return objects([pd.NA if v is None else np.array(v, dtype=object) for v in vals])
    if vals and isinstance(next((v for v in vals if v is not None), None), list):
        return objects([pd.NA if v is None else np.array(v) for v in vals])
    return objects(vals)


def objects(vals: list[Any]) -> np.ndarray:
    out = np.empty(len(vals), dtype=object)
    out[:] = vals
    return out


def frame(cur: psycopg.Cursor[Any]) -> pd.DataFrame:
    rows = cur.fetchall()
    desc = cur.description or []
    cols = list(zip(*rows, strict=True)) if rows else [() for _ in desc]
    return pd.DataFrame(
        {d.name: column(d.type_code, list(c)) for d, c in zip(desc, cols, strict=True)}
    )


# -- derived tables: pandas dtypes to PostgreSQL types --------------------------------------------
def pg_type(s: pd.Series) -> str:
    dt = s.dtype
    if pd.api.types.is_bool_dtype(dt):
        return "BOOLEAN"
    if pd.api.types.is_integer_dtype(dt):
        size = getattr(dt, "itemsize", 8)
        return {1: "SMALLINT", 2: "SMALLINT", 4: "INTEGER"}.get(size, "BIGINT")
    if pd.api.types.is_float_dtype(dt):
        return "DOUBLE PRECISION"
    if isinstance(dt, pd.DatetimeTZDtype):
        return "TIMESTAMPTZ"
    if pd.api.types.is_datetime64_dtype(dt):
        return "TIMESTAMP"
    first = next((v for v in s if not missing(v)), None)
    if isinstance(first, (list, tuple, np.ndarray)):
        inner = next((x for v in s if not missing(v) for x in v), None)
        return scalar_type(inner) + "[]"
    if isinstance(first, dict):
        return "JSONB"
    return scalar_type(first)


def scalar_type(v: Any) -> str:
    if isinstance(v, (bool, np.bool_)):
        return "BOOLEAN"
    if isinstance(v, (int, np.integer)):
        return "BIGINT"
    if isinstance(v, (float, np.floating)):
        return "DOUBLE PRECISION"
    if isinstance(v, datetime):
        return "TIMESTAMPTZ" if v.tzinfo else "TIMESTAMP"
    if isinstance(v, date):
        return "DATE"
    return "TEXT"


def missing(v: Any) -> bool:
    if v is None or v is pd.NaT or v is pd.NA:
        return True
    return isinstance(v, float) and math.isnan(v)


def cell(v: Any, kind: str) -> Any:
    if missing(v):
        return None
    if isinstance(v, pd.Timestamp):
        return v.to_pydatetime()
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, float) and not math.isfinite(v):
        return v  # ±inf is a valid double precision
    if kind == "JSONB":
        return to_json(v)
    if kind.endswith("[]"):
        return [clean(x.item() if isinstance(x, np.generic) else x) for x in v]
    if kind == "TEXT" and not isinstance(v, str):
        return str(v)
    return text_value(v)
