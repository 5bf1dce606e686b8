"""The ftrag-mc command line: a thin layer over the library (options -> load -> simulate -> write)."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from ftrag_mc._version import __version__
from ftrag_mc.errors import ScenarioError
from ftrag_mc.sampling import SAMPLERS

ENGINES = ("local", "dask")  # ftrag_mc.simulate.ENGINES, without importing numpy for --help

PROGRESS_FROM_SAMPLES = 100_000  # runs at least this long show a progress bar on a terminal


class UserError(click.ClickException):
    """A one-line error for the user, exit status 2, no traceback."""

    exit_code = 2


def _load(path: str):
    from ftrag_mc.scenario import load_scenario

    try:
        return load_scenario(path)
    except ScenarioError as error:
        raise UserError(str(error)) from None


def _command_line(ctx: click.Context, scenario: str) -> str:
    """The command as the user could type it again: the options they gave, not the host's argv."""
    words = ["ftrag-mc", ctx.info_name or "run", scenario]
    for param in ctx.command.params:
        if not isinstance(param, click.Option) or ctx.get_parameter_source(param.name) != click.core.ParameterSource.COMMANDLINE:
            continue
        value = ctx.params[param.name]
        words += [param.opts[-1]] if param.is_flag else [param.opts[0], str(value)]
    return " ".join(words)


scenario_argument = click.argument("scenario", type=click.Path(dir_okay=False, path_type=str))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="ftrag-mc")
def main() -> None:
    """Is fine-tuning cheaper than RAG over your horizon, and how sure are we?

    Monte Carlo cost model of LLM serving strategies. Example:

        ftrag-mc run scenarios/support-classifier.toml
    """


class _Progress:
    """One status line on stderr for a long run: samples done, rate and time left, then each
    analysis and chart; nothing when stderr is not a terminal or the run is short."""

    def __init__(self, total: int, enabled: bool):
        self.total, self.enabled = total, enabled
        self.done = 0
        self.started = time.perf_counter()
        self.width = 0

    def _show(self, text: str) -> None:
        if self.enabled:
            pad = max(0, self.width - len(text))
            sys.stderr.write("\r" + text + " " * pad)
            sys.stderr.flush()
            self.width = len(text)

    def samples(self, n: int) -> None:
        self.done += n
        elapsed = time.perf_counter() - self.started
        rate = self.done / elapsed if elapsed > 0 else 0.0
        left = (self.total - self.done) / rate if rate > 0 else 0.0
        self._show(f"Simulating {100 * self.done / self.total:3.0f} %  {self.done:,}/{self.total:,} samples  "
                   f"{rate:,.0f}/s  {left:.0f} s left")

    def stage(self, text: str) -> None:
        self._show(f"{text} ({time.perf_counter() - self.started:.0f} s)")

    def close(self) -> None:
        if self.enabled and self.width:
            sys.stderr.write("\r" + " " * self.width + "\r")
            sys.stderr.flush()


def _simulate(loaded, *, samples, seed, sampler, chunk_size, workers, engine, scheduler, target_se, progress):
    from ftrag_mc.simulate import DEFAULT_CHUNK_SIZE, ResourceError, simulate, tune_allocator

    tune_allocator()  # process-wide, so here at the edge and not in the library
    if engine == "local" and scheduler is not None:
        raise UserError("--scheduler goes with --engine dask")
    try:
        return simulate(loaded, samples=samples, seed=seed, sampler=sampler,
                        chunk_size=chunk_size or DEFAULT_CHUNK_SIZE, workers=workers, engine=engine,
                        scheduler=scheduler, target_se=target_se, progress=progress)
    except ResourceError as error:
        raise UserError(f"{loaded.file or loaded.name}: {error}") from None
    except ImportError as error:
        raise UserError(f"--engine dask needs dask.distributed: pip install 'ftrag-mc[dask]' ({error})") from None


@main.command()
@scenario_argument
@click.option("--samples", "-n", type=click.IntRange(min=2), help="Monte Carlo samples (with --target-se: the most to draw) [default: the scenario's, else 20,000].")
@click.option("--seed", "-s", type=click.IntRange(min=0), help="Seed; the same seed reproduces the run bit for bit [default: the scenario's, else 2026].")
@click.option("--sampler", type=click.Choice(SAMPLERS), help="Plain Monte Carlo, Latin hypercube or scrambled Sobol [default: the scenario's, else lhs].")
@click.option("--out", "-o", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("reports"),
              show_default=True, help="Reports go to OUT/<scenario name>/.")
