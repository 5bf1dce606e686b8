"""The board pack: a one-sentence headline, a multi-page PDF, a Markdown summary and a data dictionary.

Everything here is built from what a run already has (the result, the report items of
:func:`ftrag_mc.report.pack.build_report`, its run record); nothing is written here except by
:func:`write_pdf`, which the writers may call instead of taking the bytes of :func:`build_pdf`.
"""

from __future__ import annotations

import io
import math
import re
import textwrap
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Mapping

import matplotlib as mpl
import pandas as pd
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure

from ftrag_mc._version import __version__
from ftrag_mc.analysis.charts_extra import main_challenger
from ftrag_mc.model.components import component_values_text
from ftrag_mc.report.numbers import format_interval, format_money_pm, format_months, format_percent, format_usd, format_volume
from ftrag_mc.report.style import escape, font_family, fonts_for, quiet_glyph_warnings, wrap
from ftrag_mc.simulate import SimulationResult

#: Rows of the assumptions table on one PDF page.
ASSUMPTION_ROWS_PER_PAGE = 25
#: The files this module adds to a report folder.
DOCUMENT_FILES = ("report.pdf", "summary.md", "columns.csv")

_PORTRAIT = (8.27, 11.69)  # A4, inches
_LANDSCAPE = (11.69, 8.27)

# ---------------------------------------------------------------------------------------------
# Data dictionary
# ---------------------------------------------------------------------------------------------

_SHARED: dict[str, tuple[str, str]] = {
    "strategy": ("the challenger's name in the scenario file (cheapest_vs_volume.csv: any strategy, "
                 "baseline included)", "name"),
    "label": ("the strategy's human label", "text"),
    "horizon_months": ("analysis horizon: costs are summed (discounted) over months 1..H", "months"),
    "queries_per_month": ("starting volume (before growth)", "queries/month"),
    "samples": ("Monte Carlo samples (futures) drawn", "count"),
    "p_win": ("P(challenger's net present cost < baseline's): share of futures in which it is strictly "
              "cheaper", "probability 0-1"),
    "p_win_low": ("lower end of the 95 % Wilson interval of p_win (conservative under lhs/sobol)",
                  "probability 0-1"),
    "p_win_high": ("upper end of the 95 % Wilson interval of p_win", "probability 0-1"),
    "wins": ("futures in which the challenger is cheaper (p_win = wins / samples)", "count"),
    "futures": ("futures whose value falls in this bin", "count"),
    "share": ("futures in this bin as a share of all futures (not only those in the chart)",
              "probability 0-1"),
    "share_at_median": ("share of all futures at or below the reported p50 (0.5 unless a sentinel "
                        "holds the median)", "probability 0-1"),
}

_PERCENTILES = {"p5": 5, "p10": 10, "p25": 25, "p50": 50, "p75": 75, "p90": 90, "p95": 95}


def _percentile_columns(what: str, unit: str, sentinels: str) -> dict[str, tuple[str, str]]:
    return {name: (f"{q}th percentile of {what} over all futures; {sentinels}", unit)
            for name, q in _PERCENTILES.items()}


_BREAKEVEN_SENTINELS = ("0 = already wins at the bottom of the sweep (breakeven below sweep_min), "
                        "inf = does not win even at the top (above sweep_max)")
_PAYBACK_SENTINELS = "0 = cheaper from day one, inf = does not pay back within the horizon"
_DELTA = "ΔNPC = challenger's net present cost minus the baseline's; negative = saving"

