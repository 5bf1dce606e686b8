"""The value of an eval of n items on a scenario's input, against answers known from outside the code.

Scenarios built so that the net benefit is linear in the error rates, everything else fixed, have an
exact EVSI: beta-binomial for one ``observed`` rate (``evsi_beta_binomial_exact``), and a brute-force
preposterior simulation written here for a paired eval (Dirichlet cells, multinomial counts,
conjugate posterior means). The whole path (scenario -> simulate -> compute_pilot_evsi) must find
them within its Monte Carlo interval (widened by half, as in test_evsi: about 3 standard errors).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from ftrag_mc.analysis.evsi import evppi_beta_exact, evsi_beta_binomial_exact
from ftrag_mc.analysis.pilot import (
    DEFAULT_SIZES, MAX_ITEMS, PairedData, PilotStudy, compute_pilot_evsi, parse_sizes, resolve_pilot,
)
from ftrag_mc.report.evidence_text import pilot_finding, pilot_headline, pilot_lines
from ftrag_mc.scenario import load_scenario, parse_scenario
from ftrag_mc.simulate import simulate

WIDEN = 1.5
# 5,000 queries a month for 12 months at $5 an error: each point of error rate costs $3,000 over the
# horizon (b = 300,000 per unit of rate); the fine-tune costs K once and makes no errors counted here.
QUERIES, MONTHS, COST_PER_ERROR = 5_000, 12, 5.0
SLOPE = QUERIES * MONTHS * COST_PER_ERROR


def within(value: float, estimate: float, low: float, high: float, widen: float = WIDEN) -> bool:
    return estimate - widen * (estimate - low) <= value <= estimate + widen * (high - estimate)


def _linear(prompted_rate, tuned: dict, extra: dict | None = None) -> dict:
    """Two strategies whose NPC difference is linear in the error rates: no growth, no discounting."""
    return {
        "scenario": {"baseline": "prompted", "horizon_months": MONTHS},
        "volume": {"queries_per_month": QUERIES},
        "simulation": {"samples": 20_000, "seed": 11},
        "strategies": {"prompted": {"quality": {"error_rate": prompted_rate, "cost_per_error_usd": COST_PER_ERROR}},
                       "tuned": tuned},
        **(extra or {}),
    }


@pytest.fixture(scope="module")
def observed_run():
    # The prompted error rate from 14 errors in 200 items: Beta(15, 187), mean 0.0743. The fine-tune
    # costs what the errors cost at that mean: the decision ties, where an eval is worth most.
    tie = SLOPE * 15 / 202
    table = _linear({"dist": "observed", "events": 14, "trials": 200}, {"one_time_usd": tie})
    return simulate(parse_scenario(table), keep_samples=True), tie


@pytest.mark.slow
def test_observed_rate_evsi_is_the_beta_binomial_answer(observed_run):
    result, tie = observed_run
    study = PilotStudy("strategies.prompted.quality.error_rate", sizes=(1, 10, 50, 200, 1000), item_usd=2.0,
                       fixed_usd=100.0, bootstrap=100)
    frame = compute_pilot_evsi(result, study)
    exact = evsi_beta_binomial_exact(intercept_usd=-tie, slope_usd=SLOPE, alpha=15, beta=187, n=frame["n"].to_numpy())
    for row, value in zip(frame.itertuples(), exact, strict=True):
        assert within(value, row.evsi_usd, row.evsi_low_usd, row.evsi_high_usd), (row.n, value, row.evsi_usd)
    evppi = evppi_beta_exact(intercept_usd=-tie, slope_usd=SLOPE, alpha=15, beta=187)
    first = frame.iloc[0]
    assert within(evppi, first.evppi_usd, first.evppi_low_usd, first.evppi_high_usd)
    # The pinned numbers: a tie at 0.0743 with $300,000 per unit of rate.
    assert evppi == pytest.approx(2195.55, abs=0.01)
    assert exact[4] == pytest.approx(1547.85, abs=0.01)  # 200 more items
    # Costs: 100 + 2 n; the best of these sizes by the exact ENBS is 200 items (1547.85 - 500).
    np.testing.assert_array_equal(frame["cost_usd"], [0, 102, 120, 200, 500, 2100])
    exact_enbs = exact - frame["cost_usd"].to_numpy()
    assert int(frame["n"].iloc[np.argmax(exact_enbs)]) == 200 and exact_enbs.max() == pytest.approx(1047.85, abs=0.01)
    assert frame.attrs["best_n"] == 200
    assert frame.attrs["design"] == "binomial" and frame.attrs["input"] == "strategies.prompted.quality.error_rate"
    assert list(frame.columns[:4]) == ["input", "design", "horizon_months", "n"]


def test_normal_data_on_a_rate_with_an_item_sd(observed_run):
    result, _tie = observed_run
    study = PilotStudy("strategies.prompted.quality.error_rate", sizes=(10, 100), item_sd=0.3, bootstrap=0)
    frame = compute_pilot_evsi(result, study)
    assert frame.attrs["design"] == "normal" and "enbs_usd" not in frame.columns
    binomial = compute_pilot_evsi(result, PilotStudy(study.input, sizes=(10, 100), bootstrap=0))
    # A pass/fail item has sd sqrt(0.074 x 0.926) = 0.26 < 0.3: each tells a little more.
    assert np.all(binomial["evsi_usd"].iloc[1:].to_numpy() > frame["evsi_usd"].iloc[1:].to_numpy())


def _paired_brute_force(posterior, n: int, draws: int = 400_000, seed: int = 1) -> tuple[float, float]:
    """EVSI and EVPPI of a paired study, ΔNB = SLOPE (θ_A - θ_B) - K at a tie, by simulation."""
    rng = np.random.default_rng(seed)
    alpha = np.asarray(posterior, float)
    cells = rng.dirichlet(alpha, draws)
    theta_a, theta_b = cells[:, 2] + cells[:, 3], cells[:, 1] + cells[:, 3]
    k = SLOPE * ((alpha[2] + alpha[3]) - (alpha[1] + alpha[3])) / alpha.sum()  # tie at the prior means
    counts = np.array([rng.multinomial(n, p) for p in cells]) if n else np.zeros((draws, 4))
    total = alpha.sum() + n
    post_a = (alpha[2] + alpha[3] + counts[:, 2] + counts[:, 3]) / total
    post_b = (alpha[1] + alpha[3] + counts[:, 1] + counts[:, 3]) / total
    evsi = np.maximum(SLOPE * (post_a - post_b) - k, 0).mean()
    evppi = np.maximum(SLOPE * (theta_a - theta_b) - k, 0).mean()
    return float(evsi), float(evppi)


@pytest.fixture(scope="module")
def paired_run():
    # 30 items scored for both (22 and 28 right), errors priced alike: ΔNB = SLOPE (θ_A - θ_B) - K.
    counts = dict(both_right=21, only_a_right=1, only_b_right=7, both_wrong=1)
    posterior = (21.5, 1.5, 7.5, 1.5)
    tie = SLOPE * (posterior[2] - posterior[1]) / sum(posterior)
    table = _linear("prompted_error_rate",
                    {"one_time_usd": tie, "quality": {"error_rate": "tuned_error_rate", "cost_per_error_usd": COST_PER_ERROR}},
                    {"evidence": {"eval": {"error_rates": ["prompted_error_rate", "tuned_error_rate"], **counts}}})
    return simulate(parse_scenario(table), samples=20_000, seed=5, sampler="lhs", keep_samples=True), posterior


@pytest.mark.slow
def test_paired_study_evsi_matches_a_brute_force_preposterior(paired_run):
    result, posterior = paired_run
    frame = compute_pilot_evsi(result, PilotStudy("eval", sizes=(10, 60), bootstrap=100))
    assert frame.attrs["design"] == "paired" and frame.attrs["input"] == "evidence.eval"
    assert frame["method"].iloc[-1].startswith("regression on the two error counts, 20-term basis")
    for row in frame.itertuples():
        exact, evppi = _paired_brute_force(posterior, int(row.n))
        assert within(exact, row.evsi_usd, row.evsi_low_usd, row.evsi_high_usd), (row.n, exact, row.evsi_usd)
    assert within(evppi, frame["evppi_usd"].iloc[0], frame["evppi_low_usd"].iloc[0], frame["evppi_high_usd"].iloc[0])
    # The pinned answers (brute force, 400,000 draws, ± $40): EVPPI $10.23k; 60 more items $8.27k.
    assert evppi == pytest.approx(10_230, abs=100)
    assert _paired_brute_force(posterior, 60)[0] == pytest.approx(8_270, abs=100)
    # Learning one candidate alone is worth less than the pair, but not nothing (they are correlated).
    alone = compute_pilot_evsi(result, PilotStudy("tuned_error_rate", sizes=(60,), bootstrap=0))
    assert 0 < alone["evsi_usd"].iloc[1] < frame["evsi_usd"].iloc[-1]


def test_paired_data_counts_are_multinomial():
    theta = np.tile([0.29, 0.07], (200_000, 1))
    both_wrong = np.full(200_000, 0.05)
    data = PairedData(both_wrong)
    data.check(theta)
    counts = data.summary(theta, 200, data.draw_noise(np.random.default_rng(2), 200_000))
    # x_A ~ Bin(200, 0.29), x_B ~ Bin(200, 0.07), Cov = n (p00 - θ_A θ_B) = 200 (0.05 - 0.0203) = 5.94.
    assert counts[:, 0].mean() == pytest.approx(58.0, abs=0.05)
    assert counts[:, 1].mean() == pytest.approx(14.0, abs=0.03)
    assert counts[:, 0].var() == pytest.approx(200 * 0.29 * 0.71, rel=0.02)
    assert counts[:, 1].var() == pytest.approx(200 * 0.07 * 0.93, rel=0.02)
    assert np.cov(counts.T)[0, 1] == pytest.approx(5.94, rel=0.04)
    assert np.all(counts[:, 0] >= 0) and np.all(counts[:, 1] <= 200)
    with pytest.raises(ValueError, match="not the cells"):
        PairedData(np.full(200_000, 0.1)).check(theta)  # both wrong more often than B is wrong


def test_paired_cells_are_drawn_again_from_the_seed_for_every_sampler():
    scenario = load_scenario("scenarios/dsl-codegen-paired.toml")
    for sampler in ("mc", "sobol"):
        result = simulate(scenario, samples=2_000, seed=3, sampler=sampler, keep_samples=True, workers=1)
        frame = compute_pilot_evsi(result, PilotStudy("dsl_eval", sizes=(20,), bootstrap=0))
        assert frame.attrs["design"] == "paired"  # no RuntimeError: the rates were reproduced bit for bit


def test_one_seed_the_same_study():
    result = simulate(load_scenario("scenarios/dsl-codegen-eval.toml"), samples=2_000, seed=3, keep_samples=True)
    study = PilotStudy("tuned_error_rate", sizes=(50, 100), item_usd=1, bootstrap=20)
    a, b = compute_pilot_evsi(result, study), compute_pilot_evsi(result, study)
    assert a.equals(b)
    assert not compute_pilot_evsi(result, study, seed=4)["noise_floor_usd"].equals(a["noise_floor_usd"])


# --- names, sizes and costs ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def paired_scenario():
    return load_scenario("scenarios/dsl-codegen-paired.toml")


@pytest.mark.parametrize("name, key, design", [
    ("tuned_error_rate", "inputs.tuned_error_rate", "binomial"),
    ("inputs.tuned_error_rate", "inputs.tuned_error_rate", "binomial"),
    ("dsl_eval", "evidence.dsl_eval", "paired"),
    ("evidence.dsl_eval", "evidence.dsl_eval", "paired"),
    ("strategies.prompted.cache.hit_rate", "strategies.prompted.cache.hit_rate", "binomial"),
])
def test_inputs_are_named_as_the_tornado_names_them(paired_scenario, name, key, design):
    resolved = resolve_pilot(paired_scenario, PilotStudy(name))
    assert (resolved.name, resolved.design) == (key, design)


def test_any_input_with_an_item_sd_is_normal_data(paired_scenario):
    resolved = resolve_pilot(paired_scenario, PilotStudy("cost_per_error", item_sd=10.0))
    assert (resolved.name, resolved.design) == ("inputs.cost_per_error", "normal")


@pytest.mark.parametrize("study, message", [
    (PilotStudy("tuned_eror_rate"), "did you mean 'tuned_error_rate'"),
    (PilotStudy("nothing"), "not an uncertain input or a paired eval"),
    (PilotStudy("strategies.self_hosted.llm.prompt_tokens"), "is a constant"),
    (PilotStudy("cost_per_error"), "not a rate in \\[0, 1\\]"),
    (PilotStudy("dsl_eval", item_sd=0.1), "pass/fail"),
])
def test_bad_study_names_are_one_line_errors(paired_scenario, study, message):
    with pytest.raises(ValueError, match=message) as caught:
        resolve_pilot(paired_scenario, study)
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize("kwargs, message", [
    (dict(sizes=(0,)), "from 1 to 1,000,000"),
    (dict(sizes=(MAX_ITEMS + 1,)), "from 1 to 1,000,000"),
    (dict(sizes=(2.5,)), "whole number"),
    (dict(sizes=(True,)), "whole number"),
    (dict(sizes=tuple(range(1, 22))), "at most 20"),
    (dict(sizes=()), "at least one"),
    (dict(item_usd=-1.0), "item_usd"),
    (dict(fixed_usd=math.inf), "fixed_usd"),
    (dict(fixed_usd=2e12), "fixed_usd"),
    (dict(item_sd=0.0), "item_sd"),
])
def test_bounds_on_a_study(kwargs, message):
    with pytest.raises(ValueError, match=message):
        PilotStudy("x", **kwargs)


def test_parse_sizes():
    assert parse_sizes("400,50, 100,100,1_000") == (50, 100, 400, 1000)
    assert PilotStudy("x").sizes == DEFAULT_SIZES == (50, 100, 200, 400, 800)
    for text, message in (("", "separated by commas"), ("10,,20", "separated by commas"), ("ten", "not a number"),
                          ("0", "from 1"), ("1e7", "from 1"), ("nan", "from 1")):
        with pytest.raises(ValueError, match=message):
            parse_sizes(text)


# --- the sentences -----------------------------------------------------------------------------


def test_headline_names_the_value_the_size_it_pays_up_to_and_the_best(observed_run):
    result, _ = observed_run
    frame = compute_pilot_evsi(result, PilotStudy("strategies.prompted.quality.error_rate",
                                                  sizes=(50, 200, 800, 3000), item_usd=1.0, fixed_usd=100.0,
                                                  bootstrap=20))
    best = frame.attrs["best_n"]
    up_to = frame.attrs["pays_up_to_n"]
    assert best in (200, 800) and 800 < up_to < 3000 and not frame.attrs["pays_at_every_size"]
    headline = pilot_headline(frame)
    assert headline.startswith("An eval of 200 items is worth $")  # the middle size tried, then the best
    assert f"it pays for itself up to about {round(up_to):,} items; the best size is {best:,} items" in headline
    assert pilot_finding(frame).startswith(f"The best eval is {best:,} items: worth $")
    lines = pilot_lines(frame)
    assert lines[0] == headline + "." and sum("<- best" in line for line in lines) == 1
    assert lines[-1].startswith("  Ceiling: knowing the error rate of prompted exactly before deciding")
    dear = compute_pilot_evsi(result, PilotStudy(frame.attrs["input"], sizes=(50,), fixed_usd=1e6, bootstrap=0))
    assert pilot_headline(dear).startswith("An eval of 50 items is worth $")
    assert "against its cost of $1M; no size tried pays for itself, and knowing the error rate" in pilot_headline(dear)
    assert pilot_finding(dear).startswith("No eval pays for itself: even perfect knowledge is worth $")
    free = compute_pilot_evsi(result, PilotStudy(frame.attrs["input"], sizes=(50, 5000), bootstrap=0))
    assert pilot_finding(free).startswith("An eval of 5,000 items is worth $") and "about all" in pilot_finding(free)


def test_no_eval_can_change_a_clear_choice():
    # The article's 200 items at 40k queries a month: the fine-tune wins whatever an eval shows.
    result = simulate(load_scenario("scenarios/dsl-codegen-paired.toml"), samples=2_000, seed=3, keep_samples=True)
    frame = compute_pilot_evsi(result, PilotStudy("dsl_eval", sizes=(200,), item_usd=2, bootstrap=0))
    assert frame["evsi_usd"].max() == 0.0 and frame["evppi_usd"].iloc[0] == 0.0
    assert pilot_finding(frame) == "No eval can change the choice: even perfect knowledge is worth nothing"
    assert pilot_headline(frame).startswith("No eval is worth anything here: even knowing the prompted error rate")
