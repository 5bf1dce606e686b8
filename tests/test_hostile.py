"""Hostile and extreme inputs: each is a one-line error, exit status 2, and nothing written.

The corpus is ``tests/fixtures/hostile/``: each file is a valid scenario with one hostile value (a
magnitude the model cannot hold, a name that cannot be a folder, an empty strategy key, ...), named
after it; :data:`HOSTILE` says which key and which words the error must carry. Files that cannot be
checked in (a FIFO, a folder, a device, nesting 100,000 deep, 2 MiB) are made by the tests. Both
``validate`` and ``run`` are run as a user runs them; FIFOs and devices in a subprocess with a
timeout, because the bug they find is a read that never returns.
"""

from __future__ import annotations

import dataclasses
import errno
import importlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ftrag_mc import load_scenario, simulate
from ftrag_mc.cli import main
from ftrag_mc.distributions import fixed
from ftrag_mc.report import writers
from ftrag_mc.report.writers import ReportError, remove_stale_staging, write_report
from ftrag_mc.simulate import NonFiniteError

FIXTURES = Path(__file__).parent / "fixtures"
HOSTILE_DIR = FIXTURES / "hostile"
MINIMAL = FIXTURES / "good" / "minimal.toml"

# (file stem, expected substring of the key path in the message, expected substring of the message).
HOSTILE = [
    ("volume_near_float_max", "volume.queries_per_month", "<= 1e12 (got 1.7e+308)"),
    ("volume_infinite", "volume.queries_per_month", "finite"),
    ("sweep_max_huge", "volume.sweep_max", "between 1 and 1e12"),
    ("sweep_points_huge", "volume.sweep_points", "between 2 and 1,000"),
    ("ceiling_huge", "volume.ceiling_queries_per_month", "<= 1e12"),
    ("growth_compounds_past_float", "volume.growth_per_month", "above the 1e6x limit"),
    ("growth_distribution_compounds", "volume.growth_per_month", "over 120 months, above the 1e6x limit"),
    ("horizon_huge", "scenario.horizon_months", "between 1 and 600"),
    ("samples_huge", "simulation.samples", "between 2 and 100,000,000"),
    ("retrain_cadence_tiny", "strategies.ft.training.retrain_every_months", ">= 0.03333 (got 1e-300)"),
    ("reindex_cadence_distribution_tiny", "strategies.rag.retrieval.reindex_every_months", "its draws reach 1e-300"),
    ("price_1e300", "strategies.rag.llm.input_usd_per_mtok", "between 0 and 100,000"),
    ("price_infinite", "strategies.rag.llm.input_usd_per_mtok", "finite"),
    ("tokens_1e300", "strategies.rag.llm.context_tokens", "between 0 and 100,000,000"),
    ("corpus_tokens_1e300", "strategies.rag.retrieval.corpus_tokens", "between 0 and 1e15"),
    ("premium_1e300", "strategies.ft.llm.input_premium", "between 0 and 1,000"),
    ("run_usd_1e300", "strategies.ft.training.run_usd", "between 0 and 1e12"),
    ("run_usd_negative_huge", "strategies.ft.training.run_usd", "(got -1e+300)"),
    ("lognormal_tail_overflows", "strategies.ft.training.run_usd", "non-finite"),
    # sigma 30 around 1000: exp(ln 1000 + 30 x 8.21) = 9.1e109 at u = 1 - 2^-53 (ndtri = 8.21)
    ("lognormal_tail_too_large", "strategies.ft.training.run_usd", "its draws reach 9.1"),
    # mean 1e11 x -ln(2^-53) = 1e11 x 36.74 = 3.674e12
    ("exponential_tail_too_large", "strategies.ft.training.run_usd", "its draws reach 3.674e12"),
    ("normal_huge_sd", "strategies.rag.llm.input_usd_per_mtok", "outside the allowed range"),
    ("uniform_up_to_1e300", "strategies.rag.llm.input_usd_per_mtok", "its draws reach 1e300"),
    ("shared_input_tail_overflows", "inputs.big", "non-finite"),
    ("epochs_1e300", "strategies.ft.training.epochs", "<= 1,000"),
    ("throughput_tiny", "strategies.ft.self_hosted.throughput_tokens_per_second", "between 0.001 and 1e9"),
    ("utilization_tiny", "strategies.ft.self_hosted.utilization", "between 0.001 and 1"),
    ("gpu_price_1e300", "strategies.ft.self_hosted.gpu_usd_per_hour", "between 0 and 1e12"),
    ("min_replicas_huge", "strategies.ft.self_hosted.min_replicas", "between 0 and 1,000,000"),
    ("hours_per_week_tiny", "team.hours_per_week", "between 1 and 168"),
    ("engineer_week_1e300", "team.curation_usd_per_hour", "between 0 and 1e12"),
    ("cost_per_error_1e300", "strategies.rag.quality.cost_per_error_usd", "between 0 and 1e12"),
    ("maintenance_weeks_1e300", "strategies.rag.labour.maintenance_weeks_per_month", "between 0 and 100,000"),
    ("name_empty", "scenario.name", "empty"),
    ("name_dot_dot", "scenario.name", "not a usable report name"),
    ("name_with_dot_dot_inside", "scenario.name", "no '..'"),
    ("name_with_newline", "scenario.name", "'report\\nname'"),
    ("name_with_nul", "scenario.name", "'report\\x00name'"),
    ("name_too_long", "scenario.name", "300 bytes long (UTF-8); the limit is 120"),
    ("name_too_long_utf8", "scenario.name", "150 bytes long"),  # 50 x 3 bytes
    ("strategy_key_empty", 'strategies.""', "non-empty"),
    ("strategy_key_newline", 'strategies."f\\nt"', "control characters"),
    ("integer_of_5000_digits", "", "4300 digits"),
]


