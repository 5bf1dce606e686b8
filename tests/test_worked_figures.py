"""MODEL.md §6: the article's worked figures, and a closed-form P(win), against hand arithmetic.

The scenarios live in ``tests/fixtures/model/*.toml``, each deriving its per-call costs in a header
comment. Every expected number below is computed from the article's figures, never read back from
the tool.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

import ftrag_mc
from ftrag_mc.analysis.probability import delta_paths

FIXTURES = Path(__file__).parent / "fixtures" / "model"
REL = 1e-9
WEEKS_PER_MONTH = 52 / 12


def load(name: str) -> ftrag_mc.Scenario:
    return ftrag_mc.load_scenario(FIXTURES / f"{name}.toml")


def horizon_index(result: ftrag_mc.SimulationResult, months: int) -> int:
    return result.horizons.index(months)


# --- 1. $5,000 fine-tune, $0.0015 a call below uncached RAG ---------------------------------------

@pytest.fixture(scope="module")
def article_5000():
    return ftrag_mc.simulate(load("article-5000-finetune"), keep_samples=True)


def test_article_5000_per_call_difference_is_0_0015(article_5000):
    # per call: RAG (500 + 2,000) x $3/M + 200 x $15/M = $0.0105; tuned 2 x $0.0045 = $0.0090
    rag_call = (2500 * 3 + 200 * 15) / 1e6
    ft_call = 2 * (500 * 3 + 200 * 15) / 1e6
    assert rag_call - ft_call == pytest.approx(0.0015, rel=REL)
    r = article_5000
    monthly_rag = np.diff(r.cumulative_usd[0, r.index("rag")])
    monthly_ft = np.diff(r.cumulative_usd[0, r.index("ft")])
    assert monthly_rag == pytest.approx(np.full(36, 100_000 * rag_call), rel=REL)  # $1,050
    assert monthly_ft == pytest.approx(np.full(36, 100_000 * ft_call), rel=REL)  # $900
    assert r.cumulative_usd[0, r.index("ft"), 0] == 5000


def test_article_5000_payback_is_33_months_and_3_33m_calls(article_5000):
    saving_per_month = 0.0015 * 100_000  # $150
    payback_months = 5000 / saving_per_month  # 33.33 months
    assert payback_months == pytest.approx(33 + 1 / 3, rel=REL)
    got = ftrag_mc.compute_payback_months(delta_paths(article_5000, "ft"))
    assert got == pytest.approx(np.full(4, payback_months), rel=REL)
    table = ftrag_mc.compute_payback(article_5000).set_index("strategy")
    assert table.loc["ft", "p50"] == pytest.approx(payback_months, rel=REL)
    # the article's "breakeven after 3.33M calls": payback months x 100k calls a month
    calls = table.loc["ft", "p50"] * 100_000
    assert calls == pytest.approx(5000 / 0.0015, rel=REL)  # 3,333,333 calls
    assert calls == pytest.approx(3.33e6, rel=2e-3)


def test_article_5000_breakeven_volume_at_36_months(article_5000):
    # $5,000 = $0.0015 x Q x 36 months  ->  Q = 92,592.6 queries a month
    expected = 5000 / (0.0015 * 36)
    got = article_5000.breakeven_volume[:, 0, horizon_index(article_5000, 36)]
    assert got == pytest.approx(np.full(4, expected), rel=REL)
    # and over 12 months, three times that
    got_12 = article_5000.breakeven_volume[:, 0, horizon_index(article_5000, 12)]
    assert got_12 == pytest.approx(np.full(4, 5000 / (0.0015 * 12)), rel=REL)  # 277,778


# --- 2. support classifier ------------------------------------------------------------------------

@pytest.fixture(scope="module")
def support():
    return ftrag_mc.simulate(load("support-classifier"), keep_samples=True)


def test_support_classifier_saves_350_a_month(support):
    assert 600 * 3 / 1e6 == pytest.approx(0.0018, rel=REL)  # RAG call
    assert 400 * 1 / 1e6 == pytest.approx(0.0004, rel=REL)  # tuned call
    saving = (0.0018 - 0.0004) * 250_000  # $350 a month
    assert saving == pytest.approx(350, rel=REL)
    delta = delta_paths(support, "ft")[0]
    # ΔNPC through month t = 2,200 - 350 t
    assert delta == pytest.approx(np.array([2200 - 350 * t for t in range(13)], dtype=float), rel=REL)


def test_support_classifier_payback_is_6_3_months_not_6_weeks(support):
    payback = 2200 / 350  # = 6.2857 months = 44/7
    table = ftrag_mc.compute_payback(support).set_index("strategy")
    assert table.loc["ft", "p50"] == pytest.approx(payback, rel=REL)
    assert table.loc["ft", "p50"] == pytest.approx(6.29, abs=0.005)
    # The article says "6 weeks". 6 weeks is 6 / (52/12) = 1.38 months; by then the fine-tune has
    # repaid at most 2 x $350 = $700 of its $2,200. The figures give ~27 weeks.
    delta = delta_paths(support, "ft")[0]
    assert delta[1] == pytest.approx(2200 - 350, rel=REL) and delta[2] == pytest.approx(2200 - 700, rel=REL)
    assert table.loc["ft", "p50"] * WEEKS_PER_MONTH == pytest.approx(2200 / 350 * 52 / 12, rel=REL)  # 27.2 weeks
    assert table.loc["ft", "p50"] * WEEKS_PER_MONTH > 4 * 6


# --- 3. "rough breakeven" at 50,000-80,000 queries a month ----------------------------------------

SAVING_PER_CALL = 2000 * 3e-6 - 0.3 * (200 * 3e-6 + 100 * 15e-6)  # 0.006 - 0.3 x 0.0021 = $0.00537


@pytest.fixture(scope="module")
def rough():
    return ftrag_mc.simulate(load("rough-breakeven"), keep_samples=True)


def test_rough_breakeven_saving_per_call(rough):
    assert SAVING_PER_CALL == pytest.approx(0.00537, rel=REL)
    delta = delta_paths(rough, "ft")[0]
    # at the scenario's 60,000 calls: ΔNPC(t) = 5,000 - 0.00537 x 60,000 t = 5,000 - 322.2 t
    assert delta == pytest.approx(np.array([5000 - SAVING_PER_CALL * 60_000 * t for t in range(37)]), rel=REL)


def test_rough_breakeven_at_12_months_lies_in_the_articles_range(rough):
    breakeven_12 = 5000 / (12 * SAVING_PER_CALL)  # = 77,591.6 queries a month
    assert 50_000 <= breakeven_12 <= 80_000
    got_12 = rough.breakeven_volume[:, 0, horizon_index(rough, 12)]
    assert got_12 == pytest.approx(np.full(4, breakeven_12), rel=REL)
    # over 36 months a third of that: 25,863.9
    got_36 = rough.breakeven_volume[:, 0, horizon_index(rough, 36)]
    assert got_36 == pytest.approx(np.full(4, breakeven_12 / 3), rel=REL)
    assert np.all(got_36 < 50_000)  # a 36-month horizon would put the article's breakeven far lower


def test_rough_breakeven_crossing_of_pwin_curve_within_one_grid_step(rough):
    curves = ftrag_mc.compute_pwin_vs_volume(rough)
    crossings = ftrag_mc.compute_crossings(curves).set_index(["strategy", "horizon_months"])
    step = math.log(rough.volumes[1] / rough.volumes[0])  # log10 step 4/40
    assert step == pytest.approx(math.log(10) / 10, rel=REL)
    for months in (12, 36):
        breakeven = 5000 / (months * SAVING_PER_CALL)
        crossing = crossings.loc[("ft", months), "volume_at_50pct"]
        assert abs(math.log(crossing) - math.log(breakeven)) <= step
        # a constant scenario's curve is a step: 0 below the breakeven, 1 above it
        g = curves[(curves.strategy == "ft") & (curves.horizon_months == months)]
        expected = (g["queries_per_month"].to_numpy() > breakeven).astype(float)
        np.testing.assert_array_equal(g["p_win"].to_numpy(), expected)


# --- a closed-form P(win) --------------------------------------------------------------------------

A_USD, B_USD, SAVING_USD = 2000.0, 8000.0, 0.001


def closed_form_pwin(q0: np.ndarray, months: int) -> np.ndarray:
    """C ~ U(a, b) wins when C < s Q0 H: P = clip((s Q0 H - a) / (b - a), 0, 1)."""
    return np.clip((SAVING_USD * q0 * months - A_USD) / (B_USD - A_USD), 0.0, 1.0)


@pytest.fixture(scope="module")
def uniform_run():
    return ftrag_mc.simulate(load("uniform-one-time"), keep_samples=True)


def test_pwin_vs_volume_matches_closed_form(uniform_run):
    assert uniform_run.n_samples == 20_000 and uniform_run.sampler == "mc"
    curves = ftrag_mc.compute_pwin_vs_volume(uniform_run)
    n = uniform_run.n_samples
    covered = total = 0
    for months in (6, 12):
        g = curves[(curves.strategy == "ft") & (curves.horizon_months == months)]
        q0 = g["queries_per_month"].to_numpy()
        p = closed_form_pwin(q0, months)
        got = g["p_win"].to_numpy()
        se = np.sqrt(p * (1 - p) / n)
        # within 4 standard errors; exactly 0 or 1 where the closed form is 0 or 1
        assert np.all(np.abs(got - p) <= 4 * se), (months, got, p)
        assert ((p > 0) & (p < 1)).sum() >= 10  # the check covers the slope, not just the ends
        slope = (p > 0) & (p < 1)
        inside = (g["p_win_low"].to_numpy() <= p) & (p <= g["p_win_high"].to_numpy())
        covered += inside[slope].sum()
        total += slope.sum()
        # where no sample can win (P = 0) the band must start at 0
        assert np.all(g["p_win_low"].to_numpy()[p == 0] == 0)
    # a 95 % band should contain the truth at about 95 % of the volumes on the slope (neighbouring
    # volumes share samples, so the misses are correlated: ask for 80 %)
    assert covered / total >= 0.8


def test_wilson_band_contains_closed_form_where_every_sample_wins(uniform_run):
    # Wilson upper bound at p^ = 1: centre = (1 + z^2/2n) / (1 + z^2/n), half = (z^2/2n) / (1 + z^2/n),
    # so centre + half = (1 + z^2/n) / (1 + z^2/n) = 1 exactly.
    curves = ftrag_mc.compute_pwin_vs_volume(uniform_run)
    g = curves[(curves.strategy == "ft") & (curves.horizon_months == 12)]
    q0 = g["queries_per_month"].to_numpy()
    at_one = closed_form_pwin(q0, 12) == 1  # Q0 >= 8,000 / 0.012 = 666,667
    assert at_one.sum() >= 10
    assert np.all(g["wins"].to_numpy()[at_one] == 20_000)  # every sample wins there
    assert np.all(g["p_win_high"].to_numpy()[at_one] == 1.0)


def test_breakeven_per_sample_is_cost_over_saving(uniform_run):
    # sample i breaks even at Q0 = C_i / (s H), where C_i is its drawn one-time cost
    c = uniform_run.inputs["strategies.ft.one_time_usd"]
    assert c.min() >= A_USD and c.max() <= B_USD
    for months in (6, 12):
        got = uniform_run.breakeven_volume[:, 0, horizon_index(uniform_run, months)]
        expected = np.clip(c / (SAVING_USD * months), 1e5, 1e7)  # within the sweep range
        np.testing.assert_allclose(got, expected, rtol=REL)
    # the median breakeven at 12 months is near the median cost: 5,000 / 0.012 = 416,667
    table = ftrag_mc.compute_breakeven(uniform_run).set_index(["strategy", "horizon_months"])
    p50 = table.loc[("ft", 12), "p50"]
    # the median of U(2,000, 8,000) over 20,000 draws: se of the median ~ 6,000 / (2 sqrt n) ~ 21
    assert abs(p50 * 0.012 - 5000) < 4 * 6000 / (2 * math.sqrt(20_000))


def test_rough_breakeven_crossing_is_the_exact_breakeven(rough):
    # A constant scenario: every future breaks even at 5000 / (months x saving per call); the 50 %
    # crossing is that volume exactly, not a point interpolated between grid volumes (which was
    # up to 12 % off).
    curves = ftrag_mc.compute_pwin_vs_volume(rough)
    crossings = ftrag_mc.compute_crossings(curves, rough).set_index(["strategy", "horizon_months"])
    for months in (12, 36):
        row = crossings.loc[("ft", months)]
        assert row["volume_at_50pct"] == pytest.approx(5000 / (months * SAVING_PER_CALL), rel=1e-9)
        assert row["method"] == "median of the per-sample breakeven volumes"


# --- the shipped article scenario, in tokens and per call -------------------------------------------

ARTICLE = Path(__file__).parent.parent / "scenarios" / "article-breakeven.toml"


def test_shipped_article_scenario_has_the_articles_figures():
    # RAG: (1,000 + 2,000) x $3/M + 1,000 x $15/M = $0.024 a call; fine-tune 1.25 x (1,000 x $3/M +
    # 1,000 x $15/M) = $0.0225: $0.0015 less, and $5,000 / $0.0015 = 3.33M calls = 33.3 months at 100k.
    s = ftrag_mc.load_scenario(ARTICLE)
    ev = ftrag_mc.evaluate(s, months=np.arange(37))
    rag, ft = (ev.npc_usd[0, ev.strategies.index(k), 0] for k in ("rag", "fine_tune"))
    assert np.diff(rag) == pytest.approx(np.full(36, 100_000 * 0.024), rel=REL)
    assert np.diff(ft) == pytest.approx(np.full(36, 100_000 * 0.0225), rel=REL)
    assert ft[0] == 5000
    payback = ftrag_mc.compute_payback_months((ft - rag)[None, :])
    assert payback[0] == pytest.approx(5000 / 150, rel=REL)  # 33.3 months, 3.33M calls


def test_per_call_mode_gives_the_same_costs_as_tokens(tmp_path):
    # A back-of-envelope user writes the article's case as a price per call.
    text = ARTICLE.read_text()
    head = text.split("[strategies.rag]")[0]
    per_call = tmp_path / "per-call.toml"
    per_call.write_text(head + """
