"""The public pages (survey links, the ideas portal) pass the dashboard's security checks without a
login: only the registered pages are open, CSRF per form (bound to the browser), Origin checks,
honeypot and time-trap, a rate limit per IP, escaped customer text, a strict CSP, no PII and
nothing to enumerate."""

from __future__ import annotations

import re
from typing import Any

import pytest

pytest.importorskip("fastapi")

from fastapi.testclient import TestClient

from public_helpers import path_of, survey_workspace, token_in, token_of
from test_api import H, make_client

XSS = '<script>window.__pwned = 1</script><img src=x onerror="alert(1)"> Abrir los domingos por la tarde'


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, dict[str, str]]:
    return survey_workspace(tmp_path_factory.mktemp("public") / "ws")


@pytest.fixture(scope="module")
def client(setup: Any) -> TestClient:
    return make_client(setup[0])


def _link(client: TestClient, tokens: dict[str, str], customer: str, **spec: Any) -> str:
    spec.setdefault("name", "Encuesta")
    sid = client.post("/api/v1/surveys", json=spec, headers=H(tokens, "admin")).json()["id"]
    r = client.post(f"/api/v1/surveys/{sid}/invitations", json={"recipients": [customer]}, headers=H(tokens, "admin"))
    return path_of(r.json()["invited"][0]["link"])


def test_only_registered_pages_are_public(client: TestClient) -> None:
    assert client.get("/ideas/portal").status_code == 200
    assert client.get("/s/widget.js").status_code == 200
    assert client.get("/s/not-a-token").status_code == 404
    for path in ("/s", "/ideas/portalx", "/ideas", "/ideas/moderation", "/api/v1/ideas/portal",
                 "/api/v1/ideas/portal/moderation", "/api/v1/surveys", "/api/v1/feedback"):  # fmt: skip
        r = client.get(path)
        assert r.status_code == 401, (path, r.status_code)
    for path in ("/api/v1/surveys", "/api/v1/ideas/portal/x/status"):
        assert client.post(path, json={}).status_code == 401


def test_public_pages_send_strict_headers(client: TestClient, setup: Any) -> None:
    path = _link(client, setup[1], "c20")
    for r in (TestClient(client.app).get("/ideas/portal"), TestClient(client.app).get(path)):
        csp = r.headers["content-security-policy"]
        assert "script-src 'self';" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
        assert r.headers["x-content-type-options"] == "nosniff" and r.headers["cache-control"] == "no-store"
        cookie = r.headers.get("set-cookie", "")
        assert "HttpOnly" in cookie and "SameSite=lax" in cookie
        assert "<script>" not in r.text.split("</head>", 1)[1]  # no inline script in the body


def test_csrf_on_public_forms(setup: Any) -> None:
    ws, tokens = setup
    app = make_client(ws).app
    alice, mallory = TestClient(app), TestClient(app)
    path = _link(alice, tokens, "c21")
    good = token_of(alice.get(path).text)
    assert alice.post(path, data={"nps": "9"}).status_code == 403  # no token
    assert mallory.post(path, data={"form_token": good, "nps": "9"}).status_code == 403  # another browser's token
    evil = {"origin": "https://evil.example"}
    assert alice.post(path, data={"form_token": good, "nps": "9"}, headers=evil).status_code == 403
    portal_token = token_in(alice.get("/ideas/portal").text, "propose-form")
    assert alice.post(path, data={"form_token": portal_token, "nps": "9"}).status_code == 403  # other form's token
    r = alice.post("/ideas/portal/propose", data={"form_token": "x" * 40, "title": "Una idea cualquiera"})
    assert r.status_code == 403
    assert alice.post(path, data={"form_token": good, "nps": "9"}).status_code == 200


def test_bots_are_refused(setup: Any) -> None:
    ws, tokens = setup
    c = make_client(ws)
    path = _link(c, tokens, "c22")
    r = c.post(path, data={"form_token": token_of(c.get(path).text), "website": "http://spam.example", "nps": "9"})
    assert r.status_code == 400 and "robot" in r.text
    ws.settings.public_min_form_s = 60.0
    try:
        r = c.post(path, data={"form_token": token_of(c.get(path).text), "nps": "9"})
        assert r.status_code == 400 and "too quickly" in r.text
    finally:
        ws.settings.public_min_form_s = 0.0


