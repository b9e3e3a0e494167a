"""Alerts and incidents told in the reader's language: notifications in the workspace's
``ui_language`` (a rule may say ``language: en``), the API's ``summary`` in ``?lang=`` (default: the
workspace's), the wording shared with the dashboard (escucha.watch.text)."""

from __future__ import annotations

import yaml
from fastapi.testclient import TestClient

from escucha.watch.text import Style, alert_text, incident_text
from receivers import webhook_receiver

VOICES = [
    {"id": f"v{i}", "channel": "social", "product": "Nube", "customer_id": f"c{i}",
     "timestamp": f"2024-03-01T1{i}:00:00Z", "text": "El sofá llegó roto y nadie responde. Vergüenza."}
    for i in range(4)
]  # fmt: skip
OTHER = [{**v, "id": f"s{i}", "product": "Sol", "customer_id": f"d{i}", "timestamp": f"2024-03-20T1{i}:00:00Z"}
         for i, v in enumerate(VOICES)]  # fmt: skip


def _setup(ws, hook_url: str, sol_language: str | None = None, deliver: str = "incident") -> None:
    rules = [{"id": p.lower(), "kind": "threshold", "scope": {"product": p}, "metric": "volume", "min": 3,
              "deliver": deliver} for p in ("Nube", "Sol")]  # fmt: skip
    if sol_language:
        rules[1]["language"] = sol_language
    ws.layout.alerts.write_text(yaml.safe_dump({"rules": rules}), encoding="utf-8")
    ws.layout.notify.write_text(yaml.safe_dump({"channels": {"ops": {"type": "webhook", "url": hook_url}},
                                                "backoff_s": 0, "cooldown_s": 0}), encoding="utf-8")  # fmt: skip


def test_a_spanish_workspace_pages_in_spanish_and_a_rule_may_speak_english(ws) -> None:
    assert ws.settings.ui_language == "es"
    with webhook_receiver() as hook:
        _setup(ws, hook.url, sol_language="en")
        ws.listen(VOICES)
        ws.listen(OTHER)
        ws.notifier.flush()
    nube, sol = (b for b in hook.bodies)
    assert nube["key"].startswith("incident:in-") and sol["key"] != nube["key"]
    assert nube["subject"] == "[escucha] incidente: producto Nube: 1 alerta (umbral) 2024-03-01"
    assert nube["text"] == "producto Nube: 1 alerta (umbral) 2024-03-01"
    assert nube["facts"]["kinds"] == "threshold"  # facts stay machine-readable
    assert sol["subject"] == "[escucha] incident: product Sol: 1 alert (threshold) 2024-03-20"


def test_alerts_delivered_one_by_one_speak_the_workspace_language(tmp_path) -> None:
    import escucha

    ws = escucha.open(tmp_path / "ws", ui_language="en")
    with webhook_receiver() as hook:
        _setup(ws, hook.url, deliver="alert")
        ws.listen(VOICES)
        ws.notifier.flush()
    [body] = hook.bodies
    assert body["key"].startswith("alert:al-")
    assert body["text"] == "product Nube: 4 voices (threshold 3)" and body["subject"] == "[escucha] " + body["text"]


def test_the_api_tells_summaries_in_lang_and_keeps_every_key(ws) -> None:
    from escucha.http import auth
    from escucha.server import create_app

    with webhook_receiver() as hook:
        _setup(ws, hook.url)
        ws.listen(VOICES)
    _, token = auth.create_token(ws, "eyes", "agent")
    h = {"authorization": f"Bearer {token}"}
    client = TestClient(create_app(ws, secure_cookies=False))
    [stored] = ws.watch.incidents()
    es = client.get("/api/v1/incidents", headers=h).json()["incidents"]
    en = client.get("/api/v1/incidents?lang=en", headers=h).json()["incidents"]
    assert set(es[0]) == set(en[0]) == set(stored)  # the same keys as stored
    assert {k: v for k, v in en[0].items() if k != "summary"} == {k: v for k, v in stored.items() if k != "summary"}
    assert es[0]["summary"] == "producto Nube: 1 alerta (umbral) 2024-03-01"
    assert en[0]["summary"] == "product Nube: 1 alert (threshold) 2024-03-01"
    one = client.get(f"/api/v1/incidents/{stored['id']}?lang=en", headers=h).json()
    assert one["summary"] == en[0]["summary"] and one["alerts"][0]["summary"] == "product Nube: 4 voices (threshold 3)"
    alerts = client.get("/api/v1/alerts", headers=h).json()["alerts"]
    assert alerts[0]["summary"] == "producto Nube: 4 voces (umbral 3)"
    aid = alerts[0]["id"]
    assert client.get(f"/api/v1/alerts/{aid}?lang=en", headers=h).json()["summary"].startswith("product Nube")
    acked = client.post(f"/api/v1/incidents/{stored['id']}/ack?lang=en", headers=h)
    assert acked.status_code == 200 and acked.json()["summary"].startswith("product Nube")
    assert client.get("/api/v1/alerts?lang=fr", headers=h).status_code == 422


def test_plain_text_names_aspects_by_their_labels_and_marks_nothing() -> None:
    alert = {"kind": "topic", "scope": {"product": "<Silla>", "aspect": "delivery"}, "count": 12, "expected": 3.0,
             "facts": {"by": "18:00", "ratio": 4.0}}  # fmt: skip
    plain = alert_text(alert, "es", Style.plain({"delivery": "Plazo de entrega"}))
    assert plain == "producto <Silla> · aspecto Plazo de entrega: 12 menciones hasta las 18:00 (se esperaban 3.0; ×4.0)"
    assert alert_text(alert, "en").startswith("product <Silla> · aspect delivery: 12 mentions by 18:00")
    incident = {"alert_ids": ["a", "b"], "kinds": ["topic", "volume"], "title_scope": {"channel": "social"},
                "window_start": "2024-04-22T00:00:00", "window_end": "2024-04-29T00:00:00"}  # fmt: skip
    assert incident_text(incident, "es", days=True) == "canal redes sociales: 2 alertas (tema, volumen) 2024-04-22…2024-04-28"
    assert incident_text(incident, "en") == "channel social: 2 alerts (topic, volume)"


def test_a_rule_language_is_checked() -> None:
    import pytest

    from escucha.errors import ValidationError
    from escucha.watch.rules import validate_rule

    assert validate_rule({"id": "v", "kind": "viral", "language": "en"})["language"] == "en"
    with pytest.raises(ValidationError) as exc:
        validate_rule({"id": "v", "kind": "viral", "language": "fr"})
    assert exc.value.field == "language"
