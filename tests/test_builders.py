"""Every command's report from the library alone: one ``build_*_report`` call, written with
``write_report``, gives the files the command writes (CSV byte for byte) and the lines it prints.

The minimal fixture at a few hundred samples; each case runs the command, then the library call
with the same arguments, into folders of their own.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from ftrag_mc import load_scenario, simulate  # noqa: E402
from ftrag_mc.analysis.compare import variant_name  # noqa: E402
from ftrag_mc.cli import main  # noqa: E402
from ftrag_mc.report.builders import (  # noqa: E402
    Report, build_compare_report, build_explain_report, build_policy_report, build_run_report,
    build_sensitivity_report, build_sweep_report, count_sweep_points,
)
from ftrag_mc.report.writers import write_report  # noqa: E402

MINIMAL = Path(__file__).parent / "fixtures" / "good" / "minimal.toml"
SEED = 5
#: Record keys that differ between two runs (the clock) or say how the report was made.
UNSTABLE = {"created_utc", "timings_s", "command"}


def _cli(runner, out: Path, *argv: str) -> list[str]:
    """The command's printed lines (the last, naming the folder, left out); fails on a non-zero exit."""
    result = runner.invoke(main, [*argv, "--out", str(out)], prog_name="ftrag-mc")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[-1].startswith("Wrote ")
    return lines[:-1]


def _write(report: Report, out: Path) -> Path:
    """``write_report`` of the report's items, as a notebook would call it."""
    folder = out / report.folder_name
    with report:
        write_report(folder, report.items, merge=report.merge)
    return folder


def _assert_same_files(library: Path, cli: Path) -> None:
    """The same file names; CSVs byte for byte; JSON records equal but for the clock and command."""
    names = sorted(p.name for p in cli.iterdir())
    assert sorted(p.name for p in library.iterdir()) == names
    for name in names:
        if name.endswith(".csv"):
            assert (library / name).read_bytes() == (cli / name).read_bytes(), name
        elif name.endswith(".json"):
            mine, theirs = (json.loads((folder / name).read_text()) for folder in (library, cli))
            assert {k: v for k, v in mine.items() if k not in UNSTABLE} == \
                {k: v for k, v in theirs.items() if k not in UNSTABLE}, name
            assert mine["command"] is None and theirs["command"].startswith("ftrag-mc ")


def test_run_report(runner, tmp_path):
    printed = _cli(runner, tmp_path / "cli", "run", str(MINIMAL), "-n", "300", "-s", str(SEED))
    shown = []
    report = build_run_report(simulate(load_scenario(MINIMAL), samples=300, seed=SEED), on_item=shown.append)
    assert report.lines == printed
    assert not report.merge and report.folder_name == "minimal"
    assert isinstance(report.items["pwin_vs_volume.png"], Figure) and isinstance(report.items["report.pdf"], bytes)
    assert "pwin_vs_volume.png" in shown and shown[-1] == "report.pdf"
    _assert_same_files(_write(report, tmp_path / "lib"), tmp_path / "cli" / "minimal")


def test_sensitivity_report(runner, tmp_path):
    printed = _cli(runner, tmp_path / "cli", "sensitivity", str(MINIMAL), "-n", "256", "-s", str(SEED),
                   "--sobol-samples", "64")
    result = simulate(load_scenario(MINIMAL), samples=256, seed=SEED, keep_samples=True)
    report = build_sensitivity_report(result, sobol_samples=64)
    assert report.lines == printed and report.merge
    _assert_same_files(_write(report, tmp_path / "lib"), tmp_path / "cli" / "minimal")


def test_sweep_report_from_a_file_and_texts(runner, tmp_path):
    x = "volume.queries_per_month=1000:100000:3:log"
    printed = _cli(runner, tmp_path / "cli", "sweep", str(MINIMAL), "--x", x, "-n", "200", "-s", str(SEED))
    report = build_sweep_report(MINIMAL, x, samples=200, seed=SEED)
    assert report.lines == printed and report.merge
    _assert_same_files(_write(report, tmp_path / "lib"), tmp_path / "cli" / "minimal")


