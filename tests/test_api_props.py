"""Property-based API tests from the OpenAPI schema (schemathesis, bounded): no request, however
odd, makes the server fail with a 5xx, and every error uses the one error model."""

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

from hypothesis import HealthCheck, settings

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
