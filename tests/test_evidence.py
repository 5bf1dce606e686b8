"""Inputs from evidence against answers from outside the code.

``observed`` is the conjugate Beta posterior, checked against scipy.stats.beta. A paired eval's two
error rates are the aggregated cells of a Dirichlet posterior: their marginals are checked against
the Betas the aggregation property gives, and the joint draw (stick-breaking inside the sampler's
streams) against a direct numpy Dirichlet simulation: the correlation, and the distribution of the
difference. Then the scenario syntax and its one-line errors.
"""

from __future__ import annotations

import math
import pickle

import numpy as np
import pytest
from scipy import stats

from ftrag_mc.distributions import Beta, Observed, PairedEval, parse_distribution
from ftrag_mc.errors import ScenarioError
from ftrag_mc.sampling import InputSampler, parse_rank_correlation
from ftrag_mc.scenario import load_scenario, parse_scenario

# The article's eval: 142 of 200 right prompted (A), 186 of 200 tuned (B); an illustrative split.
SPLIT = (138, 4, 48, 10)  # both right, only A right, only B right, both wrong
ARTICLE = PairedEval("evidence.dsl_eval", ("inputs.prompted_error_rate", "inputs.tuned_error_rate"), SPLIT)
A, B = ARTICLE.inputs


# --- observed: Beta(a + events, b + trials - events) ------------------------------------------


@pytest.mark.parametrize("events, trials, prior", [(14, 200, (1, 1)), (58, 200, (1, 1)), (0, 30, (0.5, 0.5)),
                                                   (30, 30, (0.5, 0.5)), (3, 10, (2, 8)), (5000, 20000, (1, 1))])
def test_observed_is_the_conjugate_beta_posterior(events, trials, prior):
    table = {"dist": "observed", "events": events, "trials": trials, "prior": list(prior)}
    dist = parse_distribution(table, "x")
    ref = stats.beta(prior[0] + events, prior[1] + trials - events)
    assert (dist.alpha, dist.beta) == (prior[0] + events, prior[1] + trials - events)
    u = np.array([1e-9, 1e-4, 0.01, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 1 - 1e-4])
    x = dist.ppf(u)
    # The fast inverse: |cdf(ppf(u)) - u| <= 1e-10 (exact betaincinv in the tails and for shapes < 1).
    np.testing.assert_allclose(ref.cdf(x), u, rtol=0, atol=2e-10)
    np.testing.assert_allclose(dist.cdf(x), ref.cdf(x), rtol=1e-12, atol=1e-15)
    assert dist.median == pytest.approx(ref.median(), rel=1e-7)
    draws = dist.ppf((np.arange(200_000) + 0.5) / 200_000)  # a stratified grid: moments to ~1e-5
    assert draws.mean() == pytest.approx(ref.mean(), rel=1e-4, abs=1e-7)
    assert draws.var() == pytest.approx(ref.var(), rel=2e-3)
    assert dist.support == (0.0, 1.0)


def test_observed_defaults_and_words():
    dist = parse_distribution({"dist": "observed", "events": 14, "trials": 200}, "x")
    assert dist == Observed(14, 200, (1.0, 1.0))
    assert dist.describe() == "beta(15, 187) from 14 of 200 observed"
    # The article's tuned model: 14 errors in 200 items, 93 % right: a median error rate of 7.3 %.
    assert dist.median == pytest.approx(stats.beta(15, 187).median(), rel=1e-9)
    assert dist.median == pytest.approx(0.07285, abs=1e-5)
    jeffreys = parse_distribution({"dist": "observed", "events": 14, "trials": 200, "prior": [0.5, 0.5]}, "x")
    assert (jeffreys.alpha, jeffreys.beta) == (14.5, 186.5)
    truncated = parse_distribution({"dist": "observed", "events": 14, "trials": 200, "truncate": [0, 0.1]}, "x")
    assert truncated.support == (0.0, 0.1)


