"""Run a simulation's blocks as dask.distributed tasks and stream their statistics back in order.

The plan (scenario, seed, sampler) is scattered once to every worker; each task runs a few
consecutive blocks with :func:`ftrag_mc.engine.blocks.run_blocks` and returns their statistics merged.
Tasks are gathered in block order, so the result is the same bits as the local engine's. At most
``2 x workers`` tasks are in flight, which bounds the client's memory.

Needs ``pip install 'ftrag-mc[dask]'``. Without ``scheduler`` a ``LocalCluster`` of worker
processes (one thread each, one per CPU) is started and closed around the run.
"""

from __future__ import annotations

from collections import deque
from contextlib import contextmanager
from typing import Iterator

from ftrag_mc.engine.blocks import BlockStats, Plan, run_blocks
from ftrag_mc.engine.local import default_workers


@contextmanager
def _client(scheduler: str | None):
    from dask.distributed import Client, LocalCluster

    if scheduler is not None:
        with Client(scheduler) as client:
            yield client
        return
    with LocalCluster(n_workers=default_workers(), threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster, Client(cluster) as client:
        yield client


def dask_blocks(plan: Plan, blocks: range, blocks_per_task: int, scheduler: str | None) -> Iterator[BlockStats]:
    """Statistics of ``blocks``, computed on a Dask cluster, yielded in block order."""
    tasks = [list(blocks[i:i + blocks_per_task]) for i in range(0, len(blocks), blocks_per_task)]
    with _client(scheduler) as client:
        window = 2 * max(1, len(client.scheduler_info().get("workers", {})) or 1)
        [remote_plan] = client.scatter([plan], broadcast=True)
        pending: deque = deque()
        queue = iter(tasks)
        try:
            for task in queue:
                pending.append(client.submit(run_blocks, remote_plan, task, pure=False))
                if len(pending) >= window:
                    break
            while pending:
                stats = pending.popleft().result()
                task = next(queue, None)
                if task is not None:
                    pending.append(client.submit(run_blocks, remote_plan, task, pure=False))
                yield stats
        finally:
            for future in pending:
                future.cancel()


__all__ = ["dask_blocks"]
