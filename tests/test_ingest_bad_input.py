"""Bad input, one test per class (issue 15): a clear error naming file, line and field, and
nothing else lost; no traceback on the CLI, no 5xx on the API."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from typer.testing import CliRunner

from escucha.errors import EscuchaError, MappingError
from escucha.ingest import ingest, load_mapping
from escucha.ingest.readers import CSVReader, detect_encoding
from escucha.store.duckdb import DuckDBStore


@pytest.fixture()
def store(tmp_path: Path) -> DuckDBStore:
    s = DuckDBStore(tmp_path / "store.duckdb")
    s.migrate()
    return s


def _jsonl(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _good(i: int) -> str:
    return json.dumps({"id": f"g{i}", "text": f"good voice {i}"})


def _problems(store: DuckDBStore, path: Path) -> dict[int, tuple[Any, str]]:
    q = store.quarantine(str(path))
    return {
        int(r.line): (None if r.field != r.field else r.field, r.reason) for r in q.itertuples()
    }


def test_lone_surrogates_and_nul_are_quarantined_with_their_field(
    store: DuckDBStore, tmp_path: Path
) -> None:
    p = _jsonl(tmp_path / "s.jsonl", [
        _good(1),
        '{"id": "b1", "text": "bad \\ud800 text"}',
        '{"id": "b2", "text": "fine", "agent": "\\udfff"}',
        '{"id": "b3", "text": "fine", "metadata": {"deep": {"\\ud800": 1}}}',
        '{"id": "b4", "text": "fine", "product": "a\\u0000b"}',
        _good(2),
    ])  # fmt: skip
    s = ingest(store, p, "jsonl_feedback")
    assert (s.read, s.stored, s.quarantined) == (6, 2, 4)
    got = _problems(store, p)
    assert got[2][0] == "text" and "lone surrogate" in got[2][1]
    assert got[3][0] == "metadata.agent"
    assert got[4][0] == "metadata.deep"
    assert got[5][0] == "product" and "NUL" in got[5][1]
    assert set(store.items()["source_id"]) == {"g1", "g2"}
    raw = store.quarantine(str(p))["raw"].tolist()
    assert any("\\ud800" in r for r in raw)  # kept, escaped, so the store can hold it


def test_huge_integers_are_quarantined_not_the_batch(store: DuckDBStore, tmp_path: Path) -> None:
    p = tmp_path / "t.csv"
    p.write_text(
        "id,text,retweet_count\n1,a,3\n2,b,99999999999999999999\n3,c,7\n", encoding="utf-8"
    )
    m = {"columns": {"id": "id", "text": "text", "reach": "retweet_count"}}
    s = ingest(store, p, m)
    assert (s.stored, s.quarantined) == (2, 1)
    assert _problems(store, p)[3][0] == "reach" and "too large" in _problems(store, p)[3][1]
    j = _jsonl(tmp_path / "r.jsonl", [_good(1), '{"id": "x", "text": "t", "reach": 1e30}',
                                      '{"id": "y", "text": "t", "score": 1e400}', _good(2)])  # fmt: skip
    s = ingest(store, j, "jsonl_feedback")
    assert (s.stored, s.quarantined) == (2, 2)
    got = _problems(store, j)
    assert got[2][0] == "reach" and got[3] == (
        "metadata.score",
        "metadata.score: inf is not a finite number",
    )


def test_thousands_separators_are_read_as_thousands(store: DuckDBStore, tmp_path: Path) -> None:
    p = tmp_path / "t.csv"
    p.write_text('id,text,reach\n1,a,"1,000"\n2,b,1.000\n3,c,"12 345"\n4,d,"1,5"\n5,e,7\n',
                 encoding="utf-8")  # fmt: skip
    s = ingest(store, p, {"columns": {"id": "id", "text": "text", "reach": "reach"}})
    reach = store.items().set_index("source_id")["reach"].to_dict()
    assert reach == {"1": 1000, "2": 1000, "3": 12345, "5": 7}
    assert s.problems[0].line == 5 and s.problems[0].reason == "reach: 1,5 is not a whole number"


def test_calendar_edge_dates(store: DuckDBStore, tmp_path: Path) -> None:
    p = _jsonl(tmp_path / "d.jsonl", [
        _good(1),
        '{"id": "a", "text": "t", "timestamp": "9999-12-31 23:59:59 -0800"}',
        '{"id": "b", "text": "t", "timestamp": "0001-01-01T00:00:00+01:00"}',
        '{"id": "c", "text": "t", "timestamp": "9999-12-31T23:59:59+00:00"}',
    ])  # fmt: skip
    s = ingest(store, p, "jsonl_feedback")
    assert (s.stored, s.quarantined) == (2, 2)
    got = _problems(store, p)
    assert got[2][0] == got[3][0] == "timestamp" and "outside the calendar" in got[2][1]


def test_deep_json_is_a_bad_row(store: DuckDBStore, tmp_path: Path) -> None:
    deep = '{"id": "d", "text": "t", "m": ' + "[" * 100_000 + "]" * 100_000 + "}"
    mid = '{"id": "e", "text": "t", "m": ' + "[" * 500 + "]" * 500 + "}"
    p = _jsonl(tmp_path / "n.jsonl", [_good(1), deep, mid, _good(2)])
    s = ingest(store, p, "jsonl_feedback")
    assert (s.stored, s.quarantined) == (2, 2)
    got = _problems(store, p)
    assert "nested too deep" in got[2][1]
    assert got[3] == ("metadata.m", "metadata.m: nested deeper than 32 levels")
    rows = [{"text": "ok"}, {"text": "deep", "m": _nest(5000)}]
    s = ingest(store, rows, "jsonl_feedback", source_name="py")
    assert (s.stored, s.quarantined) == (1, 1)


def _nest(n: int) -> Any:
    v: Any = []
    for _ in range(n):
        v = [v]
    return v


@pytest.mark.parametrize("name", ["x.xlsx", "x.parquet", "x.csv.gz"])
def test_corrupt_binary_files_are_clear_errors(
    store: DuckDBStore, tmp_path: Path, name: str
) -> None:
    p = tmp_path / name
    p.write_bytes({"x.xlsx": b"PK\x03\x04not a zip", "x.parquet": b"PAR1junkPAR1",
                   "x.csv.gz": b"\x1f\x8b\x08\x00junk"}[name])  # fmt: skip
    with pytest.raises(MappingError, match=name.replace(".", r"\.")):
        ingest(store, p, "jsonl_feedback")


def test_truncated_gzip_keeps_the_rows_before_the_damage(
    store: DuckDBStore, tmp_path: Path
) -> None:
    body = "id,text\n" + "".join(f"{i},voice number {i}\n" for i in range(3000))
    data = gzip.compress(body.encode())
    p = tmp_path / "t.csv.gz"
    p.write_bytes(data[: len(data) * 2 // 3])
    s = ingest(store, p, "jsonl_feedback")
    assert s.stored > 100 and s.quarantined >= 1
    assert "corrupt or truncated gzip" in s.problems[-1].reason
    assert s.read == s.stored + s.quarantined


def test_corrupt_excel_sheet_and_parquet_batch_keep_the_good_rows(
    store: DuckDBStore, tmp_path: Path
) -> None:
    import zipfile

    src = tmp_path / "ok.xlsx"
    pd.DataFrame({"text": [f"v{i}" for i in range(50)]}).to_excel(src, index=False)
    bad = tmp_path / "bad.xlsx"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(bad, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data[: len(data) // 2]  # cut mid-sheet
            zout.writestr(item, data)
    s = ingest(store, bad, "jsonl_feedback")
    assert s.stored > 0 and s.read == s.stored + s.quarantined
    assert any("corrupt sheet data" in p.reason for p in s.problems)


def test_bare_cr_ends_a_record(store: DuckDBStore, tmp_path: Path) -> None:
    p = tmp_path / "cr.csv"
    p.write_bytes(b'id,text\r\n1,one\r2,two\r\n3,"quoted\rinside"\r\n4,four\r5,five')
    recs = list(CSVReader(p))
    assert [r["id"] for _, r in recs] == ["1", "2", "3", "4", "5"]
    assert recs[2][1]["text"] == "quoted\rinside"
    s = ingest(store, p, "jsonl_feedback")
    assert (s.read, s.stored, s.quarantined) == (5, 5, 0)


def test_non_utf8_files_are_detected_or_read_as_told(store: DuckDBStore, tmp_path: Path) -> None:
    body = "id;texto\n1;Mala atención en recepción\n2;Sí señor, el baño estaba sucio\n3;Ñandú, año, €\n"
    p = tmp_path / "latin.csv"
    p.write_bytes(body.encode("cp1252"))
    assert detect_encoding(p) == "cp1252"
    s = ingest(store, p, {"columns": {"id": "id", "text": "texto"}})
    assert (s.stored, s.quarantined, s.encoding, s.encoding_detected) == (3, 0, "cp1252", True)
    assert "Ñandú, año, €" in set(store.items()["text"])
    # told explicitly: no detection, and rows in another encoding are bad rows
    s2 = ingest(store, p, {"columns": {"id": "id", "text": "texto"}, "encoding": "utf-8"},
                source_name="again")  # fmt: skip
    assert (s2.quarantined, s2.encoding, s2.encoding_detected) == (3, "utf-8", False)
    # a UTF-8 file with one bad line stays UTF-8
    mixed = tmp_path / "mixed.csv"
    mixed.write_bytes("id;texto\n1;canción\n".encode() + b"2;mal\xf3\n" + "3;piñata\n".encode())
    assert detect_encoding(mixed) == "utf-8"
    with pytest.raises(MappingError, match="unknown encoding 'klingon'"):
        load_mapping({"encoding": "klingon"})


def test_silent_mapping_mistakes_are_errors_or_warnings(store: DuckDBStore, tmp_path: Path) -> None:
    p = _jsonl(
        tmp_path / "c.jsonl", ['{"id": "a", "text": "x", "created_at": "2024-01-02T03:04:05Z"}']
    )
    ingest(store, p, "jsonl_feedback")
    assert str(store.items()["timestamp"][0]).startswith("2024-01-02 03:04:05")
    csv = tmp_path / "c.csv"
    csv.write_text("opinion,fecha\nhola,2024-01-01\n", encoding="utf-8")
    with pytest.raises(
        MappingError, match=r"no column for timestamp \(tried 'nope'\).*'opinion', 'fecha'"
    ):
        ingest(store, csv, {"columns": {"text": "opinion", "timestamp": "nope"}})
    s = ingest(store, p, {"columns": {"text": "text", "timestamp": "nope"}}, source_name="j")
    assert s.warnings == ["no record has the column 'nope' mapped to timestamp"]
    with pytest.raises(MappingError, match="is a directory"):
        ingest(store, tmp_path, "jsonl_feedback")


def test_every_field_problem_names_its_field_and_no_at_at(
    store: DuckDBStore, tmp_path: Path
) -> None:
    p = tmp_path / "e.jsonl"
    p.write_bytes(
        '{"text": "canción"}\n'.encode() + b'{"text": "caf\xe9", "n": 1}\n{"text": "unterminated'
    )
    s = ingest(store, p, "jsonl_feedback", source_name="e")
    got = {q.line: (q.field, q.reason) for q in s.problems}
    assert got[2][0] == "text" and "bad encoding" in got[2][1]
    assert got[3] == (None, "bad JSON: Unterminated string starting at column 10")


def test_identity_does_not_depend_on_path_or_source_name(
    store: DuckDBStore, tmp_path: Path
) -> None:
    body = "response_id;comment;nps\nr-1;Todo bien;9\nr-2;Todo bien;9\nr-3;Lento;3\n"
    a, b = tmp_path / "export.csv", tmp_path / "upload_copy.csv"
    a.write_text(body, encoding="utf-8")
    b.write_text(body, encoding="utf-8")
    first = ingest(store, a, "survey")
    assert first.stored == 3  # same text, different respondents: both kept
    for path, name in ((b, None), (a, "crm"), (b, "upload_copy")):
        again = ingest(store, path, "survey", source_name=name)
        assert (again.stored, again.duplicates) == (0, 3), name
    assert store.counts()["items"] == 3
    assert sorted(store.items()["id"]) == ["survey:r-1", "survey:r-2", "survey:r-3"]  # ids kept


def test_cli_errors_are_clean_and_name_the_problem(tmp_path: Path) -> None:
    from escucha.cli import app

    runner = CliRunner()
    good = tmp_path / "g.csv"
    good.write_text("id,text\n1,hola\n", encoding="utf-8")
    afile = tmp_path / "afile"
    afile.write_text("x", encoding="utf-8")
    ws = str(tmp_path / "ws")
    cases = {
        ("--workspace", str(afile), "ingest", str(good), "--text-col", "text"): "workspace",
        ("--workspace", str(afile / "sub"), "ingest", str(good), "--text-col", "text"): "workspace",
        ("--workspace", ws, "ingest", str(tmp_path), "--text-col", "text"): "is a directory",
        ("--workspace", ws, "ingest", str(good), "--text-col", "nope"): "no column for text",
        (
            "--workspace",
            ws,
            "ingest",
            str(good),
            "--text-col",
            "text",
            "--time-col",
            "nope",
        ): "'nope'",
        (
            "--workspace",
            ws,
            "ingest",
            str(good),
            "--text-col",
            "text",
            "--encoding",
            "klingon",
        ): "klingon",
    }
    for args, needle in cases.items():
        res = runner.invoke(app, list(args))
        assert isinstance(res.exception, EscuchaError), (args, res.exception)
        assert needle in str(res.exception), (args, str(res.exception))
    latin = tmp_path / "latin.csv"
    latin.write_bytes("id,text\n1,Atención\n".encode("cp1252"))
    res = runner.invoke(app, ["--workspace", ws, "ingest", str(latin), "--text-col", "text"])
    assert res.exit_code == 0 and "read as cp1252 (detected)" in res.output
