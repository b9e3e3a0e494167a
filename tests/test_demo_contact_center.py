"""The demo works as a contact center: queues with agents, cases opened from its last two weeks,
assigned round robin, with SLA clocks, and an agent who logs in and sees their inbox."""

from __future__ import annotations

from collections import Counter
from typing import Any

import yaml

from escucha.cases import store as case_store
from escucha.cases.config import load_config
from escucha.demo.contact_center import DEMO_USERS, open_demo_cases
from test_api import login, make_client


def test_demo_ships_queues_and_assigned_cases(demo_ws: Any) -> None:
    cfg = load_config(demo_ws.layout)
    queues = cfg["queues"]
    assert cfg["assignment"] == "round_robin" and {"retention", "atencion", "customer_care"} <= set(queues)
    assert "ana" in queues["atencion"]["agents"] and queues["customer_care"]["languages"] == ["en"]
    assert yaml.safe_load(demo_ws.layout.cases.read_text(encoding="utf-8"))["queues"] == queues
    cases = case_store.load_all(demo_ws.store)
    assert 30 <= len(cases) <= 400  # the last two weeks, not the whole half year
    assigned = [c for c in cases if c.assignee]
    assert len(assigned) >= 0.9 * len(cases)
    for c in assigned:  # each case went to an agent of its queue, and the queue fits its language
        assert c.assignee in queues[c.queue]["agents"]
        assert c.language is None or c.language in queues[c.queue]["languages"]
    per_agent = Counter(c.assignee for c in cases if c.queue == "atencion")
    assert max(per_agent.values()) - min(per_agent.values()) <= 1  # round robin within the queue
    assert {c.reason for c in cases if c.queue == "retention"} <= {"public_threat", "churn_threat", "broken_promise"}
    assert open_demo_cases(demo_ws) is None  # building again opens nothing twice
    assert len(case_store.load_all(demo_ws.store)) == len(cases)


def test_demo_agent_sees_an_inbox_with_sla_clocks(demo_ws: Any) -> None:
    from escucha.http import auth

    users = {u: (p, r) for u, p, r in DEMO_USERS}
    assert users["ana"][1] == "agent" and users["sofia"][1] == "analyst"
    for user, password, role in DEMO_USERS:
        auth.add_user(demo_ws, user, password, role, "es", replace=True)
    mine = [c for c in case_store.load_all(demo_ws.store) if c.assignee == "ana" and c.active]
    assert mine
    client = make_client(demo_ws)
    login(client, "ana", users["ana"][0])
    page = client.get("/inbox")
    assert page.status_code == 200
    for c in mine[:5]:
        assert c.id in page.text
    assert "SLA" in page.text
    other = next(c for c in case_store.load_all(demo_ws.store) if c.assignee not in (None, "ana"))
    assert other.id not in page.text  # "mine" holds ana's cases only
    r = client.get("/api/v1/cases", params={"assignee": "me"})
    assert r.status_code == 200