def test_corpus_matches_table():
    on_disk = {p.stem for p in HOSTILE_DIR.glob("*.toml")}
    stems = [stem for stem, _, _ in HOSTILE]
    assert len(stems) == len(set(stems))
    assert on_disk == set(stems)


def _assert_refused(exit_code: int, stdout: str, stderr: str, path: Path | str, key: str = "", message: str = "",
                    out: Path | None = None) -> None:
    assert exit_code == 2, stderr
    assert stdout == ""
    assert "Traceback" not in stderr
    lines = stderr.strip("\n").splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith(f"Error: {path}: "), lines[0]
    assert key in lines[0] and message in lines[0], lines[0]
    if out is not None:
        assert not out.exists(), "nothing is written, not even the --out folder"


@pytest.mark.parametrize("command", ["validate", "run"])
@pytest.mark.parametrize(("stem", "key", "message"), HOSTILE, ids=[h[0] for h in HOSTILE])
def test_hostile_file_is_refused(runner, tmp_path, command, stem, key, message):
    path = HOSTILE_DIR / f"{stem}.toml"
    out = tmp_path / "out"
    args = [command, str(path)] + (["--samples", "200", "--out", str(out)] if command == "run" else [])
    result = runner.invoke(main, args)
    _assert_refused(result.exit_code, result.stdout, result.stderr, path, key, message, out)


# --- files that are not scenario files ------------------------------------------------------------


