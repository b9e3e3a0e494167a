"""Benchmark of the reputation watch (not a test). Prints figures and writes bench/results/watch.json.

1. Replay on the real airline tweets (``--preset us_airline_tweets``, the airline as product):
   recall of the labelled cancellation incidents (tests/watch_labels.py builds them from the human
   ``negativereason`` labels, which the detector never reads), false alerts per scope-week, lead
   time before the end of the incident's day, replay speed (voices/s).
2. Viral risk on the airline tweets labelled negative: AUC for "retweeted at least once" of
   viral risk, of reach alone and of sentiment alone. The preset's ``reach`` column is the retweet
   count itself (the label), so it is withheld from every score: the dataset has no audience data,
   and reach alone is then uninformative by construction.
3. The demo: replay speed, and whether the spike week and the angry influencer are alerted.
   Incidents (round 2): on both, the replay's alerts grouped into incidents
   (``escucha.watch.incidents``): alerts vs incidents, incident-level recall, false incidents per
   scope-week and lead time on the airline tweets; the courier week's incidents and quiet-period
   incidents per week on the demo.
4. Live: ``escucha serve`` (uvicorn, in this process) with a webhook channel to a local HTTP
   receiver; each POST /api/v1/feedback carries a voice that a threshold rule alerts on; the time
   from the POST to the receiver getting the webhook, p50/p95.

    .venv/bin/python bench/bench_watch.py [--live-posts 40]
"""

from __future__ import annotations

import argparse
import json
import platform
import socket
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT / "tests")]

import escucha  # noqa: E402
from escucha.watch.incidents import IncidentParams, group  # noqa: E402
from escucha.watch.viral import viral_scores  # noqa: E402
from receivers import webhook_receiver  # noqa: E402
from watch_labels import OTHER_REASONS, incidents, score, score_incidents  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "us_airline_tweets" / "tweets.csv"


def airline(tmp: Path) -> dict[str, Any]:
    ws = escucha.open(tmp / "air")
    t0 = time.perf_counter()
    if not ws.counts()["items"]:
        ws.ingest(DATA, "us_airline_tweets")
    ws.analyze()
    prep = time.perf_counter() - t0
    t0 = time.perf_counter()
    alerts = ws.watch.replay(step="1h")
    replay_s = time.perf_counter() - t0
    voices, obs = ws.watch._frames()
    t0 = time.perf_counter()
    ws.watch.replay(step="1h")  # frames cached: the detector alone
    detect_s = time.perf_counter() - t0
    weeks = (obs["ts"].max() - obs["ts"].min()) / pd.Timedelta(days=7)
    inc = incidents(DATA)
    s = score(alerts, inc, int(obs["scope"].nunique()), float(weeks))
    s.update({"voices": len(voices), "scopes": int(obs["scope"].nunique()), "weeks": round(float(weeks), 2),
              "replay_s": round(replay_s, 2), "replay_voices_per_s": round(len(voices) / replay_s),
              "detector_only_s": round(detect_s, 2), "ingest_and_analyse_s": round(prep, 1),
              "incident_list": [{"airline": r.airline, "day": r.day.date().isoformat(), "count": r.count,
                                 "baseline": r.baseline} for r in inc.itertuples()]})  # fmt: skip
    s["other_reasons"] = {}  # the same detector against incident lists of other labelled reasons
    for reason, aspect in OTHER_REASONS.items():
        other = incidents(DATA, reason=reason)
        o = score(alerts, other, int(obs["scope"].nunique()), float(weeks), aspect=aspect)
        s["other_reasons"][reason] = {"incidents": o["incidents"], "recall_strict": round(o["recall_strict"], 2),
                                      "recall_airline": round(o["recall_airline"], 2)}  # fmt: skip
    s["incidents"] = incident_figures(alerts, inc, int(obs["scope"].nunique()), float(weeks))
    s["viral_auc"] = viral_auc(voices)
    s["scaled_10x"] = scaled(ws, 10)
    return s


