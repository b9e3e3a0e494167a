"""One extension mechanism: registries by name, extended through Python entry points."""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from importlib.metadata import EntryPoint
from pathlib import Path
from typing import Any, ClassVar

import pytest

import escucha.plugins
from escucha.errors import ConfigError, PipelineError
from escucha.pipeline.base import ANALYZERS, Doc, Pipeline, create, registered
from escucha.plugins import Registry
from escucha.store import STORES, open_store

PLUGIN = '''
from typing import ClassVar


class ToyLabels:
    """Labels a voice "long" or "short"."""

    name = "toy_labels"
    version = "1"
    requires: ClassVar[tuple[str, ...]] = ("sentences",)
    assigns: ClassVar[tuple[str, ...]] = ("extras.toy",)

    def __init__(self, limit: int = 3):
        self.limit = limit

    def __call__(self, docs):
        for d in docs:
            d.extras["toy"] = "long" if len(d.sentences) >= self.limit else "short"


def open_toy(url, **kwargs):
    from escucha.store.duckdb import DuckDBStore

    return DuckDBStore(url.removeprefix("toy://"), **kwargs)


def open_nothing(url, **kwargs):
    return object()
'''


@pytest.fixture
def plugins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, list[EntryPoint]]]:
    """Entry points of an installed-looking package, by group (fill the dict in the test); the
    registries are restored afterwards."""
    (tmp_path / "toy_escucha_plugin.py").write_text(textwrap.dedent(PLUGIN), encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    groups: dict[str, list[EntryPoint]] = {}
    monkeypatch.setattr(escucha.plugins, "entry_points", lambda group: groups.get(group, []))
    for reg in (ANALYZERS, STORES):
        registered_names = reg.names()  # built-ins loaded before the snapshot
        assert registered_names
        for attr in ("_items", "_loaded", "_broken"):
            monkeypatch.setattr(reg, attr, type(getattr(reg, attr))(getattr(reg, attr)))
    yield groups


def _ep(name: str, value: str, group: str) -> EntryPoint:
    return EntryPoint(name=name, value=value, group=group)


def test_an_analyser_from_an_entry_point_runs_in_a_pipeline(plugins: dict[str, list[EntryPoint]]) -> None:
    plugins["escucha.analyzers"] = [_ep("toy_labels", "toy_escucha_plugin:ToyLabels", "escucha.analyzers")]
    pipe = Pipeline.from_names(["sentences", "toy_labels"], {"toy_labels": {"limit": 2}})
    docs = pipe.run([Doc(text="One. Two. Three."), Doc(text="Just one.")])
    assert [d.extras["toy"] for d in docs] == ["long", "short"]
    assert "toy_labels" in registered()
    assert "toy_labels=1" in "|".join(f"{a.name}={a.version}" for a in pipe.analyzers)


def test_a_plugin_never_replaces_a_built_in(plugins: dict[str, list[EntryPoint]]) -> None:
    plugins["escucha.analyzers"] = [_ep("sentences", "toy_escucha_plugin:ToyLabels", "escucha.analyzers")]
    ANALYZERS.load_entry_points()
    assert create("sentences").name == "sentences"


def test_a_broken_plugin_is_named_when_asked_for(plugins: dict[str, list[EntryPoint]]) -> None:
    plugins["escucha.analyzers"] = [_ep("gone", "no_such_module_xyz:Thing", "escucha.analyzers")]
    with pytest.raises(PipelineError, match=r"unknown analyser 'gone' \(its plugin failed to load: ModuleNotFoundError"):
        create("gone")
    assert "sentences" in registered()  # the others still load


def test_unknown_analyser_lists_the_known_ones() -> None:
    with pytest.raises(PipelineError, match=r"unknown analyser 'nope'; known: .*sentences"):
        create("nope")


class _Analyser:
    name = "bad"
    version = "1"
    requires: ClassVar[tuple[str, ...]] = ()
    assigns: ClassVar[tuple[str, ...]] = ()

    def __call__(self, docs: list[Doc]) -> None: ...


def test_assigning_an_unknown_doc_field_fails_at_build_time() -> None:
    class Labels(_Analyser):
        assigns: ClassVar[tuple[str, ...]] = ("labels",)  # not a Doc field: extras.labels is

    with pytest.raises(PipelineError, match=r"analyser 'bad' assigns \['labels'\], which are not fields of Doc"):
        Pipeline([Labels()])  # type: ignore[list-item]

    class Extras(_Analyser):
        assigns: ClassVar[tuple[str, ...]] = ("extras.labels", "sentiment")

    assert Pipeline([Extras()]).names == ["bad"]  # type: ignore[list-item]


def test_requiring_an_unknown_doc_field_fails_at_build_time() -> None:
    class Needs(_Analyser):
        requires: ClassVar[tuple[str, ...]] = ("sentimint",)

    with pytest.raises(PipelineError, match=r"analyser 'bad' requires \['sentimint'\]"):
        Pipeline([Needs()])  # type: ignore[list-item]

    class NeedsExtra(_Analyser):
        requires: ClassVar[tuple[str, ...]] = ("extras.labels",)

    with pytest.raises(PipelineError, match="no earlier analyser assigns"):
        Pipeline([NeedsExtra()])  # type: ignore[list-item]


def test_a_store_scheme_from_an_entry_point(plugins: dict[str, list[EntryPoint]], tmp_path: Path) -> None:
    plugins["escucha.stores"] = [_ep("toy", "toy_escucha_plugin:open_toy", "escucha.stores")]
    store = open_store(f"toy://{tmp_path / 'toy.duckdb'}")
    try:
        assert store.migrate() >= 1
        assert (tmp_path / "toy.duckdb").exists()
    finally:
        store.close()
    assert "toy" in STORES.names()


def test_a_store_missing_the_contract_fails_when_opened(plugins: dict[str, list[EntryPoint]]) -> None:
    plugins["escucha.stores"] = [_ep("nothing", "toy_escucha_plugin:open_nothing", "escucha.stores")]
    with pytest.raises(ConfigError, match=r"store of scheme 'nothing' \(object\) lacks \['add_quarantine'"):
        open_store("nothing://x")


def test_unknown_store_scheme_lists_the_known_ones() -> None:
    with pytest.raises(ConfigError, match=r"unknown store scheme 'mysql'; known: duckdb, postgres, postgresql"):
        open_store("mysql://host/db")


def test_a_plain_path_and_a_duckdb_url_open_duckdb(tmp_path: Path) -> None:
    for where in (str(tmp_path / "a.duckdb"), f"duckdb://{tmp_path / 'b.duckdb'}"):
        store = open_store(where)
        try:
            assert type(store).__name__ == "DuckDBStore" and store.migrate() >= 1
        finally:
            store.close()


def test_registry_basics() -> None:
    reg: Registry[Any] = Registry("shape", "escucha.tests.shapes")
    assert reg.register("square", 4) == 4
    reg.register("square", 4)  # the same object again is fine
    with pytest.raises(ConfigError, match="shape 'square' is already registered"):
        reg.register("square", 5)
    reg.register("square", 5, replace=True)
    assert reg.get("square") == 5 and reg.names() == ["square"] and "square" in reg
    with pytest.raises(ConfigError, match="unknown shape 'circle'; known: square"):
        reg.get("circle")
