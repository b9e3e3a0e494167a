"""Load benchmark of the REST API and dashboard (not a test).

Builds (or reuses) a workspace of ``--items`` voices by repeating the demo company's voices with new
ids, analyses it, starts ``escucha serve`` on loopback in a subprocess, then measures with httpx
threads (bounded in count and time): ingest requests/s (POST /api/v1/feedback batches), snapshot
page p50/p95 (cold and warm), explorer page and /api/v1/feedback latencies. Writes
bench/results/api.json.

    .venv/bin/python bench/bench_api.py --items 100000
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx

import escucha
from escucha.api import auth

HERE = Path(__file__).resolve().parent
FIELDS = ("channel", "text", "title", "nps", "csat", "ces", "rating", "customer_id", "product", "location",
          "language", "reach", "thread_id", "parent_id")  # fmt: skip


def _clean(v: Any) -> Any:
    try:
        import pandas as pd

        if v is None or (not isinstance(v, list | dict | str) and pd.isna(v)):
            return None
    except (TypeError, ValueError):
        pass
    if hasattr(v, "item"):
        return v.item()
    if hasattr(v, "to_pydatetime"):
        return v.to_pydatetime()
    return v


def base_voices(tmp: Path) -> list[dict[str, Any]]:
    """The demo company's ~6k voices (built once into a scratch workspace)."""
    from escucha.demo.build import build_demo

    ws, _ = build_demo(tmp / "demo", n=6000, seed=7, console=None)
    df = ws.items(limit=None)
    out = []
    for r in df.to_dict("records"):
        rec = {k: _clean(r.get(k)) for k in FIELDS}
        rec["id"] = str(r["id"])
        rec["timestamp"] = _clean(r.get("timestamp"))
        out.append({k: v for k, v in rec.items() if v is not None})
    return out


def build_workspace(path: Path, items: int) -> escucha.Workspace:
    """Fill ``path`` up to ``items`` voices (repeats of the demo voices with new ids) and analyse."""
    ws = escucha.open(path)
    have = ws.counts()["items"]
    if have < items:
        with tempfile.TemporaryDirectory(prefix="escucha-bench-") as tmp:
            base = base_voices(Path(tmp))
        k, batch = have // len(base), []
        added = have
        t0 = time.perf_counter()
        while added < items:
            for v in base:
                if added >= items:
                    break
                batch.append({**v, "id": f"{v['id']}#r{k}"})
                added += 1
                if len(batch) >= 20_000:
                    ws.add(batch)
                    batch = []
                    print(f"  stored {added:,}/{items:,}", file=sys.stderr)
            k += 1
        if batch:
            ws.add(batch)
        print(f"stored {items:,} voices in {time.perf_counter() - t0:.0f}s", file=sys.stderr)
    if ws.pending():
        t0 = time.perf_counter()
        s = ws.analyze(progress=lambda d, t: print(f"  analysed {d:,}/{t:,}", file=sys.stderr) if d % 50_000 < 512 else None)
        print(f"analysed {s.analysed:,} in {time.perf_counter() - t0:.0f}s", file=sys.stderr)
    return ws


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def pct(xs: list[float], q: float) -> float:
    if not xs:
        return float("nan")
    xs = sorted(xs)
    return xs[min(len(xs) - 1, round(q * (len(xs) - 1)))]


def timed(client: httpx.Client, method: str, url: str, **kw: Any) -> tuple[float, int]:
    t = time.perf_counter()
    r = client.request(method, url, **kw)
    return time.perf_counter() - t, r.status_code