def incident_figures(alerts: list[dict[str, Any]], inc: pd.DataFrame, n_scopes: int, weeks: float) -> dict[str, Any]:
    """The replay's alerts grouped with the default settings, and two variants for comparison."""
    out: dict[str, Any] = {}
    variants = {"default": IncidentParams(), "no_separate": IncidentParams(separate=()),
                "no_evidence_links": IncidentParams(min_shared=0), "gap_0h": IncidentParams(gap=pd.Timedelta(0))}
    for name, params in variants.items():
        t0 = time.perf_counter()
        found = group(alerts, params)
        dt = time.perf_counter() - t0
        s = score_incidents(found, alerts, inc, n_scopes, weeks)
        s["group_ms"] = round(dt * 1000, 1)
        s["recall_strict"], s["recall_airline"] = round(s["recall_strict"], 3), round(s["recall_airline"], 3)
        s["false_per_scope_week"] = round(s["false_per_scope_week"], 4)
        out[name] = s
    out["list"] = [{"id": i["id"], "alerts": len(i["alert_ids"]), "window": [i["window_start"][:10], i["window_end"][:10]],
                    "title": i["title"], "kinds": i["kinds"]} for i in group(alerts)]  # fmt: skip
    return out


def scaled(ws: Any, copies: int) -> dict[str, Any]:
    """The airline tweets repeated ``copies`` times, each copy eight days later (in memory: the
    observations and the detector, without the store read)."""
    from escucha.watch import frame
    from escucha.watch.replay import detect

    v, a = frame.load_voices(ws.store), frame.load_aspects(ws.store)
    vs = [v.assign(id=v["id"].astype(str) + f"#{i}", ts=v["ts"] + pd.Timedelta(days=8 * i)) for i in range(copies)]
    asp = [a.assign(item_id=a["item_id"].astype(str) + f"#{i}") for i in range(copies)]
    big_v, big_a = pd.concat(vs, ignore_index=True), pd.concat(asp, ignore_index=True)
    t0 = time.perf_counter()
    obs = frame.observations(big_v, big_a, min_support=10)
    t1 = time.perf_counter()
    alerts = detect(obs, "1h")
    t2 = time.perf_counter()
    return {"voices": len(big_v), "observations": len(obs), "observations_s": round(t1 - t0, 2),
            "detector_s": round(t2 - t1, 2), "voices_per_s": round(len(big_v) / (t2 - t0)), "alerts": len(alerts)}


def viral_auc(voices: pd.DataFrame) -> dict[str, Any]:
    from sklearn.metrics import roc_auc_score

    labels = pd.read_csv(DATA, usecols=["tweet_id", "airline_sentiment", "retweet_count"])
    labels["key"] = labels["tweet_id"].astype(str)
    v = voices.assign(key=voices["id"].astype(str).str.rsplit(":", n=1).str[-1]).merge(labels, on="key", how="inner")
    v = v[v["airline_sentiment"] == "negative"].reset_index(drop=True)
    y = (v["retweet_count"] > 0).astype(int).to_numpy()
    s = viral_scores(v, use_reach=False)  # reach = retweet_count in this preset: withheld
    out = {"negative_tweets": len(v), "retweeted": int(y.sum())}
    for name, x in (("viral_risk", s["viral_risk"]), ("reach_only", s["reach"]),
                    ("sentiment_only", -pd.to_numeric(v["sentiment_score"], errors="coerce").fillna(0)),
                    ("intensity_only", s["intensity"]), ("threat_only", s["threat"])):  # fmt: skip
        out[name] = round(float(roc_auc_score(y, np.asarray(x, dtype=float))), 3)
    return out