def test_rate_limit_per_ip(setup: Any) -> None:
    ws, _ = setup
    ws.settings.public_rate_limit = 3
    try:
        c = make_client(ws)
        tok = token_in(c.get("/ideas/portal").text, "propose-form")
        codes = [c.post("/ideas/portal/propose", data={"form_token": tok, "title": ""}).status_code for _ in range(4)]
        assert codes[:3] == [422, 422, 422] and codes[3] == 429
        r = c.post("/ideas/portal/propose", data={"form_token": tok, "title": ""})
        assert r.status_code == 429 and int(r.headers["retry-after"]) > 0
    finally:
        ws.settings.public_rate_limit = 30


def test_customer_text_is_escaped(setup: Any) -> None:
    ws, tokens = setup
    c = make_client(ws)
    doc = ws.portal.propose(title=XSS, body=XSS, person="b:xss", credit='<b onmouseover="x()">Eva</b>', premoderate=False)
    for page in (c.get("/ideas/portal"), c.get(f"/ideas/portal/{doc['id']}")):
        assert "<script>window.__pwned" not in page.text and 'onerror="alert' not in page.text
        assert "&lt;script&gt;window.__pwned" in page.text
        assert "<b onmouseover" not in page.text
    # a survey named and answered with markup shows it as text, on the form and on its errors
    path = _link(c, tokens, "c23", name=XSS, questions=[{"kind": "nps", "required": True}, {"kind": "open"}])
    page = c.get(path)
    assert "<script>window.__pwned" not in page.text and "&lt;script&gt;" in page.text
    r = c.post(path, data={"form_token": token_of(page.text), "open": XSS})  # missing nps: the form comes back
    assert r.status_code == 422 and "<script>window.__pwned" not in r.text and "&lt;img src=x" in r.text


def test_no_pii_and_nothing_to_enumerate(setup: Any) -> None:
    ws, tokens = setup
    c = make_client(ws)
    path = _link(c, tokens, "c10")  # Marta, marta@example.com, premium
    page = c.get(path).text
    for secret in ("Marta", "marta@example.com", "c10", "premium"):
        assert secret not in page
    # a forged token, a signed token of no invitation and a tampered one all look the same
    from escucha.surveys import tokens as signing

    forged = c.get("/s/AAAAAAAAAAAA.BBBBBBBBBBBBBBBBBBBBBB")
    unknown = c.get("/s/" + signing.sign(ws.surveys.ctx.secret(), "nobody12345"))
    tampered = c.get(path[:-2] + ("AA" if not path.endswith("AA") else "BB"))
    assert forged.status_code == unknown.status_code == tampered.status_code == 404
    strip = re.compile(r'name="form_token" value="[^"]+"')
    assert strip.sub("", forged.text) == strip.sub("", unknown.text) == strip.sub("", tampered.text)
    # ideas: an unknown id and one waiting for moderation look the same; ids are not sequential
    pending = ws.portal.propose(title="Una idea aún sin revisar", person="b:p", email="p@example.com")
    a, b = c.get("/ideas/portal/nope"), c.get(f"/ideas/portal/{pending['id']}")
    assert a.status_code == b.status_code == 404 and a.text == b.text
    other = ws.portal.propose(title="Otra idea sin revisar", person="b:q")
    assert len(pending["id"]) >= 10 and pending["id"][:4] != other["id"][:4]
    listing = c.get("/ideas/portal").text + str(c.get("/ideas/portal/similar", params={"q": "una idea sin revisar"}).json())
    assert "p@example.com" not in listing and "sin revisar" not in listing


def test_public_api_views_never_carry_emails(setup: Any, client: TestClient) -> None:
    ws, tokens = setup
    doc = ws.portal.propose(title="Devoluciones sin ticket", person="b:r", email="r@example.com", premoderate=False)
    ws.portal.vote(doc["id"], person="b:s", email="s@example.com")
    for r in (client.get("/api/v1/ideas/portal", headers=H(tokens, "viewer")),
              client.get(f"/api/v1/ideas/portal/{doc['id']}", headers=H(tokens, "viewer")),
              client.get(f"/ideas/portal/{doc['id']}")):  # fmt: skip
        assert r.status_code == 200 and "@example.com" not in r.text


def test_oversized_and_odd_forms_are_refused(client: TestClient, setup: Any) -> None:
    path = _link(client, setup[1], "c24")
    assert client.post(path, content=b"nps=9&why=" + b"a" * 70_000,
                       headers={"content-type": "application/x-www-form-urlencoded"}).status_code == 413  # fmt: skip
    assert client.post(path, files={"nps": ("x", b"9")}).status_code == 415
    assert client.post("/ideas/portal/propose", json={"title": "x"}).status_code == 415