@pytest.mark.parametrize("table, key, message", [
    ({"events": 201, "trials": 200}, "x.events", "cannot exceed trials"),
    ({"events": -1, "trials": 200}, "x.events", "between 0"),
    ({"events": 2.5, "trials": 200}, "x.events", "whole number"),
    ({"events": 3, "trials": 20.5}, "x.trials", "whole number"),
    ({"events": 0, "trials": 0}, "x.trials", "between 1"),
    ({"events": 0, "trials": 20, "prior": [0, 0]}, "x.prior", "improper posterior"),
    ({"events": 20, "trials": 20, "prior": [1, 0]}, "x.prior", "improper posterior"),
    ({"events": 2, "trials": 20, "prior": [-1, 1]}, "x.prior[0]", "between 0"),
    ({"events": 2, "trials": 20, "prior": [1]}, "x.prior", "two numbers"),
    ({"events": 2, "trials": 20, "prior": 1}, "x.prior", "list of numbers"),
    ({"events": True, "trials": 20}, "x.events", "must be a number"),
    ({"trials": 20}, "x.events", "missing key 'events'"),
    ({"events": 2, "trials": 2e9}, "x.trials", "between 1 and 1,000,000,000"),
    ({"events": 2, "trial": 20}, "x.trial", "did you mean 'trials'"),
])
def test_observed_refuses_bad_counts_naming_the_key(table, key, message):
    with pytest.raises(ScenarioError, match=message) as caught:
        parse_distribution({"dist": "observed", **table}, "x")
    assert caught.value.path == key
    assert "\n" not in str(caught.value)


# --- the paired eval: Dirichlet over four cells ------------------------------------------------


def test_paired_marginals_are_the_aggregated_betas():
    # Posterior Dirichlet(138.5, 4.5, 48.5, 10.5): A wrong = only B right + both wrong, B wrong =
    # only A right + both wrong.
    rate_a, rate_b = ARTICLE.rates()
    assert (rate_a.alpha, rate_a.beta) == (48.5 + 10.5, 138.5 + 4.5) == (59, 143)
    assert (rate_b.alpha, rate_b.beta) == (4.5 + 10.5, 138.5 + 48.5) == (15, 187)
    # With the default 0.5 per cell each marginal is what observed gives for that candidate alone.
    assert (rate_a.alpha, rate_a.beta) == (Observed(58, 200).alpha, Observed(58, 200).beta)
    assert (rate_b.alpha, rate_b.beta) == (Observed(14, 200).alpha, Observed(14, 200).beta)
    assert rate_a.median == Beta(59, 143).median and rate_b.median == Beta(15, 187).median
    assert rate_a.joint is ARTICLE and rate_b.role == "B"
    assert rate_b.describe() == "beta(15, 187): candidate B's error rate in [evidence.dsl_eval]"
    # 1 per cell: the marginal prior is Beta(2, 2), so the shapes move by one each.
    ones = PairedEval("evidence.e", (A, B), SPLIT, prior=1.0)
    assert [(r.alpha, r.beta) for r in ones.rates()] == [(60, 144), (16, 188)]


def test_paired_correlation_is_the_expected_tables_phi():
    total = 202.0
    p00, p_a, p_b = 10.5 / total, 59 / total, 15 / total
    phi = (p00 - p_a * p_b) / math.sqrt(p_a * (1 - p_a) * p_b * (1 - p_b))
    assert ARTICLE.correlation == pytest.approx(phi, rel=1e-14)
    assert ARTICLE.correlation == pytest.approx(0.25407, abs=1e-5)
    # Independent candidates (cells proportional to the product of the margins): no correlation.
    assert PairedEval("evidence.e", (A, B), (600, 200, 150, 50), prior=0).correlation == pytest.approx(0, abs=1e-12)


def _draw(joint: PairedEval, n: int, sampler: str, seed: int = 5) -> dict[str, np.ndarray]:
    return InputSampler(dict(zip(joint.inputs, joint.rates())), n, seed=seed, sampler=sampler).draw(0, n)


