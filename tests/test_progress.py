"""The progress a long command shows: a line every few seconds when stderr is no terminal, the
time a long run will take, said once, and nothing with --quiet."""

from __future__ import annotations

import pytest

from ftrag_mc import cli_progress
from ftrag_mc.cli_progress import Progress, progress_line


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr(cli_progress.time, "perf_counter", clock)
    monkeypatch.setattr(cli_progress, "LOG_EVERY_S", 5.0)  # conftest turns the lines off elsewhere
    return clock


def run(progress: Progress, clock: Clock, *, blocks: int, block: int, seconds_per_block: float) -> None:
    for _ in range(blocks):
        clock.now += seconds_per_block
        progress.samples(block)
    progress.close()


def test_off_a_terminal_a_line_every_few_seconds(clock, capsys):
    # 20 blocks of 2 s: 40 s, one line each 5 s (not 20 lines), after the estimate of ~40 s.
    progress = Progress(20 * 1000, enabled=True, terminal=False, estimate=True)
    run(progress, clock, blocks=20, block=1000, seconds_per_block=2.0)
    lines = capsys.readouterr().err.splitlines()
    assert lines[0] == ("This run of 20,000 samples will take about 40 s (500 samples/s); Ctrl-C stops it "
                        "and writes nothing.")
    progress_lines = lines[1:]
    assert 6 <= len(progress_lines) <= 8
    assert all(line.startswith("Simulating") and "\r" not in line for line in progress_lines)


def test_a_short_run_says_nothing_off_a_terminal(clock, capsys):
    run(Progress(3000, enabled=True, terminal=False, estimate=True), clock, blocks=3, block=1000,
        seconds_per_block=1.0)
    assert capsys.readouterr().err == ""


def test_the_estimate_leaves_out_the_first_blocks_set_up(clock, capsys):
    # The first block takes 10 s (tables, workers), then 1 s a block: 100 blocks ~ 109 s, not 1,000.
    progress = Progress(100 * 1000, enabled=False, terminal=True, estimate=True)
    clock.now += 10.0
    progress.samples(1000)
    run(progress, clock, blocks=2, block=1000, seconds_per_block=1.0)
    assert capsys.readouterr().err == ("This run of 100,000 samples will take about 2 min (1,000 samples/s); "
                                       "Ctrl-C stops it and writes nothing.\n")


def test_quiet_says_nothing(clock, capsys, monkeypatch):
    monkeypatch.setattr(cli_progress.sys.stderr, "isatty", lambda: False)
    run(progress_line(100 * 1000, quiet=True), clock, blocks=100, block=1000, seconds_per_block=1.0)
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize("argv, limit", [
    (["run", "MIN", "--samples", "1000000000000"], "2<=x<=100000000"),
    (["run", "MIN", "--workers", "100000"], "1<=x<=512"),
    (["run", "MIN", "--seed", str(2**64)], "0<=x<=9223372036854775807"),
    (["sensitivity", "MIN", "--sobol-samples", str(2**30)], "64<=x<=1048576"),
    (["sweep", "MIN", "--x", "volume.queries_per_month=1:2:100000000"], "at most 200"),
    (["compare", "MIN", "MIN", "--horizon", "100000"], "1<=x<=600"),
    (["explain", "MIN", "--volume", "1e13"], "0<x<=1000000000000.0"),
])
def test_every_count_flag_is_bounded_like_the_scenario_keys(runner, minimal_path, tmp_path, argv, limit):
    # Refused at once, exit status 2, the limit named, nothing written.
    argv = [str(minimal_path) if a == "MIN" else a for a in argv] + ["-o", str(tmp_path / "out")]
    from ftrag_mc.cli import main

    result = runner.invoke(main, argv)
    assert result.exit_code == 2, result.output
    assert limit in result.output
    assert not (tmp_path / "out").exists()
