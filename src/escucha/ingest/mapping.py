"""Declarative mappings: which source column feeds each Feedback field, and how to read it.

A mapping is a YAML file (or a preset name, or CLI flags)::

    name: my_survey
    columns:            # Feedback field -> source column (a list = the first one present)
      text: [comment, comentario]
      nps: "How likely are you to recommend us?"
      timestamp: date
      speaker: author_type   # owner/brand/staff/response/agent -> agent; customer/user/client
    constants: {channel: survey, language: es}
    date_formats: ["%d/%m/%Y %H:%M"]
    timezone: Europe/Madrid
    value_maps: {csat: {"muy satisfecho": 5, "satisfecho": 4}}
    metadata: rest      # or a list of columns, or {key: column}
    customer_attributes: [segment, tier]
    on_bad_date: quarantine
"""

from __future__ import annotations

import codecs
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic import ValidationError as PydanticValidationError

from escucha.errors import MappingError
from escucha.models import CHANNEL_ALIASES, Channel, speaker_of

MAPPABLE_FIELDS: tuple[str, ...] = (
    "id",
    "channel",
    "text",
    "timestamp",
    "title",
    "nps",
    "csat",
    "ces",
    "rating",
    "customer_id",
    "product",
    "location",
    "language",
    "reach",
    "thread_id",
    "parent_id",
    "source",
    "source_id",
    "metadata",
    "speaker",
)
"""Feedback fields a mapping may fill (``id`` is read as the source's own id, ``source_id``)."""

PRESET_PACKAGE = "escucha.ingest.presets"


class Mapping(BaseModel):
    """How to turn one source's records into Feedback (and Customer) records."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = None
    description: str | None = None
    format: Literal["csv", "tsv", "jsonl", "parquet", "excel"] | None = None
    delimiter: str | None = None
    encoding: str | None = None
    """Text files' encoding (``utf-8``, ``cp1252``, …); None or ``auto`` detects it."""
    sheet: str | None = None
    columns: dict[str, str | list[str]] = Field(default_factory=dict)
    auto_columns: bool = False
    """Also map a column named exactly like a Feedback field (case-insensitive) to that field."""
    constants: dict[str, Any] = Field(default_factory=dict)
    date_formats: list[str] = Field(default_factory=list)
    """``strptime`` formats tried in order; ISO 8601 and a few common forms are always tried."""
    dayfirst: bool = True
    """For the built-in fallbacks: read 03/04/2024 as 3 April (set False for US dates)."""
    timezone: str | None = None
    """IANA zone for timestamps without one (default UTC)."""
    value_maps: dict[str, dict[str, Any]] = Field(default_factory=dict)
    """Per field, source value (case-insensitive) -> value, e.g. rating words to numbers."""
    metadata: Literal["rest"] | list[str] | dict[str, str] = Field(default_factory=list)
    """Columns kept in ``metadata``: a list, ``{key: column}``, or ``rest`` (all unmapped columns)."""
    customer_name: str | None = None
    customer_attributes: list[str] | dict[str, str] = Field(default_factory=list)
    """Columns stored as attributes of the customer named by ``customer_id``."""
    on_bad_date: Literal["quarantine", "null"] = "quarantine"
    keep_empty_metadata: bool = True

    @field_validator("columns", mode="before")
    @classmethod
    def _strip_nulls(cls, v: Any) -> Any:
        return {k: c for k, c in v.items() if c is not None} if isinstance(v, dict) else v

    @field_validator("encoding")
    @classmethod
    def _known_encoding(cls, v: str | None) -> str | None:
        if v is not None and v.strip().lower() != "auto":
            try:
                codecs.lookup(v)
            except LookupError:
                raise ValueError(
                    f"unknown encoding {v!r}: use e.g. utf-8, cp1252, latin-1, utf-16 or auto"
                ) from None
        return v

    @model_validator(mode="after")
    def _check(self) -> Mapping:
        for where, keys in (("columns", self.columns), ("constants", self.constants),
                            ("value_maps", self.value_maps)):  # fmt: skip
            for key in keys:
                if key not in MAPPABLE_FIELDS:
                    raise ValueError(
                        f"{where}.{key}: not a Feedback field; use one of {', '.join(MAPPABLE_FIELDS)}"
                    )
        for key, cols in self.columns.items():
            if isinstance(cols, list) and not cols:
                raise ValueError(f"columns.{key}: empty list of columns")
        ch = self.constants.get("channel")
        if ch is not None:
            key = str(ch).strip().lower()
            if key not in Channel.__members__ and key not in CHANNEL_ALIASES:
                raise ValueError(
                    f"constants.channel: {ch!r} is not a channel; use one of "
                    f"{', '.join(c.value for c in Channel)}"
                )
        if self.constants.get("speaker") is not None:
            try:
                speaker_of(self.constants["speaker"])
            except ValueError as exc:
                raise ValueError(f"constants.speaker: {exc}") from None
        if self.timezone:
            _zone(self.timezone)
        if self.delimiter is not None and len(self.delimiter) != 1:
            raise ValueError(f"delimiter: {self.delimiter!r} must be one character")
        return self

    # -- loading ---------------------------------------------------------------------------
    @classmethod
    def parse(cls, data: dict[str, Any], *, origin: str = "mapping") -> Mapping:
        """Validate a dict, raising MappingError that names the bad key."""
        if not isinstance(data, dict):
            raise MappingError(f"{origin}: expected a mapping (YAML dictionary)")
        try:
            return cls.model_validate(data)
        except PydanticValidationError as exc:
            err = exc.errors()[0]
            loc = ".".join(str(p) for p in err["loc"]) or "mapping"
            msg = err["msg"].removeprefix("Value error, ")
            raise MappingError(f"{origin}: {loc}: {msg}", field=loc) from exc

    @classmethod
    def from_yaml(cls, path: str | Path) -> Mapping:
        p = Path(path)
        try:
            data = yaml.safe_load(p.read_text(encoding="utf-8")) or {}
        except OSError as exc:
            raise MappingError(f"cannot read mapping {p}: {exc.strerror}") from exc
        except yaml.YAMLError as exc:
            raise MappingError(f"{p}: not valid YAML: {exc}") from exc
        mapping = cls.parse(data, origin=str(p))
        if mapping.name is None:
            mapping.name = p.stem
        return mapping

    def to_yaml(self) -> str:
        return yaml.safe_dump(
            self.model_dump(exclude_defaults=True), sort_keys=False, allow_unicode=True
        )

    def merged(self, **changes: Any) -> Mapping:
        """A copy with ``columns``/``constants``/``value_maps`` merged and other keys replaced."""
        data = self.model_dump()
        for key, value in changes.items():
            if key in ("columns", "constants", "value_maps"):
                data[key] = {**data[key], **(value or {})}
            elif value is not None:
                data[key] = value
        return Mapping.parse(data)


