"""Whose words a voice holds (``Feedback.speaker``): the company's own (a brand account's reply, an
owner's answer, an agent) are stored as ``agent`` and never counted as the customer's voice."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import duckdb
import pytest

import escucha
from escucha.errors import MappingError
from escucha.ingest import Mapping, ingest
from escucha.models import AGENT_SOURCE, Feedback
from escucha.store import Filters
from escucha.store.duckdb import DuckDBStore, migrations
from escucha.store.sql import ITEM_COLUMNS

COMPANY = "company:\n  name: Lumen\n  social_handles: ['@Lumen', '@Lumen_Ayuda']\n"
POSTS = [
    {"post_id": "p1", "author": "@marta_r", "customer_id": "c1", "created_at": "2024-03-01T10:00:00Z",
     "text": "El sofá llegó roto y nadie me contesta. Una vergüenza de servicio."},
    {"post_id": "p2", "author": "@LUMEN_AYUDA", "created_at": "2024-03-01T10:40:00Z", "parent_id": "p1",
     "text": "Hola, lamentamos mucho las molestias. ¡Muchas gracias por avisarnos, nos encanta ayudarte!"},
    {"post_id": "p3", "author": "lumen", "created_at": "2024-03-01T11:00:00Z", "parent_id": "p1",
     "text": "Hi, we're sorry to hear this. Please DM us, we are happy to help and thank you so much!"},
    {"post_id": "p4", "author": "@lumen_fan", "created_at": "2024-03-01T12:00:00Z",
     "text": "Pues a mí me llegó tarde también, fatal la entrega."},
]  # fmt: skip
SOCIAL = {"columns": {"id": "post_id", "timestamp": "created_at", "text": "text", "customer_id": "customer_id",
                      "parent_id": "parent_id"},
          "constants": {"channel": "social"}, "metadata": ["author"]}  # fmt: skip
BRAND = {"social:p2", "social:p3"}


def _jsonl(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


@pytest.fixture()
def ws(tmp_path: Path) -> Any:
    w = escucha.open(tmp_path / "ws")
    w.layout.company.write_text(COMPANY, encoding="utf-8")
    return w


def test_speaker_values_are_read_as_agent_or_customer() -> None:
    assert Feedback(text="x", speaker=" Owner ").speaker == "agent"
    assert {Feedback(text="x", speaker=v).speaker for v in ("brand", "STAFF", "response", "agent")} == {"agent"}
    assert {Feedback(text="x", speaker=v).speaker for v in ("client", "User", "customer")} == {"customer"}
    assert Feedback(text="x").speaker is None and Feedback(text="x", speaker="").speaker is None
    assert Feedback(text="x", source=AGENT_SOURCE).speaker == "agent"  # cases' replies are agents'
    with pytest.raises(ValueError, match="'bot' is not a speaker"):
        Feedback(text="x", speaker="bot")
    # marking a voice later keeps its id (made from the content) but changes its content hash
    plain, marked = Feedback(text="Gracias por tu reseña"), Feedback(text="Gracias por tu reseña", speaker="owner")
    assert plain.id == marked.id and plain.hash != marked.hash
    assert Feedback(text="y", speaker="customer").hash == Feedback(text="y").hash


def test_a_mapped_speaker_column_is_stored_and_a_bad_value_quarantined(tmp_path: Path) -> None:
    store = DuckDBStore(tmp_path / "s.duckdb")
    store.migrate()
    rows = [{"id": "r1", "review": "Las sábanas olían a humedad, no vuelvo.", "who": "Customer"},
            {"id": "r2", "review": "Sentimos su experiencia, lo revisaremos.", "who": "Owner"},
            {"id": "r3", "review": "Nos alegra que disfrutara, ¡gracias!", "who": "management response"},
            {"id": "r4", "review": "Genial todo, repetiremos.", "who": ""}]  # fmt: skip
    mapping = {"columns": {"id": "id", "text": "review", "speaker": "who"}, "constants": {"source": "hotel"},
               "value_maps": {"speaker": {"management response": "response"}}}  # fmt: skip
    summary = ingest(store, rows, mapping)
    assert (summary.stored, summary.quarantined) == (4, 0)
    speakers = dict(store.items(Filters(agents=True))[["id", "speaker"]].itertuples(index=False))
    assert speakers == {"hotel:r1": "customer", "hotel:r2": "agent", "hotel:r3": "agent", "hotel:r4": None}
    assert set(store.items()["id"]) == {"hotel:r1", "hotel:r4"}
    assert store.get_item("hotel:r2")[0].speaker == "agent"

    bad = ingest(store, [{"id": "r9", "review": "Todo bien", "who": "robot"}], mapping, source_name="bad.csv")
    assert bad.quarantined == 1 and bad.stored == 0
    [problem] = bad.problems
    assert problem.field == "speaker" and problem.source == "bad.csv" and problem.line == 1
    assert "'robot' is not a speaker" in problem.reason and '"r9"' in problem.raw
    with pytest.raises(MappingError, match=r"constants\.speaker"):
        Mapping.parse({"columns": {"text": "t"}, "constants": {"speaker": "nobody"}})


def test_brand_replies_are_stored_as_agents_and_left_out_of_every_customer_figure(ws: Any, tmp_path: Path) -> None:
    from escucha.http.profiles import customer_profile
    from escucha.watch.frame import load_voices

    summary = ws.ingest(_jsonl(tmp_path / "social.jsonl", POSTS), SOCIAL, source_name="social")
    assert summary.stored == 4
    ws.analyze()
    everything = ws.store.items(Filters(agents=True), limit=None).set_index("id")
    assert {i for i, s in everything["speaker"].items() if s == "agent"} == BRAND
    assert (everything.loc[sorted(BRAND), "sentiment"] == "positive").all()  # what they would have added
    customers = {"social:p1", "social:p4"}
    assert set(ws.store.items(limit=None)["id"]) == customers
    assert ws.store.count_items() == 2 and ws.store.count_items(Filters(agents=True)) == 4
    m = ws.metrics(by="channel").iloc[0]
    assert m["volume"] == 2 and m["sentiment_index"] < 0  # two negative customers, no thankful brand
    assert set(ws.store.sentences()["item_id"]) == customers  # the themes' sentences
    assert set(ws.store.aspects()["item_id"]) <= customers
    stats = ws.store.stats(["sentiment"])
    assert int(stats["n"].sum()) == 2 and "positive" not in set(stats["sentiment"])
    assert set(load_voices(ws.store)["id"]) == customers  # the watch frame
    # the thread and the customer 360 still show them: a reply linked to the customer
    ws.add([{"id": "p5", "channel": "social", "customer_id": "c1", "parent_id": "social:p1",
             "timestamp": "2024-03-01T13:00:00Z", "metadata": {"author": "@lumen_ayuda"},
             "text": "Te hemos escrito por DM, Marta. ¡Gracias por tu paciencia!"}])  # fmt: skip
    assert ws.store.get_item("p5")[0].speaker == "agent"
    thread = ws.store.items(Filters(customer_id=["c1"], agents=True))
    assert set(thread["id"]) == {"social:p1", "p5"}
    profile = customer_profile(ws, "c1")
    assert [t["speaker"] for t in profile["timeline"]] == ["customer", "agent"]
    assert profile["total_voices"] == 1 and "p5" in [v["id"] for v in profile["voices"]]


def test_a_workspace_that_learns_its_handles_later_marks_its_replies_on_the_next_ingest(tmp_path: Path) -> None:
    ws = escucha.open(tmp_path / "ws")
    src = _jsonl(tmp_path / "social.jsonl", POSTS)
    assert ws.ingest(src, SOCIAL, source_name="social").stored == 4
    assert ws.store.count_items() == 4  # no company.yaml yet: nothing tells the brand apart
    ws.layout.company.write_text(COMPANY, encoding="utf-8")
    again = ws.ingest(src, SOCIAL, source_name="social")
    assert (again.stored, again.updated, again.duplicates) == (0, 2, 2)
    assert ws.store.count_items() == 2 and ws.store.count_items(Filters(agents=True)) == 4
    assert ws.ingest(src, SOCIAL, source_name="social").duplicates == 4  # idempotent again


def test_listen_and_the_feedback_api_mark_the_brands_voices_too(ws: Any) -> None:
    from fastapi.testclient import TestClient

    from escucha.http import auth
    from escucha.server import create_app

    out = ws.listen([{"id": "l1", "channel": "social", "text": "Lamentamos las molestias, escríbenos por DM.",
                      "metadata": {"handle": "Lumen_Ayuda"}},
                     {"id": "l2", "channel": "social", "text": "Llevo una semana esperando el pedido.",
                      "metadata": {"user": "@ana"}}])  # fmt: skip
    assert out["inserted"] == 2
    assert ws.store.get_item("l1")[0].speaker == "agent" and ws.store.get_item("l2")[0].speaker is None
    ws.settings.redact_pii = True  # the author is read before anything is redacted
    auth.add_user(ws, "agent1", "correct horse battery staple", "agent")
    token = auth.create_token(ws, "machine", "agent")[1]
    auth.clear_cache()
    client = TestClient(create_app(ws))
    body = [{"id": "a1", "channel": "social", "text": "We're sorry to hear this. Please DM us.",
             "metadata": {"author": "@lumen"}},
            {"id": "a2", "channel": "review", "text": "Great owner reply, thanks.", "speaker": "owner"},
            {"id": "a3", "channel": "social", "text": "Still waiting for my sofa.", "metadata": {"author": "@bob"}}]  # fmt: skip
    r = client.post("/api/v1/feedback", json=body, headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 201, r.text
    assert [ws.store.get_item(i)[0].speaker for i in ("a1", "a2", "a3")] == ["agent", "agent", None]
    bad = client.post("/api/v1/feedback", json={"text": "x", "speaker": "robot"},
                      headers={"Authorization": f"Bearer {token}"})  # fmt: skip
    assert bad.status_code == 422 and "speaker" in bad.text
    assert set(ws.store.items(limit=None)["id"]) == {"l2", "a3"}


def _old_workspace(path: Path) -> None:
    """A DuckDB store as schema v3 left it (before the speaker column), with a case reply."""
    path.mkdir(parents=True)
    con = duckdb.connect(str(path / "escucha.duckdb"))
    con.execute("CREATE TABLE schema_version (version INTEGER, name VARCHAR, applied_at TIMESTAMP)")
    for version, name, sql in migrations():
        if version <= 3:
            con.execute(sql)
            con.execute("INSERT INTO schema_version VALUES (?, ?, now())", [version, name])
    old = [c for c in ITEM_COLUMNS if c != "speaker"]
    assert [r[0] for r in con.execute("DESCRIBE items").fetchall()] == old
    for id_, source, text in (("v1", "chat_export", "Cliente: me cobraron dos veces."),
                              ("r1", AGENT_SOURCE, "Agente: ya está devuelto, ¡gracias!")):  # fmt: skip
        con.execute("INSERT INTO items (id, content_hash, channel, ts, ingested_at, text, source, customer_id) "
                    "VALUES (?, 'h', 'chat', now(), now(), ?, ?, 'c1')", [id_, text, source])  # fmt: skip
    con.close()


def test_a_workspace_made_before_the_speaker_column_opens_and_upgrades_in_place(tmp_path: Path) -> None:
    _old_workspace(tmp_path / "old")
    ws = escucha.open(tmp_path / "old")
    assert ws.store.schema_version() == max(v for v, _, _ in migrations()) >= 4
    assert ws.store.get_item("r1")[0].speaker == "agent" and ws.store.get_item("v1")[0].speaker is None
    assert list(ws.store.items()["id"]) == ["v1"]
    ws.add([{"id": "n1", "channel": "review", "text": "Respuesta del propietario", "speaker": "owner"},
            {"id": "n2", "channel": "review", "text": "Muy buen trato"}])  # fmt: skip
    assert set(ws.store.items()["id"]) == {"v1", "n2"} and ws.store.count_items(Filters(agents=True)) == 4


def test_company_handles_are_read_at_the_top_or_in_the_company_block(tmp_path: Path) -> None:
    from escucha.errors import ConfigError
    from escucha.ingest.speakers import by_company, company_handles

    path = tmp_path / "company.yaml"
    assert company_handles(path) == frozenset()
    path.write_text("social_handles: ['@Brand', ' brand_HELP ']\n", encoding="utf-8")
    handles = company_handles(path)
    assert handles == {"brand", "brand_help"}
    assert by_company(handles, {"Author": "@BRAND_help"}) and by_company(handles, {}, {"user": "brand"})
    assert not by_company(handles, {"author": "@brand_fan", "text": "@brand"})
    path.write_text("company: {social_handles: '@Solo'}\n", encoding="utf-8")
    assert company_handles(path) == {"solo"}
    path.write_text("social_handles: {x: 1}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="social_handles must be a list"):
        company_handles(path)
