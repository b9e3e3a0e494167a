"""REST API on a small real workspace: ingest, list with filters, one voice, analyse, metrics,
customer profiles, export, admin, and the one error model."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("argon2")

from fastapi.testclient import TestClient

from conftest import VOICES

PASSWORD = "correct horse battery staple"
ROLES = ("viewer", "agent", "analyst", "admin")


def build_workspace(path: Path) -> Any:
    """A small analysed workspace with one user and one API token per role."""
    import escucha
    from escucha.http import auth

    ws = escucha.open(path)
    ws.add([dict(v) for v in VOICES])
    ws.analyze()
    ws.add_customers([{"id": "c2", "name": "Lucía", "attributes": {"tier": "gold"}}])
    tokens = {}
    for role in ROLES:
        auth.add_user(ws, f"{role}1", PASSWORD, role, language="es" if role != "analyst" else "en")
        tokens[role] = auth.create_token(ws, f"{role}-machine", role)[1]
    auth.clear_cache()
    return ws, tokens


def make_client(ws: Any, base_url: str = "http://testserver", **kw: Any) -> TestClient:
    from escucha.server import create_app

    return TestClient(create_app(ws), base_url=base_url, **kw)


def login(client: TestClient, username: str, password: str = PASSWORD) -> str:
    """Log in through the form; returns the session's CSRF token."""
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    r = client.post("/login", data={"username": username, "password": password, "csrf_token": token},
                    follow_redirects=False)  # fmt: skip
    assert r.status_code == 303, r.text
    home = client.get("/explore")
    return re.search(r'name="csrf-token" content="([^"]+)"', home.text).group(1)  # type: ignore[union-attr]


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, dict[str, str]]:
    return build_workspace(tmp_path_factory.mktemp("api") / "ws")


@pytest.fixture(scope="module")
def client(setup: tuple[Any, dict[str, str]]) -> TestClient:
    return make_client(setup[0])


def H(tokens: dict[str, str], role: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens[role]}"}


def test_health_and_ready_need_no_auth(client: TestClient) -> None:
    assert client.get("/api/v1/health").json()["status"] == "ok"
    assert client.get("/api/v1/ready").json()["status"] == "ready"
    assert client.get("/health").status_code == 200


def test_list_filters_search_and_pagination(client: TestClient, setup: Any) -> None:
    h = H(setup[1], "viewer")
    r = client.get("/api/v1/feedback", headers=h)
    assert r.status_code == 200
    body = r.json()
    assert body["total"] >= 6 and body["items"][0]["id"]
    r = client.get("/api/v1/feedback", params={"channel": "survey,review", "limit": 2}, headers=h).json()
    assert r["total"] == 4 and len(r["items"]) == 2 and r["limit"] == 2
    r2 = client.get("/api/v1/feedback", params={"channel": ["survey", "review"], "limit": 2, "offset": 2}, headers=h).json()
    assert {i["id"] for i in r["items"]}.isdisjoint({i["id"] for i in r2["items"]})
    r = client.get("/api/v1/feedback", params={"q": "teléfono"}, headers=h).json()
    assert [i["id"] for i in r["items"]] == ["v2"]
    r = client.get("/api/v1/feedback", params={"customer_id": "c2"}, headers=h).json()
    assert {i["id"] for i in r["items"]} == {"v2", "v4"}
    r = client.get("/api/v1/feedback", params={"since": "2024-03-12T00:00:00Z", "until": "2024-03-14"}, headers=h).json()
    assert {i["id"] for i in r["items"]} == {"v3", "v4"}
    r = client.get("/api/v1/feedback", params={"sentiment": "positive"}, headers=h).json()
    assert r["total"] >= 1 and all(i["sentiment"] == "positive" for i in r["items"])
    r = client.get("/api/v1/feedback", params={"intent": "churn_threat"}, headers=h).json()
    assert "v2" in {i["id"] for i in r["items"]}
    item = r["items"][0]
    assert isinstance(item["intents"], list) and isinstance(item["emotions"], dict)


def test_get_one_with_analysis_and_not_found(client: TestClient, setup: Any) -> None:
    h = H(setup[1], "viewer")
    r = client.get("/api/v1/feedback/v2", headers=h).json()
    assert r["feedback"]["text"].startswith("El pedido llegó tarde")
    assert r["analysis"]["sentiment"] == "negative" and r["analysis"]["sentences"]
    r = client.get("/api/v1/feedback/nope", headers=h)
    assert r.status_code == 404
    assert r.json() == {"error": {"code": "not_found", "message": "no feedback item with id 'nope'",
                                  "field": "id", "record": "nope"}}  # fmt: skip


