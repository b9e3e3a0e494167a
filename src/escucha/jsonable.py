"""One way to turn escucha's results into JSON: :func:`jsonable`.

Every interface (CLI ``--json``, the report, the REST API, the dashboard) serialises through it, so
NaN, infinities, numpy scalars, timestamps and frames come out the same everywhere, and customer
text is redacted in one place when a redactor is given.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

import numpy as np
import pandas as pd

TEXT_KEYS = frozenset({"text", "quote"})
"""Keys whose string values are customer text (redacted when a redactor is given)."""

Redactor = Callable[[str], str]


def jsonable(
    v: Any, redact: Redactor | None = None, *, significant: int | None = None, key: str | None = None
) -> Any:
    """A JSON-safe copy of ``v``: NaN/inf/NaT → None, numpy → Python, timestamps → ISO strings,
    frames → lists of records, dataclasses and pydantic models → dicts, tuples/sets → lists.

    ``redact`` is applied to strings under :data:`TEXT_KEYS`; ``significant`` rounds floats to that
    many significant digits (tiny p-values survive)."""
    if isinstance(v, dict):
        return {str(k): jsonable(x, redact, significant=significant, key=str(k)) for k, x in v.items()}
    if isinstance(v, pd.DataFrame):
        return [jsonable(r, redact, significant=significant) for r in v.to_dict("records")]
    if isinstance(v, list | tuple | set | frozenset | np.ndarray | pd.Series):
        return [jsonable(x, redact, significant=significant, key=key) for x in list(v)]
    if v is None or v is pd.NaT or v is pd.NA:
        return None
    if isinstance(v, pd.Timestamp | datetime | date):
        return v.isoformat()
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, float):
        if not math.isfinite(v):
            return None
        return float(f"{v:.{significant}g}") if significant else v
    if isinstance(v, str):
        return redact(v) if redact is not None and key in TEXT_KEYS else v
    if isinstance(v, bool | int):
        return v
    if dataclasses.is_dataclass(v) and not isinstance(v, type):
        return jsonable({f.name: getattr(v, f.name) for f in dataclasses.fields(v)}, redact,
                        significant=significant)  # fmt: skip
    if hasattr(v, "model_dump"):
        return jsonable(v.model_dump(), redact, significant=significant)
    return str(v)
