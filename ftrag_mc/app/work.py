"""The page's worker processes, and the cache in front of them.

An edit is runs side by side on the workers. The main question as last seen (the decision's
pair, or the challenger picked) is guessed: its chart is drawn from a run counting only what it
draws (:func:`~ftrag_mc.app.views.compute_quick_chart`, against the runner-up for a decision),
and when the runner-up is not the file's baseline, the headline is said from the decision's pair
run alone (:func:`~ftrag_mc.app.views.compute_pair_headline`; the ranking does not depend on the
baseline), so neither waits for the run against the file's baseline
(:func:`~ftrag_mc.app.views.compute_run`), which follows for the rest and the downloads. When
the runner-up is the baseline, the run gives the headline. If the guess was wrong (the main
question changed), the run decides and what it needs follows. Workers are started once
(spawned, then warmed up: imports, the inverse CDFs, fonts) and kept, one per CPU: a run of
20,000 samples takes a few hundred milliseconds there, where starting a process would take a
second. A view is cached by
what it depends on (the scenario file, the overrides, samples, seed, the challenger shown), so
going back to an earlier edit, or a colleague opening the same link, costs nothing; the same view
asked for by several sessions at once is computed once. A view nobody waits for any more is
dropped before it starts.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import pickle
import signal
import time
import warnings
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from ftrag_mc.app.views import (
    Chart, Headline, Invalid, Packed, Request, Rest, Source, View, compute_headline, compute_main_chart,
    compute_breakdown, compute_delta, compute_pair_headline, compute_pair_run, compute_quick_chart, compute_run,
    unpack,
)

__all__ = ["Engine", "default_workers"]

#: Runs and pair runs kept (pickled, a few MB each) for the views and downloads that follow an edit
#: (an edit keeps up to three entries: its run, its pair run, and the pair run with its headline,
#: which shares the pair run's bytes).
RUNS_KEPT = 18
#: Views kept (a headline and a chart are ~100 kB).
VIEWS_KEPT = 256


def default_workers() -> int:
    """One worker per CPU this process may use (at least 1, at most 8)."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cpus = os.cpu_count() or 1
    return max(1, min(cpus, 8))


# --- in the worker processes -----------------------------------------------------------------------

#: How often a worker checks that the server that started it still runs, seconds.
PARENT_CHECK_S = 1.0


def _exit_with(parent: int) -> None:
    """End this worker within :data:`PARENT_CHECK_S` of the server ``parent`` ending, however it
    ends. A server killed (SIGTERM, SIGKILL, a closed terminal) cannot shut its pool down, and a
    spawned worker, which holds both ends of the pool's queues, would wait on them for ever (two
    ~230 MB processes left behind per server)."""
    import threading

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_CHECK_S)
        os._exit(0)

    threading.Thread(target=watch, name="ftrag-mc-parent-watch", daemon=True).start()


def _init_worker(source: Source) -> None:
    """A worker's process settings (its own process: the edge, as the CLI's), then a warm-up run
    so that a person's first edit does not pay for imports, inverse CDFs and font caches."""
    os.environ.setdefault("MPLBACKEND", "Agg")
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the server, which stops its workers
    _exit_with(os.getppid())
    warnings.filterwarnings("ignore", message=r"Glyph \d+ .* missing from font", category=UserWarning)
    from ftrag_mc.simulate import tune_allocator

    tune_allocator()
    try:
        request = Request((), 2_000, 1)
        packed = compute_run(source, request)
        if isinstance(packed, Packed):
            pair = compute_pair_run(source, request, packed.runner_up) if packed.needs_pair_run else None
            _headline(packed, pair if isinstance(pair, bytes) else None, None)
            _main_chart(packed, pair if isinstance(pair, bytes) else None, None)
    except Exception:  # a warm-up is a courtesy: the page shows the real error on the first view
        pass


def _headline(packed: Packed, pair: bytes | None, challenger: str | None) -> Headline | Invalid:
    return compute_headline(*unpack(packed, pair), challenger)


def _main_chart(packed: Packed, pair: bytes | None, challenger: str | None) -> Chart | Invalid:
    return compute_main_chart(*unpack(packed, pair), challenger)