def _cli(*args: str, cwd: Path, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ftrag_mc", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout)


@pytest.fixture
def fifo(tmp_path):
    path = tmp_path / "scenario.toml"
    os.mkfifo(path)
    return path


@pytest.mark.parametrize("kind", ["fifo", "/dev/zero", "/dev/urandom", "symlink to /dev/zero", "folder"])
def test_not_a_regular_file_is_refused_without_blocking(tmp_path, kind):
    work = tmp_path / "work"
    work.mkdir()
    if kind == "fifo":
        path = tmp_path / "pipe.toml"
        os.mkfifo(path)  # no writer: a blocking open or read would never return
    elif kind == "symlink to /dev/zero":
        path = tmp_path / "zero.toml"
        path.symlink_to("/dev/zero")
    elif kind == "folder":
        path = tmp_path / "folder.toml"
        path.mkdir()
    else:
        path = Path(kind)
    if not (path.exists() or kind == "fifo"):
        pytest.skip(f"{kind} does not exist here")
    expected = "is a folder" if kind == "folder" else "is not a regular file"
    out = work / "out"
    for args in (["validate", str(path)], ["run", str(path), "--samples", "200", "--out", str(out)]):
        done = _cli(*args, cwd=work, timeout=60)
        _assert_refused(done.returncode, done.stdout, done.stderr, path, "", expected, out)
    assert list(work.iterdir()) == []


def _generated(tmp_path: Path, case: str) -> tuple[Path, str]:
    path = tmp_path / f"{case}.toml"
    if case == "nested_100000_deep":  # tomllib recurses: RecursionError
        path.write_text("x = " + "[" * 100_000 + "]" * 100_000 + "\n")
        return path, "nested deeper than 16"
    if case == "nested_40_deep":  # parses, but deeper than any scenario
        path.write_text("x = " + "[" * 40 + "1" + "]" * 40 + "\n" + MINIMAL.read_text())
        return path, "nested deeper than 16"
    if case == "two_mebibytes":  # a valid file, only too long
        path.write_text(MINIMAL.read_text() + ("# padding\n" * 210_000))
        return path, "at most 1,048,576"
    raise AssertionError(case)


@pytest.mark.parametrize("case", ["nested_100000_deep", "nested_40_deep", "two_mebibytes"])
@pytest.mark.parametrize("command", ["validate", "run"])
def test_generated_hostile_file_is_refused(runner, tmp_path, case, command):
    path, message = _generated(tmp_path, case)
    out = tmp_path / "out"
    args = [command, str(path)] + (["--samples", "200", "--out", str(out)] if command == "run" else [])
    result = runner.invoke(main, args)
    _assert_refused(result.exit_code, result.stdout, result.stderr, path, "", message, out)


def test_file_larger_than_limit_is_not_read(tmp_path, monkeypatch):
    # The size is checked before reading: a sparse 10 GiB file costs no read at all.
    path = tmp_path / "sparse.toml"
    with open(path, "wb") as f:
        f.truncate(10 * 2**30)
    from ftrag_mc import ScenarioError

    with pytest.raises(ScenarioError, match="10,737,418,240 bytes"):
        load_scenario(path)


# --- names ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("stem", "folder"), [
    ("a b\n", "a b"),  # a newline in a file name: the control character goes, the space stays
    ("x" * 250, "x" * 120),  # a stem longer than the name limit is cut at 120 bytes
    (".hidden", "hidden"),
    ("价格 2026", "价格 2026"),
])
@pytest.mark.slow
def test_default_name_from_an_awkward_file_stem(runner, tmp_path, stem, folder):
    path = tmp_path / f"{stem}.toml"
    path.write_bytes(MINIMAL.read_bytes())
    out = tmp_path / "out"
    assert runner.invoke(main, ["validate", str(path)]).exit_code == 0
    result = runner.invoke(main, ["run", str(path), "--samples", "200", "--out", str(out), "--quiet"])
    assert result.exit_code == 0, result.output
    assert [p.name for p in out.iterdir()] == [folder]
    assert (out / folder / "run.json").exists()


