"""Presets on the real shared files: complete, idempotent, and robust to corrupted copies."""

from __future__ import annotations

import csv
import io
import json
import os
import random
import tracemalloc
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest

from escucha.ingest import ingest, load_preset
from escucha.ingest.readers import CSVReader
from escucha.ingest.validate import Converter
from escucha.models import Feedback
from escucha.store.base import UpsertResult
from escucha.store.duckdb import DuckDBStore

SHARED = Path(
    os.environ.get("ESCUCHA_SHARED_DATA")
    or Path(__file__).resolve().parents[1].parent / "shared" / "data"
)
TWEETS = SHARED / "us_airline_tweets" / "tweets.csv"
HOTELS = SHARED / "cuba_hotels_es" / "reviews.csv"
CLOTHES = SHARED / "womens_clothing_reviews" / "reviews.csv"


def _need(path: Path) -> None:
    if not path.exists():
        pytest.skip(f"shared data not found: {path}")


@dataclass
class Clean:
    preset: str
    path: Path
    store: DuckDBStore
    ids: set[str]
    line_ids: dict[int, str]  # physical start line -> id, for single-line records


def _clean(tmp_path_factory: pytest.TempPathFactory, preset: str, path: Path) -> Clean:
    _need(path)
    store = DuckDBStore(tmp_path_factory.mktemp(preset) / "clean.duckdb")
    store.migrate()
    first = ingest(store, path, preset)
    assert first.quarantined == 0
    assert first.stored + first.updated + first.duplicates + first.quarantined == first.read
    conv = Converter(load_preset(preset), origin=str(path), source=preset)
    recs = list(CSVReader(path))
    n_lines = path.read_bytes().count(b"\n")  # the files end with a newline
    starts = [line for line, _ in recs] + [n_lines + 1]
    line_ids = {}
    for (line, rec), nxt in zip(recs, starts[1:], strict=True):
        item = conv.convert(line, rec)  # type: ignore[arg-type]
        assert isinstance(item, Feedback)
        if nxt == line + 1:
            line_ids[line] = item.id
    ids = set(store.items()["id"])
    assert len(ids) == first.stored
    return Clean(preset, path, store, ids, line_ids)


@pytest.fixture(scope="module")
def tweets(tmp_path_factory: pytest.TempPathFactory) -> Clean:
    return _clean(tmp_path_factory, "us_airline_tweets", TWEETS)


@pytest.fixture(scope="module")
def hotels(tmp_path_factory: pytest.TempPathFactory) -> Clean:
    return _clean(tmp_path_factory, "cuba_hotels_es", HOTELS)


@pytest.mark.shared_data
@pytest.mark.slow
def test_airline_tweets_complete_and_idempotent(tweets: Clean) -> None:
    assert len(tweets.ids) == 14_485  # 14,640 rows, 155 repeated tweet ids
    item, _ = tweets.store.get_item("us_airline_tweets:570306133677760513")
    assert item.text == "@VirginAmerica What @dhepburn said."
    assert item.channel == "social" and item.product == "Virgin America"
    assert item.customer_id == "cairdin" and item.language == "en"
    assert item.timestamp is not None
    assert item.timestamp.strftime("%Y-%m-%d %H:%M:%S") == "2015-02-24 19:35:52"  # -0800 → UTC
    assert item.metadata["airline_sentiment"] == "neutral"
    multi, _ = tweets.store.get_item("us_airline_tweets:570300767074181121")
    assert "\n" in multi.text
    assert tweets.store.counts()["customers"] > 7000
    again = ingest(tweets.store, TWEETS, "us_airline_tweets")
    assert (again.read, again.stored, again.updated, again.quarantined) == (14_640, 0, 0, 0)
    assert again.duplicates == 14_640
    assert tweets.store.counts()["items"] == 14_485