def _pair_and_headline(source: Source, request: Request, runner_up: str) -> tuple[bytes | None | Invalid,
                                                                                  Headline | None]:
    """The decision's pair run against ``runner_up`` (pickled), and the headline it says alone
    (None when it says another runner-up, or refuses the edit)."""
    pair = compute_pair_run(source, request, runner_up)
    return pair, compute_pair_headline(pair) if isinstance(pair, bytes) else None


def _delta(packed: Packed, pair: bytes | None, challenger: str | None) -> Chart | Invalid:
    return compute_delta(*unpack(packed, pair), challenger)


def _breakdown(packed: Packed, challenger: str | None) -> Chart | Invalid:
    return compute_breakdown(pickle.loads(packed.data), challenger)


def _csvs(packed: Packed) -> bytes:
    from ftrag_mc.app.exports import csv_zip

    return csv_zip(pickle.loads(packed.data).result)


def _board_pack(packed: Packed, command: str) -> bytes:
    from ftrag_mc.app.exports import board_pack_zip

    return board_pack_zip(pickle.loads(packed.data).result, command=command)


# --- in the server ---------------------------------------------------------------------------------


def _fits(guess: View, view: View) -> bool:
    """Whether the chart guessed can be the view's: the same decision's pair, or the same
    challenger picked (against the baseline, which the guess did not know)."""
    return guess == view if guess[0] == "decision" else guess[:2] == view[:2]


class _Shared:
    """One computation that several sessions may wait for: cancelled only when none waits."""

    def __init__(self, task: asyncio.Task):
        self.task = task
        self.waiting = 0