@pytest.mark.slow
def test_weird_but_valid_labels_and_keys_run(runner, tmp_path):
    text = MINIMAL.read_text().replace('label = "RAG"', 'label = "检索增强 $RAG$ ' + "long " * 40 + '"')
    text = text.replace("[strategies.ft]", '[strategies."微调$"]').replace('label = "Fine-tune"', 'label = "$5 tune 微调"')
    path = tmp_path / "weird.toml"
    path.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    result = runner.invoke(main, ["run", str(path), "--samples", "200", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "$5 tune 微调" in result.stdout
    assert (out / "weird" / "report.pdf").exists()


# --- a non-finite cost never reaches an analysis -----------------------------------------------------


def _overflowing(scenario):
    """The minimal scenario with a training run and an evaluation of 1.7e308 USD each: both pass no
    limit here (they are set past validation), and their sum is inf."""
    inputs = dict(scenario.inputs)
    inputs["strategies.ft.training.run_usd"] = fixed(1.7e308)
    inputs["strategies.ft.training.eval_usd"] = fixed(1.7e308)
    return dataclasses.replace(scenario, inputs=inputs)


@pytest.mark.parametrize("outputs", ["all", "pwin"])
def test_non_finite_cost_is_an_error_naming_strategy_and_component(outputs):
    scenario = _overflowing(load_scenario(MINIMAL))
    with pytest.raises(NonFiniteError) as caught:
        simulate(scenario, samples=200, workers=1, outputs=outputs)
    text = str(caught.value)
    assert text.startswith(f"{MINIMAL}: ") and "\n" not in text
    assert "strategy 'ft' (Fine-tune)" in text and "training costs" in text


def test_non_finite_cost_in_a_worker_process_is_the_same_error():
    scenario = _overflowing(load_scenario(MINIMAL))
    with pytest.raises(NonFiniteError, match="strategy 'ft'") as caught:
        simulate(scenario, samples=40_000, workers=2, chunk_size=16_384)
    assert caught.value.file == str(MINIMAL)


def test_non_finite_cost_exits_2_and_writes_nothing(runner, tmp_path, monkeypatch):
    import ftrag_mc.cli as cli

    real = cli._load
    monkeypatch.setattr(cli, "_load", lambda *a, **k: _overflowing(real(*a, **k)))
    out = tmp_path / "out"
    result = runner.invoke(main, ["run", str(MINIMAL), "--samples", "200", "--out", str(out)])
    _assert_refused(result.exit_code, result.stdout, result.stderr, MINIMAL, "", "non-finite", out)
    assert "inf" not in result.stdout


# --- exit statuses ------------------------------------------------------------------------------------


def test_internal_error_exits_1_with_a_hint_and_debug_shows_it(runner, tmp_path, monkeypatch):
    def broken(*_a, **_k):
        raise RuntimeError("an unexpected state\nwith a second line")

    monkeypatch.setattr(importlib.import_module("ftrag_mc.simulate"), "simulate", broken)
    args = ["run", str(MINIMAL), "--samples", "200", "--out", str(tmp_path / "out")]
    result = runner.invoke(main, args)
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr
    assert "internal error (RuntimeError: an unexpected state with a second line)" in lines[0]
    assert "report" in lines[0] and "--debug" in lines[0]
    debug = runner.invoke(main, ["--debug", *args])
    assert debug.exit_code == 1 and isinstance(debug.exception, RuntimeError)
    assert not (tmp_path / "out").exists()


def test_keyboard_interrupt_exits_130_with_one_line(runner, tmp_path, monkeypatch):
    def interrupted(*_a, **_k):
        raise KeyboardInterrupt

    monkeypatch.setattr(importlib.import_module("ftrag_mc.simulate"), "simulate", interrupted)
    result = runner.invoke(main, ["run", str(MINIMAL), "--out", str(tmp_path / "out")])
    assert result.exit_code == 130
    assert result.stderr == "Interrupted.\n"
    assert list(tmp_path.iterdir()) == []


def _children(pid: int) -> list[str]:
    try:
        return Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return []


def _run_with_workers(tmp_path: Path, then) -> tuple[subprocess.Popen, str, str]:
    """A long two-worker ``run`` into tmp_path/out; once both workers are forked, ``then(proc,
    workers)``; its return code and output (the process group killed if it outlives 120 s)."""
    proc = subprocess.Popen([sys.executable, "-m", "ftrag_mc", "run", str(MINIMAL), "--samples", "50000000",
                             "--workers", "2", "--out", str(tmp_path / "out")], cwd=tmp_path, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while len(_children(proc.pid)) < 2 and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.05)
        workers = _children(proc.pid)
        assert len(workers) >= 2, "the worker pool never started"
        then(proc, workers)
        stdout, stderr = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    return proc, stdout, stderr


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="needs /proc to see the worker processes")
def test_ctrl_c_with_worker_processes(tmp_path):
    # A real SIGINT to the whole process group, as a terminal sends it, once the workers are forked.
    proc, stdout, stderr = _run_with_workers(tmp_path, lambda proc, _workers: os.killpg(proc.pid, signal.SIGINT))
    assert proc.returncode == 130, stderr
    assert stderr == "Interrupted.\n" and stdout == ""
    assert not (tmp_path / "out").exists()


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="needs /proc to see the worker processes")
def test_a_worker_killed_mid_run_is_an_error_not_a_hang(tmp_path):
    # The system's OOM killer takes a worker: the run used to wait for its lost task for ever
    # (multiprocessing.Pool starts another worker); now it stops with one line, exit 2, nothing written.
    proc, _stdout, stderr = _run_with_workers(tmp_path, lambda _proc, workers: os.kill(int(workers[0]), signal.SIGKILL))
    assert proc.returncode == 2, stderr
    last = stderr.replace("\r", "\n").strip().splitlines()[-1]
    assert last.startswith("Error: ") and "a worker process ended abruptly" in last, stderr
    assert not (tmp_path / "out").exists()


