"""Charts to PNG bytes, once each, in forked child processes while this process goes on.

Rasterising a run's charts is most of a default run's time. ``ftrag-mc run`` renders each chart
once (:func:`png_bytes`): the PNG file and the PDF's page are the same bytes. :class:`PngRenderer`
takes the charts once they are final and renders them in child processes forked at that moment
(a child sees the figure exactly as it is, so the bytes are those ``Figure.savefig`` gives here),
up to :func:`render_processes` at once, while this process draws the next chart and the PDF's
pages; when it needs a chart (:meth:`PngRenderer.get`) it waits for its child, or renders it
itself when no child has taken it. A child that fails leaves its chart to this process, which
then raises what ``savefig`` raises. Without ``fork`` (Windows, macOS) or with one CPU
everything is rendered here, in order.
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import signal
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass

from matplotlib.figure import Figure

from ftrag_mc.engine.local import usable_cpus
from ftrag_mc.report.style import quiet_glyph_warnings, warn_undrawable

__all__ = ["PNG_DPI", "PngRenderer", "png_bytes", "render_processes"]

#: Resolution of every PNG a report writes.
PNG_DPI = 150


def png_bytes(fig: Figure) -> bytes:
    """The PNG a report writes for ``fig`` (what ``fig.savefig(path, dpi=PNG_DPI)`` writes)."""
    warn_undrawable(fig)  # once, not once per glyph
    buffer = io.BytesIO()
    with quiet_glyph_warnings():
        # zlib level 3, not Pillow's 6: a third of the encoding time for files about a tenth larger
        fig.savefig(buffer, dpi=PNG_DPI, format="png", pil_kwargs={"compress_level": 3})
    return buffer.getvalue()


def render_processes() -> int:
    """Children a report renders its charts on at once: twice the CPUs this process may use (none
    with one CPU). More children than CPUs keep every CPU busy: a finished child is replaced
    only when this process next asks for a chart, and while it draws the PDF's title and input
    pages it does not ask (with one child per spare CPU, a default run took 1.5-2 s longer)."""
    cpus = usable_cpus()
    return 0 if cpus <= 1 else 2 * cpus


@dataclass
class _Job:
    name: str
    fig: Figure
    pid: int | None = None


class PngRenderer:
    """Render figures to PNG bytes, on up to ``processes`` forked children at a time.

    Parameters
    ----------
    processes
        Children rendering at once; 0 renders each figure here when it is submitted. Forking is
        used only on Linux (elsewhere: 0).

    Use as a context manager: children still running when the block is left early (an error,
    Ctrl-C) are killed. :meth:`submit` each figure once it will not change again; :meth:`results`
    waits for every PNG.
    """

    def __init__(self, processes: int):
        self.processes = max(0, int(processes)) if sys.platform.startswith("linux") else 0
        self._pending: list[_Job] = []  # submitted, not yet started
        self._running: dict[int, _Job] = {}
        self._done: dict[str, bytes] = {}
        self.submitted: set[str] = set()
        self._dir = tempfile.mkdtemp(prefix="ftrag-png-") if self.processes else None

    def __enter__(self) -> PngRenderer:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def submit(self, name: str, fig: Figure) -> None:
        """Render ``fig`` as ``name``: now in a child if one is free, else later."""
        self.submitted.add(name)
        if not self.processes:
            self._done[name] = png_bytes(fig)
            return
        warn_undrawable(fig)  # here, so that a child does not warn again
        self._pending.append(_Job(name, fig))
        self._reap(block=False)
        self._start_pending()

    def get(self, name: str) -> bytes:
        """The PNG bytes of the figure submitted as ``name``. While a child renders it, this
        process renders the last chart still waiting (it would wait otherwise); one no child has
        taken it renders itself."""
        if name not in self.submitted:
            raise KeyError(name)
        while name not in self._done:
            self._reap(block=False)
            self._start_pending()
            if name in self._done:
                break
            job = next((j for j in self._pending if j.name == name), None)
            if job is None and self._pending:
                job = self._pending[-1]
            if job is not None:
                self._pending.remove(job)
                self._done[job.name] = png_bytes(job.fig)
            else:
                self._reap(block=True)
        return self._done[name]

    def results(self) -> dict[str, bytes]:
        """Every submitted figure's PNG bytes by name; renders here what no child has taken."""
        while self._pending:
            self._reap(block=False)
            self._start_pending()
            if self._pending:  # no child free: this process takes the last one waiting
                job = self._pending.pop()
                self._done[job.name] = png_bytes(job.fig)
        while self._running:
            self._reap(block=True)
        return dict(self._done)

    def close(self) -> None:
        """Kill children still running and remove their files."""
        for pid in list(self._running):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, 0)
        self._running.clear()
        if self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)
            self._dir = None

    # --- children ---------------------------------------------------------------------------

    def _start_pending(self) -> None:
        while self._pending and len(self._running) < self.processes:
            job = self._pending.pop(0)
            job.pid = self._fork(job)
            self._running[job.pid] = job

    def _path(self, job: _Job) -> str:
        return os.path.join(self._dir, f"{id(job)}.png")

    def _fork(self, job: _Job) -> int:
        with _sigint_held():
            pid = os.fork()
            if pid == 0:  # the child: render, write, leave without running any of the parent's code
                code = 1
                try:
                    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C
                    data = png_bytes(job.fig)
                    with open(self._path(job), "wb") as stream:
                        stream.write(data)
                    code = 0
                finally:
                    os._exit(code)
        return pid

    def _reap(self, *, block: bool) -> None:
        """Collect this renderer's finished children (with ``block``, wait for the oldest if none
        has finished); a failed child's figure is rendered here. Only our own pids are waited
        for: a caller's other child processes are left alone."""
        finished = 0
        for pid in list(self._running):
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                self._finish(pid, status)
                finished += 1
        if block and not finished and self._running:
            pid = next(iter(self._running))
            _, status = os.waitpid(pid, 0)
            self._finish(pid, status)

    def _finish(self, pid: int, status: int) -> None:
        job = self._running.pop(pid)
        path = self._path(job)
        if os.waitstatus_to_exitcode(status) == 0 and os.path.exists(path):
            with open(path, "rb") as stream:
                self._done[job.name] = stream.read()
            os.remove(path)
        else:
            self._done[job.name] = png_bytes(job.fig)


@contextlib.contextmanager
def _sigint_held() -> Iterator[None]:
    """Ctrl-C held back across a fork (the child sets it to be ignored before it can arrive there);
    one that arrives meanwhile reaches the parent when the mask is restored."""
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)
