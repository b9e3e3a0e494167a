"""The real server (uvicorn on loopback) does not keep the DuckDB file locked: the CLI ingests
and analyses the same workspace while the server answers requests."""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("uvicorn")
httpx = pytest.importorskip("httpx")

from test_api import build_workspace  # noqa: E402


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def running_server(ws: Any) -> Iterator[str]:
    """Serve ``ws`` with uvicorn in a thread; yields the base URL."""
    import uvicorn

    from escucha.server import create_app

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(ws), host="127.0.0.1", port=port, log_level="warning",
                                           access_log=False))  # fmt: skip
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "server did not start"
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.mark.slow
def test_cli_works_on_the_workspace_while_the_server_serves(tmp_path: Path) -> None:
    ws, tokens = build_workspace(tmp_path / "ws")
    csv = tmp_path / "more.csv"
    csv.write_text("text,nps\n" + "".join(f"Voz {i}: el servicio fue lento pero amable,{i % 11}\n" for i in range(60)),
                   encoding="utf-8")  # fmt: skip
    escucha_cli = [str(Path(sys.executable).parent / "escucha"), "--workspace", str(ws.path)]
    statuses: list[int] = []
    stop = threading.Event()
    with running_server(ws) as base:
        h = {"Authorization": f"Bearer {tokens['analyst']}"}

        def hammer() -> None:
            with httpx.Client(base_url=base, headers=h, timeout=30) as c:
                while not stop.is_set():
                    statuses.append(c.get("/api/v1/feedback", params={"limit": 5}).status_code)
                    statuses.append(c.get("/api/v1/metrics", params={"by": "channel"}).status_code)
                    time.sleep(0.02)

        t = threading.Thread(target=hammer)
        t.start()
        try:
            t0 = time.monotonic()
            ing = subprocess.run([*escucha_cli, "ingest", str(csv), "--text-col", "text", "--channel", "survey"],
                                 capture_output=True, text=True, timeout=120)  # fmt: skip
            t1 = time.monotonic()
            ana = subprocess.run([*escucha_cli, "analyze", "--json"], capture_output=True, text=True, timeout=120)
            print(f"ingest {t1 - t0:.1f}s, analyze {time.monotonic() - t1:.1f}s, {len(statuses)} requests")
        finally:
            stop.set()
            t.join(timeout=30)
        assert ing.returncode == 0, ing.stderr
        assert ana.returncode == 0, ana.stderr
        with httpx.Client(base_url=base, headers=h) as c:
            total = c.get("/api/v1/feedback", params={"q": "servicio fue lento"}).json()["total"]
    assert total == 60
    assert len(statuses) > 4 and set(statuses) == {200}, set(statuses)
