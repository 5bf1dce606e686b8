"""The scenario file: good scenarios parse to what they say, bad ones fail on one line and write nothing.

The bad corpus is ``tests/fixtures/bad/``: each file is a valid scenario with exactly one fault, named
after the fault. :data:`BAD` says, for each, which key path and which words the error must carry.
"""

from __future__ import annotations

import copy
import dataclasses
import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import ftrag_mc
from ftrag_mc import ScenarioError, load_scenario, parse_scenario, simulate
from ftrag_mc.cli import main
from ftrag_mc.scenario import (
    Correlation, Meta, Simulation, Strategy, Team, Volume, describe_format,
)

FIXTURES = Path(__file__).parent / "fixtures"
BAD_DIR = FIXTURES / "bad"

# --- the bad corpus -------------------------------------------------------------------------------

# (file stem, expected substring of the error's key path, expected substring of the message).
# An empty path means the fault belongs to the whole file (it cannot be parsed, or a section is missing).
BAD = [
    ("invalid_toml_syntax", "", "invalid TOML"),
    ("not_utf8", "", "not a UTF-8"),
    ("empty", "", "missing section [scenario]"),
    ("unknown_section", "simulations", "did you mean 'simulation'"),
    ("missing_scenario_section", "", "missing section [scenario]"),
    ("missing_volume_section", "", "missing section [volume]"),
    ("missing_strategies_section", "", "missing section [strategies]"),
    ("strategies_not_a_table", "strategies", "expected a table, got an array"),
    ("one_strategy", "strategies", "at least two strategies"),
    ("baseline_not_a_strategy", "scenario.baseline", "'rga' is not a strategy"),
    ("missing_baseline", "scenario", "missing required key 'baseline'"),
    ("unknown_key_in_scenario", "scenario.horizon_month", "did you mean 'horizon_months'"),
    ("unknown_key_in_strategy", "strategies.rag.lable", "did you mean 'label'"),
    ("unknown_component", "strategies.ft.trainig", "did you mean 'training'"),
    ("unknown_key_in_component", "strategies.rag.retrieval.reindex_every_month",
     "did you mean 'reindex_every_months'"),
    ("unknown_key_in_distribution", "strategies.ft.training.run_usd.mod", "did you mean 'mode'"),
    ("missing_required_key", "strategies.rag.llm", "missing required key 'input_usd_per_mtok'"),
    ("string_for_number", "volume.queries_per_month", "expected a number, got a string"),
    ("string_for_quantity", "strategies.rag.llm.output_usd_per_mtok", "'15' is not a shared input"),
    ("boolean_for_number", "strategies.rag.llm.output_tokens", "got a boolean"),
    ("boolean_for_integer", "scenario.horizon_months", "expected a whole number"),
    ("array_for_table", "strategies.rag.retrieval", "expected a table, got an array"),
    ("table_for_string", "strategies.rag.label", "expected a string, got a table"),
    ("nan_number", "volume.queries_per_month", "finite"),
    ("negative_cost", "strategies.rag.retrieval.vector_store_usd_per_month", "must be between 0 and 1e12 (got -100)"),
    ("negative_cost_distribution", "strategies.rag.retrieval.vector_store_usd_per_month",
     "outside the allowed range (between 0 and 1e12)"),
    ("rate_above_one", "strategies.rag.cache.hit_rate", "between 0 and 1 (got 1.5)"),
    ("hit_rate_untruncated_normal", "strategies.rag.cache.hit_rate", "outside the allowed range (between 0 and 1)"),
    ("shared_input_outside_support", "strategies.rag.cache.hit_rate", "shared input 'hit'"),
    ("pert_mode_outside_range", "strategies.ft.training.run_usd.mode", "mode must lie between min and max"),
    ("uniform_min_not_below_max", "strategies.rag.retrieval.vector_store_usd_per_month.max",
     "max must be greater than min"),
    ("truncate_reversed", "strategies.rag.retrieval.vector_store_usd_per_month.truncate", "lo < hi"),
    ("unknown_distribution", "strategies.ft.training.run_usd.dist", "unknown distribution 'gaussian'"),
    ("choice_weights_mismatch", "strategies.ft.training.run_usd.weights", "one entry per value"),
    ("lognormal_two_parameterisations", "strategies.ft.training.run_usd", "give exactly one of"),
    ("unknown_shared_input", "strategies.rag.llm.input_usd_per_mtok", "did you mean 'price'"),
    ("shared_input_is_a_reference", "inputs.alias", "not a reference"),
    ("successor_not_a_strategy", "strategies.ft.end_of_life.successor", "'hybrid' must be another strategy"),
    ("successor_is_itself", "strategies.ft.end_of_life.successor", "'ft' must be another strategy"),
    ("successor_has_end_of_life", "strategies.ft.end_of_life.successor", "has an end_of_life of its own"),
    ("end_of_life_month_and_probability", "strategies.ft.end_of_life", "exactly one of month or probability_per_year"),
    ("end_of_life_without_month", "strategies.ft.end_of_life", "exactly one of month or probability_per_year"),
    ("training_run_usd_and_tokens", "strategies.ft.training", "not both"),
    ("training_tokens_without_price", "strategies.ft.training", "missing training_usd_per_mtok"),
    ("analysis_horizon_beyond_horizon", "scenario.analysis_horizons_months[1]", "beyond horizon_months (24)"),
    ("sweep_min_not_below_max", "volume.sweep_min", "must be below sweep_max"),
    ("labour_without_team", "strategies.rag.labour", "[team]"),
    ("training_weeks_without_team", "strategies.ft.training", "[team]"),
    ("correlation_not_symmetric", "correlation.matrix[1][0]", "symmetric"),
    ("correlation_not_positive_definite", "correlation.matrix", "not positive definite"),
    ("correlation_unknown_input", "correlation.inputs[1]", "'d' is not a shared input"),
    ("correlation_constant_input", "correlation.inputs[0]", "constant"),
    ("correlation_duplicate_input", "correlation.inputs[1]", "listed twice"),
    ("correlation_single_input", "correlation.inputs", "at least two inputs"),
    ("sampler_unknown", "simulation.sampler", "must be one of mc, lhs, sobol"),
    ("samples_below_two", "simulation.samples", "(got 1)"),
    ("min_replicas_not_integer", "strategies.ft.self_hosted.min_replicas", "whole number"),
    ("cache_without_llm", "strategies.ft.cache", "needs an [llm] section"),
    ("huge_integer", "volume.queries_per_month", "finite"),
    ("huge_integer_in_distribution", "strategies.ft.training.run_usd.max", "finite"),
    ("scenario_name_is_a_path", "scenario.name", "name"),
]

