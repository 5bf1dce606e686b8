"""Value of information: EVPI, regret and EVPPI against answers known from mathematics.

Two options whose cost difference is exactly Normal(mu, sigma) have EVPI equal to the unit normal
loss integral, sigma * phi(mu / sigma) - |mu| * Phi(-|mu| / sigma); an input that alone decides
the choice has EVPPI = EVPI; an input that cannot change the choice has EVPPI 0 up to the
estimator's upward bias, which for the sorting method and mu = 0 is itself known:
sigma * (1 / sqrt(2 pi m) - 1 / sqrt(2 pi n)) with m samples per bin.
"""

from __future__ import annotations

import math

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from scipy.stats import norm  # noqa: E402

import ftrag_mc as fm  # noqa: E402
from ftrag_mc.analysis.voi import (  # noqa: E402
    compute_evpi,
    compute_evppi,
    describe_input,
    evpi_from_net_benefit,
    evppi_from_samples,
)
from ftrag_mc.report.analyses import run_info  # noqa: E402
from ftrag_mc.report.voi_words import add_evppi_words, describe_voi  # noqa: E402
from ftrag_mc.report.style import RunInfo, format_usd  # noqa: E402
from ftrag_mc.report.charts import plot_evppi, plot_regret  # noqa: E402

BASE_USD = 100_000.0


def normal_loss(mu: float, sigma: float) -> float:
    """EVPI of choosing between 0 and a Normal(mu, sigma) net benefit difference."""
    m = abs(mu)
    return sigma * norm.pdf(m / sigma) - m * norm.cdf(-m / sigma)


def known_scenario(mu: float = 0.0, sigma: float = 1_000.0, *, other_max: float = 0.0,
                   title: str = "Known answers", label: str = "Challenger") -> fm.Scenario:
    """Baseline: a constant one-time cost. Challenger: that cost + Normal(mu, sigma) (+ 12 months
    of a uniform monthly fee up to ``other_max``). A shared monthly fee both pay cannot change
    the choice."""
    challenger = {
        "label": label,
        "one_time_usd": {"dist": "normal", "mean": BASE_USD + mu, "sd": sigma,
                         "truncate": [0, 1e12]},  # 100 sd away: a normal in all but name
        "fixed_usd_per_month": "shared_fee_usd",
    }
    if other_max:
        challenger["hosting"] = {"fee_usd_per_month": {"dist": "uniform", "min": 0, "max": other_max}}
    table = {
        "scenario": {"horizon_months": 12, "baseline": "base", "title": title},
        "volume": {"queries_per_month": 1_000, "sweep_points": 5},
        "simulation": {"samples": 1_000, "seed": 3, "sampler": "mc"},
        "inputs": {"shared_fee_usd": {"dist": "uniform", "min": 0, "max": 5_000}},
        "strategies": {
            "base": {"label": "Baseline", "one_time_usd": BASE_USD, "fixed_usd_per_month": "shared_fee_usd"},
            "chal": challenger,
        },
    }
    return fm.parse_scenario(table, name="known")


@pytest.fixture(scope="module")
def normal_run():
    return fm.simulate(known_scenario(), samples=20_000, seed=5, keep_samples=True)


@pytest.fixture(scope="module")
def support_run():
    scenario = fm.load_scenario("scenarios/support-classifier.toml")
    return fm.simulate(scenario, samples=4_000, seed=7, keep_samples=True)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


# --- EVPI and regret -----------------------------------------------------------------------


@pytest.mark.parametrize("mu", [0.0, 600.0, -1_500.0])
def test_evpi_is_the_unit_normal_loss(mu):
    sigma, n = 1_000.0, 40_000
    delta = np.random.default_rng(1).normal(mu, sigma, n)
    est = evpi_from_net_benefit(np.column_stack([np.zeros(n), delta]))
    assert abs(est.evpi - normal_loss(mu, sigma)) < 4 * est.evpi_se
    assert est.expected_regret[est.optimal] == est.evpi
    assert est.p_best.sum() == pytest.approx(1.0, abs=1e-12)
    assert est.optimal == (1 if delta.mean() > 0 else 0)
    # the other option's regret exceeds the EVPI by the gap in expected net benefit
    other = 1 - est.optimal
    assert est.expected_regret[other] == pytest.approx(est.evpi + abs(delta.mean()), rel=1e-9)