@click.option("--target-se", type=click.FloatRange(min=0, max=0.5, min_open=True, max_open=True),
              help="Stop sampling once every P(win) at your volume has a standard error below this (e.g. 0.005).")
@click.option("--workers", "-j", type=click.IntRange(min=1), help="Worker processes over blocks of samples [default: all CPUs]; results do not change.")
@click.option("--engine", type=click.Choice(ENGINES), default="local", show_default=True,
              help="local threads, or dask.distributed (pip install 'ftrag-mc[dask]'); results do not change.")
@click.option("--scheduler", metavar="ADDRESS", help="With --engine dask: a running cluster's scheduler, e.g. tcp://10.0.0.5:8786 [default: a LocalCluster].")
@click.option("--chunk-size", type=click.IntRange(min=1), default=None, help="Samples per task, in whole blocks of 16,384 (scheduling only; results do not change).")
@click.option("--quiet", "-q", is_flag=True, help="Print nothing but errors.")
def run(scenario: str, samples: int | None, seed: int | None, sampler: str | None, out_dir: Path,
        target_se: float | None, workers: int | None, engine: str, scheduler: str | None,
        chunk_size: int | None, quiet: bool) -> None:
    """Simulate SCENARIO and write its charts (PNG) and tables (CSV).

    Writes OUT/<scenario name>/: pwin_vs_volume, pwin_vs_month, breakeven, payback (PNG and CSV),
    summary.csv, and run.json (seed, samples, sampler, scenario hash, version, timings). Memory
    stays flat in the number of samples. Examples:

        ftrag-mc run scenarios/support-classifier.toml --samples 50000 --seed 7

        ftrag-mc run scenarios/support-classifier.toml --samples 5000000 --target-se 0.002

        ftrag-mc run scenarios/dsl-codegen.toml --engine dask --scheduler tcp://10.0.0.5:8786
    """
    from ftrag_mc.report.pack import build_report, close_figures, run_record
    from ftrag_mc.report.text import describe_run
    from ftrag_mc.report.writers import ReportError, write_report

    loaded = _load(scenario)
    n = samples or loaded.simulation.samples
    progress = _Progress(n, not quiet and n >= PROGRESS_FROM_SAMPLES and sys.stderr.isatty())
    items = {}
    try:
        result = _simulate(loaded, samples=samples, seed=seed, sampler=sampler, chunk_size=chunk_size,
                           workers=workers, engine=engine, scheduler=scheduler, target_se=target_se,
                           progress=progress.samples)
        items = build_report(result, on_item=lambda name: progress.stage(f"Reporting: {name}"))
        items["run.json"] = run_record(result, command=_command_line(click.get_current_context(), scenario))
        progress.stage("Writing files")
        paths = write_report(out_dir / loaded.name, items)
    except (ReportError, OSError) as error:
        raise UserError(str(error)) from None
    finally:
        progress.close()
        close_figures(items)
    if not quiet:
        for line in describe_run(result, items["summary.csv"]):
            click.echo(line)
        click.echo(f"Wrote {len(paths)} files to {out_dir / loaded.name}/")


@main.command()
@scenario_argument
def validate(scenario: str) -> None:
    """Check SCENARIO without simulating; exit status 2 with a one-line error if it is invalid.

    Example:

        ftrag-mc validate scenarios/legal-docs.toml
    """
    loaded = _load(scenario)
    uncertain = loaded.uncertain_inputs
    click.echo(f"{scenario}: valid. {len(loaded.strategies)} strategies "
               f"({'; '.join(loaded.label(s) for s in loaded.strategies)}), baseline {loaded.label(loaded.baseline)}, "
               f"{len(uncertain)} uncertain inputs, {loaded.horizon_months}-month horizon.")


@main.command(name="format")
def format_reference() -> None:
    """Print the scenario file reference (every section and key, with units and defaults).

    Example:

        ftrag-mc format > scenario-reference.md
    """
    from ftrag_mc.scenario import describe_format

    click.echo(describe_format())
