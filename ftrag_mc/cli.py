"""The ftrag-mc command line: a thin layer over the library (options -> load -> simulate -> write)."""

from __future__ import annotations

import contextlib
import os
import shlex
import sys
import time
import warnings
from pathlib import Path

import click

# Reports are drawn without a screen. Set here, at the edge (the library never changes a user's
# backend); a user's own MPLBACKEND wins.
os.environ.setdefault("MPLBACKEND", "Agg")

from ftrag_mc._version import __version__
from ftrag_mc.errors import ScenarioError
from ftrag_mc.sampling import SAMPLERS

ENGINES = ("local", "dask")  # ftrag_mc.simulate.ENGINES, without importing numpy for --help

PROGRESS_FROM_SAMPLES = 100_000  # runs at least this long show a progress bar on a terminal


class UserError(click.ClickException):
    """A one-line error for the user, exit status 2, no traceback."""

    exit_code = 2


def _load(path: str, overrides: tuple[str, ...] = (), baseline: str | None = None):
    from ftrag_mc.overrides import with_baseline
    from ftrag_mc.scenario import load_scenario

    try:
        return load_scenario(path, with_baseline(overrides, baseline))
    except ScenarioError as error:
        raise UserError(str(error)) from None


def what_if_options(command):
    """``--set KEY=VALUE`` (repeatable) and ``--baseline NAME``, for every command that loads a scenario."""
    command = click.option("--baseline", "baseline", metavar="NAME",
                           help="Compare against this strategy instead of the scenario's baseline.")(command)
    return click.option("--set", "overrides", metavar="KEY=VALUE", multiple=True,
                        help="Override a scenario value by its dotted key, validated like the file, e.g. "
                             "--set strategies.ft.training.run_usd=8000 or "
                             "--set 'volume.growth_per_month={dist=\"uniform\",min=0,max=0.05}'. Repeatable.")(command)


def _command_line(ctx: click.Context, scenario: str) -> str:
    """The command as the user could type it again: the options they gave, not the host's argv."""
    words = ["ftrag-mc", ctx.info_name or "run", scenario]
    for param in ctx.command.params:
        if not isinstance(param, click.Option) or ctx.get_parameter_source(param.name) != click.core.ParameterSource.COMMANDLINE:
            continue
        value = ctx.params[param.name]
        if param.is_flag:
            words += [param.opts[-1]]
        elif param.multiple:
            for item in value:
                words += [param.opts[0], shlex.quote(str(item))]
        else:
            words += [param.opts[0], shlex.quote(str(value))]
    return " ".join(words)


# A plain path: a folder, a device or a FIFO is refused by the scenario reader, on one line.
scenario_argument = click.argument("scenario", type=click.Path(path_type=str))

#: Exit statuses, the same for every command (README "Exit status").
EXIT_OK, EXIT_INTERNAL, EXIT_BAD_INPUT, EXIT_INTERRUPTED = 0, 1, 2, 130


class _Edge(click.Group):
    """Where every command's failures become an exit status, once for all commands.

    A bad scenario (``ScenarioError``, also one raised inside the simulation) is a one-line error
    and status 2; Ctrl-C prints "Interrupted." and exits 130 (the writers leave nothing half
    written); any other exception is an internal error: one line asking for a report and status 1,
    or the traceback with ``--debug``. Click's own errors (usage, ``UserError``) pass unchanged.
    """

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except ScenarioError as error:
            raise UserError(str(error)) from None
        except KeyboardInterrupt:
            click.echo("Interrupted.", err=True)
            ctx.exit(EXIT_INTERRUPTED)
        except BrokenPipeError:  # e.g. `ftrag-mc format | head`: the reader left, nothing to say
            with contextlib.suppress(OSError):
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            ctx.exit(EXIT_INTERNAL)
        except Exception as error:
            if ctx.find_root().params.get("debug"):
                raise
            detail = " ".join(str(error).split())[:300] or "no message"
            click.echo(f"Error: internal error ({type(error).__name__}: {detail}). This is a bug in ftrag-mc: "
                       "please report it with the command and the scenario; --debug shows the traceback.",
                       err=True)
            ctx.exit(EXIT_INTERNAL)


@click.group(cls=_Edge, context_settings={"help_option_names": ["-h", "--help"]})
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


