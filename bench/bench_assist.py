"""Latency of agent assist (not a test): p50/p95/p99 per message, without an LLM.

Builds (or reuses) the analysed demo workspace (``escucha.demo.build.build_demo``, 6,000 voices),
opens cases from the default rules, then asks assist about ``--n`` real demo messages (chats, calls,
social posts, reviews; Spanish and English) with their customer ids, through the library
(``AssistService``, warm pipeline and history, as the server keeps it) and through the REST API
(``POST /api/v1/assist`` on the real app, FastAPI TestClient, Bearer token). The first call of each
is reported apart (warm-up).

Writes bench/results/assist.json.

    .venv/bin/python bench/bench_assist.py --n 500
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("OMP_NUM_THREADS", "1")
RESULTS = Path(__file__).parent / "results"


def pct(xs: list[float], q: float) -> float:
    s = sorted(xs)
    return s[min(len(s) - 1, round(q * (len(s) - 1)))]


def summary(ms: list[float]) -> dict[str, float]:
    return {"n": len(ms), "p50_ms": round(statistics.median(ms), 2), "p95_ms": round(pct(ms, 0.95), 2),
            "p99_ms": round(pct(ms, 0.99), 2), "max_ms": round(max(ms), 2), "mean_ms": round(statistics.mean(ms), 2)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workspace", type=Path, default=Path("/tmp/escucha-bench-cases"))
    ap.add_argument("--n", type=int, default=500)
    args = ap.parse_args()

    import escucha
    from escucha.cases.assist import AssistService
    from escucha.cases.rules import open_from_rules
    from escucha.demo.build import build_demo
    from escucha.http import auth

    if not (args.workspace / "escucha.duckdb").exists():
        build_demo(args.workspace)
    ws = escucha.open(args.workspace)
    opened = open_from_rules(ws.store, ws.layout)
    items = ws.items(limit=None)
    items = items[items["channel"] != "employee"].sample(n=min(args.n, len(items)), random_state=7)
    msgs = [(str(r["text"]), None if r["customer_id"] is None else str(r["customer_id"]))
            for r in items.to_dict("records")]  # fmt: skip

    svc = AssistService(ws.store, ws.layout, ws.settings, ws.pipeline)
    t = time.perf_counter()
    svc.warm()
    warm_ms = (time.perf_counter() - t) * 1000
    lib: list[float] = []
    langs: dict[str, int] = {}
    for text, cid in msgs:
        t = time.perf_counter()
        r = svc.assist(text, cid)
        lib.append((time.perf_counter() - t) * 1000)
        langs[r["language"]] = langs.get(r["language"], 0) + 1

    from fastapi.testclient import TestClient

    from escucha.server import create_app

    if "bench-agent" not in {u["username"] for u in auth.list_users(ws)}:
        auth.add_user(ws, "bench-agent", "correct horse battery staple", "agent")
    _, token = auth.create_token(ws, f"bench-{int(time.time())}", "agent")
    client = TestClient(create_app(ws))
    h = {"Authorization": f"Bearer {token}"}
    t = time.perf_counter()
    assert client.post("/api/v1/assist", json={"text": "hola", "customer_id": msgs[0][1]}, headers=h).status_code == 200
    first_api_ms = (time.perf_counter() - t) * 1000
    api: list[float] = []
    for text, cid in msgs:
        body: dict[str, Any] = {"text": text[:10_000]}
        if cid:
            body["customer_id"] = cid
        t = time.perf_counter()
        resp = client.post("/api/v1/assist", json=body, headers=h)
        api.append((time.perf_counter() - t) * 1000)
        assert resp.status_code == 200, resp.text
    out = {
        "what": "agent assist latency per message (no LLM), demo workspace",
        "voices": int(ws.counts()["items"]), "cases_opened": len(opened.opened), "messages": len(msgs),
        "languages": langs, "warm_up_ms": round(warm_ms, 1), "first_api_call_ms": round(first_api_ms, 1),
        "library": summary(lib), "rest_api": summary(api),
        "machine": {"python": sys.version.split()[0], "platform": platform.platform(), "cpus": os.cpu_count()},
    }  # fmt: skip
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "assist.json").write_text(json.dumps(out, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