# Bugs found by the corpus and fixed; kept empty so a newly found one can be pinned as a strict xfail.
BUGS: dict[str, str] = {}
WRONG_PATH_ONLY = {"correlation_duplicate_input", "correlation_single_input"}


def bad_cases(*, checks_path: bool = True) -> list:
    """The corpus as pytest params; known bugs are strict xfails where they break the test."""
    params = []
    for stem, key, message in BAD:
        reason = BUGS.get(stem)
        if reason and (checks_path or stem not in WRONG_PATH_ONLY):
            params.append(pytest.param(stem, key, message, id=stem,
                                       marks=pytest.mark.xfail(reason=reason, strict=True)))
        else:
            params.append(pytest.param(stem, key, message, id=stem))
    return params


def bad_file(stem: str) -> Path:
    return BAD_DIR / f"{stem}.toml"


def test_corpus_matches_table():
    on_disk = {p.stem for p in BAD_DIR.glob("*.toml")}
    in_table = [stem for stem, _, _ in BAD]
    assert len(in_table) == len(set(in_table)), "a file is listed twice"
    assert on_disk == set(in_table)
    assert len(on_disk) >= 30
    assert set(BUGS) <= on_disk


@pytest.mark.parametrize(("stem", "key", "message"), bad_cases())
def test_load_bad_scenario(stem, key, message):
    path = bad_file(stem)
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    error = caught.value
    text = str(error)
    assert "\n" not in text
    assert text.startswith(f"{path}: "), "the error starts with the file"
    assert error.file == str(path)
    assert key in (error.path or ""), f"key path {error.path!r} should contain {key!r}"
    if key:
        assert f": {error.path}: " in text
    assert message in error.message


