"""The app's pure core (no web library, no browser): fields, the page's state and its bounds, the
URL, errors beside their fields, and the numbers, equal to ``ftrag-mc run``'s."""

from __future__ import annotations

import dataclasses

import io
import pickle
import tomllib
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ftrag_mc.app.fields import scenario_fields
from ftrag_mc.app.state import (
    EXTRA, MAX_EDITS, MAX_PAGE_SAMPLES, MAX_QUERY_CHARS, Edit, PageState, form_values, read_form, state_from_query,
    state_to_query,
)
from ftrag_mc.app.views import Invalid, Request, Source, compute_first, compute_run, origin_of
from ftrag_mc.scenario import load_scenario

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = sorted((ROOT / "scenarios").glob("*.toml"))
SUPPORT = "scenarios/support-classifier.toml"  # relative, as a person types it: messages name it so


@pytest.fixture(scope="module")
def source(request) -> Source:
    return Source((ROOT / SUPPORT).read_bytes(), SUPPORT, "support-classifier")


@pytest.fixture(scope="module")
def fields(source):
    return scenario_fields(source.load(), tomllib.loads(source.raw.decode()))


def _by_key(fields):
    return {f.key: f for f in fields}


# --- fields ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_every_field_is_a_key_set_as_with_set(path):
    scenario = load_scenario(path)
    fields = scenario_fields(scenario, tomllib.loads(path.read_text()))
    assert fields and len({f.id for f in fields}) == len(fields) == len({f.key for f in fields})
    assert fields[0].key == "volume.queries_per_month"
    for f in fields:
        assert f.id.isidentifier() and f.label and f.group
    # Every field set to its own value is the scenario as written; the page's edit is --set's.
    same = load_scenario(path, [f"{f.key}={f.value}" for f in fields])
    assert same.inputs == scenario.inputs
    shown = {f.key.rpartition(".")[0] for f in fields} | {f.key for f in fields}
    written = {k for k in scenario.uncertain_inputs if _written(tomllib.loads(path.read_text()), k)}
    assert written <= shown, "every uncertain input the file writes has its parameters as fields"


def _written(table, key):
    for part in key.split("."):
        if not isinstance(table, dict) or part not in table:
            return False
        table = table[part]
    return True


def test_a_field_edit_changes_its_input(source, fields):
    f = _by_key(fields)["volume.growth_per_month.mode"]
    form = read_form(fields, {f.id: "0.02"}, strategies=["prompted", "fine_tuned"])
    assert form.state.overrides == ("volume.growth_per_month.mode=0.02",)
    assert source.load(form.state.overrides).inputs["volume.growth_per_month"].mode == 0.02


# --- the state: bounds, problems ------------------------------------------------------------------

def test_a_value_meaning_the_scenarios_is_no_edit(fields):
    f = _by_key(fields)["volume.growth_per_month.mode"]
    assert read_form(fields, {f.id: "0.010"}).state.edits == ()
    assert read_form(fields, {x.id: x.value for x in fields}).state.edits == ()


def test_bounds_are_problems_beside_their_inputs(fields):
    f = fields[0]
    form = read_form(fields, {f.id: "9" * 5_000}, extra="x=1\n" * (MAX_EDITS + 5), samples=10**9, seed="x",
                     baseline="nope", challenger=["a list"], strategies=["prompted"])
    assert "at most" in form.problems[f.id]
    assert f"at most {MAX_EDITS}" in form.problems[EXTRA]
    assert f"{MAX_PAGE_SAMPLES:,}" in form.problems["samples"] and "ftrag-mc run takes more" in form.problems["samples"]
    assert "whole number" in form.problems["seed"]
    assert "not a strategy" in form.problems["baseline"] and "not a strategy" in form.problems["challenger"]
    assert len(form.state.edits) == MAX_EDITS
    assert form.state.samples == 20_000 and form.state.seed == 2026


