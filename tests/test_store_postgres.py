"""The PostgreSQL store: the same contract and results as DuckDB, on a throwaway schema per test.

Needs the local server (``ESCUCHA_TEST_PG_URL``, default postgresql://postgres@127.0.0.1:5432/test);
every test skips with the reason when it cannot be reached.
"""

from __future__ import annotations

import json
import os
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from escucha.errors import NotFoundError, StoreError, WorkspaceBusyError
from escucha.models import Analysis, AspectMention, Customer, Feedback
from escucha.store import open_store
from escucha.store.base import Filters, QuarantineRow
from escucha.store.duckdb import DuckDBStore
from escucha.store.duckdb import migrations as duck_migrations

psycopg = pytest.importorskip("psycopg", reason="psycopg is not installed (extra `postgres`)")

from escucha.store.postgres import PostgresStore, migrations, safe_url, split_url  # noqa: E402

pytestmark = pytest.mark.postgres

PG_URL = os.environ.get("ESCUCHA_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")


@pytest.fixture(scope="session")
def pg_url() -> str:
    try:
        psycopg.connect(PG_URL, connect_timeout=2).close()
    except psycopg.Error as exc:
        pytest.skip(f"PostgreSQL is not reachable at {safe_url(PG_URL)}: {exc}".splitlines()[0])
    return PG_URL


def _schema() -> str:
    return "test_" + uuid.uuid4().hex[:12]


@pytest.fixture
def store(pg_url: str) -> Iterator[PostgresStore]:
    s = PostgresStore(pg_url, schema=_schema(), lock_timeout=5)
    s.migrate()
    yield s
    s.drop_schema()


def fb(text: str, **kw) -> Feedback:
    return Feedback(text=text, **kw)


def _analysis(item_id: str, text: str, version: str) -> Analysis:
    return Analysis(
        item_id=item_id, sentiment="negative", sentiment_score=-0.5, pipeline_version=version,
        emotions={"anger": 0.7, "sadness": 0.1}, intents=["complaint"], urgency=0.4,
        aspects=[AspectMention(aspect="delivery_logistics", sentiment="negative", score=-0.5, evidence="x", sentence=0)],
        sentences=[{"index": 0, "text": text, "start": 0, "end": len(text), "sentiment": "negative",
                    "sentiment_score": -0.5, "aspects": ["delivery_logistics"]}],
    )  # fmt: skip


def _analyse_all(store, version: str, batch: int = 10) -> None:
    for items in store.iter_pending(version, batch):
        store.save_analyses(items, [_analysis(i.id, i.text, version) for i in items])


# -- the same behaviours as tests/test_store.py ------------------------------------------------
def test_migrations_mirror_duckdb_and_apply_once(store: PostgresStore) -> None:
    assert [(v, n) for v, n, _ in migrations()] == [(v, n) for v, n, _ in duck_migrations()]
    newest = max(v for v, _, _ in migrations())
    assert store.schema_version() == newest
    assert store.migrate() == newest  # second run applies nothing
    with psycopg.connect(PG_URL) as con:
        rows = con.execute(f"SELECT count(*) FROM {store.schema}.schema_version").fetchone()
    assert rows == (len(migrations()),)


def test_upsert_counts_inserts_duplicates_and_updates(store: PostgresStore) -> None:
    first = store.upsert_items([fb("hola", source="f", source_id="1"), fb("sin id")])
    assert (first.inserted, first.updated, first.duplicates) == (2, 0, 0)
    again = store.upsert_items([fb("hola", source="f", source_id="1"), fb("sin id")])
    assert (again.inserted, again.updated, again.duplicates) == (0, 0, 2)
    edited = store.upsert_items([fb("hola, editado", source="f", source_id="1")])
    assert (edited.inserted, edited.updated, edited.duplicates) == (0, 1, 0)
    assert store.counts()["items"] == 2
    item, analysis = store.get_item("f:1")
    assert item.text == "hola, editado" and analysis is None
    with pytest.raises(NotFoundError, match="nope"):
        store.get_item("nope")


def test_duplicate_ids_inside_one_batch_count_once(store: PostgresStore) -> None:
    r = store.upsert_items([fb("a", source_id="x"), fb("b", source_id="x")])
    assert (r.inserted, r.duplicates) == (1, 1)
    assert store.get_item("src:x")[0].text == "a"  # the first occurrence wins