def _zone(name: str) -> Any:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"timezone: unknown time zone {name!r}") from exc


def list_presets() -> list[str]:
    """Names of the bundled presets."""
    return sorted(
        f.name.removesuffix(".yaml")
        for f in resources.files(PRESET_PACKAGE).iterdir()
        if f.name.endswith(".yaml")
    )


def load_preset(name: str) -> Mapping:
    """A bundled preset by name (``us_airline_tweets``, ``cuba_hotels_es``, ``survey``, …)."""
    res = resources.files(PRESET_PACKAGE) / f"{name}.yaml"
    if not res.is_file():
        raise MappingError(
            f"no preset {name!r}; presets: {', '.join(list_presets())}", field="mapping"
        )
    data = yaml.safe_load(res.read_text(encoding="utf-8")) or {}
    mapping = Mapping.parse(data, origin=f"preset {name}")
    mapping.name = mapping.name or name
    return mapping


def load_mapping(spec: Mapping | str | Path | dict[str, Any] | None) -> Mapping:
    """A Mapping from itself, a dict, a YAML path or a preset name (``None`` = Feedback-named columns)."""
    if spec is None:
        return Mapping(auto_columns=True, metadata="rest")
    if isinstance(spec, Mapping):
        return spec
    if isinstance(spec, dict):
        return Mapping.parse(spec)
    text = str(spec)
    if isinstance(spec, Path) or text.endswith((".yaml", ".yml")) or "/" in text:
        return Mapping.from_yaml(spec)
    return load_preset(text)


def mapping_from_flags(
    *,
    base: Mapping | str | Path | None = None,
    text_col: str | None = None,
    time_col: str | None = None,
    id_col: str | None = None,
    title_col: str | None = None,
    channel: str | None = None,
    channel_col: str | None = None,
    language: str | None = None,
    nps_col: str | None = None,
    csat_col: str | None = None,
    ces_col: str | None = None,
    rating_col: str | None = None,
    customer_col: str | None = None,
    product_col: str | None = None,
    location_col: str | None = None,
    date_format: str | list[str] | None = None,
    timezone: str | None = None,
    metadata: str | list[str] | None = None,
    customer_attributes: list[str] | None = None,
    on_bad_date: str | None = None,
    delimiter: str | None = None,
    encoding: str | None = None,
    sheet: str | None = None,
    format: str | None = None,
) -> Mapping:
    """A mapping from CLI-style flags (``--text-col opinion --time-col date --channel review``).

    Starts from ``base`` (a preset, file or Mapping) or, without one, from columns named like
    Feedback fields with every other column kept as metadata.
    """
    start = load_mapping(base)
    cols = {
        "text": text_col, "timestamp": time_col, "source_id": id_col, "title": title_col,
        "channel": channel_col, "nps": nps_col, "csat": csat_col, "ces": ces_col,
        "rating": rating_col, "customer_id": customer_col, "product": product_col,
        "location": location_col,
    }  # fmt: skip
    columns = {k: v for k, v in cols.items() if v}
    if id_col and "id" in start.columns:
        start = start.merged()
        start.columns.pop("id", None)
    constants = {k: v for k, v in {"channel": channel, "language": language}.items() if v}
    meta: Any = metadata
    if isinstance(metadata, str) and metadata != "rest":
        meta = [m.strip() for m in metadata.split(",") if m.strip()]
    formats = [date_format] if isinstance(date_format, str) else date_format
    mapping = start.merged(
        columns=columns,
        constants=constants,
        date_formats=formats,
        timezone=timezone,
        metadata=meta,
        customer_attributes=customer_attributes,
        on_bad_date=on_bad_date,
        delimiter=delimiter,
        encoding=encoding,
        sheet=sheet,
        format=format,
    )
    if channel and "channel" in mapping.columns and not channel_col:
        mapping.columns.pop("channel")
    return mapping