@pytest.fixture(scope="module")
def dirichlet():
    """A direct simulation: numpy's Dirichlet over the four cells, then the two sums."""
    cells = np.random.default_rng(20240601).dirichlet(ARTICLE.posterior, 400_000)
    return cells[:, 2] + cells[:, 3], cells[:, 1] + cells[:, 3]


@pytest.mark.parametrize("sampler", ["mc", "lhs", "sobol"])
def test_paired_joint_matches_a_direct_dirichlet_simulation(sampler, dirichlet):
    n = 2**17
    drawn = _draw(ARTICLE, n, sampler)
    theta_a, theta_b = drawn[A], drawn[B]
    ref_a, ref_b = dirichlet
    # Each marginal is its exact Beta (KS against the CDF), and the rates keep 0 <= B's <= 1.
    for x, rate in zip((theta_a, theta_b), ARTICLE.rates()):
        assert stats.kstest(x, rate.cdf).pvalue > 1e-3
        assert 0 < x.min() and x.max() < 1
    # The joint: correlation within Monte Carlo error (sd of a correlation ~ (1 - r^2) / sqrt(n)).
    r = np.corrcoef(theta_a, theta_b)[0, 1]
    assert r == pytest.approx(ARTICLE.correlation, abs=4 * (1 - r**2) / math.sqrt(n))
    assert np.corrcoef(ref_a, ref_b)[0, 1] == pytest.approx(ARTICLE.correlation, abs=0.006)
    # The difference of the two rates, the quantity the choice rests on: its distribution.
    diff, ref_diff = theta_a - theta_b, ref_a - ref_b
    assert stats.ks_2samp(diff, ref_diff).pvalue > 1e-3
    q = [0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99]
    np.testing.assert_allclose(np.quantile(diff, q), np.quantile(ref_diff, q), atol=0.002)
    # Var(A - B) = Var A + Var B - 2 Cov: pairing narrows the difference (its variance here by 22 %).
    var = sum(stats.beta(r.alpha, r.beta).var() for r in ARTICLE.rates())
    cov = ARTICLE.correlation * math.prod(stats.beta(r.alpha, r.beta).std() for r in ARTICLE.rates())
    assert diff.var() == pytest.approx(var - 2 * cov, rel=0.02)
    assert (var - 2 * cov) / var == pytest.approx(0.780, abs=0.001)


@pytest.mark.parametrize("sampler", ["mc", "lhs", "sobol"])
def test_paired_draws_are_the_same_bits_in_any_chunks_and_after_pickling(sampler):
    inputs = {**dict(zip(ARTICLE.inputs, ARTICLE.rates())), "inputs.other": Beta(2, 5)}
    n = 40_000
    whole = InputSampler(inputs, n, seed=9, sampler=sampler)
    assert whole.rows == ("evidence.dsl_eval", "inputs.other", A, B)
    assert whole.uncertain == ("inputs.other", A, B)
    everything = whole.draw(0, n)
    copy = pickle.loads(pickle.dumps(whole))
    for start, stop in ((0, 7), (7, 16_500), (16_500, 33_000), (33_000, n)):
        part = copy.draw(start, stop)
        for name in inputs:
            np.testing.assert_array_equal(part[name], everything[name][start:stop])


def test_a_joint_input_missing_or_correlated_is_refused_by_the_sampler():
    rate_a, _ = ARTICLE.rates()
    with pytest.raises(ValueError, match="not among the inputs"):
        InputSampler({A: rate_a}, 100, seed=1)
    inputs = {**dict(zip(ARTICLE.inputs, ARTICLE.rates())), "inputs.other": Beta(2, 5)}
    corr = parse_rank_correlation([A, "inputs.other"], [[1, 0.5], [0.5, 1]], "m")
    with pytest.raises(ValueError, match="drawn jointly"):
        InputSampler(inputs, 100, seed=1, correlation=corr)


