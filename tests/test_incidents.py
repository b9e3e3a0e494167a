"""Incidents of the reputation watch: the grouping rule, stable ids, the stored book (ack of an
incident acknowledges its alerts), one delivery per incident at a real local webhook receiver, the
REST routes with roles, the dashboard, and the demo's courier week grouped."""

from __future__ import annotations

import json
import random

import pandas as pd
import pytest
import yaml
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from escucha.cli import app
from escucha.errors import ConfigError
from escucha.watch.incidents import IncidentParams, components, group, related
from receivers import webhook_receiver


def _a(aid: str, scope: dict, day: str, hour: int = 12, kind: str = "topic", score: float = 2.0,
       evidence: tuple[str, ...] = (), days: int = 1) -> dict:  # fmt: skip
    start = pd.Timestamp(day)
    return {"id": f"al-{aid}", "kind": kind, "scope": scope, "window_start": start.isoformat(),
            "window_end": (start + pd.Timedelta(days=days)).isoformat(),
            "detected_at": (start + pd.Timedelta(hours=hour)).isoformat(), "score": score,
            "summary": aid, "evidence": list(evidence)}  # fmt: skip


def _groups(alerts: list[dict], **kw) -> list[set[str]]:
    p = IncidentParams(**kw)
    return sorted(({alerts[i]["id"][3:] for i in c} for c in components(alerts, p.gap, p.separate, p.min_shared)),
                  key=sorted)  # fmt: skip


def test_related_scopes() -> None:
    assert related({"product": "United", "aspect": "x"}, {"product": "United", "aspect": "y"})  # same product
    assert related({"aspect": "x"}, {"product": "Delta", "aspect": "x"})  # the same aspect across scopes
    assert related({}, {"channel": "chat"}) and related({"product": "U"}, {"product": "U", "aspect": "z"})  # contains
    assert not related({"product": "United"}, {"location": "Chicago"})
    assert not related({"channel": "chat"}, {"aspect": "delivery"})


def test_grouping_by_time_scope_and_evidence() -> None:
    storm = [_a("u-canc", {"product": "United", "aspect": "cancellations"}, "2015-02-22", 7),
             _a("u-wait", {"product": "United", "aspect": "waiting_time"}, "2015-02-22", 9),
             _a("u-vol", {"product": "United"}, "2015-02-23", 3, kind="volume"),
             _a("d-canc", {"product": "Delta", "aspect": "cancellations"}, "2015-02-22", 8),
             _a("chicago", {"location": "Chicago"}, "2015-02-22", 10, kind="volume")]  # fmt: skip
    assert _groups(storm) == [{"chicago"}, {"d-canc"}, {"u-canc", "u-wait", "u-vol"}]
    # without separate products, the shared aspect joins the two airlines
    assert _groups(storm, separate=()) == [{"chicago"}, {"d-canc", "u-canc", "u-wait", "u-vol"}]
    # an aspect-wide alert joins one airline's incident (its strongest link), never both
    hub = [*storm, _a("canc", {"aspect": "cancellations"}, "2015-02-22", 18, score=3.7)]
    gs = _groups(hub)
    assert len(gs) == 3 and sum("canc" in g for g in gs) == 1
    # time: daily windows within the gap join; farther apart they do not; gap 0 means touching
    far = [_a("d1", {"product": "X"}, "2024-01-01"), _a("d3", {"product": "X"}, "2024-01-03"),
           _a("d6", {"product": "X"}, "2024-01-06")]  # fmt: skip
    assert _groups(far) == [{"d1", "d3"}, {"d6"}]
    assert _groups(far, gap=pd.Timedelta(0)) == [{"d1"}, {"d3"}, {"d6"}]
    # evidence: unrelated scopes behind the same voices are one event (min_shared of them)
    shared = [_a("chat", {"channel": "chat"}, "2024-04-23", kind="volume", evidence=("v1", "v2", "v3", "v4")),
              _a("deliv", {"aspect": "delivery"}, "2024-04-23", evidence=("v2", "v3", "v4", "v9"))]  # fmt: skip
    assert _groups(shared) == [{"chat", "deliv"}]
    assert _groups(shared, min_shared=4) == [{"chat"}, {"deliv"}]