@given(st.dictionaries(st.text(max_size=30), st.one_of(
    st.none(), st.text(max_size=200), st.integers(), st.floats(allow_nan=True), st.booleans(),
    st.lists(st.integers(), max_size=3), st.dictionaries(st.text(max_size=5), st.integers(), max_size=3))),
    st.text(max_size=300), st.one_of(st.none(), st.text(max_size=20), st.floats(), st.integers()))
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_any_json_a_browser_sends_is_read_never_raised(fields, values, extra, samples):
    values = {**values, **{fields[i].id: v for i, v in enumerate(values.values())}}
    form = read_form(fields, values, extra=extra, samples=samples, seed=samples, baseline=extra, challenger=samples,
                     strategies=["prompted", "fine_tuned"])
    assert len(form.state.edits) <= MAX_EDITS and 2 <= form.state.samples <= MAX_PAGE_SAMPLES


# --- the URL ------------------------------------------------------------------------------------------

def test_the_url_carries_the_view(fields):
    state = PageState((Edit("volume.growth_per_month.mode=0.02", "x"), Edit("inputs.misroute_usd.max=5", EXTRA),
                       Edit('strategies.fine_tuned.training.run_usd={dist="uniform",min=1000,max=9000}', EXTRA)),
                      samples=5000, seed=7, baseline="prompted_cached", challenger="fine_tuned")
    query = state_to_query(state)
    assert "set=volume.growth_per_month.mode%3D0.02" in query
    back = state_from_query("?" + query, fields, strategies=["prompted", "prompted_cached", "fine_tuned"]).state
    assert back.overrides == state.overrides
    assert (back.samples, back.seed, back.baseline, back.challenger) == (5000, 7, "prompted_cached", "fine_tuned")
    values, extra = form_values(fields, [e.text for e in back.edits])
    assert values[_by_key(fields)["inputs.misroute_usd.max"].id] == "5" and "run_usd" in extra


def test_an_edit_after_one_replacing_its_table_stays_after_it(fields):
    table = 'inputs.misroute_usd={dist="uniform",min=1,max=2}'
    back = state_from_query(state_to_query(PageState((Edit(table, EXTRA), Edit("inputs.misroute_usd.max=3", EXTRA)))),
                            fields).state
    assert back.overrides == (table, "inputs.misroute_usd.max=3")


def test_a_link_too_long_or_malformed_is_read_as_far_as_it_goes(fields):
    long = state_from_query("set=" + "x" * (MAX_QUERY_CHARS + 1), fields)
    assert long.state.edits == () and "at most" in long.problems[EXTRA]
    odd = state_from_query("set=%ZZ&set=&samples=-3&seed=1e400&unknown=1&&=&set=no-equals-sign", fields)
    assert odd.problems["samples"] and odd.problems["seed"]
    assert [e.text for e in odd.state.edits] == ["%ZZ", "no-equals-sign"]


@given(st.text(max_size=400))
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_any_query_is_read_never_raised(fields, query):
    state_from_query(query, fields, strategies=["prompted"])


# --- errors: the CLI's message, beside its field -------------------------------------------------

@pytest.mark.parametrize("key, text", [
    ("volume.queries_per_month", "lots"), ("volume.queries_per_month", ""), ("volume.queries_per_month", "-5"),
    ("volume.growth_per_month.mode", "0.5"), ("strategies.fine_tuned.training.run_usd.max", "1e300"),
])
def test_a_bad_edit_is_the_cli_message_beside_its_field(source, fields, runner, tmp_path, key, text):
    from ftrag_mc.cli import main

    f = _by_key(fields)[key]
    state = read_form(fields, {f.id: text}).state
    outcome = compute_run(source, Request.of(state))
    assert isinstance(outcome, Invalid)
    assert origin_of(outcome, state) == f.id
    cli = runner.invoke(main, ["validate", SUPPORT, "--set", f"{key}={text}"], catch_exceptions=False)
    assert cli.exit_code == 2 and cli.output.strip() == f"Error: {outcome.message}"


def test_a_bad_line_of_the_box_and_a_challenger_that_is_the_baseline(source, fields):
    state = read_form(fields, {}, extra="strategies.nope.label=x").state
    outcome = compute_run(source, Request.of(state))
    assert origin_of(outcome, state) == EXTRA and "'nope' is not a strategy" in outcome.message
    state = read_form(fields, {}, challenger="prompted", strategies=["prompted", "fine_tuned"]).state
    outcome = compute_first(source, Request(state.overrides, 500, 1, "prompted"))
    assert isinstance(outcome, Invalid) and origin_of(outcome, state) == "challenger"


