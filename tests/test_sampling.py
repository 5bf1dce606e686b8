"""Seeds, addressed streams, samplers and rank correlation.

Determinism is pinned as properties (same seed same bits, any partition same bits, pickled copies
and threads same bits) and against independently computed stream addresses, never against bits
that the code itself produced.
"""

from __future__ import annotations

import hashlib
import math
import os
import pickle
import subprocess
import sys
import threading
import tracemalloc
import warnings
from concurrent.futures import ThreadPoolExecutor
from fractions import Fraction

import numpy as np
import pytest
from scipy import stats
from numpy.random.bit_generator import ISeedSequence
from scipy.stats import qmc

from ftrag_mc.distributions import Choice, Exponential, Lognormal, Normal, Pert, Uniform, fixed
from ftrag_mc.errors import ScenarioError
from ftrag_mc.sampling import (
    BLOCK_SIZE,
    SAMPLERS,
    U_MAX,
    U_MIN,
    InputSampler,
    normalize_seed,
    parse_rank_correlation,
    stream_rng,
)
from ftrag_mc.sampling.samplers import _permutation_keys, _permute

N = 17_000  # crosses the first block boundary and is not a power of 2
assert BLOCK_SIZE < N < 2 * BLOCK_SIZE

INPUTS = {
    "cost.run_usd": Pert(40, 100, 200),
    "volume.growth": Normal(0.05, 0.02),
    "price.usd_per_mtok": Lognormal.from_interval(0.5, 4),
    "team.size": fixed(3),
    "eol.years": Exponential(5),
    "tier": Choice((1.0, 2.0, 3.0), (0.2, 0.5, 0.3)),
}
CORRELATION = parse_rank_correlation(
    ["cost.run_usd", "volume.growth", "team.size", "price.usd_per_mtok"],
    [[1, 0.6, 0, -0.3], [0.6, 1, 0, 0.2], [0, 0, 1, 0], [-0.3, 0.2, 0, 1]],
    "correlation.matrix",
)


def sizes_partition(n: int, size: int) -> list[tuple[int, int]]:
    return [(start, min(start + size, n)) for start in range(0, n, size)]


def irregular_partition(n: int) -> list[tuple[int, int]]:
    """Random cuts plus single-sample chunks on both sides of each block boundary."""
    cuts = set(np.random.default_rng(5).integers(1, n, 40).tolist())
    for boundary in range(BLOCK_SIZE, n, BLOCK_SIZE):
        cuts |= {boundary - 1, boundary, boundary + 1}
    edges = [0, *sorted(cuts), n]
    return list(zip(edges[:-1], edges[1:]))


def concat_draws(sampler: InputSampler, parts: list[tuple[int, int]]) -> dict[str, np.ndarray]:
    chunks = [sampler.draw(start, stop) for start, stop in parts]
    return {name: np.concatenate([c[name] for c in chunks]) for name in sampler.inputs}


# ---------------------------------------------------------------------------------- seeds


def test_normalize_seed():
    assert normalize_seed(42) == 42
    assert normalize_seed(np.uint32(7)) == 7
    fresh = normalize_seed(None)
    assert isinstance(fresh, int) and fresh >= 0
    for bad in (-1, True, 1.5, "3"):
        with pytest.raises(ValueError):
            normalize_seed(bad)  # type: ignore[arg-type]


class _Words(ISeedSequence):
    """Hands PCG64 fixed state words, as the documented derivation says."""

    def __init__(self, digest: bytes):
        self.digest = digest

    def generate_state(self, n_words, dtype=np.uint32):
        return np.frombuffer(self.digest, dtype=np.dtype(dtype).newbyteorder("<"), count=n_words)