@pytest.mark.shared_data
@pytest.mark.slow
def test_cuba_hotels_complete_and_idempotent(hotels: Clean) -> None:
    assert len(hotels.ids) == 17_986  # 17,988 rows, 2 exact repeats
    assert all(i.startswith("h:") for i in hotels.ids)
    df = hotels.store.items(limit=50)
    assert set(df["language"]) == {"es"} and set(df["channel"]) == {"review"}
    assert df["timestamp"].isna().all()
    assert df["rating"].between(1, 5).all()
    meta = json.loads(df["metadata"].iloc[0])
    assert set(meta) == {"date_text"}
    again = ingest(hotels.store, HOTELS, "cuba_hotels_es")
    assert (again.stored, again.updated, again.quarantined, again.duplicates) == (0, 0, 0, 17_988)
    assert hotels.store.counts()["items"] == 17_986


# -- corrupted copies --------------------------------------------------------------------------
def _parse(line: bytes) -> list[str]:
    return next(csv.reader([line.decode("utf-8")]))


def _write(fields: list[str]) -> bytes:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r").writerow(fields)
    return buf.getvalue().encode("utf-8")


def _corrupt(clean: Clean, out: Path, edits: dict[str, tuple[int, str, str]]) -> dict[int, tuple]:
    """Write a corrupted copy; returns {line: (field, reason prefix, id)} of what should be quarantined.

    ``edits`` maps a kind of damage to (how many rows, column, expected field).
    """
    lines = clean.path.read_bytes().split(b"\n")
    header = _parse(lines[0])
    counts = Counter(clean.line_ids.values())
    rng = random.Random(1234)
    candidates = [ln for ln, i in clean.line_ids.items() if counts[i] == 1 and ln < len(lines) - 5]
    chosen = rng.sample(candidates, sum(n for n, _, _ in edits.values()))
    expected: dict[int, tuple] = {}
    for kind, (n, column, field) in edits.items():
        col = header.index(column)
        for line in chosen[:n]:
            fields = _parse(lines[line - 1])
            if kind == "encoding":
                text = fields[col]
                fields[col] = text[:4] + "\x00BAD\x00" + text[4:]
                raw = _write(fields).replace(b"\x00BAD\x00", b"\xff\xfe")
                reason = f"{column}: invalid utf-8 bytes"
            elif kind == "date":
                fields[col] = "31/02/2015 25:61"
                raw, reason = _write(fields), "timestamp: '31/02/2015 25:61' is not a date"
            elif kind == "score":
                fields[col] = "-4" if field == "reach" else "6"
                raw = _write(fields)
                reason = (
                    "reach: -4 is out of range ≥ 0"
                    if field == "reach"
                    else "rating: 6 is out of range 1–5"
                )
            elif kind == "empty_text":
                fields[col] = "  "
                raw, reason = _write(fields), "text: missing"
            elif kind == "columns":
                raw = _write([*fields, "extra"])
                reason = (
                    f"wrong column count: expected {len(header)} fields, found {len(header) + 1}"
                )
            else:  # pragma: no cover
                raise AssertionError(kind)
            lines[line - 1] = raw
            expected[line] = (field, reason, clean.line_ids[line])
        chosen = chosen[n:]
    # truncate the last record in the middle of its text
    last = max(clean.line_ids)
    assert lines[-1] == b"" and len(lines) - 1 == last
    cut = lines[last - 1]
    lines = [*lines[: last - 1], cut[: len(cut) // 2]]
    expected[last] = (None, "", clean.line_ids[last])
    out.write_bytes(b"\n".join(lines))
    return expected


def _check_corrupted(clean: Clean, tmp_path: Path, edits: dict[str, tuple[int, str, str]]) -> None:
    bad_path = tmp_path / f"{clean.preset}_corrupted.csv"
    expected = _corrupt(clean, bad_path, edits)
    store = DuckDBStore(tmp_path / "bad.duckdb")
    store.migrate()
    s = ingest(store, bad_path, clean.preset)
    assert s.stored + s.updated + s.duplicates + s.quarantined == s.read
    assert s.quarantined == len(expected)
    q = store.quarantine(str(bad_path))
    assert set(q["line"]) == set(expected)
    for row in q.itertuples():
        field, reason, _ = expected[row.line]
        assert row.source == str(bad_path)
        assert row.reason.startswith(reason), (row.line, row.reason, reason)
        if field is not None:
            assert row.field == field, (row.line, row.field)
        else:  # the truncated last record
            assert row.reason.startswith(("truncated record", "wrong column count")), row.reason
        assert row.raw
    stored = set(store.items()["id"])
    lost = {i for _, _, i in expected.values()}
    assert stored == clean.ids - lost  # no good row lost, no bad row stored


@pytest.mark.shared_data
@pytest.mark.slow
def test_corrupted_tweets_lose_no_good_row(tweets: Clean, tmp_path: Path) -> None:
    _check_corrupted(
        tweets,
        tmp_path,
        {
            "encoding": (4, "text", "text"),
            "date": (3, "tweet_created", "timestamp"),
            "score": (2, "retweet_count", "reach"),
            "columns": (2, "text", None),
        },
    )


@pytest.mark.shared_data
@pytest.mark.slow
def test_corrupted_hotel_reviews_lose_no_good_row(hotels: Clean, tmp_path: Path) -> None:
    _check_corrupted(
        hotels,
        tmp_path,
        {
            "encoding": (4, "opinion", "opinion"),
            "score": (3, "class", "rating"),
            "empty_text": (2, "opinion", "text"),
            "columns": (2, "opinion", None),
        },
    )


@pytest.mark.shared_data
@pytest.mark.slow
def test_womens_clothing_preset(tmp_path: Path) -> None:
    _need(CLOTHES)
    store = DuckDBStore(tmp_path / "s.duckdb")
    store.migrate()
    s = ingest(store, CLOTHES, "womens_clothing_reviews", batch_size=5000)
    assert (s.read, s.stored, s.quarantined) == (23_486, 22_641, 845)  # 845 rows lack review text
    assert {p.field for p in s.problems} == {"text"}
    item, _ = store.get_item("womens_clothing_reviews:0")
    assert item.text == "Absolutely wonderful - silky and sexy and comfortable"
    assert item.rating == 4 and item.metadata["recommended"] == "1"


# -- constant memory ---------------------------------------------------------------------------
class _NullStore:
    """Counts and forgets (so only ingest's own memory is measured)."""

    def upsert_items(self, items):  # type: ignore[no-untyped-def]
        return UpsertResult(inserted=len(items))

    def upsert_customers(self, customers):  # type: ignore[no-untyped-def]
        return len(customers)

    def add_quarantine(self, rows):  # type: ignore[no-untyped-def]
        self.quarantined = getattr(self, "quarantined", 0) + len(rows)

    def quarantine(self, source=None):  # type: ignore[no-untyped-def]
        return None

    def log_ingest(self, source, summary):  # type: ignore[no-untyped-def]
        self.summary = summary

    def count_items(self, filters=None):  # type: ignore[no-untyped-def]
        return 0

    def find_by_content(self, hashes):  # type: ignore[no-untyped-def]
        return []


@pytest.mark.slow
def test_streams_200k_rows_in_constant_memory(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    rng = random.Random(0)
    words = ["el", "servicio", "fue", "muy", "lento", "pero", "la", "comida", "excelente", "caro"]
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "fecha", "nps", "comentario", "tienda"])
        for i in range(200_000):
            text = " ".join(rng.choices(words, k=12)) + ("\nsegunda línea" if i % 50 == 0 else "")
            nps = 12 if i % 1000 == 0 else i % 11
            w.writerow([f"r{i}", f"2024-{1 + i % 12:02d}-{1 + i % 28:02d} 10:{i % 60:02d}:00", nps,
                        text, f"T{i % 40}"])  # fmt: skip
    size = path.stat().st_size
    store = _NullStore()
    tracemalloc.start()
    try:
        s = ingest(store, path, "survey", source_name="big", batch_size=1000)  # type: ignore[arg-type]
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert (s.read, s.stored, s.quarantined) == (200_000, 199_800, 200)
    assert peak < size / 5, f"peak {peak / 1e6:.1f} MB for a {size / 1e6:.1f} MB file"