# --- --out problems, staging folders --------------------------------------------------------------------


@pytest.mark.slow
def test_out_is_a_file(runner, tmp_path):
    in_the_way = tmp_path / "report"
    in_the_way.write_text("not a folder")
    for out in (in_the_way, in_the_way / "deeper"):
        result = runner.invoke(main, ["run", str(MINIMAL), "--samples", "200", "--out", str(out)])
        assert result.exit_code == 2
        assert result.stderr.strip().splitlines() == [f"Error: cannot write {out / 'minimal'}: {in_the_way} is a file, not a folder"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_out_parent_read_only(runner, tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        result = runner.invoke(main, ["run", str(MINIMAL), "--samples", "200", "--out", str(locked / "out")])
    finally:
        locked.chmod(0o755)
    assert result.exit_code == 2
    assert f"{locked} is not writable" in result.stderr and ".ftrag-tmp" not in result.stderr
    assert list(locked.iterdir()) == []


def test_disk_full_is_named_by_the_destination(tmp_path, monkeypatch):
    def full(path, item):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))

    monkeypatch.setattr(writers, "_write_item", full)
    target = tmp_path / "out" / "deep" / "minimal"
    with pytest.raises(ReportError) as caught:
        write_report(target, {"run.json": {}})
    assert str(caught.value) == f"cannot write {target}: No space left on device"
    assert list(tmp_path.iterdir()) == [], "the folders made for the report are removed again"


def test_failed_swap_puts_the_earlier_report_back(tmp_path, monkeypatch):
    target = tmp_path / "minimal"
    write_report(target, {"run.json": {"run": 1}})
    real = os.replace
    calls = []

    def failing(src, dst):
        calls.append((src, dst))
        if len(calls) == 2:  # the new folder into place, after the earlier one moved aside
            raise OSError(errno.EIO, os.strerror(errno.EIO))
        return real(src, dst)

    monkeypatch.setattr(writers.os, "replace", failing)
    with pytest.raises(ReportError, match=f"cannot write {target}"):
        write_report(target, {"run.json": {"run": 2}})
    assert (target / "run.json").read_text() == '{\n  "run": 1\n}\n'
    assert [p.name for p in tmp_path.iterdir()] == ["minimal"]


def _dead_pid() -> int:
    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    return int(done.stdout)


@pytest.mark.slow
def test_stale_staging_of_a_killed_run_is_removed_by_the_next_run(runner, tmp_path):
    out = tmp_path / "out"
    host = writers._host()
    stale = out / f".minimal.ftrag-tmp-{host}-{_dead_pid()}-abc123"
    stale_old = out / f".minimal.ftrag-old-{host}-{_dead_pid()}-def456"
    live = out / f".minimal.ftrag-tmp-{host}-{os.getpid()}-ghi789"  # a run still writing: kept
    other = out / f".other.ftrag-tmp-{host}-{_dead_pid()}-jkl012"  # another report's: not ours to judge
    for folder in (stale, stale_old, live, other):
        folder.mkdir(parents=True)
        (folder / "summary.csv").write_text("half-written")
    result = runner.invoke(main, ["run", str(MINIMAL), "--samples", "200", "--out", str(out), "--quiet"])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == sorted(["minimal", live.name, other.name])