def demo(tmp: Path) -> dict[str, Any]:
    from rich.console import Console

    from escucha.demo.build import build_demo
    from escucha.demo.generator import stories

    ws = escucha.open(tmp / "demo") if (tmp / "demo" / "escucha.duckdb").exists() else \
        build_demo(tmp / "demo", console=Console(file=open("/dev/null", "w")))[0]  # noqa: SIM115
    t0 = time.perf_counter()
    alerts = ws.watch.replay(step="1h")
    dt = time.perf_counter() - t0
    voices, _ = ws.watch._frames()
    truth = {s["id"]: s for s in stories()}
    c = truth["courier_collapse"]
    week = [a for a in alerts if c["start"] <= a["window_start"][:10] <= c["end"]]
    viral = [a for a in alerts if a["kind"] == "viral"]
    # quiet periods: days outside the stories' weeks (the collapse week, the campaign's first week,
    # the viral day and the day after)
    b = truth["broken_promise_24h"]
    busy = set(pd.date_range(c["start"], c["end"]).date) | set(pd.date_range(b["start"], periods=7).date)
    vd = pd.Timestamp(truth["viral_influencer"]["date"])
    busy |= {vd.date(), (vd + pd.Timedelta(days=1)).date()}
    _, obs = ws.watch._frames()
    days = pd.to_datetime(obs["ts"]).dt.date
    quiet_days = set(days) - busy
    anomalies = [a for a in alerts if a["kind"] in ("volume", "topic", "negativity")]
    quiet = [a for a in anomalies if pd.Timestamp(a["window_start"]).date() in quiet_days]
    scope_weeks = obs["scope"].nunique() * len(quiet_days) / 7
    found = group(alerts)
    by_id = {a["id"]: a for a in alerts}
    week_start, week_end = pd.Timestamp(c["start"]), pd.Timestamp(c["end"]) + pd.Timedelta(days=1)
    in_week = [i for i in found if pd.Timestamp(i["window_start"]) < week_end and pd.Timestamp(i["window_end"]) > week_start]
    quiet_inc = [i for i in found if all(pd.Timestamp(by_id[x]["window_start"]).date() in quiet_days for x in i["alert_ids"])
                 and any(by_id[x]["kind"] in ("volume", "topic", "negativity") for x in i["alert_ids"])]  # fmt: skip
    incidents_fig = {"alerts": len(alerts), "incidents": len(found),
                     "courier_week_alerts": len(week), "courier_week_incidents": len(in_week),
                     "courier_week": [{"title": i["title"], "alerts": len(i["alert_ids"]), "kinds": i["kinds"],
                                       "scopes": i["scopes"]} for i in in_week],
                     "viral_day_incident": [{"alerts": len(i["alert_ids"]), "scopes": i["scopes"]} for i in found
                                            if {"voice": "lumen_social:P000001"} in i["scopes"]],
                     "quiet_incidents": len(quiet_inc),
                     "quiet_incidents_per_week": round(len(quiet_inc) / (len(quiet_days) / 7), 2)}  # fmt: skip
    return {
        "incidents": incidents_fig,"quiet_days": len(quiet_days), "quiet_alerts": len(quiet),
            "quiet_false_alarms_per_scope_week": round(len(quiet) / scope_weeks, 4),
            "quiet_false_alarms_per_week": round(len(quiet) / (len(quiet_days) / 7), 2),"voices": len(voices), "alerts": len(alerts), "replay_s": round(dt, 2),
            "replay_voices_per_s": round(len(voices) / dt),
            "spike_week_alerts": [a["summary"] for a in week],
            "influencer_alerted": any(a["scope"] == {"voice": "lumen_social:P000001"} for a in viral),
            "watchlist_top": ws.watch.watchlist(1)[0]["item_id"]}  # fmt: skip


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def live(tmp: Path, posts: int, seed: int) -> dict[str, Any]:
    import httpx
    import uvicorn

    from escucha.http import auth
    from escucha.server import create_app

    ws = escucha.open(tmp / "live")
    base = pd.read_csv(DATA).head(seed)
    ws.ingest(base, "us_airline_tweets", source_name="seed")
    ws.analyze()
    rules = [{"id": f"p{i}", "kind": "threshold", "scope": {"product": f"P{i}"}, "min": 1} for i in range(posts)]
    ws.layout.alerts.write_text(yaml.safe_dump({"rules": rules}), encoding="utf-8")
    with webhook_receiver() as hook:
        ws.layout.notify.write_text(yaml.safe_dump({"channels": {"ops": {"type": "webhook", "url": hook.url}},
                                                    "cooldown_s": 0}), encoding="utf-8")  # fmt: skip
        _, token = auth.create_token(ws, "bench", "agent")
        port = _free_port()
        server = uvicorn.Server(uvicorn.Config(create_app(ws, secure_cookies=False), host="127.0.0.1", port=port,
                                               log_level="warning"))  # fmt: skip
        threading.Thread(target=server.run, daemon=True).start()
        while not server.started:
            time.sleep(0.05)
        lat = []
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers={"authorization": f"Bearer {token}"}) as c:
            for i in range(posts):
                voice = {"id": f"live{i}", "channel": "social", "product": f"P{i}", "customer_id": f"u{i}",
                         "timestamp": f"2015-02-24T12:{i % 60:02d}:00Z",
                         "text": "@united cancelled my flight again, nobody answers, this is a disgrace"}  # fmt: skip
                before = len(hook.bodies)
                t0 = time.perf_counter()
                r = c.post("/api/v1/feedback", json=voice)
                r.raise_for_status()
                while len(hook.bodies) <= before and time.perf_counter() - t0 < 30:
                    time.sleep(0.002)
                lat.append(time.perf_counter() - t0)
        server.should_exit = True
    lat_ms = sorted(x * 1000 for x in lat)
    return {"posts": posts, "stored_voices": seed + posts, "delivered": len(hook.bodies),
            "p50_ms": round(statistics.median(lat_ms), 1), "p95_ms": round(lat_ms[int(0.95 * (len(lat_ms) - 1))], 1)}


