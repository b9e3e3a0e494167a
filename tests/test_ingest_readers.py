"""Streaming readers: CSV, JSONL, Parquet, Excel, DataFrames and dicts."""

from __future__ import annotations

import csv
import json
from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from escucha.errors import MappingError
from escucha.ingest.readers import (
    BadRow,
    CSVReader,
    JSONLReader,
    detect_format,
    open_reader,
    sniff_delimiter,
)
from escucha.ingest.table_readers import ExcelReader, ParquetReader

DATA = Path(__file__).parent / "data" / "ingest"


def _good(records):
    return [(line, rec) for line, rec in records if not isinstance(rec, BadRow)]


def _bad(records):
    return [(line, rec) for line, rec in records if isinstance(rec, BadRow)]


def test_csv_quoted_newlines_report_physical_start_line(tmp_path: Path) -> None:
    p = tmp_path / "t.csv"
    p.write_bytes(
        b"id,text,score\r\n"
        b'1,"first line\nsecond line",5\r\n'
        b'2,"she said ""hi""",4\r\n'
        b"\r\n"
        b'3,"a\n\nb\nc",3\r\n'
        b"4,plain,2\r\n"
    )
    reader = CSVReader(p)
    recs = list(reader)
    assert reader.columns == ["id", "text", "score"]
    assert [line for line, _ in recs] == [2, 4, 6, 10]
    assert recs[0][1] == {"id": "1", "text": "first line\nsecond line", "score": "5"}
    assert recs[1][1]["text"] == 'she said "hi"'
    assert recs[2][1]["text"] == "a\n\nb\nc"
    assert reader.position == p.stat().st_size


def test_csv_bad_encoding_spoils_only_its_row(tmp_path: Path) -> None:
    p = tmp_path / "t.csv"
    p.write_bytes(
        "id;texto\n1;Buen servicio, volveré\n".encode()
        + b"2;Mala atenci\xf3n en recepci\xf3n\n"
        + "3;La habitación estaba limpia\n".encode()
    )
    recs = list(CSVReader(p))
    assert [rec["id"] for _, rec in _good(recs)] == ["1", "3"]
    [(line, bad)] = _bad(recs)
    assert line == 3
    assert bad.field == "texto"
    assert "invalid utf-8 bytes" in bad.reason and bad.reason.startswith("texto:")


def test_csv_wrong_column_count_and_truncated_last_record(tmp_path: Path) -> None:
    p = tmp_path / "t.csv"
    p.write_text(
        'id,text,score\n1,"ok",5\n2,"too many",4,extra\n3,short\n4,"ends mid quo',
        encoding="utf-8",
    )
    recs = list(CSVReader(p))
    assert [r["id"] for _, r in _good(recs)] == ["1"]
    bad = {line: r.reason for line, r in _bad(recs)}
    assert bad[3] == "wrong column count: expected 3 fields, found 4"
    assert bad[4] == "wrong column count: expected 3 fields, found 2"
    assert bad[5].startswith("truncated record")


def test_csv_unclosed_quote_does_not_swallow_the_rows_after_it(tmp_path: Path) -> None:
    p = tmp_path / "t.csv"
    p.write_text(
        'id,text,score\n1,"ok",5\n2,"unclosed quote,4\n3,fine,3\n4,"also fine",2\n'
        '5,"multi\nline",1\n',
        encoding="utf-8",
    )
    recs = list(CSVReader(p))
    assert [(line, r["id"]) for line, r in _good(recs)] == [(2, "1"), (4, "3"), (5, "4"), (6, "5")]
    [(line, bad)] = _bad(recs)
    assert line == 3 and bad.raw == '2,"unclosed quote,4\n'
    assert bad.reason.startswith("malformed CSV") and "lines after 3 are read again" in bad.reason


def test_csv_bom_and_sniffed_delimiters(tmp_path: Path) -> None:
    for delim in (";", "\t", ",", "|"):
        p = tmp_path / "d.csv"
        body = f'\ufeffnombre{delim}opinión\nAna{delim}"Genial, 10/10; repetiré"\n'
        p.write_text(body, encoding="utf-8")
        reader = CSVReader(p)
        recs = list(reader)
        assert reader.columns == ["nombre", "opinión"], delim
        assert recs == [(2, {"nombre": "Ana", "opinión": "Genial, 10/10; repetiré"})]
    assert sniff_delimiter('"a;b",c,d') == ","
    assert sniff_delimiter("solo") == ","


def test_csv_duplicate_and_empty_headers_are_made_unique(tmp_path: Path) -> None:
    p = tmp_path / "h.csv"
    p.write_text("text,text,\na,b,c\n", encoding="utf-8")
    reader = CSVReader(p)
    assert list(reader) == [(2, {"text": "a", "text_2": "b", "column_3": "c"})]


def test_csv_utf16_export(tmp_path: Path) -> None:
    p = tmp_path / "u.csv"
    p.write_bytes("texto\tnota\nMuy bien\t5\nRegular\t3\n".encode("utf-16"))
    assert [r for _, r in CSVReader(p)] == [
        {"texto": "Muy bien", "nota": "5"},
        {"texto": "Regular", "nota": "3"},
    ]


def test_survey_fixture_lines() -> None:
    recs = list(CSVReader(DATA / "survey_es.csv"))
    assert [line for line, _ in recs] == [2, 3, 5, 6, 7, 8, 9]
    assert recs[1][1]["Comentario"] == "Esperé 40 minutos\ny nadie me atendió. No vuelvo."
    assert isinstance(recs[5][1], BadRow)