def test_staging_of_another_host_is_removed_only_when_old(tmp_path):
    target = tmp_path / "minimal"
    recent = tmp_path / ".minimal.ftrag-tmp-elsewhere-1-abc"
    old = tmp_path / ".minimal.ftrag-tmp-elsewhere-2-def"
    for folder in (recent, old):
        folder.mkdir()
    two_days_ago = time.time() - 2 * 24 * 3600
    os.utime(old, (two_days_ago, two_days_ago))
    assert remove_stale_staging(target) == [old]
    assert recent.exists()


def test_set_value_nested_too_deeply_is_bad_input(runner):
    deep = "[" * 5000 + "]" * 5000
    result = runner.invoke(main, ["validate", str(MINIMAL), "--set", f"volume.sweep_points={deep}"])
    _assert_refused(result.exit_code, result.stdout, result.stderr, MINIMAL, "volume.sweep_points (from --set)",
                    "nested too deeply")


# --- the reference answers what the model does (item 5), pinned against the model ----------------------


def _two(strategy: dict, *, horizon: int = 24) -> dict:
    return {"scenario": {"horizon_months": horizon, "baseline": "zero"},
            "volume": {"queries_per_month": 1000},
            "strategies": {"zero": {}, "s": strategy}}


def _npc(table: dict, month: int) -> float:
    from ftrag_mc import evaluate, parse_scenario

    ev = evaluate(parse_scenario(table), volumes=[1000], months=[month])
    return float(ev.npc_usd[0, 1, 0, 0])


def test_training_tokens_are_per_epoch():
    # 2M tokens x 3 epochs x $8 per million = $48 (by hand), not $16.
    table = _two({"training": {"training_tokens": 2e6, "epochs": 3, "training_usd_per_mtok": 8}})
    assert _npc(table, 0) == pytest.approx(48.0)


def test_price_decline_touches_tokens_not_the_hosting_fee():
    # 1000 queries x 1M input tokens... kept small: 1000 tokens at $1/M = $0.001 a query, $1 a month at
    # month 1; with d = 0.5 month 13 pays (1 - 0.5)^(12/12) = half: $0.5. The hosting fee stays $100.
    tokens = _two({"llm": {"prompt_tokens": 1000, "input_usd_per_mtok": 1, "output_usd_per_mtok": 0},
                   "price_decline_per_year": 0.5})
    assert _npc(tokens, 1) == pytest.approx(1.0)
    assert _npc(tokens, 13) - _npc(tokens, 12) == pytest.approx(0.5)
    fee = _two({"hosting": {"fee_usd_per_month": 100}, "price_decline_per_year": 0.5})
    assert _npc(fee, 13) - _npc(fee, 12) == pytest.approx(100.0)


def test_gpu_month_is_730_5_hours():
    # One replica at $2/hour, always on: 365.25 / 12 x 24 = 730.5 hours = $1,461 a month.
    table = _two({"llm": {"input_usd_per_mtok": 0, "output_usd_per_mtok": 0, "output_tokens": 1},
                  "self_hosted": {"gpu_usd_per_hour": 2, "throughput_tokens_per_second": 1000, "utilization": 1}})
    assert _npc(table, 1) == pytest.approx(1461.0)


def test_reference_states_the_answers_and_the_limits():
    from ftrag_mc.scenario import describe_format

    text = describe_format()
    for needle in ["ABSENT = ERROR-FREE", "Training tokens are per epoch", "(1 - d)^((t - 1) / 12)",
                   "730.5 hours", "2,629,800 seconds", "| `horizon_months` | integer (months), between 1 and 600 |",
                   "| `samples` | integer, between 2 and 100,000,000 |", "| `sweep_points` | integer, between 2 and 1,000 |",
                   "between 0 and 1e12", "at most 1,048,576 bytes", "120 bytes"]:
        assert needle in text, needle
