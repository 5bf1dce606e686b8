"""The local server: ``ftrag-mc app`` binds 127.0.0.1 (another interface only if asked), on the
port given or a free one, prints the address, opens a browser, and serves until Ctrl-C."""

from __future__ import annotations

import socket
import threading
import webbrowser
from collections.abc import Callable
from pathlib import Path

from ftrag_mc.app.page import build_model
from ftrag_mc.app.server import build_app
from ftrag_mc.app.views import Request, Source
from ftrag_mc.app.work import Engine

__all__ = ["DEFAULT_HOST", "MAX_CONNECTIONS", "MAX_MESSAGE_BYTES", "bind", "serve"]

DEFAULT_HOST = "127.0.0.1"
#: A websocket message from a browser (an edit) is a few kB; larger ones are refused.
MAX_MESSAGE_BYTES = 1 << 20
#: A request's first line and headers (the URL carries the edits) may take this many bytes.
MAX_HEADER_BYTES = 1 << 16
#: Connections served at once; more are answered 503.
MAX_CONNECTIONS = 256


def bind(host: str, port: int | None) -> socket.socket:
    """A listening socket on ``host``:``port`` (``None`` or 0: a free port), made here so that
    the port printed is the port served, with no race.

    Raises
    ------
    OSError
        When the address cannot be bound (in use, not this machine's).
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port or 0))
        sock.listen(128)
    except OSError:
        sock.close()
        raise
    return sock


def _url(host: str, port: int) -> str:
    shown = f"[{host}]" if ":" in host else host
    if host in ("0.0.0.0", "::"):
        shown = "127.0.0.1"
    return f"http://{shown}:{port}/"


def serve(path: str | Path, *, host: str = DEFAULT_HOST, port: int | None = None, open_browser: bool = True,
          workers: int | None = None, echo: Callable[[str], None] = print) -> None:
    """Serve the page of the scenario file ``path`` until interrupted.

    Raises
    ------
    ScenarioError
        If the file is not a valid scenario (nothing is started).
    OSError
        If the address cannot be bound.
    """
    import uvicorn

    source = Source.read(path)
    model = build_model(source)
    sock = bind(host, port)
    engine = Engine(source, workers=workers)
    try:
        echo(f"ftrag-mc app: starting {engine.workers} worker processes for {source.file}")
        engine.warm(Request((), model.default_samples, model.default_seed))
        url = _url(host, sock.getsockname()[1])
        echo(f"Serving {model.title!r} at {url} (Ctrl-C stops it)")
        if open_browser:
            threading.Timer(0.3, webbrowser.open, [url]).start()
        config = uvicorn.Config(build_app(model, engine), log_level="warning", ws_max_size=MAX_MESSAGE_BYTES,
                                h11_max_incomplete_event_size=MAX_HEADER_BYTES, limit_concurrency=MAX_CONNECTIONS,
                                lifespan="off")
        uvicorn.Server(config).run(sockets=[sock])
        echo("Stopped.")
    finally:
        engine.close()
        sock.close()
