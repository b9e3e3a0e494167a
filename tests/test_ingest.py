"""Mappings, validation and ``ingest`` into a real DuckDB store."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest

from escucha.errors import MappingError
from escucha.ingest import (
    IngestProgress,
    Mapping,
    ingest,
    list_presets,
    load_mapping,
    load_preset,
    mapping_from_flags,
)
from escucha.ingest.validate import Converter
from escucha.models import Feedback
from escucha.store.base import QuarantineRow
from escucha.store.duckdb import DuckDBStore

DATA = Path(__file__).parent / "data" / "ingest"


@pytest.fixture()
def store(tmp_path: Path) -> DuckDBStore:
    s = DuckDBStore(tmp_path / "store.duckdb")
    s.migrate()
    return s


def _convert(mapping: Mapping, record: dict) -> Feedback | QuarantineRow:
    return Converter(mapping, origin="test.csv", source="test").convert(7, record)


# -- mappings --------------------------------------------------------------------------------
def test_presets_are_the_contract() -> None:
    names = list_presets()
    for required in ("us_airline_tweets", "cuba_hotels_es", "survey", "tickets"):
        assert required in names
    for name in names:
        m = load_preset(name)
        assert m.name == name


def test_mapping_errors_name_the_key(tmp_path: Path) -> None:
    with pytest.raises(MappingError, match=r"columns\.texto: not a Feedback field"):
        load_mapping({"columns": {"texto": "opinion"}})
    with pytest.raises(MappingError, match=r"constants\.channel: 'fax' is not a channel"):
        load_mapping({"constants": {"channel": "fax"}})
    with pytest.raises(MappingError, match="unknown time zone 'Mars/Olympus'"):
        load_mapping({"timezone": "Mars/Olympus"})
    with pytest.raises(MappingError, match="no preset 'nope'"):
        load_mapping("nope")
    bad = tmp_path / "m.yaml"
    bad.write_text("columns: [unclosed", encoding="utf-8")
    with pytest.raises(MappingError, match="not valid YAML"):
        load_mapping(bad)


def test_mapping_yaml_round_trip(tmp_path: Path) -> None:
    m = Mapping(
        columns={"text": "opinion", "rating": "class"},
        constants={"channel": "review", "language": "es"},
        value_maps={"rating": {"excelente": 5, "malo": 1}},
        metadata=["date"],
    )
    p = tmp_path / "hoteles.yaml"
    p.write_text(m.to_yaml(), encoding="utf-8")
    loaded = load_mapping(p)
    assert loaded.name == "hoteles"
    assert loaded.columns == m.columns and loaded.value_maps == m.value_maps


def test_mapping_from_flags() -> None:
    m = mapping_from_flags(text_col="opinion", time_col="date", channel="review",
                           date_format="%d/%m/%Y", metadata="hotel,city")  # fmt: skip
    assert m.columns == {"text": "opinion", "timestamp": "date"}
    assert m.constants == {"channel": "review"}
    assert m.metadata == ["hotel", "city"] and m.date_formats == ["%d/%m/%Y"]
    item = _convert(m, {"opinion": "Bien", "date": "01/02/2024", "hotel": "Sol", "city": "Vigo"})
    assert isinstance(item, Feedback)
    assert item.timestamp == datetime(2024, 2, 1, tzinfo=UTC)
    assert item.metadata == {"hotel": "Sol", "city": "Vigo"}
    # on top of a preset
    m2 = mapping_from_flags(base="cuba_hotels_es", text_col="review_body")
    assert m2.columns["text"] == "review_body" and m2.constants["language"] == "es"


# -- validation ------------------------------------------------------------------------------
def test_scores_out_of_range_are_named() -> None:
    m = Mapping(columns={"text": "c", "nps": "n", "csat": "s", "ces": "e", "rating": "r"})
    cases = {
        ("11", "", "", ""): "nps: 11 is out of range 0–10",
        ("", "0", "", ""): "csat: 0 is out of range 1–5",
        ("", "", "8", ""): "ces: 8 is out of range 1–7",
        ("", "", "", "5,5"): "rating: 5,5 is out of range 1–5",
        ("7.5", "", "", ""): "nps: 7.5 is not a whole number",
        ("diez", "", "", ""): "nps: 'diez' is not a number",
    }
    for (n, s, e, r), reason in cases.items():
        out = _convert(m, {"c": "Texto", "n": n, "s": s, "e": e, "r": r})
        assert isinstance(out, QuarantineRow), reason
        assert out.reason == reason
        assert out.field == reason.split(":")[0]
        assert out.line == 7 and out.source == "test.csv"
        assert json.loads(out.raw)["c"] == "Texto"
    ok = _convert(m, {"c": "Texto", "n": "10", "s": "5", "e": "1", "r": "4,5"})
    assert isinstance(ok, Feedback)
    assert (ok.nps, ok.csat, ok.ces, ok.rating) == (10, 5, 1, 4.5)


def test_text_missing_and_bad_channel() -> None:
    m = Mapping(columns={"text": "body", "channel": "via"})
    out = _convert(m, {"body": "   ", "via": "chat"})
    assert isinstance(out, QuarantineRow)
    assert out.reason == "text: missing (column 'body' is empty)"
    out = _convert(m, {"body": "Hola", "via": "paloma"})
    assert isinstance(out, QuarantineRow) and out.field == "channel"
    assert _convert(m, {"body": "Hola", "via": "Phone"}).channel == "call"  # type: ignore[union-attr]


def test_dates_formats_timezone_and_on_bad_date() -> None:
    m = Mapping(columns={"text": "t", "timestamp": "d"}, date_formats=["%d/%m/%Y %H:%M"],
                timezone="Europe/Madrid")  # fmt: skip
    item = _convert(m, {"t": "x", "d": "01/07/2024 12:00"})
    assert item.timestamp == datetime(2024, 7, 1, 10, 0, tzinfo=UTC)  # type: ignore[union-attr]
    # ISO with an offset keeps its own zone
    item = _convert(m, {"t": "x", "d": "2024-07-01T12:00:00+00:00"})
    assert item.timestamp == datetime(2024, 7, 1, 12, 0, tzinfo=UTC)  # type: ignore[union-attr]
    # the tweets' format is among the fallbacks
    item = _convert(Mapping(columns={"text": "t", "timestamp": "d"}),
                    {"t": "x", "d": "2015-02-24 11:35:52 -0800"})  # fmt: skip
    assert item.timestamp == datetime(2015, 2, 24, 19, 35, 52, tzinfo=UTC)  # type: ignore[union-attr]
    bad = _convert(m, {"t": "x", "d": "review Yesterday"})
    assert isinstance(bad, QuarantineRow) and bad.field == "timestamp"
    assert bad.reason == "timestamp: 'review Yesterday' is not a date (expected %d/%m/%Y %H:%M)"
    lenient = m.merged(on_bad_date="null")
    item = _convert(lenient, {"t": "x", "d": "review Yesterday"})
    assert isinstance(item, Feedback) and item.timestamp is None


def test_value_maps_metadata_rest_and_customers() -> None:
    m = Mapping(
        columns={"text": "comment", "rating": "stars", "customer_id": "email"},
        value_maps={"rating": {"Excellent": 5, "good": 4, "poor": 1}},
        metadata="rest",
        customer_name="name",
        customer_attributes={"segment": "tier"},
    )
    conv = Converter(m, origin="x", source="shop")
    rec = {"comment": "Fast delivery", "stars": "EXCELLENT", "email": "ana@example.com",
           "name": "Ana", "tier": "gold", "order": "A-1"}  # fmt: skip
    item = conv.convert(2, rec)
    assert isinstance(item, Feedback)
    assert item.rating == 5 and item.source == "shop"
    assert item.metadata == {"order": "A-1"}
    cust = conv.customer(item, rec)
    assert cust is not None
    assert (cust.id, cust.name, cust.attributes) == ("ana@example.com", "Ana", {"segment": "gold"})


def test_redact_hook_changes_text_before_hashing() -> None:
    m = Mapping(columns={"text": "t"})
    conv = Converter(m, origin="x", source="s", redact=lambda s: s.replace("600 123 456", "[TEL]"))
    item = conv.convert(1, {"t": "Llamadme al 600 123 456"})
    assert isinstance(item, Feedback) and item.text == "Llamadme al [TEL]"


def test_missing_text_column_is_a_mapping_error(store: DuckDBStore, tmp_path: Path) -> None:
    p = tmp_path / "x.csv"
    p.write_text("review,stars\nGood,5\n", encoding="utf-8")
    with pytest.raises(MappingError, match=r"no column for text \(tried 'opinion'\).*'review'"):
        ingest(store, p, {"columns": {"text": "opinion"}})


# -- ingest ----------------------------------------------------------------------------------
def test_survey_preset_on_spanish_semicolon_csv(store: DuckDBStore) -> None:
    events: list[IngestProgress] = []
    s = ingest(store, DATA / "survey_es.csv", "survey", progress=events.append, batch_size=2)
    assert (s.read, s.stored, s.quarantined, s.duplicates) == (7, 3, 4, 0)
    problems = {p.line: (p.field, p.reason) for p in s.problems}
    assert problems[5] == ("nps", "nps: 11 is out of range 0–10")
    assert problems[6][0] == "text"
    assert problems[7] == ("timestamp", "timestamp: 'ayer' is not a date")
    assert problems[8][1] == "wrong column count: expected 6 fields, found 5"
    assert all(p.source == str(DATA / "survey_es.csv") for p in s.problems)
    assert events and events[-1].done == events[-1].total and events[-1].unit == "bytes"
    items = store.items().set_index("source_id")
    assert set(items.index) == {"r-001", "r-002", "r-007"}
    r2 = items.loc["r-002"]
    assert r2["text"] == "Esperé 40 minutos\ny nadie me atendió. No vuelvo."
    assert r2["nps"] == 2 and r2["channel"] == "survey" and r2["location"] == "Sevilla"
    assert json.loads(r2["metadata"]) == {"Segmento": "plata"}
    assert pd.Timestamp(r2["timestamp"]).strftime("%Y-%m-%d %H:%M") == "2024-02-03 11:40"
    assert items.loc["r-007"]["text"] == 'Precios algo altos, "calidad" correcta'
    q = store.quarantine(str(DATA / "survey_es.csv"))
    assert sorted(q["line"]) == [5, 6, 7, 8]
    # idempotent, including the quarantine
    again = ingest(store, DATA / "survey_es.csv", "survey")
    assert (again.stored, again.duplicates, again.quarantined) == (0, 3, 4)
    assert store.counts()["items"] == 3
    assert len(store.quarantine(str(DATA / "survey_es.csv"))) == 4


def test_tickets_preset_on_jsonl(store: DuckDBStore) -> None:
    s = ingest(store, DATA / "tickets.jsonl", "tickets")
    assert (s.read, s.stored, s.quarantined) == (9, 4, 5)
    reasons = {p.line: p.reason for p in s.problems}
    assert reasons[4].startswith("timestamp: 'not a date'")
    assert reasons[5] == "text: missing (column 'body' is empty)"
    assert reasons[6].startswith("channel: 'pigeon' is not a channel")
    assert reasons[7].startswith("bad JSON")
    items = store.items().set_index("source_id")
    assert items.loc["T-1003"]["channel"] == "call"
    assert items.loc["T-1003"]["text"].startswith("Agente: Buenos días.")
    assert items.loc["T-1001"]["title"] == "Cobro duplicado"
    assert json.loads(items.loc["T-1001"]["metadata"]) == {"priority": "high"}
    assert s.to_dict()["problems"][0]["line"] == 4


def test_dataframe_and_dict_sources(store: DuckDBStore) -> None:
    df = pd.DataFrame(
        {
            "comentario": ["La app va lentísima", "Genial el nuevo diseño", None],
            "nps": [3, 10, 8],
            "fecha": pd.to_datetime(["2024-04-01 09:00", "2024-04-02 10:00", "2024-04-03 00:00"]),
            "tienda": ["Bilbao", "Bilbao", "Madrid"],
        }
    )
    m = mapping_from_flags(text_col="comentario", time_col="fecha", channel="survey",
                           location_col="tienda")  # fmt: skip
    s = ingest(store, df, m, source_name="encuesta_abril")
    assert (s.read, s.stored, s.quarantined) == (3, 2, 1)
    assert s.problems[0].source == "encuesta_abril" and s.problems[0].line == 3
    items = store.items()
    assert set(items["source"]) == {"encuesta_abril"} and set(items["nps"]) == {3, 10}
    rows = [
        {"id": "1", "text": "Me cobraron de más", "channel": "email", "csat": 2},
        {"id": "2", "text": "Muy buena atención", "channel": "chat", "csat": 5,
         "metadata": {"agent": "Lucía"}},
    ]  # fmt: skip
    s2 = ingest(store, rows, "jsonl_feedback", source_name="crm")
    assert (s2.read, s2.stored) == (2, 2)
    item, _ = store.get_item("crm:2")
    assert item.metadata == {"agent": "Lucía"} and item.csat == 5
    assert ingest(store, rows, "jsonl_feedback", source_name="crm").duplicates == 2


def test_excel_and_parquet_round_trip(store: DuckDBStore, tmp_path: Path) -> None:
    df = pd.DataFrame(
        {
            "ID": ["e1", "e2", "e3"],
            "Comentario": ["Excelente servicio", "El pedido llegó roto", "Normal"],
            "NPS": [10, 1, 7],
            "Fecha": pd.to_datetime(["2024-05-01 09:30", "2024-05-02 14:00", "2024-05-03 00:00"]),
        }
    )
    xlsx, pq = tmp_path / "encuesta.xlsx", tmp_path / "encuesta.parquet"
    df.to_excel(xlsx, index=False)
    df.to_parquet(pq)
    a = ingest(store, xlsx, "survey", source_name="encuesta")
    b = ingest(store, pq, "survey", source_name="encuesta")
    assert (a.stored, a.quarantined) == (3, 0)
    assert (b.stored, b.duplicates) == (0, 3)  # same ids and content: nothing new
    item, _ = store.get_item("encuesta:e2")
    assert item.nps == 1 and item.timestamp is not None
    assert item.timestamp.strftime("%Y-%m-%d %H:%M") == "2024-05-02 14:00"


def test_edits_are_updates(store: DuckDBStore, tmp_path: Path) -> None:
    p = tmp_path / "t.csv"
    p.write_text("id,text\n1,Primera versión\n2,Sin cambios\n", encoding="utf-8")
    ingest(store, p, None, source_name="crm")
    p.write_text("id,text\n1,Versión corregida\n2,Sin cambios\n3,Nuevo\n", encoding="utf-8")
    s = ingest(store, p, None, source_name="crm")
    assert (s.stored, s.updated, s.duplicates) == (1, 1, 1)
    assert s.read == s.stored + s.updated + s.duplicates + s.quarantined
