"""The closed loop over the real REST API: a complaint opens a case by rule, it is assigned, the SLA
warns, the agent replies with assist, resolves, the customer comes back and the recovery is
measured; another case breaches its SLA and escalates to a real webhook through escucha.notify."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("argon2")

from fastapi.testclient import TestClient

from receivers import webhook_receiver

PASSWORD = "correct horse battery staple"
NOW = datetime.now(UTC).replace(microsecond=0)

CASES_YAML = """
queues:
  soporte: {agents: [agent1, agent2], languages: [es, en], skills: []}
sla:
  calendar: {timezone: Europe/Madrid}
  warn_at: 0.8
  warn_channels: [ops]
  policies:
    urgent: {first_response: 1h, next_response: 2h, resolution: 8h, business_hours: false}
    high: {first_response: 1h, next_response: 8h, resolution: 2d, business_hours: false}
    normal: {first_response: 8h, next_response: 1d, resolution: 5d, business_hours: false}
    low: {first_response: 2d, next_response: 3d, resolution: 10d, business_hours: false}
  escalation:
    - {level: 1, after: 1.0, channels: [ops], severity: high}
    - {level: 2, after: 1.5, channels: [ops], severity: critical}
"""


def build(path: Path, cases_yaml: str = CASES_YAML) -> tuple[Any, dict[str, dict[str, str]]]:
    """A workspace with a churn threat (c9), a public threat (c10), a happy review (c11), two agents,
    a viewer and an admin (users and API tokens)."""
    import escucha
    from escucha.http import auth

    ws = escucha.open(path)
    ws.add([
        {"id": "m1", "channel": "chat", "customer_id": "c9", "csat": 1, "timestamp": NOW - timedelta(hours=1),
         "text": "Cliente: Oye, el pedido LH-555123 no ha llegado y nadie me responde. Me voy a dar de baja."},
        {"id": "m2", "channel": "social", "customer_id": "c10", "timestamp": NOW - timedelta(minutes=30),
         "text": "Vergüenza de servicio, lo voy a subir a redes y lo verá todo el mundo", "reach": 40000},
        {"id": "m3", "channel": "review", "customer_id": "c11", "rating": 5, "timestamp": NOW - timedelta(hours=2),
         "text": "Todo perfecto, muy contentos con el sofá."},
    ])  # fmt: skip
    ws.analyze()
    ws.add_customers([{"id": "c9", "name": "Marta López", "attributes": {"tier": "gold"}},
                      {"id": "c10", "name": "Pedro Gil", "attributes": {"tier": "bronze"}}])  # fmt: skip
    ws.layout.cases.write_text(cases_yaml, encoding="utf-8")
    tokens = {}
    for role in ("viewer", "agent", "admin"):
        auth.add_user(ws, f"{role}1", PASSWORD, role)
        tokens[role] = {"Authorization": f"Bearer {auth.create_token(ws, f'{role}-t', role)[1]}"}
    auth.add_user(ws, "agent2", PASSWORD, "agent")
    auth.clear_cache()
    return ws, tokens


@pytest.fixture()
def setup(tmp_path: Path) -> Any:
    from escucha.server import create_app

    ws, tokens = build(tmp_path / "ws")
    return ws, TestClient(create_app(ws)), tokens


def test_complaint_to_recovery_and_breach_to_escalation(setup: Any) -> None:
    from escucha.cases.escalate import check_sla
    from escucha.http import audit

    ws, client, tok = setup
    agent, viewer = tok["agent"], tok["viewer"]
    with webhook_receiver() as hook:
        ws.path.joinpath("notify.yaml").write_text(
            f"channels: {{ops: {{type: webhook, url: '{hook.url}', format: generic}}}}\n", encoding="utf-8")

        # 1. the rules open one case per customer and topic, assigned round robin
        assert client.post("/api/v1/cases/open-from-rules", headers=viewer).status_code == 403
        r = client.post("/api/v1/cases/open-from-rules", headers=agent)
        assert r.status_code == 200, r.text
        assert len(r.json()["opened"]) == 2
        cases = client.get("/api/v1/cases", headers=viewer).json()["cases"]
        by_customer = {c["customer_id"]: c for c in cases}
        assert set(by_customer) == {"c9", "c10"}  # the happy review opens nothing
        churn, public = by_customer["c9"], by_customer["c10"]
        for c in (churn, public):
            assert set(c) >= {"id", "customer_id", "status", "priority", "opened_at", "due_at", "reason", "item_ids"}
        assert churn["reason"] == "churn_threat" and churn["priority"] == "high" and churn["item_ids"] == ["m1"]
        assert public["reason"] == "public_threat" and public["priority"] == "urgent"
        assert {churn["assignee"], public["assignee"]} == {"agent1", "agent2"}
        assert churn["status"] == "open" and churn["sla"]["first_response"]["state"] == "ok"
        # running the rules again opens nothing new
        assert client.post("/api/v1/cases/open-from-rules", headers=agent).json()["opened"] == []

        # 2. the SLA warns before the first-response deadline (1h here: the warning at 80%)
        opened = datetime.fromisoformat(churn["opened_at"])
        rep = check_sla(ws.store, ws.layout, now=opened + timedelta(minutes=50))
        assert rep.escalations == []
        assert {w["case"] for w in rep.warnings} >= {churn["id"]}
        assert f"case:{churn['id']}:first_response:warning:0" in [b["key"] for b in hook.bodies]
        one = client.get(f"/api/v1/cases/{churn['id']}", headers=viewer).json()
        assert "sla_warning" in [e["type"] for e in one["events"]]

        # 3. assist for the customer's message, then the reply stored as the agent's voice
        a = client.post("/api/v1/assist", headers=agent, json={"text": "Oye, el pedido LH-555123 no ha llegado "
                        "y nadie me responde. Me voy a dar de baja.", "customer_id": "c9", "case_id": churn["id"]})
        assert a.status_code == 200, a.text
        hint = a.json()
        assert hint["language"] == "es" and hint["register"] == "tu" and "churn_threat" in hint["intents"]
        assert hint["emotion"] == "anger" and hint["urgency"] > 0.5
        assert hint["playbook"]["name"] == "churn_threat"
        assert hint["compensation"]["amount"] <= hint["compensation"]["max"]
        assert "Marta" in hint["suggested_reply"] and "LH-555123" in hint["suggested_reply"]
        assert hint["customer"]["open_cases"][0]["id"] == churn["id"]
        r = client.post(f"/api/v1/cases/{churn['id']}/reply", headers=agent,
                        json={"text": hint["suggested_reply"], "playbook": "churn_threat",
                              "compensation": {"kind": "voucher", "amount": hint["compensation"]["amount"]}})
        assert r.status_code == 200, r.text
        item_id = r.json()["reply_item_id"]
        assert r.json()["first_response_at"] is not None and r.json()["sla"]["first_response"]["state"] == "met"
        voice = client.get(f"/api/v1/feedback/{item_id}", headers=agent).json()["feedback"]
        assert voice["text"].startswith("Agente: ") and voice["customer_id"] == "c9"
        assert voice["thread_id"] == "m1" and voice["parent_id"] == "m1" and voice["metadata"]["speaker"] == "agent"
        ws.analyze()  # the agent's kind words are not the customer's: the threat stays open on the 360
        prof = client.get("/api/v1/customers/c9", headers=agent).json()
        assert [t["id"] for t in prof["open_threats"]] == ["m1"] and prof["latest_sentiment"]["id"] == "m1"
        assert [t["speaker"] for t in prof["timeline"]] == ["customer", "agent"]

        # 4. resolved (a resolution code is required and named)
        bad = client.patch(f"/api/v1/cases/{churn['id']}", headers=agent, json={"status": "resolved"})
        assert bad.status_code == 422 and bad.json()["error"]["field"] == "resolution_code"
        assert client.patch(f"/api/v1/cases/{churn['id']}", headers=viewer, json={"note": "x"}).status_code == 403
        r = client.patch(f"/api/v1/cases/{churn['id']}", headers=agent,
                         json={"status": "resolved", "resolution_code": "compensated", "note": "cupón enviado"})
        assert r.status_code == 200 and r.json()["status"] == "resolved" and r.json()["resolved_at"]

        # 5. the customer comes back happier: recovery is measured per playbook and team
        # after the case was resolved (by the wall clock: a slow run may start this test long after NOW)
        later = (datetime.now(UTC) + timedelta(minutes=5)).isoformat()
        r = client.post("/api/v1/feedback", headers=agent, params={"analyze": True}, json={
            "id": "m4", "channel": "survey", "customer_id": "c9", "nps": 9, "timestamp": later,
            "text": "Gracias, me lo solucionaron rápido y con un detalle. Seguiré comprando."})  # fmt: skip
        assert r.status_code in (200, 201), r.text
        rec = client.get("/api/v1/cases/recovery", headers=viewer).json()
        [out] = [o for o in rec["cases"] if o["case"] == churn["id"]]
        assert out["came_back"] and out["score_up"] and out["threat_stopped"]
        [pb] = [p for p in rec["by_playbook"] if p["playbook"] == "churn_threat"]
        assert pb["came_back"] == 1.0 and pb["score_up"] == 1.0
        assert any(t["team"] == "soporte" for t in rec["by_team"])
        # the follow-up voice does not open a new case, the agent's voice is never a customer's
        assert client.post("/api/v1/cases/open-from-rules", headers=agent).json()["opened"] == []

        # 6. the public threat is never answered: breach, escalation level 1, then level 2
        t0 = datetime.fromisoformat(public["opened_at"])
        rep = check_sla(ws.store, ws.layout, now=t0 + timedelta(hours=1, minutes=5))
        assert [(e["case"], e["level"]) for e in rep.escalations] == [(public["id"], 1)]
        rep = check_sla(ws.store, ws.layout, now=t0 + timedelta(hours=1, minutes=40))
        assert [(e["case"], e["level"]) for e in rep.escalations] == [(public["id"], 2)]
        assert check_sla(ws.store, ws.layout, now=t0 + timedelta(hours=1, minutes=45)).escalations == []
        escalations = [b for b in hook.bodies if b["key"].startswith(f"case:{public['id']}:first_response:breach")]
        assert [(b["facts"]["level"], b["severity"]) for b in escalations] == [("1", "high"), ("2", "critical")]
        last = escalations[-1]
        assert last["url"].endswith(f"/cases/{public['id']}") and "escalation level 2" in last["subject"]
        assert "Vergüenza" not in str(hook.bodies)  # never the customer's words
        one = client.get(f"/api/v1/cases/{public['id']}", headers=viewer).json()
        assert one["escalation_level"] == 2  # (its clocks read the real time: not yet late now)
        assert [e["level"] for e in one["events"] if e["type"] == "escalated"] == [1, 2]

    events = {e["event"] for e in audit.entries(ws)}
    assert {"cases_opened_by_rules", "case_replied", "case_changed"} <= events


def test_manual_case_validation_and_roles(setup: Any) -> None:
    _, client, tok = setup
    r = client.post("/api/v1/cases", headers=tok["agent"], json={"customer_id": "c11", "reason": "llamada",
                                                                   "priority": "whenever"})
    assert r.status_code == 422 and r.json()["error"]["field"] == "priority"
    r = client.post("/api/v1/cases", headers=tok["agent"], json={"customer_id": "c11", "reason": "llamada"})
    assert r.status_code == 201 and r.json()["assignee"] in ("agent1", "agent2")
    cid = r.json()["id"]
    assert client.post("/api/v1/cases", headers=tok["viewer"], json={"customer_id": "c11", "reason": "x"}).status_code == 403
    r = client.patch(f"/api/v1/cases/{cid}", headers=tok["agent"], json={"status": "pending"})
    assert r.json()["sla"]["first_response"]["state"] == "paused"
    r = client.patch(f"/api/v1/cases/{cid}", headers=tok["agent"], json={"colour": "red"})
    assert r.status_code == 422
    assert client.get("/api/v1/cases/CASE-999999", headers=tok["viewer"]).status_code == 404
    r = client.get("/api/v1/cases", headers=tok["viewer"], params={"status": "lost"})
    assert r.status_code == 422 and r.json()["error"]["field"] == "status"
    r = client.post("/api/v1/cases", headers=tok["agent"], json={"reason": "x", "item_ids": ["m3", "nope"]})
    assert r.status_code == 422 and r.json()["error"]["record"] == "nope"
    r = client.post("/api/v1/cases", headers=tok["agent"], json={"reason": "reseña", "item_ids": ["m3"]})
    assert r.json()["customer_id"] == "c11" and r.json()["channel"] == "review"
    r = client.post("/api/v1/assist", headers=tok["agent"], json={"text": "hola", "case_id": "CASE-999999"})
    assert r.status_code == 404 and r.json()["error"]["field"] == "case_id"
    mine = client.get("/api/v1/cases", headers=tok["agent"], params={"assignee": "me"}).json()
    assert all(c["assignee"] == "agent1" for c in mine["cases"])
    # the customer 360 carries the cases, the timeline and the search finds the customer
    prof = client.get("/api/v1/customers/c11", headers=tok["agent"]).json()
    assert cid in {c["id"] for c in prof["cases"]} and prof["timeline"][0]["id"] == "m3"
    hits = client.get("/api/v1/customers", headers=tok["agent"], params={"q": "marta"}).json()
    assert [h["id"] for h in hits] == ["c9"]
    assert client.get("/api/v1/customers", headers=tok["viewer"], params={"q": "marta"}).status_code == 403


def test_churn_routes_need_customer_rights_and_explain_too_little_data(setup: Any) -> None:
    _, client, tok = setup
    assert client.get("/api/v1/churn", headers=tok["viewer"]).status_code == 403
    r = client.get("/api/v1/churn", headers=tok["agent"])
    assert r.status_code == 422 and r.json()["error"]["field"] == "timestamp"  # three voices: nobody to learn from
    silent = client.get("/api/v1/churn/silent", headers=tok["agent"], params={"days": 0}).json()
    assert {s["customer_id"] for s in silent} == {"c9", "c10"}  # their last voices were complaints


def test_retention_page_lists_silent_customers_for_customer_roles_only(setup: Any) -> None:
    ws, client, tok = setup
    ws.add([{"id": "old", "channel": "review", "customer_id": "c12", "rating": 1, "timestamp": NOW - timedelta(days=60),
             "text": "Fatal: el pedido llegó roto y nadie me devolvió el dinero."}])  # fmt: skip
    ws.analyze()
    assert client.get("/retention", headers=tok["viewer"]).status_code == 403
    r = client.get("/retention", headers=tok["agent"])
    assert r.status_code == 200, r.text
    silent = r.text[r.text.index('id="silent"'):r.text.index('id="recovery-playbook"')]
    assert 'href="/customers/c12"' in silent and "c9" not in silent  # quiet 60 days, not 1 hour


def test_rules_over_the_api_admins_change_them_and_bad_ones_are_named(setup: Any) -> None:
    ws, client, tok = setup
    cfg = client.get("/api/v1/cases/rules", headers=tok["viewer"]).json()
    assert cfg["rules"][0]["name"] == "public_threat" and "soporte" in cfg["queues"]
    rule = {"name": "gold_any", "when": {"customer": {"tier": ["gold"]}}, "priority": "urgent", "topic": "vip"}
    assert client.put("/api/v1/cases/rules", headers=tok["agent"], json={"rules": [rule]}).status_code == 403
    bad = client.put("/api/v1/cases/rules", headers=tok["admin"], json={"rules": [{**rule, "when": {"tier": "gold"}}]})
    assert bad.status_code == 400 and bad.json()["error"]["record"] == "gold_any" and bad.json()["error"]["field"] == "when"
    r = client.put("/api/v1/cases/rules", headers=tok["admin"], json={"rules": [rule], "auto_open": False})
    assert r.status_code == 200 and [x["name"] for x in r.json()["rules"]] == ["gold_any"]
    assert "soporte" in ws.layout.cases.read_text(encoding="utf-8")  # the other keys of the file are kept
    opened = client.post("/api/v1/cases/open-from-rules", headers=tok["agent"]).json()["opened"]
    [case] = client.get("/api/v1/cases", headers=tok["viewer"]).json()["cases"]
    assert opened == [case["id"]] and case["customer_id"] == "c9" and case["priority"] == "urgent"


def test_the_server_opens_cases_by_itself_over_recent_voices(setup: Any) -> None:
    from escucha.cases import store as case_store
    from escucha.cases.rules import auto_open

    ws, _, _ = setup
    s = auto_open(ws.store, ws.layout, now=NOW + timedelta(days=10))  # the voices are 10 days old: too old
    assert s is not None and s.opened == []
    s = auto_open(ws.store, ws.layout, now=NOW)
    assert s is not None and len(s.opened) == 2 and len(case_store.load_all(ws.store)) == 2
    ws.layout.cases.write_text(ws.layout.cases.read_text(encoding="utf-8") + "auto_open: false\n", encoding="utf-8")
    assert auto_open(ws.store, ws.layout) is None
