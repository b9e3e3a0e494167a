"""Cases as a library: business-hours clocks, pauses, rules (one case per customer and topic),
configuration errors that name the rule and field, playbook limits, agent assist in Spanish and
English with an optional OpenAI-compatible endpoint, and churn risk on the demo."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from escucha.cases.calendar import Calendar
from escucha.cases.model import Case
from escucha.errors import ConfigError

NOW = datetime(2026, 3, 6, 17, 0, tzinfo=UTC)  # a Friday, 18:00 in Madrid


def test_business_hours_skip_nights_weekends_and_holidays() -> None:
    cal = Calendar.from_config({"timezone": "Europe/Madrid", "days": ["mon", "tue", "wed", "thu", "fri"],
                                "hours": ["09:00", "18:00"], "holidays": ["2026-03-09"]})  # fmt: skip
    friday_5pm = datetime(2026, 3, 6, 16, 0, tzinfo=UTC)  # 17:00 Madrid
    due = cal.add(friday_5pm, timedelta(hours=4))  # 1h on Friday, Monday is a holiday, 3h on Tuesday
    assert due == datetime(2026, 3, 10, 11, 0, tzinfo=UTC)  # Tuesday 12:00 Madrid
    assert cal.between(friday_5pm, due) == timedelta(hours=4)
    assert cal.day_hours == 9
    with pytest.raises(ConfigError) as e:
        Calendar.from_config({"timezone": "Mars/Olympus"})
    assert e.value.field == "sla.calendar.timezone"


def test_waiting_on_the_customer_pauses_the_clocks(ws: Any) -> None:
    from escucha.cases.config import load_config
    from escucha.cases.sla import Policies
    from escucha.cases.workflow import create_case, patch_case

    ws.layout.cases.write_text("sla:\n  calendar: {timezone: UTC}\n  policies:\n"
                               + "".join(f"    {p}: {{first_response: 2h, next_response: 4h, resolution: 10h, "
                                         "business_hours: false}\n" for p in ("urgent", "high", "normal", "low")),
                               encoding="utf-8")  # fmt: skip
    pol = Policies(load_config(ws.layout))
    case = create_case(ws.store, ws.layout, customer_id="c1", reason="llamada", now=NOW)
    assert pol.clocks(case, NOW + timedelta(hours=1, minutes=40))["first_response"].state == "warning"
    case = patch_case(ws.store, ws.layout, case.id, {"status": "pending"}, now=NOW + timedelta(hours=1))
    paused = pol.clocks(case, NOW + timedelta(hours=5))
    assert paused["first_response"].state == "paused" and paused["first_response"].used_s == 3600
    case = patch_case(ws.store, ws.layout, case.id, {"status": "open"}, now=NOW + timedelta(hours=5))
    c = pol.clocks(case, NOW + timedelta(hours=5, minutes=30))["resolution"]
    assert c.used_s == 1.5 * 3600 and c.due_at == NOW + timedelta(hours=14)  # 10h + 4h waiting


def test_rules_one_case_per_customer_and_topic_vip_and_joining(ws: Any) -> None:
    from escucha.cases import store as case_store
    from escucha.cases.rules import open_from_rules

    ws.add([
        {"id": "a", "channel": "review", "customer_id": "c1", "rating": 1, "timestamp": "2026-03-01T10:00:00Z",
         "text": "El envío llegó tardísimo, una semana de retraso."},
        {"id": "b", "channel": "survey", "customer_id": "c2", "nps": 3, "timestamp": "2026-03-01T11:00:00Z",
         "text": "El envío llegó tardísimo y mal."},
        {"id": "e", "channel": "employee", "nps": 0, "timestamp": "2026-03-01T11:00:00Z", "text": "Fatal todo."},
    ])  # fmt: skip
    ws.analyze()
    ws.add_customers([{"id": "c2", "name": "Ana", "attributes": {"tier": "platinum"}}])
    s = open_from_rules(ws.store, ws.layout, now=NOW)
    assert len(s.opened) == 2 and s.checked == 2  # employees never open cases
    cases = {c.customer_id: c for c in case_store.load_all(ws.store)}
    assert cases["c1"].reason == "low_rating" and cases["c1"].priority == "normal"
    assert cases["c2"].reason == "vip_unhappy" and cases["c2"].priority == "urgent"  # VIP: one level up
    topic = cases["c1"].topic
    ws.add([{"id": "a2", "channel": "chat", "customer_id": "c1", "csat": 1, "timestamp": "2026-03-02T10:00:00Z",
             "text": "Cliente: Sigo esperando el envío, otra semana de retraso."}])  # fmt: skip
    ws.analyze()
    s = open_from_rules(ws.store, ws.layout, now=NOW + timedelta(hours=1))
    assert s.opened == [] and s.joined == {cases["c1"].id: ["a2"]}
    joined = case_store.load(ws.store, cases["c1"].id)
    assert joined.item_ids == ["a", "a2"] and joined.topic == topic


def test_bad_case_config_names_the_rule_and_field(ws: Any) -> None:
    from escucha.cases.config import load_config

    ws.layout.cases.write_text("rules:\n  - name: vip\n    when: {tier: gold}\n", encoding="utf-8")
    with pytest.raises(ConfigError) as e:
        load_config(ws.layout)
    assert e.value.record == "vip" and e.value.field == "when" and "tier" in e.value.message
    ws.layout.cases.write_text("rules:\n  - name: x\n    when: {nps_max: 6}\n    priority: asap\n", encoding="utf-8")
    with pytest.raises(ConfigError) as e:
        load_config(ws.layout)
    assert e.value.field == "priority"


# -- assist --------------------------------------------------------------------------------------
@pytest.fixture()
def service(ws: Any) -> Any:
    from escucha.cases.assist import AssistService

    ws.add_customers([{"id": "g", "name": "Lucía Pérez", "attributes": {"tier": "gold"}},
                      {"id": "b", "name": "John Smith", "attributes": {"tier": "bronze"}}])  # fmt: skip
    return AssistService(ws.store, ws.layout, ws.settings, ws.pipeline)


@pytest.mark.parametrize(("text", "lang", "register", "playbook", "needle"), [
    ("Disculpe, ¿podría usted decirme dónde está mi pedido? Llevo una semana esperando el envío.",
     "es", "usted", "late_delivery", "su pedido"),
    ("Oye, ¿dónde está mi pedido? Llevo una semana esperando el envío, ¿puedes mirarlo?",
     "es", "tu", "late_delivery", "tu pedido"),
    ("My parcel is a week late and nobody answers. I'm cancelling my account and going elsewhere.",
     "en", "neutral", "churn_threat", "second chance"),
])  # fmt: skip
def test_assist_answers_in_the_customers_language_and_register(service: Any, text: str, lang: str, register: str,
                                                               playbook: str, needle: str) -> None:
    r = service.assist(text, customer_id="g")
    assert (r["language"], r["register"], r["playbook"]["name"]) == (lang, register, playbook)
    assert needle in r["suggested_reply"] and r["suggested_reply"].startswith("Hola Lucía" if lang == "es" else "Hi Lucía")
    assert r["customer"]["tier"] == "gold" and r["reply_source"] == "template"


def test_assist_never_offers_more_than_the_playbook_allows(service: Any, ws: Any) -> None:
    from escucha.cases.playbooks import amounts, load_playbooks

    ws.layout.playbooks.write_text(
        "playbooks:\n  late_delivery:\n    match: {aspects: [delivery_logistics, waiting_time]}\n"
        "    compensations:\n      - {kind: voucher, max: 7, label: {es: 'un cupón de {amount} {currency}', "
        "en: 'a {amount} {currency} voucher'}}\n"
        "    reply: {es: {tu: 'Hola{name}. {offer}', usted: 'Hola{name}. {offer}'}, en: 'Hi{name}. {offer}'}\n",
        encoding="utf-8")  # fmt: skip
    from escucha.cases.assist import AssistService

    svc = AssistService(ws.store, ws.layout, ws.settings, ws.pipeline)
    pbs = load_playbooks(ws.layout)
    assert pbs.items["late_delivery"].compensations[0]["max"] == 7 and "churn_threat" in pbs.items
    texts = ["Mi pedido llega con una semana de retraso.", "The delivery is two weeks late.",
             "Me cobraron dos veces, exijo el reembolso.", "Voy a publicarlo en redes, vergüenza.",
             "I'm leaving you for a competitor.", "El sofá vino roto y de mala calidad."]  # fmt: skip
    for text in texts:
        for customer in ("g", "b", None):
            r = svc.assist(text, customer_id=customer)
            limit = max(c["max"] for c in r["playbook"]["compensations"]) if r["playbook"]["compensations"] else 0
            assert all(a <= limit for a in amounts(r["suggested_reply"])), (text, r["suggested_reply"])
            if r["compensation"]:
                assert r["compensation"]["amount"] <= r["compensation"]["max"]
    r = svc.assist("Mi pedido llega con una semana de retraso.", customer_id="g")
    assert r["compensation"] == {"kind": "voucher", "amount": 7, "max": 7, "currency": "EUR"}
    assert "7 EUR" in r["suggested_reply"]


class _Drafts(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, reply: str, delay: float = 0.0):
        super().__init__(("127.0.0.1", 0), _DraftHandler)
        self.reply, self.delay, self.bodies = reply, delay, []  # type: ignore[var-annotated]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/v1"


class _DraftHandler(BaseHTTPRequestHandler):
    server: _Drafts

    def log_message(self, *args: object) -> None:
        pass

    def do_POST(self) -> None:
        import time

        self.server.bodies.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
        time.sleep(self.server.delay)
        data = json.dumps({"choices": [{"message": {"content": self.server.reply}}]}).encode()
        try:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except OSError:
            pass


@pytest.mark.parametrize(("draft", "delay", "source", "error"), [
    ("Hola Lucía, lo siento mucho. Te ofrezco un cupón de 10 EUR.", 0.0, "llm", None),
    ("Hola Lucía, te regalamos 500 € por las molestias.", 0.0, "template", "over the playbook's limit"),
    ("Hola Lucía, lo siento.", 1.5, "template", "timeout"),
])  # fmt: skip
def test_assist_uses_an_endpoint_only_when_it_answers_in_time_and_within_limits(
        ws: Any, draft: str, delay: float, source: str, error: str | None) -> None:  # fmt: skip
    from escucha.cases.assist import AssistService
    from escucha.config import Settings

    server = _Drafts(draft, delay)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        ws.add_customers([{"id": "g", "name": "Lucía Pérez", "attributes": {"tier": "gold"}}])
        settings = Settings.for_workspace(ws.path, assist_llm_url=server.url, assist_llm_model="m",
                                          assist_llm_timeout_s=0.5)  # fmt: skip
        svc = AssistService(ws.store, ws.layout, settings, ws.pipeline)
        r = svc.assist("Oye, mi pedido lleva una semana de retraso.", customer_id="g")
        assert r["reply_source"] == source and r["llm_error"] == error
        assert (r["suggested_reply"] == draft) == (source == "llm")
        assert server.bodies and server.bodies[0]["model"] == "m"
    finally:
        server.shutdown()
        server.server_close()


def test_case_documents_round_trip() -> None:
    c = Case(id="CASE-000001", customer_id="c1", topic="churn", reason="churn_threat", opened_at=NOW,
             due_at=NOW + timedelta(hours=4), pauses=[[NOW.isoformat(), None]])  # fmt: skip
    c.log("opened", "rules", at=NOW)
    back = Case.from_doc(json.loads(json.dumps(c.to_doc())))
    assert back == c and back.paused and list(back.public())[:8] == [
        "id", "customer_id", "status", "priority", "opened_at", "due_at", "reason", "item_ids"]


# -- churn ----------------------------------------------------------------------------------------
def test_churn_risk_on_the_demo_with_a_time_split(demo_ws: Any) -> None:
    from escucha.cases.churn import evaluate, risk, silent_customers

    ev = evaluate(demo_ws.store)
    assert ev["train_cutoff"] < ev["test_cutoff"]
    assert ev["test"]["customers"] > 500 and 0 < ev["test"]["churned"] < ev["test"]["customers"]
    assert 0.5 < ev["auc_model"] <= 1 and 0 <= ev["auc_recency"] <= 1
    assert ev["auc_model"] > ev["auc_recency"]  # voice and behaviour beat recency alone on the demo
    top = risk(demo_ws.store)["customers"][:5]
    assert top and all(0 <= r["risk"] <= 1 for r in top) and top[0]["risk"] >= top[-1]["risk"]
    silent = silent_customers(demo_ws.store, quiet_days=30)
    assert silent and all(r["quiet_days"] >= 30 for r in silent)


# -- employee voice beside customer experience ----------------------------------------------------
def test_employee_voice_beside_customers_protected_by_k_people(ws: Any) -> None:
    rows = []
    for loc, n in (("Madrid", 6), ("Valencia", 7), ("Sevilla", 2)):
        for i in range(n):
            rows.append({"id": f"e-{loc}-{i}", "channel": "employee", "location": loc, "nps": 9 if loc == "Madrid" else 3,
                         "timestamp": "2026-02-02T10:00:00Z", "text": f"Buen equipo en {loc}, nos ayudamos." if loc == "Madrid"
                         else f"En {loc} faltan manos y nadie nos escucha."})  # fmt: skip
        rows.append({"id": f"c-{loc}", "channel": "review", "location": loc, "rating": 5 if loc == "Madrid" else 2,
                     "timestamp": "2026-02-03T10:00:00Z", "customer_id": f"cust-{loc}",
                     "text": "Atención de diez." if loc == "Madrid" else "Tienda desordenada y esperas largas."})  # fmt: skip
    ws.add(rows)
    ws.analyze()
    data = ws.insight("employee_cx").to_json()
    units = {u["unit"]: u for u in data["units"]}
    assert units["Sevilla"]["suppressed"] and units["Sevilla"]["enps"] is None and units["Sevilla"]["comments"] == []
    assert units["Sevilla"]["rating"] == 2  # the customers' side of the unit still shows
    visible = [u for u in data["units"] if not u["suppressed"]]
    assert visible and all(u["comments"] for u in visible)
    assert all(c["item_id"].startswith("anon:") for u in visible for c in u["comments"])  # never the author's id
    madrid = units["Madrid"]
    if not madrid["suppressed"]:
        assert madrid["enps"] == 100 and madrid["rating"] == 5


def test_customer_history_read_per_customer_on_large_workspaces(ws: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from escucha.cases.history import CustomerIndex

    ws.add([{"id": f"v{i}", "channel": "chat", "customer_id": "c1", "timestamp": f"2026-01-0{i + 1}T10:00:00Z",
             "text": f"Cliente: el pedido LH-10000{i} no llega"} for i in range(3)])  # fmt: skip
    ws.analyze()
    whole = CustomerIndex.build(ws.store).summary("c1")
    monkeypatch.setattr(CustomerIndex, "MAX_VOICES", 1)
    lazy = CustomerIndex.build(ws.store)
    assert lazy.store is not None and lazy.voices == {}
    assert lazy.summary("c1") == whole and whole is not None and whole["voices"] == 3
    assert "order LH-100002" in whole["facts"] and lazy.summary("nobody") is None
    assert any(f.startswith("complaint ") for f in whole["facts"])  # what they complained about before


def test_next_response_clock_runs_when_the_customer_writes_again(ws: Any) -> None:
    from escucha.cases import store as case_store
    from escucha.cases.config import load_config
    from escucha.cases.rules import open_from_rules
    from escucha.cases.sla import Policies
    from escucha.cases.workflow import reply

    ws.layout.cases.write_text("sla:\n  calendar: {timezone: UTC}\n  policies:\n"
                               + "".join(f"    {p}: {{first_response: 1h, next_response: 2h, resolution: 10h, "
                                         "business_hours: false}\n" for p in ("urgent", "high", "normal", "low")),
                               encoding="utf-8")  # fmt: skip
    ws.add([{"id": "x1", "channel": "chat", "customer_id": "c1", "csat": 1, "timestamp": "2026-03-01T10:00:00Z",
             "text": "Cliente: el envío no llega, una semana de retraso."}])  # fmt: skip
    ws.analyze()
    [cid] = open_from_rules(ws.store, ws.layout, now=NOW).opened
    reply(ws.store, cid, "Lo miro ahora mismo.", actor="ana", wait_customer=True, now=NOW + timedelta(minutes=20))
    ws.add([{"id": "x2", "channel": "chat", "customer_id": "c1", "csat": 1, "timestamp": "2026-03-02T10:00:00Z",
             "text": "Cliente: sigue sin llegar el envío, otra semana de retraso."}])  # fmt: skip
    ws.analyze()
    s = open_from_rules(ws.store, ws.layout, now=NOW + timedelta(hours=3))
    assert s.joined == {cid: ["x2"]}
    case = case_store.load(ws.store, cid)
    assert case.status == "open" and not case.paused  # the customer answered: the clocks run again
    pol = Policies(load_config(ws.layout))
    clocks = pol.clocks(case, NOW + timedelta(hours=4, minutes=45))
    assert clocks["first_response"].state == "met" and clocks["next_response"].state == "warning"
    assert clocks["next_response"].due_at == NOW + timedelta(hours=5)
    # waiting on the customer for 2h40 does not count against the resolution clock
    assert clocks["resolution"].used_s == (4 * 60 + 45 - 160) * 60
    case, _ = reply(ws.store, cid, "Entregado mañana.", actor="ana", now=NOW + timedelta(hours=4, minutes=50))
    assert "next_response" not in pol.clocks(case, NOW + timedelta(hours=6))


def test_concurrent_writers_get_distinct_ids_and_keep_each_others_changes(ws: Any) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from escucha.cases import store as case_store
    from escucha.cases.workflow import create_case, patch_case

    with ThreadPoolExecutor(4) as pool:
        made = list(pool.map(lambda i: create_case(ws.store, ws.layout, customer_id=f"c{i}", reason="llamada"),
                             range(8)))  # fmt: skip
    assert len({c.id for c in made}) == 8 and len(case_store.load_all(ws.store)) == 8
    cid = made[0].id
    with ThreadPoolExecutor(4) as pool:  # eight notes at once on one case: none is lost
        list(pool.map(lambda i: patch_case(ws.store, ws.layout, cid, {"note": f"nota {i}"}, actor="ana"), range(8)))
    notes = {n["text"] for n in case_store.load(ws.store, cid).notes}
    assert notes == {f"nota {i}" for i in range(8)}


def test_assist_keeps_the_register_the_customer_used_before(service: Any, ws: Any) -> None:
    ws.add([{"id": "p1", "channel": "chat", "customer_id": "g", "timestamp": "2026-01-05T10:00:00Z", "language": "es",
             "text": "Cliente: Oye, ¿puedes mirar mi pedido? Tienes el número en el correo."}])  # fmt: skip
    ws.analyze()
    service.refresh()
    r = service.assist("El pedido sigue sin llegar.", customer_id="g")  # no tú or usted in this message
    assert r["register"] == "tu" and r["customer"]["register"] == "tu"
    assert service.assist("El pedido sigue sin llegar.", customer_id="b")["register"] == "usted"  # the default


def test_recovery_outcome_of_one_case() -> None:
    from escucha.cases.recovery import case_outcome, summarise

    case = Case(id="CASE-000001", customer_id="c1", topic="threat", reason="public_threat", opened_at=NOW,
                item_ids=["post"], first_response_at=NOW + timedelta(hours=1), playbook="public_threat",
                queue="social")  # fmt: skip

    def v(id_: str, days: float, **kw: Any) -> dict[str, Any]:
        return {"id": id_, "timestamp": NOW + timedelta(days=days), "intents": [], "nps": None, "csat": None,
                "rating": None, **kw}  # fmt: skip

    before = [v("survey0", -30, nps=4), v("post", 0, intents=["public_threat"])]
    assert case_outcome(Case(id="x", customer_id="c1", topic="t", reason="r"), before) is None  # never answered
    silent = case_outcome(case, before)
    assert silent is not None and not silent["came_back"] and silent["threat_stopped"] is None
    back = case_outcome(case, [*before, v("survey1", 20, nps=9), v("late", 200, intents=["public_threat"])])
    assert back is not None and back["came_back"] and back["threat_stopped"]  # the 200-day voice is past the window
    assert (back["score_before"], back["score_after"], back["score_up"]) == (0.4, 0.9, True)
    [row] = summarise([silent, back], "team")
    assert row == {"team": "social", "cases": 2, "came_back": 0.5, "score_up": 1.0, "n_scored": 1,
                   "threat_stopped": 1.0, "n_threats": 1, "score_delta": 0.5}  # fmt: skip


@pytest.mark.postgres
def test_cases_on_postgresql(tmp_path: Any) -> None:
    import os
    import uuid
    from concurrent.futures import ThreadPoolExecutor

    psycopg = pytest.importorskip("psycopg", reason="psycopg is not installed (extra `postgres`)")
    from escucha import default_pipeline
    from escucha.analysis import analyse_store
    from escucha.cases import store as case_store
    from escucha.cases.escalate import check_sla
    from escucha.cases.rules import open_from_rules
    from escucha.cases.workflow import create_case, reply
    from escucha.layout import WorkspaceLayout
    from escucha.models import Feedback
    from escucha.store.postgres import PostgresStore

    url = os.environ.get("ESCUCHA_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")
    try:
        psycopg.connect(url, connect_timeout=2).close()
    except psycopg.Error as exc:
        pytest.skip(f"PostgreSQL is not reachable: {exc}".splitlines()[0])
    store = PostgresStore(url, schema="test_" + uuid.uuid4().hex[:12], lock_timeout=5)
    store.migrate()
    try:
        store.upsert_items([Feedback(id="p1", channel="chat", customer_id="c1", csat=1, timestamp=NOW,
                                     text="Cliente: el pedido no llega y me voy a dar de baja.")])  # fmt: skip
        analyse_store(store, default_pipeline(), 100)
        layout = WorkspaceLayout(tmp_path)
        [cid] = open_from_rules(store, layout, now=NOW).opened
        with ThreadPoolExecutor(4) as pool:
            made = list(pool.map(lambda i: create_case(store, layout, customer_id=f"x{i}", reason="r"), range(6)))
        assert len({c.id for c in made} | {cid}) == 7
        case, fb = reply(store, cid, "Lo siento, lo reviso ya.", actor="ana", now=NOW + timedelta(minutes=5))
        assert store.get_item(fb.id)[0].metadata["speaker"] == "agent" and case.first_response_at
        assert check_sla(store, layout, now=NOW + timedelta(days=30)).escalations
        assert case_store.load(store, cid).escalation_level >= 1
    finally:
        store.drop_schema()


def test_agent_replies_never_count_as_the_customers_voice(ws: Any) -> None:
    """A reply is stored on the customer's thread, yet every customer figure stays as it was:
    channel sentiment and metrics, the sentences and aspects themes and insights read, the watch
    frame; the case, the thread and the customer 360 still show it."""
    import dataclasses

    from escucha.cases import store as case_store
    from escucha.cases.workflow import create_case, reply
    from escucha.http.profiles import customer_profile
    from escucha.store import Filters
    from escucha.watch.frame import load_voices

    ws.add([{"id": "v1", "channel": "chat", "customer_id": "c1", "timestamp": "2026-03-01T10:00:00Z",
             "text": "Cliente: El pedido llegó roto y nadie me contesta. Es una vergüenza."}])  # fmt: skip
    ws.analyze()

    def figures() -> dict[str, Any]:
        frames = {"by_channel": ws.metrics(by="channel"), "all": ws.metrics(), "sentences": ws.store.sentences(),
                  "aspects": ws.store.aspects(), "items": ws.store.items(), "watch": load_voices(ws.store),
                  "stats": ws.store.stats(["channel"])}  # fmt: skip
        out = {k: df.to_json(orient="records", default_handler=str) for k, df in frames.items()}
        return {**out, "count": ws.store.count_items()}

    before = figures()
    case = create_case(ws.store, ws.layout, customer_id="c1", reason="roto", item_ids=["v1"], now=NOW)
    _, fb = reply(ws.store, case.id, "¡Muchísimas gracias! Nos encanta ayudarte, todo resuelto, un placer enorme.",
                  actor="ana", now=NOW + timedelta(hours=1))  # fmt: skip
    ws.analyze()
    stored = ws.store.items(Filters(agents=True))
    assert set(stored["id"]) == {"v1", fb.id}  # the reply is stored, on the chat channel, and analysed
    row = stored.set_index("id").loc[fb.id]
    assert row["channel"] == "chat" and row["sentiment"] == "positive"
    assert figures() == before  # ...and no customer figure moved
    assert ws.store.count_items(Filters(channel=["chat"], agents=True)) == 2
    assert case_store.load(ws.store, case.id).reply_ids == [fb.id]
    profile = customer_profile(ws, "c1")
    assert [t["speaker"] for t in profile["timeline"]] == ["customer", "agent"]
    assert fb.id in [v["id"] for v in profile["voices"]] and profile["total_voices"] == 1
    assert profile["metrics"]["volume"] == 1 and profile["latest_sentiment"]["id"] == "v1"
    assert ws.store.get_item(fb.id)[0].thread_id == "v1"
    assert dataclasses.replace(Filters(), agents=True).agents