def test_cvar95_of_regret_is_the_normal_tail_mean():
    sigma, n = 1_000.0, 200_000
    delta = np.random.default_rng(2).normal(0.0, sigma, n)
    est = evpi_from_net_benefit(np.column_stack([np.zeros(n), delta]))
    # regret of option 0 is max(0, delta): its worst 5 % average sigma * phi(z95) / 0.05
    assert est.cvar95_regret[0] == pytest.approx(sigma * norm.pdf(norm.ppf(0.95)) / 0.05, rel=0.02)


def test_compute_evpi_on_a_scenario_matches_the_normal_loss(normal_run):
    frame = compute_evpi(normal_run)
    assert list(frame["strategy"]) == ["base", "chal"]
    evpi, se = frame["evpi_usd"].iloc[0], frame["evpi_se_usd"].iloc[0]
    assert abs(evpi - normal_loss(0.0, 1_000.0)) < 4 * se
    optimal = frame[frame["is_optimal"]]
    assert len(optimal) == 1
    assert optimal["expected_regret_usd"].iloc[0] == evpi
    assert frame["p_best"].sum() == pytest.approx(1.0)
    assert (frame["expected_regret_low_usd"] <= frame["expected_regret_usd"]).all()
    assert set(frame["horizon_months"]) == {12} and set(frame["samples"]) == {20_000}


def test_compute_evpi_takes_a_pair_and_a_horizon(support_run):
    everything = compute_evpi(support_run)
    pair = compute_evpi(support_run, strategies=["prompted", "fine_tuned"], horizon=24)
    assert list(pair["strategy"]) == ["prompted", "fine_tuned"]
    assert set(pair["horizon_months"]) == {24}
    assert pair["p_best"].sum() == pytest.approx(1.0)
    # fewer options can only lower the value of knowing which is best (same horizon)
    pair36 = compute_evpi(support_run, strategies=["prompted", "fine_tuned"])
    assert pair36["evpi_usd"].iloc[0] <= everything["evpi_usd"].iloc[0] + 1e-6


def test_evpi_refuses_what_it_cannot_answer(support_run):
    with pytest.raises(ValueError, match="did you mean 'fine_tuned'"):
        compute_evpi(support_run, strategies=["prompted", "fine_tune"])
    with pytest.raises(ValueError, match="at least two"):
        compute_evpi(support_run, strategies=["prompted"])
    with pytest.raises(ValueError, match="horizon"):
        compute_evpi(support_run, horizon=37)
    bounded = fm.simulate(known_scenario(), samples=200, seed=1)
    with pytest.raises(ValueError, match="keep_samples=True"):
        compute_evpi(bounded)


# --- EVPPI on arrays -----------------------------------------------------------------------


def test_evppi_of_a_deciding_input_is_the_evpi_and_noise_is_its_bias():
    sigma, n = 1_000.0, 20_000
    rng = np.random.default_rng(3)
    delta = rng.normal(0.0, sigma, n)
    nb = np.column_stack([np.zeros(n), delta])
    evpi = evpi_from_net_benefit(nb)
    decisive = evppi_from_samples(delta, nb, bootstrap=100, seed=1)
    assert decisive.evppi <= evpi.evpi + 1e-9
    assert decisive.evppi == pytest.approx(evpi.evpi, rel=0.01)
    assert decisive.low <= decisive.evppi <= decisive.high
    assert decisive.high - decisive.low < 0.1 * evpi.evpi

    noise = evppi_from_samples(rng.random(n), nb, bootstrap=0, seed=2)
    m = n / round(math.sqrt(n))
    bias = sigma * (1 / math.sqrt(2 * math.pi * m) - 1 / math.sqrt(2 * math.pi * n))
    assert noise.noise_floor == pytest.approx(bias, rel=0.2)
    assert noise.evppi <= 1.5 * noise.noise_floor
    assert noise.noise_floor < 0.1 * evpi.evpi


