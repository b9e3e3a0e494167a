"""Property-based API tests from the OpenAPI schema (schemathesis, bounded): no request, however
odd, makes the server fail with a 5xx, every error uses the one error model, and every response
matches what the schema declares (status, content type, body, headers) for every operation.
Dates and page numbers (API query parameters and the dashboard's pages) get their own Hypothesis
strategy with calendar edges. ``bench/fuzz_api.py`` runs the same checks with many more cases."""

from __future__ import annotations

import os
import warnings
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("fastapi")
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    schemathesis = pytest.importorskip("schemathesis")

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from test_api import build_workspace

_state: dict[str, Any] = {}


def _app() -> Any:
    import tempfile

    from escucha.server import create_app

    if "app" not in _state:
        ws, tokens = build_workspace(Path(tempfile.mkdtemp(prefix="escucha-props-")) / "ws")
        _state.update(app=create_app(ws), token=tokens["admin"], ws=ws)
    return _state["app"]


def _schema() -> Any:
    app = _app()
    raw = app.openapi()
    # admin deletions would remove the users and tokens the test itself relies on
    for path in list(raw["paths"]):
        raw["paths"][path].pop("delete", None)
    schema = schemathesis.openapi.from_dict(raw)
    schema.app = app
    return schema


schema = _schema()
# the quick test: generated cases only (the slow ones add schemathesis's deterministic coverage phase)
quick_schema = _schema()
quick_schema.config.phases.coverage.enabled = False


@pytest.mark.slow
@schema.parametrize()
@settings(max_examples=int(os.environ.get("ESCUCHA_FUZZ_EXAMPLES", "5")), deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))  # fmt: skip
def test_no_server_errors(case: Any) -> None:
    response = case.call(headers={"Authorization": f"Bearer {_state['token']}"})
    assert response.status_code < 500, (case.method, case.path, response.status_code, response.text[:300])
    if response.status_code >= 400:
        body = response.json()
        assert set(body) == {"error"} and {"code", "message"} <= set(body["error"]), body


def _checks() -> list[Any]:
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import (
        content_type_conformance,
        response_headers_conformance,
        response_schema_conformance,
        status_code_conformance,
    )

    return [not_a_server_error, status_code_conformance, content_type_conformance,
            response_schema_conformance, response_headers_conformance]  # fmt: skip


def _conforms(case: Any) -> None:
    headers = {"Authorization": f"Bearer {_state['token']}"}
    response = case.call(headers=headers)
    case.validate_response(response, checks=_checks(), headers=headers)


@quick_schema.parametrize()
@settings(max_examples=5, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))  # fmt: skip
def test_every_operation_matches_its_schema(case: Any) -> None:
    """No 5xx, and status, content type, body and headers as declared (a few cases per operation)."""
    _conforms(case)


@pytest.mark.slow
@schema.parametrize()
@settings(max_examples=int(os.environ.get("ESCUCHA_FUZZ_SCHEMA_EXAMPLES", "10")), deadline=None,
          derandomize=True, database=None, suppress_health_check=list(HealthCheck))  # fmt: skip
def test_every_operation_matches_its_schema_many(case: Any) -> None:
    """The same with boundary values (schemathesis's coverage phase) and more generated cases."""
    _conforms(case)


EDGE_DATES = ["2024-02-29", "2023-02-29", "2024-02-30", "2024-13-01", "0000-01-01", "0001-01-01",
              "9999-12-31", "10000-01-01", "1969-12-31", "2024-12-31T23:59:60", "2024-06-01T24:00:00",
              "2024-06-01T12:00:00+14:00", "2024-06-01T12:00:00+25:00", "9999-12-31T23:59:59+00:00",
              "0001-01-01T00:00:00-01:00", "1e309", "", "now"]  # fmt: skip
DATES = st.one_of(st.sampled_from(EDGE_DATES), st.dates().map(str),
                  st.datetimes(timezones=st.none() | st.timezones()).map(lambda d: d.isoformat()),
                  st.text(max_size=12))  # fmt: skip
NUMBERS = st.one_of(st.integers(-(10**20), 10**20).map(str), st.sampled_from(["", "1.5", "NaN", "1e3"]))
PARAMS = st.fixed_dictionaries({}, optional={"since": DATES, "until": DATES, "page": NUMBERS, "limit": NUMBERS,
                                              "offset": NUMBERS, "period": st.sampled_from(["day", "month", "decade"])})  # fmt: skip
DATED = ["/api/v1/feedback", "/api/v1/metrics", "/api/v1/export.csv", "/explore", "/"]


@pytest.mark.parametrize("route", DATED)
@given(params=PARAMS)
@settings(max_examples=int(os.environ.get("ESCUCHA_FUZZ_DATE_EXAMPLES", "25")), deadline=None,
          derandomize=True, database=None, suppress_health_check=list(HealthCheck))  # fmt: skip
def test_dates_and_pages_never_fail(route: str, params: dict[str, str]) -> None:
    """Calendar-edge dates and odd page numbers: a page, a result or a 4xx in the one error model."""
    from starlette.testclient import TestClient

    if "client" not in _state:
        _state["client"] = TestClient(_app(), raise_server_exceptions=False)
    html = not route.startswith("/api/")
    headers = {"Authorization": f"Bearer {_state['token']}", **({"accept": "text/html"} if html else {})}
    r = _state["client"].get(route, params=params, headers=headers, follow_redirects=False)
    assert r.status_code < 500, (route, params, r.status_code, r.text[:300])
    ctype = r.headers.get("content-type", "")
    if r.status_code == 200:
        want = "text/html" if html else ("text/csv" if route.endswith(".csv") else "application/json")
        assert ctype.startswith(want), (route, params, ctype)
    elif r.status_code >= 400 and not html:
        body = r.json()
        assert set(body) == {"error"} and {"code", "message", "field"} <= set(body["error"]), body
        assert body["error"]["field"], body  # a bad parameter is named
