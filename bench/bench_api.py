"""Load benchmark of the REST API and dashboard on a large workspace (not a test).

Builds (or reuses) a workspace of ``--items`` voices: the analysed demo workspace is built once
through the real pipeline (``escucha.demo.build.build_demo``, ~6k voices), then its items, analyses,
sentences and item aspects are replicated inside DuckDB (``INSERT … SELECT``) with new ids (suffix
``#rK``) and shifted timestamps. The replicas' analyses are COPIED, not recomputed: this measures the
server on 1M stored voices, not the pipeline. Then it starts ``escucha serve`` on 127.0.0.1 and a
free port in a subprocess, logs a dashboard user in, and measures with httpx (every loop bounded
in count and time; traffic only to loopback):

- ingest: requests/s of POST /api/v1/feedback batches (Bearer token), several client threads;
- snapshot page ``/``: first load (may compute) and then p50/p95 (cached);
- explorer page, GET /api/v1/feedback and GET /api/v1/metrics?by=channel: first load, p50/p95.

Writes bench/results/api.json.

    .venv/bin/python bench/bench_api.py --items 1000000
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import secrets
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

import duckdb
import httpx

import escucha
from escucha.http import auth

HERE = Path(__file__).resolve().parent
SCRATCH = Path(tempfile.gettempdir()) / "escucha-bench-api"
HALF_YEAR_DAYS = 182  # 26 weeks: replicas keep their weekday


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


# -- workspace by replication (bench-only: the store has no bulk-copy API) --------------------
def build_base(path: Path) -> Path:
    """The analysed demo workspace (~6k voices through the real pipeline), built once."""
    from escucha.demo.build import build_demo

    if not (path / "escucha.duckdb").exists() or escucha.open(path).counts()["analysed"] == 0:
        t0 = time.perf_counter()
        build_demo(path, n=6000, seed=7, console=None)
        log(f"demo workspace built and analysed in {time.perf_counter() - t0:.0f}s")
    return path


def replicate(base: Path, dest: Path, items: int, spread: int = 4, threads: int = 2) -> dict[str, Any]:
    """Copy ``base`` to ``dest`` and replicate its voices and analyses up to ``items`` voices.

    Replica ``k`` gets ids ``<id>#r<k>`` (also thread/parent ids) and its timestamps shifted by
    ``(k % spread) * 26 weeks + k minutes``: the data covers ``spread`` half-years at ~1/spread of
    the replicas each. Analyses, sentences and aspects are copied with the new ids (not recomputed).
    """
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(base, dest, ignore=shutil.ignore_patterns("data", "*.wal", "*.tmp"))
    t0 = time.perf_counter()
    con = duckdb.connect(str(dest / "escucha.duckdb"))
    try:
        con.execute(f"SET threads = {int(threads)}")
        n_base = int(con.execute("SELECT count(*) FROM items").fetchone()[0])  # type: ignore[index]
        copies = max(0, -(-items // n_base) - 1)
        for name in ("items", "analyses", "sentences", "item_aspects"):
            con.execute(f"CREATE TEMP TABLE base_{name} AS SELECT * FROM {name}")
        shift = f"(INTERVAL {HALF_YEAR_DAYS} DAY * (k % {spread}) + INTERVAL 1 MINUTE * k)"
        rid = "|| '#r' || k"
        item_cols = [r[0] for r in con.execute("DESCRIBE items").fetchall()]
        sel = {c: f"b.{c}" for c in item_cols}
        sel.update(id=f"b.id {rid}", ts=f"b.ts + {shift}", thread_id=f"b.thread_id {rid}",
                   parent_id=f"b.parent_id {rid}")  # fmt: skip
        step = 20
        for lo in range(1, copies + 1, step):
            hi = min(copies, lo + step - 1)
            rng = f"range({lo}, {hi + 1}) r(k)"
            con.execute("BEGIN")
            con.execute(f"INSERT INTO items SELECT {', '.join(sel[c] for c in item_cols)} "
                        f"FROM base_items b, {rng}")  # fmt: skip
            for name, key in (("analyses", "item_id"), ("sentences", "item_id"), ("item_aspects", "item_id")):
                cols = [r[0] for r in con.execute(f"DESCRIBE {name}").fetchall()]
                exprs = ", ".join(f"b.{c} {rid}" if c == key else f"b.{c}" for c in cols)
                con.execute(f"INSERT INTO {name} SELECT {exprs} FROM base_{name} b, {rng}")
            con.execute("COMMIT")
            log(f"  replicas {hi}/{copies} ({(hi + 1) * n_base:,} voices)")
        # trim to exactly ``items`` voices (drop the newest replica's surplus)
        surplus = (copies + 1) * n_base - items
        if surplus > 0:
            con.execute("BEGIN")
            con.execute(f"CREATE TEMP TABLE gone AS SELECT id FROM items WHERE id LIKE '%#r{copies}' "
                        f"ORDER BY id LIMIT {surplus}")  # fmt: skip
            for name, key in (("sentences", "item_id"), ("item_aspects", "item_id"), ("analyses", "item_id"),
                              ("items", "id")):  # fmt: skip
                con.execute(f"DELETE FROM {name} WHERE {key} IN (SELECT id FROM gone)")
            con.execute("COMMIT")
        con.execute("CHECKPOINT")
        counts = {n: int(con.execute(f"SELECT count(*) FROM {n}").fetchone()[0])  # type: ignore[index]
                  for n in ("items", "analyses", "sentences", "item_aspects")}  # fmt: skip
        span = con.execute("SELECT min(ts)::DATE::VARCHAR, max(ts)::DATE::VARCHAR FROM items").fetchone()
    finally:
        con.close()
    secs = time.perf_counter() - t0
    log(f"replicated {n_base:,} analysed voices to {counts['items']:,} in {secs:.0f}s")
    return {"base_voices": n_base, "replicas": copies + 1, "seconds": round(secs, 1), "counts": counts,
            "time_span": list(span or []), "db_mb": round((dest / "escucha.duckdb").stat().st_size / 2**20),
            "how": "demo voices analysed once by the pipeline, then items/analyses/sentences/item_aspects "
                   "replicated in DuckDB with new ids and shifted timestamps: analyses were replicated, "
                   "not recomputed"}  # fmt: skip


# -- load generation ---------------------------------------------------------------------------
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


def login(client: httpx.Client, username: str, password: str) -> None:
    """Log in through the dashboard's form (CSRF login token + session cookie)."""
    page = client.get("/login")
    m = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    if not m:
        raise RuntimeError("no login token in /login")
    r = client.post("/login", data={"username": username, "password": password, "csrf_token": m.group(1),
                                    "next": "/"}, follow_redirects=False)  # fmt: skip
    if r.status_code != 303 or not client.cookies:
        raise RuntimeError(f"login failed: HTTP {r.status_code}")