@pytest.mark.slow
def test_evppi_of_a_group_covers_its_members():
    n = 20_000
    rng = np.random.default_rng(4)
    a, b = rng.normal(0, 1_000, n), rng.normal(0, 1_000, n)
    nb = np.column_stack([np.zeros(n), a + b])  # the two together decide; each alone half does
    evpi = evpi_from_net_benefit(nb).evpi
    one = evppi_from_samples(a, nb, bootstrap=0)
    both = evppi_from_samples(np.column_stack([a, b]), nb, bootstrap=50)
    assert both.method.startswith("regression")
    assert both.evppi == pytest.approx(evpi, rel=0.02)
    assert both.evppi >= one.evppi - one.noise_floor
    # E[a + b | a] = a: EVPPI(a) = E[max(0, a)] = 1000 * phi(0), below EVPI = sqrt(2) * 1000 * phi(0);
    # b's noise in each bin's mean biases the estimate up, by less than the pure-noise floor
    truth = normal_loss(0, 1_000)
    assert truth * 0.97 <= one.evppi <= truth + one.noise_floor
    regression = evppi_from_samples(a, nb, method="regression", bootstrap=0)
    assert regression.evppi == pytest.approx(truth, rel=0.05)


def test_evppi_of_a_discrete_input_uses_its_values_and_is_exact():
    n = 6_000
    rng = np.random.default_rng(5)
    x = rng.choice([0.0, 1.0, 2.0], size=n)
    nb = np.column_stack([np.zeros(n), np.array([-300.0, 50.0, 400.0])[x.astype(int)]])
    est = evppi_from_samples(x, nb, bootstrap=0)
    assert est.method == "sort, 3 bins"
    assert est.evppi == pytest.approx(evpi_from_net_benefit(nb).evpi, rel=1e-12)


def test_evppi_checks_its_arrays():
    with pytest.raises(ValueError, match="n_decisions >= 2"):
        evppi_from_samples(np.zeros(5), np.zeros((5, 1)))
    with pytest.raises(ValueError, match="n_samples = 5"):
        evppi_from_samples(np.zeros(4), np.zeros((5, 2)))
    with pytest.raises(ValueError, match="method"):
        evppi_from_samples(np.zeros(5), np.zeros((5, 2)), method="gam")


# --- EVPPI of a run ------------------------------------------------------------------------


def test_compute_evppi_on_a_scenario(normal_run):
    frame = compute_evppi(normal_run, bootstrap=100)
    assert list(frame["input"]) == ["strategies.chal.one_time_usd", "inputs.shared_fee_usd"]
    evpi = compute_evpi(normal_run)["evpi_usd"].iloc[0]
    decisive, shared = frame.iloc[0], frame.iloc[1]
    assert decisive["evppi_usd"] == pytest.approx(evpi, rel=0.01)
    assert decisive["evppi_low_usd"] <= decisive["evppi_usd"] <= decisive["evppi_high_usd"]
    assert decisive["share_of_evpi"] == pytest.approx(1.0, abs=0.01)
    # a fee both strategies pay cannot change the choice: only the estimator's bias remains
    assert shared["evppi_usd"] <= 1.5 * shared["noise_floor_usd"]
    assert (frame["evppi_usd"] <= frame["evpi_usd"] + 1e-6).all()
    assert set(frame["horizon_months"]) == {12} and set(frame["samples"]) == {20_000}