def test_pending_tracks_new_edited_and_stale_items(store: PostgresStore) -> None:
    store.upsert_items([fb(f"texto {i}", source_id=str(i), timestamp="2024-01-02T03:04:05+01:00") for i in range(5)])
    assert store.count_pending("v1") == 5
    _analyse_all(store, "v1", batch=2)
    assert store.count_pending("v1") == 0
    store.upsert_items([fb("texto 0 cambiado", source_id="0", timestamp="2024-01-02T03:04:05+01:00")])
    assert store.count_pending("v1") == 1
    assert store.count_pending("v2") == 5  # a new pipeline version re-analyses everything
    _analyse_all(store, "v1")  # re-saving replaces, never duplicates
    c = store.counts()
    assert (c["analysed"], c["sentences"], c["aspects"]) == (5, 5, 5)
    item, an = store.get_item("src:0")
    assert item.text == "texto 0 cambiado" and item.timestamp is not None and item.timestamp.hour == 2
    assert an is not None and an.emotions == {"anger": 0.7, "sadness": 0.1} and an.intents == ["complaint"]
    assert an.aspects[0].sentence == 0 and an.sentences[0].aspects == ["delivery_logistics"]


def test_save_analyses_is_atomic(store: PostgresStore) -> None:
    store.upsert_items([fb("uno", source_id="1"), fb("dos", source_id="2")])
    _analyse_all(store, "v1")
    batch = next(store.iter_pending("v2", 10))
    bad = [_analysis(i.id, i.text, "v2") for i in batch]
    bad[1].sentences[0].text = None  # type: ignore[assignment]  # accepted by COPY
    bad[1].aspects[0].aspect = None  # type: ignore[assignment]  # NOT NULL: the whole save fails
    with pytest.raises(psycopg.errors.NotNullViolation):
        store.save_analyses(batch, bad)
    assert store.count_pending("v2") == 2 and store.count_pending("v1") == 0  # nothing half-written
    assert store.counts()["sentences"] == 2


def test_analyses_round_trip_in_order_and_in_bulk(store: PostgresStore) -> None:
    store.upsert_items([fb("uno. dos.", source_id="1"), fb("tres", source_id="2"), fb("sin analizar", source_id="3")])
    batch = [i for i in next(store.iter_pending("v1", 10)) if i.id != "src:3"]
    ans = [_analysis(i.id, i.text, "v1") for i in batch]
    ans[0].aspects = [AspectMention(aspect=a, sentiment="neutral", score=0.0, evidence=a, sentence=None)
                      for a in ("zeta", "alfa", "mu")]  # fmt: skip
    store.save_analyses(batch, ans)
    got = store.get_items(["src:2", "nope", "src:1", "src:3", "src:1"])
    assert list(got) == ["src:2", "src:1", "src:3"] and got["src:3"][1] is None
    assert got["src:1"][1] == ans[0] and got["src:2"][1] == ans[1]  # aspect order kept, JSONB parsed
    assert store.get_item("src:1")[1] == ans[0]


def test_stats_and_filters(store: PostgresStore) -> None:
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
    assert store.count_items(Filters(channel=["survey"])) == 3


def test_quarantine_is_kept(store: PostgresStore) -> None:
    store.add_quarantine([QuarantineRow(source="x.csv", line=7, field="nps", reason="nps: 11 out of range", raw="{}")])
    store.add_quarantine([QuarantineRow(source="y.csv", line=2, field=None, reason="text is empty", raw="a\x00b")])
    q = store.quarantine()
    assert q.loc[0, "line"] == 7 and q.loc[0, "field"] == "nps" and len(q) == 2
    assert list(store.quarantine("y.csv")["raw"]) == ["ab"]  # NUL cannot be stored in PostgreSQL
    assert store.counts()["quarantined"] == 2


