"""Security: every route needs credentials, roles are enforced on the server, CSRF, login rate
limiting, cookie flags, escaping of customer text, audit, logs without bodies, serve preflight."""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("argon2")

from fastapi.testclient import TestClient

from test_api import PASSWORD, H, build_workspace, login, make_client

PUBLIC = {"/login", "/health", "/ready", "/api/v1/health", "/api/v1/ready", "/favicon.ico"}
XSS = '<script>alert("xss")</script><img src=x onerror="alert(1)"> precio abusivo'


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, dict[str, str]]:
    ws, tokens = build_workspace(tmp_path_factory.mktemp("sec") / "ws")
    ws.add([{"id": "xss1", "text": XSS, "channel": "review", "customer_id": "c1"}])
    ws.analyze()
    return ws, tokens


@pytest.fixture(scope="module")
def client(setup: Any) -> TestClient:
    return make_client(setup[0])


def _routes(app: Any) -> list[tuple[str, str]]:
    """(method, concrete path) for every route of the app, with path parameters filled in."""
    from escucha.server import route_table

    return [(m, p + "/app.css" if mount else re.sub(r"\{[^}]+\}", "x", p)) for m, p, mount in route_table(app)]


#: Customer-facing pages registered public by features (escucha.http.security.add_public_prefix);
#: their own guards are tested in tests/test_public_pages.py.
PUBLIC_FEATURES = {"/s/", "/ideas/portal", "/ideas/portal/"}


def test_every_route_requires_credentials(client: TestClient) -> None:
    from escucha.http.security import is_public, public_registrations

    paths, prefixes = public_registrations()
    assert set(paths) | set(prefixes) <= PUBLIC_FEATURES  # nothing else opened up
    routes = _routes(client.app)
    assert len(routes) >= 25
    checked = 0
    for method, path in routes:
        public = path in PUBLIC or path.startswith("/static/")
        if not public and is_public(path):
            assert path.startswith(tuple(PUBLIC_FEATURES)), path
            continue
        r = client.request(method, path)
        if public:
            assert r.status_code < 500, (method, path, r.status_code)
            continue
        checked += 1
        assert r.status_code == 401, (method, path, r.status_code, r.text[:200])
        assert r.json()["error"]["code"] == "unauthenticated"
        bad = client.request(method, path, headers={"Authorization": "Bearer esk_nope_nope"})
        assert bad.status_code == 401, (method, path)
    assert checked >= 20


def test_browser_pages_redirect_to_login(client: TestClient) -> None:
    r = client.get("/explore", headers={"accept": "text/html"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login?next=/explore")


def test_viewer_is_read_only_everywhere(client: TestClient, setup: Any) -> None:
    h = H(setup[1], "viewer")
    for method, path in _routes(client.app):
        if (method in ("POST", "PUT", "PATCH", "DELETE") and path not in PUBLIC | {"/logout", "/language"}
                and not path.startswith(tuple(PUBLIC_FEATURES))):  # fmt: skip
            r = client.request(method, path, headers=h)
            assert r.status_code == 403, (method, path, r.status_code)
    assert client.get("/api/v1/feedback", headers=h).status_code == 200
    assert client.get("/api/v1/export.csv", headers=h).status_code == 403
    assert client.get("/api/v1/users", headers=h).status_code == 403
    assert client.get("/api/v1/audit", headers=h).status_code == 403


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        ("viewer", set()),
        ("agent", {"feedback", "customer", "analyze"}),
        ("analyst", {"feedback", "customer", "analyze", "export", "upload", "run"}),
        ("admin", {"feedback", "customer", "analyze", "export", "upload", "run", "users"}),
    ],
)
def test_role_matrix(client: TestClient, setup: Any, role: str, allowed: set[str]) -> None:
    h = H(setup[1], role)
    calls = {
        "feedback": lambda: client.post("/api/v1/feedback", json={"text": f"hola desde {role}"}, headers=h),
        "customer": lambda: client.get("/api/v1/customers/c2", headers=h),
        "analyze": lambda: client.post("/api/v1/analyze", json={"text": "bien"}, headers=h),
        "export": lambda: client.get("/api/v1/export.csv", headers=h),
        "upload": lambda: client.post("/api/v1/feedback/upload", headers=h, data={"mapping": "survey"},
                                      files={"file": ("a.csv", "text,nps\nbien,9\n", "text/csv")}),
        "run": lambda: client.post("/api/v1/analysis/run", headers=h),
        "users": lambda: client.get("/api/v1/users", headers=h),
    }  # fmt: skip
    for name, call in calls.items():
        status = call().status_code
        if name in allowed:
            assert status < 400, (role, name, status)
        else:
            assert status == 403, (role, name, status)