#: Every column of every CSV of the standard report: file -> column -> (meaning, unit).
COLUMNS: dict[str, dict[str, tuple[str, str]]] = {
    "summary.csv": {
        **{k: _SHARED[k] for k in ("strategy", "label", "horizon_months", "p_win", "p_win_low",
                                   "p_win_high", "samples")},
        "queries_per_month": ("the scenario's starting volume, at which this row is computed", "queries/month"),
        "mean_delta_usd": (f"mean {_DELTA}", "USD (scenario currency), discounted"),
        "mean_delta_se_usd": ("Monte Carlo standard error of mean_delta_usd", "USD"),
        "p5_delta_usd": (f"5th percentile of ΔNPC ({_DELTA}): the best 5 % of futures save at least "
                         "this much", "USD"),
        "p50_delta_usd": (f"median ΔNPC ({_DELTA})", "USD"),
        "p95_delta_usd": ("95th percentile of ΔNPC: the worst 5 % of futures cost at least this much "
                          "more (negative = even they save)", "USD"),
        "p_loss": ("P(ΔNPC > 0): share of futures in which the challenger costs more", "probability 0-1"),
        "cvar95_delta_usd": ("CVaR95: mean ΔNPC over the worst 5 % of futures (the expected extra cost "
                             "in a bad case; negative = even those save)", "USD"),
        "mean_npc_usd": ("mean net present cost of the challenger", "USD, discounted"),
        "mean_baseline_npc_usd": ("mean net present cost of the baseline", "USD, discounted"),
        "delta_percentile_rel_error": ("bound on the relative error of the ΔNPC percentiles and CVaR "
                                       "(read from a fine histogram; exact for constant inputs)", "fraction"),
        "baseline": ("the strategy every challenger is compared with", "name"),
        "volume_at_50pct": ("starting volume where p_win first reaches 50 % in the sweep (as in "
                            "pwin_crossings.csv); empty (NaN) = no upward crossing inside the sweep",
                            "queries/month"),
        "breakeven_p10": (f"10th percentile of the per-future breakeven volume; {_BREAKEVEN_SENTINELS}",
                          "queries/month"),
        "breakeven_p50": (f"median breakeven volume; {_BREAKEVEN_SENTINELS}", "queries/month"),
        "breakeven_p90": (f"90th percentile of the breakeven volume; {_BREAKEVEN_SENTINELS}",
                          "queries/month"),
        "breakeven_share_above_range": ("share of futures in which the challenger does not win even at "
                                        "the top of the sweep (breakeven = inf)", "probability 0-1"),
        "payback_p50_months": (f"median payback month at the scenario's volume; {_PAYBACK_SENTINELS} "
                               "(this row's horizon)", "months"),
        "payback_share_never": ("share of futures that do not pay back within this row's horizon",
                                "probability 0-1"),
    },
    "pwin_vs_volume.csv": {
        **{k: _SHARED[k] for k in ("strategy", "label", "horizon_months", "queries_per_month", "p_win",
                                   "p_win_low", "p_win_high", "wins", "samples")},
    },
    "pwin_crossings.csv": {
        **{k: _SHARED[k] for k in ("strategy", "label", "horizon_months")},
        "volume_at_50pct": ("starting volume where the P(win) curve first reaches 50 % (see method); "
                            "empty (NaN) = no upward crossing inside the sweep", "queries/month"),
        "method": ("how volume_at_50pct was found: the median of the per-sample breakeven volumes (exact "
                   "within its bound, when P(win) never falls with volume) or interpolated in log volume "
                   "between grid points; empty when there is no crossing", "text"),
        "p_win_at_min": ("p_win at the bottom of the sweep", "probability 0-1"),
        "p_win_at_max": ("p_win at the top of the sweep", "probability 0-1"),
    },
    "pwin_vs_month.csv": {
        **{k: _SHARED[k] for k in ("strategy", "label", "wins", "samples")},
        "month": ("months since the start; 0 = after the one-time costs only", "month"),
        "p_win": ("P(challenger's cumulative discounted cost is below the baseline's by the end of this "
                  "month), at the scenario's volume", "probability 0-1"),
        "p_win_low": _SHARED["p_win_low"],
        "p_win_high": _SHARED["p_win_high"],
    },
    "breakeven.csv": {
        **{k: _SHARED[k] for k in ("strategy", "label", "horizon_months", "share_at_median", "samples")},
        **_percentile_columns("the breakeven volume (the starting volume above which the challenger "
                              "is cheaper)", "queries/month", _BREAKEVEN_SENTINELS),
        "share_below_range": ("share of futures that already win at sweep_min (breakeven = 0)",
                              "probability 0-1"),
        "share_in_range": ("share of futures whose breakeven lies inside the sweep", "probability 0-1"),
        "share_above_range": ("share of futures that do not win even at sweep_max (breakeven = inf)",
                              "probability 0-1"),
        "sweep_min": ("bottom of the volume sweep", "queries/month"),
        "sweep_max": ("top of the volume sweep", "queries/month"),
        "percentile_rel_error": ("bound on the relative error of the percentiles (fine histogram; exact "
                                 "for constant inputs)", "fraction"),
    },
    "breakeven_histogram.csv": {
        **{k: _SHARED[k] for k in ("strategy", "label", "horizon_months", "futures", "share")},
        "bin_low": ("lower edge of the breakeven-volume bin (8 bins per decade)", "queries/month"),
        "bin_high": ("upper edge of the bin", "queries/month"),
    },
    "payback.csv": {
        **{k: _SHARED[k] for k in ("strategy", "label", "share_at_median", "samples")},
        "queries_per_month": ("the scenario's starting volume, at which payback is computed", "queries/month"),
        **_percentile_columns("the payback month (the fractional month the cumulative saving turns "
                              "positive)", "months", _PAYBACK_SENTINELS),
        "share_immediate": ("share of futures cheaper from day one (payback = 0)", "probability 0-1"),
        "share_never": ("share of futures that do not pay back within the horizon (payback = inf)",
                        "probability 0-1"),
        "horizon_months": ("the run's horizon, within which payback is sought", "months"),
        "percentile_abs_error_months": ("bound on the absolute error of the percentiles (exact for "
                                        "constant inputs)", "months"),
    },
    "payback_histogram.csv": {
        **{k: _SHARED[k] for k in ("strategy", "label", "futures", "share")},
        "bin_low": ("lower edge of the one-month payback bin (payback 0 and never are not in the bars)",
                    "months"),
        "bin_high": ("upper edge of the bin", "months"),
    },
    "delta_distribution.csv": {
        **{k: _SHARED[k] for k in ("strategy", "label", "horizon_months", "queries_per_month", "samples")},
        "bin_low_usd": ("lower edge of the ΔNPC bin (ΔNPC = challenger's NPC minus the baseline's; "
                        "negative = saving)", "USD"),
        "bin_high_usd": ("upper edge of the ΔNPC bin", "USD"),
        "share": ("share of ALL futures in this bin (the central P1-P99 range is binned, so a "
                  "challenger's bars add up to about 0.98)", "share 0-1"),
    },
    "fan.csv": {
        **{k: _SHARED[k] for k in ("strategy", "label", "queries_per_month", "samples")},
        "month": ("month t (0 = the one-time costs alone)", "months"),
        "p5_usd": ("5th percentile of the discounted cumulative cost through month t", "USD"),
        "p10_usd": ("10th percentile of the discounted cumulative cost through month t", "USD"),
        "p50_usd": ("median discounted cumulative cost through month t", "USD"),
        "p90_usd": ("90th percentile of the discounted cumulative cost through month t", "USD"),
        "p95_usd": ("95th percentile of the discounted cumulative cost through month t", "USD"),
        "seed": ("seed of the separate run the fan is read from", "integer"),
        "source": ("where the percentiles come from: a separate run that keeps every sample's path", "text"),
    },
    "breakdown.csv": {
        **{k: _SHARED[k] for k in ("strategy", "label", "horizon_months", "queries_per_month", "samples")},
        "component": (f"cost component: {component_values_text()}", "name"),
        "component_label": ("the component in words", "text"),
        "median_inputs_usd": ("the component's net present cost with every input at its median", "USD"),
        "mean_usd": ("the component's mean net present cost over the sampled futures", "USD"),
        "share_of_mean": ("mean_usd as a share of the strategy's mean total", "share 0-1"),
        "total_median_inputs_usd": ("the strategy's net present cost at the medians", "USD"),
        "total_mean_usd": ("the strategy's mean net present cost", "USD"),
        "seed": ("seed of the separate run the means are read from", "integer"),
        "source": ("where the numbers come from: evaluate() at the medians and over a separate run's inputs",
                   "text"),
    },
    "cheapest_vs_volume.csv": {
        **{k: _SHARED[k] for k in ("strategy", "label", "horizon_months", "queries_per_month", "samples")},
        "p_cheapest": ("P(this strategy, baseline included, has the lowest net present cost of all)",
                       "probability 0-1"),
        "p_cheapest_low": ("lower end of the 95 % Wilson interval of p_cheapest", "probability 0-1"),
        "p_cheapest_high": ("upper end of the 95 % Wilson interval of p_cheapest", "probability 0-1"),
    },
    "cheapest_regimes.csv": {
        **{k: _SHARED[k] for k in ("horizon_months",)},
        "regime": ("the volume range's rank, lowest volumes first (1, 2, ...)", "integer"),
        "strategy": ("the strategy most likely to be the cheapest of all in this range (highest "
                     "p_cheapest of cheapest_vs_volume.csv; a one-point blip between two runs of the same "
                     "leader is Monte Carlo noise and is merged into them)", "name"),
        "label": ("the strategy's label", "text"),
        "from_queries_per_month": ("where the range starts: the bottom of the sweep for regime 1, else the "
                                   "boundary with the previous leader (see boundary_method)", "queries/month"),
        "to_queries_per_month": ("where the range ends: the next regime's start, or the top of the sweep",
                                 "queries/month"),
        "boundary_method": ("how from_queries_per_month was found: sweep_start = the bottom of the sweep, not "
                            "a boundary; interpolated = an approximation, where the two leaders' p_cheapest "
                            "curves cross, linear in log volume between the two grid volumes given next",
                            "text"),
        "boundary_grid_low_queries_per_month": ("the grid volume just below the boundary (the previous "
                                                "leader's last); empty for regime 1", "queries/month"),
        "boundary_grid_high_queries_per_month": ("the grid volume just above the boundary (this leader's "
                                                 "first); empty for regime 1", "queries/month"),
        "p_cheapest_peak": ("the leader's highest p_cheapest inside its range", "probability 0-1"),
    },
    "top_inputs.csv": {
        "rank": ("1 = the input that matters most (the headline names it), then 2, 3", "integer"),
        "strategy": ("the main question's challenger (as the headline and the first P(win) chart)", "name"),
        "strategy_label": ("its label", "text"),
        "baseline": ("the baseline's name in the scenario file", "name"),
        "baseline_label": ("its label", "text"),
        **{k: _SHARED[k] for k in ("horizon_months", "queries_per_month")},
        "input": ("the uncertain input's key (inputs.x, or the strategy key path)", "name"),
        "label": ("its label in plain words", "text"),
        "delta_low_usd": (f"{_DELTA}, with this input at its P10 and every other input at its median",
                          "currency"),
        "delta_high_usd": ("the same with this input at its P90", "currency"),
        "base_delta_usd": ("ΔNPC with every input at its median", "currency"),
        "swing_usd": ("|delta_high_usd − delta_low_usd|: how far this input alone moves ΔNPC (deterministic, "
                      "no Monte Carlo error)", "currency"),
    },
    "columns.csv": {
        "file": ("the CSV file of the report", "file name"),
        "column": ("the column of that file", "name"),
        "meaning": ("what the column holds, its sign and sentinel values", "text"),
        "unit": ("its unit", "text"),
    },
}