def test_stream_address_is_the_documented_derivation():
    digest = hashlib.blake2b(b"cost.run_usd", digest_size=8).digest()
    words = (int.from_bytes(digest[:4], "little"), int.from_bytes(digest[4:], "little"))
    purpose = int.from_bytes(hashlib.blake2b(b"mc", digest_size=8).digest()[:4], "little")
    root = np.random.SeedSequence(42, spawn_key=(*words, purpose))
    key = root.generate_state(8, np.uint32).astype("<u4").tobytes()
    block = hashlib.blake2b((3).to_bytes(8, "little"), key=key, digest_size=32).digest()
    expected = np.random.Generator(np.random.PCG64(_Words(block)))
    np.testing.assert_array_equal(
        stream_rng(42, "cost.run_usd", "mc", 3).random(10), expected.random(10)
    )


def test_streams_differ_by_every_part_of_the_address():
    base = stream_rng(1, "a.b", "mc", 5).random(4)
    for other in [(2, "a.b", "mc", 5), (1, "a.c", "mc", 5), (1, "a.b", "lhs", 5),
                  (1, "a.b", "mc", 6), (1, "a.b", "mc", 0), (1, "a.b", "mc", 2**64 - 1)]:
        assert not np.array_equal(stream_rng(*other).random(4), base), other
    np.testing.assert_array_equal(stream_rng(1, "a.b", "mc", 5).random(4), base)
    for bad in (-1, 2**64):
        with pytest.raises(ValueError, match="block"):
            stream_rng(1, "a.b", "mc", bad)


def test_mc_block_is_the_addressed_stream():
    sampler = InputSampler({"x": Uniform(0, 1)}, 3 * BLOCK_SIZE, seed=9)
    block1 = stream_rng(9, "x", "mc", 1).random(BLOCK_SIZE)
    u = sampler.draw_uniforms(BLOCK_SIZE, 2 * BLOCK_SIZE)[0]
    np.testing.assert_array_equal(u, np.clip(block1, U_MIN, U_MAX))


@pytest.mark.parametrize("kind", SAMPLERS)
def test_same_seed_same_draws_other_seed_other_draws(kind):
    a = InputSampler(INPUTS, 1000, seed=123, sampler=kind).draw(0, 1000)
    b = InputSampler(INPUTS, 1000, seed=123, sampler=kind).draw(0, 1000)
    c = InputSampler(INPUTS, 1000, seed=124, sampler=kind).draw(0, 1000)
    for name in INPUTS:
        np.testing.assert_array_equal(a[name], b[name])
    for name in ("cost.run_usd", "volume.growth", "eol.years"):
        assert not np.array_equal(a[name], c[name])


@pytest.mark.parametrize("kind", ["mc", "lhs"])
def test_inputs_get_independent_streams(kind):
    inputs = {"a": Uniform(0, 1), "b": Uniform(0, 1)}
    d = InputSampler(inputs, 20_000, seed=1, sampler=kind).draw(0, 20_000)
    assert abs(stats.spearmanr(d["a"], d["b"])[0]) < 0.03  # 4 standard errors


@pytest.mark.parametrize("kind", SAMPLERS)
def test_a_block_deep_in_a_large_run_is_uniform_and_independent(kind):
    n_total, start = 10_000_000, 9_000_000  # start is not a block boundary
    inputs = {"a": Uniform(0, 1), "b": Uniform(0, 1), "c": Uniform(0, 1)}
    u = InputSampler(inputs, n_total, seed=8, sampler=kind).draw_uniforms(start, start + 20_000)
    for row in u:
        assert stats.kstest(row, "uniform").pvalue > 1e-4
    rho = stats.spearmanr(u.T).statistic
    assert np.abs(rho[np.triu_indices(3, 1)]).max() < 4 / np.sqrt(u.shape[1])


# ------------------------------------------------------------------------- chunk invariance


