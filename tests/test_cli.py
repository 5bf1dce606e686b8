"""The ftrag-mc command line: help, version, validate, format, and what `run` writes (and refuses to).

Runs use the minimal fixture at 2,000 samples. Bad scenario files are tested in test_scenario.py.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from ftrag_mc import __version__
from ftrag_mc.cli import main
from ftrag_mc.scenario import describe_format

SAMPLES = "2000"
REPORT_FILES = [
    "pwin_vs_volume.png", "pwin_vs_volume.csv", "pwin_vs_month.png", "pwin_vs_month.csv",
    "breakeven.png", "breakeven.csv", "payback.png", "payback.csv", "summary.csv", "run.json",
]


def run(runner, scenario: Path, out: Path, *args: str):
    """`ftrag-mc run SCENARIO --samples 2000 --out OUT ARGS`; fails the test on a non-zero exit."""
    result = runner.invoke(main, ["run", str(scenario), "--samples", SAMPLES, "--out", str(out), *args],
                           prog_name="ftrag-mc")
    assert result.exit_code == 0, result.output
    return result


def csv_bytes(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.glob("*.csv"))}


# --- help, version, format -------------------------------------------------------------------------

@pytest.mark.parametrize("command", [None, *sorted(main.commands)])
def test_help(runner, command):
    args = ([command] if command else []) + ["--help"]
    result = runner.invoke(main, args, prog_name="ftrag-mc")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Usage: ftrag-mc")
    assert "Example" in result.output
    assert "ftrag-mc" in result.output.split("Example", 1)[1], "the example shows a command line"
    assert runner.invoke(main, args[:-1] + ["-h"], prog_name="ftrag-mc").output == result.output


def test_commands_are_the_documented_ones():
    assert set(main.commands) >= {"run", "validate", "format"}


def test_version(runner):
    result = runner.invoke(main, ["--version"], prog_name="ftrag-mc")
    assert result.exit_code == 0
    assert result.output.strip() == f"ftrag-mc, version {__version__}"


def test_python_m_help(tmp_path):
    done = subprocess.run([sys.executable, "-m", "ftrag_mc", "--help"], capture_output=True, text=True,
                          cwd=tmp_path, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Usage: ftrag-mc")
    assert "Example" in done.stdout


def test_the_command_line_loads_no_report_until_a_command_runs():
    # --help stays fast, and a run's worker processes fork without matplotlib.
    code = ("import sys, ftrag_mc.cli; loaded = [m for m in sys.modules if m.startswith(('matplotlib', "
            "'ftrag_mc.report'))]; assert not loaded, loaded")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr


def test_help_imports_no_numpy_scipy_or_pandas():
    # ftrag-mc --help answers in about a tenth of a second: the heavy libraries load with a command.
    code = ("import sys, ftrag_mc.cli; loaded = [m for m in ('numpy', 'scipy', 'pandas', 'matplotlib', "
            "'ftrag_mc.scenario') if m in sys.modules]; assert not loaded, loaded")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr


def test_the_command_lines_sampler_names_are_the_samplers():
    from ftrag_mc import cli_options, sampling

    assert cli_options.SAMPLERS == sampling.SAMPLERS


@pytest.mark.parametrize("command", ["run", "sensitivity", "sweep", "compare", "explain"])
def test_report_commands_share_their_options(command):
    options = {opt for param in main.commands[command].params for opt in param.opts}
    assert {"--out", "-o", "--quiet", "-q", "--set", "--baseline"} <= options
    if command != "explain":
        assert {"--samples", "-n", "--seed", "-s", "--sampler"} <= options


def test_format_prints_the_reference(runner):
    result = runner.invoke(main, ["format"])
    assert result.exit_code == 0
    assert result.output == describe_format() + "\n"


# --- validate --------------------------------------------------------------------------------------

def test_validate_minimal(runner, minimal_path):
    result = runner.invoke(main, ["validate", str(minimal_path)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"{minimal_path}: valid.")
    for text in ("2 strategies", "RAG", "Fine-tune", "baseline RAG", "24-month horizon"):
        assert text in lines[0]


def test_validate_full(runner, full_path):
    result = runner.invoke(main, ["validate", str(full_path)])
    assert result.exit_code == 0, result.output
    for text in ("4 strategies", "RAG", "Hosted fine-tune", "Self-hosted fine-tune", "RAG, then the hosted fine-tune", "30-month horizon"):
        assert text in result.output


def test_validate_writes_nothing(runner, minimal_path, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # `run` would write to ./reports
    assert runner.invoke(main, ["validate", str(minimal_path)]).exit_code == 0
    assert list(tmp_path.iterdir()) == []


# --- run -------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def minimal_run(tmp_path_factory):
    """One run of the minimal scenario: (CliRunner result, its report folder)."""
    from click.testing import CliRunner

    out = tmp_path_factory.mktemp("run") / "out"
    scenario = Path(__file__).parent / "fixtures" / "good" / "minimal.toml"
    result = run(CliRunner(), scenario, out)
    return result, out / "minimal"


def test_run_writes_the_report(minimal_run):
    _, folder = minimal_run
    names = {p.name for p in folder.iterdir()}
    assert set(REPORT_FILES) <= names
    assert not any(name.startswith(".") for name in names)
    for name in REPORT_FILES:
        assert (folder / name).stat().st_size > 0, name
    for name in (n for n in REPORT_FILES if n.endswith(".png")):
        assert (folder / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_run_prints_a_short_summary(minimal_run):
    result, folder = minimal_run
    lines = result.output.splitlines()
    assert 2 <= len(lines) <= 10, result.output
    # The headline first (the recommendation with its probability), then the run's details.
    assert "Fine-tune" in lines[0] and "% of futures" in lines[0] and "95 % CI" in lines[0]
    assert lines[1].startswith("Minimal: fine-tune vs RAG: 2,000 samples (lhs, seed 11)")
    # The decision among all strategies, in rank order; with two strategies the pair against the
    # baseline is the decision's, said once.
    assert any(line.startswith("  1. Fine-tune: expected NPC $") for line in lines)
    assert not any("P(cheaper)" in line for line in lines)
    assert lines[-1] == f"Wrote {len(list(folder.iterdir()))} files to {folder}/"


def test_run_record(minimal_run, minimal_path):
    _, folder = minimal_run
    record = json.loads((folder / "run.json").read_text())
    assert record["seed"] == 11  # the scenario's
    assert record["samples"] == 2000  # --samples wins over the scenario's 500
    assert record["sampler"] == "lhs"
    assert record["scenario_sha256"] == hashlib.sha256(minimal_path.read_bytes()).hexdigest()
    assert record["package_version"] == __version__
    timings = record["timings_s"]
    assert isinstance(timings, dict) and timings
    assert all(isinstance(v, (int, float)) and v >= 0 for v in timings.values())


def test_run_tables(minimal_run):
    _, folder = minimal_run
    summary = pd.read_csv(folder / "summary.csv")
    assert set(summary.strategy) == {"ft"}
    assert sorted(summary.horizon_months) == [12, 24]
    assert summary.p_win.between(0, 1).all()
    curves = pd.read_csv(folder / "pwin_vs_volume.csv")
    assert len(curves) == 9 * 2  # sweep_points x horizons, one challenger


@pytest.mark.slow
def test_same_seed_same_bytes(runner, minimal_run, minimal_path, tmp_path):
    _, first = minimal_run
    run(runner, minimal_path, tmp_path)
    assert csv_bytes(tmp_path / "minimal") == csv_bytes(first)


@pytest.mark.parametrize("chunk_size", ["1", "333", "4096"])
@pytest.mark.slow
def test_chunk_size_does_not_change_results(runner, minimal_run, minimal_path, tmp_path, chunk_size):
    _, first = minimal_run
    run(runner, minimal_path, tmp_path, "--chunk-size", chunk_size)
    assert csv_bytes(tmp_path / "minimal") == csv_bytes(first)
    assert json.loads((tmp_path / "minimal" / "run.json").read_text())["chunk_size"] == int(chunk_size)


@pytest.mark.parametrize("sampler", ["mc", "sobol"])
@pytest.mark.slow
def test_chunk_size_does_not_change_results_for_other_samplers(runner, minimal_path, tmp_path, sampler):
    run(runner, minimal_path, tmp_path / "a", "--sampler", sampler)
    run(runner, minimal_path, tmp_path / "b", "--sampler", sampler, "--chunk-size", "300")
    assert csv_bytes(tmp_path / "a" / "minimal") == csv_bytes(tmp_path / "b" / "minimal")


@pytest.mark.slow
def test_other_seed_other_results(runner, minimal_run, minimal_path, tmp_path):
    _, first = minimal_run
    run(runner, minimal_path, tmp_path, "--seed", "12")
    folder = tmp_path / "minimal"
    assert (folder / "summary.csv").read_bytes() != (first / "summary.csv").read_bytes()
    assert json.loads((folder / "run.json").read_text())["seed"] == 12


@pytest.mark.slow
def test_quiet(runner, minimal_path, tmp_path):
    result = run(runner, minimal_path, tmp_path, "--quiet")
    assert result.output == ""
    assert (tmp_path / "minimal" / "run.json").exists()


@pytest.mark.slow
def test_run_every_component(runner, full_path, tmp_path):
    """Three strategies also give the cheapest-strategy chart; the report goes to OUT/<[scenario] name>."""
    result = runner.invoke(main, ["run", str(full_path), "--out", str(tmp_path)])  # the file's 300 samples
    assert result.exit_code == 0, result.output
    folder = tmp_path / "everything"
    names = {p.name for p in folder.iterdir()}
    assert set(REPORT_FILES) | {"cheapest_vs_volume.csv", "cheapest_vs_volume.png"} <= names
    assert json.loads((folder / "run.json").read_text())["sampler"] == "mc"


# --- where run may write ---------------------------------------------------------------------------

@pytest.mark.slow
def test_rerun_replaces_an_earlier_report(runner, minimal_path, tmp_path):
    run(runner, minimal_path, tmp_path, "--seed", "1")
    (tmp_path / "minimal" / "stale.csv").write_text("from an older version\n")
    run(runner, minimal_path, tmp_path, "--seed", "2")
    assert [p.name for p in tmp_path.iterdir()] == ["minimal"], "no staging folders left behind"
    assert not (tmp_path / "minimal" / "stale.csv").exists()
    assert json.loads((tmp_path / "minimal" / "run.json").read_text())["seed"] == 2


@pytest.mark.slow
def test_out_folder_keeps_its_other_files(runner, minimal_path, tmp_path):
    (tmp_path / "README.md").write_text("reports live here\n")
    run(runner, minimal_path, tmp_path)
    assert (tmp_path / "README.md").read_text() == "reports live here\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["README.md", "minimal"]


@pytest.mark.slow
def test_refuses_a_non_report_folder(runner, minimal_path, tmp_path, snapshot):
    """OUT/<name> exists, holds other files and no run.json: refused, exit 2, left as it was."""
    target = tmp_path / "minimal"
    (target / "notes").mkdir(parents=True)
    (target / "thesis.docx").write_bytes(b"\x00precious\xff")
    (target / "notes" / "todo.txt").write_text("do not delete\n")
    before = snapshot(tmp_path)
    result = runner.invoke(main, ["run", str(minimal_path), "--samples", SAMPLES, "--out", str(tmp_path)])
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ") and "Traceback" not in result.output
    assert str(target) in lines[0] and "run.json" in lines[0]
    assert snapshot(tmp_path) == before


@pytest.mark.slow
def test_refuses_a_file_in_the_way(runner, minimal_path, tmp_path, snapshot):
    (tmp_path / "minimal").write_text("a file, not a folder\n")
    before = snapshot(tmp_path)
    result = runner.invoke(main, ["run", str(minimal_path), "--samples", SAMPLES, "--out", str(tmp_path)])
    assert result.exit_code == 2, result.output
    assert result.output.startswith("Error: ") and len(result.output.strip().splitlines()) == 1
    assert snapshot(tmp_path) == before


@pytest.mark.slow
def test_an_empty_folder_is_used(runner, minimal_path, tmp_path):
    (tmp_path / "minimal").mkdir()
    run(runner, minimal_path, tmp_path)
    assert (tmp_path / "minimal" / "run.json").exists()


def test_run_record_names_the_command_run(minimal_run):
    _, folder = minimal_run
    command = json.loads((folder / "run.json").read_text())["command"]
    assert command.startswith("ftrag-mc run ") and "--samples 2000" in command


@pytest.mark.slow
def test_csv_bytes_are_the_same_across_chunk_sizes_workers_and_engines(runner, tmp_path):
    # 40,000 samples: three blocks of 16,384, so the order of merging matters. dsl-codegen takes
    # the general path (GPU steps, bisection). The Dask run uses a real LocalCluster of 2 worker
    # processes, started by the command itself.
    pytest.importorskip("dask.distributed")
    scenario = Path(__file__).resolve().parents[1] / "scenarios" / "dsl-codegen.toml"
    outputs = {}
    for name, args in {"one": ("--workers", "1"), "two": ("--workers", "2", "--chunk-size", "1"),
                       "chunks": ("--workers", "2", "--chunk-size", "50000"),
                       "dask": ("--engine", "dask", "--chunk-size", "16384")}.items():
        out = tmp_path / name
        result = runner.invoke(main, ["run", str(scenario), "--samples", "40000", "--out", str(out), "-q", *args],
                               prog_name="ftrag-mc")
        assert result.exit_code == 0, result.output
        outputs[name] = csv_bytes(out / "dsl-codegen")
    assert len(outputs["one"]) >= 8
    for name in ("two", "chunks", "dask"):
        assert outputs[name] == outputs["one"], name


def test_scheduler_needs_the_dask_engine(runner, minimal_path, tmp_path):
    result = runner.invoke(main, ["run", str(minimal_path), "--scheduler", "tcp://127.0.0.1:1", "--out", str(tmp_path)],
                           prog_name="ftrag-mc")
    assert result.exit_code == 2
    assert "--scheduler goes with --engine dask" in result.output


@pytest.mark.slow
def test_set_overrides_are_validated_like_the_file_and_recorded(runner, minimal_path, tmp_path):
    bad = runner.invoke(main, ["validate", str(minimal_path), "--set", "volume.queries_per_mont=5"],
                        prog_name="ftrag-mc")
    assert bad.exit_code == 2
    assert "(from --set)" in bad.output and "did you mean 'queries_per_month'" in bad.output
    assert "Traceback" not in bad.output and len(bad.output.strip().splitlines()) == 1
    run(runner, minimal_path, tmp_path, "--set", "volume.queries_per_month=12345")
    record = json.loads((tmp_path / "minimal" / "run.json").read_text())
    assert record["overrides"] == ["volume.queries_per_month=12345"]
    assert record["queries_per_month"] == 12345
    assert "--set volume.queries_per_month=12345" in record["command"]


@pytest.mark.slow
def test_sensitivity_and_sweep_add_their_files_to_the_report(runner, minimal_path, minimal_run, tmp_path):
    _, first = minimal_run
    out = first.parent
    result = runner.invoke(main, ["sensitivity", str(minimal_path), "--samples", "2000", "--sobol-samples", "256",
                                  "--out", str(out)], prog_name="ftrag-mc")
    assert result.exit_code == 0, result.output
    for name in ("tornado", "spider", "global", "evppi", "regret"):
        assert (first / f"{name}.png").exists() and (first / f"{name}.csv").exists(), name
    assert (first / "summary.csv").exists(), "the run's files stay"
    assert "Inputs that move ΔNPC most" in result.output
    result = runner.invoke(main, ["sweep", str(minimal_path), "--x", "volume.queries_per_month=1000:100000:5:log",
                                  "--samples", "500", "--out", str(out)], prog_name="ftrag-mc")
    assert result.exit_code == 0, result.output
    sweep = (first / "sweep.csv").read_text().splitlines()
    assert len(sweep) > 5 and (first / "sweep.png").exists() and (first / "tornado.png").exists()
    bad = runner.invoke(main, ["sweep", str(minimal_path), "--x", "volume.queries_per_month=a:b:c"],
                        prog_name="ftrag-mc")
    assert bad.exit_code == 2 and "Traceback" not in bad.output


def test_compare_writes_one_chart_and_table_of_several_variants(runner, minimal_path, tmp_path):
    result = runner.invoke(main, ["compare", str(minimal_path), "--variant", "volume.queries_per_month=40000",
                                  "--samples", "500", "--out", str(tmp_path)], prog_name="ftrag-mc")
    assert result.exit_code == 0, result.output
    folder = tmp_path / "compare"
    assert (folder / "compare.png").exists() and (folder / "compare_headline.csv").exists()
    headline = (folder / "compare_headline.csv").read_text().splitlines()
    assert len(headline) == 3 and "40000" in headline[2]
    lonely = runner.invoke(main, ["compare", str(minimal_path), "--out", str(tmp_path)], prog_name="ftrag-mc")
    assert lonely.exit_code == 2 and "two or more" in lonely.output