def test_sentences_name_the_input_in_words_with_its_value(normal_run):
    numbers = compute_evppi(normal_run, bootstrap=20)
    assert "sentence" not in numbers.columns and "note" not in numbers.columns  # words are the report's
    frame = add_evppi_words(numbers, normal_run.scenario)
    assert list(frame.columns[frame.columns.get_loc("evpi_usd") + 1:][:3]) == ["sentence", "note", "horizon_months"]
    top = frame.iloc[0]
    assert top["description"] == "the other one-time cost of Challenger"
    assert top["sentence"].startswith("Knowing the other one-time cost of Challenger before deciding is worth up to ")
    assert format_usd(top["evppi_usd"]) in top["sentence"]
    assert "noise" in frame.iloc[1]["sentence"] or "worth nothing" in frame.iloc[1]["sentence"]
    lines = describe_voi(compute_evpi(normal_run), frame, top=3)
    assert format_usd(top["evpi_usd"]) in lines[1]
    assert any(top["sentence"] in line for line in lines)


def test_groups_rank_with_inputs_and_include_their_members():
    scenario = known_scenario(other_max=200.0)  # challenger: + 12 months of a U(0, 200) fee
    run = fm.simulate(scenario, samples=20_000, seed=9, keep_samples=True)
    frame = compute_evppi(run, groups=[("strategies.chal.one_time_usd", "strategies.chal.hosting.fee_usd_per_month")],
                          bootstrap=50)
    group = frame[frame["members"].map(len) == 2].iloc[0]
    assert group["input"] == "strategies.chal.one_time_usd + strategies.chal.hosting.fee_usd_per_month"
    assert group["description"] == ("the other one-time cost of Challenger and the hosting fee of "
                                    "Challenger together")
    evpi = compute_evpi(run)["evpi_usd"].iloc[0]
    assert group["evppi_usd"] == pytest.approx(evpi, rel=0.02)
    for member in group["members"]:
        alone = frame[frame["input"] == member].iloc[0]
        assert group["evppi_usd"] >= alone["evppi_usd"] - alone["noise_floor_usd"]
    assert frame["evppi_usd"].is_monotonic_decreasing


def test_correlated_inputs_say_what_they_include_and_names_resolve(support_run):
    frame = compute_evppi(support_run, inputs=["few_shot_error_rate", "misroute_usd"],
                          groups=[("few_shot_error_rate", "tuned_error_rate")], bootstrap=10)
    rows = add_evppi_words(frame, support_run.scenario).set_index("input")
    assert "the tuned error rate" in rows.loc["inputs.few_shot_error_rate", "note"]
    assert rows.loc["inputs.misroute_usd", "note"] == ""
    assert rows.loc["inputs.few_shot_error_rate + inputs.tuned_error_rate", "note"] == ""
    with pytest.raises(ValueError, match="did you mean 'inputs.misroute_usd'"):
        compute_evppi(support_run, inputs=["inputs.misroute_usdd"], bootstrap=0)
    with pytest.raises(ValueError, match="2 to 3"):
        compute_evppi(support_run, inputs=[], groups=[("misroute_usd",)], bootstrap=0)


def test_evppi_is_reproducible(support_run):
    one = compute_evppi(support_run, inputs=["misroute_usd", "tuned_error_rate"], bootstrap=20, seed=4)
    two = compute_evppi(support_run, inputs=["misroute_usd", "tuned_error_rate"], bootstrap=20, seed=4)
    pd.testing.assert_frame_equal(one, two)


def test_describe_input_in_human_words(support_run):
    scenario = support_run.scenario
    assert describe_input(scenario, "strategies.fine_tuned.training.run_usd") == \
        "the training run cost of Fine-tuned Haiku"
    assert describe_input(scenario, "inputs.few_shot_error_rate") == "the few shot error rate"
    assert describe_input(scenario, "inputs.misroute_usd") == "the misroute cost"
    assert describe_input(scenario, "team.engineer_week_usd") == "the loaded cost of an engineer-week"
    assert describe_input(scenario, "strategies.prompted_cached.cache.hit_rate") == \
        "the cache hit rate of Few-shot prompt, cached"


# --- charts --------------------------------------------------------------------------------


def _title(fig: Figure, ax=None) -> str:
    """The finding as a reader sees it: one line, ``\\$`` shown as ``$``."""
    text = fig.get_suptitle() if ax is None else ax.get_title(loc="left")
    return text.replace("\n", " ").replace("\\$", "$")