@pytest.mark.parametrize("kind", SAMPLERS)
@pytest.mark.parametrize("correlated", [False, True], ids=["independent", "correlated"])
def test_any_partition_gives_the_same_bytes(kind, correlated):
    sampler = InputSampler(
        INPUTS, N, seed=2024, sampler=kind, correlation=CORRELATION if correlated else None
    )
    whole = sampler.draw(0, N)
    partitions = {
        size: sizes_partition(N, size) for size in (7, BLOCK_SIZE, 10_000, N)
    } | {"irregular": irregular_partition(N)}
    for label, parts in partitions.items():
        got = concat_draws(sampler, parts)
        for name in INPUTS:
            assert np.array_equal(got[name], whole[name]), (label, name)
            assert got[name].dtype == np.float64


@pytest.mark.parametrize("kind", SAMPLERS)
@pytest.mark.parametrize("correlated", [False, True], ids=["independent", "correlated"])
def test_single_sample_chunks_give_the_same_bytes(kind, correlated):
    n = 300
    sampler = InputSampler(
        INPUTS, n, seed=77, sampler=kind, correlation=CORRELATION if correlated else None
    )
    whole = sampler.draw(0, n)
    got = concat_draws(sampler, sizes_partition(n, 1))
    for name in INPUTS:
        assert np.array_equal(got[name], whole[name]), name


def test_empty_range_and_bad_ranges():
    sampler = InputSampler(INPUTS, 100, seed=1, sampler="sobol")
    assert all(v.shape == (0,) for v in sampler.draw(50, 50).values())
    for start, stop in [(-1, 5), (5, 4), (0, 101)]:
        with pytest.raises(ValueError):
            sampler.draw(start, stop)


def test_constructor_rejects_bad_arguments():
    with pytest.raises(ValueError, match="sampler must be one of"):
        InputSampler(INPUTS, 10, seed=1, sampler="halton")
    with pytest.raises(ValueError, match="n_total"):
        InputSampler(INPUTS, 0, seed=1)
    with pytest.raises(ValueError, match="seed"):
        InputSampler(INPUTS, 10, seed=-3)
    unknown = parse_rank_correlation(["a", "zzz"], [[1, 0.1], [0.1, 1]], "correlation.matrix")
    with pytest.raises(ValueError, match="zzz"):
        InputSampler({"a": Uniform(0, 1)}, 10, seed=1, correlation=unknown)


# -------------------------------------------------------------------------- samplers


@pytest.mark.parametrize("kind", ["mc", "lhs"])
def test_adding_an_input_leaves_existing_draws_unchanged(kind):
    before = InputSampler(INPUTS, 2000, seed=5, sampler=kind).draw(0, 2000)
    more = {**INPUTS, "aaa.new": Uniform(0, 1), "zzz.new": Normal(0, 1)}
    after = InputSampler(more, 2000, seed=5, sampler=kind).draw(0, 2000)
    for name in INPUTS:
        np.testing.assert_array_equal(before[name], after[name])


def test_correlating_inputs_leaves_the_others_unchanged():
    plain = InputSampler(INPUTS, 2000, seed=5).draw(0, 2000)
    correlated = InputSampler(INPUTS, 2000, seed=5, correlation=CORRELATION).draw(0, 2000)
    for name in ("eol.years", "tier", "team.size"):
        np.testing.assert_array_equal(plain[name], correlated[name])
    assert not np.array_equal(plain["volume.growth"], correlated["volume.growth"])