def measure_get(client: httpx.Client, url: str, n: int, time_limit: float, threads: int) -> dict[str, Any]:
    """First load, then up to ``n`` requests (or ``time_limit`` seconds) with ``threads`` clients."""
    first, code = timed(client, "GET", url)
    xs: list[float] = []
    codes: dict[int, int] = {}
    lock = threading.Lock()
    stop_at = time.monotonic() + time_limit

    def get(_: int) -> None:
        if time.monotonic() <= stop_at:
            dt, c = timed(client, "GET", url)
            with lock:
                xs.append(dt)
                codes[c] = codes.get(c, 0) + 1

    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(get, range(n)))
    return {"url": url, "first_status": code, "first_ms": round(1000 * first, 1), "requests": len(xs),
            "status": codes, "concurrency": threads, "p50_ms": round(1000 * pct(xs, 0.5), 1),
            "p95_ms": round(1000 * pct(xs, 0.95), 1),
            "mean_ms": round(1000 * statistics.fmean(xs), 1) if xs else None}  # fmt: skip


def measure_ingest(client: httpx.Client, args: argparse.Namespace) -> dict[str, Any]:
    stop_at = time.monotonic() + args.time_limit
    lat: list[float] = []
    codes: dict[int, int] = {}
    lock = threading.Lock()
    run_id = secrets.token_hex(3)
    when = args.ingest_timestamp  # inside the data's newest week: the snapshot window stays put

    def post(i: int) -> None:
        if time.monotonic() > stop_at:
            return
        batch = [{"id": f"bench-{run_id}-{i}-{j}", "channel": "survey", "nps": (i + j) % 11, "timestamp": when,
                  "text": f"Encuesta {i}-{j}: el envío llegó tarde y el soporte no respondió"}
                 for j in range(args.batch)]  # fmt: skip
        dt, code = timed(client, "POST", "/api/v1/feedback", json=batch)
        with lock:
            lat.append(dt)
            codes[code] = codes.get(code, 0) + 1

    t = time.perf_counter()
    with ThreadPoolExecutor(args.threads) as pool:
        list(pool.map(post, range(args.ingest_requests)))
    wall = time.perf_counter() - t
    ok = codes.get(201, 0)
    return {"requests": len(lat), "status": codes, "batch": args.batch, "threads": args.threads,
            "seconds": round(wall, 2), "requests_per_s": round(len(lat) / wall, 2),
            "voices_per_s": round(ok * args.batch / wall, 0),
            "p50_ms": round(1000 * pct(lat, 0.5), 1), "p95_ms": round(1000 * pct(lat, 0.95), 1)}  # fmt: skip