def test_csrf_enforced_for_cookie_sessions(setup: Any) -> None:
    c = make_client(setup[0])
    token = login(c, "analyst1")
    body = {"text": "Entrega rápida, todo perfecto"}
    r = c.post("/api/v1/feedback", json=body)
    assert r.status_code == 403 and r.json()["error"]["code"] == "csrf_failed"
    assert c.post("/api/v1/feedback", json=body, headers={"X-CSRF-Token": "wrong"}).status_code == 403
    assert c.post("/api/v1/feedback", json=body, headers={"X-CSRF-Token": token}).status_code == 201
    evil = {"X-CSRF-Token": token, "Origin": "https://evil.example"}
    assert c.post("/api/v1/feedback", json=body, headers=evil).status_code == 403
    # forms: the token travels in the csrf_token field
    r = c.post("/language", data={"lang": "en", "next": "/explore"}, follow_redirects=False)
    assert r.status_code == 403
    r = c.post("/language", data={"lang": "en", "next": "/explore", "csrf_token": token}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/explore"
    r = c.post("/language", data={"lang": "es", "next": "https://evil.example", "csrf_token": token},
               follow_redirects=False)  # fmt: skip
    assert r.headers["location"] == "/"
    # bearer tokens need no CSRF token (no ambient credentials)
    assert c.post("/api/v1/analyze", json={"text": "ok"}, headers=H(setup[1], "agent")).status_code == 200


def test_login_form_needs_its_token_and_redirects_only_locally(setup: Any) -> None:
    c = make_client(setup[0])
    r = c.post("/login", data={"username": "admin1", "password": PASSWORD}, follow_redirects=False)
    assert r.status_code == 403
    page = c.get("/login?next=//evil.example/x")
    assert 'value="/"' in page.text


def test_login_rate_limit(setup: Any) -> None:
    c = make_client(setup[0])
    def attempt(user: str, pw: str) -> Any:
        page = c.get("/login")
        tok = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
        return c.post("/login", data={"username": user, "password": pw, "csrf_token": tok}, follow_redirects=False)

    assert [attempt("agent1", "wrong password!").status_code for _ in range(5)] == [401] * 5
    r = attempt("agent1", PASSWORD)
    assert r.status_code == 429 and int(r.headers["retry-after"]) > 0
    assert attempt("viewer1", PASSWORD).status_code == 303  # another user from the same IP is not locked out
    log = c.get("/api/v1/audit", headers=H(setup[1], "admin")).json()
    events = [e["event"] for e in log]
    assert "login_rate_limited" in events and "login_failed" in events and "login" in events
    assert all("password" not in str(e) or e.get("event") != "login_failed" for e in log)


def test_cookie_flags_and_security_headers(setup: Any) -> None:
    c = make_client(setup[0])
    page = c.get("/login")
    tok = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    r = c.post("/login", data={"username": "viewer1", "password": PASSWORD, "csrf_token": tok}, follow_redirects=False)
    cookie = r.headers["set-cookie"].lower()
    assert "escucha_session=" in cookie and "httponly" in cookie and "samesite=lax" in cookie
    assert "secure" not in cookie  # loopback: plain http works
    home = c.get("/")
    assert "script-src 'self'" in home.headers["content-security-policy"]
    assert home.headers["x-frame-options"] == "DENY" and home.headers["x-content-type-options"] == "nosniff"
    assert home.headers["cache-control"] == "no-store"

    remote = make_client(setup[0], base_url="https://escucha.example.com")
    page = remote.get("/login")
    tok = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    r = remote.post("/login", data={"username": "viewer1", "password": PASSWORD, "csrf_token": tok},
                    follow_redirects=False)  # fmt: skip
    assert "secure" in r.headers["set-cookie"].lower()


def test_tampered_or_stale_sessions_are_rejected(setup: Any) -> None:
    from escucha.http import auth

    ws = setup[0]
    auth.add_user(ws, "temp1", PASSWORD, "agent")
    c = make_client(ws)
    login(c, "temp1")
    assert c.get("/api/v1/me").json()["username"] == "temp1"
    value = c.cookies.get("escucha_session")
    c.cookies.clear()

    def me(cookie: str) -> int:
        return c.get("/api/v1/me", headers={"cookie": f"escucha_session={cookie}"}).status_code

    assert me(value) == 200
    assert me(value[:-2] + ("AA" if not value.endswith("AA") else "BB")) == 401
    other_key = make_client(ws)  # another server key cannot read this session
    assert other_key.get("/api/v1/me", headers={"cookie": f"escucha_session={value}"}).status_code == 401
    auth.delete_user(ws, "temp1")
    assert me(value) == 401


def test_xss_payload_stays_text(client: TestClient, setup: Any) -> None:
    r = client.get("/api/v1/feedback/xss1", headers=H(setup[1], "viewer"))
    assert r.headers["content-type"].startswith("application/json") and r.json()["feedback"]["text"] == XSS
    c = make_client(setup[0])
    login(c, "agent1")
    for url in ("/voices/xss1", "/explore?q=abusivo", "/customers/c1"):
        html = c.get(url).text
        assert "<script>alert" not in html and "<img src=x" not in html, url
        assert "&lt;script&gt;alert(" in html, url


def test_highlight_escapes_before_wrapping() -> None:
    from escucha.models import Analysis
    from escucha.web.render import highlight

    text = "<b>El envío</b> tardó muchísimo. Todo lo demás bien."
    an = Analysis(
        sentences=[{"index": 0, "text": "<b>El envío</b> tardó muchísimo.", "start": 0, "end": 32,
                    "sentiment": "negative", "sentiment_score": -0.7, "aspects": ["delivery"]},
                   {"index": 1, "text": "Todo lo demás bien.", "start": 33, "end": 52,
                    "sentiment": "positive", "sentiment_score": 0.5}],
        aspects=[{"aspect": "delivery", "sentiment": "negative", "score": -0.7, "evidence": "envío", "sentence": 0}],
    )  # fmt: skip
    html = str(highlight(text, an))
    assert html.startswith('<span class="sent sent-negative" title="delivery">&lt;b&gt;El ')
    assert '<mark class="asp asp-negative" title="delivery">envío</mark>&lt;/b&gt;' in html
    assert html.endswith(" Todo lo demás bien.") and "<b>" not in html


def test_info_logs_never_contain_message_bodies(setup: Any, caplog: pytest.LogCaptureFixture) -> None:
    from escucha.http.logs import JsonFormatter

    secret = "MI-NUMERO-SECRETO-998877 estoy harto"
    c = make_client(setup[0])
    with caplog.at_level(logging.INFO):
        c.post("/api/v1/feedback", json={"text": secret}, headers=H(setup[1], "agent"), params={"analyze": True})
        c.get("/api/v1/feedback", params={"q": "harto"}, headers=H(setup[1], "agent"))
    fmt = JsonFormatter()
    # the server's own records (the test client's httpx logs its request URLs itself)
    lines = [fmt.format(r) for r in caplog.records if r.name.startswith(("escucha", "uvicorn"))]
    assert any('"path": "/api/v1/feedback"' in line for line in lines)
    assert not any("998877" in line or "harto" in line for line in lines)


def test_serve_refuses_unsafe_setups(tmp_path: Path) -> None:
    import escucha
    from escucha.errors import ConfigError
    from escucha.http import auth
    from escucha.http.preflight import preflight

    ws = escucha.open(tmp_path / "ws")
    assert preflight(ws, "127.0.0.1")  # allowed on loopback, with warnings
    with pytest.raises(ConfigError) as e:
        preflight(ws, "0.0.0.0")
    assert e.value.field == "secret_key"
    ws2 = escucha.open(tmp_path / "ws", secret_key="k" * 40)
    with pytest.raises(ConfigError) as e:
        preflight(ws2, "0.0.0.0")
    assert e.value.field == "users"
    auth.add_user(ws2, "boss", PASSWORD, "admin")
    assert "survey_base_url" in " ".join(preflight(ws2, "0.0.0.0"))  # links would point at loopback
    ws2.settings.survey_base_url = "https://cx.example.com"
    assert preflight(ws2, "0.0.0.0") == []
