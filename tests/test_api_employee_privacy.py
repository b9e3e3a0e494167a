"""Internal customers: an employee's comment is never shown with who wrote it or from where."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest

from test_api import H, build_workspace, login, make_client

EMPLOYEE = {"id": "emp1", "channel": "employee", "text": "Los turnos de Logística son un caos",
            "customer_id": "juan.perez", "location": "Valencia", "metadata": {"department": "Logística"},
            "timestamp": "2024-03-04T10:00:00Z"}  # fmt: skip


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, dict[str, str]]:
    ws, tokens = build_workspace(tmp_path_factory.mktemp("emp") / "ws")
    # four more colleagues: a listing shows employee comments only from at least k = 5 people
    ws.add([EMPLOYEE, *({**EMPLOYEE, "id": f"emp{i}", "customer_id": f"colleague{i}", "text": "Faltan manos"}
                        for i in range(2, 6))])
    ws.analyze()
    return ws, tokens


def test_employee_comments_are_anonymous_everywhere(setup: tuple[Any, dict[str, str]]) -> None:
    ws, tokens = setup
    client = make_client(ws)
    listed = client.get("/api/v1/feedback", params={"channel": "employee"}, headers=H(tokens, "admin")).json()
    (row,) = [r for r in listed["items"] if r["text"] == EMPLOYEE["text"]]
    assert len(listed["items"]) == 5 and all(r["customer_id"] is None for r in listed["items"])
    assert row["text"] == EMPLOYEE["text"]
    assert row["customer_id"] is None and row["location"] is None and row["metadata"] == {}
    assert row["id"] != "emp1"
    detail = client.get("/api/v1/feedback/emp1", headers=H(tokens, "admin")).json()["feedback"]
    assert detail["customer_id"] is None and detail["location"] is None and detail["metadata"] == {}
    export = client.get("/api/v1/export.csv", params={"channel": "employee"}, headers=H(tokens, "admin"))
    assert export.status_code == 200
    body = export.text
    assert "juan.perez" not in body and "Valencia" not in body
    rows = list(csv.DictReader(io.StringIO(body)))
    assert rows and EMPLOYEE["text"] in {r["text"] for r in rows}
    # customers' voices keep their author
    customer = client.get("/api/v1/feedback", params={"channel": "survey"}, headers=H(tokens, "admin")).json()
    assert any(r["customer_id"] for r in customer["items"])


def test_voice_page_hides_the_author(setup: tuple[Any, dict[str, str]]) -> None:
    ws, _ = setup
    client = make_client(ws)
    login(client, "admin1")
    page = client.get("/voices/emp1")
    assert page.status_code == 200 and "caos" in page.text and "juan.perez" not in page.text
