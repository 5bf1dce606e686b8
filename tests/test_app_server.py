"""The app's server as a client sees it: it answers on 127.0.0.1 only, survives malformed
requests (bad numbers, unknown keys, huge sample counts, broken HTTP and websocket messages), and
answers concurrent sessions each with its own edits' numbers."""

from __future__ import annotations

import asyncio
import json
import socket
import urllib.error
import urllib.request

import pytest

from app_harness import ROOT, SUPPORT, headline_of, start_app, ws_session, ws_url
from ftrag_mc.app.server import request_digest
from ftrag_mc.app.views import Request

pytest.importorskip("shiny")

VOLUME = "k_volume_queries_per_month"


@pytest.fixture(scope="module")
def app():
    running = start_app()
    yield running
    running.stop()
    assert running.process.returncode is not None


def _get(app, path: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(app.url.rstrip("/") + path, timeout=60) as response:
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, ""


def _still_answers(app, volume: int = 123_000) -> None:
    """The server is up and a new session gets its own headline."""
    assert app.alive()
    assert _get(app, "/")[0] == 200
    got = asyncio.run(ws_session(app, {VOLUME: str(volume), "samples": "600"}))
    digest, text = headline_of(got["html"])
    assert digest == request_digest(Request((f"volume.queries_per_month={volume}",), 600, 2026))
    assert "futures" in text


def test_it_answers_on_127_0_0_1_only(app):
    assert app.url.startswith("http://127.0.0.1:")
    with socket.create_connection(("127.0.0.1", app.port), timeout=10):
        pass
    others = {"127.0.0.2"} | {info[4][0] for info in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)}
    for address in sorted(others - {"127.0.0.1"}):
        with pytest.raises(OSError):
            socket.create_connection((address, app.port), timeout=5).close()


def test_the_page_is_served_with_its_scripts_from_the_package(app):
    status, page = _get(app, "/")
    assert status == 200 and "ftrag-mc app" in page
    assert "https://" not in page and "http://" not in page.replace("http://www.w3.org", "")
    scripts = [s for s in page.split('src="')[1:]]
    assert scripts and all(not s.startswith(("http:", "https:", "//")) for s in scripts)


@pytest.mark.parametrize("query", [
    "?samples=1e12&seed=-1&set=volume.queries_per_month%3Dlots&set=not.a.key%3D1&challenger=nobody",
    "?set=%ZZ%00&&&=&set=" + "x" * 5000, "?samples=" + "9" * 4000, "?" + "set=a%3D1&" * 2000,
])
def test_malformed_links_give_a_page(app, query):
    status, page = _get(app, "/" + query)
    assert status in (200, 400, 414, 431)
    _still_answers(app)


def test_broken_http_does_not_stop_it(app):
    for junk in (b"\x00\xff\xfe GARBAGE\r\n\r\n", b"GET /" + b"a" * 200_000 + b" HTTP/1.1\r\n\r\n",
                 b"POST / HTTP/1.1\r\nContent-Length: 99999999\r\n\r\nabc"):
        with socket.create_connection(("127.0.0.1", app.port), timeout=10) as s:
            try:
                s.sendall(junk)
                s.settimeout(5)
                s.recv(100)
            except OSError:
                pass
    _still_answers(app, 124_000)


def test_bad_inputs_are_problems_beside_them(app):
    got = asyncio.run(ws_session(app, {
        VOLUME: {"a": "dict"}, "samples": 10**12, "seed": "seven", "extra": "x" * 200_000,
        "k_volume_growth_per_month_mode": ["a", "list"], "challenger": 5, "no_such_input": "1",
    }, want="problems"))
    problems = got["problems"][-1]
    assert "200,000" in problems["samples"] and "whole number" in problems["seed"]
    assert "at most" in problems["extra"] and VOLUME in problems
    got = asyncio.run(ws_session(app, {VOLUME: "lots", "samples": "600"}, want="problems"))
    assert got["problems"][-1][VOLUME] == (f"{SUPPORT}: volume.queries_per_month (from --set): expected a number, "
                                           "got a string")
    _still_answers(app, 125_000)