def test_post_feedback_one_and_batch_with_analysis(client: TestClient, setup: Any) -> None:
    h = H(setup[1], "agent")
    one = {"id": "api-1", "channel": "email", "text": "Me cobraron dos veces la factura, es un abuso.",
           "customer_id": "c9", "timestamp": "2024-03-16T08:00:00Z"}  # fmt: skip
    r = client.post("/api/v1/feedback", json=one, headers=h, params={"analyze": True})
    assert r.status_code == 201, r.text
    assert r.json()["inserted"] == 1 and r.json()["analysed"] == 1
    got = client.get("/api/v1/feedback/api-1", headers=h).json()
    assert got["analysis"]["sentiment"] == "negative"
    batch = [{"id": f"api-b{i}", "text": f"Opinión número {i}: todo bien", "channel": "review"} for i in range(3)]
    r = client.post("/api/v1/feedback", json=batch, headers=h)
    assert r.status_code == 201 and r.json()["inserted"] == 3 and r.json()["analysed"] == 0
    r = client.post("/api/v1/feedback", json=batch, headers=h)
    assert r.json()["duplicates"] == 3


def test_validation_errors_name_record_and_field(client: TestClient, setup: Any) -> None:
    h = H(setup[1], "agent")
    bad = [{"text": "ok"}, {"text": "bad score", "nps": 11}]
    r = client.post("/api/v1/feedback", json=bad, headers=h)
    assert r.status_code == 422
    err = r.json()["error"]
    assert err["code"] == "invalid_input" and err["field"] == "nps" and err["record"] == "1"
    r = client.post("/api/v1/feedback", json={"text": "   "}, headers=h)
    assert r.status_code == 422 and r.json()["error"]["field"] == "text"
    r = client.get("/api/v1/feedback", params={"limit": 0}, headers=h)
    assert r.status_code == 422 and r.json()["error"]["field"] == "limit"
    r = client.get("/api/v1/metrics", params={"by": "nonsense"}, headers=h)
    assert r.status_code == 422 and r.json()["error"]["field"] == "by"
    r = client.post("/api/v1/feedback", content=b"{not json", headers={**h, "content-type": "application/json"})
    assert r.status_code == 422 and set(r.json()["error"]) == {"code", "message", "field", "record"}


def test_analyze_text_without_storing(client: TestClient, setup: Any) -> None:
    h = H(setup[1], "agent")
    before = client.get("/api/v1/feedback", headers=h).json()["total"]
    r = client.post("/api/v1/analyze", json={"text": "The staff were rude and the room was dirty."}, headers=h)
    assert r.status_code == 200
    res = r.json()["results"][0]
    assert res["sentiment"] == "negative" and res["language"] == "en"
    r = client.post("/api/v1/analyze", json={"texts": ["Genial", "Fatal"]}, headers=h)
    assert len(r.json()["results"]) == 2
    assert client.get("/api/v1/feedback", headers=h).json()["total"] == before
    assert client.post("/api/v1/analyze", json={}, headers=h).status_code == 422


def test_upload_csv_and_run_analysis(client: TestClient, setup: Any, tmp_path: Path) -> None:
    h = H(setup[1], "analyst")
    data = "text,nps,channel,timestamp\nLa app se cuelga cada vez que pago,3,survey,2024-03-10\n,5,survey,2024-03-10\n"
    r = client.post("/api/v1/feedback/upload", headers=h, files={"file": ("nps.csv", data, "text/csv")},
                    data={"mapping": "survey"})  # fmt: skip
    assert r.status_code in (201, 422), r.text
    if r.status_code == 201:
        body = r.json()
        assert body["read"] == 2 and body["stored"] + body["quarantined"] == 2 and body["source"] == "nps.csv"
    r = client.post("/api/v1/feedback/upload", headers=h, files={"file": ("x.csv", "text\nhola\n", "text/csv")},
                    data={"mapping": "../../etc/passwd"})  # fmt: skip
    assert r.status_code == 422 and r.json()["error"]["field"] == "mapping"
    r = client.post("/api/v1/feedback/upload", headers=h, files={"file": ("x.exe", "MZ", "application/octet-stream")},
                    data={"mapping": "survey"})  # fmt: skip
    assert r.status_code == 422 and r.json()["error"]["field"] == "file"
    r = client.post("/api/v1/analysis/run", headers=h, json={})
    assert r.status_code == 200 and r.json()["pending"] == 0


def test_metrics_by_channel_and_period(client: TestClient, setup: Any) -> None:
    h = H(setup[1], "viewer")
    r = client.get("/api/v1/metrics", params={"by": "channel"}, headers=h).json()
    rows = {row["channel"]: row for row in r["rows"]}
    assert rows["survey"]["nps"] is not None and rows["survey"]["volume"] >= 2
    r = client.get("/api/v1/metrics", params={"period": "week", "channel": "survey,review"}, headers=h).json()
    assert r["period"] == "week" and "sentiment_index_change" in r["rows"][-1]


