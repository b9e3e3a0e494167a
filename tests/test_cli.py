"""The CLI as a user runs it: real subprocesses on a real workspace."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

ESCUCHA = [sys.executable, "-m", "escucha"]


def run(*args: str, env: dict | None = None, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run([*ESCUCHA, *args], capture_output=True, text=True, env=env, check=check, timeout=600)


def test_help_lists_the_commands() -> None:
    out = run("--help").stdout
    for cmd in ("init", "ingest", "analyze", "metrics", "report", "demo"):
        assert cmd in out


@pytest.fixture(scope="module")
def survey_ws(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("cli")
    ws = root / "ws"
    data = Path(__file__).parent / "data" / "ingest" / "survey_es.csv"
    run("--workspace", str(ws), "init")
    out = json.loads(run("--workspace", str(ws), "ingest", str(data), "--preset", "survey", "--json").stdout)
    assert out["stored"] > 0 and out["read"] == out["stored"] + out["duplicates"] + out["quarantined"] + out["updated"]
    again = json.loads(run("--workspace", str(ws), "ingest", str(data), "--preset", "survey", "--json").stdout)
    assert again["stored"] == 0
    run("--workspace", str(ws), "analyze")
    return ws


def test_metrics_json_is_a_list_of_rows(survey_ws: Path) -> None:
    rows = json.loads(run("--workspace", str(survey_ws), "metrics", "--by", "channel", "--json").stdout)
    assert isinstance(rows, list) and rows
    assert {"channel", "volume", "nps", "nps_low", "nps_high"} <= set(rows[0])


def test_env_var_names_the_workspace(survey_ws: Path) -> None:
    env = {**os.environ, "ESCUCHA_WORKSPACE": str(survey_ws)}
    rows = json.loads(run("metrics", "--json", env=env).stdout)
    assert rows[0]["volume"] > 0


def test_html_report_is_self_contained(survey_ws: Path, tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    run("--workspace", str(survey_ws), "report", "--html", str(out), "--lang", "en")
    html = out.read_text(encoding="utf-8")
    assert "<svg" in html and "NPS" in html
    assert re.search(r"\d+ voices · \d+ analysed", html)
    run("--workspace", str(survey_ws), "report", "--html", str(out))  # the workspace's language: Spanish
    assert re.search(r"\d+ voces · \d+ analizadas", out.read_text(encoding="utf-8"))
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)  # no external assets


def test_errors_are_clear_and_nonzero(tmp_path: Path) -> None:
    missing = run("--workspace", str(tmp_path / "none"), "metrics", check=False)
    assert missing.returncode == 2 and "no workspace" in missing.stderr
    run("--workspace", str(tmp_path / "w"), "init")
    r = run("--workspace", str(tmp_path / "w"), "metrics", "--by", "colour", check=False)
    assert r.returncode == 2 and "unknown dimension" in r.stderr and "Traceback" not in r.stderr


@pytest.mark.slow
@pytest.mark.shared_data
def test_killed_analysis_resumes_without_duplicates_or_losses(shared_data: Path, tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    run("--workspace", str(ws), "ingest", str(shared_data / "us_airline_tweets" / "tweets.csv"), "--preset", "us_airline_tweets")
    env = {**os.environ, "ESCUCHA_BATCH_SIZE": "200"}
    proc = subprocess.Popen([*ESCUCHA, "--workspace", str(ws), "analyze"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    db = ws / "escucha.duckdb"
    deadline = time.monotonic() + 300
    analysed = 0
    while time.monotonic() < deadline and analysed < 2000:
        time.sleep(0.3)
        try:
            con = duckdb.connect(str(db), read_only=True)
        except duckdb.IOException:
            continue  # the analyser holds the file for a moment
        analysed = con.execute("SELECT count(*) FROM analyses").fetchone()[0]
        con.close()
    proc.send_signal(signal.SIGKILL)
    proc.wait(30)
    con = duckdb.connect(str(db), read_only=True)
    items, partial = con.execute("SELECT (SELECT count(*) FROM items), (SELECT count(*) FROM analyses)").fetchone()
    con.close()
    assert 0 < partial < items  # killed halfway
    run("--workspace", str(ws), "analyze")
    con = duckdb.connect(str(db), read_only=True)
    total, distinct = con.execute("SELECT count(*), count(DISTINCT item_id) FROM analyses").fetchone()
    dup_sentences = con.execute(
        "SELECT count(*) FROM (SELECT item_id, idx FROM sentences GROUP BY ALL HAVING count(*) > 1)"
    ).fetchone()[0]
    missing = con.execute("SELECT count(*) FROM items WHERE id NOT IN (SELECT item_id FROM analyses)").fetchone()[0]
    con.close()
    assert total == distinct == items and dup_sentences == 0 and missing == 0


def test_metrics_table_prints_whole_counts_and_hides_small_employee_groups(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    import escucha
    from escucha.cli import app

    ws = escucha.open(tmp_path / "w")
    ws.add([{"id": f"r{i}", "channel": "review", "text": "Todo bien", "rating": 5} for i in range(277)]
           + [{"id": f"e{i}", "channel": "employee", "text": "Turnos caóticos", "nps": 3} for i in range(2)])
    ws.analyze()
    res = CliRunner().invoke(app, ["-w", str(ws.path), "metrics", "--by", "channel"], terminal_width=200)
    assert res.exit_code == 0, res.output
    review = next(line for line in res.output.splitlines() if "review" in line)
    assert "277" in review and "277.0" not in review
    employee = next(line for line in res.output.splitlines() if "employee" in line)
    assert "hidden*" in employee and "nan" not in res.output.lower()
    assert "employee anonymity" in res.output
