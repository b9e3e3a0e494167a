"""The `escucha cases` commands in a real subprocess: the contract's `cases open-from-rules` and
`cases --json`, then an agent's work from the terminal and a bad status named in the error."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from test_cases_walkthrough import build


def run(ws: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "escucha", "--workspace", str(ws), "cases", *args],
                          capture_output=True, text=True, check=check, timeout=300)  # fmt: skip


def test_cases_cli_contract_and_work(tmp_path: Path) -> None:
    ws, _ = build(tmp_path / "ws")
    path = ws.path
    out = json.loads(run(path, "open-from-rules", "--json").stdout)
    assert len(out["opened"]) == 2 and out["checked"] == 3
    cases = json.loads(run(path, "--json").stdout)
    head = ["id", "customer_id", "status", "priority", "opened_at", "due_at", "reason", "item_ids"]
    assert all(list(c)[:8] == head for c in cases)
    churn = next(c for c in cases if c["customer_id"] == "c9")
    assert churn["reason"] == "churn_threat" and churn["item_ids"] == ["m1"] and churn["due_at"]
    hint = json.loads(run(path, "assist", "Oye, ¿dónde está mi pedido LH-555123?", "--customer", "c9", "--json").stdout)
    assert hint["language"] == "es" and hint["customer"]["open_cases"][0]["id"] == churn["id"]
    replied = json.loads(run(path, "reply", churn["id"], "Hola Marta, ya está en camino.", "--playbook",
                             "late_delivery", "--json").stdout)  # fmt: skip
    assert replied["item_id"].startswith("escucha_cases:") and replied["case"]["first_response_at"]
    bad = run(path, "status", churn["id"], "resolved", check=False)
    assert bad.returncode == 2 and "field=resolution_code" in bad.stderr
    done = json.loads(run(path, "status", churn["id"], "resolved", "--code", "fixed", "--json").stdout)
    assert done["status"] == "resolved"
    assert [c["id"] for c in json.loads(run(path, "--json").stdout)] == [c["id"] for c in cases if c["id"] != churn["id"]]
