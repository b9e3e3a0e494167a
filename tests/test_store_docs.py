"""Atomic read-modify-write of documents (update_docs): no lost update across threads or processes."""

from __future__ import annotations

import multiprocessing as mp
import os
import threading
import uuid
from pathlib import Path

import pytest

from escucha.store import open_store

PG_URL = os.environ.get("ESCUCHA_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")


def _bump(docs: dict) -> dict:
    n = docs.get("c", {"n": 0})["n"]
    return {"c": {"n": n + 1}}


def _bump_many(url: str, times: int) -> None:
    store = open_store(url, lock_timeout=60)
    for _ in range(times):
        store.update_docs("counter", _bump)


def _check(store, url: str) -> None:
    threads = [threading.Thread(target=_bump_many, args=(url, 25)) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    ctx = mp.get_context("spawn")
    procs = [ctx.Process(target=_bump_many, args=(url, 20)) for _ in range(2)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
        assert p.exitcode == 0
    assert store.get_docs("counter")["c"]["n"] == 4 * 25 + 2 * 20


def test_update_docs_keys_deletes_and_returns_changes(tmp_path: Path) -> None:
    store = open_store(str(tmp_path / "d.duckdb"))
    store.migrate()
    store.put_docs("k", {"a": {"v": 1}, "b": {"v": 2}, "c": {"v": 3}})
    seen: list[set[str]] = []

    def change(docs: dict) -> dict:
        seen.append(set(docs))
        return {"a": None, "d": {"v": docs["b"]["v"] * 10}}

    assert store.update_docs("k", change, keys=["a", "b", "zz"]) == {"a": None, "d": {"v": 20}}
    assert seen == [{"a", "b"}]
    assert store.get_docs("k") == {"b": {"v": 2}, "c": {"v": 3}, "d": {"v": 20}}
    assert store.update_docs("k", lambda docs: {}) == {}
    assert store.update_docs("k", change, keys=[]) == {}


def test_an_error_inside_change_writes_nothing(tmp_path: Path) -> None:
    store = open_store(str(tmp_path / "d.duckdb"))
    store.migrate()
    store.put_docs("k", {"a": {"v": 1}})

    def boom(docs: dict) -> dict:
        raise RuntimeError("no")

    with pytest.raises(RuntimeError):
        store.update_docs("k", boom)
    assert store.get_docs("k") == {"a": {"v": 1}}


@pytest.mark.slow
def test_no_lost_update_on_duckdb(tmp_path: Path) -> None:
    url = str(tmp_path / "d.duckdb")
    store = open_store(url)
    store.migrate()
    _check(store, url)


@pytest.mark.slow
@pytest.mark.postgres
def test_no_lost_update_on_postgres() -> None:
    psycopg = pytest.importorskip("psycopg")
    try:
        psycopg.connect(PG_URL, connect_timeout=2).close()
    except psycopg.Error as exc:
        pytest.skip(f"PostgreSQL is not reachable: {exc}".splitlines()[0])
    from escucha.store.postgres import PostgresStore

    schema = "test_" + uuid.uuid4().hex[:12]
    url = f"{PG_URL}?schema={schema}"
    store = open_store(url)
    store.migrate()
    try:
        _check(store, url)
    finally:
        assert isinstance(store, PostgresStore)
        store.drop_schema()
