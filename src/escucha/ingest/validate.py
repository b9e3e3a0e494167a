"""Validation at the boundary: one raw record -> a Feedback, or a QuarantineRow that says why not."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from datetime import UTC, date, datetime, time
from typing import Any

from pydantic import ValidationError as PydanticValidationError

from escucha.errors import MappingError
from escucha.ingest.mapping import MAPPABLE_FIELDS, Mapping, _zone
from escucha.ingest.readers import RAW_LIMIT, BadRow, plain
from escucha.ingest.speakers import by_company
from escucha.models import AGENT, CHANNEL_ALIASES, Channel, Customer, Feedback, speaker_of
from escucha.privacy import redact_mapping, redact_raw
from escucha.store.base import QuarantineRow

INT64_MAX = 2**63 - 1
"""The largest whole number the stores hold (BIGINT)."""
INT_RANGES: dict[str, tuple[int, int | None]] = {
    "nps": (0, 10),
    "csat": (1, 5),
    "ces": (1, 7),
    "reach": (0, None),
}
MAX_DEPTH = 32
"""Deepest nesting of lists and objects kept in metadata."""
FLOAT_RANGES: dict[str, tuple[float, float]] = {"rating": (1.0, 5.0)}
STRING_FIELDS: tuple[str, ...] = (
    "title", "customer_id", "product", "location", "language", "thread_id", "parent_id",
    "source", "source_id",
)  # fmt: skip

FALLBACK_FORMATS_DAYFIRST: tuple[str, ...] = (
    "%Y-%m-%d %H:%M:%S %z",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y",
    "%d-%m-%Y %H:%M:%S",
    "%d-%m-%Y",
    "%d.%m.%Y",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d",
    "%a %b %d %H:%M:%S %z %Y",
    "%d %b %Y",
    "%b %d, %Y",
)
FALLBACK_FORMATS_MONTHFIRST: tuple[str, ...] = tuple(
    f.replace("%d/%m/", "%m/%d/").replace("%d-%m-", "%m-%d-") for f in FALLBACK_FORMATS_DAYFIRST
)
_NUMBER = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)$")
_WHOLE = re.compile(r"^[+-]?\d+$")
_GROUPED = re.compile(r"^[+-]?\d{1,3}(?P<sep>[,.\u00a0\u202f' ])\d{3}((?P=sep)\d{3})*$")
"""A whole number with thousands separators: 1,000 · 1.000 · 12 345 · 1'000'000."""
_GROUPED_DECIMAL = re.compile(
    r"^[+-]?\d{1,3}((?P<sep>[,.\u00a0\u202f' ])\d{3})+(?!(?P=sep))(?P<dec>[.,])\d+$"
)
"""Thousands separators and a decimal mark: 1,234.5 · 1.234,5."""
_BAD_CHARS = re.compile("[\x00\ud800-\udfff]")


class FieldProblem(Exception):
    """A value that cannot fill a field; the message names the field."""

    def __init__(self, field: str, reason: str):
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = f"{field}: {reason}"


def _short(value: Any, n: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= n else text[: n - 1] + "…"


def _empty(value: Any) -> bool:
    return (
        value is None
        or (isinstance(value, str) and not value.strip())
        or (isinstance(value, float) and math.isnan(value))
    )


def safe_text(text: str) -> str:
    """``text`` with lone surrogates and NUL written as escapes, so any store can keep it."""
    if not _BAD_CHARS.search(text):
        return text
    return text.replace("\x00", "\\x00").encode("utf-8", "backslashreplace").decode("utf-8")


def check_text(field: str, text: str) -> str:
    """``text`` unless it holds characters no store keeps (a lone surrogate or NUL)."""
    bad = _BAD_CHARS.search(text)
    if bad is not None:
        what = "a NUL character" if bad.group() == "\x00" else f"a lone surrogate ({bad.group()!r})"
        raise FieldProblem(field, f"invalid characters: {what} at position {bad.start()}")
    return text


def parse_number(field: str, value: Any) -> float:
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, int | float):
        return float(value)
    text = str(value).strip()
    if _NUMBER.match(text):
        return float(text.replace(",", "."))
    grouped = _GROUPED_DECIMAL.match(text)
    if grouped is not None:
        dec = grouped.group("dec")
        digits = re.sub(r"[^\d+-]", "", text[: text.rindex(dec)])
        return float(f"{digits}.{text[text.rindex(dec) + 1 :]}")
    raise FieldProblem(field, f"{_short(value)} is not a number")


def parse_whole(field: str, value: Any) -> int:
    """A whole number, exactly: ``"1,000"``/``"1.000"`` are a thousand, ``"7.0"`` is 7."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str):
        text = value.strip()
        if _WHOLE.match(text):
            return int(text)
        if _GROUPED.match(text):
            return int(re.sub(r"[^\d+-]", "", text))
    num = parse_number(field, value)
    if not num.is_integer():  # also NaN and ±inf
        raise FieldProblem(field, f"{value} is not a whole number")
    return int(num)