def _assert_one_line_error(output: str, path: Path, key: str, message: str) -> None:
    lines = output.strip("\n").splitlines()
    assert len(lines) == 1, output
    assert lines[0].startswith("Error: ")
    assert "Traceback" not in output
    assert path.name in lines[0]
    assert key in lines[0]
    assert message in lines[0]


@pytest.mark.parametrize("command", ["run", "validate"])
@pytest.mark.parametrize(("stem", "key", "message"), bad_cases())
def test_cli_bad_scenario(runner, tmp_path, command, stem, key, message):
    path = bad_file(stem)
    out = tmp_path / "out"
    args = [command, str(path)] + (["--out", str(out)] if command == "run" else [])
    result = runner.invoke(main, args, prog_name="ftrag-mc")
    assert result.exit_code == 2, result.output
    _assert_one_line_error(result.output, path, key, message)
    assert result.stdout == ""
    assert not (out / stem).exists()
    assert list(tmp_path.iterdir()) == [], "nothing is written, not even the --out folder"


SUBPROCESS_CASES = ["invalid_toml_syntax", "not_utf8", "unknown_key_in_component", "pert_mode_outside_range",
                    "correlation_not_positive_definite", "huge_integer"]


@pytest.mark.parametrize(("stem", "key", "message"),
                         [p for p in bad_cases() if p.values[0] in SUBPROCESS_CASES])
