"""What the app's tests and its benchmark share: the app started as a person starts it (``python
-m ftrag_mc app SCENARIO --no-browser``, a free port read from what it prints), a headless
Chromium from the system's packages driven by Selenium (the binary and driver given: Selenium
Manager never runs, nothing is downloaded), and a minimal client of Shiny's websocket protocol."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SUPPORT = "scenarios/support-classifier.toml"
CHROMIUM = os.environ.get("FTRAG_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("FTRAG_CHROMEDRIVER", "/usr/bin/chromedriver")
CHROME_ARGS = ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-dev-shm-usage")


@dataclass
class AppProcess:
    """A running ``ftrag-mc app``: its process, address and port."""

    process: subprocess.Popen
    url: str
    port: int

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=20)

    def alive(self) -> bool:
        return self.process.poll() is None


def start_app(scenario: str = SUPPORT, *args: str, timeout_s: float = 180) -> AppProcess:
    """Start the app on a free port of 127.0.0.1 and wait until it says where it serves."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen([sys.executable, "-m", "ftrag_mc", "app", scenario, "--no-browser", *args],
                               cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    deadline = time.monotonic() + timeout_s
    seen = []
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        seen.append(line)
        found = re.search(r"(http://([\d.]+):(\d+)/) \(Ctrl-C stops it\)", line)
        if found:
            _drain(process)
            return AppProcess(process, found.group(1), int(found.group(3)))
    process.kill()
    raise RuntimeError("the app did not start:\n" + "".join(seen))


def _drain(process: subprocess.Popen) -> None:
    """Keep reading the server's output so that it never blocks on a full pipe."""
    import threading

    def read():
        for line in process.stdout:
            sys.stderr.write(f"[app] {line}")

    threading.Thread(target=read, daemon=True).start()


def browser_missing() -> str | None:
    """Why no browser test can run here, or None."""
    for path in (CHROMIUM, CHROMEDRIVER):
        if not (Path(path).is_file() and os.access(path, os.X_OK)):
            return f"{path} is not installed (apt-get install chromium chromium-driver)"
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (pip install -e '.[test]')"
    return None


def chrome(download_dir: str | None = None, width: int = 1400, height: int = 2000):
    """A headless Chromium with a fresh profile, driven through the system's chromedriver."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    profile = tempfile.mkdtemp(prefix="ftrag-chrome-")
    for arg in (*CHROME_ARGS, f"--user-data-dir={profile}", f"--window-size={width},{height}"):
        options.add_argument(arg)
    if download_dir:
        options.add_experimental_option("prefs", {"download.default_directory": download_dir,
                                                  "download.prompt_for_download": False})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.ftrag_profile = profile
    if download_dir:
        driver.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": download_dir})
    return driver


def quit_chrome(driver) -> None:
    try:
        driver.quit()
    finally:
        shutil.rmtree(getattr(driver, "ftrag_profile", ""), ignore_errors=True)


# --- a minimal Shiny websocket client ------------------------------------------------------------

#: The page's outputs: a client that shows them says so (Shiny computes no hidden output).
OUTPUTS = ("headline", "main_chart", "delta_chart", "top_inputs", "breakdown_chart")


def ws_url(app: AppProcess) -> str:
    return f"ws://127.0.0.1:{app.port}/websocket/"


async def ws_session(app: AppProcess, inputs: dict[str, object], *, want: str = "headline",
                     timeout_s: float = 120) -> dict:
    """Open a session with ``inputs`` as the browser's first values; return the first value of
    output ``want`` (its HTML) and every ``ftrag-problems`` message seen until then."""
    import asyncio

    import websockets

    problems: list[dict] = []
    async with websockets.connect(ws_url(app), max_size=2**24) as ws:
        await ws.recv()  # {"config": ...}
        shown = {f".clientdata_output_{name}_hidden": False for name in OUTPUTS}
        await ws.send(json.dumps({"method": "init", "data": {**shown, **inputs, ".clientdata_url_search": ""}}))

        async def wait():
            while True:
                message = json.loads(await ws.recv())
                custom = message.get("custom", {})
                if "ftrag-problems" in custom:
                    problems.append(custom["ftrag-problems"])
                    if custom["ftrag-problems"] and want == "problems":
                        return {"problems": problems}
                value = message.get("values", {}).get(want)
                if value is not None:
                    return {"html": value["html"], "problems": problems}

        return await asyncio.wait_for(wait(), timeout_s)


def headline_of(html: str) -> tuple[str, str]:
    """(the data-request digest, the headline's text) of the headline output's HTML."""
    import html as html_lib

    found = re.search(r'data-request="([0-9a-f]+)"[^>]*>(.*?)</p>', html, re.S)
    if not found:
        raise AssertionError(f"no headline in {html[:300]}")
    return found.group(1), html_lib.unescape(found.group(2))
