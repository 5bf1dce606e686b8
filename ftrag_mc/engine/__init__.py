"""Where a run's blocks of samples are computed: :mod:`~ftrag_mc.engine.blocks` is what one block
runs and returns, :mod:`~ftrag_mc.engine.local` runs blocks here or on forked worker processes,
:mod:`~ftrag_mc.engine.dask` as tasks on a dask.distributed cluster. Both engines yield the blocks'
statistics in block order, so :func:`ftrag_mc.simulate.simulate` merges the same bits from either.
"""