def run(args: argparse.Namespace) -> dict[str, Any]:
    scratch = Path(args.scratch)
    ws_path = scratch / f"ws-{args.items}"
    info = scratch / f"ws-{args.items}.build.json"
    if args.fresh or not (ws_path / "escucha.duckdb").exists():
        base = build_base(scratch / "base")
        built = replicate(base, ws_path, args.items, spread=args.spread)
        info.write_text(json.dumps(built), encoding="utf-8")
    else:
        built = {**(json.loads(info.read_text(encoding="utf-8")) if info.exists() else {}), "reused": True}
    ws = escucha.open(ws_path)
    before = ws.counts()
    con = duckdb.connect(str(ws_path / "escucha.duckdb"), read_only=True)
    try:
        newest = con.execute("SELECT max(ts) FROM items WHERE id NOT LIKE 'bench-%'").fetchone()[0]  # type: ignore[index]
    finally:
        con.close()
    args.ingest_timestamp = newest.isoformat() + "Z" if newest else None
    password = secrets.token_urlsafe(16)
    auth.add_user(ws, "bench", password, role="analyst", language="en", replace=True)
    _, token = auth.create_token(ws, f"bench-{secrets.token_hex(3)}", "analyst")
    port = free_port()
    exe = Path(sys.executable).parent / "escucha"
    env = {**os.environ, "ESCUCHA_LOG_LEVEL": "WARNING"}
    log_path = scratch / "server.log"
    log_file = log_path.open("w")
    server = subprocess.Popen([str(exe), "--workspace", str(ws_path), "serve", "--host", "127.0.0.1",
                               "--port", str(port)], stdout=subprocess.DEVNULL, stderr=log_file, env=env)  # fmt: skip
    base_url = f"http://127.0.0.1:{port}"
    out: dict[str, Any] = {}
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(f"{base_url}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"server did not start; see {log_path}")
            time.sleep(0.2)
        limits = httpx.Limits(max_connections=max(args.threads, args.page_threads) * 2)
        kw: dict[str, Any] = {"base_url": base_url, "timeout": 300, "limits": limits}
        with httpx.Client(**kw) as web, httpx.Client(headers={"Authorization": f"Bearer {token}"}, **kw) as api:
            login(web, "bench", password)
            n, tl, th = args.page_requests, args.time_limit, args.page_threads
            out["snapshot"] = measure_get(web, "/", n, tl, th)
            log(f"snapshot: {out['snapshot']}")
            out["explore"] = measure_get(web, "/explore?sentiment=negative", n, tl, th)
            log(f"explore: {out['explore']}")
            out["api_feedback"] = measure_get(api, "/api/v1/feedback?limit=50&channel=chat", n, tl, th)
            log(f"api_feedback: {out['api_feedback']}")
            out["api_metrics_by_channel"] = measure_get(api, "/api/v1/metrics?by=channel", n, tl, th)
            log(f"api_metrics: {out['api_metrics_by_channel']}")
            out["ingest"] = measure_ingest(api, args)
            log(f"ingest: {out['ingest']}")
            # the ingest changed the store's counts: the stale snapshot is served while it rebuilds
            out["snapshot_after_ingest"] = measure_get(web, "/", min(n, 10), tl, th)
            log(f"snapshot after ingest: {out['snapshot_after_ingest']}")
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        log_file.close()
    return {
        "items_target": args.items, "items_in_store_before": before["items"], "analysed_before": before["analysed"],
        "aspects_before": before["aspects"], "sentences_before": before["sentences"],
        "items_in_store_after": escucha.open(ws_path).counts()["items"], "workspace": built, **out,
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform(),
                    "duckdb": duckdb.__version__},
        "command": f"python bench/bench_api.py --items {args.items}" + (" --fresh" if args.fresh else ""),
        "note": ("analyses were replicated, not recomputed (demo voices analysed once, then copied with new ids "
                 "and shifted timestamps); server and load generator share a 2-core machine; pages run with "
                 f"{args.page_threads} client(s), ingest with {args.threads}; the snapshot is cached until the "
                 "store's counts change, then served stale while one background thread rebuilds it; "
                 "escucha serve warms it at start"),
    }  # fmt: skip


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--items", type=int, default=1_000_000, help="voices in the workspace")
    p.add_argument("--scratch", default=str(SCRATCH), help="where the workspaces live (not the repo)")
    p.add_argument("--fresh", action="store_true", help="rebuild the replicated workspace")
    p.add_argument("--spread", type=int, default=4, help="half-years the replicas are spread over")
    p.add_argument("--threads", type=int, default=4, help="client threads for ingest")
    p.add_argument("--page-threads", type=int, default=1, help="client threads for the GET phases")
    p.add_argument("--batch", type=int, default=50, help="voices per ingest request")
    p.add_argument("--ingest-requests", type=int, default=200)
    p.add_argument("--page-requests", type=int, default=40)
    p.add_argument("--time-limit", type=float, default=60.0, help="seconds per phase at most")
    p.add_argument("--out", default=str(HERE / "results" / "api.json"))
    args = p.parse_args()
    result = run(args)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, indent=2, default=str) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2, default=str))


if __name__ == "__main__":
    main()
