"""Bounded loopback load test of survey submissions (not a test).

Builds a small workspace with ``--responses`` customers invited to one survey (NPS + an open
question), starts ``escucha serve`` on 127.0.0.1 and a free port in a subprocess, and has
``--clients`` concurrent httpx clients (each its own cookie jar: a browser) answer the invitations
the way a customer does: GET the link, POST the first step (score and a Spanish or English
comment: stored through ingest and analysed at once, the adaptive follow-up chosen from it), POST
the second step (the follow-up answer: stored and analysed again). Every loop is bounded in count
and time; traffic goes only to loopback. All clients share one IP, so the workspace raises
``public_rate_limit`` and turns the time-trap off (``public_min_form_s: 0``) for the run.

Any non-200 answer, a missing follow-up or thank-you page, or a result count that does not match
is an error; the run fails unless there are 0 errors. Prints throughput and p50/p95 latencies and
writes bench/results/surveys.json.

    .venv/bin/python bench/bench_surveys.py --responses 200 --clients 8
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import socket
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
from escucha.http import auth

HERE = Path(__file__).resolve().parent
ANSWERS = [
    ("3", "El pedido llegó tres días tarde y nadie nos avisó del retraso."),
    ("9", "Muy buena atención en la tienda, la dependienta fue muy amable."),
    ("5", "La factura venía con un cargo duplicado y tardaron en devolverlo."),
    ("10", "Great service, the delivery arrived early and the courier was friendly."),
    ("2", "Estoy harto: tercera vez que falla la entrega. Me voy a la competencia."),
    ("7", "La app se cuelga al pagar; ojalá se pudiera pagar con Bizum."),
]
TOKEN = re.compile(r'name="form_token" value="([^"]+)"')


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def pct(xs: list[float], q: float) -> float:
    if not xs:
        return float("nan")
    xs = sorted(xs)
    return xs[min(len(xs) - 1, round(q * (len(xs) - 1)))]


def build(path: Path, n: int) -> tuple[str, list[str], str]:
    """A workspace with ``n`` invited customers; returns the survey id, the link paths and an API token."""
    if path.exists():
        shutil.rmtree(path)
    path.mkdir(parents=True)
    (path / "escucha.yaml").write_text("public_min_form_s: 0\npublic_rate_limit: 1000000\n", encoding="utf-8")
    ws = escucha.open(path)
    ws.add([{"id": "seed-1", "text": "Todo bien, gracias.", "channel": "review"}])
    ws.analyze()  # loads the pipeline once, as a running server would have
    ws.add_customers([{"id": f"b{i:05d}", "attributes": {"segment": "bench"}} for i in range(n)])
    survey = ws.surveys.create({"name": "Bench", "questions": [{"kind": "nps"}, {"id": "why", "kind": "open"}]})
    out = ws.surveys.invite(survey.id, [f"b{i:05d}" for i in range(n)])
    assert len(out["invited"]) == n, out["refused"][:3]
    _, token = auth.create_token(ws, "bench", "analyst")
    return survey.id, ["/s/" + i["link"].rsplit("/s/", 1)[1] for i in out["invited"]], token


def answer(client: httpx.Client, path: str, k: int) -> tuple[float, float, float, str | None]:
    """One customer's submission: (page s, first step s, second step s, error or None)."""
    nps, text = ANSWERS[k % len(ANSWERS)]
    t0 = time.perf_counter()
    page = client.get(path)
    t1 = time.perf_counter()
    if page.status_code != 200 or not (m := TOKEN.search(page.text)):
        return t1 - t0, 0.0, 0.0, f"page {page.status_code}"
    r = client.post(path, data={"form_token": m.group(1), "website": "", "nps": nps, "why": text})
    t2 = time.perf_counter()
    if r.status_code != 200 or 'id="adaptive"' not in r.text or not (m := TOKEN.search(r.text)):
        return t1 - t0, t2 - t1, 0.0, f"step 1 {r.status_code}"
    r = client.post(path, data={"form_token": m.group(1), "website": "", "follow_up": "Gracias por preguntar."})
    t3 = time.perf_counter()
    if r.status_code != 200 or 'id="survey-thanks"' not in r.text:
        return t1 - t0, t2 - t1, t3 - t2, f"step 2 {r.status_code}"
    return t1 - t0, t2 - t1, t3 - t2, None


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--responses", type=int, default=200, help="Survey submissions (one per invited customer)")
    ap.add_argument("--clients", type=int, default=8, help="Concurrent clients")
    ap.add_argument("--time-limit", type=float, default=300.0, help="Stop starting submissions after this many seconds")
    ap.add_argument("--workspace", type=Path, default=Path(tempfile.gettempdir()) / "escucha-bench-surveys")
    ap.add_argument("--out", type=Path, default=HERE / "results" / "surveys.json")
    args = ap.parse_args()

    load_before = os.getloadavg()[0]  # other work on the machine slows every figure
    t0 = time.perf_counter()
    survey_id, paths, token = build(args.workspace, args.responses)
    log(f"workspace with {len(paths)} invitations built in {time.perf_counter() - t0:.1f}s")
    port = free_port()
    exe = Path(sys.executable).parent / "escucha"
    env = {**os.environ, "ESCUCHA_LOG_LEVEL": "WARNING"}
    log_path = args.workspace.parent / "escucha-bench-surveys-server.log"
    with log_path.open("w") as log_file:
        server = subprocess.Popen([str(exe), "--workspace", str(args.workspace), "serve", "--host", "127.0.0.1",
                                   "--port", str(port)], stdout=subprocess.DEVNULL, stderr=log_file, env=env)  # fmt: skip
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 120
            while True:
                try:
                    if httpx.get(f"{base}/health", timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"server did not start; see {log_path}")
                time.sleep(0.2)
            out = run(base, paths, args, survey_id, token)
        finally:
            server.terminate()
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
    out.update(machine={"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform(),
                        "load_average_before": round(load_before, 2)},
               command=f"python bench/bench_surveys.py --responses {args.responses} --clients {args.clients}")  # fmt: skip
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(out, indent=2) + "\n", encoding="utf-8")
    print(json.dumps({k: out[k] for k in ("submissions", "errors", "submissions_per_s", "latency_ms")}, indent=2))
    if out["errors"]:
        sys.exit(f"{out['errors']} errors: {out['error_samples']}")


