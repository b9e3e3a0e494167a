"""Fuzz the API: schemathesis over every OpenAPI operation, plus Hypothesis over the date and
page parameters of the API and the dashboard's HTML pages.

The app runs in-process (ASGI, no network) on a small analysed workspace built like
``tests/test_api.py::build_workspace``, with an admin bearer token. Admin deletions of users and
tokens are left out: they would remove the caller the run relies on. Every operation gets
``--examples`` positive (schema-valid) and as many negative (schema-violating) cases, seeded;
then schemathesis's coverage phase adds its boundary cases. Every response goes through every check:

- ``not_a_server_error``: no 5xx;
- ``status_code_conformance``: the status is one the schema declares;
- ``content_type_conformance``: the content type is the one declared for that status;
- ``response_schema_conformance``: the body matches the declared model;
- ``response_headers_conformance``: declared headers are present and match.

    python bench/fuzz_api.py --examples 40 --seed 15

prints per operation and in total the requests, 5xx and failures by check, and writes
bench/results/fuzz_api.json.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
import warnings
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    import schemathesis
    from schemathesis.checks import not_a_server_error
    from schemathesis.generation.modes import GenerationMode
    from schemathesis.specs.openapi.checks import (
        content_type_conformance,
        response_headers_conformance,
        response_schema_conformance,
        status_code_conformance,
    )

CHECKS = (
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
)
# admin deletions would remove the users and tokens the run itself relies on
SKIP = {("DELETE", "/api/v1/users/{username}"), ("DELETE", "/api/v1/tokens/{token_id}")}


def build(path: Path) -> tuple[Any, Any, dict[str, str]]:
    """The app, its workspace and the tokens per role."""
    from escucha.server import create_app
    from test_api import build_workspace

    ws, tokens = build_workspace(path)
    return create_app(ws), ws, tokens


def api_schema(app: Any) -> Any:
    raw = app.openapi()
    for path, ops in raw["paths"].items():
        for method in list(ops):
            if (method.upper(), path) in SKIP:
                ops.pop(method)
    schema = schemathesis.openapi.from_dict(raw)
    schema.app = app
    return schema


def _failures(exc: BaseException) -> list[BaseException]:
    subs = getattr(exc, "exceptions", None)
    return [f for e in subs for f in _failures(e)] if subs else [exc]


def check_response(case: Any, response: Any) -> dict[str, str]:
    """Every check on one response: {check name: the first failure's title} for the ones that fail."""
    failed: dict[str, str] = {}
    for check in CHECKS:
        try:
            case.validate_response(response, checks=[check])
        except (AssertionError, Exception, BaseExceptionGroup) as exc:  # a check failure or a group of them
            f = _failures(exc)[0]
            failed[check.__name__] = str(getattr(f, "title", "") or f)[:200]
    return failed


class Tally:
    def __init__(self) -> None:
        self.requests: Counter[str] = Counter()
        self.server_errors: Counter[str] = Counter()
        self.by_check: dict[str, Counter[str]] = defaultdict(Counter)
        self.samples: dict[str, list[dict[str, Any]]] = defaultdict(list)

    def add(self, label: str, status: int, failed: dict[str, str], detail: dict[str, Any]) -> None:
        self.requests[label] += 1
        if status >= 500:
            self.server_errors[label] += 1
        for name, title in failed.items():
            self.by_check[label][name] += 1
            if len(self.samples[label]) < 3 and all(s["check"] != name for s in self.samples[label]):
                self.samples[label].append({"check": name, "title": title, "status": status, **detail})


def fuzz_operation(op: Any, token: str, tally: Tally, examples: int, seed_: int, mode: GenerationMode) -> None:
    label = f"{op.method.upper()} {op.path}"
    headers = {"Authorization": f"Bearer {token}"}

    @seed(seed_)
    @settings(max_examples=examples, deadline=None, database=None, phases=[Phase.explicit, Phase.generate],
              suppress_health_check=list(HealthCheck), report_multiple_bugs=False)  # fmt: skip
    @given(op.as_strategy(generation_mode=mode))
    def run(case: Any) -> None:
        response = case.call(headers=headers)
        failed = check_response(case, response)
        detail = {"mode": mode.value, "query": case.query, "path_parameters": case.path_parameters,
                  "body": repr(case.body)[:200], "response": response.text[:200]}  # fmt: skip
        tally.add(label, response.status_code, failed, detail)

    run()


def coverage_operation(op: Any, schema: Any, token: str, tally: Tally, seed_: int) -> None:
    """Schemathesis's coverage phase: the deterministic boundary and type-violating cases it derives
    from each parameter's and body's schema (what ``schemathesis run`` does before fuzzing)."""
    from schemathesis.generation.hypothesis.builder import (
        HypothesisTestConfig,
        HypothesisTestMode,
        create_test,
    )

    label = f"{op.method.upper()} {op.path}"
    headers = {"Authorization": f"Bearer {token}"}

    def run(case: Any) -> None:
        response = case.call(headers=headers)
        failed = check_response(case, response)
        detail = {"mode": "coverage", "query": case.query, "path_parameters": case.path_parameters,
                  "body": repr(case.body)[:200], "response": response.text[:200]}  # fmt: skip
        tally.add(label, response.status_code, failed, detail)

    config = HypothesisTestConfig(
        project=schema.config, modes=[HypothesisTestMode.COVERAGE], seed=seed_,
        settings=settings(max_examples=1, deadline=None, database=None, suppress_health_check=list(HealthCheck)),
    )  # fmt: skip
    create_test(operation=op, test_func=run, config=config)()


# -- Hypothesis over dates and pages (API query parameters and the dashboard's HTML pages) -------

EDGE_DATES = ["2024-02-29", "2023-02-29", "2024-02-30", "2024-13-01", "2024-00-10", "0000-01-01",
              "0001-01-01", "9999-12-31", "10000-01-01", "1969-12-31", "1970-01-01", "2038-01-19",
              "2024-12-31T23:59:60", "2024-06-01T24:00:00", "2024-06-01T12:00:00+14:00",
              "2024-06-01T12:00:00-12:00", "2024-06-01T12:00:00Z", "2024-06-01T12:00:00+25:00",
              "2024-06-01 12:00", "1e309", "-1", "", "now", "2024-06-01T12:00:00.999999999",
              "9999-12-31T23:59:59+00:00", "0001-01-01T00:00:00-01:00"]  # fmt: skip


def date_strings() -> st.SearchStrategy[str]:
    dates = st.dates().map(str)
    times = st.datetimes(timezones=st.none() | st.timezones()).map(lambda d: d.isoformat())
    return st.one_of(st.sampled_from(EDGE_DATES), dates, times, st.text(max_size=12))


def page_numbers() -> st.SearchStrategy[str]:
    return st.one_of(st.integers(-(10**20), 10**20).map(str), st.sampled_from(["", "1.5", "NaN", "1e3", "0x10"]))


HTML_ROUTES = ["/", "/explore", "/themes", "/journey", "/promises", "/plan", "/ideas", "/segments",
               "/customers", "/insights/themes"]  # fmt: skip
API_DATED = ["/api/v1/feedback", "/api/v1/metrics", "/api/v1/export.csv"]


def query_params() -> st.SearchStrategy[dict[str, str]]:
    return st.fixed_dictionaries(
        {},
        optional={"since": date_strings(), "until": date_strings(), "page": page_numbers(),
                  "limit": page_numbers(), "offset": page_numbers(), "top": page_numbers(),
                  "period": st.sampled_from(["day", "week", "month", "quarter", "year", "decade"]),
                  "q": st.text(max_size=30), "customer": st.text(max_size=20)},
    )  # fmt: skip


def fuzz_dates(app: Any, token: str, tally: Tally, examples: int, seed_: int) -> None:
    from starlette.testclient import TestClient

    client = TestClient(app, raise_server_exceptions=False)  # a crash is a 500 to count, not an abort
    bearer = {"Authorization": f"Bearer {token}"}

    def one_route(route: str) -> None:
        html = not route.startswith("/api/")
        label = f"GET {route} (dates{', html' if html else ''})"
        headers = {**bearer, "accept": "text/html"} if html else bearer

        @seed(seed_)
        @settings(max_examples=examples, deadline=None, database=None, phases=[Phase.explicit, Phase.generate],
                  suppress_health_check=list(HealthCheck))  # fmt: skip
        @given(query_params())
        def run(params: dict[str, str]) -> None:
            r = client.get(route, params=params, headers=headers, follow_redirects=False)
            failed: dict[str, str] = {}
            if r.status_code >= 500:
                failed["not_a_server_error"] = f"{r.status_code}"
            ctype = r.headers.get("content-type", "")
            if r.status_code < 300:
                want = "text/html" if html else ("text/csv" if route.endswith(".csv") else "application/json")
                if not ctype.startswith(want):
                    failed["content_type_conformance"] = f"{ctype!r} for {want}"
            elif r.status_code >= 400 and not html:
                body = r.json() if ctype.startswith("application/json") else None
                if not (isinstance(body, dict) and set(body) == {"error"}):
                    failed["response_schema_conformance"] = "error not in the error model"
            tally.add(label, r.status_code, failed, {"mode": "dates", "query": params, "response": r.text[:200]})

        run()

    for route in API_DATED + HTML_ROUTES:
        one_route(route)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--examples", type=int, default=40, help="cases per operation and mode")
    ap.add_argument("--date-examples", type=int, default=60, help="Hypothesis cases per dated route")
    ap.add_argument("--seed", type=int, default=15)
    ap.add_argument("--no-coverage", action="store_true", help="skip schemathesis's coverage phase")
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "fuzz_api.json")
    args = ap.parse_args(argv)

    t0 = time.perf_counter()
    tmp = Path(tempfile.mkdtemp(prefix="escucha-fuzz-api-"))
    app, _ws, tokens = build(tmp / "ws")
    schema = api_schema(app)
    tally = Tally()
    ops = [r.ok() for r in schema.get_all_operations()]
    for op in ops:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            fuzz_operation(op, tokens["admin"], tally, args.examples, args.seed, mode)
        if not args.no_coverage:
            coverage_operation(op, schema, tokens["admin"], tally, args.seed)
    fuzz_dates(app, tokens["admin"], tally, args.date_examples, args.seed)
    elapsed = time.perf_counter() - t0

    names = [c.__name__ for c in CHECKS]
    total_by_check = Counter({n: sum(tally.by_check[label][n] for label in tally.requests) for n in names})
    width = max(len(label) for label in tally.requests)
    print(f"{'operation':<{width}}  requests  5xx  " + "  ".join(n.replace("_conformance", "") for n in names[1:]))
    for label in tally.requests:
        row = [tally.by_check[label][n] for n in names[1:]]
        print(f"{label:<{width}}  {tally.requests[label]:>8}  {tally.server_errors[label]:>3}  "
              + "  ".join(f"{v:>{len(n.replace('_conformance', ''))}}" for v, n in zip(row, names[1:], strict=True)))  # fmt: skip
    requests = sum(tally.requests.values())
    server_errors = sum(tally.server_errors.values())
    mismatches = sum(v for n, v in total_by_check.items() if n != "not_a_server_error")
    print(f"\n{len(tally.requests)} operations, {requests} requests, {server_errors} 5xx, {mismatches} schema "
          f"mismatches ({', '.join(f'{n}: {v}' for n, v in total_by_check.items() if n != 'not_a_server_error')}); "
          f"{elapsed:.0f} s")  # fmt: skip
    result = {
        "seed": args.seed,
        "examples_per_operation_and_mode": args.examples,
        "date_examples_per_route": args.date_examples,
        "operations": len(tally.requests),
        "requests": requests,
        "server_errors": server_errors,
        "schema_mismatches": mismatches,
        "failures_by_check": dict(total_by_check),
        "seconds": round(elapsed, 1),
        "per_operation": {
            label: {"requests": tally.requests[label], "server_errors": tally.server_errors[label],
                    "failures_by_check": dict(tally.by_check[label]), "samples": tally.samples[label]}
            for label in tally.requests
        },
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1, ensure_ascii=False, default=str) + "\n")
    return 1 if server_errors or mismatches else 0


if __name__ == "__main__":
    sys.exit(main())