def test_jsonl_bad_lines() -> None:
    reader = JSONLReader(DATA / "tickets.jsonl")
    recs = list(reader)
    assert len(recs) == 9  # the blank line is skipped
    bad = {line: r.reason for line, r in _bad(recs)}
    assert set(bad) == {7, 8}
    assert bad[7].startswith("bad JSON:")
    assert bad[8] == "bad JSON: expected an object, found list"
    assert _good(recs)[-1][0] == 10


def test_jsonl_bad_encoding(tmp_path: Path) -> None:
    p = tmp_path / "x.jsonl"
    p.write_bytes(b'{"text": "ok"}\n{"text": "caf\xe9"}\n{"text": "bien"}\n')
    recs = list(JSONLReader(p))
    assert [line for line, _ in _good(recs)] == [1, 3]
    assert "bad encoding" in _bad(recs)[0][1].reason


def test_parquet_round_trip(tmp_path: Path) -> None:
    df = pd.DataFrame(
        {
            "id": [1, 2, 3],
            "text": ["Great flight", "Lost my bag", None],
            "score": [9.0, 2.0, float("nan")],
            "when": pd.to_datetime(["2024-01-01 10:00", "2024-01-02 11:00", None]),
        }
    )
    p = tmp_path / "x.parquet"
    df.to_parquet(p)
    reader = ParquetReader(p, batch_size=2)
    recs = list(reader)
    assert reader.total == 3
    assert [line for line, _ in recs] == [1, 2, 3]
    assert recs[0][1]["text"] == "Great flight" and recs[0][1]["id"] == 1
    assert recs[0][1]["when"] == datetime(2024, 1, 1, 10, 0)
    assert recs[2][1]["text"] is None and recs[2][1]["score"] is None


def test_excel_round_trip(tmp_path: Path) -> None:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Respuestas"
    ws.append([])
    ws.append(["ID", "Comentario", "NPS", "Fecha"])
    ws.append(["a1", "Me encantó el trato", 10, datetime(2024, 5, 1, 9, 30)])
    ws.append(["a2", "Tardaron mucho", 3, datetime(2024, 5, 2, 14, 0)])
    ws.append(["a3", "Sobra", 5, None, "columna extra"])
    p = tmp_path / "x.xlsx"
    wb.save(p)
    recs = list(ExcelReader(p))
    assert recs[0] == (3, {"ID": "a1", "Comentario": "Me encantó el trato", "NPS": 10,
                           "Fecha": datetime(2024, 5, 1, 9, 30)})  # fmt: skip
    assert recs[1][0] == 4
    assert isinstance(recs[2][1], BadRow) and recs[2][0] == 5
    with pytest.raises(MappingError, match="no sheet 'Hoja2'"):
        list(ExcelReader(p, sheet="Hoja2"))


def test_dataframe_and_dicts() -> None:
    df = pd.DataFrame({"text": ["uno", "dos"], "n": [1, pd.NA]}).astype({"n": "Int64"})
    recs = list(open_reader(df))
    assert recs == [(1, {"text": "uno", "n": 1}), (2, {"text": "dos", "n": None})]
    it = open_reader(iter([{"text": "a"}, "nope"]))
    out = list(it)
    assert out[0] == (1, {"text": "a"})
    assert isinstance(out[1][1], BadRow)


def test_format_detection(tmp_path: Path) -> None:
    assert detect_format("a/b.CSV") == "csv"
    assert detect_format("x.jsonl.gz") == "jsonl"
    assert detect_format("x.xlsx") == "excel"
    with pytest.raises(MappingError, match="format"):
        detect_format("x.docx")
    p = tmp_path / "data.txt"
    p.write_text(json.dumps({"text": "hola"}) + "\n", encoding="utf-8")
    assert isinstance(open_reader(p, format="jsonl"), JSONLReader)
    with pytest.raises(MappingError, match="no such file"):
        open_reader(tmp_path / "missing.csv")


def test_gzip_csv(tmp_path: Path) -> None:
    import gzip

    p = tmp_path / "t.csv.gz"
    with gzip.open(p, "wt", encoding="utf-8") as fh:
        fh.write('text,n\n"hola\nmundo",1\n')
    assert list(open_reader(p)) == [(2, {"text": "hola\nmundo", "n": "1"})]


_cell = st.text(alphabet=st.sampled_from(list("ab ñé,;\t\"'\n\r|x1")), min_size=0, max_size=12)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=st.lists(st.lists(_cell, min_size=3, max_size=3), min_size=1, max_size=8),
       delim=st.sampled_from([",", ";", "\t"]))  # fmt: skip
def test_csv_reads_back_what_csv_writes(tmp_path: Path, rows: list[list[str]], delim: str) -> None:
    p = tmp_path / "h.csv"
    with p.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, delimiter=delim, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
        w.writerow(["a", "b", "c"])
        w.writerows(rows)
    reader = CSVReader(p, delimiter=delim)
    got = list(reader)
    want = rows
    assert [list(rec.values()) for _, rec in got] == want
    # each record starts on the physical line after the previous one ended
    line = 2
    for (start, _), r in zip(got, want, strict=True):
        assert start == line
        line = start + sum(c.count("\n") for c in r) + 1


def test_excel_with_characters_xml_forbids_is_read_past_them(tmp_path: Path) -> None:
    """Some tools write a lone surrogate or a control character into the sheet's XML (as a
    character reference XML forbids): the rows after it are read, the character becomes U+FFFD."""
    import pandas as pd

    p = tmp_path / "lax.xlsx"
    pd.DataFrame([{"id": "g0", "text": "antes"}, {"id": "x1", "text": "\ud800"},
                  {"id": "g1", "text": "después"}]).to_excel(p, index=False)  # fmt: skip
    recs = [r for _, r in ExcelReader(p)]
    assert [r["id"] for r in recs] == ["g0", "x1", "g1"]
    assert recs[1]["text"] == "\ufffd" and recs[2]["text"] == "después"