def columns_frame(files: Any = None) -> pd.DataFrame:
    """The data dictionary as a table (for ``columns.csv``).

    Parameters
    ----------
    files
        Restrict to these file names (e.g. the CSVs of one report); default: every file.

    Returns
    -------
    DataFrame with columns file, column, meaning, unit.
    """
    wanted = None if files is None else set(files)
    rows = [{"file": f, "column": c, "meaning": meaning, "unit": unit}
            for f, cols in COLUMNS.items() if wanted is None or f in wanted
            for c, (meaning, unit) in cols.items()]
    return pd.DataFrame(rows, columns=["file", "column", "meaning", "unit"])


# ---------------------------------------------------------------------------------------------
# Sentences and small formats
# ---------------------------------------------------------------------------------------------

def _p_with_ci(p: float, low: float, high: float) -> str:
    return f"{format_percent(p)} of futures (95 % CI {format_interval(low, high)})"


def _longest_rows(result: SimulationResult, summary: pd.DataFrame) -> pd.DataFrame:
    return summary[summary.horizon_months == max(result.horizons)]


def _strongest(result: SimulationResult, summary: pd.DataFrame) -> Any:
    """The row, at the longest horizon, of the main question's challenger (the hero chart's:
    :func:`ftrag_mc.analysis.charts_extra.main_challenger`)."""
    rows = _longest_rows(result, summary)
    return rows[rows.strategy == main_challenger(rows)].iloc[0]