def test_customer_profile(client: TestClient, setup: Any) -> None:
    h = H(setup[1], "agent")
    r = client.get("/api/v1/customers/c2", headers=h)
    assert r.status_code == 200
    p = r.json()
    assert p["customer"]["name"] == "Lucía" and p["customer"]["attributes"]["tier"] == "gold"
    assert p["total_voices"] == 2 and {c["channel"] for c in p["channels"]} == {"survey", "review"}
    assert p["latest_sentiment"]["id"] == "v4"
    assert [t["id"] for t in p["open_threats"]] == ["v2"] and "churn_threat" in p["open_threats"][0]["intents"]
    assert client.get("/api/v1/customers/nobody", headers=h).status_code == 404
    assert client.get("/api/v1/customers/c2", headers=H(setup[1], "viewer")).status_code == 403


def test_export_csv_neutralises_formulas(client: TestClient, setup: Any) -> None:
    h = H(setup[1], "analyst")
    from escucha.http.serialize import csv_value

    assert csv_value("\tTAB") == "'\tTAB" and csv_value("\rCR") == "'\rCR" and csv_value(-0.5) == -0.5
    evil = ["=HYPERLINK(\"http://x\",\"pwn\")", "+SUM(1,2)", "-2+3", "@cmd", "=1+1 and more"]
    client.post("/api/v1/feedback", json=[{"id": f"f{i}", "text": t, "channel": "chat", "customer_id": "=evil"}
                                          for i, t in enumerate(evil)], headers=h)  # fmt: skip
    r = client.get("/api/v1/export.csv", params={"channel": "chat"}, headers=h)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert "attachment" in r.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(r.text)))
    texts = {row["id"]: row for row in rows}
    for i, t in enumerate(evil):
        assert texts[f"f{i}"]["text"] == "'" + t, texts[f"f{i}"]["text"]
        assert texts[f"f{i}"]["customer_id"] == "'=evil"
    for row in rows:
        for cell in row.values():
            assert not cell.startswith(("=", "+", "@", "\t", "\r")), cell
    log = client.get("/api/v1/audit", params={"event": "export"}, headers=H(setup[1], "admin")).json()
    assert log and log[0]["actor"] == "token:analyst-machine" and log[0]["rows"] >= 6


def test_admin_users_and_tokens(client: TestClient, setup: Any) -> None:
    h = H(setup[1], "admin")
    r = client.post("/api/v1/users", json={"username": "nuevo", "password": "x" * 12, "role": "agent"}, headers=h)
    assert r.status_code == 201 and "password_hash" not in r.json()
    assert any(u["username"] == "nuevo" for u in client.get("/api/v1/users", headers=h).json())
    assert all("password_hash" not in u for u in client.get("/api/v1/users", headers=h).json())
    assert client.post("/api/v1/users", json={"username": "short", "password": "x"}, headers=h).status_code == 422
    r = client.post("/api/v1/tokens", json={"name": "etl", "role": "viewer"}, headers=h).json()
    tok = {"Authorization": f"Bearer {r['token']}"}
    assert client.get("/api/v1/me", headers=tok).json()["role"] == "viewer"
    assert all("hash" not in t for t in client.get("/api/v1/tokens", headers=h).json())
    assert client.delete(f"/api/v1/tokens/{r['id']}", headers=h).status_code == 204
    assert client.get("/api/v1/me", headers=tok).status_code == 401
    assert client.delete("/api/v1/users/nuevo", headers=h).status_code == 204
    events = {e["event"] for e in client.get("/api/v1/audit", headers=h).json()}
    assert {"user_created", "token_created", "token_revoked", "user_deleted"} <= events


def test_openapi_and_docs_need_auth_and_list_routes(client: TestClient, setup: Any) -> None:
    assert client.get("/openapi.json").status_code == 401
    spec = client.get("/openapi.json", headers=H(setup[1], "viewer")).json()
    for path in ("/api/v1/feedback", "/api/v1/feedback/upload", "/api/v1/feedback/{item_id}", "/api/v1/analyze",
                 "/api/v1/analysis/run", "/api/v1/metrics", "/api/v1/customers/{customer_id}",
                 "/api/v1/export.csv", "/api/v1/health", "/api/v1/ready"):  # fmt: skip
        assert path in spec["paths"], path
    docs = client.get("/docs", headers=H(setup[1], "viewer"))
    assert docs.status_code == 200 and "/static/vendor/swagger-ui/swagger-ui-bundle.js" in docs.text
    assert client.get("/static/vendor/swagger-ui/swagger-ui-bundle.js").status_code == 200


def test_display_redaction(tmp_path: Path) -> None:
    import escucha
    from escucha.http import auth

    ws = escucha.open(tmp_path / "ws", display_redaction=True)
    ws.add([{"id": "p1", "text": "Escribidme a juan.perez@example.com o al 612 345 678, gracias"}])
    tok = auth.create_token(ws, "t", "analyst")[1]
    c = make_client(ws)
    r = c.get("/api/v1/feedback/p1", headers={"Authorization": f"Bearer {tok}"}).json()
    assert "juan.perez" not in r["feedback"]["text"] and "[EMAIL]" in r["feedback"]["text"]
    csv_text = c.get("/api/v1/export.csv", headers={"Authorization": f"Bearer {tok}"}).text
    assert "juan.perez" not in csv_text and "612 345 678" not in csv_text