[strategies.rag]
per_query_usd = 0.024

[strategies.fine_tune]
per_query_usd = 0.0225
training = { run_usd = 5000 }
""")
    tokens, calls = (ftrag_mc.evaluate(ftrag_mc.load_scenario(p), months=np.arange(37)) for p in (ARTICLE, per_call))
    assert calls.npc_usd == pytest.approx(tokens.npc_usd, rel=1e-12)


def test_per_call_cost_falls_with_the_token_price_trend(tmp_path):
    # $0.01 a call, 10,000 calls a month, prices falling 19 % a year: month 13 pays 0.81 x $100.
    path = tmp_path / "decline.toml"
    path.write_text("""
[scenario]
horizon_months = 13
baseline = "a"
[volume]
queries_per_month = 10000
[strategies.a]
per_query_usd = 0.01
price_decline_per_year = 0.19
[strategies.b]
per_query_usd = 0.02
""")
    ev = ftrag_mc.evaluate(ftrag_mc.load_scenario(path), months=np.arange(14))
    monthly = np.diff(ev.npc_usd[0, 0, 0])
    assert monthly[0] == pytest.approx(100.0, rel=REL)
    assert monthly[12] == pytest.approx(81.0, rel=REL)


def test_shipped_article_scenario_flips_at_the_articles_breakeven_with_no_error():
    # Every input is a constant: the choice flips where $5,000 = $0.0015 x Q x 36 months,
    # Q = 92,592.6 queries a month, and that volume has no Monte Carlo error (its interval was
    # once reported as 0-inf: the discriminant of a zero-width interval rounded below zero).
    from ftrag_mc.analysis.decision_pair import compute_flip

    result = ftrag_mc.simulate(ftrag_mc.load_scenario(ARTICLE))  # its 20,000 samples, as `run`
    flip = compute_flip(result, "fine_tune", 36)
    expected = 5000 / (0.0015 * 36)
    assert flip["volume"] == pytest.approx(expected, rel=REL)
    assert flip["low"] == flip["high"] == flip["volume"]
    assert flip["side"] == "below" and flip["to"] == "baseline"


def test_shipped_article_scenario_pays_back_in_every_future_by_month_34():
    # $5,000 / ($0.0015 x 100k a month) = 33.3 months: every future is ahead by the end of month
    # 34, and with nothing uncertain the month chart says so ("every future", not "half").
    from ftrag_mc.report.analyses import RunAnalyses
    from ftrag_mc.report.charts import pwin_vs_month_finding
    from ftrag_mc.analysis.marks import attach_marks

    analyses = RunAnalyses(ftrag_mc.simulate(ftrag_mc.load_scenario(ARTICLE), samples=2000, seed=1))
    title = pwin_vs_month_finding(attach_marks(analyses.by_month, analyses.payback), analyses.info)
    assert "has paid back in every future by month 34" in title, title