# --- the numbers: ftrag-mc run's ---------------------------------------------------------------------

EDITS = ("volume.growth_per_month.mode=0.02", "strategies.fine_tuned.training.run_usd.max=6000")
#: The file's baseline (the decision's runner-up is another strategy: the headline needs the pair
#: run) and the runner-up as the baseline (the run is its own pair).
BASELINES = [None, "prompted_cached"]


def _cli_run(out: Path, baseline: str | None, *, samples: int = 3000, seed: int = 11) -> tuple[list[str], Path]:
    """``ftrag-mc run`` with the page's edits, baseline, samples and seed: (printed lines, folder)."""
    from click.testing import CliRunner

    from ftrag_mc.cli import main

    args = ["run", SUPPORT, "--samples", str(samples), "--seed", str(seed), "--out", str(out)]
    if baseline is not None:
        args += ["--baseline", baseline]
    for edit in EDITS:
        args += ["--set", edit]
    result = CliRunner().invoke(main, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output.splitlines(), out / "support-classifier"


@pytest.fixture(scope="module", params=BASELINES, ids=["file-baseline", "runner-up-baseline"])
def baseline(request):
    return request.param


@pytest.fixture(scope="module")
def cli_run(tmp_path_factory, baseline):
    return _cli_run(tmp_path_factory.mktemp("run"), baseline)


@pytest.fixture(scope="module")
def page_state(baseline):
    return PageState(tuple(Edit(e, "x") for e in EDITS), samples=3000, seed=11, baseline=baseline)


def test_the_page_gives_run_s_headline_and_summary(source, cli_run, page_state, tmp_path):
    from ftrag_mc.report.writers import write_report

    lines, folder = cli_run
    headline, chart, run = compute_first(source, Request.of(page_state))
    assert headline.text == lines[0], "the page's headline is the first line ftrag-mc run prints"
    decision = pd.read_csv(folder / "decision.csv")
    roles = decision.set_index("role")["strategy"]
    assert headline.view == ("decision", roles["recommended"], roles["runner-up"])
    assert [row["Strategy"].lstrip("▶ ") for row in headline.key_figures] == decision["label"].tolist()
    write_report(tmp_path / "page", {"summary.csv": run.summary})
    assert (tmp_path / "page" / "summary.csv").read_bytes() == (folder / "summary.csv").read_bytes()
    assert chart.svg.startswith(b"<?xml") and b"<svg" in chart.svg and chart.finding
    assert headline.top_inputs[0]["label"] in lines[0]
    top = pd.read_csv(folder / "top_inputs.csv")
    assert [row["label"] for row in headline.top_inputs] == top["label"].tolist()
    assert page_state.command(SUPPORT).startswith("ftrag-mc run scenarios/support-classifier.toml --samples 3000")


def test_the_main_chart_is_the_first_panel_of_run_s(source, page_state):
    """The main question's chart is the decision's pair, as the first panel of ``run``'s
    pwin_vs_volume.png; the chart guessed before the run (from a P(win)-only run against the
    runner-up) is the same chart, byte for byte, and so is the headline said from the pair run alone."""
    from ftrag_mc.app.views import compute_pair_headline, compute_pair_run, compute_quick_chart
    from ftrag_mc.report.analyses import RunAnalyses
    from ftrag_mc.report.charts import pwin_vs_volume_finding

    request = Request.of(page_state)
    headline, chart, run = compute_first(source, request)
    analyses = RunAnalyses(run.result)
    hero = analyses.hero
    first = hero.iloc[0]
    assert (first["strategy"], first["baseline"]) == headline.view[1:]
    panel = hero[(hero["strategy"] == first["strategy"]) & (hero["baseline"] == first["baseline"])]
    assert chart.finding == pwin_vs_volume_finding(panel, analyses.info)
    assert pwin_vs_volume_finding(hero, analyses.info).startswith(chart.finding.rstrip("."))
    packed = compute_run(source, request)
    guessed = compute_quick_chart(source, request, headline.view)
    assert guessed.view == chart.view and guessed.svg == chart.svg
    if packed.needs_pair_run:  # the runner-up is not the file's baseline: the pair run says the headline
        said = compute_pair_headline(compute_pair_run(source, request, packed.runner_up))
        assert dataclasses.replace(said, seconds=0.0) == dataclasses.replace(headline, seconds=0.0)
    # a pair run against a strategy that is not the runner-up (a stale guess) says nothing
    stale = compute_pair_run(source, request, packed.recommended)
    assert stale is None or compute_pair_headline(stale) is None


def test_a_challenger_picked_is_said_against_the_baseline_with_its_sign(source):
    """A challenger picked is shown against the baseline in words: a saving as a saving, a loss as a
    loss (never a negative saving), its numbers the summary's."""
    from ftrag_mc.report.numbers import format_percent

    for challenger in ("prompted_cached", "fine_tuned", "prompted"):
        request = Request(("scenario.baseline=\"prompted_cached\"",) if challenger == "prompted" else (), 3000, 11,
                          challenger)
        headline, chart, run = compute_first(source, request)
        row = run.summary[(run.summary["strategy"] == challenger)
                          & (run.summary["horizon_months"] == max(run.result.horizons))].iloc[0]
        text = headline.text
        assert headline.view == ("pair", challenger, run.result.baseline) and chart.view == headline.view
        assert text.startswith(f"{row['label']} against {run.result.scenario.label(run.result.baseline)}")
        assert f"cheaper in {format_percent(row['p_win'])} of futures" in text
        assert "-$" not in text and "$-" not in text
        assert ("saves $" in text) == (row["mean_delta_usd"] < 0) and ("more on average" in text) == (
            row["mean_delta_usd"] > 0)
        assert ("average loss in the worst 5 %" in text) == (row["cvar95_delta_usd"] > 0)
        assert len(headline.key_figures) == len(run.result.challengers)


def test_the_page_s_csvs_are_run_s(source, cli_run, page_state):
    from ftrag_mc.app.exports import csv_zip

    _lines, folder = cli_run
    run = pickle.loads(compute_run(source, Request.of(page_state)).data)
    archive = zipfile.ZipFile(io.BytesIO(csv_zip(run.result)))
    names = {Path(n).name for n in archive.namelist()}
    assert names == {p.name for p in folder.glob("*.csv")}
    for name in names:
        assert archive.read(f"support-classifier/{name}") == (folder / name).read_bytes(), name


@pytest.mark.slow
def test_the_downloaded_toml_runs_to_the_page_s_numbers(source, cli_run, page_state, tmp_path, runner):
    from ftrag_mc.app.exports import edited_toml
    from ftrag_mc.cli import main

    text = edited_toml(source, page_state)
    original = source.raw.decode()
    kept = [line for line in original.splitlines() if line.lstrip().startswith("#")]
    assert all(line in text for line in kept), "every comment of the file is kept"
    assert "# article: $2,200" in text
    path = tmp_path / "support-classifier.toml"
    path.write_text(text)
    result = runner.invoke(main, ["run", str(path), "--out", str(tmp_path / "out")], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == cli_run[0][0]
    summary = (tmp_path / "out" / "support-classifier" / "summary.csv").read_bytes()
    assert summary == (cli_run[1] / "summary.csv").read_bytes()


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_the_toml_reads_back_as_the_edited_table(path):
    from ftrag_mc.app.exports import edited_toml
    from ftrag_mc.overrides import apply_overrides

    source = Source.read(path)
    scenario = source.load()
    fields = scenario_fields(scenario, tomllib.loads(path.read_text()))
    strategy = next(s for s in reversed(scenario.strategies)  # one that takes a one-time cost (not a staged one)
                    if _valid(source, f"strategies.{s}.one_time_usd=1500"))
    edits = [f"{fields[0].key}=123456", f"{fields[-1].key}={fields[-1].value}",
             f"strategies.{strategy}.one_time_usd=1500",
             f'strategies.{strategy}.label="Edited \\"label\\" # not a comment"']
    state = PageState(tuple(Edit(e, EXTRA) for e in edits), samples=777, seed=5)
    text = edited_toml(source, state)
    expected = apply_overrides(tomllib.loads(path.read_text()), [*edits, "simulation.samples=777", "simulation.seed=5"])
    assert tomllib.loads(text) == expected


def _valid(source, override):
    from ftrag_mc.errors import ScenarioError

    try:
        source.load([override])
    except ScenarioError:
        return False
    return True