def _flip_clause(result: SimulationResult, row: Any, *, wins: bool) -> str:
    sweep = f"{format_volume(result.volumes[0])}–{format_volume(result.volumes[-1])} queries/month"
    if math.isfinite(row.volume_at_50pct):
        subject = "it wins" if wins else "it would win"
        return f"{subject} in most futures above {format_volume(row.volume_at_50pct)} queries/month"
    ci = result.challengers.index(row.strategy)
    hi = result.horizons.index(int(row.horizon_months))
    at_bottom = result.win_counts[ci, 0, hi] / result.n_samples
    at_top = result.win_counts[ci, -1, hi] / result.n_samples
    if at_bottom >= 0.5 and at_top >= 0.5:
        return f"it wins in most futures across the whole sweep ({sweep})"
    if at_bottom < 0.5 and at_top < 0.5:
        return f"it does not win in most futures anywhere in the sweep ({sweep})"
    return f"it wins in most futures at the bottom of the sweep but not at its top ({sweep})"


def _money_clause(row: Any, currency: str) -> str:
    """"expected saving $223k (P5–P95 $61k to $410k)"; an extra cost with its own P5–P95."""
    if row.mean_delta_usd <= 0:
        what, mean, low, high = "expected saving", -row.mean_delta_usd, -row.p95_delta_usd, -row.p5_delta_usd
    else:
        what, mean, low, high = "expected extra cost", row.mean_delta_usd, row.p5_delta_usd, row.p95_delta_usd
    return (f"{what} {format_usd(mean, currency)} "
            f"(P5–P95 {format_usd(low, currency)} to {format_usd(high, currency)})")


