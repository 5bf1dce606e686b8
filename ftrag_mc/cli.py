"""The ftrag-mc command line: a thin layer over the library.

Every command is options -> load -> (simulate) -> one ``build_*_report`` call
(:mod:`ftrag_mc.report.builders`) -> write -> echo. Shared options live in
:mod:`ftrag_mc.cli_options`, failures become exit statuses in :mod:`ftrag_mc.cli_edge`, the
progress line is :mod:`ftrag_mc.cli_progress`. The report and matplotlib are imported inside
command bodies (``--help`` stays fast, and a run's worker processes fork without matplotlib).
"""

from __future__ import annotations

import os
import sys
import warnings
from pathlib import Path

import click

# Reports are drawn without a screen. Set here, at the edge (the library never changes a user's
# backend); a user's own MPLBACKEND wins.
os.environ.setdefault("MPLBACKEND", "Agg")

from ftrag_mc._version import __version__
from ftrag_mc.cli_app import app as app_command
from ftrag_mc.cli_edge import Edge, UserError, user_errors
from ftrag_mc.cli_evidence import evsi_options, fit, pilot_study
from ftrag_mc.cli_new import new
from ftrag_mc.cli_options import (
    VOLUME, command_line, output_options, sampling_options, scenario_argument, what_if_options,
)
from ftrag_mc.cli_progress import progress_line
from ftrag_mc.errors import ScenarioError
from ftrag_mc.limits import (
    MAX_HORIZON_MONTHS, MAX_SAMPLES, MAX_SOBOL_SAMPLES, MAX_WORKERS,
)


ENGINES = ("local", "dask")  # ftrag_mc.simulate.ENGINES, without importing numpy for --help
RULES = ("mean", "cvar")  # ftrag_mc.analysis.decision.RULES, the same (a test keeps them equal)


class _TargetSE(click.ParamType):
    """``--target-se``: a P(win) standard error (``0.005``, ``pwin=0.005``) or the expected
    saving's in currency (``saving=1000``); :func:`ftrag_mc.targets.parse_target_se`."""

    name = "[pwin=]SE|saving=USD"

    def convert(self, value, param, ctx):
        from ftrag_mc.targets import parse_target_se

        try:
            return parse_target_se(value)
        except ValueError as error:
            self.fail(str(error).removeprefix("--target-se: "), param, ctx)

PROGRESS_FROM_SAMPLES = 100_000  # runs at least this long show a progress bar on a terminal


def _load(path: str, overrides: tuple[str, ...] = (), baseline: str | None = None):
    from ftrag_mc.overrides import with_baseline
    from ftrag_mc.scenario import load_scenario

    try:
        return load_scenario(path, with_baseline(overrides, baseline))
    except ScenarioError as error:
        raise UserError(str(error)) from None


@click.group(cls=Edge, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="ftrag-mc")
@click.option("--debug", is_flag=True, help="Show the traceback of an internal error (exit status 1), for a bug report.")
def main(debug: bool) -> None:
    """Is fine-tuning cheaper than RAG over your horizon, and how sure are we?

    Monte Carlo cost model of LLM serving strategies. Example:

        ftrag-mc run scenarios/support-classifier.toml

    Exit status: 0 done; 2 bad input (a one-line error naming the file and the key, nothing
    written); 1 internal error (a bug: please report it; ftrag-mc --debug COMMAND ... shows the
    traceback); 130 interrupted (Ctrl-C; nothing half-written).
    """
    # A label in a script the installed fonts lack is drawn as boxes; the chart is still right, and
    # one warning per glyph would bury the result on stderr. Process-wide, so here at the edge.
    warnings.filterwarnings("ignore", message=r"Glyph \d+ .* missing from font", category=UserWarning)


def _write(report, out_dir: Path, progress=None) -> list[Path]:
    """Write ``report`` into OUT/<its folder>/, then close its figures."""
    with report:
        if progress is not None:
            progress.stage("Writing files")
        return report.write(out_dir)