def test_documents_and_derived_tables(store: PostgresStore) -> None:
    store.put_docs("plans", {"b": {"title": "Entregas", "steps": [1, 2], "z": None, "a": 1}, "a": {"x": "ñ"}})
    store.put_docs("plans", {"a": {"x": "otra"}})
    store.put_docs("users", {"ana": {"role": "admin"}})
    docs = store.get_docs("plans")
    assert docs == {"a": {"x": "otra"}, "b": {"title": "Entregas", "steps": [1, 2], "z": None, "a": 1}}
    assert list(docs["b"]) == ["title", "steps", "z", "a"]  # key order as written
    store.delete_docs("plans", ["a"])
    assert list(store.get_docs("plans")) == ["b"]
    store.delete_docs("plans")
    assert store.get_docs("plans") == {} and list(store.get_docs("users")) == ["ana"]

    assert store.get_table("theme_assignments") is None
    df = pd.DataFrame({"item_id": ["i1", "i2"], "idx": np.array([0, 3], dtype="int32"), "theme": ["t1", None],
                       "score": [0.5, np.nan], "words": [["a", "b"], []], "flag": [True, False],
                       "at": pd.to_datetime(["2024-01-01 10:00", None])})  # fmt: skip
    store.put_table("theme_assignments", df)
    store.put_table("theme_assignments", df)  # replaces
    got = store.get_table("theme_assignments")
    assert got is not None and list(got.columns) == list(df.columns) and len(got) == 2
    assert got["idx"].dtype == "int32" and got["flag"].dtype == bool and got["at"].dtype.kind == "M"
    assert got.loc[1, "theme"] is None and np.isnan(got.loc[1, "score"]) and list(got.loc[0, "words"]) == ["a", "b"]
    store.put_table("theme_assignments", df.iloc[:0])
    assert store.get_table("theme_assignments").empty  # type: ignore[union-attr]
    with pytest.raises(StoreError, match="bad derived table name"):
        store.put_table("x; drop", df)


def test_customers_merge_and_attribute_dimensions(store: PostgresStore) -> None:
    store.upsert_customers([Customer(id="c1", attributes={"tier": "gold", "old": 1}),
                            Customer(id="c1", name="Ana", attributes={"region": "norte"})])  # fmt: skip
    store.upsert_customers([Customer(id="c1", attributes={"old": None}), Customer(id="c2", attributes={"tier": "bronze"})])
    cust = store.customers().set_index("id")
    assert json.loads(cust.loc["c1", "attributes"]) == {"tier": "gold", "region": "norte"}
    assert cust.loc["c1", "name"] == "Ana" and len(cust) == 2
    store.upsert_items([fb("x", customer_id="c1", nps=10, metadata={"plan": "pro", "seats": 3}),
                        fb("y", customer_id="c2", nps=2), fb("z", nps=8)])  # fmt: skip
    by = store.stats(["attr:tier"]).set_index("attr:tier")
    assert by.loc["gold", "promoters"] == 1 and by.loc["bronze", "detractors"] == 1 and by["n"].sum() == 3
    assert store.stats(filters=Filters(extra={"meta:seats": 3})).loc[0, "n"] == 1
    assert store.stats(filters=Filters(extra={"attr:tier": "bronze"})).loc[0, "n"] == 1


def test_busy_writer_is_waited_for_then_reported(store: PostgresStore) -> None:
    holder = psycopg.connect(PG_URL)
    holder.execute(f"LOCK TABLE {store.schema}.items IN ACCESS EXCLUSIVE MODE")
    threading.Timer(0.6, holder.commit).start()
    t0 = time.monotonic()
    store.upsert_items([fb("written while another writer held the table")])
    assert time.monotonic() - t0 > 0.4  # it waited for the other writer
    impatient = PostgresStore(PG_URL, schema=store.schema, lock_timeout=0.2)
    holder.execute(f"LOCK TABLE {store.schema}.items IN ACCESS EXCLUSIVE MODE")
    try:
        with pytest.raises(WorkspaceBusyError, match=store.schema):
            impatient.counts()
    finally:
        holder.close()
        impatient.close()
    assert store.counts()["items"] == 1


def test_urls_schema_and_errors() -> None:
    assert split_url("postgresql://u:pw@h:5/db?schema=acme&sslmode=disable") == (
        "postgresql://u:pw@h:5/db?sslmode=disable", "acme")  # fmt: skip
    assert safe_url("postgresql://u:pw@h/db") == "postgresql://u:***@h/db"
    s = open_store("postgresql://u:secret@127.0.0.1:1/db?schema=acme", connect_timeout=1)
    assert isinstance(s, PostgresStore) and s.schema == "acme" and "secret" not in repr(s)
    with pytest.raises(StoreError, match="cannot connect") as err:
        s.counts()
    assert "secret" not in str(err.value)
    with pytest.raises(StoreError, match="schema"):
        PostgresStore("postgresql://h/db", schema="Bad-Name")