def headline(result: SimulationResult, summary: pd.DataFrame, top_inputs: pd.DataFrame | None = None) -> str:
    """The recommendation in one sentence, for the main question at the longest horizon.

    The main question's challenger is the decision best on average (the most negative
    ``mean_delta_usd``), or, when that is the baseline, the strongest challenger (highest
    P(win)): :func:`ftrag_mc.analysis.charts_extra.main_challenger`, as the hero chart. The sentence gives P(cheaper) with its 95 % interval, the expected saving
    with its P5–P95 range, and the volume above which the challenger wins in most futures. An
    interval that straddles 50 % is called a coin flip; when no challenger saves on average and
    the strongest loses in most futures, the baseline stays cheapest.

    Parameters
    ----------
    result
        The run (its horizons, sweep volumes and win counts).
    summary
        :func:`ftrag_mc.analysis.compute_summary` of the run.
    top_inputs
        :func:`ftrag_mc.analysis.sensitivity.compute_top_inputs` for the main question (the
        report's ``top_inputs.csv``): its first row is named as the input that matters most.
    """
    sentence = _headline_sentence(result, summary)
    if top_inputs is None or top_inputs.empty:
        return sentence
    first = top_inputs.iloc[0]
    return (f"{sentence} What matters most: {first['label']} (its P10–P90 swing moves ΔNPC by "
            f"{format_usd(first['swing_usd'], result.scenario.meta.currency)}).")


def _headline_sentence(result: SimulationResult, summary: pd.DataFrame) -> str:
    scenario = result.scenario
    currency = scenario.meta.currency
    row = _strongest(result, summary)
    label, base = row.label, scenario.label(result.baseline)
    horizon = int(row.horizon_months)
    money = _money_clause(row, currency)
    if row.p_win_low <= 0.5 <= row.p_win_high:
        return (f"{label} versus {base} over {horizon} months is a coin flip: {label} is cheaper in "
                f"{_p_with_ci(row.p_win, row.p_win_low, row.p_win_high)}; {money}; "
                f"{_flip_clause(result, row, wins=True)}.")
    if row.p_win_low > 0.5:
        return (f"{label} is cheaper than {base} over {horizon} months in "
                f"{_p_with_ci(row.p_win, row.p_win_low, row.p_win_high)}: {money}; "
                f"{_flip_clause(result, row, wins=True)}.")
    if row.mean_delta_usd >= 0:
        return (f"{base} stays cheapest over {horizon} months: even the strongest challenger, {label}, "
                f"costs as much or more in {_p_with_ci(1 - row.p_win, 1 - row.p_win_high, 1 - row.p_win_low)}; "
                f"{money}; {_flip_clause(result, row, wins=False)}.")
    return (f"{label} is cheaper than {base} over {horizon} months in only "
            f"{_p_with_ci(row.p_win, row.p_win_low, row.p_win_high)}, although a minority of large "
            f"savings gives an {money}; {_flip_clause(result, row, wins=False)}.")


def _breakeven_text(volume: float) -> str:
    if volume == 0:
        return "below the sweep"
    if math.isinf(volume):
        return "above the sweep"
    return f"{format_volume(volume)}/month"


def _payback_text(months: float, horizon: int) -> str:
    if months == 0:
        return "day one"
    if not math.isfinite(months):
        return f"> {horizon} months"  # not within the horizon (a cell: short)
    return format_months(months)


MAIN_MARK_NOTE = ("▶ the main question: the challenger best on average, or the strongest when the baseline "
                  "is (the headline's and the first P(win) chart's)")


def key_figures(result: SimulationResult, summary: pd.DataFrame) -> pd.DataFrame:
    """Per challenger at the longest horizon: P(cheaper) with CI, mean saving ± se, breakeven and
    payback medians, as display text (one row per challenger; the main question's first, marked
    "▶")."""
    currency = result.scenario.meta.currency
    longest = _longest_rows(result, summary)
    main = main_challenger(longest)
    longest = pd.concat([longest[longest.strategy == main], longest[longest.strategy != main]])
    rows = []
    for row in longest.itertuples():
        rows.append({
            # A prefix, not a suffix: a long label is cut at the cell's right edge.
            "Challenger": ("▶ " if row.strategy == main and len(longest) > 1 else "") + row.label,
            "P(cheaper) (95 % CI)": f"{format_percent(row.p_win)} ({format_interval(row.p_win_low, row.p_win_high)})",
            "Mean saving ± se": format_money_pm(-row.mean_delta_usd, row.mean_delta_se_usd, currency),
            "Breakeven P50": _breakeven_text(row.breakeven_p50),
            "Payback P50": _payback_text(row.payback_p50_months, int(row.horizon_months)),
        })
    return pd.DataFrame(rows)


# ---------------------------------------------------------------------------------------------
# Assumptions and their sources
# ---------------------------------------------------------------------------------------------

_TABLE_HEADER = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
_KEY_LINE = re.compile(r"^\s*([A-Za-z0-9_.\"' -]+?)\s*=")
_INLINE_KEY = re.compile(r"([A-Za-z0-9_]+)\s*=")