def test_plots_draw_dollar_signs_in_user_text():
    scenario = known_scenario(title="Pilot at $5 a call vs $9", label="Tuned ($2k run)")
    run = fm.simulate(scenario, samples=2_000, seed=2, keep_samples=True)
    info = run_info(run)
    evpi = compute_evpi(run)
    frame = compute_evppi(run, bootstrap=10)
    fig, ax = plot_evppi(frame, info)
    fig.canvas.draw()
    assert ax.get_xlabel().replace("\n", " ") == \
        "Value of learning it before deciding (USD over 12 months; longer = more worth learning)"
    assert f"perfect information {format_usd(evpi['evpi_usd'].iloc[0])}" in _title(fig)
    fig, ax = plot_regret(evpi, info)
    fig.canvas.draw()
    assert format_usd(evpi["evpi_usd"].iloc[0]) in _title(fig)
    assert any("Tuned ($2k run)" in t.get_text().replace("\n", " ").replace("\\$", "$")
               for t in ax.get_yticklabels())


def test_plot_evppi_renders_twenty_inputs_and_states_the_finding():
    info = RunInfo(scenario="s", title="Twenty inputs", strategies=("a", "b"), labels={"a": "A", "b": "B"},
                   baseline="a", samples=20_000, seed=1, sampler="lhs", version="0")
    values = np.geomspace(20_000, 50, 20)
    frame = pd.DataFrame({
        "input": [f"inputs.x{i}" for i in range(20)],
        "description": [f"the input number {i} with a long descriptive name" for i in range(20)],
        "members": [(f"inputs.x{i}",) for i in range(20)],
        "evppi_usd": values, "evppi_low_usd": values * 0.9, "evppi_high_usd": values * 1.1,
        "noise_p95_usd": 300.0, "horizon_months": 36,
    })
    fig, ax = plot_evppi(frame.assign(evpi_usd=30_000.0), info)
    fig.canvas.draw()
    assert len(ax.get_yticklabels()) == 20
    assert fig.get_figheight() > 8  # room for 20 rows
    assert _title(fig) == ("Learning the input number 0 with a long descriptive name first is worth "
                           "up to $20k; perfect information $30k")
    _, own = plt.subplots()
    quiet = frame.assign(evppi_usd=100.0, evppi_low_usd=80.0, evppi_high_usd=120.0)
    fig, ax = plot_evppi(quiet, info, ax=own)
    fig.canvas.draw()
    assert _title(fig, ax).startswith("No input alone is worth learning before deciding")


def test_long_row_labels_do_not_push_the_axis_label_or_subtitle_off_the_chart():
    """legal-docs' rows ("The yearly chance the platform closes of Fine-tuned Haiku + retrieval")
    pushed the panel right: the x label and the subtitle, wrapped to the figure's width, ran past
    its edge. They are wrapped to the panel's."""
    info = RunInfo(scenario="s", title="Legal-docs summarizer (15k/month): cached RAG vs a fine-tune",
                   strategies=("a", "b"), labels={"a": "RAG, prompt-cached (Sonnet)", "b": "Fine-tuned Haiku + retrieval"},
                   baseline="a", samples=5_000, seed=1, sampler="lhs", version="0")
    frame = pd.DataFrame({
        "input": [f"inputs.x{i}" for i in range(6)],
        "description": [f"the yearly chance the platform closes of Fine-tuned Haiku + retrieval {i}" for i in range(6)],
        "members": [(f"inputs.x{i}",) for i in range(6)],
        "evppi_usd": 0.0, "evppi_low_usd": 0.0, "evppi_high_usd": 0.0, "noise_p95_usd": 0.0, "horizon_months": 36,
    })
    fig, ax = plot_evppi(frame.assign(evpi_usd=0.0), info)
    fig.canvas.draw()
    edge = fig.bbox.x1
    assert ax.xaxis.label.get_window_extent().x1 <= edge and ax.title.get_window_extent().x1 <= edge
    plt.close(fig)