def to_int(field: str, value: Any) -> int:
    num = parse_whole(field, value)
    lo, hi = INT_RANGES[field]
    if num < lo or (hi is not None and num > hi):
        rng = f"{lo}–{hi}" if hi is not None else f"≥ {lo}"
        raise FieldProblem(field, f"{value} is out of range {rng}")
    if num > INT64_MAX:
        raise FieldProblem(field, f"{_short(value)} is too large (at most {INT64_MAX})")
    return num


def to_float(field: str, value: Any) -> float:
    num = parse_number(field, value)
    lo, hi = FLOAT_RANGES[field]
    if math.isnan(num) or num < lo or num > hi:
        raise FieldProblem(field, f"{value} is out of range {lo:g}–{hi:g}")
    return num


class DateParser:
    """Parses timestamps with the mapping's formats, ISO 8601 and common forms; remembers what worked."""

    def __init__(self, formats: list[str], timezone: str | None, dayfirst: bool = True):
        fallbacks = FALLBACK_FORMATS_DAYFIRST if dayfirst else FALLBACK_FORMATS_MONTHFIRST
        self.formats = list(formats)
        self.fallbacks = [f for f in fallbacks if f not in self.formats]
        self.zone = _zone(timezone) if timezone else UTC
        self._last: str | None = None

    def _localise(self, dt: datetime) -> datetime:
        return dt.replace(tzinfo=self.zone) if dt.tzinfo is None else dt

    def __call__(self, value: Any) -> datetime:
        """The instant in UTC, or FieldProblem naming the timestamp."""
        dt = self._parse(value)
        try:
            return dt.astimezone(UTC)
        except (OverflowError, ValueError):
            raise FieldProblem(
                "timestamp", f"{_short(value)} is outside the calendar (years 1–9999) in UTC"
            ) from None

    def _parse(self, value: Any) -> datetime:
        if isinstance(value, datetime):
            return self._localise(value)
        if isinstance(value, date):
            return self._localise(datetime.combine(value, time()))
        if isinstance(value, int | float) and not isinstance(value, bool):
            return self._epoch(value)
        text = str(value).strip()
        if self._last:
            try:
                return self._localise(datetime.strptime(text, self._last))
            except ValueError:
                pass
        for fmt in self.formats:
            try:
                dt = datetime.strptime(text, fmt)
            except ValueError:
                continue
            self._last = fmt
            return self._localise(dt)
        try:
            return self._localise(datetime.fromisoformat(text.replace("Z", "+00:00")))
        except ValueError:
            pass
        for fmt in self.fallbacks:
            try:
                dt = datetime.strptime(text, fmt)
            except ValueError:
                continue
            return self._localise(dt)
        if re.fullmatch(r"\d{9,13}(\.\d+)?", text):
            return self._epoch(float(text))
        hint = f" (expected {' or '.join(self.formats)})" if self.formats else ""
        raise FieldProblem("timestamp", f"{_short(value)} is not a date{hint}")

    @staticmethod
    def _epoch(num: float) -> datetime:
        if num > 1e11:  # milliseconds
            num /= 1000
        if not 0 < num < 4e9:
            raise FieldProblem("timestamp", f"{num:g} is not a plausible epoch time")
        return datetime.fromtimestamp(num, tz=UTC)