def _trailing_comment(line: str) -> str | None:
    """The ``# comment`` ending a TOML line, outside strings (best effort)."""
    quote = None
    for i, ch in enumerate(line):
        if quote:
            if ch == quote:
                quote = None
        elif ch in "\"'":
            quote = ch
        elif ch == "#":
            return line[i + 1:].strip() or None
    return None


def parse_input_sources(text: str) -> dict[str, str]:
    """Dotted key -> comment, for every key of a TOML text whose line ends in a ``# comment``.

    Keys are full paths (``strategies.ft.training.run_usd``); the keys of an inline table on a
    commented line (``llm = { a = 1, b = 2 }  # note``) all take that comment, and a plain key
    whose own line has none takes the comment lines directly above it.
    """
    sources: dict[str, str] = {}
    table = ""
    above: list[str] = []
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("#"):
            above.append(stripped.lstrip("#").strip())
            continue
        header = _TABLE_HEADER.match(line)
        if header:
            table, above = header.group(1).replace(" ", "").replace('"', ""), []
            continue
        key = _KEY_LINE.match(line)
        if not key:
            above = []
            continue
        rest = line[key.end():]
        # An inline table of keys (not a distribution such as { dist = "pert", ... }).
        inline = rest.lstrip().startswith("{") and not re.search(r"\bdist\s*=", rest)
        trailing = _trailing_comment(line)
        # A comment block above an inline table usually speaks of one of its keys: not used for them.
        comment = trailing or (" ".join(above) if above and not inline else None)
        above = []
        if not comment:
            continue
        name = key.group(1).strip().replace('"', "").replace("'", "").replace(" ", "")
        path = f"{table}.{name}" if table else name
        sources.setdefault(path, comment)
        if inline and trailing:
            for inner in _INLINE_KEY.findall(rest.split("#", 1)[0]):
                sources.setdefault(f"{path}.{inner}", trailing)
    return sources


def assumptions_frame(result: SimulationResult) -> pd.DataFrame:
    """Every input of the scenario (constants too): input, distribution, source.

    The source is the comment on the input's line of the scenario file (best effort; empty when
    the file cannot be read or the value is a default).
    """
    scenario = result.scenario
    sources: dict[str, str] = {}
    if scenario.file:
        try:
            sources = parse_input_sources(Path(scenario.file).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError):
            sources = {}
    rows = [{"input": name, "distribution": dist.describe(), "source": sources.get(name, "")}
            for name, dist in scenario.inputs.items()]
    return pd.DataFrame(rows, columns=["input", "distribution", "source"])


# ---------------------------------------------------------------------------------------------
# The PDF
# ---------------------------------------------------------------------------------------------

def _text(fig: Figure, x: float, y: float, text: str, **kwargs: Any) -> None:
    fig.text(x, y, escape(text), **kwargs)


def _draw_table(fig: Figure, rect: tuple[float, float, float, float], frame: pd.DataFrame,
                col_widths: list[float], *, font_pt: float = 8, wrap_chars: list[int] | None = None) -> None:
    ax = fig.add_axes(rect)
    ax.axis("off")
    if frame.empty:
        return
    cells = []
    for values in frame.astype(str).itertuples(index=False):
        row = []
        for i, v in enumerate(values):
            v = textwrap.shorten(v, wrap_chars[i], placeholder="…") if wrap_chars else v
            row.append(escape(v))
        cells.append(row)
    table = ax.table(cellText=cells, colLabels=[escape(c) for c in frame.columns], colWidths=col_widths,
                     cellLoc="left", colLoc="left", loc="upper center")
    table.auto_set_font_size(False)
    table.set_fontsize(font_pt)
    for (r, _), cell in table.get_celld().items():
        cell.set_edgecolor("#cccccc")
        if r == 0:
            cell.set_facecolor("#eeeeee")
            cell.get_text().set_fontweight("bold")


def _title_page(result: SimulationResult, summary: pd.DataFrame, date: str,
                top_inputs: pd.DataFrame | None = None) -> Figure:
    fig = Figure(figsize=_PORTRAIT)
    _text(fig, 0.08, 0.93, wrap(result.scenario.title, 55), fontsize=18, fontweight="bold", va="top")
    _text(fig, 0.08, 0.82, wrap(headline(result, summary, top_inputs), 85), fontsize=11, va="top", linespacing=1.5)
    _text(fig, 0.08, 0.70, f"Key figures at {format_volume(result.scenario_volume)} queries/month over "
          f"{max(result.horizons)} months, against {result.scenario.label(result.baseline)}",
          fontsize=10, fontweight="bold")
    _draw_table(fig, (0.08, 0.40, 0.84, 0.29), key_figures(result, summary),
                [0.32, 0.24, 0.17, 0.15, 0.12], font_pt=7.5, wrap_chars=[34, 26, 18, 16, 12])
    if len(result.challengers) > 1:
        _text(fig, 0.08, 0.38, wrap(MAIN_MARK_NOTE, 110), fontsize=8, color="#666666", va="top")
    _text(fig, 0.08, 0.08, f"{date} · ftrag-mc {__version__} · {result.n_samples:,} samples "
          f"({result.sampler}, seed {result.seed})", fontsize=8, color="#666666")
    return fig


