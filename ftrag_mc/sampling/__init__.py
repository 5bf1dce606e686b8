"""Seeds, addressed random streams, uniforms, rank correlation and the three samplers.

The path for every input is: uniforms in (0, 1) → (optionally) a Gaussian copula that imposes
Spearman rank correlations → the input's inverse CDF. Uniforms come from streams *addressed* by
(seed, input name, purpose, block) rather than consumed in order, so one user seed reproduces a
run bit for bit whatever the chunk size, thread or worker process, and adding an input leaves the
draws of the others unchanged (for ``mc`` and ``lhs``). numpy's ``random/parallel.rst`` explains
why ``seed + i`` would not be safe; a ``SeedSequence(seed, spawn_key=...)`` per (seed, name,
purpose), then a keyed BLAKE2b of the block number per block (see :func:`stream_rng`), is.

Every sampler draws samples ``[start, stop)`` in O(stop - start) time and memory, plus at most
one block of ``BLOCK_SIZE`` samples per input; nothing is kept between calls, so memory is flat
in the number of samples, an :class:`InputSampler` pickles small, and two threads may draw
disjoint ranges at once (:mod:`~ftrag_mc.sampling.samplers` says how each sampler does it).

Modules: :mod:`~ftrag_mc.sampling.streams` (seeds and addressed streams),
:mod:`~ftrag_mc.sampling.correlation` (the rank correlations a scenario asks for) and
:mod:`~ftrag_mc.sampling.samplers` (:class:`InputSampler`: MC, LHS and Sobol' uniforms, the copula,
the marginals) and :mod:`~ftrag_mc.sampling.paths` (the month-to-month steps of a noisy volume path).
"""

from ftrag_mc.sampling.correlation import RankCorrelation, parse_rank_correlation
from ftrag_mc.sampling.paths import draw_volume_steps
from ftrag_mc.sampling.samplers import SAMPLERS, U_MAX, U_MIN, InputSampler
from ftrag_mc.sampling.streams import BLOCK_SIZE, normalize_seed, stream_rng

__all__ = [
    "BLOCK_SIZE",
    "SAMPLERS",
    "U_MAX",
    "U_MIN",
    "InputSampler",
    "RankCorrelation",
    "draw_volume_steps",
    "normalize_seed",
    "parse_rank_correlation",
    "stream_rng",
]