def _json_raw(record: dict[str, Any]) -> str:
    try:
        text = json.dumps(record, ensure_ascii=False, default=str)
    except (ValueError, RecursionError):  # nested too deep, or a circular value
        text = "{" + ", ".join(map(str, list(record)[:50])) + ": …}"
    return text if len(text) <= RAW_LIMIT else text[:RAW_LIMIT] + "…"


def check_metadata(meta: dict[str, Any], prefix: str = "metadata") -> None:
    """FieldProblem naming ``metadata.KEY`` for a value no store keeps as JSON: a lone surrogate
    or NUL (in a key or a string), a number that is not finite, nesting deeper than MAX_DEPTH."""
    for key, value in meta.items():
        field = f"{prefix}.{safe_text(str(key))}"
        check_text(field, str(key))
        stack: list[tuple[Any, int]] = [(value, 1)]
        while stack:
            item, depth = stack.pop()
            if isinstance(item, str):
                check_text(field, item)
            elif isinstance(item, float) and not math.isfinite(item):
                raise FieldProblem(field, f"{item} is not a finite number")
            elif isinstance(item, dict | list | tuple):
                if depth > MAX_DEPTH:
                    raise FieldProblem(field, f"nested deeper than {MAX_DEPTH} levels")
                if isinstance(item, dict):
                    for k in item:
                        check_text(field, str(k))
                children = item.values() if isinstance(item, dict) else item
                stack.extend((child, depth + 1) for child in children)