def _echo(report, paths: list[Path], out_dir: Path, quiet: bool) -> None:
    """What a command prints when done: the report's lines, then where its files went."""
    if not quiet:
        for line in report.lines:
            click.echo(line)
        click.echo(f"Wrote {len(paths)} files to {out_dir / report.folder_name}/")


def _simulate(loaded, *, samples, seed, sampler, chunk_size, workers, engine, scheduler, target_se, progress):
    from ftrag_mc.simulate import DEFAULT_CHUNK_SIZE, ResourceError, simulate

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


class _ReportCommand(click.Command):
    """``run``: its help ends with the report's files, read from the report manifest when shown."""

    def format_help_text(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        super().format_help_text(ctx, formatter)
        from ftrag_mc.report.items import REPORT_ITEMS

        with formatter.section("Files written to OUT/<scenario name>/"):
            formatter.write_dl([(item.name, item.description) for item in REPORT_ITEMS])


@main.command(cls=_ReportCommand)
@scenario_argument
@sampling_options(
    min_samples=2, samples="Monte Carlo samples (with --target-se: the most to draw) [default: the scenario's, else 20,000].",
    seed="Seed; the same seed reproduces the run bit for bit [default: the scenario's, else 2026].",
    sampler="Plain Monte Carlo, Latin hypercube or scrambled Sobol [default: the scenario's, else lhs].")
@output_options("Reports go to OUT/<scenario name>/.")
@click.option("--target-se", type=_TargetSE(),
              help="Stop sampling once an estimate's standard error is below this: a number or pwin=SE for every "
                   "P(win) at your volume (e.g. 0.005); saving=USD for the decision's expected saving (e.g. "
                   "saving=1000).")
@click.option("--rule", type=click.Choice(RULES), default="mean", show_default=True,
              help="The decision rule: mean = recommend the lowest expected net present cost; cvar = the lowest "
                   "CVaR95 of net present cost (the mean of its costliest 5 % of futures).")
@click.option("--workers", "-j", type=click.IntRange(min=1, max=MAX_WORKERS), help="Worker processes over blocks of samples [default: all CPUs]; results do not change.")
@click.option("--engine", type=click.Choice(ENGINES), default="local", show_default=True,
              help="local worker processes, or dask.distributed (pip install 'ftrag-mc[dask]'); results do not change.")
@click.option("--scheduler", metavar="ADDRESS", help="With --engine dask: a running cluster's scheduler, e.g. tcp://10.0.0.5:8786 [default: a LocalCluster].")
@click.option("--chunk-size", type=click.IntRange(min=1, max=MAX_SAMPLES), default=None, help="Samples per task, in whole blocks of 16,384 (scheduling only; results do not change).")
@click.option("--paper", type=click.Choice(["a4", "letter"], case_sensitive=False), default="a4", show_default=True,
              help="Sheet of report.pdf's pages, landscape (letter: US Letter).")
@what_if_options
def run(scenario: str, samples: int | None, seed: int | None, sampler: str | None, out_dir: Path, quiet: bool,
        target_se, rule: str, workers: int | None, engine: str, scheduler: str | None,
        chunk_size: int | None, paper: str, overrides: tuple[str, ...], baseline: str | None) -> None:
    """Simulate SCENARIO and write its charts (PNG) and tables (CSV).

    Writes OUT/<scenario name>/ whole or not at all (the files are listed below). The headline is
    the decision among all strategies: the recommended one (--rule), P(it is the cheapest of all),
    and against the best alternative the expected saving, its spread, P(loss) and the volume where
    the choice flips. Memory stays flat in the number of samples. Examples:

        ftrag-mc run scenarios/support-classifier.toml --samples 50000 --seed 7

        ftrag-mc run scenarios/support-classifier.toml --samples 5000000 --target-se 0.002

        ftrag-mc run scenarios/support-classifier.toml --samples 5000000 --target-se saving=500 --rule cvar

        ftrag-mc run scenarios/dsl-codegen.toml --engine dask --scheduler tcp://10.0.0.5:8786

        ftrag-mc run scenarios/support-classifier.toml --set volume.queries_per_month=40000 --baseline prompted_cached

        ftrag-mc run scenarios/support-classifier.toml --paper letter
    """
    loaded = _load(scenario, overrides, baseline)
    n = samples or loaded.simulation.samples
    with progress_line(n, quiet=quiet, from_samples=PROGRESS_FROM_SAMPLES) as progress:
        result = _simulate(loaded, samples=samples, seed=seed, sampler=sampler, chunk_size=chunk_size,
                           workers=workers, engine=engine, scheduler=scheduler, target_se=target_se,
                           progress=progress.samples)
        from ftrag_mc.simulate import release_memory

        release_memory()  # the simulation's freed blocks, before the report's charts need memory
        # matplotlib only now: the worker processes the simulation forked needed none of it.
        from ftrag_mc.report.builders import build_run_report

        with user_errors():
            report = build_run_report(result, command=command_line(scenario), on_item=progress.stages("Reporting"),
                                      rule=rule, paper=paper.lower(), render_png=True)
            paths = _write(report, out_dir, progress)
    _echo(report, paths, out_dir, quiet)


@main.command()
@scenario_argument
@sampling_options(default_samples=20_000, samples="Samples of the run the study reads (kept in memory, one row per sample).",
                  seed="Seed [default: the scenario's, else 2026].", sampler="Sampling scheme [default: the scenario's].")
@output_options("The study is added to OUT/<scenario name>/ (a run's files there are kept).")
@click.option("--challenger", metavar="NAME", help="The strategy compared with the baseline [default: the decision's pair, "
              "the recommended strategy against the runner-up].")
@click.option("--low", type=click.FloatRange(0, 0.5, min_open=True, max_open=True), default=0.10, show_default=True,
              help="Tornado: the low percentile each input swings to.")
@click.option("--high", type=click.FloatRange(0.5, 1, min_open=True, max_open=True), default=0.90, show_default=True,
              help="Tornado: the high percentile.")
@click.option("--sobol-samples", type=click.IntRange(min=64, max=MAX_SOBOL_SAMPLES), help="Base samples of the Sobol design (a power of two).")
@click.option("--no-sobol", is_flag=True, help="Skip Sobol indices (rank correlations only).")
@evsi_options
@what_if_options
def sensitivity(scenario: str, samples: int, seed: int | None, sampler: str | None, out_dir: Path, quiet: bool,
                challenger: str | None, low: float, high: float, sobol_samples: int | None, no_sobol: bool,
                overrides: tuple[str, ...], baseline: str | None, **evsi: str | float | None) -> None:
    """Which assumptions decide the answer, and what it is worth to learn them first.

    Writes into OUT/<scenario name>/: tornado (each input swung P10-P90, others at medians, and the
    conditional expectation from the sampled run), spider, global (Spearman, PRCC, Sobol indices
    with bootstrap intervals), evppi (the value of learning each input before deciding) and regret
    (EVPI and each decision's expected regret), PNG and CSV, and sensitivity.json; with --evsi, evsi.csv
    and evsi.png (what an eval of n items is worth before deciding, its net value and best size). Examples:

    \b
        ftrag-mc sensitivity scenarios/support-classifier.toml
        ftrag-mc sensitivity scenarios/dsl-codegen.toml --set volume.queries_per_month=20000 --low 0.05 --high 0.95
        ftrag-mc sensitivity scenarios/dsl-codegen-paired.toml --evsi tuned_error_rate --item-usd 4 --fixed-usd 2000
    """
    from ftrag_mc.simulate import simulate

    loaded = _load(scenario, overrides, baseline)
    if challenger is not None and challenger not in loaded.challengers:
        raise UserError(f"{scenario}: --challenger: '{challenger}' is not a challenger "
                        f"(challengers: {', '.join(loaded.challengers)})")
    pilot = pilot_study(loaded, **evsi)
    with user_errors(f"{scenario}: "), progress_line(samples, quiet=quiet) as progress:
        result = simulate(loaded, samples=samples, seed=seed, sampler=sampler, keep_samples=True,
                          progress=progress.samples)
        from ftrag_mc.report.builders import build_sensitivity_report

        report = build_sensitivity_report(result, challenger=challenger, low=low, high=high, sobol=not no_sobol,
                                          sobol_samples=sobol_samples, pilot=pilot, command=command_line(scenario),
                                          on_item=progress.stages("Sensitivity"))
        paths = _write(report, out_dir, progress)
    _echo(report, paths, out_dir, quiet)


@main.command()
@scenario_argument
@click.option("--x", "x_text", required=True, metavar="KEY=VALUES",
              help="The swept key and its values: KEY=v1,v2,... or KEY=lo:hi:n or KEY=lo:hi:n:log.")
@click.option("--y", "y_text", metavar="KEY=VALUES", help="A second swept key (a heatmap over the grid).")
@sampling_options(default_samples=20_000, samplers=("mc", "lhs"),
                  samples="Samples at every grid point (the same seed everywhere: common random numbers).",
                  seed="Seed [default: the scenario's, else 2026].",
                  sampler="Sampling scheme [default: the scenario's; sobol sweeps as lhs].")
@click.option("--challenger", metavar="NAME", help="Draw this challenger only [default: every challenger].")
@click.option("--horizon", type=click.IntRange(1, MAX_HORIZON_MONTHS), help="Months of the horizon drawn [default: the longest].")
@output_options("sweep.{png,csv} are added to OUT/<scenario name>/.")
@what_if_options
def sweep(scenario: str, x_text: str, y_text: str | None, samples: int, seed: int | None, sampler: str | None,
          challenger: str | None, horizon: int | None, out_dir: Path, quiet: bool, overrides: tuple[str, ...],
          baseline: str | None) -> None:
    """P(win) and the mean saving over a grid of one or two inputs.

    Every grid point is the scenario with those values set (validated like --set) and simulated
    with the same seed, so differences between points are not noise. Writes sweep.{png,csv} and
    sweep_crossings.csv (where P(win) crosses 50 %, interpolated between grid points). Examples:

        ftrag-mc sweep scenarios/support-classifier.toml --x volume.queries_per_month=10000:1000000:9:log

        ftrag-mc sweep scenarios/support-classifier.toml --x strategies.fine_tuned.training.retrain_every_months=1,2,3,6 --y strategies.fine_tuned.quality.drift_pp_per_quarter=0,2,4
    """
    from ftrag_mc.report.builders import build_sweep_report, count_sweep_points

    loaded = _load(scenario, overrides, baseline)
    with user_errors(f"{scenario}: "):
        points = count_sweep_points(x_text, y_text)
        with progress_line(samples * points, quiet=quiet) as progress:
            report = build_sweep_report(loaded, x_text, y_text, samples=samples, seed=seed, sampler=sampler,
                                        challenger=challenger, horizon=horizon, command=command_line(scenario),
                                        progress=progress.samples)
            paths = _write(report, out_dir, progress)
    _echo(report, paths, out_dir, quiet)


@main.command()
@scenario_argument
@click.option("--start", metavar="NAME", help="The strategy serving from month 1 [default: the scenario's staged "
              "strategy's start, else the baseline].")
@click.option("--switch-to", "switch_to", metavar="NAME", help="The strategy adopted when the trigger fires [default: the "
              "staged strategy's, else the challenger with the lowest expected NPC].")
@click.option("--trigger", type=click.Choice(("volume", "month")),
              help="Search a volume threshold or a month [default: the staged strategy's kind, else volume].")
@click.option("--for-months", type=click.IntRange(1, MAX_HORIZON_MONTHS), help="A volume trigger's months in a row above the "
              "threshold [default: the staged strategy's, else 1].")
@click.option("--points", type=click.IntRange(2, 1000), default=40, show_default=True,
              help="Volume thresholds searched, log-spaced over the volumes the paths are likely to reach.")
@sampling_options(min_samples=2, samples="Futures every trigger is priced on (the same for all) [default: the scenario's].",
                  seed="Seed [default: the scenario's, else 2026].", sampler="Sampling scheme [default: the scenario's].")
@click.option("--workers", "-j", type=click.IntRange(min=1, max=MAX_WORKERS), help="Worker processes [default: all CPUs]; results do not change.")
@output_options("policy.{png,csv,json} are added to OUT/<scenario name>/.")
@what_if_options
def policy(scenario: str, start: str | None, switch_to: str | None, trigger: str | None, for_months: int | None,
           points: int, samples: int | None, seed: int | None, sampler: str | None, workers: int | None,
           out_dir: Path, quiet: bool, overrides: tuple[str, ...], baseline: str | None) -> None:
    """When to switch: start on one strategy, switch to another when a trigger fires.

    Searches the trigger (a monthly volume held for some months, or a month) over a grid, every
    candidate priced on the same futures, beside committing now and never switching. Prints the
    best policy with the triggers as good within Monte Carlo error, the value of flexibility (the
    better static choice's expected NPC minus the best policy's) and how often the policy beats
    each static choice. Writes policy.csv, policy.png and policy.json. Examples:

    \b
        ftrag-mc policy scenarios/staged-support.toml
        ftrag-mc policy scenarios/support-classifier.toml --switch-to fine_tuned --trigger month
        ftrag-mc policy scenarios/staged-support.toml --for-months 3 --set volume.volatility_per_month=0.2
    """
    loaded = _load(scenario, overrides, baseline)
    n = samples or loaded.simulation.samples
    with user_errors(f"{scenario}: "), progress_line(n, quiet=quiet, from_samples=PROGRESS_FROM_SAMPLES) as progress:
        from ftrag_mc.report.builders import build_policy_report

        report = build_policy_report(loaded, start=start, switch_to=switch_to, trigger=trigger, for_months=for_months,
                                     points=points, samples=samples, seed=seed, sampler=sampler, workers=workers,
                                     command=command_line(scenario), progress=progress.samples)
        paths = _write(report, out_dir, progress)
    _echo(report, paths, out_dir, quiet)


def _compare_variants(scenarios: tuple[str, ...], variants: tuple[str, ...], what_ifs: tuple[str, ...]):
    """compare's (name, scenario) pairs: every file, or one file under each ``--variant``."""
    from ftrag_mc.analysis.compare import variant_name

    if variants and len(scenarios) != 1:
        raise UserError("--variant goes with one scenario (give several files, or one file with --variant)")
    pairs, names = [], []
    groups = [()] + [tuple(v for v in text.split(";") if v.strip()) for text in variants] if variants else None
    for path in scenarios:
        for group in (groups or [()]):
            loaded = _load(path, (*what_ifs, *group))
            name = variant_name(loaded, group if variants else None, taken=names)
            names.append(name)
            pairs.append((name, loaded))
    if len(pairs) < 2:
        raise UserError("compare needs two or more scenarios, or one scenario with --variant")
    return pairs


@main.command()
@click.argument("scenarios", nargs=-1, required=True, type=click.Path(path_type=str))
@click.option("--variant", "variants", metavar="KEY=VALUE[;KEY=VALUE...]", multiple=True,
              help="With one scenario: a what-if variant (--set overrides separated by ';'); repeatable.")
@sampling_options(samplers=("mc", "lhs"), samples="Samples per scenario [default: the first scenario's].",
                  seed="Seed, the same for every scenario [default: the first's].",
                  sampler="Sampling scheme [default: the first scenario's; sobol compares as lhs].")
@click.option("--horizon", type=click.IntRange(1, MAX_HORIZON_MONTHS), help="Months [default: each scenario's longest].")
@output_options("Writes OUT/compare/: compare.png, compare.csv, compare_headline.csv.")
@what_if_options
def compare(scenarios: tuple[str, ...], variants: tuple[str, ...], samples: int | None, seed: int | None,
            sampler: str | None, horizon: int | None, out_dir: Path, quiet: bool, overrides: tuple[str, ...],
            baseline: str | None) -> None:
    """P(win) curves and headline figures of several scenarios, or one under several what-ifs.

    Every scenario runs with the same seed, so inputs they share (the same key or shared input
    name) get the same draws: differences between them are not noise. Examples:

        ftrag-mc compare scenarios/support-classifier.toml scenarios/legal-docs.toml

        ftrag-mc compare scenarios/support-classifier.toml --variant volume.queries_per_month=40000 --variant "volume.queries_per_month=40000;strategies.fine_tuned.training.run_usd=8000"
    """
    from ftrag_mc.overrides import with_baseline

    pairs = _compare_variants(scenarios, variants, with_baseline(overrides, baseline))
    total = (samples or pairs[0][1].simulation.samples) * len(pairs)
    from ftrag_mc.report.builders import build_compare_report

    with user_errors(""), progress_line(total, quiet=quiet, from_samples=PROGRESS_FROM_SAMPLES) as progress:
        report = build_compare_report(pairs, samples=samples, seed=seed, sampler=sampler, horizon=horizon,
                                      command=command_line(" ".join(scenarios)), progress=progress.samples)
        paths = _write(report, out_dir, progress)
    _echo(report, paths, out_dir, quiet)


def _load_source(path: str, overrides: tuple[str, ...] = (), baseline: str | None = None):
    """:func:`_load`, or with ``-`` the scenario on stdin, named ``<stdin>`` in messages."""
    if path != "-":
        return _load(path, overrides, baseline)
    from ftrag_mc.overrides import with_baseline
    from ftrag_mc.scenario import MAX_FILE_BYTES, load_scenario_bytes

    with click.open_file("-", "rb") as stream:
        raw = stream.read(MAX_FILE_BYTES + 1)  # one byte over the limit is enough to refuse it
    try:
        return load_scenario_bytes(raw, with_baseline(overrides, baseline))
    except ScenarioError as error:
        raise UserError(str(error)) from None


@main.command()
@click.argument("scenarios", nargs=-1, required=True, metavar="SCENARIO...",
                type=click.Path(allow_dash=True, path_type=str))
@click.option("--strict", is_flag=True, help="Lint warnings are errors: exit status 2 if any file has one.")
@what_if_options
def validate(scenarios: tuple[str, ...], strict: bool, overrides: tuple[str, ...], baseline: str | None) -> None:
    """Check each SCENARIO without simulating, and lint it (- reads one from stdin).

    An invalid file is a one-line error (exit status 2). A valid one gets a one-line summary, and
    each lint warning goes to stderr as "warning: FILE: KEY: message": a cost component one
    strategy pays and another lacks where that changes the answer, a launch delay with no interim
    or delay cost, a price far outside the catalog's range, an answer that flips with a constant
    moved to half or double its value. Warnings leave the exit status 0 unless --strict; with
    several files the exit status is the worst. Examples:

        ftrag-mc validate scenarios/legal-docs.toml

        ftrag-mc validate --strict scenarios/*.toml

        cat my-scenario.toml | ftrag-mc validate -
    """
    from ftrag_mc.lint import lint_scenario

    worst = 0
    for scenario in scenarios:
        try:
            loaded = _load_source(scenario, overrides, baseline)
        except UserError as error:
            error.show()
            worst = 2
            continue
        findings = lint_scenario(loaded)
        for finding in findings:
            click.echo(f"{'error' if strict else 'warning'}: {loaded.file}: {finding}", err=True)
        if strict and findings:
            worst = 2
            continue
        uncertain = loaded.uncertain_inputs
        click.echo(f"{loaded.file}: valid. {len(loaded.strategies)} strategies "
                   f"({'; '.join(loaded.label(s) for s in loaded.strategies)}), baseline {loaded.label(loaded.baseline)}, "
                   f"{len(uncertain)} uncertain inputs, {loaded.horizon_months}-month horizon"
                   f"{f', {len(findings)} warning' + 's' * (len(findings) > 1) if findings else ''}.")
        if loaded.catalog:
            from ftrag_mc.catalog import stale_notes

            for note in stale_notes(loaded):
                click.echo(f"note: {loaded.file}: {note}")
    if worst:
        click.get_current_context().exit(worst)


main.add_command(fit)


@main.command(name="format")
def format_reference() -> None:
    """Print the scenario file reference (every section and key, with units and defaults).

    Example:

        ftrag-mc format > scenario-reference.md
    """
    from ftrag_mc.scenario import describe_format

    click.echo(describe_format())


@main.command()
@scenario_argument
@click.option("--percentile", "-p", type=click.FloatRange(0, 100, min_open=True, max_open=True), default=50.0,
              show_default=True, help="Set every uncertain input to its own P-th percentile instead of its median, e.g. 90.")
@click.option("--volume", type=VOLUME, metavar="QUERIES",
              help="Start volume, queries/month [default: the scenario's].")
@output_options("explain_*.csv are added to OUT/<scenario name>/ (a run's files there are kept).")
@what_if_options
def explain(scenario: str, percentile: float, volume: float | None, out_dir: Path, quiet: bool,
            overrides: tuple[str, ...], baseline: str | None) -> None:
    """The cost breakdown behind the totals, with every uncertain input at its median.

    No sampling: one evaluation through the simulator's own model. Prints, per strategy, its
    one-time, monthly and per-query line items (the wait priced per second, the interim strategy before launch and
    the successor after a platform closes each on their own line), the cumulative cost by month,
    and each challenger's breakeven arithmetic in words, to check against a spreadsheet. Writes
    explain_items.csv, explain_months.csv, explain_breakeven.csv and explain.json into
    OUT/<scenario name>/. Examples:

    \b
        ftrag-mc explain scenarios/support-classifier.toml
        ftrag-mc explain scenarios/hybrid.toml --percentile 90 --volume 50000
        ftrag-mc explain scenarios/support-classifier.toml --set strategies.fine_tuned.training.run_usd=8000
    """
    loaded = _load(scenario, overrides, baseline)
    from ftrag_mc.report.builders import build_explain_report

    with user_errors(f"{scenario}: "):
        report = build_explain_report(loaded, percentile=percentile, volume=volume, command=command_line(scenario))
        paths = _write(report, out_dir)
    _echo(report, paths, out_dir, quiet)


@main.command()
@click.option("--search", "text", metavar="TEXT", default="",
              help="Only models (and GPUs) whose name or provider contains TEXT; also searches every model "
                   "genai-prices knows [default: the curated catalog].")
@click.option("--csv", "as_csv", is_flag=True, help="Write the model table as CSV to standard output.")
def prices(text: str, as_csv: bool) -> None:
    """List the price catalog: per model, token prices per million tokens (input, output, cache read
    and write, training, tuned input and output), each with its date and source; then GPU rates.

    A scenario uses an entry by name, e.g. llm = { model = "claude-haiku-4-5", ... }; see
    "Prices from the catalog" in ftrag-mc format.

    Example:

        ftrag-mc prices --search haiku
    """
    from ftrag_mc.catalog import PRICE_COLUMNS, gpu_rows, price_rows, search
    from ftrag_mc.report.text import describe_prices

    rows = price_rows(search(text))
    if as_csv:
        import csv

        writer = csv.DictWriter(sys.stdout, fieldnames=PRICE_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows({k: "" if v is None else v for k, v in row.items()} for row in rows)
        return
    for line in describe_prices(rows, gpu_rows(text), search=text):
        click.echo(line)


main.add_command(app_command)  # ftrag-mc app: the web page's command, in cli_app.py
main.add_command(new)  # ftrag-mc new: writing a scenario from a template, in cli_new.py