def _assumption_pages(result: SimulationResult) -> list[Figure]:
    frame = assumptions_frame(result)
    n_pages = max(1, math.ceil(len(frame) / ASSUMPTION_ROWS_PER_PAGE))
    pages = []
    for page in range(n_pages):
        chunk = frame.iloc[page * ASSUMPTION_ROWS_PER_PAGE:(page + 1) * ASSUMPTION_ROWS_PER_PAGE]
        fig = Figure(figsize=_LANDSCAPE)
        _text(fig, 0.05, 0.95, f"Assumptions ({page + 1} of {n_pages}): every input, with its distribution "
              "and the scenario file's comment as source", fontsize=12, fontweight="bold", va="top")
        height = 0.03 * (len(chunk) + 1)
        _draw_table(fig, (0.05, 0.9 - height, 0.9, height), chunk, [0.36, 0.22, 0.42],
                    font_pt=7, wrap_chars=[70, 40, 85])
        _text(fig, 0.05, 0.03, f"{result.scenario.file or 'scenario built in code'} · "
              "inputs not in the file take their defaults", fontsize=7, color="#666666")
        pages.append(fig)
    return pages


def _method_page(result: SimulationResult, summary: pd.DataFrame, record: Mapping[str, Any]) -> Figure:
    n = result.n_samples
    p = summary.p_win.to_numpy(dtype=float)
    se_max = float(max((p * (1 - p) / n) ** 0.5)) if len(p) else float("nan")
    bounds = record.get("percentile_error_bounds", {})
    lines = [
        f"Samples: {n:,} ({result.sampler} sampler), seed {result.seed}; "
        f"{len(result.scenario.uncertain_inputs)} uncertain inputs of {len(result.scenario.inputs)}.",
        f"Horizons: {', '.join(str(h) for h in result.horizons)} months; baseline "
        f"{result.scenario.label(result.baseline)}; starting volume "
        f"{format_volume(result.scenario_volume)} queries/month, sweep "
        f"{format_volume(result.volumes[0])}–{format_volume(result.volumes[-1])}.",
        f"Monte Carlo error: the largest standard error of a P(win) at the scenario's volume is "
        f"{100 * se_max:.2f} percentage points; intervals are 95 % Wilson (conservative under lhs/sobol).",
        f"Largest standard error of a mean ΔNPC: "
        f"{format_usd(float(summary.mean_delta_se_usd.max()), result.scenario.meta.currency)}.",
        "Percentile error bounds: breakeven volumes within "
        f"{100 * bounds.get('breakeven_relative', float('nan')):.2f} % (relative), payback within "
        f"{bounds.get('payback_months', float('nan')):.4f} months, ΔNPC percentiles within "
        f"{100 * bounds.get('delta_npc_relative', float('nan')):.2f} % (relative); exact for constant inputs.",
        "ΔNPC is the challenger's net present cost minus the baseline's: negative is a saving. "
        "P(win) is the share of sampled futures in which the challenger is strictly cheaper.",
        f"Engine {result.engine}; scenario SHA-256 {result.scenario.source_hash[:16]}…; ftrag-mc {__version__}.",
    ]
    if record.get("stopped"):
        lines.append(f"Sampling stopped: {record['stopped']}")
    if record.get("note"):
        lines.append(f"Note: {record['note']}")
    overrides = list(getattr(result.scenario, "overrides", ()))
    if overrides:
        lines.append("What-ifs (--set): " + "; ".join(overrides))
    fig = Figure(figsize=_PORTRAIT)
    _text(fig, 0.08, 0.93, "Method", fontsize=16, fontweight="bold", va="top")
    _text(fig, 0.08, 0.87, "\n\n".join(wrap(line, 90) for line in lines), fontsize=9, va="top",
          linespacing=1.4)
    return fig


def _chart_figures(items: Mapping[str, Any]) -> list[tuple[str, Figure]]:
    return [(name, item) for name, item in items.items()
            if isinstance(item, Figure) and name.endswith(".png")]


def _record(result: SimulationResult, items: Mapping[str, Any], record: Mapping[str, Any] | None) -> Mapping[str, Any]:
    if record is not None:
        return record
    if isinstance(items.get("run.json"), Mapping):
        return items["run.json"]
    from ftrag_mc.report.pack import run_record
    return run_record(result)


