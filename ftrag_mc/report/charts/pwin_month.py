"""P(challenger's cumulative cost is below the baseline's) at the end of each month, at your
volume (``pwin_vs_month.png``): when each challenger pays back in half of futures."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from ftrag_mc.report.charts.canvas import (
    BAND_ALPHA, MAX_SERIES, chart_footnote, chart_subtitle, finish, frame_volume, keep_most,
    make_figure, nothing_to_show, require_columns, settle, shrink_to_sentence, strategies_in,
)
from ftrag_mc.report.charts.labels import baseline_label, look_of, strategy_label
from ftrag_mc.report.charts.placement import Clearance, annotate, dot, draw_legend, fifty_line
from ftrag_mc.report.findings import (
    DAY_ONE, MAX_TITLE_SENTENCES, band_note, day_one_words, join_and, more_clause, payback_clauses, rough, verb,
)
from ftrag_mc.report.numbers import format_volume
from ftrag_mc.report.style import RunInfo, house_style, month_ticks, set_probability_axis

__all__ = ["plot_pwin_vs_month", "pwin_vs_month_finding"]

_MONTH_COLUMNS = ("strategy", "label", "month", "p_win", "p_win_low", "p_win_high")


@dataclass(frozen=True)
class _Months:
    """The frame as drawn: the challengers shown and their month at 50 %."""

    curve: pd.DataFrame
    challengers: list[str]
    hidden: int
    horizon: int
    volume: float
    last: pd.DataFrame  # the last month's rows, by strategy
    day_one: dict[str, float]  # with the payback marks attached: share from day one, where the median payback is 0

    def rows(self, strategy: str) -> pd.DataFrame:
        return self.curve[self.curve["strategy"] == strategy].sort_values("month")

    def half(self, strategy: str) -> tuple[int | None, float | None]:
        """The first month where P(win) reaches 50 %, and P(win) then; (None, None) if none."""
        c = self.rows(strategy)
        p = c["p_win"].to_numpy(float)
        hit = np.flatnonzero(p >= 0.5)
        return (int(c["month"].to_numpy(int)[hit[0]]), float(p[hit[0]])) if hit.size else (None, None)


def _read(curve: pd.DataFrame, info: RunInfo) -> _Months:
    require_columns(curve, _MONTH_COLUMNS, "curve")
    volume = frame_volume(info, curve)
    challengers = strategies_in(info, curve["strategy"].unique())
    horizon = int(curve["month"].max())
    last = curve[curve["month"] == horizon].set_index("strategy")
    main = [info.main_challenger] if info.main_challenger else []
    shown, hidden = keep_most(
        challengers, lambda s: float(last["p_win"].get(s, -1.0)), MAX_SERIES, always=main)
    return _Months(curve, info.main_first(shown), hidden, horizon, volume, last, _day_one(curve))


def _day_one(curve: pd.DataFrame) -> dict[str, float]:
    """Challenger -> its share of futures cheaper from day one, for those whose median payback is 0
    (the payback marks, :func:`~ftrag_mc.analysis.compute_payback`, attached to the curve): the
    words of the payback chart, not "by month 1"."""
    if not {"p50", "share_immediate"} <= set(curve.columns):
        return {}
    marks = curve.drop_duplicates("strategy").set_index("strategy")
    return {s: float(r["share_immediate"]) for s, r in marks.iterrows() if float(r["p50"]) == 0}


def pwin_vs_month_finding(curve: pd.DataFrame, info: RunInfo) -> str:
    """The chart's title: by which month each challenger has paid back in half of futures, and
    which are a coin flip at the horizon.

    Parameters
    ----------
    curve, info
        As :func:`plot_pwin_vs_month`.
    """
    return _finding(_read(curve, info), info)


def _finding(data: _Months, info: RunInfo) -> str:
    base = baseline_label(info)
    paid = [(strategy_label(info, data.curve, s), data.half(s)[0], data.day_one.get(s)) for s in data.challengers]
    # One challenger whose futures all pay back in the same month (nothing uncertain): "every future".
    whole = len(paid) == 1 and data.half(data.challengers[0])[1] == 1.0
    finding = month_finding(paid[:MAX_TITLE_SENTENCES], base, data.volume, data.horizon, every=whole)
    finding += more_clause(len(paid), "the chart")
    coins = [strategy_label(info, data.curve, s) for s in data.challengers
             if data.last.loc[s, "p_win_low"] <= 0.5 <= data.last.loc[s, "p_win_high"]]
    if coins:
        finding += (f"; after {data.horizon} months {join_and(coins)} against {base} "
                    f"{verb(coins, 'is', 'are')} a coin flip (the 95 % band holds 50 %)")
    return rough(info, finding)


def month_finding(paid: list[tuple[str, int | None, float | None]], base: str, volume: float, horizon: int,
                  *, every: bool = False) -> str:
    """"At 250k queries/month, Fine-tune has paid back in half of futures by month 7" for (label,
    first month at 50 % or None, share cheaper from day one where the median payback is 0 else None)
    of each challenger; a median payback of 0 is said as the payback chart says it. ``every``: one
    challenger ahead in every future from that month on ("in every future")."""
    head = f"At {format_volume(volume)} queries/month, "
    if len(paid) == 1:
        label, month, day_one = paid[0]
        share = "every future" if every else "half of futures"
        if day_one is not None:
            return head + f"{label} is {day_one_words([day_one])}"
        if month is None:
            return head + f"{label} does not pay back in half of futures within {horizon} months"
        if month == 0:
            return head + f"{label} is cheaper than {base} from the start in {share}"
        if month == 1:  # ahead by the end of the first month: nothing to pay back
            return head + f"{label} is cheaper than {base} from the first month in {share}"
        return head + f"{label} has paid back in {share} by month {month}"
    by_month = [f"by month {m} for {lab}" for lab, m, d in paid if m and d is None]
    day_one = [(lab, d) for lab, _m, d in paid if d is not None]
    start = [lab for lab, m, d in paid if m == 0 and d is None]
    never = [lab for lab, m, d in paid if m is None and d is None]
    lead = "half of futures have paid back " + ", ".join(by_month) if by_month else None
    if day_one:
        lead = payback_clauses(lead, [lab for lab, _d in day_one], day_one_words([d for _l, d in day_one]), [], "")
    return head + payback_clauses(lead, start, f"cheaper than {base} from the start in half of futures",
                                  never, f"not pay back in half of futures within {horizon} months")


def _never_ahead(data: _Months, info: RunInfo) -> str:
    """Why the chart has no curve to draw (no challenger ahead in even 1 % of futures in any month,
    95 % bands included), or ""."""
    rows = data.curve[data.curve["strategy"].isin(data.challengers)]
    if float(rows["p_win_high"].max()) >= 0.01:
        return ""
    who = join_and([strategy_label(info, data.curve, s) for s in data.challengers])
    share = "no future" if float(rows["p_win"].max()) == 0 else "fewer than 1 % of futures"
    return (f"In {share} is the running total of {who} below {baseline_label(info)}'s in any of the "
            f"{data.horizon} months: no curve to draw")


def _band_note(data: _Months) -> str:
    """The footnote's words on the bands of the curves drawn."""
    rows = data.curve[data.curve["strategy"].isin(data.challengers)]
    return band_note(rows["p_win_low"], rows["p_win_high"])


