"""The co-creation portal: an idea's whole life through the public pages and the staff API —
proposal → a near-duplicate offered while typing and merged → votes (one per browser) → linked to
an improvement-plan item and the ideas board → planned → shipped → proposers and supporters
credited on the page and e-mailed (a local aiosmtpd receiver)."""

from __future__ import annotations

import re
from typing import Any

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("aiosmtpd")

from fastapi.testclient import TestClient

from escucha.errors import ValidationError
from escucha.portal import idea_status
from public_helpers import body, smtp_receiver, survey_workspace, token_in, token_of, use_smtp
from test_api import H, make_client

IDEA = "Abrir la tienda de Murcia los domingos"
SAME = "Que la tienda de Murcia abra también los domingos"


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, dict[str, str]]:
    ws, tokens = survey_workspace(tmp_path_factory.mktemp("portal") / "ws")
    ws.plan(top=5)  # improvement-plan items to link to
    return ws, tokens


def _browser(app: Any) -> TestClient:
    return TestClient(app)


def _propose(c: TestClient, **form: str) -> Any:
    page = c.get("/ideas/portal")
    assert page.status_code == 200
    return c.post("/ideas/portal/propose", data={"form_token": token_of(page.text), "website": "", **form},
                  follow_redirects=False)  # fmt: skip


def _vote(c: TestClient, idea_id: str, **form: str) -> Any:
    page = c.get(f"/ideas/portal/{idea_id}")
    assert page.status_code == 200
    return c.post(f"/ideas/portal/{idea_id}/vote", data={"form_token": token_of(page.text), **form},
                  follow_redirects=False)  # fmt: skip