def test_incident_fields_and_deterministic_ids() -> None:
    alerts = [_a("b", {"product": "U", "aspect": "canc"}, "2015-02-22", 7, score=2.2, evidence=("v1", "v2")),
              _a("a", {"product": "U"}, "2015-02-22", 9, kind="volume", score=4.0, evidence=("v3", "v1")),
              _a("c", {"product": "U", "aspect": "wait"}, "2015-02-23", 5, score=1.5, evidence=("v4",))]  # fmt: skip
    [inc] = group(alerts)
    assert inc["id"] == "in-b"  # the first alert's (earliest detection)
    assert inc["detected_at"] == "2015-02-22T07:00:00" and inc["score"] == 4.0
    assert inc["title"] == "product=U" and inc["lead_alert"] == "al-a"  # the strongest alert's scope
    assert inc["kinds"] == ["topic", "volume"] and inc["alert_ids"] == ["al-b", "al-a", "al-c"]
    assert inc["window_start"] == "2015-02-22T00:00:00" and inc["window_end"] == "2015-02-24T00:00:00"
    assert inc["evidence"] == ["v3", "v1", "v2", "v4"]  # the strongest alert's first, no repeats
    assert group(alerts, IncidentParams(evidence=2))[0]["evidence"] == ["v3", "v1"]
    for seed in range(5):  # any input order: the same incidents
        shuffled = alerts[:]
        random.Random(seed).shuffle(shuffled)
        assert group(shuffled) == group(alerts)


def test_late_alerts_keep_the_incident_id_and_bridges_merge_into_the_earlier() -> None:
    first = [_a("x", {"product": "U"}, "2015-02-22", 10)]
    [known] = group(first)
    late = _a("early", {"product": "U", "aspect": "canc"}, "2015-02-22", 2)  # a late voice: detected "earlier"
    assert group([*first, late])[0]["id"] == "in-early"  # without history, the first alert names it …
    [kept] = group([*first, late], known=[known])
    assert kept["id"] == known["id"] and kept["alert_ids"] == ["al-early", "al-x"]  # … with it, the id stays
    a, b = _a("m1", {"product": "U"}, "2024-01-01", 5), _a("m2", {"product": "U"}, "2024-01-04", 5)
    known2 = group([a, b])
    assert len(known2) == 2
    bridge = _a("m3", {"product": "U"}, "2024-01-02", 9, days=2)
    [merged] = group([a, b, bridge], known=known2)
    assert merged["id"] == "in-m1" and merged["merged"] == ["in-m2"]


def test_live_regrouping_leaves_old_incidents_as_stored(ws) -> None:
    book, incs = ws.watch.book, ws.watch.incident_book
    wide, tight = IncidentParams(gap=pd.Timedelta("48h")), IncidentParams(gap=pd.Timedelta(0))
    book.merge([_a("o1", {"product": "Nube"}, "2024-01-01"), _a("o2", {"product": "Nube"}, "2024-01-03")])
    incs.sync(wide)  # a day apart: one incident under a 48 h gap
    [old] = incs.all()
    incs.resolve(old["id"], "ana")
    before = incs.get(old["id"])
    recent = [_a("n1", {"product": "Nube"}, "2024-03-01")]
    book.merge(recent)
    new = incs.sync(tight, recent=recent)  # regrouping everything under this gap would split the old incident
    assert [i["alert_ids"] for i in new] == [["al-n1"]] and incs.get(old["id"]) == before
    late = [_a("o3", {"product": "Nube"}, "2024-01-04")]  # a late alert next to it: the old incident is regrouped
    book.merge(late)
    assert incs.sync(wide, recent=late) == [] and incs.get(old["id"])["alert_ids"] == ["al-o1", "al-o2", "al-o3"]
    incs.sync(tight)  # a full regroup (a replay) does split it
    assert sorted(len(i["alert_ids"]) for i in incs.all()) == [1, 1, 2]


def test_incident_settings_are_validated(tmp_path) -> None:
    assert IncidentParams.from_config({"gap": "2d"}).gap == pd.Timedelta(days=2)
    with pytest.raises(ConfigError):
        IncidentParams.from_config({"gap": "soon"})
    with pytest.raises(ConfigError):
        IncidentParams.from_config({"gapp": "1d"})
    with pytest.raises(ConfigError):
        IncidentParams.from_config({"separate": ["colour"]})
    from escucha.watch.rules import Rules

    rules = Rules(tmp_path / "alerts.yaml")
    assert all(r["deliver"] == "incident" for r in rules.list())
    with pytest.raises(Exception) as e:
        rules.put({"id": "v", "kind": "viral", "deliver": "pager"})
    assert getattr(e.value, "field", None) == "deliver"


