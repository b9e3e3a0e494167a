"""Insight results stored after analysis (pages read them; a change of data, configuration or
curation rebuilds them), one plan item per cause, undated voices outside every week, guidance
where the configuration is missing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from escucha.insights import stored
from escucha.insights.plan_merge import merge_causes, overlap
from test_api import H, build_workspace, make_client


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, dict[str, str]]:
    return build_workspace(tmp_path_factory.mktemp("stored") / "ws")  # type: ignore[no-any-return]


def test_precompute_stores_every_page_result_and_pages_read_them(setup: Any) -> None:
    from escucha.http.insight_cache import precompute

    ws, tokens = setup
    took = precompute(ws)
    docs = ws.store.get_docs(stored.KIND)
    key = stored.version_key(ws.context)
    for name in ("plan:20", "ideas:20", "journey", "promises", "segments", "section:drivers"):
        assert docs[name]["key"] == key, name
    assert "chart:journey:es" in took and "chart:journey:en" in took
    assert stored.precompute(ws.context) == {}  # all current: nothing rebuilt
    # a page answers from the store: plant a marker in the stored plan and see it served
    plan = docs["plan:20"]["data"]
    marked = [{**plan[0], "title": "ZZ stored item"}, *plan[1:]] if plan else [{"id": "x", "title": "ZZ stored item"}]
    ws.store.put_docs(stored.KIND, {"plan:20": {**docs["plan:20"], "data": marked}})
    c = make_client(ws)
    got = c.get("/api/v1/plan", headers=H(tokens, "viewer")).json()["plan"]
    assert got[0]["title"] == "ZZ stored item"
    # new data moves the key: the stored result is ignored and rebuilt
    ws.add([{"id": "late-1", "channel": "review", "text": "El repartidor no vino y nadie avisó.",
             "timestamp": "2024-03-20T10:00:00Z"}])  # fmt: skip
    ws.analyze()
    assert stored.version_key(ws.context) != key
    c2 = make_client(ws)
    again = c2.get("/api/v1/plan", headers=H(tokens, "viewer")).json()["plan"]
    assert all(p.get("title") != "ZZ stored item" for p in again)
    assert ws.store.get_docs(stored.KIND)["plan:20"]["key"] == stored.version_key(ws.context)


def test_curation_and_configuration_move_the_key(setup: Any) -> None:
    ws, _ = setup
    key = stored.version_key(ws.context)
    ws.layout.promises.write_text("promises: []\n", encoding="utf-8")
    try:
        assert stored.version_key(ws.context) != key
    finally:
        ws.layout.promises.unlink()
    assert stored.version_key(ws.context) == key
    ws.store.put_docs("idea_status", {"idea-1": {"status": "planned"}})
    try:
        assert stored.version_key(ws.context) != key
    finally:
        ws.store.delete_docs("idea_status")


def test_no_promises_page_says_how_to_declare_them(setup: Any) -> None:
    from test_api import login

    ws, _ = setup
    assert not ws.layout.promises.exists()
    c = make_client(ws)
    login(c, "analyst1")  # English
    html = c.get("/promises").text
    assert 'id="promises-howto"' in html and "promises.yaml" in html and "Declare your brand" in html
    assert "keywords:" in html


def test_undated_voices_are_in_no_week(tmp_path: Path) -> None:
    import escucha

    ws = escucha.open(tmp_path / "ws")
    ws.add([{"id": f"d{i}", "channel": "review", "text": "Muy bien, todo perfecto.",
             "timestamp": f"2024-01-0{1 + i % 7}T10:00:00Z"} for i in range(20)]
           + [{"id": f"u{i}", "channel": "review", "text": "Fatal, no vuelvo."} for i in range(30)])  # fmt: skip
    ws.analyze()
    weekly = ws.metrics(period="week")
    assert int(weekly["volume"].sum()) == 20  # the 30 undated voices are in no week
    assert weekly.attrs["undated"] == 30
    assert weekly["week"].notna().all()


def _x(kind: str, key: str, score: float, ids: range) -> dict[str, Any]:
    return {"p": {"kind": kind, "key": key, "label": key}, "score": score, "flagged": {f"v{i}" for i in ids}}


def test_views_of_one_cause_merge_and_distinct_problems_stay_apart() -> None:
    assert overlap({"a", "b"}, {"b", "c", "d"}) == 0.5 and overlap(set(), {"a"}) == 0.0
    scored = [
        _x("aspect", "delivery", 70, range(0, 300)),
        _x("promise", "entrega_24h", 50, range(100, 260)),  # all inside delivery's voices
        _x("theme", "esperando", 45, range(150, 250)),
        _x("aspect", "price", 40, range(900, 1000)),  # another cause
        _x("aspect", "waiting", 60, range(0, 150)),  # aspects need the stricter overlap: 100%
    ]
    merged = merge_causes(scored, n_voices=2000)
    assert [m["p"]["key"] for m in merged] == ["delivery", "price"]
    parts = [(m["kind"], m["key"]) for m in merged[0]["members"]]
    assert parts[0] == ("aspect", "delivery") and {k for _, k in parts} == {"delivery", "waiting", "entrega_24h", "esperando"}
    assert len(merged[0]["flagged"]) == 300
    # chance overlap (a problem everybody mentions) is no shared cause
    common = [_x("aspect", "everything", 90, range(0, 1800)), _x("theme", "small", 30, range(0, 100))]
    assert len(merge_causes(common, n_voices=2000)) == 2


def test_a_result_that_failed_after_analysis_fails_at_once_until_the_key_moves(setup: Any) -> None:
    ws, tokens = setup
    ctx = ws.context
    key = stored.version_key(ctx)
    calls: list[str] = []

    def broken(_: Any) -> Any:
        calls.append("built")
        raise MemoryError

    real = stored.builders
    stored.builders = lambda: {**real(), "segments": broken}  # type: ignore[assignment]
    try:
        ws.store.delete_docs(stored.KIND, ["segments"])
        took = stored.precompute(ctx, ["segments"])
        assert took == {} and calls == ["built"]
        assert ws.store.get_docs(stored.KIND)["segments"] == {"key": key, "failed": "MemoryError",
                                                             "seconds": pytest.approx(0, abs=5)}  # fmt: skip
        with pytest.raises(stored.ResultFailed, match="segments could not be computed"):
            stored.load(ctx, "segments", key)
        r = make_client(ws).get("/api/v1/segments", headers=H(tokens, "viewer"))
        assert r.status_code == 503 and calls == ["built"]  # answered at once, not built again
        assert stored.precompute(ctx, ["segments"], retry_failed=False) == {} and calls == ["built"]  # the server's
        stored.precompute(ctx, ["segments"])  # ``escucha analyze`` tries again
        assert calls == ["built", "built"] and ws.store.get_docs(stored.KIND)["segments"]["failed"] == "MemoryError"
    finally:
        stored.builders = real  # type: ignore[assignment]
        ws.store.delete_docs(stored.KIND, ["segments"])
