"""Ingest: stream files, DataFrames or dicts through a declarative mapping into a store.

Example: ``ingest(store, "tweets.csv", "us_airline_tweets")`` returns an IngestSummary.
"""

from escucha.ingest.mapping import (
    Mapping,
    list_presets,
    load_mapping,
    load_preset,
    mapping_from_flags,
)
from escucha.ingest.readers import BadRow, RecordReader, detect_format, open_reader
from escucha.ingest.run import IngestProgress, IngestSummary, ingest
from escucha.ingest.validate import Converter

__all__ = [
    "BadRow",
    "Converter",
    "IngestProgress",
    "IngestSummary",
    "Mapping",
    "RecordReader",
    "detect_format",
    "ingest",
    "list_presets",
    "load_mapping",
    "load_preset",
    "mapping_from_flags",
    "open_reader",
]
