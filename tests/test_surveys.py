"""Micro-surveys: definitions and their errors, fatigue rules and quotas, the adaptive follow-up,
answers landing through ingest and analysed at once, results with CIs, the API (roles, triggers,
e-mail invitations to a local SMTP receiver), the public page's two steps and the widget."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("aiosmtpd")

from fastapi.testclient import TestClient

from escucha.errors import ValidationError
from escucha.models import Analysis, AspectMention
from escucha.surveys import parse_survey
from escucha.surveys.adaptive import follow_up
from public_helpers import body, path_of, smtp_receiver, survey_workspace, token_of, use_smtp
from test_api import H, make_client

COMPLAINT = "El pedido llegó tres días tarde y el repartidor fue muy borde."
CHURN = "Estoy harto: es la tercera vez que falla la entrega. Me voy a la competencia y daré de baja la cuenta."


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, dict[str, str]]:
    return survey_workspace(tmp_path_factory.mktemp("surveys") / "ws")


@pytest.fixture(scope="module")
def client(setup: Any) -> TestClient:
    return make_client(setup[0])


def _create(client: TestClient, tokens: dict[str, str], **spec: Any) -> str:
    spec.setdefault("name", "Después de la compra")
    r = client.post("/api/v1/surveys", json=spec, headers=H(tokens, "analyst"))
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


# -- definitions ---------------------------------------------------------------------------------
def test_definition_defaults_and_conditions() -> None:
    s = parse_survey({"name": "Compra", "questions": [
        {"kind": "nps"}, {"id": "why", "kind": "open"},
        {"id": "fix", "kind": "open", "show_if": {"question": "nps", "op": "<=", "value": 6},
         "text": {"es": "¿Qué arreglamos primero?", "en": "What do we fix first?"}}]})  # fmt: skip
    assert [q.id for q in s.first] == ["nps", "why"]
    assert s.question("nps").label("en").startswith("How likely")  # type: ignore[union-attr]
    assert s.question("nps").label("es").startswith("¿Qué probabilidad")  # type: ignore[union-attr]
    assert [q.id for q in s.follow_ups({"nps": 3})] == ["fix"]
    assert s.follow_ups({"nps": 9}) == []
    assert parse_survey(s.to_doc()).to_doc() == s.to_doc()  # stored and read back unchanged


@pytest.mark.parametrize(
    ("spec", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "x", "questions": [{"kind": "stars"}]}, "questions[0].kind"),
        ({"name": "x", "questions": [{"kind": "nps"}, {"kind": "nps", "id": "b"}]}, "questions"),
        ({"name": "x", "questions": [{"kind": "open", "id": "a"},
                                     {"kind": "open", "id": "b", "show_if": {"question": "a", "value": 3}}]},
         "questions[1].show_if.question"),
        ({"name": "x", "questions": [{"kind": "nps", "show_if": {"question": "nps", "value": 3}}]},
         "questions[0].show_if.question"),
        ({"name": "x", "quota": {"attribute": "segment", "max": {"premium": -1}}}, "quota.max.premium"),
        ({"name": "x", "language": "fr"}, "language"),
        ({"name": "x", "colour": "red"}, "colour"),
    ],
)  # fmt: skip
def test_bad_definitions_name_the_field(spec: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as e:
        parse_survey(spec)
    assert e.value.field == field, e.value.message


# -- the adaptive follow-up --------------------------------------------------------------------------
def test_follow_up_is_chosen_from_the_analysis() -> None:
    late = Analysis(sentiment="negative", intents=["complaint"],
                    aspects=[AspectMention(aspect="delivery_logistics", sentiment="negative", score=-0.8)])  # fmt: skip
    f = follow_up(late, "es", {"delivery_logistics": "la entrega"})
    assert f["kind"] == "aspect_negative" and f["aspect"] == "delivery_logistics" and "la entrega" in f["text"]
    assert follow_up(Analysis(intents=["complaint", "churn_threat"], sentiment="negative"), "en")["callback"] is True
    happy = Analysis(sentiment="positive", aspects=[AspectMention(aspect="staff", sentiment="positive", score=0.9)])
    assert follow_up(happy, "en")["kind"] == "aspect_positive"
    assert follow_up(Analysis(sentiment="neutral", intents=["suggestion"]), "es")["kind"] == "suggestion"
    assert follow_up(None, "es")["kind"] == "other"


def test_live_analysis_of_real_answers(setup: Any) -> None:
    """The real pipeline reads a delivery complaint and a churn threat as such."""
    ws = setup[0]
    [a, b] = ws.pipeline.analyze([COMPLAINT, CHURN])
    assert follow_up(a, "es")["aspect"] == "delivery_logistics"
    assert follow_up(b, "es")["kind"] == "callback"


# -- invitations: fatigue rules and quotas -----------------------------------------------------------
def test_fatigue_across_surveys_and_quotas(setup: Any) -> None:
    ws = setup[0]
    a = ws.surveys.create({"name": "A", "quota": {"attribute": "segment", "max": {"premium": 1}}})
    b = ws.surveys.create({"name": "B"})
    out = ws.surveys.invite(a.id, ["c10", "c11", "c12", "nuevo@example.com", "c12"])
    assert [i["recipient"] for i in out["invited"]] == ["c10", "c12", "n…@example.com"]
    reasons = {(r["recipient"], r["reason"]) for r in out["refused"]}
    assert reasons == {("c11", "quota"), ("c12", "fatigue")}  # premium full; c12 twice in one batch
    assert "nuevo@example.com" not in str(out)  # addresses are never echoed whole
    again = ws.surveys.invite(b.id, ["c10", "marta@example.com", "c11"])  # another survey, same window
    assert [r["recipient"] for r in again["refused"]] == ["c10", "m…@example.com"]  # the e-mail is c10's
    assert again["refused"][0]["reason"] == "fatigue" and "no new invitation before" in again["refused"][0]["message"]
    assert [i["recipient"] for i in again["invited"]] == ["c11"]
    later = ws.surveys.ctx.settings.survey_fatigue_days + 1
    from escucha.surveys.invitations import invite, now_utc

    after = invite(ws.surveys.ctx, b.id, ["c10"], at=now_utc() + timedelta(days=later))
    assert [i["recipient"] for i in after["invited"]] == ["c10"]


def test_bad_recipients_name_the_record(setup: Any) -> None:
    ws = setup[0]
    s = ws.surveys.create({"name": "C"})
    with pytest.raises(ValidationError) as e:
        ws.surveys.invite(s.id, ["c1", "not-an-email@"])
    assert e.value.field == "recipients[1].email"


# -- the public page: two steps, landing analysed, results ---------------------------------------------
def test_answer_lands_analysed_with_adaptive_follow_up(setup: Any, client: TestClient) -> None:
    ws, tokens = setup
    sid = _create(client, tokens, questions=[
        {"kind": "nps"}, {"id": "why", "kind": "open"},
        {"id": "fix", "kind": "open", "show_if": {"question": "nps", "op": "<=", "value": 6}}])  # fmt: skip
    link = client.post(f"/api/v1/surveys/{sid}/invitations", json={"recipients": ["c2"]},
                       headers=H(tokens, "agent")).json()["invited"][0]["link"]  # fmt: skip
    path = path_of(link)
    page = client.get(path)
    assert page.status_code == 200 and 'name="nps"' in page.text and 'name="fix"' not in page.text
    assert "¿Qué probabilidad" in page.text  # Spanish: the customer's language
    assert client.get(path + "?lang=en").text.count("How likely") == 1
    r = client.post(path, data={"form_token": token_of(page.text), "website": "", "nps": "3", "why": COMPLAINT})
    assert r.status_code == 200
    assert 'data-kind="aspect_negative"' in r.text and 'data-aspect="delivery_logistics"' in r.text
    assert 'name="fix"' in r.text  # the conditional question (nps <= 6)
    rid = link.rsplit("/s/", 1)[1].split(".")[0]
    fb, an = ws.get(f"survey:{rid}")  # already stored and analysed: a partial answer counts
    assert fb.channel == "survey" and fb.nps == 3 and fb.customer_id == "c2" and an is not None
    assert an.sentiment == "negative" and "delivery_logistics" in [m.aspect for m in an.aspects]
    assert ws.surveys.results(sid)["partial"] == 1
    r = client.post(path, data={"form_token": token_of(r.text), "website": "", "fix": "La puntualidad",
                                "follow_up": "No avisaron del retraso"})  # fmt: skip
    assert r.status_code == 200 and 'id="survey-thanks"' in r.text
    fb, an = ws.get(f"survey:{rid}")
    assert "No avisaron del retraso" in fb.text and an is not None and an.item_id == fb.id
    assert client.get(path).status_code == 409  # single use
    res = client.get(f"/api/v1/surveys/{sid}/results", headers=H(tokens, "viewer")).json()
    assert res["completed"] == 1 and res["partial"] == 0 and res["response_rate"]["value"] == 100.0
    assert res["nps"]["value"] == -100.0 and res["follow_ups"] == {"aspect_negative": 1}


def test_churn_threat_offers_a_call_back(setup: Any, client: TestClient) -> None:
    ws, tokens = setup
    sid = _create(client, tokens, questions=[{"kind": "csat"}, {"id": "why", "kind": "open"}])
    link = client.post(f"/api/v1/surveys/{sid}/invitations", json={"recipients": ["c3"]},
                       headers=H(tokens, "agent")).json()["invited"][0]["link"]  # fmt: skip
    path = path_of(link)
    r = client.post(path, data={"form_token": token_of(client.get(path).text), "csat": "1", "why": CHURN})
    assert 'data-kind="callback"' in r.text and 'name="callback"' in r.text
    r = client.post(path, data={"form_token": token_of(r.text), "callback": "1", "follow_up": "Que funcione"})
    assert 'id="survey-callback"' in r.text
    res = ws.surveys.results(sid)
    assert res["callbacks"] == 1 and res["csat"]["value"] == 0.0 and res["csat"]["high"] > 0


def test_results_confidence_intervals(setup: Any) -> None:
    from escucha.surveys import responses as R

    ws = setup[0]
    s = ws.surveys.create({"name": "CI", "questions": [{"kind": "nps"}, {"kind": "ces"}], "adaptive": False})
    for i, (nps, ces) in enumerate([(10, 7), (9, 6), (3, 2), (8, 5), (10, 6), (0, 1)]):
        link = R.Link(s, None, "es")
        R.first_step(ws.surveys.ctx, link, f"ci{i}", {"nps": str(nps), "ces": str(ces)})
    res = ws.surveys.results(s.id)
    assert res["nps"]["n"] == 6 and res["nps"]["value"] == pytest.approx(100 * (3 - 2) / 6, abs=0.01)
    assert res["nps"]["low"] < res["nps"]["value"] < res["nps"]["high"]
    assert res["ces"]["value"] == pytest.approx(27 / 6, abs=0.01) and res["ces"]["low"] < res["ces"]["high"]
    assert res["partial"] == 6 and res["completion_rate"]["value"] == 0.0


def test_validation_errors_show_on_the_form(setup: Any, client: TestClient) -> None:
    tokens = setup[1]
    sid = _create(client, tokens, questions=[{"kind": "nps", "required": True}, {"kind": "open"}])
    path = path_of(client.post(f"/api/v1/surveys/{sid}/invitations", json={"recipients": ["c4"]},
                               headers=H(tokens, "agent")).json()["invited"][0]["link"])  # fmt: skip
    r = client.post(path, data={"form_token": token_of(client.get(path).text), "nps": "11"})
    assert r.status_code == 422 and "outside 0-10" in r.text
    r = client.post(path, data={"form_token": token_of(r.text), "open": "Bien"})
    assert r.status_code == 422 and "required" in r.text


# -- the API: roles, triggers, e-mail, the widget ------------------------------------------------------
def test_api_roles_and_errors(setup: Any, client: TestClient) -> None:
    _, tokens = setup
    assert client.post("/api/v1/surveys", json={"name": "x"}).status_code == 401
    assert client.post("/api/v1/surveys", json={"name": "x"}, headers=H(tokens, "agent")).status_code == 403
    r = client.post("/api/v1/surveys", json={"name": "x", "questions": [{"kind": "stars"}]}, headers=H(tokens, "admin"))
    assert r.status_code == 422 and r.json()["error"]["field"] == "questions[0].kind"
    sid = _create(client, tokens)
    assert client.post(f"/api/v1/surveys/{sid}/invitations", json={"recipients": ["c5"]},
                       headers=H(tokens, "viewer")).status_code == 403  # fmt: skip
    assert client.get(f"/api/v1/surveys/{sid}/results", headers=H(tokens, "viewer")).status_code == 200
    assert client.get("/api/v1/surveys/nope/results", headers=H(tokens, "viewer")).status_code == 404
    listed = client.get("/api/v1/surveys", headers=H(tokens, "viewer")).json()["surveys"]
    assert sid in [s["id"] for s in listed]


def test_trigger_invites_once_and_emails_the_link(setup: Any, client: TestClient) -> None:
    ws, tokens = setup
    ws.add_customers([{"id": "c13", "attributes": {"email": "pablo@example.com"}}])
    first = _create(client, tokens, name="Tras cerrar el caso", trigger="case_closed")
    _create(client, tokens, name="Otra tras cerrar", trigger="case_closed")
    with smtp_receiver() as (port, got):
        use_smtp(ws, port)
        r = client.post("/api/v1/surveys/triggers/case_closed", json={"customer_id": "c13"}, headers=H(tokens, "agent"))
        assert r.status_code == 201, r.text
        results = r.json()["results"]
        invited = [x for x in results if x["invited"]]
        assert len(invited) == 1 and invited[0]["survey_id"] == first  # fatigue: one invitation only
        assert invited[0]["email"]["sent"] == 1
        assert len(got) == 1 and got[0]["X-Rcpt"] == "pablo@example.com"
        assert invited[0]["invited"][0]["link"] in body(got[0])
        again = client.post("/api/v1/surveys/triggers/case_closed", json={"customer_id": "c13"}, headers=H(tokens, "agent"))
        assert all(not x["invited"] and x["refused"][0]["reason"] == "fatigue" for x in again.json()["results"])
        assert len(got) == 1
    ws.layout.notify.unlink()


def test_widget_script_and_embed(setup: Any, client: TestClient) -> None:
    ws, tokens = setup
    sid = _create(client, tokens)
    w = client.get(f"/api/v1/surveys/{sid}/widget", headers=H(tokens, "viewer")).json()
    assert w["snippet"].startswith("<script src=") and w["token"] in w["snippet"]
    js = client.get("/s/widget.js")
    assert js.status_code == 200 and "javascript" in js.headers["content-type"] and "iframe" in js.text
    assert "http" not in js.text.replace("http://", "").replace("https://", "")  # no third-party assets
    page = client.get(f"/s/{w['token']}?embed=1")
    assert page.status_code == 200 and "frame-ancestors 'self'" in page.headers["content-security-policy"]
    plain = client.get(f"/s/{w['token']}")
    assert "frame-ancestors 'none'" in plain.headers["content-security-policy"]
    # the open link takes many answers, each its own response
    fresh = TestClient(client.app)
    for nps in ("9", "10"):
        r = fresh.post(f"/s/{w['token']}?embed=1", data={"form_token": token_of(fresh.get(f"/s/{w['token']}?embed=1").text),
                                                         "nps": nps, "comment": "Todo perfecto"})  # fmt: skip
        assert r.status_code == 200
    assert ws.surveys.results(sid)["responses"] == 2


def test_cli_create_invite_results(setup: Any, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from escucha.cli import app

    ws = setup[0]
    run = CliRunner()
    r = run.invoke(app, ["-w", str(ws.path), "surveys", "create", "--name", "CLI", "-q", "nps", "-q", "open"])
    assert r.exit_code == 0, r.output
    sid = re.search(r"survey (sv_\w+) created", r.output).group(1)  # type: ignore[union-attr]
    r = run.invoke(app, ["-w", str(ws.path), "surveys", "invite", sid, "c6", "c6b"])
    assert r.exit_code == 0 and r.output.count("invited") == 2 and "/s/" in r.output
    r = run.invoke(app, ["-w", str(ws.path), "surveys", "invite", sid, "c6"])
    assert "refused" in r.output and "fatigue" in r.output
    r = run.invoke(app, ["-w", str(ws.path), "surveys", "results", sid, "--json"])
    assert r.exit_code == 0 and '"invited": 2' in r.output


def test_dashboard_page_lists_results(setup: Any) -> None:
    from test_api import login

    ws = setup[0]
    c = make_client(ws)
    login(c, "viewer1")
    page = c.get("/surveys")
    assert page.status_code == 200 and 'href="/surveys"' in page.text
    s = ws.surveys.list()[0]
    assert f'id="survey-{s.id}"' in page.text and "/s/widget.js" in page.text
    assert TestClient(c.app).get("/surveys", headers={"accept": "text/html"}, follow_redirects=False).status_code == 303


def test_second_step_errors_keep_its_questions(setup: Any, client: TestClient) -> None:
    tokens = setup[1]
    sid = _create(client, tokens, questions=[
        {"kind": "nps"}, {"id": "why", "kind": "open"},
        {"id": "sat", "kind": "csat", "show_if": {"question": "nps", "op": "<=", "value": 6}}])  # fmt: skip
    path = path_of(client.post(f"/api/v1/surveys/{sid}/invitations", json={"recipients": ["c7"]},
                               headers=H(tokens, "agent")).json()["invited"][0]["link"])  # fmt: skip
    r = client.post(path, data={"form_token": token_of(client.get(path).text), "nps": "4", "why": COMPLAINT})
    assert 'id="q-sat"' in r.text and 'id="adaptive"' in r.text
    r = client.post(path, data={"form_token": token_of(r.text), "sat": "9"})
    assert r.status_code == 422 and "outside 1-5" in r.text
    assert 'id="q-sat"' in r.text and 'id="adaptive"' in r.text  # the same second step, not another
    r = client.post(path, data={"form_token": token_of(r.text), "sat": "2", "follow_up": "Avisar de los retrasos"})
    assert 'id="survey-thanks"' in r.text


def _invite_at(path: str, survey_id: str, start: float, out: Any) -> None:
    import time

    import escucha

    ws = escucha.open(path)
    time.sleep(max(0.0, start - time.time()))
    out.put(len(ws.surveys.invite(survey_id, ["c30", "c31"])["invited"]))


def _invite_one_by_one_at(path: str, survey_id: str, who: list[str], start: float, out: Any) -> None:
    import time

    import escucha

    ws = escucha.open(path)
    time.sleep(max(0.0, start - time.time()))
    n, reasons = 0, []
    for c in who:  # one invitation at a time: many chances to interleave with the other process
        got = ws.surveys.invite(survey_id, [c])
        n += len(got["invited"])
        reasons += [r["reason"] for r in got["refused"]]
    out.put((n, reasons))


@pytest.mark.slow
def test_quotas_hold_across_processes(setup: Any) -> None:
    """Two processes inviting different premium customers to one survey at the same moment never
    invite more than the segment's quota between them."""
    import multiprocessing as mp
    import time

    ws = setup[0]
    ws.add_customers([{"id": f"q{i}", "name": f"Q{i}", "attributes": {"segment": "premium"}} for i in range(30)])
    s = ws.surveys.create({"name": "Q", "quota": {"attribute": "segment", "max": {"premium": 10}}})
    ctx = mp.get_context("spawn")
    q = ctx.Queue()
    start = time.time() + 4
    procs = [ctx.Process(target=_invite_one_by_one_at, args=(str(ws.path), s.id, who, start, q))
             for who in ([f"q{i}" for i in range(15)], [f"q{i}" for i in range(15, 30)])]  # fmt: skip
    for p in procs:
        p.start()
    for p in procs:
        p.join(180)
    got = [q.get(timeout=5), q.get(timeout=5)]
    assert sum(n for n, _ in got) == 10, got
    assert [r for _, reasons in got for r in reasons] == ["quota"] * 20
    assert ws.surveys.results(s.id)["invited"] == 10
    assert ws.surveys.invite(s.id, ["q0", "q29"])["refused"][0]["reason"] in ("quota", "fatigue")