@contextlib.contextmanager
def _report_files(progress: _Progress):
    """The report items built inside: figures closed and progress ended whatever happens, and an
    unwritable folder a one-line error."""
    from ftrag_mc.report.pack import close_figures
    from ftrag_mc.report.writers import ReportError

    items: dict = {}
    try:
        yield items
    except (ReportError, OSError) as error:
        raise UserError(str(error)) from None
    finally:
        progress.close()
        close_figures(items)


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


class _ReportCommand(click.Command):
    """``run``: its help ends with the report's files, read from the report manifest when shown."""

    def format_help_text(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        super().format_help_text(ctx, formatter)
        from ftrag_mc.report.pack import REPORT_ITEMS

        with formatter.section("Files written to OUT/<scenario name>/"):
            formatter.write_dl([(item.name, item.description) for item in REPORT_ITEMS])


@main.command(cls=_ReportCommand)
@scenario_argument
@click.option("--samples", "-n", type=click.IntRange(min=2), help="Monte Carlo samples (with --target-se: the most to draw) [default: the scenario's, else 20,000].")
@click.option("--seed", "-s", type=click.IntRange(min=0), help="Seed; the same seed reproduces the run bit for bit [default: the scenario's, else 2026].")
@click.option("--sampler", type=click.Choice(SAMPLERS), help="Plain Monte Carlo, Latin hypercube or scrambled Sobol [default: the scenario's, else lhs].")
@click.option("--out", "-o", "out_dir", type=click.Path(path_type=Path), default=Path("reports"),
              show_default=True, help="Reports go to OUT/<scenario name>/.")
@click.option("--target-se", type=click.FloatRange(min=0, max=0.5, min_open=True, max_open=True),
              help="Stop sampling once every P(win) at your volume has a standard error below this (e.g. 0.005).")
@click.option("--workers", "-j", type=click.IntRange(min=1), help="Worker processes over blocks of samples [default: all CPUs]; results do not change.")
@click.option("--engine", type=click.Choice(ENGINES), default="local", show_default=True,
              help="local worker processes, or dask.distributed (pip install 'ftrag-mc[dask]'); results do not change.")
@click.option("--scheduler", metavar="ADDRESS", help="With --engine dask: a running cluster's scheduler, e.g. tcp://10.0.0.5:8786 [default: a LocalCluster].")
@click.option("--chunk-size", type=click.IntRange(min=1), default=None, help="Samples per task, in whole blocks of 16,384 (scheduling only; results do not change).")
@click.option("--quiet", "-q", is_flag=True, help="Print nothing but errors.")
@what_if_options
def run(scenario: str, samples: int | None, seed: int | None, sampler: str | None, out_dir: Path,
        target_se: float | None, workers: int | None, engine: str, scheduler: str | None,
        chunk_size: int | None, quiet: bool, overrides: tuple[str, ...], baseline: str | None) -> None:
    """Simulate SCENARIO and write its charts (PNG) and tables (CSV).

    Writes OUT/<scenario name>/ whole or not at all (the files are listed below). Memory stays
    flat in the number of samples. Examples:

        ftrag-mc run scenarios/support-classifier.toml --samples 50000 --seed 7

        ftrag-mc run scenarios/support-classifier.toml --samples 5000000 --target-se 0.002

        ftrag-mc run scenarios/dsl-codegen.toml --engine dask --scheduler tcp://10.0.0.5:8786

        ftrag-mc run scenarios/support-classifier.toml --set volume.queries_per_month=40000 --baseline prompted_cached
    """
    loaded = _load(scenario, overrides, baseline)
    n = samples or loaded.simulation.samples
    progress = _Progress(n, not quiet and n >= PROGRESS_FROM_SAMPLES and sys.stderr.isatty())
    try:
        result = _simulate(loaded, samples=samples, seed=seed, sampler=sampler, chunk_size=chunk_size,
                           workers=workers, engine=engine, scheduler=scheduler, target_se=target_se,
                           progress=progress.samples)
    except BaseException:
        progress.close()
        raise
    from ftrag_mc.simulate import release_memory

    release_memory()  # the simulation's freed blocks, before the report's charts need memory
    # matplotlib only now: the worker processes the simulation forked needed none of it.
    from ftrag_mc.report.document import build_pdf, build_summary_md, columns_frame, headline
    from ftrag_mc.report.pack import build_report, run_record
    from ftrag_mc.report.text import describe_run
    from ftrag_mc.report.writers import write_report

    with _report_files(progress) as items:
        items.update(build_report(result, on_item=lambda name: progress.stage(f"Reporting: {name}")))
        items["run.json"] = run_record(result, command=_command_line(click.get_current_context(), scenario))
        progress.stage("Reporting: report.pdf")
        csvs = [name for name in items if name.endswith(".csv")]
        items["report.pdf"] = build_pdf(items, result, record=items["run.json"])
        items["summary.md"] = build_summary_md(result, items["summary.csv"], items)
        items["columns.csv"] = columns_frame(csvs + ["columns.csv"])
        progress.stage("Writing files")
        paths = write_report(out_dir / loaded.name, items)
    if not quiet:
        from ftrag_mc.report.studies import run_top_inputs

        click.echo(headline(result, items["summary.csv"]))
        for line in describe_run(result, items["summary.csv"]) + run_top_inputs(result, items["summary.csv"]):
            click.echo(line)
        click.echo(f"Wrote {len(paths)} files to {out_dir / loaded.name}/")


@main.command()
@scenario_argument
@click.option("--samples", "-n", type=click.IntRange(min=100), default=20_000, show_default=True,
              help="Samples of the run the study reads (kept in memory, one row per sample).")
@click.option("--seed", "-s", type=click.IntRange(min=0), help="Seed [default: the scenario's, else 2026].")
@click.option("--sampler", type=click.Choice(SAMPLERS), help="Sampling scheme [default: the scenario's].")
@click.option("--out", "-o", "out_dir", type=click.Path(path_type=Path), default=Path("reports"),
              show_default=True, help="The study is added to OUT/<scenario name>/ (a run's files there are kept).")
@click.option("--challenger", metavar="NAME", help="The strategy compared with the baseline [default: the one with the highest P(win)].")
@click.option("--low", type=click.FloatRange(0, 0.5, min_open=True, max_open=True), default=0.10, show_default=True,
              help="Tornado: the low percentile each input swings to.")
@click.option("--high", type=click.FloatRange(0.5, 1, min_open=True, max_open=True), default=0.90, show_default=True,
              help="Tornado: the high percentile.")
@click.option("--sobol-samples", type=click.IntRange(min=64), help="Base samples of the Sobol design (a power of two).")
@click.option("--no-sobol", is_flag=True, help="Skip Sobol indices (rank correlations only).")
@click.option("--quiet", "-q", is_flag=True, help="Print nothing but errors.")
@what_if_options
def sensitivity(scenario: str, samples: int, seed: int | None, sampler: str | None, out_dir: Path,
                challenger: str | None, low: float, high: float, sobol_samples: int | None, no_sobol: bool,
                quiet: bool, overrides: tuple[str, ...], baseline: str | None) -> None:
    """Which assumptions decide the answer, and what it is worth to learn them first.

    Writes into OUT/<scenario name>/: tornado (each input swung P10-P90, others at medians, and the
    conditional expectation from the sampled run), spider, global (Spearman, PRCC, Sobol indices
    with bootstrap intervals), evppi (the value of learning each input before deciding) and regret
    (EVPI and each decision's expected regret), PNG and CSV, and sensitivity.json. Examples:

        ftrag-mc sensitivity scenarios/support-classifier.toml

        ftrag-mc sensitivity scenarios/dsl-codegen.toml --set volume.queries_per_month=20000 --low 0.05 --high 0.95
    """
    from ftrag_mc.report.pack import close_figures
    from ftrag_mc.report.studies import build_sensitivity_report, sensitivity_record
    from ftrag_mc.report.writers import ReportError, write_report
    from ftrag_mc.simulate import simulate, tune_allocator

    loaded = _load(scenario, overrides, baseline)
    if challenger is not None and challenger not in loaded.challengers:
        raise UserError(f"{scenario}: --challenger: '{challenger}' is not a challenger "
                        f"(challengers: {', '.join(loaded.challengers)})")
    tune_allocator()
    progress = _Progress(samples, not quiet and sys.stderr.isatty())
    items: dict = {}
    try:
        result = simulate(loaded, samples=samples, seed=seed, sampler=sampler, keep_samples=True,
                          progress=progress.samples)
        items = build_sensitivity_report(result, challenger=challenger, low=low, high=high, sobol=not no_sobol,
                                         sobol_samples=sobol_samples,
                                         on_item=lambda name: progress.stage(f"Sensitivity: {name}"))
        lines = items.pop("lines")
        items["sensitivity.json"] = sensitivity_record(
            result, challenger=challenger, low=low, high=high, sobol=not no_sobol,
            command=_command_line(click.get_current_context(), scenario))
        progress.stage("Writing files")
        paths = write_report(out_dir / loaded.name, items, merge=True)
    except (ReportError, OSError) as error:
        raise UserError(str(error)) from None
    except ScenarioError as error:  # already names the file
        raise UserError(str(error)) from None
    except ValueError as error:
        raise UserError(f"{scenario}: {error}") from None
    finally:
        progress.close()
        close_figures(items)
    if not quiet:
        for line in lines:
            click.echo(line)
        click.echo(f"Wrote {len(paths)} files to {out_dir / loaded.name}/")


@main.command()
@scenario_argument
@click.option("--x", "x_text", required=True, metavar="KEY=VALUES",
              help="The swept key and its values: KEY=v1,v2,... or KEY=lo:hi:n or KEY=lo:hi:n:log.")
@click.option("--y", "y_text", metavar="KEY=VALUES", help="A second swept key (a heatmap over the grid).")
@click.option("--samples", "-n", type=click.IntRange(min=100), default=20_000, show_default=True,
              help="Samples at every grid point (the same seed everywhere: common random numbers).")
@click.option("--seed", "-s", type=click.IntRange(min=0), help="Seed [default: the scenario's, else 2026].")
@click.option("--sampler", type=click.Choice(("mc", "lhs")), help="Sampling scheme [default: the scenario's; sobol sweeps as lhs].")
@click.option("--challenger", metavar="NAME", help="Draw this challenger only [default: every challenger].")
@click.option("--horizon", type=click.IntRange(min=1), help="Months of the horizon drawn [default: the longest].")
@click.option("--out", "-o", "out_dir", type=click.Path(path_type=Path), default=Path("reports"),
              show_default=True, help="sweep.{png,csv} are added to OUT/<scenario name>/.")
@click.option("--quiet", "-q", is_flag=True, help="Print nothing but errors.")
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
    from ftrag_mc.analysis.sweep import compute_sweep, compute_sweep_crossings, parse_sweep_values
    from ftrag_mc.analysis.voi import describe_input
    from ftrag_mc.overrides import with_baseline
    from ftrag_mc.report.pack import close_figures
    from ftrag_mc.report.sweep_plots import plot_sweep_1d, plot_sweep_2d, sweep_run_info
    from ftrag_mc.report.writers import ReportError, write_report
    from ftrag_mc.simulate import tune_allocator

    loaded = _load(scenario, overrides, baseline)
    what_ifs = with_baseline(overrides, baseline)
    items: dict = {}
    try:
        x = parse_sweep_values(x_text, option="--x")
        y = parse_sweep_values(y_text, option="--y") if y_text else None
        if challenger is None:  # sweeping a strategy's own input: draw that strategy
            named = {a[0].split(".")[1] for a in (x, y) if a and a[0].startswith("strategies.") and a[0].count(".") >= 2}
            if len(named) == 1 and next(iter(named)) in loaded.challengers:
                challenger = next(iter(named))
        points = len(x[1]) * (len(y[1]) if y else 1)
        tune_allocator()
        progress = _Progress(samples * points, not quiet and sys.stderr.isatty())
        try:
            frame = compute_sweep(scenario, x, y, samples=samples, seed=seed, sampler=sampler, challenger=challenger,
                                  overrides=what_ifs, progress=progress.samples)
            for prefix, axis in (("x", x), ("y", y)):
                if axis is not None:
                    frame[f"{prefix}_label"] = describe_input(loaded, axis[0])
            crossings = compute_sweep_crossings(frame, horizon=horizon)
            info = sweep_run_info(loaded, frame)
            plot = plot_sweep_2d if y else plot_sweep_1d
            items = {"sweep.csv": frame, "sweep_crossings.csv": crossings,
                     "sweep.png": plot(frame, info, horizon=horizon, crossings=crossings)[0]}
            items["sweep.json"] = {"scenario": loaded.name, "scenario_sha256": loaded.source_hash,
                                   "x": x_text, "y": y_text, "points": points, **dict(frame.attrs),
                                   "command": _command_line(click.get_current_context(), scenario)}
            progress.stage("Writing files")
            paths = write_report(out_dir / loaded.name, items, merge=True)
        finally:
            progress.close()
    except ScenarioError as error:
        raise UserError(str(error)) from None
    except ValueError as error:
        raise UserError(f"{scenario}: {error}") from None
    except (ReportError, OSError) as error:
        raise UserError(str(error)) from None
    finally:
        close_figures(items)
    if not quiet:
        for row in crossings.itertuples():
            where = "no 50 % crossing in the grid" if row.x_at_50pct != row.x_at_50pct else \
                f"P(win) crosses 50 % at {row.x_key} = {row.x_at_50pct:,.4g} ({row.interpolation})"
            at = f" at {row.y_key} = {row.y_value}" if y else ""
            click.echo(f"{row.label}{at}: {where}")
        click.echo(f"Wrote {len(paths)} files to {out_dir / loaded.name}/")


@main.command()
@click.argument("scenarios", nargs=-1, required=True, type=click.Path(path_type=str))
@click.option("--variant", "variants", metavar="KEY=VALUE[;KEY=VALUE...]", multiple=True,
              help="With one scenario: a what-if variant (--set overrides separated by ';'); repeatable.")
@click.option("--samples", "-n", type=click.IntRange(min=100), help="Samples per scenario [default: the first scenario's].")
@click.option("--seed", "-s", type=click.IntRange(min=0), help="Seed, the same for every scenario [default: the first's].")
@click.option("--sampler", type=click.Choice(("mc", "lhs")), help="Sampling scheme [default: the first scenario's; sobol compares as lhs].")
@click.option("--horizon", type=click.IntRange(min=1), help="Months [default: each scenario's longest].")
@click.option("--out", "-o", "out_dir", type=click.Path(path_type=Path), default=Path("reports"),
              show_default=True, help="Writes OUT/compare/: compare.png, compare.csv, compare_headline.csv.")
@click.option("--quiet", "-q", is_flag=True, help="Print nothing but errors.")
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
    from ftrag_mc.analysis.compare import compute_compare, variant_name
    from ftrag_mc.overrides import with_baseline

    what_ifs = with_baseline(overrides, baseline)
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
    from ftrag_mc.simulate import tune_allocator

    tune_allocator()
    total = (samples or pairs[0][1].simulation.samples) * len(pairs)
    progress = _Progress(total, not quiet and total >= PROGRESS_FROM_SAMPLES and sys.stderr.isatty())
    try:
        curves, headline = compute_compare(pairs, samples=samples, seed=seed, sampler=sampler, horizon=horizon,
                                           progress=progress.samples)
    except ValueError as error:
        progress.close()
        raise UserError(str(error)) from None
    from ftrag_mc.report.compare_plots import plot_compare
    from ftrag_mc.report.writers import write_report

    notes = list(headline.attrs.get("notes", []))
    with _report_files(progress) as items:
        items.update({"compare.csv": curves, "compare_headline.csv": headline,
                      "compare.png": plot_compare(curves, headline, footnote="; ".join(notes))[0],
                      "run.json": {"command": _command_line(click.get_current_context(), " ".join(scenarios)),
                                   "variants": names, **{k: v for k, v in headline.attrs.items()}}})
        progress.stage("Writing files")
        paths = write_report(out_dir / "compare", items)
    if not quiet:
        for row in headline.itertuples():
            click.echo(f"{row.variant}: {row.label} vs {row.baseline_label}: P(cheaper) = {100 * row.p_win:.1f} % "
                       f"(95 % CI {100 * row.p_win_low:.1f}-{100 * row.p_win_high:.1f} %) at "
                       f"{row.queries_per_month:,.0f} queries/month over {row.horizon_months} months")
        for note in notes:
            click.echo(f"note: {note}")
        click.echo(f"Wrote {len(paths)} files to {out_dir / 'compare'}/")


@main.command()
@scenario_argument
@what_if_options
def validate(scenario: str, overrides: tuple[str, ...], baseline: str | None) -> None:
    """Check SCENARIO without simulating; exit status 2 with a one-line error if it is invalid.

    Example:

        ftrag-mc validate scenarios/legal-docs.toml
    """
    loaded = _load(scenario, overrides, baseline)
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