# -- same results as DuckDB -----------------------------------------------------------------------
ROWS = [
    fb("El pedido llegó tarde", source="t", source_id="1", channel="survey", nps=2, customer_id="c1",
       timestamp="2024-03-04T10:00:00Z", product="envíos", metadata={"plan": "pro"}),
    fb("Muy amables", source="t", source_id="2", channel="survey", nps=10, customer_id="c2",
       timestamp="2024-03-12T10:00:00Z", location="Madrid"),
    fb("Great product", source="t", source_id="3", channel="review", rating=4.5, customer_id="c1",
       timestamp="2024-03-13T09:00:00Z", language="en"),
    fb("Chat lento", source="t", source_id="4", channel="chat", csat=2, ces=6, reach=10),
    fb("Sin analizar", source="t", source_id="5", channel="chat", csat=5, title="Título"),
]  # fmt: skip


def _fill(store) -> None:
    store.upsert_items(ROWS)
    store.upsert_customers([Customer(id="c1", attributes={"tier": "gold"}), Customer(id="c2", attributes={"tier": "bronze"})])
    batch = [i for i in next(store.iter_pending("v1", 10)) if i.id != "t:5"]
    ans = [_analysis(i.id, i.text, "v1") for i in batch]
    ans[1] = ans[1].model_copy(update={"sentiment": "positive", "sentiment_score": 0.8, "intents": ["praise", "x"],
                                       "aspects": [], "emotions": {}})  # fmt: skip
    store.save_analyses(batch, ans)


def _norm(df: pd.DataFrame) -> pd.DataFrame:
    df = df.drop(columns=[c for c in ("ingested_at", "updated_at") if c in df.columns])
    for c in ("metadata", "emotions", "extras", "attributes"):
        if c in df.columns:  # JSONB reorders keys; compare the parsed JSON
            df[c] = [None if v is None else json.loads(v) for v in df[c]]
    for c in ("intents", "aspects"):
        if c in df.columns:
            df[c] = [list(v) if isinstance(v, np.ndarray) else v for v in df[c]]
    return df


def test_frames_equal_duckdb(store: PostgresStore, tmp_path: Path) -> None:
    duck = DuckDBStore(tmp_path / "s.duckdb")
    duck.migrate()
    for s in (duck, store):
        _fill(s)
    filters = [None, Filters(intent=["praise"]), Filters(extra={"attr:tier": "gold"}),
               Filters(aspect=["delivery_logistics"]), Filters(sentiment=["negative"], search="PEDIDO"),
               Filters(language=["en"], channel=["review"])]  # fmt: skip
    for k, f in enumerate(filters):
        for name in ("items", "aspects", "sentences") if k < 3 else ("items",):
            a, b = _norm(getattr(duck, name)(f)), _norm(getattr(store, name)(f))
            pd.testing.assert_frame_equal(a, b, obj=f"{name}({f})")
    pd.testing.assert_frame_equal(_norm(duck.customers()), _norm(store.customers()))
    for by, period in [((), None), (("channel",), "week"), (("aspect",), None), (("intent",), "month"),
                       (("attr:tier", "sentiment"), None), (("meta:plan", "language"), "quarter")]:  # fmt: skip
        pd.testing.assert_frame_equal(duck.stats(by, period), store.stats(by, period), obj=f"stats({by}, {period})")
    assert duck.counts() == store.counts()
    assert duck.count_pending("v1") == store.count_pending("v1") == 1
    assert duck.get_item("t:1") == store.get_item("t:1")
    assert duck.items(limit=2, offset=1)["id"].tolist() == store.items(limit=2, offset=1)["id"].tolist()