def plot_pwin_vs_month(
    curve: pd.DataFrame,
    info: RunInfo,
    *,
    ax: Axes | None = None,
) -> tuple[Figure, Axes]:
    """P(challenger's cumulative cost is below the baseline's) at the end of each month.

    Parameters
    ----------
    curve
        One row per (strategy, month): ``strategy``, ``label``, ``month`` (int, 0..H; month 0
        is after the one-time costs), ``p_win`` (0..1) and its 95 % Wilson band
        ``p_win_low``/``p_win_high``.
    info
        The run; ``queries_per_month`` is the volume the curve was computed at, for the title.
    ax
        Draw onto this axes.

    Returns
    -------
    fig : Figure
    ax : Axes
        All challengers on one axes, each in its colour; the title
        (:func:`pwin_vs_month_finding`) gives the first month where P(win) reaches 50 %.
    """
    data = _read(curve, info)
    base = baseline_label(info)
    nothing = _never_ahead(data, info)
    with house_style():
        fig, axes, created = make_figure(ax)
        if nothing:  # every curve flat at 0 %: a band with the sentence, no empty axes
            shrink_to_sentence(fig, created)
        a = axes[0]
        set_probability_axis(a, f"P(cumulative cost below {base})")
        a.set_xlabel("End of month (months; 0 = after one-time costs)")
        month_ticks(a, data.horizon)
        room = Clearance(a)
        for s in data.challengers:
            c = data.rows(s)
            m, p = c["month"].to_numpy(int), c["p_win"].to_numpy(float)
            look = look_of(info, s)
            a.fill_between(m, c["p_win_low"], c["p_win_high"], color=look.colour, alpha=BAND_ALPHA, lw=0)
            a.plot(m, p, lw=3.0, label=strategy_label(info, curve, s), zorder=3, **look.line_kw(len(m)))
            room.add_line(m, p)
            first, p0 = data.half(s)
            if first is not None:
                dot(a, room, first, p0, look.colour)
        fifty_line(a, room)
        finish(fig, axes, created=created, finding=_finding(data, info),
               subtitles=[chart_subtitle(info, f"running total of cost against {base}, month by month")],
               footnote=chart_footnote(info, "" if nothing else _band_note(data), data.hidden, "pwin_vs_month.csv"))
        settle(fig)
        if nothing:
            nothing_to_show(a, nothing)
            return fig, a
        room.measure()
        draw_legend(a, room)
        for s in data.challengers:
            first, p0 = data.half(s)
            if first is not None:
                annotate(a, room, first, p0, DAY_ONE if s in data.day_one else f"month {first}")
    return fig, a
