"""Sessions end on the server, the workspace always keeps an admin, and the audit log records
plan-status changes, posted voices and customer-profile views."""

from __future__ import annotations

from typing import Any

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("argon2")

from escucha.errors import ConflictError
from escucha.http import audit, auth
from test_api import PASSWORD, H, build_workspace, login, make_client


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, dict[str, str]]:
    ws, tokens = build_workspace(tmp_path_factory.mktemp("sessions") / "ws")
    ws.add([{"id": "s1", "text": "El pedido no llegó y nadie contesta", "channel": "chat", "customer_id": "c9"}])
    ws.analyze()
    return ws, tokens


def test_logout_ends_the_session_in_every_process(setup: Any) -> None:
    ws = setup[0]
    c = make_client(ws)
    csrf = login(c, "analyst1")
    cookie = c.cookies.get("escucha_session")
    assert c.get("/api/v1/me").status_code == 200
    other_server = make_client(ws)  # a second worker with the same key reads the same session
    other_server.app.state.escucha.codec = c.app.state.escucha.codec  # type: ignore[attr-defined]

    def me(client: Any) -> int:
        return client.get("/api/v1/me", headers={"cookie": f"escucha_session={cookie}"}).status_code

    assert me(other_server) == 200
    r = c.post("/logout", data={"csrf_token": csrf}, follow_redirects=False)
    assert r.status_code == 303
    c.cookies.clear()
    auth.clear_cache()  # the other process's 2-second cache has passed
    assert me(c) == 401 and me(other_server) == 401  # the old cookie signs nobody in
    assert [e for e in audit.entries(ws, event="logout") if e["actor"] == "analyst1"]


def test_a_second_login_is_its_own_session(setup: Any) -> None:
    ws = setup[0]
    a, b = make_client(ws), make_client(ws)
    b.app.state.escucha.codec = a.app.state.escucha.codec  # type: ignore[attr-defined]
    csrf = login(a, "viewer1")
    login(b, "viewer1")
    a.post("/logout", data={"csrf_token": csrf}, follow_redirects=False)
    assert b.get("/api/v1/me").status_code == 200  # logging out on one device leaves the other


def test_the_last_admin_cannot_be_removed_or_demoted(setup: Any) -> None:
    ws, tokens = setup
    admins = [u["username"] for u in auth.list_users(ws) if u["role"] == "admin"]
    assert admins == ["admin1"]
    r = make_client(ws).delete("/api/v1/users/admin1", headers=H(tokens, "admin"))
    assert r.status_code == 409 and r.json()["error"]["code"] == "conflict"
    with pytest.raises(ConflictError):
        auth.delete_user(ws, "admin1")
    with pytest.raises(ConflictError):
        auth.add_user(ws, "admin1", PASSWORD, "viewer", replace=True)
    auth.add_user(ws, "admin2", PASSWORD, "admin")
    auth.delete_user(ws, "admin2")  # with another admin present, an admin may go
    assert [u["username"] for u in auth.list_users(ws) if u["role"] == "admin"] == ["admin1"]


def test_audit_records_plan_status_posted_voices_and_profile_views(setup: Any) -> None:
    ws, tokens = setup
    c = make_client(ws)
    r = c.post("/api/v1/feedback", json={"text": "Quiero hablar con alguien ya"}, headers=H(tokens, "agent"))
    assert r.status_code == 201
    posted = audit.entries(ws, event="feedback_posted")[0]
    assert posted["voices"] == 1 and posted["actor"].startswith("token:")
    assert "Quiero" not in str(posted)  # never the customer's words
    assert c.get("/api/v1/customers/c9", headers=H(tokens, "agent")).status_code == 200
    assert audit.entries(ws, event="customer_viewed")[0]["target"] == "c9"
    plan = c.get("/api/v1/plan", headers=H(tokens, "analyst")).json()["plan"]
    item = plan[0]["id"]
    r = c.post(f"/api/v1/plan/{item}/status", json={"status": "in_progress"}, headers=H(tokens, "analyst"))
    assert r.status_code == 200
    changed = audit.entries(ws, event="plan_status_changed")[0]
    assert changed["target"] == item and changed["status"] == "in_progress"