def test_workspace_end_to_end_matches_duckdb(pg_url: str, tmp_path: Path, voices: list[dict]) -> None:
    import escucha

    schema = _schema()
    runs = {}
    for name, url in (("duck", None), ("pg", f"{pg_url}?schema={schema}")):
        ws = escucha.open(tmp_path / name, store_url=url) if url else escucha.open(tmp_path / name)
        ws.ingest(pd.DataFrame(voices), source_name="t")
        ws.add_customers([{"id": "c1", "attributes": {"tier": "gold"}}, {"id": "c2", "attributes": {"tier": "bronze"}}])
        summary = ws.analyze()
        assert summary.analysed == len(voices) and ws.analyze().analysed == 0
        runs[name] = (ws, {(by, period): ws.metrics(by=by, period=period) for by, period in
                           [("channel", None), ("aspect", None), ("attr:tier", None), ("channel", "week")]})  # fmt: skip
    try:
        assert isinstance(runs["pg"][0].store, PostgresStore) and runs["pg"][0].store.schema == schema
        for key, duck_df in runs["duck"][1].items():
            pd.testing.assert_frame_equal(duck_df, runs["pg"][1][key], obj=f"metrics {key}")
        by_channel = runs["pg"][1][("channel", None)].set_index("channel")
        assert by_channel.loc["survey", "nps"] == pytest.approx(0.0) and by_channel["volume"].sum() == 6
        pd.testing.assert_frame_equal(_norm(runs["duck"][0].items(limit=None)), _norm(runs["pg"][0].items(limit=None)))
        assert runs["duck"][0].get("t:v2") == runs["pg"][0].get("t:v2")
    finally:
        runs["pg"][0].store.drop_schema()  # type: ignore[attr-defined]


def test_agents_voices_are_stored_and_left_out_like_duckdb(store: PostgresStore, tmp_path: Path) -> None:
    duck = DuckDBStore(tmp_path / "s.duckdb")
    duck.migrate()
    voices = [fb("El pedido llegó roto, fatal.", source_id="1", channel="social", customer_id="c1"),
              fb("¡Lamentamos las molestias! Gracias por avisar.", source_id="2", channel="social",
                 customer_id="c1", speaker="brand"),
              fb("Agente: devuelto, ¡un placer!", source="escucha_cases", source_id="3", customer_id="c1"),
              fb("Muy bien todo.", source_id="4", speaker="customer")]  # fmt: skip
    for s in (duck, store):
        s.upsert_items(voices)
        _analyse_all(s, "v1")
        assert set(s.items()["id"]) == {"src:1", "src:4"} and s.count_items() == 2
        assert s.count_items(Filters(agents=True)) == 4
        assert set(s.sentences()["item_id"]) == {"src:1", "src:4"}
        assert int(s.stats(["channel"])["n"].sum()) == 2
        assert s.get_item("src:2")[0].speaker == "agent" and s.get_item("escucha_cases:3")[0].speaker == "agent"
        thread = s.items(Filters(customer_id=["c1"], agents=True))
        assert dict(zip(thread["id"], thread["speaker"], strict=True)) == {
            "src:1": None, "src:2": "agent", "escucha_cases:3": "agent"}
    pd.testing.assert_frame_equal(_norm(duck.items(Filters(agents=True))), _norm(store.items(Filters(agents=True))))


def test_a_schema_made_before_the_speaker_column_upgrades_in_place(pg_url: str) -> None:
    schema = _schema()
    with psycopg.connect(pg_url, autocommit=True) as con:
        con.execute(f"CREATE SCHEMA {schema}")
        con.execute(f"SET search_path TO {schema}")
        con.execute("CREATE TABLE schema_version (version INTEGER, name TEXT, applied_at TIMESTAMP)")
        for version, name, sql in migrations():
            if version <= 3:
                con.execute(sql)
                con.execute("INSERT INTO schema_version VALUES (%s, %s, now())", [version, name])
        for id_, source in (("v1", "chat_export"), ("r1", "escucha_cases")):
            con.execute("INSERT INTO items (id, content_hash, channel, ingested_at, text, source) "
                        "VALUES (%s, 'h', 'chat', now(), 'hola', %s)", [id_, source])  # fmt: skip
    store = PostgresStore(pg_url, schema=schema, lock_timeout=5)
    try:
        assert store.migrate() == max(v for v, _, _ in migrations()) >= 4
        assert store.get_item("r1")[0].speaker == "agent" and store.get_item("v1")[0].speaker is None
        assert list(store.items()["id"]) == ["v1"]
        store.upsert_items([fb("Respuesta del propietario", source_id="o", speaker="owner")])
        assert list(store.items()["id"]) == ["v1"] and store.count_items(Filters(agents=True)) == 3
    finally:
        store.drop_schema()