def test_subprocess_bad_scenario(tmp_path, stem, key, message):
    path = bad_file(stem)
    out = tmp_path / "out"
    done = subprocess.run([sys.executable, "-m", "ftrag_mc", "run", str(path), "--out", str(out)],
                          cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2, done.stderr
    assert done.stdout == ""
    _assert_one_line_error(done.stderr, path, key, message)
    assert list(tmp_path.iterdir()) == []


@pytest.fixture(scope="module")
def earlier_report(tmp_path_factory):
    """An OUT folder holding a finished report of the minimal scenario (OUT/minimal)."""
    from click.testing import CliRunner

    out = tmp_path_factory.mktemp("earlier") / "out"
    result = CliRunner().invoke(main, ["run", str(FIXTURES / "good" / "minimal.toml"), "--samples", "200",
                                       "--out", str(out), "--quiet"])
    assert result.exit_code == 0, result.output
    assert (out / "minimal" / "run.json").exists()
    return out


@pytest.mark.parametrize(("stem", "key", "message"), bad_cases(checks_path=False))
def test_bad_scenario_leaves_earlier_report_untouched(runner, tmp_path, snapshot, earlier_report,
                                                      stem, key, message):
    # The bad file takes the name of the earlier report's scenario, so a write would replace it.
    scenario = tmp_path / "minimal.toml"
    scenario.write_bytes(bad_file(stem).read_bytes())
    before = snapshot(earlier_report.parent)
    result = runner.invoke(main, ["run", str(scenario), "--out", str(earlier_report)])
    assert result.exit_code == 2, result.output
    assert result.output.startswith("Error: ") and len(result.output.strip().splitlines()) == 1
    assert snapshot(earlier_report.parent) == before


def test_missing_file(runner, tmp_path):
    path = tmp_path / "nowhere.toml"
    with pytest.raises(ScenarioError, match="cannot read the file") as caught:
        load_scenario(path)
    assert str(caught.value).startswith(str(path))
    result = runner.invoke(main, ["run", str(path), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert result.output.startswith("Error: ") and len(result.output.strip().splitlines()) == 1
    assert list(tmp_path.iterdir()) == []


def test_parse_error_without_file_has_no_file_prefix():
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(_table(baseline="nope"))
    assert str(caught.value).startswith("scenario.baseline: ")
    assert caught.value.file is None


# --- good scenarios ---------------------------------------------------------------------------------


def _table(*, horizon: int = 24, baseline: str = "a", shared: bool = True, **scenario_keys) -> dict:
    """Two strategies that differ only by $1 one-time; their input price is shared (or not)."""
    price = {"dist": "uniform", "min": 1, "max": 10}
    price_a, price_b = ("price", "inputs.price") if shared else (price, dict(price))
    return {
        "scenario": {"horizon_months": horizon, "baseline": baseline, **scenario_keys},
        "volume": {"queries_per_month": 1e5, "sweep_points": 5},
        "simulation": {"samples": 400, "seed": 3, "sampler": "mc"},
        "inputs": {"price": copy.deepcopy(price)},
        "strategies": {
            "a": {"llm": {"prompt_tokens": 1000, "input_usd_per_mtok": price_a, "output_usd_per_mtok": 0}},
            "b": {"llm": {"prompt_tokens": 1000, "input_usd_per_mtok": price_b, "output_usd_per_mtok": 0},
                  "one_time_usd": 1},
        },
    }


def test_minimal_scenario(minimal_path):
    scenario = load_scenario(minimal_path)
    assert tuple(scenario.strategies) == ("rag", "ft")
    assert scenario.baseline == "rag"
    assert scenario.challengers == ("ft",)
    assert scenario.label("ft") == "Fine-tune"
    assert scenario.title == "Minimal: fine-tune vs RAG"
    assert scenario.file == str(minimal_path)
    assert load_scenario(str(minimal_path)) == scenario, "a str path works like a Path"


def test_shared_input_is_one_input(minimal_path):
    scenario = load_scenario(minimal_path)
    rag = scenario.strategies["rag"].llm.input_usd_per_mtok
    ft = scenario.strategies["ft"].llm.input_usd_per_mtok
    # Written as "base_input_usd_per_mtok" in rag and "inputs.base_input_usd_per_mtok" in ft.
    assert rag.name == ft.name == "inputs.base_input_usd_per_mtok"
    assert rag == ft
    assert "inputs.base_input_usd_per_mtok" in scenario.inputs
    assert not any(name.endswith("llm.input_usd_per_mtok") for name in scenario.inputs)

    result = simulate(scenario, samples=300, seed=5, keep_samples=True)
    draws = result.inputs["inputs.base_input_usd_per_mtok"]
    assert draws.shape == (300,) and np.ptp(draws) > 0
    assert not any(name.endswith("llm.input_usd_per_mtok") for name in result.inputs)


def test_shared_input_is_the_same_draw_for_both_strategies():
    # b costs exactly a + $1 when both read the same draw of the price, so b never wins and its
    # cumulative cost is a's plus one at every month. With two independent draws b wins often.
    shared = simulate(parse_scenario(_table(shared=True)), keep_samples=True)
    assert shared.win_counts.sum() == 0
    diff = shared.cumulative_usd[:, 1, :] - shared.cumulative_usd[:, 0, :]
    np.testing.assert_allclose(diff, 1.0, rtol=0, atol=1e-6)

    independent = simulate(parse_scenario(_table(shared=False)), keep_samples=True)
    assert independent.win_counts[0, -1, -1] > 100  # of 400 samples, about half


@pytest.mark.parametrize(("horizon", "expected"), [
    (1, (1,)), (6, (6,)), (12, (12,)), (18, (12, 18)), (24, (12, 24)), (30, (12, 24, 30)),
    (36, (12, 24, 36)), (48, (12, 24, 36, 48)), (120, (12, 24, 36, 120)),
])
def test_default_analysis_horizons(horizon, expected):
    scenario = parse_scenario(_table(horizon=horizon))
    assert scenario.analysis_horizons == expected


def test_given_analysis_horizons_are_sorted_and_unique():
    scenario = parse_scenario(_table(horizon=24, analysis_horizons_months=[24, 6, 6]))
    assert scenario.analysis_horizons == (6, 24)


def test_horizons_of_the_fixtures(minimal_path, full_path):
    assert load_scenario(minimal_path).analysis_horizons == (12, 24)
    assert load_scenario(full_path).analysis_horizons == (6, 18, 30)


def test_name_defaults_to_file_stem(minimal_path, full_path, tmp_path):
    assert load_scenario(minimal_path).name == "minimal"
    copied = tmp_path / "support-bot v2.toml"
    shutil.copyfile(minimal_path, copied)
    assert load_scenario(copied).name == "support-bot v2"
    assert load_scenario(full_path).name == "everything", "[scenario] name wins over the file name"
    assert parse_scenario(_table()).name == "scenario"


def test_source_hash_is_sha256_of_file_bytes(minimal_path, tmp_path):
    raw = minimal_path.read_bytes()
    assert load_scenario(minimal_path).source_hash == hashlib.sha256(raw).hexdigest()
    edited = tmp_path / "minimal.toml"
    edited.write_bytes(raw + b"\n# a comment changes the bytes, not the meaning\n")
    assert load_scenario(edited).source_hash == hashlib.sha256(edited.read_bytes()).hexdigest()
    assert load_scenario(edited).source_hash != load_scenario(minimal_path).source_hash


def test_full_scenario_uses_every_component(full_path):
    scenario = load_scenario(full_path)
    components = [f.name for f in dataclasses.fields(Strategy) if f.metadata.get("kind") == "section"]
    assert len(components) >= 10
    for component in components:
        assert any(getattr(s, component) is not None for s in scenario.strategies.values()), component
    assert scenario.team is not None
    assert scenario.correlation is not None
    assert scenario.correlation.names == ("inputs.growth", "inputs.frontier_input_usd_per_mtok",
                                          "team.engineer_week_usd")
    assert scenario.simulation.sampler == "mc" and scenario.simulation.samples == 300

    result = simulate(scenario, samples=200, seed=1, keep_samples=True)
    assert result.cumulative_usd.shape == (200, 4, 31)  # rag, ft, gpu and the staged rag -> ft
    assert np.isfinite(result.cumulative_usd).all()


# --- the generated reference --------------------------------------------------------------------------

SECTIONS = [(Meta, "[scenario]"), (Volume, "[volume]"), (Team, "[team]"), (Simulation, "[simulation]"),
            (Correlation, "[correlation]"), (Strategy, "[strategies.<name>]")]


def _walk(cls: type, header: str):
    """(header, field) for every schema field of ``cls`` and of its nested sections."""
    for f in dataclasses.fields(cls):
        if "kind" not in f.metadata:
            continue  # internal, not a key a user writes (e.g. EndOfLife.event)
        yield header, f
        if f.metadata["kind"] == "section":
            yield from _walk(f.metadata["cls"], f"{header}.{f.name}")


def test_reference_mentions_every_field_of_every_section():
    reference = describe_format()
    seen = 0
    for cls, header in SECTIONS:
        for section_header, f in _walk(cls, header):
            block = reference.split(f"#### `{section_header}`", 1)
            assert len(block) == 2, f"no heading for {section_header}"
            table = block[1].split("####", 1)[0]
            assert f"| `{f.name}` |" in table, f"{section_header} {f.name}"
            assert f.metadata["doc"] in table
            seen += 1
    assert seen > 80


def test_reference_explains_inputs_and_distributions():
    from ftrag_mc.distributions import FAMILIES

    reference = describe_format()
    assert "`[inputs]`" in reference
    assert '"inputs.name"' in reference, "both ways to reference a shared input are documented"
    for family, cls in FAMILIES.items():
        assert f"| `{family}` | {cls.params_doc.replace(' | ', ' *or* ')} |" in reference, family
    assert "truncate" in reference


def test_package_exports():
    assert ftrag_mc.load_scenario is load_scenario
    assert issubclass(ScenarioError, ValueError)