def _save_pdf(target: Any, items: Mapping[str, Any], result: SimulationResult,
              record: Mapping[str, Any] | None) -> int:
    summary = items["summary.csv"]
    record = _record(result, items, record)
    date = str(record.get("created_utc") or datetime.now(timezone.utc).isoformat(timespec="seconds"))[:10]
    # The pages take the charts' font fallback (CJK labels in the headline and tables).
    from ftrag_mc.report.pack import scenario_texts

    with fonts_for(scenario_texts(result.scenario)), \
            mpl.rc_context({"text.usetex": False, "font.family": font_family()}), quiet_glyph_warnings():
        with PdfPages(target, metadata={"Title": escape(result.scenario.title), "Creator": f"ftrag-mc {__version__}",
                                        "CreationDate": None}) as pdf:
            pdf.savefig(_title_page(result, summary, date, items.get("top_inputs.csv")))
            for name, fig in _chart_figures(items):
                footer = fig.text(0.995, 0.003, name, ha="right", va="bottom", fontsize=6, color="#888888")
                try:
                    pdf.savefig(fig)
                finally:
                    footer.remove()  # the Figure is also written as a PNG
            for page in _assumption_pages(result):
                pdf.savefig(page)
            pdf.savefig(_method_page(result, summary, record))
            return pdf.get_pagecount()


def build_pdf(items: Mapping[str, Any], result: SimulationResult, *,
              record: Mapping[str, Any] | None = None) -> bytes:
    """The board pack as PDF bytes.

    Pages: a title page (title, headline, key figures, date, version); one page per chart
    (each ``*.png`` Figure in ``items``, its own title the takeaway, its file name in the footer);
    the assumptions, 25 inputs a page; the method (samples, seed, Monte Carlo error, error bounds).

    Parameters
    ----------
    items
        The report items of :func:`ftrag_mc.report.pack.build_report` (needs ``summary.csv``).
    result
        The run.
    record
        Its run record (:func:`~ftrag_mc.report.pack.run_record`); default ``items["run.json"]``
        when present, else a fresh record.
    """
    buffer = io.BytesIO()
    _save_pdf(buffer, items, result, record)
    return buffer.getvalue()


def write_pdf(path: str | Path, items: Mapping[str, Any], result: SimulationResult, *,
              record: Mapping[str, Any] | None = None) -> int:
    """Write :func:`build_pdf`'s document to ``path``; returns the number of pages."""
    return _save_pdf(str(path), items, result, record)


def pdf_page_count(items: Mapping[str, Any], result: SimulationResult) -> int:
    """Pages :func:`build_pdf` makes: title, charts, assumptions, method."""
    n_inputs = len(result.scenario.inputs)
    return (1 + len(_chart_figures(items)) + max(1, math.ceil(n_inputs / ASSUMPTION_ROWS_PER_PAGE)) + 1)


# ---------------------------------------------------------------------------------------------
# Markdown
# ---------------------------------------------------------------------------------------------

def _md_cell(value: Any) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")


def _md_table(frame: pd.DataFrame) -> list[str]:
    lines = ["| " + " | ".join(_md_cell(c) for c in frame.columns) + " |",
             "| " + " | ".join("---" for _ in frame.columns) + " |"]
    lines += ["| " + " | ".join(_md_cell(v) for v in row) + " |" for row in frame.itertuples(index=False)]
    return lines


def build_summary_md(result: SimulationResult, summary: pd.DataFrame, items: Mapping[str, Any]) -> str:
    """``summary.md``: the headline, the key figures, the files of the report and a data dictionary
    of its CSV columns."""
    scenario = result.scenario
    files = sorted(set(items) | set(DOCUMENT_FILES) | {"run.json"})
    lines = [f"# {scenario.title}", "", headline(result, summary, items.get("top_inputs.csv")), "",
             f"## Key figures ({format_volume(result.scenario_volume)} queries/month, "
             f"{max(result.horizons)} months, baseline {scenario.label(result.baseline)})", ""]
    lines += _md_table(key_figures(result, summary))
    if len(result.challengers) > 1:
        lines += ["", MAIN_MARK_NOTE]
    lines += ["", f"{result.n_samples:,} samples ({result.sampler}, seed {result.seed}), ftrag-mc "
              f"{__version__}. ΔNPC = challenger's net present cost minus the baseline's; negative is a saving.",
              "", "## Files", ""]
    lines += [f"- `{name}`" for name in files]
    lines += ["", "## Data dictionary", ""]
    for name in files:
        if name not in COLUMNS:
            continue
        lines += [f"### {name}", ""]
        lines += _md_table(pd.DataFrame([(c, m, u) for c, (m, u) in COLUMNS[name].items()],
                                        columns=["column", "meaning", "unit"]))
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"