def run(base: str, paths: list[str], args: Any, survey_id: str, token: str) -> dict[str, Any]:
    lock = threading.Lock()
    stats: dict[str, list[float]] = {"page": [], "step1": [], "step2": [], "submission": []}
    errors: list[str] = []
    started = time.monotonic()

    def one(k: int) -> None:
        if time.monotonic() - started > args.time_limit:
            return
        # a fresh browser (cookie jar) per customer; connections are not reused across customers
        with httpx.Client(base_url=base, timeout=120) as c:
            try:
                page, s1, s2, err = answer(c, paths[k], k)
            except httpx.HTTPError as exc:
                page, s1, s2, err = 0.0, 0.0, 0.0, type(exc).__name__
        with lock:
            if err:
                errors.append(err)
            else:
                stats["page"].append(page)
                stats["step1"].append(s1)
                stats["step2"].append(s2)
                stats["submission"].append(page + s1 + s2)

    t0 = time.perf_counter()
    with ThreadPoolExecutor(max_workers=args.clients) as pool:
        list(pool.map(one, range(len(paths))))
    wall = time.perf_counter() - t0
    done = len(stats["submission"])
    res = httpx.get(f"{base}/api/v1/surveys/{survey_id}/results", headers={"Authorization": f"Bearer {token}"},
                    timeout=60).json()  # fmt: skip
    if res["completed"] != done:
        errors.append(f"results say {res['completed']} completed, clients saw {done}")
    voices = httpx.get(f"{base}/api/v1/feedback", params={"channel": "survey", "limit": 1},
                       headers={"Authorization": f"Bearer {token}"}, timeout=60).json()["total"]  # fmt: skip
    if voices != done:
        errors.append(f"{voices} survey voices stored, {done} submissions")
    ms = {k: {"p50": round(1000 * pct(v, 0.5), 1), "p95": round(1000 * pct(v, 0.95), 1)} for k, v in stats.items()}
    return {
        "what": "survey submissions on a real escucha serve (uvicorn) over loopback: GET the link, POST step 1 "
                "(ingest + analysis + adaptive follow-up), POST step 2 (update + re-analysis)",
        "submissions": done, "attempted": done + len(errors), "clients": args.clients, "errors": len(errors),
        "error_samples": errors[:5], "wall_s": round(wall, 2), "submissions_per_s": round(done / wall, 2),
        "http_requests_per_s": round(3 * done / wall, 2), "latency_ms": ms,
        "results_check": {"completed": res["completed"], "survey_voices": voices,
                          "nps": res.get("nps", {}).get("value")},
    }  # fmt: skip


if __name__ == "__main__":
    main()
