"""The evidence commands end to end: ``sensitivity --evsi`` and ``fit``, good paths and bad.

``fit`` round-trips data drawn from known distributions: the family ranked first, and the line it
prints, pasted into a scenario, gives back parameters near the truth. Every bad input is one line,
exit status 2, and nothing written. The charts draw on a caller's axes and never save.
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import numpy as np
import pytest

from ftrag_mc.cli import main
from ftrag_mc.distributions import parse_distribution

PAIRED = "scenarios/dsl-codegen-paired.toml"
ROOT = Path(__file__).resolve().parents[1]


def invoke(runner, args: list[str], code: int = 0):
    result = runner.invoke(main, args, prog_name="ftrag-mc")
    assert result.exit_code == code, result.output
    return result


def error_line(result) -> str:
    """The one line a bad input gets (click's own usage errors add a usage line and a hint)."""
    lines = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert len(lines) == 1, result.output
    assert "Traceback" not in result.output
    return lines[0]


# --- sensitivity --evsi --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def evsi_run(tmp_path_factory):
    from click.testing import CliRunner

    out = tmp_path_factory.mktemp("evsi")
    args = ["sensitivity", PAIRED, "-n", "1000", "-s", "4", "--no-sobol", "--set", "volume.queries_per_month=1500",
            "--evsi", "dsl_eval", "--sizes", "20,60", "--item-usd", "2", "--fixed-usd", "100", "-o", str(out)]
    import os

    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        result = invoke(CliRunner(), args)
    finally:
        os.chdir(cwd)
    return result, out / "dsl-codegen-paired"


def test_evsi_writes_its_table_and_chart_and_prints_the_headline(evsi_run):
    import pandas as pd

    result, folder = evsi_run
    assert (folder / "evsi.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    frame = pd.read_csv(folder / "evsi.csv")
    assert list(frame["n"]) == [0, 20, 60]
    assert {"evsi_usd", "evsi_low_usd", "evsi_high_usd", "cost_usd", "enbs_usd", "evppi_usd", "best"} <= set(frame)
    np.testing.assert_allclose(frame["enbs_usd"], frame["evsi_usd"] - frame["cost_usd"])
    np.testing.assert_array_equal(frame["cost_usd"], [0, 140, 220])
    assert (frame["input"] == "evidence.dsl_eval").all() and (frame["design"] == "paired").all()
    headline = [line for line in result.output.splitlines() if line.startswith(("An eval of", "No eval"))]
    assert len(headline) == 1 and "items" in headline[0]
    assert "  Ceiling: knowing the prompted error rate and the tuned error rate exactly" in result.output
    record = json.loads((folder / "sensitivity.json").read_text())
    assert record["evsi"] == {"input": "dsl_eval", "sizes": [20, 60], "item_usd": 2.0, "fixed_usd": 100.0,
                              "item_sd": None, "bootstrap": 200}
    assert "--evsi dsl_eval" in record["command"]


@pytest.mark.parametrize("args, message", [
    (["--evsi", "nope"], "--evsi: 'nope' is not an uncertain input or a paired eval"),
    (["--evsi", "tuned_eror_rate"], "did you mean 'tuned_error_rate'"),
    (["--evsi", "cost_per_error"], "is not a rate in [0, 1]"),
    (["--evsi", "strategies.self_hosted.llm.prompt_tokens"], "is a constant"),
    (["--evsi", "dsl_eval", "--item-sd", "0.1"], "pass/fail"),
    (["--evsi", "dsl_eval", "--sizes", "0,10"], "--sizes: a size must be a whole number of items from 1 to 1,000,000"),
    (["--evsi", "dsl_eval", "--sizes", "10,abc"], "--sizes: 'abc' is not a number of items"),
    (["--evsi", "dsl_eval", "--sizes", "2000000"], "from 1 to 1,000,000"),
    (["--evsi", "dsl_eval", "--sizes", ",".join(map(str, range(1, 23)))], "at most 20 sizes"),
    (["--evsi", "dsl_eval", "--item-usd", "-3"], "Invalid value for '--item-usd'"),
    (["--evsi", "dsl_eval", "--fixed-usd", "2e12"], "Invalid value for '--fixed-usd'"),
    (["--evsi", "dsl_eval", "--item-sd", "0"], "Invalid value for '--item-sd'"),
    (["--sizes", "10"], "--sizes goes with --evsi INPUT"),
    (["--item-usd", "4"], "--item-usd goes with --evsi INPUT"),
])
def test_evsi_refuses_bad_options_before_sampling(runner, tmp_path, monkeypatch, args, message):
    monkeypatch.chdir(ROOT)
    result = invoke(runner, ["sensitivity", PAIRED, "-n", "200", "-o", str(tmp_path / "out"), *args], code=2)
    assert message in error_line(result)
    assert not (tmp_path / "out").exists()


# --- fit -----------------------------------------------------------------------------------------


def write_csv(path: Path, header: str, values) -> Path:
    path.write_text(header + "\n" + "\n".join(f"{v:.10g}" for v in values) + "\n")
    return path


def pasted(output: str) -> tuple[str, dict]:
    """The line after "Paste into the scenario:" as a key and its TOML table."""
    line = output.split("Paste into the scenario:\n")[1].splitlines()[0]
    key = line.split(" = ", 1)[0]
    return key, tomllib.loads(line)[key]


@pytest.mark.parametrize("family, draw, truth", [
    ("lognormal", lambda rng: rng.lognormal(np.log(2000), 0.5, 400), {"mu": np.log(2000), "sigma": 0.5}),
    ("normal", lambda rng: rng.normal(40, 3, 400), {"mean": 40, "sd": 3}),
    ("beta", lambda rng: rng.beta(3, 27, 400), {"alpha": 3, "beta": 27}),
])
def test_fit_round_trips_data_from_a_known_distribution(runner, tmp_path, family, draw, truth):
    data = write_csv(tmp_path / "data.csv", "value", draw(np.random.default_rng(17)))
    result = invoke(runner, ["fit", str(data), "--key", "x"])
    assert result.output.startswith(f"A {family} ")  # ranked first (a gamma may come within 2 of AIC)
    assert "the 400 values of value" in result.output.splitlines()[0]
    key, table = pasted(result.output)
    assert key == "x" and table["dist"] == family
    dist = parse_distribution(table, "x")  # the pasted line is a valid scenario distribution
    for name, value in truth.items():
        got = dist.mu if name == "mu" else getattr(dist, name)
        assert got == pytest.approx(value, rel=0.15), (name, got, value)


def test_fit_one_family_with_a_monte_carlo_test_and_a_chart(runner, tmp_path):
    values = np.random.default_rng(3).exponential(500, 1000)
    data = write_csv(tmp_path / "runs.csv", "run_usd", values)
    plot = tmp_path / "fit.png"
    result = invoke(runner, ["fit", str(data), "-c", "run_usd", "--family", "exponential", "--gof", "50",
                             "--plot", str(plot), "--unit", "USD"])
    _key, table = pasted(result.output)
    assert table["dist"] == "exponential" and table["mean"] == pytest.approx(values.mean(), rel=1e-5)  # the MLE
    assert table["mean"] == pytest.approx(500, abs=4 * 500 / np.sqrt(1000))
    assert "Monte Carlo KS p-value of the exponential with refitting" in result.output
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and result.output.rstrip().endswith(f"Wrote {plot}")
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no staging file left


def test_fit_growth_reads_a_volume_history(runner, tmp_path):
    # 121 months of noisy growth: g = 3 % a month, volatility 5 % (MODEL.md §5b's model).
    rng = np.random.default_rng(8)
    sigma, g = 0.05, 0.03
    returns = np.log1p(g) - sigma**2 / 2 + sigma * rng.standard_normal(120)
    volumes = 40_000 * np.exp(np.concatenate([[0.0], np.cumsum(returns)]))
    (tmp_path / "volumes.csv").write_text("month;queries\n" + "\n".join(f"{i};{v:.0f}" for i, v in enumerate(volumes)))
    plot = tmp_path / "growth.svg"
    result = invoke(runner, ["fit", str(tmp_path / "volumes.csv"), "-c", "queries", "--growth", "--plot", str(plot)])
    lines = result.output.splitlines()
    assert lines[0].startswith("queries grows ") and "over 120 months" in lines[0]
    growth = tomllib.loads(next(line for line in lines if line.startswith("growth_per_month = ")))["growth_per_month"]
    volatility = tomllib.loads(next(line for line in lines if line.startswith("volatility_per_month = ")))
    assert growth["dist"] == "normal" and growth["mean"] == pytest.approx(g, abs=2.5 * growth["sd"])
    assert volatility["volatility_per_month"] == pytest.approx(sigma, rel=0.15)
    # Both lines paste into [volume] as they are.
    from ftrag_mc.scenario import parse_scenario

    volume = tomllib.loads("\n".join(result.output.split("Paste into [volume]:\n")[1].splitlines()[:2]))
    scenario = parse_scenario({"scenario": {"baseline": "a"}, "volume": {"queries_per_month": 40_000, **volume},
                               "strategies": {"a": {"one_time_usd": 1}, "b": {"one_time_usd": 2}}})
    assert scenario.volume.volatility_per_month.distribution.median == volatility["volatility_per_month"]
    assert "does not take the key" not in result.output
    assert plot.read_text().lstrip().startswith("<?xml")


def test_fit_skips_empty_cells_and_says_so(runner, tmp_path):
    data = tmp_path / "d.csv"
    data.write_text("id,cost\n1,10\n2,\n3,12\n4,11\n5,13\n")
    result = invoke(runner, ["fit", str(data), "-c", "cost", "--family", "normal"])
    assert "  1 empty cell of cost skipped." in result.output.splitlines()
    assert "the 4 values of cost" in result.output


@pytest.mark.parametrize("content, args, message", [
    (None, [], "missing.csv: no such file"),
    ("", [], "is empty: no header row and no values"),
    ("x\n", [], "column 'x' has no values (only a header row)"),
    ("x\n\n,\n", [], "column 'x' has no values"),
    ("x\n1\nabc\n3\n", [], "column 'x', row 2: 'abc' is not a number"),
    ("x\n1\nnan\n3\n", [], "row 2: 'nan' is not a finite number"),
    ("x\n5\n", [], "need at least 3 values to fit, got 1"),
    ("x\n5\n5\n5\n", [], "a constant"),
    ("x,y\n1,2\n", [], "has 2 columns (x, y): name the one to read with --column NAME"),
    ("x,y\n1,2\n", ["-c", "z"], "no column 'z'"),
    ("x\n-1\n2\n3\n", ["--family", "lognormal"], "a lognormal distribution needs positive values"),
    ("x\n-1\n2\n3\n", ["--growth"], "monthly volumes must be positive"),
    ("x\n1\n2\n3\n", ["--plot", "fit.txt"], "--plot: fit.txt: give a file name ending in .png, .svg, .pdf"),
    ("x\n1\n2\n3\n", ["--plot", "no/such/folder/fit.png"], "cannot write it"),
    ("x\n1\n2\n3\n", ["--growth", "--family", "normal"], "--family goes without --growth"),
    ("x\n1\n2\n3\n", ["--family", "pert"], "Invalid value for '--family'"),
    ("x\n1\n2\n3\n", ["--gof", "-1"], "Invalid value for '--gof'"),
])
def test_fit_bad_data_is_one_line(runner, tmp_path, monkeypatch, content, args, message):
    monkeypatch.chdir(tmp_path)
    name = "missing.csv"
    if content is not None:
        name = "data.csv"
        Path(name).write_text(content)
    before = sorted(p.name for p in tmp_path.iterdir())
    result = invoke(runner, ["fit", name, *args], code=2)
    assert message in error_line(result)
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # nothing written


def test_fit_refuses_a_folder(runner, tmp_path):
    assert "is a folder, not a CSV file" in error_line(invoke(runner, ["fit", str(tmp_path)], code=2))


def test_fit_families_on_the_command_line_are_the_library_s():
    from ftrag_mc.cli_evidence import FIT_FAMILY_NAMES
    from ftrag_mc.fit import FIT_FAMILIES

    assert FIT_FAMILY_NAMES == tuple(FIT_FAMILIES)


# --- the charts ----------------------------------------------------------------------------------


def test_charts_draw_on_a_callers_axes_and_never_save(charts_never_saved, evsi_run):
    import matplotlib.pyplot as plt
    import pandas as pd

    from ftrag_mc.fit import compute_fit_curves, compute_growth_path, fit_distribution, fit_growth
    from ftrag_mc.report.evidence_text import fit_finding, growth_finding, pilot_finding
    from ftrag_mc.report.charts.evsi import plot_evsi
    from ftrag_mc.report.charts.fit import plot_fit, plot_growth
    from ftrag_mc.report.style import RunInfo

    _result, folder = evsi_run
    frame = pd.read_csv(folder / "evsi.csv")
    frame.attrs.update(best_n=int(frame.loc[frame["best"], "n"].iloc[0]), pays_up_to_n=60.0, pays_at_every_size=True,
                       horizon_months=36, description="both error rates", study="paired eval of n items")
    info = RunInfo("dsl", "DSL", ("prompted", "self_hosted"), {}, "prompted", 1000, 4, "lhs", "0")
    fig, ax = plt.subplots()
    got_fig, got_ax = plot_evsi(frame, info, ax=ax)
    assert (got_fig, got_ax) == (fig, ax)
    assert ax.get_title(loc="left").replace("\n", " ") == pilot_finding(frame).replace("$", "\\$")

    values = np.random.default_rng(1).lognormal(3, 0.4, 200)
    fit = fit_distribution(values)
    fig, ax = plt.subplots()
    assert plot_fit(compute_fit_curves(fit, values), fit, column="x", footnote="test", ax=ax) == (fig, ax)
    assert ax.get_title(loc="left").replace("\n", " ") == fit_finding(fit, "x")
    growth = fit_growth(np.geomspace(1000, 2000, 13))
    fig, ax = plt.subplots()
    assert plot_growth(compute_growth_path(growth, np.geomspace(1000, 2000, 13)), growth, column="q",
                       footnote="test", ax=ax) == (fig, ax)
    assert ax.get_title(loc="left").replace("\n", " ").replace("\u00a0", " ") == \
        growth_finding(growth, "q").replace("\u00a0", " ")
    fig, axes = plot_fit(compute_fit_curves(fit, values), fit, column="x", footnote="test")
    assert len(axes) == 2 and axes[1].get_ylabel() == "Share of values at or below"


def test_the_evsi_chart_says_an_eval(evsi_run):
    import matplotlib
    import matplotlib.pyplot as plt
    import pandas as pd

    from ftrag_mc.report.charts.evsi import plot_evsi
    from ftrag_mc.report.style import RunInfo

    _result, folder = evsi_run
    frame = pd.read_csv(folder / "evsi.csv")
    frame.attrs.update(best_n=int(frame.loc[frame["best"], "n"].iloc[0]), pays_up_to_n=60.0, pays_at_every_size=True,
                       horizon_months=36, description="the tuned error rate", study="eval of n pass/fail items")
    info = RunInfo("dsl", "DSL", ("prompted", "self_hosted"), {}, "prompted", 1000, 4, "lhs", "0")
    fig, _ax = plot_evsi(frame, info)
    texts = " ".join(" ".join(t.get_text().split()) for t in fig.findobj(matplotlib.text.Text))
    assert "information: an eval of n pass/fail items on the tuned error rate" in texts
    assert " a eval " not in texts
    plt.close(fig)


def test_the_growth_chart_counts_whole_months():
    import matplotlib.pyplot as plt

    from ftrag_mc.fit import compute_growth_path, fit_growth
    from ftrag_mc.report.charts.fit import plot_growth

    volumes = 20_000 * 1.03 ** np.arange(18)
    growth = fit_growth(volumes)
    fig, ax = plot_growth(compute_growth_path(growth, volumes), growth, column="queries", footnote="test")
    fig.canvas.draw()
    ticks = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
    assert ticks and all(t.isdigit() for t in ticks), ticks  # not 2.5, 7.5, ...
    plt.close(fig)
