"""Scale-out analysis on a real dask LocalCluster (2 worker processes): same results as one process."""

from __future__ import annotations

import csv
import itertools
import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import escucha
from escucha.distributed.files import read_csv_range, read_lines_range, record_ranges

pytest.importorskip("distributed")

DEMO = ("reviews", "nps_survey", "social")


# -- no cluster: cutting files at record boundaries -----------------------------------------------
TRICKY = [
    {"id": "1", "text": 'Dijo "hola"\ny se fue', "n": "3"},
    {"id": "2", "text": "línea uno\r\nlínea dos\n\nlínea cuatro", "n": ""},
    {"id": "3", "text": 'comillas ""dobles"" y, comas', "n": "5"},
    {"id": "4", "text": "simple", "n": "1"},
    {"id": "5", "text": '"\n"', "n": "2"},
]


def _write_csv(path: Path, rows: list[dict[str, Any]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)


def test_csv_ranges_never_split_a_quoted_field(tmp_path: Path) -> None:
    path = tmp_path / "tricky.csv"
    _write_csv(path, TRICKY * 3)
    size = path.stat().st_size
    for blocksize in (1, 2, 7, 19, 40, 64, size // 2, size, 10 * size):
        header, ranges = record_ranges(path, blocksize, quotes=True)
        assert header.startswith(b"id,text,n")
        assert ranges[0][0] == len(header) and ranges[-1][1] == size
        assert all(a < b and b == c for (a, b), (c, _) in itertools.pairwise(ranges))
        records = [json.loads(s) for a, b in ranges
                   for s in read_csv_range(str(path), a, b, header, ",", "utf-8")["_record"]]  # fmt: skip
        assert records == TRICKY * 3, blocksize


def test_jsonl_ranges_keep_every_line(tmp_path: Path) -> None:
    path = tmp_path / "x.jsonl"
    rows = [{"id": i, "text": f"texto {i} con \\n escapado"} for i in range(50)]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n\n", encoding="utf-8")
    for blocksize in (1, 33, 500, 10_000):
        _, ranges = record_ranges(path, blocksize, quotes=False)
        lines = [
            s for a, b in ranges for s in read_lines_range(str(path), a, b, "utf-8")["_record"]
        ]
        assert [json.loads(s) for s in lines] == rows


# -- on a LocalCluster ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def demo_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    from escucha.demo.generator import generate, mappings

    paths = generate(tmp_path_factory.mktemp("demo"), n=1000)
    return {"paths": paths, "maps": mappings()}


@pytest.fixture(scope="module")
def client():
    from escucha.distributed import connect

    with connect(2) as c:
        yield c


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory, demo_files: dict[str, Any]):
    """A workspace analysed the usual way, in this process."""
    ws = escucha.open(tmp_path_factory.mktemp("ref") / "ws")
    for k in DEMO:
        ws.ingest(demo_files["paths"][k], demo_files["maps"][k])
    ws.analyze()
    return ws


def _snapshot(ws: escucha.Workspace) -> dict[str, pd.DataFrame]:
    """Everything analysis stores, in a comparable order."""
    items = ws.items(limit=None).sort_values("id").reset_index(drop=True)
    sents = ws.store.sentences().sort_values(["item_id", "idx"]).reset_index(drop=True)
    aspects = ws.aspects()
    aspects = aspects.sort_values(list(aspects.columns[:3])).reset_index(drop=True)
    return {"items": items, "sentences": sents, "aspects": aspects}


def _assert_same(a: escucha.Workspace, b: escucha.Workspace) -> None:
    sa, sb = _snapshot(a), _snapshot(b)
    for name in sa:
        drop = [c for c in sa[name].columns if c.endswith("_at")]
        pd.testing.assert_frame_equal(sa[name].drop(columns=drop), sb[name].drop(columns=drop))


@pytest.mark.slow
def test_workspace_mode_equals_single_process_and_resumes(
    tmp_path: Path, demo_files: dict[str, Any], client: Any, reference: escucha.Workspace
) -> None:
    from escucha.distributed import analyse_store_distributed

    ws = escucha.open(tmp_path / "ws")
    for k in DEMO:
        ws.ingest(demo_files["paths"][k], demo_files["maps"][k])
    total = ws.pending()
    assert total > 400
    seen: list[tuple[int, int]] = []
    part = analyse_store_distributed(
        ws, client=client, batch_size=40, max_in_flight=3, limit=130,
        progress=lambda d, t: seen.append((d, t)),
    )  # fmt: skip
    assert part.analysed == 130 and ws.pending() == total - 130  # stopped midway: the rest waits
    assert seen[-1] == (130, 130) and len(seen) == 4
    rest = analyse_store_distributed(ws, client=client, batch_size=40, max_in_flight=3)
    assert rest.analysed == total - 130 and rest.failed == 0 and ws.pending() == 0
    _assert_same(reference, ws)
    again = analyse_store_distributed(ws, client=client)
    assert again.analysed == 0 and again.pending_before == 0


@pytest.mark.slow
def test_workers_with_another_pipeline_version_are_refused(tmp_path: Path, client: Any) -> None:
    from escucha.distributed import PipelineSpec, analyse_store_on
    from escucha.errors import PipelineError

    ws = escucha.open(tmp_path / "ws")
    ws.add([{"id": "a", "channel": "review", "text": "Muy buen servicio"}])
    spec = PipelineSpec.of_workspace(ws).with_version(ws.pipeline.version)
    with pytest.raises(PipelineError, match="differs"):
        analyse_store_on(client, ws.store, PipelineSpec(spec.names, spec.config, "0" * 12))
    with pytest.raises(PipelineError, match="unknown analyser"):
        analyse_store_on(client, ws.store, PipelineSpec(("language", "nonsense")))
    assert ws.pending() == 1


@pytest.mark.slow
def test_file_mode_csv_writes_rows_that_attach_to_a_workspace(
    tmp_path: Path, demo_files: dict[str, Any], client: Any, reference: escucha.Workspace
) -> None:
    from escucha.distributed import PipelineSpec, analyse_file, attach_analyses, read_analyses

    src = tmp_path / "reviews.csv"
    with demo_files["paths"]["reviews"].open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    rows[3]["text"] = 'Primera línea.\nSegunda línea, con "comillas".\n\nFin.'
    rows[5]["text"] = ""  # not a voice: reported, not analysed
    _write_csv(src, rows)
    with src.open("a", encoding="utf-8") as fh:
        fh.write("R999999,2024-05-01,5\n")  # wrong column count
    mapping = demo_files["maps"]["reviews"]
    out = tmp_path / "out"
    ws = escucha.open(tmp_path / "ws")
    ws.ingest(src, mapping)  # first, so the workspace chooses its domain packs from these voices
    summary = analyse_file(src, out, mapping, client=client, blocksize="4KB",
                           spec=PipelineSpec.of_workspace(ws))  # fmt: skip
    assert summary.partitions > 4
    assert (summary.rows, summary.analysed, summary.errors) == (len(rows) + 1, len(rows) - 1, 2)
    df = read_analyses(out)
    assert list(df.columns)[:9] == ["id", "source_id", "language", "sentiment", "sentiment_score",
                                    "dominant_emotion", "aspects", "intents", "urgency"]  # fmt: skip
    errors = sorted(df["error"].dropna())
    assert errors[0].startswith("text: missing") and errors[1].startswith("wrong column count")

    assert set(df["id"].dropna()) == set(ws.items(limit=None)["id"])
    att = attach_analyses(ws, out)
    assert (att.attached, att.pending_after, att.other_version) == (len(rows) - 1, 0, 0)
    # same analyses as the single-process path, for the unchanged rows
    mine = ws.items(limit=None).set_index("id")
    ref = reference.items(limit=None).set_index("id")
    same = [i for i in mine.index if i not in ("lumen_reviews:" + rows[3]["review_id"],)]
    cols = ["language", "sentiment", "sentiment_score", "dominant_emotion", "urgency"]
    pd.testing.assert_frame_equal(mine.loc[same, cols], ref.loc[same, cols])
    flat = df.set_index("id").loc[same]
    assert (flat["sentiment"] == ref.loc[same, "sentiment"]).all()
    assert [list(x) for x in flat["intents"]] == [list(x) for x in ref.loc[same, "intents"]]
    multi = ws.store.sentences()
    assert (multi["item_id"] == "lumen_reviews:" + rows[3]["review_id"]).sum() >= 3


@pytest.mark.slow
def test_file_mode_jsonl_and_parquet(
    tmp_path: Path, demo_files: dict[str, Any], client: Any, reference: escucha.Workspace
) -> None:
    from escucha.distributed import analyse_file, read_analyses
    from escucha.errors import ConfigError, MappingError

    social = demo_files["paths"]["social"]
    n = sum(1 for line in social.read_text(encoding="utf-8").splitlines() if line.strip())
    s = analyse_file(social, tmp_path / "social", demo_files["maps"]["social"], client=client,
                     blocksize=5000)  # fmt: skip
    assert (s.rows, s.analysed, s.errors) == (n, n, 0) and s.partitions > 2
    ref = reference.items(limit=None).set_index("id")
    df = read_analyses(tmp_path / "social").set_index("id")
    assert (df["sentiment"] == ref.loc[df.index, "sentiment"]).all()

    pq = tmp_path / "reviews.parquet"
    pd.read_csv(demo_files["paths"]["reviews"], dtype=str, keep_default_na=False).to_parquet(pq)
    pq_map = {**demo_files["maps"]["reviews"], "format": "parquet"}
    p = analyse_file(pq, tmp_path / "pq", pq_map, client=client)
    assert p.partitions >= 2 and p.errors == 0
    ids = read_analyses(tmp_path / "pq")["id"]
    assert set(ids) == {i for i in ref.index if i.startswith("lumen_reviews:")}

    with pytest.raises(ConfigError, match="exists"):
        analyse_file(pq, tmp_path / "pq", pq_map, client=client)
    with pytest.raises(MappingError, match="no column for text"):
        analyse_file(demo_files["paths"]["reviews"], tmp_path / "bad", {"columns": {"text": "x"}},
                     client=client)  # fmt: skip


def test_cli_file_attach_stores_every_voice_with_the_workspace_pipeline(
    tmp_path: Path, demo_files: dict[str, Any], client: Any
) -> None:
    import yaml
    from typer.testing import CliRunner

    from escucha.cli import app

    mapping = tmp_path / "reviews.yaml"
    mapping.write_text(yaml.safe_dump(demo_files["maps"]["reviews"]), encoding="utf-8")
    ws_dir = tmp_path / "ws"
    res = CliRunner().invoke(app, [
        "scale", "file", str(demo_files["paths"]["reviews"]), "--out", str(tmp_path / "out"),
        "--mapping", str(mapping), "--workspace", str(ws_dir), "--attach",
        "--scheduler", client.scheduler.address, "--json",
    ])  # fmt: skip
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    stored = out["ingest"]["stored"]
    assert stored > 100 and out["attach"] == {"attached": stored, "pending_after": 0}
    ws = escucha.open(ws_dir)
    assert ws.store.count_pending(ws.pipeline.version) == 0