def run(args: argparse.Namespace) -> dict[str, Any]:
    ws_path = Path(args.workspace)
    t0 = time.perf_counter()
    ws = build_workspace(ws_path, args.items)
    build_s = time.perf_counter() - t0
    _, token = auth.create_token(ws, "bench", "analyst")
    port = free_port()
    exe = Path(sys.executable).parent / "escucha"
    env = {**os.environ, "ESCUCHA_LOG_LEVEL": "WARNING"}
    log_file = (Path(tempfile.gettempdir()) / "escucha-bench-api-server.log").open("w")
    server = subprocess.Popen([str(exe), "--workspace", str(ws_path), "serve", "--port", str(port)],
                              stdout=subprocess.DEVNULL, stderr=log_file, env=env)  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    out: dict[str, Any] = {}
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("server did not start")
            time.sleep(0.2)
        headers = {"Authorization": f"Bearer {token}"}
        limits = httpx.Limits(max_connections=args.threads * 2)
        with httpx.Client(base_url=base, headers=headers, timeout=120, limits=limits) as c:
            # -- ingest: POST batches from several threads ---------------------------------
            stop_at = time.monotonic() + args.time_limit
            lat: list[float] = []
            codes: dict[int, int] = {}
            lock = threading.Lock()

            def post(i: int) -> None:
                if time.monotonic() > stop_at:
                    return
                batch = [{"id": f"bench-{time.time_ns()}-{i}-{j}", "channel": "survey", "nps": (i + j) % 11,
                          "text": f"Encuesta {i}-{j}: el envío llegó tarde y el soporte no respondió"}
                         for j in range(args.batch)]  # fmt: skip
                dt, code = timed(c, "POST", "/api/v1/feedback", json=batch)
                with lock:
                    lat.append(dt)
                    codes[code] = codes.get(code, 0) + 1

            t = time.perf_counter()
            with ThreadPoolExecutor(args.threads) as pool:
                list(pool.map(post, range(args.ingest_requests)))
            wall = time.perf_counter() - t
            ok = codes.get(201, 0)
            out["ingest"] = {
                "requests": len(lat), "status": codes, "batch": args.batch, "threads": args.threads,
                "seconds": round(wall, 2), "requests_per_s": round(len(lat) / wall, 1),
                "voices_per_s": round(ok * args.batch / wall, 0),
                "p50_ms": round(1000 * pct(lat, 0.5), 1), "p95_ms": round(1000 * pct(lat, 0.95), 1),
            }  # fmt: skip
            # -- pages and list endpoint ---------------------------------------------------
            for name, url in (("snapshot", "/"), ("explore", "/explore?sentiment=negative"),
                              ("api_feedback", "/api/v1/feedback?limit=50&channel=chat")):  # fmt: skip
                cold, code = timed(c, "GET", url)
                xs: list[float] = []
                stop_at = time.monotonic() + args.time_limit
                n = args.page_requests

                def get(_: int, url: str = url, xs: list[float] = xs, stop_at: float = stop_at) -> None:
                    if time.monotonic() <= stop_at:
                        xs.append(timed(c, "GET", url)[0])

                with ThreadPoolExecutor(args.threads) as pool:
                    list(pool.map(get, range(n)))
                out[name] = {"status": code, "cold_ms": round(1000 * cold, 1), "requests": len(xs),
                             "p50_ms": round(1000 * pct(xs, 0.5), 1), "p95_ms": round(1000 * pct(xs, 0.95), 1),
                             "mean_ms": round(1000 * statistics.fmean(xs), 1) if xs else None}  # fmt: skip
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
        log_file.close()
    counts = escucha.open(ws_path).counts()
    return {
        "items_target": args.items, "items_in_store": counts["items"], "analysed": counts["analysed"],
        "build_seconds": round(build_s, 1), **out,
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform()},
        "note": "server and load generator share the machine; snapshot is cached until the store's counts change",
    }  # fmt: skip


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--items", type=int, default=100_000, help="voices in the workspace (1M is the target)")
    p.add_argument("--workspace", default=str(Path(tempfile.gettempdir()) / "escucha-bench-api"))
    p.add_argument("--fresh", action="store_true", help="delete the workspace first")
    p.add_argument("--threads", type=int, default=4)
    p.add_argument("--batch", type=int, default=50, help="voices per ingest request")
    p.add_argument("--ingest-requests", type=int, default=200)
    p.add_argument("--page-requests", type=int, default=60)
    p.add_argument("--time-limit", type=float, default=60.0, help="seconds per phase at most")
    p.add_argument("--out", default=str(HERE / "results" / "api.json"))
    args = p.parse_args()
    if args.fresh and Path(args.workspace).exists():
        shutil.rmtree(args.workspace)
    result = run(args)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, indent=2, default=str) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2, default=str))


if __name__ == "__main__":
    main()
