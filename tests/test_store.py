"""The DuckDB store: schema, idempotent upserts, incremental analysis and multi-process access."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from escucha.errors import WorkspaceBusyError
from escucha.models import Analysis, AspectMention, Feedback
from escucha.store.base import Filters, QuarantineRow
from escucha.store.duckdb import DuckDBStore, migrations


@pytest.fixture
def store(tmp_path: Path) -> DuckDBStore:
    s = DuckDBStore(tmp_path / "s.duckdb", lock_timeout=5)
    s.migrate()
    return s


def fb(text: str, **kw) -> Feedback:
    return Feedback(text=text, **kw)


def test_migrations_apply_in_order_once(store: DuckDBStore) -> None:
    newest = max(v for v, _, _ in migrations())
    assert store.schema_version() == newest
    assert store.migrate() == newest  # second run applies nothing
    con = duckdb.connect(str(store.path))
    rows = con.execute("SELECT count(*) FROM schema_version").fetchone()
    con.close()
    assert rows == (len(migrations()),)


def test_upsert_counts_inserts_duplicates_and_updates(store: DuckDBStore) -> None:
    first = store.upsert_items([fb("hola", source="f", source_id="1"), fb("sin id")])
    assert (first.inserted, first.updated, first.duplicates) == (2, 0, 0)
    again = store.upsert_items([fb("hola", source="f", source_id="1"), fb("sin id")])
    assert (again.inserted, again.updated, again.duplicates) == (0, 0, 2)
    edited = store.upsert_items([fb("hola, editado", source="f", source_id="1")])
    assert (edited.inserted, edited.updated, edited.duplicates) == (0, 1, 0)
    assert store.counts()["items"] == 2
    item, analysis = store.get_item("f:1")
    assert item.text == "hola, editado" and analysis is None


def test_duplicate_ids_inside_one_batch_count_once(store: DuckDBStore) -> None:
    r = store.upsert_items([fb("a", source_id="x"), fb("b", source_id="x")])
    assert (r.inserted, r.duplicates) == (1, 1)


def _analysis(item: Feedback, version: str) -> Analysis:
    return Analysis(
        item_id=item.id, sentiment="negative", sentiment_score=-0.5, pipeline_version=version,
        aspects=[AspectMention(aspect="delivery_logistics", sentiment="negative", score=-0.5, evidence="x", sentence=0)],
        sentences=[{"index": 0, "text": item.text, "start": 0, "end": len(item.text), "sentiment": "negative",
                    "sentiment_score": -0.5}],
    )  # fmt: skip


def test_pending_tracks_new_edited_and_stale_items(store: DuckDBStore) -> None:
    store.upsert_items([fb(f"texto {i}", source_id=str(i), timestamp="2024-01-02T03:04:05+01:00") for i in range(5)])
    assert store.count_pending("v1") == 5
    for batch in store.iter_pending("v1", 2):
        store.save_analyses(batch, [_analysis(i, "v1") for i in batch])
    assert store.count_pending("v1") == 0
    store.upsert_items([fb("texto 0 cambiado", source_id="0", timestamp="2024-01-02T03:04:05+01:00")])
    assert store.count_pending("v1") == 1
    assert store.count_pending("v2") == 5  # a new pipeline version re-analyses everything
    # re-saving replaces, never duplicates
    for batch in store.iter_pending("v1", 10):
        store.save_analyses(batch, [_analysis(i, "v1") for i in batch])
    c = store.counts()
    assert (c["analysed"], c["sentences"], c["aspects"]) == (5, 5, 5)


def test_stats_and_filters(store: DuckDBStore) -> None:
    store.upsert_items(
        [fb("a", nps=10, channel="survey"), fb("b", nps=9, channel="survey"), fb("c", nps=3, channel="survey"),
         fb("d", csat=5, channel="chat"), fb("e", csat=2, channel="chat")]
    )  # fmt: skip
    df = store.stats(["channel"]).set_index("channel")
    assert df.loc["survey", "promoters"] == 2 and df.loc["survey", "detractors"] == 1
    assert df.loc["chat", "csat_top2"] == 1 and df.loc["chat", "n_csat"] == 2
    only_chat = store.items(Filters(channel=["chat"]))
    assert set(only_chat["text"]) == {"d", "e"}
    assert set(store.items(Filters(search="C"))["text"]) == {"c"}


def test_quarantine_is_kept(store: DuckDBStore) -> None:
    store.add_quarantine([QuarantineRow(source="x.csv", line=7, field="nps", reason="nps: 11 out of range", raw="{}")])
    q = store.quarantine()
    assert q.loc[0, "line"] == 7 and q.loc[0, "field"] == "nps"


HOLD = """
import duckdb, sys, time
con = duckdb.connect(sys.argv[1])
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
con.close()
"""


def test_waits_for_another_process_then_proceeds(store: DuckDBStore) -> None:
    with subprocess.Popen([sys.executable, "-c", HOLD, str(store.path), "1.5"], stdout=subprocess.PIPE, text=True) as p:
        assert p.stdout is not None and p.stdout.readline().strip() == "locked"
        t0 = time.monotonic()
        store.upsert_items([fb("written while another process held the file")])
        assert time.monotonic() - t0 > 0.5  # it waited for the other writer
    assert store.counts()["items"] == 1


def test_busy_error_names_the_store(store: DuckDBStore) -> None:
    with subprocess.Popen([sys.executable, "-c", HOLD, str(store.path), "4"], stdout=subprocess.PIPE, text=True) as p:
        assert p.stdout is not None and p.stdout.readline().strip() == "locked"
        impatient = DuckDBStore(store.path, lock_timeout=0.3)
        with pytest.raises(WorkspaceBusyError, match="in use by another process"):
            impatient.counts()
        p.kill()


def test_threads_of_one_process_take_turns(store: DuckDBStore) -> None:
    from concurrent.futures import ThreadPoolExecutor

    store.upsert_items([fb(f"voz {i}") for i in range(30)])

    def work(i: int) -> int:
        if i % 5 == 0:
            store.upsert_items([fb(f"nueva {i}")])
        return len(store.items(limit=10))

    with ThreadPoolExecutor(8) as ex:
        assert set(ex.map(work, range(80))) == {10}
    assert store.counts()["items"] == 30 + 16