class Converter:
    """Turns raw records into Feedback (and Customer) following a Mapping."""

    def __init__(
        self,
        mapping: Mapping,
        *,
        origin: str,
        source: str | None,
        redact: Callable[[str], str] | None = None,
        handles: frozenset[str] = frozenset(),
    ):
        self.mapping = mapping
        self.handles = handles
        """The company's accounts (``speakers.handle_key``): their voices are stored as ``agent``."""
        self.origin = origin
        self.source = source
        self.redact = redact
        self.dates = DateParser(mapping.date_formats, mapping.timezone, mapping.dayfirst)
        self.value_maps = {
            f: {str(k).strip().lower(): v for k, v in m.items()}
            for f, m in mapping.value_maps.items()
        }
        self._plans: dict[tuple[str, ...], dict[str, str]] = {}
        self.customer_cols = (
            dict(mapping.customer_attributes)
            if isinstance(mapping.customer_attributes, dict)
            else {c: c for c in mapping.customer_attributes}
        )

    # -- column resolution ---------------------------------------------------------------------
    def plan(self, keys: tuple[str, ...]) -> dict[str, str]:
        """Feedback field -> source column for records with these keys (cached per key set)."""
        plan = self._plans.get(keys)
        if plan is not None:
            return plan
        lower = {k.strip().lower(): k for k in keys}
        plan = {}
        for fld, cols in self.mapping.columns.items():
            for col in [cols] if isinstance(cols, str) else cols:
                hit = col if col in keys else lower.get(col.strip().lower())
                if hit is not None:
                    plan["source_id" if fld == "id" and "source_id" not in plan else fld] = hit
                    break
        if self.mapping.auto_columns:
            for fld in MAPPABLE_FIELDS:
                target = "source_id" if fld == "id" else fld
                if target in plan or fld in self.mapping.constants:
                    continue
                hit = lower.get(fld)
                if hit is not None and hit not in plan.values():
                    plan[target] = hit
        if len(self._plans) < 256:
            self._plans[keys] = plan
        return plan

    def missing_columns(self, columns: list[str] | set[str]) -> list[tuple[str, str]]:
        """(field, column) of each column the mapping names on its own (not as one of a list of
        candidates) that is not among ``columns``."""
        lower = {c.strip().lower() for c in columns}
        return [
            (fld, col)
            for fld, col in self.mapping.columns.items()
            if isinstance(col, str) and col not in columns and col.strip().lower() not in lower
        ]

    def check_columns(self, columns: list[str]) -> None:
        """Raise MappingError when the text column, or a column the mapping names on its own,
        cannot be found among ``columns``."""
        for fld, col in self.missing_columns(columns):
            if fld in self.mapping.constants:
                continue  # a constant fills it
            raise MappingError(
                f"{self.origin}: no column for {fld} (tried {col!r}); "
                f"the source has columns {', '.join(map(repr, columns))}",
                field=fld,
                record=self.origin,
            )
        if "text" in self.mapping.constants:
            return
        plan = self.plan(tuple(columns))
        if "text" not in plan:
            wanted = self.mapping.columns.get("text", "text")
            tried = wanted if isinstance(wanted, list) else [wanted]
            raise MappingError(
                f"{self.origin}: no column for text (tried {', '.join(map(repr, tried))}); "
                f"the source has columns {', '.join(map(repr, columns))}",
                field="text",
                record=self.origin,
            )

    def metadata_columns(self, record: dict[str, Any], plan: dict[str, str]) -> dict[str, str]:
        meta = self.mapping.metadata
        if meta == "rest":
            used = set(plan.values()) | set(self.customer_cols.values())
            if self.mapping.customer_name:
                used.add(self.mapping.customer_name)
            return {k: k for k in record if k not in used}
        if isinstance(meta, dict):
            return dict(meta)
        return {c: c for c in meta}

    # -- conversion ----------------------------------------------------------------------------
    def quarantine(self, line: int, field: str | None, reason: str, raw: str) -> QuarantineRow:
        if self.redact:  # a quarantined row keeps no PII in clear either
            reason, raw = self.redact(reason), redact_raw(raw)
        return QuarantineRow(
            source=safe_text(self.origin),
            line=line,
            field=None if field is None else safe_text(field),
            reason=safe_text(reason),
            raw=safe_text(raw),
        )

    def bad_row(self, line: int, bad: BadRow) -> QuarantineRow:
        return self.quarantine(line, bad.field, bad.reason, bad.raw)

    def convert(self, line: int, record: dict[str, Any]) -> Feedback | QuarantineRow:
        try:
            return self._convert(record)
        except FieldProblem as exc:
            return self.quarantine(line, exc.field, exc.reason, _json_raw(record))
        except PydanticValidationError as exc:
            err = exc.errors()[0]
            fld = str(err["loc"][0]) if err["loc"] else None
            msg = err["msg"].removeprefix("Value error, ")
            return self.quarantine(line, fld, f"{fld}: {msg}", _json_raw(record))
        except (ValueError, TypeError, OverflowError, RecursionError) as exc:  # pragma: no cover
            # a value no check above foresaw: this record is bad, the others still land
            reason = f"cannot read this record: {type(exc).__name__}: {exc}"
            return self.quarantine(line, None, reason, _json_raw(record))

    def _value(self, fld: str, record: dict[str, Any], plan: dict[str, str]) -> Any:
        if fld not in plan and fld not in self.mapping.constants:
            return None
        value = record.get(plan[fld]) if fld in plan else None
        if _empty(value):
            value = self.mapping.constants.get(fld)
        if isinstance(value, str):
            value = value.strip()
        vmap = self.value_maps.get(fld)
        if vmap is not None and not _empty(value):
            key = str(value).strip().lower()
            if key in vmap:
                value = vmap[key]
            elif isinstance(value, float) and value.is_integer() and str(int(value)) in vmap:
                value = vmap[str(int(value))]
        return None if _empty(value) else value

    def _convert(self, record: dict[str, Any]) -> Feedback:
        plan = self.plan(tuple(record))
        data: dict[str, Any] = {}
        text = self._value("text", record, plan)
        if text is None:
            col = plan.get("text")
            where = f"column {col!r} is empty" if col else "no text column in this record"
            raise FieldProblem("text", f"missing ({where})")
        text = check_text("text", str(text))
        if "\ufffd" in text:
            raise FieldProblem("text", "invalid characters (bad encoding)")
        data["text"] = self.redact(text) if self.redact else text
        for fld in STRING_FIELDS:
            value = self._value(fld, record, plan)
            if value is not None:
                if isinstance(value, float) and value.is_integer():
                    value = int(value)  # ids read as floats by spreadsheets
                data[fld] = check_text(fld, str(value))
        if self.redact and data.get("title"):
            data["title"] = self.redact(data["title"])
        if self.source and "source" not in plan:
            data.setdefault("source", self.source)
        channel = self._value("channel", record, plan)
        if channel is not None:
            key = str(channel).strip().lower()
            if key not in Channel.__members__ and key not in CHANNEL_ALIASES:
                raise FieldProblem(
                    "channel",
                    f"{_short(channel)} is not a channel ({', '.join(c.value for c in Channel)})",
                )
            data["channel"] = key
        for fld in INT_RANGES:
            value = self._value(fld, record, plan)
            if value is not None:
                data[fld] = to_int(fld, value)
        for fld in FLOAT_RANGES:
            value = self._value(fld, record, plan)
            if value is not None:
                data[fld] = to_float(fld, value)
        stamp = self._value("timestamp", record, plan)
        if stamp is not None:
            try:
                data["timestamp"] = self.dates(stamp)
            except FieldProblem:
                if self.mapping.on_bad_date == "quarantine":
                    raise
                data["timestamp"] = None
        speaker = self._value("speaker", record, plan)
        if speaker is not None:
            try:
                data["speaker"] = speaker_of(speaker)
            except ValueError as exc:
                raise FieldProblem("speaker", str(exc)) from None
        data["metadata"] = self._metadata(record, plan)
        if by_company(self.handles, data["metadata"], record):  # before redaction hides the author
            data["speaker"] = AGENT
        if data.get("customer_id") and (self.customer_cols or self.mapping.customer_name):
            attrs = {k: record.get(c) for k, c in self.customer_cols.items()}
            if self.mapping.customer_name:
                attrs["name"] = record.get(self.mapping.customer_name)
            check_metadata(attrs, prefix="customer")
        if self.redact:
            data["metadata"] = redact_mapping(data["metadata"])
        return Feedback(**data)

    def _metadata(self, record: dict[str, Any], plan: dict[str, str]) -> dict[str, Any]:
        meta: dict[str, Any] = {}
        nested = record.get(plan["metadata"]) if "metadata" in plan else None
        if isinstance(nested, dict):
            check_metadata(nested)
            meta.update(nested)
        elif isinstance(nested, str) and nested.strip().startswith("{"):
            try:
                loaded = json.loads(nested)
            except (json.JSONDecodeError, RecursionError):
                loaded = None
            if isinstance(loaded, dict):
                meta.update(loaded)
        for key, col in self.metadata_columns(record, plan).items():
            if col == plan.get("metadata"):
                continue
            if col not in record:
                continue
            check_metadata({key: record[col]})  # before plain(), which recurses
            value = plain(record[col])
            if isinstance(value, datetime | date):
                value = value.isoformat()
            if value is None or value == "":
                if not self.mapping.keep_empty_metadata:
                    continue
                value = None
            meta[key] = value
        return meta

    def customer(self, item: Feedback, record: dict[str, Any]) -> Customer | None:
        """The customer described by this record, when the mapping keeps customer columns."""
        if not item.customer_id or not (self.customer_cols or self.mapping.customer_name):
            return None
        attrs = {}
        for key, col in self.customer_cols.items():
            value = plain(record.get(col))
            if isinstance(value, datetime | date):
                value = value.isoformat()
            if not _empty(value):
                attrs[key] = value
        name = record.get(self.mapping.customer_name) if self.mapping.customer_name else None
        return Customer(
            id=item.customer_id, name=None if _empty(name) else str(name).strip(), attributes=attrs
        )