class Engine:
    """The worker pool and the caches in front of it, for one scenario file.

    Every method is a coroutine for the server's event loop; the work runs in the workers, so the
    server stays responsive whatever the sessions ask.
    """

    def __init__(self, source: Source, *, workers: int | None = None):
        self.source = source
        self.workers = workers or default_workers()
        self._pool = self._start()
        self._runs: OrderedDict[Hashable, Packed | bytes | None | Invalid] = OrderedDict()
        self._views: OrderedDict[Hashable, Any] = OrderedDict()
        self._inflight: dict[Hashable, _Shared] = {}
        self._main: View | None = None  # the main question as last seen (the chart guessed first)
        self._pair_needed = False  # and whether its runner-up was not the baseline (a pair run)

    def _start(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("spawn"),
                                   initializer=_init_worker, initargs=(self.source,))

    async def _call(self, fn: Callable[..., Any], *args: Any) -> Any:
        """``fn(*args)`` on a worker; a pool whose worker died is started again, once."""
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(self._pool, fn, *args)
        except BrokenProcessPool:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = self._start()
            return await loop.run_in_executor(self._pool, fn, *args)

    async def _once(self, cache: OrderedDict, limit: int, key: Hashable, make: Callable[[], Awaitable[Any]]) -> Any:
        """The cached value of ``key``, or ``make()`` run once however many wait for it."""
        if key in cache:
            cache.move_to_end(key)
            return cache[key]
        shared = self._inflight.get(key)
        if shared is None:
            shared = self._inflight[key] = _Shared(asyncio.ensure_future(make()))
            shared.task.add_done_callback(lambda task: self._settle(cache, limit, key, task))
        shared.waiting += 1
        try:
            return await asyncio.shield(shared.task)
        except asyncio.CancelledError:
            if shared.waiting == 1 and not shared.task.done():
                shared.task.cancel()  # nobody else waits: drop it (before it starts, if queued)
            raise
        finally:
            shared.waiting -= 1

    def _settle(self, cache: OrderedDict, limit: int, key: Hashable, task: asyncio.Task) -> None:
        if self._inflight.get(key) is not None and self._inflight[key].task is task:
            del self._inflight[key]
        if task.cancelled() or task.exception() is not None:
            return
        cache[key] = task.result()
        while len(cache) > limit:
            cache.popitem(last=False)

    async def run(self, request: Request) -> Packed | Invalid:
        """The run of ``request`` (pickled), or why the command line would refuse it."""
        key = ("run", request.run_key)
        return await self._once(self._runs, RUNS_KEPT, key, lambda: self._call(compute_run, self.source, request))

    async def pair(self, request: Request, runner_up: str) -> bytes | None | Invalid:
        """The decision's pair run of ``request`` against ``runner_up`` (pickled; None when that is
        the file's baseline)."""
        key = ("pair", request.run_key, runner_up)
        return await self._once(self._runs, RUNS_KEPT, key,
                                lambda: self._call(compute_pair_run, self.source, request, runner_up))

    async def _pair_of(self, request: Request, packed: Packed) -> bytes | None | Invalid:
        """What the views of ``request`` read beside its run: the decision's pair run when the main
        question is shown and its runner-up is not the file's baseline, else None."""
        if request.challenger is not None or not packed.needs_pair_run:
            return None
        return await self.pair(request, packed.runner_up)

    async def first(self, request: Request) -> tuple[Headline, Chart, float] | Invalid:
        """The headline and the main chart of ``request``, and the seconds they took here (0 from
        the cache).

        Side by side on the workers: the run (every statistic, for the headline and the rest) and
        a guess at the main chart (:meth:`_guess`: the challenger picked, else the main question
        as last seen). If the run says the main question has changed, the chart (and the pair
        run the decision needs) follow it.
        """
        started = time.perf_counter()
        guess = said = None
        if ("chart", request) not in self._views:
            view = (("pair", request.challenger, "") if request.challenger is not None else self._main)
            if view is not None:
                guess = view, asyncio.ensure_future(self._guess(request, view))
                if view[0] == "decision" and self._pair_needed and ("headline", request) not in self._views:
                    said = asyncio.ensure_future(self._said(request, view[2]))
        try:
            if said is not None:
                first = await self._from_pair(request, said, guess[1], started)
                if first is not None:
                    return first
            return await self._first(request, guess, started)
        finally:
            for task in (guess[1] if guess else None, said):
                if task is not None and not task.done():
                    task.cancel()

    async def _said(self, request: Request, runner_up: str) -> Headline | None:
        """The main question's headline from the decision's pair run alone, guessed with the
        runner-up as last seen (:func:`~ftrag_mc.app.views.compute_pair_headline`); None when the
        pair run says the runner-up has changed, or refuses the edit."""
        # Both in one call: the pair run's few MB are not sent back to a worker to be read again;
        # the pair run is then kept as pair() keeps it, for the rest and the run's fallback.
        pair, said = await self._once(self._runs, RUNS_KEPT, ("pair+headline", request, runner_up),
                                      lambda: self._call(_pair_and_headline, self.source, request, runner_up))
        self._keep(("pair", request.run_key, runner_up), pair, self._runs, RUNS_KEPT)
        return said

    async def _from_pair(self, request: Request, said: asyncio.Future, guess: asyncio.Future,
                         started: float) -> tuple[Headline, Chart, float] | None:
        """The headline and main chart of the decision's pair run, when it confirms the main
        question as last seen: the run (for the rest and the downloads) need not be waited for.
        None when it does not (then the run decides, as :meth:`_first`)."""
        headline = await said
        if not isinstance(headline, Headline):
            return None
        chart = await guess
        if not isinstance(chart, Chart) or chart.view != headline.view:
            return None
        self._main = headline.view
        self._keep(("headline", request), headline)
        self._keep(("chart", request), chart)
        return headline, chart, time.perf_counter() - started

    async def _guess(self, request: Request, view: View) -> Chart | Invalid | None:
        """The main chart of ``view``, guessed before the run says what it is, from a run of its
        own that counts only P(win) (against the runner-up for a decision's view)."""
        return await self._once(self._views, VIEWS_KEPT, ("quick", request, view),
                                lambda: self._call(compute_quick_chart, self.source, request, view))

    async def _first(self, request: Request, guess, started: float) -> tuple[Headline, Chart, float] | Invalid:
        packed = await self.run(request)
        if isinstance(packed, Invalid):
            return packed
        pair = await self._pair_of(request, packed)
        if isinstance(pair, Invalid):
            return pair
        headline = await self._once(self._views, VIEWS_KEPT, ("headline", request),
                                    lambda: self._call(_headline, packed, pair, request.challenger))
        if isinstance(headline, Invalid):
            return headline
        if request.challenger is None:
            self._main, self._pair_needed = headline.view, packed.needs_pair_run
        chart = None
        if guess is not None and _fits(guess[0], headline.view):
            chart = await guess[1]
        if isinstance(chart, Chart) and chart.view == headline.view:
            self._keep(("chart", request), chart)
        else:
            chart = await self._once(self._views, VIEWS_KEPT, ("chart", request),
                                     lambda: self._call(_main_chart, packed, pair, request.challenger))
        if isinstance(chart, Invalid):
            return chart
        return headline, chart, time.perf_counter() - started

    def _keep(self, key: Hashable, value: Any, cache: OrderedDict | None = None, limit: int = VIEWS_KEPT) -> None:
        """``value`` into ``cache`` (the views), the oldest entries dropped past ``limit``."""
        cache = self._views if cache is None else cache
        cache[key] = value
        while len(cache) > limit:
            cache.popitem(last=False)

    async def rest(self, request: Request) -> Rest | Invalid:
        """The ΔNPC distribution and the cost breakdown of ``request``, side by side on the
        workers (the breakdown runs its own kept samples)."""
        started = time.perf_counter()
        packed = await self.run(request)
        if isinstance(packed, Invalid):
            return packed
        pair = await self._pair_of(request, packed)
        if isinstance(pair, Invalid):
            return pair
        delta, breakdown = await asyncio.gather(
            self._once(self._views, VIEWS_KEPT, ("delta", request),
                       lambda: self._call(_delta, packed, pair, request.challenger)),
            self._once(self._views, VIEWS_KEPT, ("breakdown", request),
                       lambda: self._call(_breakdown, packed, request.challenger)))
        for chart in (delta, breakdown):
            if isinstance(chart, Invalid):
                return chart
        return Rest(delta, breakdown, time.perf_counter() - started)

    async def csvs(self, request: Request) -> bytes:
        """The run's CSVs, zipped (:func:`~ftrag_mc.app.exports.csv_zip`)."""
        return await self._call(_csvs, await self._valid_run(request))

    async def board_pack(self, request: Request, command: str) -> bytes:
        """The run's whole report, zipped (:func:`~ftrag_mc.app.exports.board_pack_zip`)."""
        return await self._call(_board_pack, await self._valid_run(request), command)

    async def _valid_run(self, request: Request) -> Packed:
        packed = await self.run(request)
        if isinstance(packed, Invalid):
            raise ValueError(packed.message)
        return packed

    def warm(self, request: Request | None = None, *, timeout_s: float = 300) -> None:
        """Start every worker now and wait until each has warmed up, not on the first edit; then
        compute ``request``'s headline and chart (the page as it opens) into the cache."""
        for started in [self._pool.submit(int) for _ in range(self.workers)]:
            started.result(timeout=timeout_s)
        if request is None:
            return
        packed = self._pool.submit(compute_run, self.source, request).result(timeout=timeout_s)
        self._runs[("run", request.run_key)] = packed
        if isinstance(packed, Invalid):
            return
        pair = None
        if request.challenger is None and packed.needs_pair_run:
            pair = self._pool.submit(compute_pair_run, self.source, request, packed.runner_up).result(timeout=timeout_s)
            self._runs[("pair", request.run_key, packed.runner_up)] = pair
            if isinstance(pair, Invalid):
                return
        headline = self._pool.submit(_headline, packed, pair, request.challenger)
        chart = self._pool.submit(_main_chart, packed, pair, request.challenger)
        self._views[("headline", request)] = headline.result(timeout=timeout_s)
        self._views[("chart", request)] = chart.result(timeout=timeout_s)
        if isinstance(self._views[("headline", request)], Headline) and request.challenger is None:
            self._main, self._pair_needed = self._views[("headline", request)].view, packed.needs_pair_run

    def close(self) -> None:
        """Stop the workers (work in progress is dropped)."""
        self._pool.shutdown(wait=False, cancel_futures=True)