@pytest.mark.slow
def test_fatigue_holds_across_processes(setup: Any) -> None:
    """Two processes (the server and the CLI, say) inviting the same customers at the same moment
    to two surveys: each customer gets one invitation in all."""
    import multiprocessing as mp
    import time

    ws = setup[0]
    a, b = ws.surveys.create({"name": "P1"}), ws.surveys.create({"name": "P2"})
    ctx = mp.get_context("spawn")
    q = ctx.Queue()
    start = time.time() + 4
    procs = [ctx.Process(target=_invite_at, args=(str(ws.path), s.id, start, q)) for s in (a, b)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
    assert sorted([q.get(timeout=5), q.get(timeout=5)]) in ([0, 2], [1, 1])
    assert sum(r["invited"] for r in (ws.surveys.results(a.id), ws.surveys.results(b.id))) == 2


def test_an_answer_step_makes_few_store_round_trips(setup: Any, client: TestClient,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    """Each step of an invited customer's answer opens the store at most 8 times (it was 11-12):
    the voice still goes through the ingest and is analysed, and the response completes."""
    from escucha.store.duckdb import DuckDBStore

    tokens = setup[1]
    sid = _create(client, tokens, questions=[
        {"kind": "nps"}, {"id": "why", "kind": "open"},
        {"id": "sat", "kind": "csat", "show_if": {"question": "nps", "op": "<=", "value": 6}}])  # fmt: skip
    path = path_of(client.post(f"/api/v1/surveys/{sid}/invitations", json={"recipients": ["c40"]},
                               headers=H(tokens, "agent")).json()["invited"][0]["link"])  # fmt: skip
    page = client.get(path)
    opened = [0]
    connect = DuckDBStore.connect

    def counted(self: Any, *a: Any, **k: Any) -> Any:
        opened[0] += 1
        return connect(self, *a, **k)

    monkeypatch.setattr(DuckDBStore, "connect", counted)
    r = client.post(path, data={"form_token": token_of(page.text), "nps": "3", "why": COMPLAINT})
    assert r.status_code == 200 and 'id="q-sat"' in r.text and opened[0] <= 8
    opened[0] = 0
    r = client.post(path, data={"form_token": token_of(r.text), "sat": "2", "follow_up": "Avisar de los retrasos"})
    assert 'id="survey-thanks"' in r.text and opened[0] <= 8
    ws = setup[0]
    [resp] = [d for d in ws.surveys.responses(sid) if d["customer_id"] == "c40"]
    fb, an = ws.store.get_item(resp["item_id"])
    assert resp["status"] == "completed" and fb.csat == 2 and an is not None and an.sentiment == "negative"
    inv = ws.surveys.ctx.read_doc("survey_invitations", resp["invitation_id"])
    assert inv["status"] == "completed" and inv["started_at"] == resp["started_at"]