def test_sweep_report_from_a_scenario_and_axes(runner, tmp_path):
    """A strategy's own input swept: that challenger is drawn, as the command does."""
    x, y = ("strategies.ft.training.run_usd", [1000, 4000]), ("volume.queries_per_month", [10000, 100000])
    printed = _cli(runner, tmp_path / "cli", "sweep", str(MINIMAL), "--x", "strategies.ft.training.run_usd=1000,4000",
                   "--y", "volume.queries_per_month=10000,100000", "-n", "200", "-s", str(SEED),
                   "--set", "volume.growth_per_month=0.01")
    assert count_sweep_points(x, y) == 4
    report = build_sweep_report(load_scenario(MINIMAL, ["volume.growth_per_month=0.01"]), x, y, samples=200, seed=SEED)
    assert report.lines == printed
    assert set(report.items["sweep.csv"]["strategy"]) == {"ft"}
    assert report.items["sweep.json"]["x"] == "strategies.ft.training.run_usd=1000,4000"
    folder = _write(report, tmp_path / "lib")
    for name in ("sweep.csv", "sweep_crossings.csv"):
        assert (folder / name).read_bytes() == (tmp_path / "cli" / "minimal" / name).read_bytes(), name


def test_compare_report(runner, tmp_path):
    variant = "volume.queries_per_month=40000"
    printed = _cli(runner, tmp_path / "cli", "compare", str(MINIMAL), "--variant", variant, "-n", "200",
                   "-s", str(SEED))
    names: list[str] = []
    pairs = []
    for group in ((), (variant,)):
        scenario = load_scenario(MINIMAL, group)
        names.append(variant_name(scenario, group, taken=names))
        pairs.append((names[-1], scenario))
    report = build_compare_report(pairs, samples=200, seed=SEED)
    assert report.lines == printed and report.folder_name == "compare" and not report.merge
    _assert_same_files(_write(report, tmp_path / "lib"), tmp_path / "cli" / "compare")


def test_explain_report(runner, tmp_path):
    printed = _cli(runner, tmp_path / "cli", "explain", str(MINIMAL), "-p", "90", "--volume", "20000")
    report = build_explain_report(load_scenario(MINIMAL), percentile=90, volume=20000)
    assert report.lines == printed and report.merge
    _assert_same_files(_write(report, tmp_path / "lib"), tmp_path / "cli" / "minimal")


def test_policy_report(runner, tmp_path):
    printed = _cli(runner, tmp_path / "cli", "policy", str(MINIMAL), "-n", "300", "-s", str(SEED), "--points", "6")
    report = build_policy_report(load_scenario(MINIMAL), samples=300, seed=SEED, points=6)
    assert report.lines == printed and report.merge
    assert isinstance(report.items["policy.png"], Figure)
    _assert_same_files(_write(report, tmp_path / "lib"), tmp_path / "cli" / "minimal")


@pytest.mark.slow
def test_run_report_with_a_staged_strategy(runner, tmp_path):
    staged = ["strategies.staged={start = \"rag\", switch_to = \"ft\", trigger = {month = 6}}"]
    printed = _cli(runner, tmp_path / "cli", "run", str(MINIMAL), "-n", "300", "-s", str(SEED), "--set", staged[0])
    report = build_run_report(simulate(load_scenario(MINIMAL, staged), samples=300, seed=SEED))
    assert report.lines == printed and printed[1].startswith("Best policy over")
    assert {"policy.csv", "policy.png"} <= set(report.items)
    _assert_same_files(_write(report, tmp_path / "lib"), tmp_path / "cli" / "minimal")


def test_report_write_is_write_report_into_its_folder(tmp_path):
    report = build_explain_report(load_scenario(MINIMAL))
    paths = report.write(tmp_path)
    assert paths == [tmp_path / "minimal" / name for name in report.items]


def test_a_notebook_builds_a_report_without_the_command_line():
    code = ("import sys; from ftrag_mc import load_scenario; "
            "from ftrag_mc.report.builders import build_explain_report; "
            f"build_explain_report(load_scenario({str(MINIMAL)!r})); "
            "assert not [m for m in sys.modules if m == 'click' or m.startswith('ftrag_mc.cli')], 'click imported'")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("bad", ["volume.queries_per_month=a:b:c", "nokey"])
def test_count_sweep_points_refuses_what_the_command_refuses(bad):
    with pytest.raises(ValueError, match="--x"):
        count_sweep_points(bad)