def regroup(tmp: Path, n: int, repeats: int = 5) -> dict[str, Any]:
    """A live evaluation's regrouping with ``n`` stored alerts (synthetic storms of five alerts of
    one product over one or two days; two years, 50 products, 20 aspects): every stored alert
    (before) vs only what a new alert can change (after)."""
    rng = np.random.default_rng(7)
    ws = escucha.open(tmp / "regroup")
    start, days = pd.Timestamp("2023-01-01"), 730

    def alert(i: int, day: int, product: int) -> dict[str, Any]:
        w = start + pd.Timedelta(days=day)
        return {"id": f"al-{i:08x}", "kind": "topic", "scope": {"product": f"P{product}", "aspect": f"A{rng.integers(20)}"},
                "window_start": w.isoformat(), "window_end": (w + pd.Timedelta(days=1)).isoformat(),
                "detected_at": (w + pd.Timedelta(hours=int(rng.integers(24)))).isoformat(),
                "score": float(rng.uniform(2, 6)), "summary": "", "count": 20, "expected": 5.0,
                "evidence": [f"v{rng.integers(10 * n)}" for _ in range(5)], "facts": {"by": "12:00", "ratio": 4.0}}  # fmt: skip

    stored = []
    for e in range(n // 5):
        day, product = int(rng.integers(days - 2)), int(rng.integers(50))
        stored += [alert(5 * e + k, day + int(rng.integers(2)), product) for k in range(5)]
    ws.watch.book.merge(stored)
    params = IncidentParams()
    t0 = time.perf_counter()
    ws.watch.incident_book.sync(params)
    first = time.perf_counter() - t0
    times: dict[str, list[float]] = {"every_alert": [], "touched_only": []}
    for r in range(repeats):
        for j, how in enumerate(times):
            new = [alert(n + 2 * r + j, days - 1, int(rng.integers(50)))]
            ws.watch.book.merge(new)
            t0 = time.perf_counter()
            ws.watch.incident_book.sync(params, recent=None if how == "every_alert" else new)
            times[how].append(time.perf_counter() - t0)
    return {"stored_alerts": len(stored), "incidents": len(ws.watch.incident_book.all()),
            "first_grouping_s": round(first, 2),
            **{f"{k}_median_ms": round(1000 * statistics.median(v), 1) for k, v in times.items()}}  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--live-posts", type=int, default=40)
    ap.add_argument("--live-seed", type=int, default=2000, help="voices stored before the live posts")
    ap.add_argument("--keep", type=Path, help="keep (and reuse) the airline and demo workspaces in this folder")
    ap.add_argument("--regroup", type=int, default=20000, help="stored alerts for the regrouping figure")
    ap.add_argument("--only-regroup", action="store_true", help="only the regrouping figure (kept with the others)")
    args = ap.parse_args()
    dest = ROOT / "bench" / "results" / "watch.json"
    if args.only_regroup:
        out = json.loads(dest.read_text(encoding="utf-8")) if dest.exists() else {}
        with tempfile.TemporaryDirectory(prefix="escucha-bench-watch-") as d:
            out["regroup"] = regroup(Path(d), args.regroup)
        print(json.dumps(out["regroup"], indent=2))
        dest.write_text(json.dumps(out, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        return
    out: dict[str, Any] = {"machine": {"python": platform.python_version(), "cpu": platform.processor() or "?"}}
    with tempfile.TemporaryDirectory(prefix="escucha-bench-watch-") as d:
        tmp = Path(d)
        keep = args.keep or tmp
        out["airline"] = airline(keep)
        print(json.dumps({k: v for k, v in out["airline"].items() if k != "incident_list"}, indent=2))
        out["demo"] = demo(keep)
        print(json.dumps(out["demo"], indent=2, ensure_ascii=False))
        out["live"] = live(tmp, args.live_posts, args.live_seed)
        print(json.dumps(out["live"], indent=2))
        out["regroup"] = regroup(tmp, args.regroup)
        print(json.dumps(out["regroup"], indent=2))
    dest.write_text(json.dumps(out, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {dest}")


if __name__ == "__main__":
    main()