def test_idea_lifecycle(setup: Any) -> None:
    ws, tokens = setup
    staff = make_client(ws)
    ana, bea, carlos, dani = (_browser(staff.app) for _ in range(4))

    # Ana proposes; it waits for moderation, then staff publish it
    r = _propose(ana, title=IDEA, body="Trabajo entre semana y solo puedo ir el domingo.", credit="Ana G.",
                 email="ana@example.com")  # fmt: skip
    assert r.status_code == 303 and "sent=1" in r.headers["location"]
    assert IDEA not in ana.get("/ideas/portal").text  # not public before moderation
    queue = staff.get("/api/v1/ideas/portal/moderation", headers=H(tokens, "viewer")).json()["queue"]
    first = next(q["id"] for q in queue if q["title"] == IDEA)
    assert staff.post(f"/api/v1/ideas/portal/{first}/moderation", json={"decision": "approve"},
                      headers=H(tokens, "agent")).status_code == 403  # fmt: skip
    r = staff.post(f"/api/v1/ideas/portal/{first}/moderation", json={"decision": "approve"}, headers=H(tokens, "analyst"))
    assert r.status_code == 200 and r.json()["moderation"] == "approved"

    # Bea types the same idea: it is offered while she types, and again when she sends it
    sim = bea.get("/ideas/portal/similar", params={"q": SAME}).json()["similar"]
    assert sim and sim[0]["id"] == first and set(sim[0]) == {"id", "title", "votes", "status", "similarity", "duplicate"}
    r = _propose(bea, title=SAME, email="bea@example.com")
    assert r.status_code == 200 and 'id="duplicates"' in r.text and f"/ideas/portal/{first}/vote" in r.text
    r = bea.post("/ideas/portal/propose", data={"form_token": token_in(r.text, "propose-form"), "title": SAME, "confirm": "1",
                                                "email": "bea@example.com"}, follow_redirects=False)  # fmt: skip
    assert r.status_code == 303  # she insisted: it goes to moderation, flagged as a likely duplicate
    queue = staff.get("/api/v1/ideas/portal/moderation", headers=H(tokens, "viewer")).json()["queue"]
    dup = next(q for q in queue if q["title"] == SAME)
    assert dup["similar"][0]["id"] == first and dup["similar"][0]["duplicate"]
    r = staff.post(f"/api/v1/ideas/portal/{dup['id']}/merge", json={"into": first}, headers=H(tokens, "analyst"))
    assert r.status_code == 200 and r.json()["votes"] == 2 and dup["id"] in r.json()["merged"]

    # votes: one per browser
    assert _vote(carlos, first, email="carlos@example.com", credit="Carlos").status_code == 303
    assert _vote(carlos, first).status_code == 303  # again: nothing changes
    assert _vote(dani, first).status_code == 303  # no e-mail: credited, not notified
    listed = staff.get("/api/v1/ideas/portal", headers=H(tokens, "viewer")).json()["ideas"]
    mine = next(i for i in listed if i["id"] == first)
    assert {k: mine[k] for k in ("id", "title", "status", "votes", "first_proposer_credit")} == {
        "id": first, "title": IDEA, "status": "under_review", "votes": 4, "first_proposer_credit": "Ana G."}
    assert dup["id"] not in [i["id"] for i in listed]  # the merged duplicate is gone

    # linked to the improvement plan and the ideas board; planned; an unknown plan item is refused
    plan_item = next(iter(ws.store.get_docs("plans")))
    bad = staff.post(f"/api/v1/ideas/portal/{first}/links", json={"plan_item": "nope"}, headers=H(tokens, "analyst"))
    assert bad.status_code == 404 and bad.json()["error"]["field"] == "plan_item"
    r = staff.post(f"/api/v1/ideas/portal/{first}/links", json={"plan_item": plan_item, "board": "tienda murcia domingos"},
                   headers=H(tokens, "analyst"))  # fmt: skip
    assert r.json()["links"] == {"plan_item": plan_item, "board": "tienda murcia domingos"}
    r = staff.post(f"/api/v1/ideas/portal/{first}/status", json={"status": "planned"}, headers=H(tokens, "analyst"))
    assert r.json()["status"] == "planned" and r.json()["notified"] == 0
    assert idea_status("tienda murcia domingos", ws)["status"] == "planned"  # type: ignore[index]

    # shipped: everyone credited on the page, everyone with an address e-mailed, each on their own
    with smtp_receiver() as (port, got):
        use_smtp(ws, port)
        r = staff.post(f"/api/v1/ideas/portal/{first}/status", json={"status": "shipped"}, headers=H(tokens, "analyst"))
        assert r.status_code == 200 and r.json()["notified"] == 3
        assert sorted(m["X-Rcpt"] for m in got) == ["ana@example.com", "bea@example.com", "carlos@example.com"]
        assert all(IDEA in body(m) and f"/ideas/portal/{first}" in body(m) for m in got)
    ws.layout.notify.unlink()
    page = dani.get(f"/ideas/portal/{first}")
    assert 'data-status="shipped"' in page.text
    credits = re.search(r'<div class="credits" id="credits">(.*?)</div>', page.text, re.S).group(1)  # type: ignore[union-attr]
    assert "Ana G. (la propuso)" in credits and "Carlos (la apoyó)" in credits
    assert "1 más sin nombre (la propuso)" in credits and "1 más sin nombre (la apoyó)" in credits  # Bea, Dani
    assert "@" not in page.text  # no address is ever shown
    assert idea_status("tienda murcia domingos", ws.store) == {
        "status": "shipped", "portal_id": first, "title": IDEA, "votes": 4, "reason": None}
    assert 'id="vote-form"' not in page.text  # shipped ideas take no votes
    from escucha.errors import NotFoundError

    with pytest.raises(NotFoundError):
        ws.portal.vote(first, person="b:late")


def test_declined_needs_a_reason_and_statuses_are_checked(setup: Any) -> None:
    ws, _ = setup
    p = ws.portal
    doc = p.propose(title="Regalar café en la cola", person="b:x", premoderate=False)
    with pytest.raises(ValidationError) as e:
        p.set_status(doc["id"], "declined")
    assert e.value.field == "reason"
    with pytest.raises(ValidationError):
        p.set_status(doc["id"], "done")
    d = p.set_status(doc["id"], "declined", "No podemos servir comida en tienda por sanidad.")
    assert d["reason"].startswith("No podemos")
    c = make_client(ws)
    assert "No podemos servir comida" in c.get(f"/ideas/portal/{doc['id']}").text