def test_the_demo_courier_week_is_one_incident(demo_ws) -> None:
    from escucha.demo.generator import stories

    truth = {s["id"]: s for s in stories()}
    res = CliRunner().invoke(app, ["-w", str(demo_ws.path), "alerts", "replay", "--incidents", "--json"])
    assert res.exit_code == 0, res.output
    incidents = json.loads(res.output)
    alerts = json.loads(CliRunner().invoke(app, ["-w", str(demo_ws.path), "alerts", "replay", "--json"]).output)
    assert len(incidents) < len(alerts) and sorted(i for x in incidents for i in x["alert_ids"]) == \
        sorted(a["id"] for a in alerts)  # fmt: skip
    c = truth["courier_collapse"]
    in_week = [i for i in incidents if i["window_start"][:10] <= c["end"] and i["window_end"][:10] >= c["start"]]
    week_alerts = [a for a in alerts if c["start"] <= a["window_start"][:10] <= c["end"]]
    assert len(week_alerts) >= 5 and len(in_week) == 1, [i["summary"] for i in in_week]
    [storm] = in_week
    assert {a["id"] for a in week_alerts} <= set(storm["alert_ids"])
    assert {"aspect": "delivery_logistics"} in storm["scopes"] and {"channel": "chat"} in storm["scopes"]
    viral = [i for i in incidents if {"voice": "lumen_social:P000001"} in i["scopes"]]
    assert len(viral) == 1 and viral[0]["window_start"][:10] == truth["viral_influencer"]["date"]


VOICES = [
    {"id": f"v{i}", "channel": "social", "product": "Nube", "customer_id": f"c{i}",
     "timestamp": f"2024-03-0{1 + i // 4}T1{i % 4}:00:00Z",
     "text": "El sofá llegó roto y nadie responde. Vergüenza."} for i in range(8)
]  # fmt: skip
OTHER = [{**v, "id": f"s{i}", "product": "Sol", "customer_id": f"d{i}", "timestamp": f"2024-03-20T1{i}:00:00Z"}
         for i, v in enumerate(VOICES[:4])]  # fmt: skip


def _setup(ws, hook_url: str) -> None:
    rules = [{"id": p.lower(), "kind": "threshold", "scope": {"product": p}, "metric": "volume", "min": 3,
              "channels": ["ops"]} for p in ("Nube", "Sol")]  # fmt: skip
    ws.layout.alerts.write_text(yaml.safe_dump({"rules": rules}), encoding="utf-8")
    ws.layout.notify.write_text(yaml.safe_dump({"channels": {"ops": {"type": "webhook", "url": hook_url}},
                                                "backoff_s": 0, "cooldown_s": 0}), encoding="utf-8")  # fmt: skip