@pytest.mark.parametrize("n", [1, 2, 3, 7, 10, 1000, 4096, 4097, 65_536 + 5])
def test_lhs_puts_one_point_in_each_stratum(n):
    sampler = InputSampler({"a": Uniform(0, 1), "b": Pert(0, 1, 2)}, n, seed=11, sampler="lhs")
    u = sampler.draw_uniforms(0, n)
    for row in u:
        np.testing.assert_array_equal(np.sort(np.floor(row * n)), np.arange(n))
    # The same in exact arithmetic, on a sample of points: k/n <= u < (k+1)/n.
    for value in u[:, :: max(1, n // 500)].ravel().tolist():
        stratum = math.floor(Fraction(value) * n)
        assert Fraction(stratum, n) <= Fraction(value) < Fraction(stratum + 1, n)
    # Uniform(0, 1) passes the uniforms straight through.
    np.testing.assert_array_equal(sampler.draw(0, n)["a"], u[0])


@pytest.mark.parametrize("n", [1, 2, 3, 7, 1000, 4096, 4097, 65_536, 65_536 + 5])
def test_lhs_index_permutation_is_a_permutation_of_any_size(n):
    keys = _permutation_keys(3, ["a", "b", "c"])
    perm = _permute(0, n, keys, n)
    assert perm.shape == (3, n)
    for row in perm:
        np.testing.assert_array_equal(np.sort(row), np.arange(n))
    assert n < 100 or not np.array_equal(perm[0], perm[1])  # keyed per input
    cuts = [0, n // 3, n // 3 + 1, n]
    pieces = [_permute(a, b, keys, n) for a, b in zip(cuts[:-1], cuts[1:])]
    np.testing.assert_array_equal(np.concatenate(pieces, axis=1), perm)


def test_lhs_index_permutation_beyond_32_bits_stays_in_range_and_distinct():
    n = 2**40 + 12_345  # the uint64 path
    keys = _permutation_keys(3, ["a"])
    values = np.concatenate([_permute(0, 50_000, keys, n), _permute(n - 50_000, n, keys, n)], 1)
    assert values.dtype == np.uint64 and int(values.max()) < n
    assert np.unique(values).size == values.size


def test_lhs_index_permutation_looks_random():
    n = 10_000_000
    perm = _permute(3 * BLOCK_SIZE, 3 * BLOCK_SIZE + 40_000, _permutation_keys(5, ["a", "b"]), n)
    u = (perm + 0.5) / n
    # Uniform over the whole range, even for consecutive indices, and no serial dependence.
    assert stats.kstest(u[0], "uniform").pvalue > 1e-4
    for x, y in [(u[0], u[1]), (u[0][:-1], u[0][1:]), (u[1][:-7], u[1][7:])]:
        counts = np.histogram2d(x, y, bins=20, range=[[0, 1], [0, 1]])[0]
        assert stats.chisquare(counts.ravel()).pvalue > 1e-4


def test_lhs_chunks_spanning_several_blocks_give_the_same_bytes():
    n = 3 * BLOCK_SIZE + 5
    sampler = InputSampler(INPUTS, n, seed=6, sampler="lhs", correlation=CORRELATION)
    got = concat_draws(sampler, [(0, 5), (5, 3 * BLOCK_SIZE + 1), (3 * BLOCK_SIZE + 1, n)])
    whole = sampler.draw(0, n)
    for name in INPUTS:
        assert np.array_equal(got[name], whole[name]), name


@pytest.mark.parametrize(
    ("start", "stop"), [(1, 8), (0, 3), (8191, 8194), (100, 10_100), (16_999, N)]
)
def test_sobol_fast_forward_equals_slicing_one_sequence(start, stop):
    def engine():
        return qmc.Sobol(d=3, scramble=True, rng=np.random.default_rng(np.random.SeedSequence(1)))

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        whole = engine().random(N)
        chunk_engine = engine()
        if start:
            chunk_engine.fast_forward(start)
        np.testing.assert_array_equal(chunk_engine.random(stop - start), whole[start:stop])


def test_sobol_sampler_is_one_scrambled_sequence_without_warnings():
    sampler = InputSampler(INPUTS, 1000, seed=31, sampler="sobol")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the power-of-2 warning must not escape
        u = sampler.draw_uniforms(0, 1000)
        sampler.draw(10, 999)
    assert u.shape == (len(sampler.uncertain), 1000)
    # The documented address: one engine seeded from SeedSequence(seed, spawn_key=(sobol word,)).
    word = int.from_bytes(hashlib.blake2b(b"sobol", digest_size=8).digest()[:4], "little")
    root = np.random.SeedSequence(31, spawn_key=(word,))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        one_shot = qmc.Sobol(d=u.shape[0], rng=np.random.default_rng(root)).random(1000)
    np.testing.assert_array_equal(u, np.clip(one_shot.T, U_MIN, U_MAX))
    assert sampler.uncertain == tuple(sorted(set(INPUTS) - {"team.size"}))
    # Low discrepancy: much more even than random points (centred L2 discrepancy).
    random_u = np.random.default_rng(0).random((1000, u.shape[0]))
    assert qmc.discrepancy(u.T) < 0.2 * qmc.discrepancy(random_u)


def test_sobol_positioning_equals_fast_forward():
    n_total = 3_000_000
    sampler = InputSampler({"a": Uniform(0, 1), "b": Normal(0, 1)}, n_total, seed=13,
                           sampler="sobol")
    word = int.from_bytes(hashlib.blake2b(b"sobol", digest_size=8).digest()[:4], "little")
    for start in (1, 2, 5, 1023, BLOCK_SIZE, 3 * BLOCK_SIZE + 7, n_total - 1000):
        root = np.random.SeedSequence(13, spawn_key=(word,))
        expected = qmc.Sobol(d=2, rng=np.random.default_rng(root)).fast_forward(start).random(1000)
        np.testing.assert_array_equal(
            sampler.draw_uniforms(start, start + 1000), np.clip(expected.T, U_MIN, U_MAX)
        )


@pytest.mark.parametrize("kind", SAMPLERS)
def test_sampler_pickles_small_and_draws_the_same_bits(kind):
    def build(n_total):
        return InputSampler(INPUTS, n_total, seed=21, sampler=kind, correlation=CORRELATION)

    small, large = build(1000), build(10_000_000)
    size = len(pickle.dumps(large))
    assert size < 10_000
    assert abs(size - len(pickle.dumps(small))) < 16  # only n_total's digits differ
    before = large.draw(5_000_000, 5_000_000 + 3000)
    assert len(pickle.dumps(large)) == size  # drawing caches nothing
    copy = pickle.loads(pickle.dumps(large))
    after = copy.draw(5_000_000, 5_000_000 + 3000)
    for name in INPUTS:
        assert np.array_equal(before[name], after[name]), name


def test_another_process_draws_the_same_bits_from_a_pickled_sampler():
    samplers = [
        InputSampler(INPUTS, 100_000, seed=12, sampler=kind, correlation=CORRELATION)
        for kind in SAMPLERS
    ]
    script = (
        "import pickle, sys\n"
        "samplers = pickle.loads(sys.stdin.buffer.read())\n"
        "draws = [s.draw(60_000, 61_000) for s in samplers]\n"
        "sys.stdout.buffer.write(pickle.dumps(draws))\n"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}  # str hashes differ from this process's
    result = subprocess.run(
        [sys.executable, "-c", script], input=pickle.dumps(samplers), capture_output=True,
        env=env, check=True, timeout=60,
    )
    for sampler, theirs in zip(samplers, pickle.loads(result.stdout)):
        ours = sampler.draw(60_000, 61_000)
        for name in INPUTS:
            assert np.array_equal(ours[name], theirs[name]), (sampler.sampler, name)


@pytest.mark.parametrize("kind", SAMPLERS)
def test_draw_memory_does_not_grow_with_n_total(kind):
    inputs = {f"x{i}": Uniform(0, 1) for i in range(4)}
    sampler = InputSampler(inputs, 100_000_000, seed=2, sampler=kind)
    tracemalloc.start()
    try:
        sampler.draw(70_000_000 + 3, 70_000_000 + 1003)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    # About one block per input (4 x 16384 x 8 bytes = 0.5 MB); a column would be 800 MB.
    assert peak < 4 * BLOCK_SIZE * 8 * 3


@pytest.mark.parametrize("kind", SAMPLERS)
def test_draw_mutates_nothing_shared(kind):
    """What makes concurrent draws safe: a draw leaves the sampler exactly as it was."""
    sampler = InputSampler(INPUTS, 50_000, seed=4, sampler=kind, correlation=CORRELATION)

    def snapshot():
        engine = sampler._sobol
        extra = None if engine is None else (engine.num_generated, engine._quasi.tobytes())
        return pickle.dumps(sampler), extra

    before = snapshot()
    for start, stop in [(0, 10), (7, 20_000), (40_000, 50_000)]:
        sampler.draw(start, stop)
    assert snapshot() == before


@pytest.mark.parametrize("kind", SAMPLERS)
def test_two_threads_drawing_disjoint_ranges_give_the_same_bits(kind):
    n = BLOCK_SIZE + 2000
    sampler = InputSampler(INPUTS, n, seed=17, sampler=kind, correlation=CORRELATION)
    whole = sampler.draw(0, n)
    parts = sizes_partition(n, 97)
    barrier = threading.Barrier(2)

    def draw(part):
        if part[0] < 2 * 97:  # line the two threads up at the start
            barrier.wait(timeout=10)
        return sampler.draw(*part)

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible
    try:
        with ThreadPoolExecutor(max_workers=2) as pool:
            chunks = list(pool.map(draw, parts))
    finally:
        sys.setswitchinterval(interval)
    for name in INPUTS:
        got = np.concatenate([chunk[name] for chunk in chunks])
        assert np.array_equal(got, whole[name]), name


@pytest.mark.parametrize("kind", SAMPLERS)
def test_uniforms_are_strictly_inside_the_unit_interval(kind):
    sampler = InputSampler(INPUTS, 5000, seed=3, sampler=kind, correlation=CORRELATION)
    u = sampler.draw_uniforms(0, 5000)
    assert u.min() >= U_MIN and u.max() <= U_MAX
    assert all(np.isfinite(v).all() for v in sampler.draw(0, 5000).values())


def test_constants_are_broadcast_without_uniforms():
    sampler = InputSampler({"k": fixed(2.5), "one": Choice((7.0,)), "x": Uniform(0, 1)}, 50, seed=1)
    assert sampler.uncertain == ("x",)
    d = sampler.draw(10, 20)
    np.testing.assert_array_equal(d["k"], np.full(10, 2.5))
    np.testing.assert_array_equal(d["one"], np.full(10, 7.0))
    assert list(d) == ["k", "one", "x"]
    empty = InputSampler({"k": fixed(1)}, 5, seed=1, sampler="sobol")
    np.testing.assert_array_equal(empty.draw(0, 5)["k"], np.ones(5))


# ----------------------------------------------------------------------- correlation


@pytest.mark.parametrize("kind", SAMPLERS)
def test_copula_hits_target_spearman_and_keeps_marginals(kind):
    n = 20_000
    inputs = {"a": Pert(0, 0.02, 0.06), "b": Lognormal.from_interval(0.5, 4), "c": Normal(3, 1)}
    target = np.array([[1, 0.7, -0.4], [0.7, 1, -0.1], [-0.4, -0.1, 1]])
    corr = parse_rank_correlation(["a", "b", "c"], target.tolist(), "correlation.matrix")
    draws = InputSampler(inputs, n, seed=99, sampler=kind, correlation=corr).draw(0, n)
    achieved = stats.spearmanr(np.column_stack([draws[k] for k in "abc"])).statistic
    np.testing.assert_allclose(achieved, target, atol=0.02)
    for name, dist in inputs.items():
        assert stats.kstest(draws[name], dist.cdf).pvalue > 0.001, name


def test_constant_in_correlation_is_skipped():
    matrix = [[1, 0.5, 0.5], [0.5, 1, 0.5], [0.5, 0.5, 1]]
    corr = parse_rank_correlation(["a", "k", "b"], matrix, "correlation.matrix")
    inputs = {"a": Uniform(0, 1), "k": fixed(4), "b": Uniform(0, 1)}
    d = InputSampler(inputs, 20_000, seed=4, correlation=corr).draw(0, 20_000)
    assert stats.spearmanr(d["a"], d["b"]).statistic == pytest.approx(0.5, abs=0.02)
    only_one = InputSampler({"a": Uniform(0, 1), "k": fixed(4), "b": fixed(1)}, 10, seed=4,
                            correlation=corr)
    np.testing.assert_array_equal(
        only_one.draw(0, 10)["a"], InputSampler({"a": Uniform(0, 1)}, 10, seed=4).draw(0, 10)["a"]
    )


def test_parsed_matrix_is_symmetric_and_read_only():
    corr = parse_rank_correlation(["a", "b"], [[1, 0.3], [0.3 + 1e-13, 1]], "m")
    assert corr.names == ("a", "b")
    np.testing.assert_array_equal(corr.matrix, corr.matrix.T)
    with pytest.raises(ValueError):
        corr.matrix[0, 1] = 0.9
    # Spearman 1/2 corresponds to a normal correlation of 2 sin(π/12).
    assert corr.normal_correlation()[0, 0] == pytest.approx(1.0)


BAD_CORRELATIONS = [
    # (names, matrix, path, fragment)
    (["a"], [[1]], "correlation.inputs", "at least two"),
    ("ab", [[1, 0], [0, 1]], "correlation.inputs", "list of input names"),
    (["a", "a"], [[1, 0], [0, 1]], "correlation.inputs[1]", "listed twice"),
    (["a", 3], [[1, 0], [0, 1]], "correlation.inputs[1]", "must be strings"),
    (["a", "b"], [[1, 0]], "correlation.matrix", "list of 2 rows"),
    (["a", "b"], 0.5, "correlation.matrix", "list of 2 rows"),
    (["a", "b"], [[1, 0], [0, 1, 0]], "correlation.matrix[1]", "2 entries"),
    (["a", "b"], [[1, 0], [True, 1]], "correlation.matrix[1][0]", "must be a number"),
    (["a", "b"], [[1, "0"], [0, 1]], "correlation.matrix[0][1]", "must be a number"),
    (["a", "b"], [[1, float("nan")], [0, 1]], "correlation.matrix[0][1]", "finite"),
    (["a", "b"], [[1, 0.5], [0.4, 1]], "correlation.matrix[1][0]", "symmetric"),
    (["a", "b"], [[0.9, 0], [0, 1]], "correlation.matrix[0][0]", "diagonal"),
    (["a", "b"], [[1, 1.5], [1.5, 1]], "correlation.matrix[1][0]", "[-1, 1]"),
    (["a", "b"], [[1, 1], [1, 1]], "correlation.matrix", "not positive definite"),
    (
        ["a", "b", "c"],
        [[1, 0.9, -0.9], [0.9, 1, 0.9], [-0.9, 0.9, 1]],
        "correlation.matrix",
        "not positive definite: the correlations are inconsistent",
    ),
]


@pytest.mark.parametrize(("names", "matrix", "path", "fragment"), BAD_CORRELATIONS)
def test_invalid_correlation_names_the_key(names, matrix, path, fragment):
    with pytest.raises(ScenarioError) as info:
        parse_rank_correlation(names, matrix, "correlation.matrix", names_path="correlation.inputs")
    assert info.value.path == path
    assert fragment in info.value.message
    assert not info.value.message.endswith(".")


def test_name_errors_fall_back_to_the_matrix_path():
    with pytest.raises(ScenarioError) as info:
        parse_rank_correlation(["a", "a"], [[1, 0], [0, 1]], "correlation.matrix")
    assert info.value.path == "correlation.matrix"
    assert "'a'" in info.value.message