@pytest.mark.parametrize("counts, prior, key, message", [
    ((1, 2, -3, 4), 0.5, "only_b_right", "between 0"),
    ((1, 2, 3.5, 4), 0.5, "only_b_right", "whole number"),
    ((0, 0, 0, 0), 0.5, "both_right", "at least one item"),
    ((10, 0, 3, 4), 0.0, "prior_per_cell", "improper posterior: no items in only_a_right"),
    ((10, 2, 3, 4), -1.0, "prior_per_cell", "between 0"),
])
def test_paired_eval_refuses_bad_counts(counts, prior, key, message):
    with pytest.raises(ScenarioError, match=message) as caught:
        PairedEval("evidence.e", (A, B), counts, prior)
    assert caught.value.path == key


# --- the scenario's [evidence.<name>] ----------------------------------------------------------


def _scenario(evidence: dict | None = None, **extra) -> dict:
    table = {
        "scenario": {"baseline": "prompted"},
        "volume": {"queries_per_month": 40_000},
        "evidence": {"eval": {"error_rates": ["prompted_error_rate", "tuned_error_rate"], "both_right": 138,
                              "only_a_right": 4, "only_b_right": 48, "both_wrong": 10, **(evidence or {})}},
        "strategies": {
            "prompted": {"quality": {"error_rate": "prompted_error_rate", "cost_per_error_usd": 5}},
            "tuned": {"one_time_usd": 20_000,
                      "quality": {"error_rate": "inputs.tuned_error_rate", "cost_per_error_usd": 5}},
        },
    }
    table.update(extra)
    return table


def test_evidence_defines_two_shared_inputs():
    scenario = parse_scenario(_scenario())
    rate_a, rate_b = scenario.inputs["inputs.prompted_error_rate"], scenario.inputs["inputs.tuned_error_rate"]
    assert (rate_a.alpha, rate_a.beta, rate_b.alpha, rate_b.beta) == (59, 143, 15, 187)
    assert rate_a.joint is rate_b.joint and rate_a.joint.name == "evidence.eval"
    assert scenario.strategies["prompted"].quality.error_rate.name == "inputs.prompted_error_rate"
    assert scenario.strategies["tuned"].quality.error_rate.name == "inputs.tuned_error_rate"


@pytest.mark.parametrize("change, key, message", [
    ({"both_wrong": -1}, "evidence.eval.both_wrong", "between 0"),
    ({"both_wrong": 2.5}, "evidence.eval.both_wrong", "whole number"),
    ({"only_a_right": 0, "prior_per_cell": 0}, "evidence.eval.prior_per_cell", "improper posterior"),
    ({"error_rates": ["a"]}, "evidence.eval.error_rates", "two names"),
    ({"error_rates": ["a", "a"]}, "evidence.eval.error_rates[1]", "twice"),
    ({"error_rates": ["a", "b c"]}, "evidence.eval.error_rates[1]", "not a usable input name"),
    ({"error_rates": ["a", "price"]}, "evidence.eval.error_rates[1]", "already a shared input"),
    ({"both_rigth": 1}, "evidence.eval.both_rigth", "did you mean 'both_right'"),
])
def test_evidence_errors_name_the_key(change, key, message):
    table = _scenario(change)
    table["inputs"] = {"price": 3}
    if "both_rigth" in change:
        del table["evidence"]["eval"]["both_right"]
    with pytest.raises(ScenarioError, match=message) as caught:
        parse_scenario(table)
    assert caught.value.path == key


def test_evidence_rates_cannot_be_correlated():
    table = _scenario(inputs={"price": {"dist": "uniform", "min": 1, "max": 2}},
                      correlation={"inputs": ["price", "tuned_error_rate"], "matrix": [[1, 0.3], [0.3, 1]]})
    with pytest.raises(ScenarioError, match="paired eval cannot be correlated") as caught:
        parse_scenario(table)
    assert caught.value.path == "correlation.inputs[1]"