def test_one_delivery_per_incident_and_ack_through_the_api_with_roles(ws) -> None:
    from escucha.http import auth
    from escucha.server import create_app

    with webhook_receiver() as hook:
        _setup(ws, hook.url)
        _, agent = auth.create_token(ws, "feed", "agent")
        _, viewer = auth.create_token(ws, "eyes", "viewer")
        h, hv = {"authorization": f"Bearer {agent}"}, {"authorization": f"Bearer {viewer}"}
        client = TestClient(create_app(ws, secure_cookies=False))
        client.post("/api/v1/feedback", json=VOICES[:4], headers=h)  # day 1: an alert, a new incident
        ws.notifier.flush()
        assert len(hook.bodies) == 1 and hook.bodies[0]["key"].startswith("incident:in-")
        client.post("/api/v1/feedback", json=VOICES[4:], headers=h)  # day 2: its alert joins the incident
        client.post("/api/v1/feedback", json=[{**VOICES[0], "id": "late", "customer_id": "cz",
                                               "timestamp": "2024-03-01T23:00:00Z"}], headers=h)  # fmt: skip
        ws.notifier.flush()
        assert len(ws.watch.alerts()) == 2 and len(hook.bodies) == 1  # updated, nobody paged twice
        client.post("/api/v1/feedback", json=OTHER, headers=h)  # another product, weeks later: a new incident
        ws.notifier.flush()
        assert len(hook.bodies) == 2 and hook.bodies[1]["key"] != hook.bodies[0]["key"]

        assert client.get("/api/v1/incidents").status_code == 401
        listed = client.get("/api/v1/incidents", headers=hv).json()["incidents"]
        assert [len(i["alert_ids"]) for i in listed] == [1, 2]  # newest first
        nube = listed[1]
        assert nube["title_scope"] == {"product": "Nube"} and nube["state"] == "open"
        assert hook.bodies[0]["key"] == f"incident:{nube['id']}"
        one = client.get(f"/api/v1/incidents/{nube['id']}", headers=hv).json()
        assert [a["id"] for a in one["alerts"]] == nube["alert_ids"]
        assert client.get("/api/v1/incidents/in-nope", headers=hv).status_code == 404
        assert client.post(f"/api/v1/incidents/{nube['id']}/ack", headers=hv).status_code == 403
        assert client.post("/api/v1/incidents/in-nope/ack", headers=h).status_code == 404
        r = client.post(f"/api/v1/incidents/{nube['id']}/ack", json={"note": "courier called"}, headers=h)
        assert r.status_code == 200 and r.json()["acknowledged_by"] == "token:feed"
        for aid in nube["alert_ids"]:  # its alerts: acknowledged, by whom and when
            a = client.get(f"/api/v1/alerts/{aid}", headers=hv).json()
            assert a["state"] == "acknowledged" and a["acknowledged_by"] == "token:feed" and a["acknowledged_at"]
        assert client.get("/api/v1/incidents?state=open", headers=hv).json()["incidents"][0]["id"] == listed[0]["id"]
        assert client.post(f"/api/v1/incidents/{nube['id']}/resolve", headers=h).json()["state"] == "resolved"
        assert client.post(f"/api/v1/incidents/{nube['id']}/ack", headers=h).status_code == 422  # already resolved
        paths = client.app.openapi()["paths"]  # type: ignore[attr-defined]
        assert {"401", "403", "404", "422"} <= set(paths["/api/v1/incidents/{incident_id}/ack"]["post"]["responses"])


def test_alerts_acknowledged_one_by_one_close_their_incident_and_the_cli(ws) -> None:
    with webhook_receiver() as hook:
        _setup(ws, hook.url)
        ws.listen(VOICES)
    [inc] = ws.watch.incidents()
    assert len(inc["alert_ids"]) == 2
    ws.watch.book.ack(inc["alert_ids"][0], "ana")
    assert ws.watch.incident_book.get(inc["id"])["state"] == "open"
    ws.watch.book.ack(inc["alert_ids"][1], "luis")
    done = ws.watch.incident_book.get(inc["id"])
    assert done["state"] == "acknowledged" and done["acknowledged_by"] == "luis"
    res = CliRunner().invoke(app, ["-w", str(ws.path), "alerts", "incidents", "--json"])
    assert res.exit_code == 0, res.output
    assert [i["id"] for i in json.loads(res.output)] == [inc["id"]]
    res = CliRunner().invoke(app, ["-w", str(ws.path), "alerts", "incidents", "resolve", inc["id"], "--by", "ana"])
    assert res.exit_code == 0 and ws.watch.incident_book.get(inc["id"])["resolved_by"] == "ana"
    assert all(a["state"] == "resolved" for a in ws.watch.alerts())


def test_dashboard_shows_incidents_first_and_the_snapshot_box(ws) -> None:
    from escucha.http import auth
    from escucha.server import create_app

    with webhook_receiver() as hook:
        _setup(ws, hook.url)
        ws.listen(VOICES)
    [inc] = ws.watch.incidents()
    _, token = auth.create_token(ws, "web", "agent")
    client = TestClient(create_app(ws, secure_cookies=False))
    h = {"authorization": f"Bearer {token}"}
    page = client.get("/alerts", headers=h).text
    assert page.index('id="incidents"') < page.index('id="alerts"')  # incidents first …
    assert f'id="incident-{inc["id"]}"' in page and "<details" in page  # … with their alerts folded
    assert "Incidentes" in page and "2 alertas" in page
    one = client.get(f"/incidents/{inc['id']}", headers=h)
    assert one.status_code == 200 and all(a in one.text for a in inc["alert_ids"]) and "v0" in one.text
    assert 'id="incident-action"' in one.text
    assert client.get("/incidents/in-nope", headers=h).status_code == 404
    snap = client.get("/", headers=h).text
    assert "Incidentes abiertos" in snap and f'/incidents/{inc["id"]}' in snap
    ws.watch.incident_book.ack(inc["id"], "ana")
    assert inc["id"] not in client.get("/", headers=h).text  # acknowledged: out of the box at once
    assert "ana" in client.get("/alerts?status=acknowledged", headers=h).text
