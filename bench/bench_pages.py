"""Dashboard page benchmark: each page in the navigation, first load and p50/p95 (not a test).

Builds (or reuses) the analysed demo workspace (~6k voices, ``escucha.demo.build.build_demo``)
or takes ``--workspace`` (e.g. a 1M-voice workspace made by ``bench/bench_api.py``), stores the
insight results as ``escucha analyze`` does after analysing (timed), starts ``escucha serve`` on
127.0.0.1 in a subprocess, logs a dashboard user in and requests every page of the navigation:
the first load, then ``--requests`` more (one client, bounded by ``--time-limit`` per page).
Traffic goes to loopback only. Writes bench/results/pages.json.

    .venv/bin/python bench/bench_pages.py
    .venv/bin/python bench/bench_pages.py --items 1000000 --out bench/results/pages_1m.json \
        --pages '/|/explore|/themes|/ideas|/journey|/promises|/plan|/segments|/insights/.*'
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_api import build_base, free_port, log, login, pct, replicate, timed

import escucha
from escucha.http import auth

OUT = Path(__file__).resolve().parent / "results" / "pages.json"


def nav_links(client: httpx.Client) -> list[str]:
    html = client.get("/").text
    nav = re.search(r'<nav class="mainnav"[^>]*>(.*?)</nav>', html, re.S)
    return re.findall(r'href="(/[^"]*)"', nav.group(1)) if nav else ["/"]


def measure(client: httpx.Client, url: str, n: int, time_limit: float) -> dict[str, Any]:
    first, code = timed(client, "GET", url)
    xs: list[float] = []
    stop_at = time.monotonic() + time_limit
    for _ in range(n):
        if time.monotonic() > stop_at:
            break
        dt, c = timed(client, "GET", url)
        if c == 200:
            xs.append(dt)
    return {"url": url, "first_status": code, "first_ms": round(1000 * first, 1), "requests": len(xs),
            "p50_ms": round(1000 * pct(xs, 0.5), 1), "p95_ms": round(1000 * pct(xs, 0.95), 1),
            "max_ms": round(1000 * max(xs), 1) if xs else None}  # fmt: skip


def run(args: argparse.Namespace) -> dict[str, Any]:
    ws_path = Path(args.workspace) if args.workspace else build_base(Path(args.scratch) / "base")
    out: dict[str, Any] = {}
    if args.items:  # the demo's voices and analyses replicated (bench_api.replicate), built once
        dest = Path(args.scratch) / f"pages-ws-{args.items}"
        if not (dest / "escucha.duckdb").exists():
            t0 = time.perf_counter()
            replicate(build_base(Path(args.scratch) / "base"), dest, args.items)
            out["replicate_s"] = round(time.perf_counter() - t0, 1)
        ws_path = dest
    ws = escucha.open(ws_path)
    out["workspace_voices"] = ws.counts()["items"]
    if not args.no_precompute:
        from escucha.http.insight_cache import precompute

        t0 = time.perf_counter()
        built = precompute(ws)
        out["precompute_s"] = round(time.perf_counter() - t0, 1)
        out["precomputed"] = {k: round(v, 2) for k, v in sorted(built.items(), key=lambda kv: -kv[1])}
        log(f"insights stored in {out['precompute_s']}s ({len(built)} results built)")
    password = secrets.token_urlsafe(16)
    auth.add_user(ws, "bench_pages", password, role="analyst", language=args.lang, replace=True)
    port = free_port()
    exe = Path(sys.executable).parent / "escucha"
    env = {**os.environ, "ESCUCHA_LOG_LEVEL": "WARNING"}
    server = subprocess.Popen([str(exe), "--workspace", str(ws_path), "serve", "--host", "127.0.0.1",
                               "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)  # fmt: skip
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(f"{base_url}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("server did not start")
            time.sleep(0.2)
        time.sleep(args.settle)  # the snapshot's warm-up at start
        with httpx.Client(base_url=base_url, timeout=600) as web:
            login(web, "bench_pages", password)
            pages = {}
            for href in nav_links(web):
                if args.pages and not re.fullmatch(args.pages, href):
                    continue
                pages[href] = measure(web, href, args.requests, args.time_limit)
                log(f"{href}: {pages[href]}")
        out["pages"] = pages
        out["worst_first_ms"] = max(p["first_ms"] for p in pages.values())
        out["worst_p95_ms"] = max(p["p95_ms"] for p in pages.values())
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
    out["pages_filter"] = args.pages
    out["machine"] = {"cpus": os.cpu_count(), "python": platform.python_version()}
    out["note"] = ("escucha serve in a subprocess and one client on the same machine; insight results "
                   "stored after analysis (as `escucha analyze` does), so pages read them")
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--workspace", help="an analysed workspace (default: the demo, built once)")
    ap.add_argument("--items", type=int, help="replicate the demo to this many voices first (e.g. 1000000)")
    ap.add_argument("--scratch", default=os.path.join(tempfile.gettempdir(), "escucha-bench"))
    ap.add_argument("--requests", type=int, default=20, help="requests per page after the first")
    ap.add_argument("--time-limit", type=float, default=30.0, help="seconds per page at most")
    ap.add_argument("--settle", type=float, default=2.0, help="seconds to wait after the server starts")
    ap.add_argument("--lang", default="es", choices=["es", "en"])
    ap.add_argument("--no-precompute", action="store_true", help="measure pages computing on demand")
    ap.add_argument("--pages", help="only the navigation's pages whose path matches this regex (e.g. the insight pages)")
    ap.add_argument("--out", default=str(OUT))
    args = ap.parse_args()
    res = run(args)
    print(f"{'page':<28}{'first ms':>10}{'p50 ms':>10}{'p95 ms':>10}")
    for href, p in res["pages"].items():
        print(f"{href:<28}{p['first_ms']:>10}{p['p50_ms']:>10}{p['p95_ms']:>10}")
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(res, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"written {args.out}")


if __name__ == "__main__":
    main()