def test_shipped_scenarios_from_eval_counts():
    """The article's counts, as two observed rates and as a paired eval: the same marginals."""
    observed = load_scenario("scenarios/dsl-codegen-eval.toml")
    paired = load_scenario("scenarios/dsl-codegen-paired.toml")
    for name, (alpha, beta) in {"inputs.prompted_error_rate": (59, 143), "inputs.tuned_error_rate": (15, 187)}.items():
        assert (observed.inputs[name].alpha, observed.inputs[name].beta) == (alpha, beta)
        assert (paired.inputs[name].alpha, paired.inputs[name].beta) == (alpha, beta)
        assert observed.inputs[name].median == paired.inputs[name].median
    joint = paired.inputs["inputs.tuned_error_rate"].joint
    assert joint.counts == SPLIT and joint.items == 200
    # The split keeps the article's totals: 142 and 186 of 200 right.
    assert SPLIT[0] + SPLIT[1] == 142 and SPLIT[0] + SPLIT[2] == 186


@pytest.mark.parametrize("sampler", ["mc", "lhs", "sobol"])
def test_a_paired_scenario_gives_the_same_bits_for_any_workers_and_chunks(sampler):
    from ftrag_mc.simulate import simulate

    scenario = load_scenario("scenarios/dsl-codegen-paired.toml")
    n = 2 * 16_384 + 1_000  # three blocks, the last one partial
    one = simulate(scenario, samples=n, seed=21, sampler=sampler, workers=1, keep_samples=True)
    two = simulate(scenario, samples=n, seed=21, sampler=sampler, workers=2, chunk_size=2 * 16_384, keep_samples=True)
    assert set(one.inputs) == set(two.inputs) == set(scenario.uncertain_inputs)
    for name in one.inputs:
        np.testing.assert_array_equal(one.inputs[name], two.inputs[name])
    np.testing.assert_array_equal(one.cumulative_usd, two.cumulative_usd)
    np.testing.assert_array_equal(one.win_counts, two.win_counts)
    # The draws are the joint's: the rates' correlation is the posterior's (within Monte Carlo error).
    r = np.corrcoef(one.inputs["inputs.prompted_error_rate"], one.inputs["inputs.tuned_error_rate"])[0, 1]
    assert r == pytest.approx(ARTICLE.correlation, abs=0.03)


def test_an_observed_rate_may_be_correlated_and_keeps_its_marginal():
    table = _scenario(inputs={"price": {"dist": "uniform", "min": 1, "max": 2},
                              "observed_rate": {"dist": "observed", "events": 14, "trials": 200}},
                      correlation={"inputs": ["price", "observed_rate"], "matrix": [[1, 0.6], [0.6, 1]]})
    scenario = parse_scenario(table)
    sampler = InputSampler(scenario.inputs, 50_000, seed=2, sampler="lhs", correlation=scenario.correlation)
    drawn = sampler.draw(0, 50_000)
    assert stats.kstest(drawn["inputs.observed_rate"], stats.beta(15, 187).cdf).pvalue > 1e-3
    assert stats.spearmanr(drawn["inputs.price"], drawn["inputs.observed_rate"]).statistic == pytest.approx(0.6, abs=0.02)


def test_a_paired_rate_names_its_partner_in_the_sensitivity_notes():
    from ftrag_mc.analysis.inputs import correlated_partners, correlated_with
    from ftrag_mc.report.voi_words import evppi_note

    scenario = load_scenario("scenarios/dsl-codegen-paired.toml")
    partners = correlated_partners(scenario, ["inputs.tuned_error_rate"])
    assert partners == [("inputs.prompted_error_rate", pytest.approx(ARTICLE.correlation, rel=1e-12))]
    assert correlated_with(scenario, partners) == "Prompted error rate (paired eval, ρ = +0.25)"
    assert evppi_note(scenario, ["inputs.tuned_error_rate"]).startswith(
        "correlated with the prompted error rate (paired eval, correlation +0.25): this value includes")
    assert correlated_partners(scenario, ["inputs.tuned_error_rate", "inputs.prompted_error_rate"]) == []
    assert correlated_partners(load_scenario("scenarios/dsl-codegen-eval.toml"), ["inputs.tuned_error_rate"]) == []