def test_broken_websocket_messages_do_not_stop_it(app):
    import websockets

    async def send_raw(messages):
        try:
            async with websockets.connect(ws_url(app), max_size=2**24) as ws:
                await ws.recv()
                for message in messages:
                    await ws.send(message)
                await asyncio.wait_for(ws.recv(), 10)
        except (websockets.ConnectionClosed, asyncio.TimeoutError, OSError):
            pass

    init = json.dumps({"method": "init", "data": {"samples": "600"}})
    for messages in (["not json"], ['{"no": "method"}'], [init, '{"method": "nonsense"}'],
                     [init, json.dumps({"method": "update", "data": {"a:b:c": 1}})],
                     [init, json.dumps({"method": "update", "data": {"samples": "1" * 2_000_000}})],
                     [json.dumps({"method": "update", "data": {}})]):
        asyncio.run(send_raw(messages))
    _still_answers(app, 126_000)


@pytest.mark.slow
def test_fifty_concurrent_sessions_each_get_their_own_numbers(app):
    volumes = [100_000 + 7_000 * i for i in range(50)]

    async def all_sessions():
        return await asyncio.gather(*(ws_session(app, {VOLUME: str(v), "samples": "800"}, timeout_s=600)
                                      for v in volumes))

    answers = asyncio.run(all_sessions())
    from ftrag_mc import load_scenario, simulate
    from ftrag_mc.report.builders import build_run_report

    for v, got in zip(volumes, answers):
        digest, text = headline_of(got["html"])
        request = Request((f"volume.queries_per_month={v}",), 800, 2026)
        assert digest == request_digest(request), f"the answer to {v} is another session's"
        if v in volumes[::10]:  # ftrag-mc run's first line, from the builder it prints
            scenario = load_scenario(ROOT / SUPPORT, [f"volume.queries_per_month={v}"])
            with build_run_report(simulate(scenario, samples=800, seed=2026)) as report:
                assert text == report.lines[0]
    _still_answers(app, 127_000)


def test_a_killed_server_leaves_no_worker_behind():
    # SIGKILL (or SIGTERM, or a closed terminal) gives the server no chance to stop its pool; its
    # spawned workers, which hold both ends of the pool's queues, once waited for ever (two
    # ~230 MB processes per server). They now end within a second or two of the server.
    import os
    import signal
    import time
    from pathlib import Path

    def children(pid: int) -> list[int]:
        try:
            return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
        except OSError:
            return []

    def alive(pid: int) -> bool:  # a zombie (ended, not yet reaped) counts as ended
        try:
            return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
        except OSError:
            return False

    if not Path("/proc/self/task").exists():
        pytest.skip("needs /proc to see the worker processes")
    running = start_app("scenarios/rough-breakeven.toml", "--workers", "2")
    try:
        workers = children(running.process.pid)
        assert len(workers) >= 2, workers
        running.process.send_signal(signal.SIGKILL)
        running.process.wait(timeout=20)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and any(alive(w) for w in workers):
            time.sleep(0.1)
        left = [w for w in workers if alive(w)]
    finally:
        running.stop()
    for w in left:
        os.kill(w, signal.SIGKILL)
    assert not left, f"workers {left} outlived their server"


def test_the_top_inputs_table_speaks_of_savings():
    # One sign convention on the page, as in the headline and the charts: a saving is positive
    # (the CSVs keep ΔNPC = -saving). Tuned error rate at its P10: ΔNPC $13.7k = costs $13.7k more.
    from types import SimpleNamespace

    from ftrag_mc.app.server import _top_inputs_ui

    rows = [{"rank": 1, "label": "Tuned error rate", "delta_low_usd": 13_700.0, "delta_high_usd": -47_000.0,
             "swing_usd": 60_700.0, "horizon_months": 36, "base_delta_usd": -16_700.0}]
    shown = SimpleNamespace(headline=SimpleNamespace(top_inputs=rows, pair="Cached prompt vs Fine-tune"))
    html = str(_top_inputs_ui(shown, "USD"))
    assert "<th>saving at its P10</th><th>saving at its P90</th>" in html
    assert "<td>-$13.7k</td><td>$47k</td><td>$60.7k</td>" in html, html
    assert "(where it saves $16.7k; a negative saving is an extra cost)" in html
