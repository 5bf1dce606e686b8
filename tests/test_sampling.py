"""Seeds, addressed streams, samplers and rank correlation: determinism pinned bit for bit."""

from __future__ import annotations

import hashlib
import warnings

import numpy as np
import pytest
from scipy import stats
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

N = 17_000  # crosses two mc block boundaries (8192, 16384) and is not a power of 2

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


def test_stream_address_is_the_documented_spawn_key():
    digest = hashlib.blake2b(b"cost.run_usd", digest_size=8).digest()
    words = (int.from_bytes(digest[:4], "little"), int.from_bytes(digest[4:], "little"))
    purpose = int.from_bytes(hashlib.blake2b(b"mc", digest_size=8).digest()[:4], "little")
    expected = np.random.default_rng(np.random.SeedSequence(42, spawn_key=(*words, purpose, 3)))
    np.testing.assert_array_equal(
        stream_rng(42, "cost.run_usd", "mc", 3).random(10), expected.random(10)
    )


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


def test_inputs_get_independent_streams():
    d = InputSampler({"a": Uniform(0, 1), "b": Uniform(0, 1)}, 20_000, seed=1).draw(0, 20_000)
    assert abs(stats.spearmanr(d["a"], d["b"])[0]) < 0.03


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


@pytest.mark.parametrize("n", [1, 10, 1000, 4096])
def test_lhs_puts_one_point_in_each_stratum(n):
    sampler = InputSampler({"a": Uniform(0, 1), "b": Pert(0, 1, 2)}, n, seed=11, sampler="lhs")
    u = sampler.draw_uniforms(0, n)
    for row in u:
        np.testing.assert_array_equal(np.sort(np.floor(row * n)), np.arange(n))
    # Uniform(0, 1) passes the uniforms straight through.
    np.testing.assert_array_equal(sampler.draw(0, n)["a"], u[0])


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