def test_credit_names_never_carry_pii(setup: Any) -> None:
    ws, _ = setup
    doc = ws.portal.propose(title="Pago con Bizum en tienda", person="b:y", credit="pepe@example.com",
                            premoderate=False)  # fmt: skip
    assert doc["first_proposer_credit"] == "Cliente anónimo"
    doc = ws.portal.propose(title="Llamadme al 612 345 678 para contaros mi idea", person="b:z", premoderate=False)
    assert "612" not in doc["title"]


def test_staff_moderation_page(setup: Any) -> None:
    from test_api import login

    ws, _ = setup
    ws.portal.propose(title="Ampliar el horario de atención telefónica", person="b:w")
    c = make_client(ws)
    csrf = login(c, "analyst1")
    page = c.get("/ideas/moderation")
    assert page.status_code == 200 and "Ampliar el horario" in page.text and 'href="/ideas/moderation"' in page.text
    idea = next(q["id"] for q in ws.portal.queue() if q["title"].startswith("Ampliar"))
    assert c.post(f"/ideas/moderation/{idea}", data={"action": "approve"}).status_code == 403  # no CSRF token
    r = c.post(f"/ideas/moderation/{idea}", data={"action": "approve", "csrf_token": csrf}, follow_redirects=False)
    assert r.status_code == 303 and ws.portal.get(idea)["moderation"] == "approved"
    viewer = make_client(ws)
    vcsrf = login(viewer, "viewer1")
    assert viewer.post(f"/ideas/moderation/{idea}", data={"action": "reject", "csrf_token": vcsrf}).status_code == 403


def test_cli_portal(setup: Any) -> None:
    from typer.testing import CliRunner

    from escucha.cli import app

    ws, _ = setup
    doc = ws.portal.propose(title="Envío gratis a partir de 30 euros", person="b:v")
    run = CliRunner()
    r = run.invoke(app, ["-w", str(ws.path), "portal", "queue"])
    assert r.exit_code == 0 and doc["id"] in r.output
    assert run.invoke(app, ["-w", str(ws.path), "portal", "approve", doc["id"]]).exit_code == 0
    r = run.invoke(app, ["-w", str(ws.path), "portal", "status", doc["id"], "planned"])
    assert r.exit_code == 0 and "planned" in r.output
    r = run.invoke(app, ["-w", str(ws.path), "portal", "list", "--json"])
    assert r.exit_code == 0 and doc["id"] in r.output


def test_sign_in_by_email_link(setup: Any) -> None:
    ws, _ = setup
    app = make_client(ws).app
    doc = ws.portal.propose(title="Tarjeta regalo digital", person="b:gift", premoderate=False)
    laptop, phone, stranger = TestClient(app), TestClient(app), TestClient(app)
    with smtp_receiver() as (port, got):
        use_smtp(ws, port)
        for c, address in ((laptop, "eva@example.com"), (stranger, "not-an-address")):
            page = c.get("/ideas/portal")
            r = c.post("/ideas/portal/signin", data={"form_token": token_in(page.text, "signin-form"),
                                                     "email": address}, follow_redirects=False)  # fmt: skip
            assert r.status_code == 303 and r.headers["location"] == "/ideas/portal?signin=1&lang=es"  # the same
        assert len(got) == 1 and got[0]["X-Rcpt"] == "eva@example.com"
    ws.layout.notify.unlink()
    link = re.search(r"(/ideas/portal/signin/\S+)", body(got[0])).group(1)  # type: ignore[union-attr]
    assert stranger.get(link[:-3] + "xyz", follow_redirects=False).status_code == 404
    for c in (laptop, phone):  # the same customer on two devices
        assert c.get(link, follow_redirects=False).status_code == 303
        page = c.get("/ideas/portal")
        assert 'id="signed-in"' in page.text and "eva@example.com" not in page.text
        assert _vote(c, doc["id"]).status_code == 303
    assert ws.portal.get(doc["id"])["votes"] == 2  # the proposer and Eva once, not twice
    from escucha.portal.ideas import people

    assert [p["email"] for p in people(ws.portal.ctx, doc["id"]) if p["role"] == "supporter"] == ["eva@example.com"]
