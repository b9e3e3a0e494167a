"""Rebuild the README's dashboard screenshots (docs/*.png) from the demo company.

    .venv/bin/python scripts/screenshots.py [--workspace /tmp/escucha-shots] [--n 6000]

Builds the demo workspace (the same as ``escucha demo``), serves it on a free loopback port,
logs in with the demo analyst in Debian's chromium (Playwright, headless) and saves the morning
snapshot and the explorer (filtered to negative voices) into ``docs/``. Needs the dev extras
(playwright) and ``apt-get install chromium``; nothing is downloaded.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("ESCUCHA_CHROMIUM", "/usr/bin/chromium")
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--no-first-run"]  # fmt: skip


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait(url: str, seconds: float = 120) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"the server did not answer at {url} within {seconds:.0f} s")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workspace", type=Path, default=Path("/tmp/escucha-shots"))
    ap.add_argument("--n", type=int, default=6000, help="voices in the demo company")
    ap.add_argument("--out", type=Path, default=ROOT / "docs")
    args = ap.parse_args(argv)
    if not Path(CHROMIUM).exists():
        raise SystemExit(f"chromium not found at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import expect, sync_playwright

    from escucha.cli import DEMO_USERS

    # Each step in its own process: the server must be the store's only writer.
    cli = [sys.executable, "-m", "escucha"]
    subprocess.run([*cli, "demo", "--workspace", str(args.workspace), "--n", str(args.n)], check=True,
                   stdout=subprocess.DEVNULL)  # fmt: skip
    user, password, role = next(u for u in DEMO_USERS if u[2] == "admin")
    subprocess.run([*cli, "users", "add", user, "--role", role, "--password-stdin", "--replace",
                    "--workspace", str(args.workspace)], input=password, text=True, check=True)  # fmt: skip
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [*cli, "--workspace", str(args.workspace), "serve", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait(f"{base}/login")
        args.out.mkdir(parents=True, exist_ok=True)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
            page = browser.new_context(viewport={"width": 1280, "height": 1800}).new_page()
            page.goto(f"{base}/login")
            page.fill("input[name=username]", user)
            page.fill("input[name=password]", password)
            page.click("button[type=submit]")
            page.wait_for_url(f"{base}/")
            expect(page.locator("#trend-chart")).to_have_attribute("data-done", "1")
            page.screenshot(path=str(args.out / "dashboard-snapshot.png"), full_page=False)
            page.goto(f"{base}/explore?sentiment=negative")
            page.wait_for_selector("article.voice")
            page.screenshot(path=str(args.out / "dashboard-explorer.png"), full_page=False)
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=30)
    print(f"saved {args.out / 'dashboard-snapshot.png'} and {args.out / 'dashboard-explorer.png'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
