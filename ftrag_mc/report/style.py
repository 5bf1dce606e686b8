"""The house style of every ftrag-mc chart: colours, number formats, fonts and the footnote.

Charts are shown in board meetings, so every one of them follows the same rules: one colour per
strategy across all charts (Okabe-Ito, colour-blind safe, the baseline first), money and volumes
written the way people say them ($1.2M, 250k queries/month), fonts of at least 11 pt, no top or
right spines, a light grid, and a grey footnote that says where the numbers came from.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import math
import re
import textwrap
import warnings
import weakref
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

import matplotlib as mpl
import numpy as np
from matplotlib.axes import Axes
from matplotlib.colors import to_hex, to_rgb
from matplotlib.figure import Figure, FigureBase
from matplotlib.layout_engine import ConstrainedLayoutEngine
from matplotlib.ticker import FuncFormatter, LogFormatter, LogLocator, NullFormatter, PercentFormatter

from ftrag_mc.report.findings import cut
from ftrag_mc.report.numbers import (  # noqa: F401 - re-exported: charts import them from here
    currency_symbol, format_interval, format_months, format_percent, format_share, format_usd, format_volume,
)

# Okabe & Ito (2008), "Color Universal Design", in their published order, with two changes for
# lines on white: black is kept for reference lines (the 50 % line, "your volume") rather than a
# strategy, and yellow (#F0E442), which is nearly invisible as a thin line, comes last.
OKABE_ITO: list[str] = [
    "#e69f00",  # orange
    "#56b4e9",  # sky blue
    "#009e73",  # bluish green
    "#0072b2",  # blue
    "#d55e00",  # vermillion
    "#cc79a7",  # reddish purple
    "#f0e442",  # yellow
]
INK = "#222222"  # reference lines and annotations
MUTED = "#6B6B6B"  # footnote, subtitles, secondary text
GRID = "#E3E3E3"

FIGSIZE_IN = (10.0, 6.0)
BASE_FONT_PT = 12.0
SMALL_FONT_PT = 11.0  # the smallest text on any chart
TITLE_FONT_PT = 15.0


def strategy_colours(strategies: Sequence[str], *, baseline: str | None = None) -> dict[str, str]:
    """Give each strategy its colour, the same in every chart of a run.

    Parameters
    ----------
    strategies
        Strategy names in scenario order.
    baseline
        The baseline's name. It takes the first colour and the others follow in scenario order;
        without it, colours follow ``strategies`` as given.

    Returns
    -------
    dict[str, str]
        Name -> hex colour. Beyond seven strategies the palette repeats.
    """
    names = list(dict.fromkeys(strategies))
    if baseline is not None:
        if baseline not in names:
            raise ValueError(f"baseline {baseline!r} is not one of the strategies {names}")
        names.remove(baseline)
        names.insert(0, baseline)
    return {name: OKABE_ITO[i % len(OKABE_ITO)] for i, name in enumerate(names)}


def tint(colour: str, amount: float) -> str:
    """Mix ``colour`` with white; ``amount`` 0 keeps it, 1 gives white."""
    r, g, b = to_rgb(colour)
    return to_hex((r + (1 - r) * amount, g + (1 - g) * amount, b + (1 - b) * amount))


@dataclass(frozen=True)
class RunInfo:
    """What a chart needs to know about the run it shows.

    Parameters
    ----------
    scenario
        Scenario name, e.g. ``support-classifier``.
    title
        Human title of the scenario, e.g. ``Support ticket classifier``.
    strategies
        Every strategy name in scenario order, baseline included.
    labels
        Name -> human label (``ft_hosted`` -> ``Fine-tune (hosted)``). Missing names show as is.
    baseline
        Name of the baseline strategy.
    samples
        Number of Monte Carlo samples (simulated futures).
    seed
        The seed the run was made with.
    sampler
        ``"mc"``, ``"lhs"`` or ``"sobol"``.
    version
        ftrag-mc version that produced the numbers.
    currency
        ISO code of every money amount.
    overrides
        The ``--set KEY=VALUE`` what-ifs applied to the scenario file, shown in the footnote.
    queries_per_month
        The scenario's own starting volume (queries/month), marked "your volume"; None: unmarked.
    sweep_queries_per_month
        ``(lowest, highest)`` volume of the run's sweep (queries/month); None: read from the frames.
    horizon_months
        The run's horizon H (months); None: read from the frames.
    main_challenger
        The challenger drawn first in the charts that compare each challenger with the baseline:
        the recommended strategy, or the runner-up when the baseline is recommended
        (:func:`ftrag_mc.analysis.decision.rank_strategies`); None: scenario order.
    decision_pair
        ``(recommended, runner-up)``: the decision's pair, the main question of the P(win)
        chart's first panel (a frame row whose ``baseline`` is the runner-up); None: no decision.
    interims
        Strategy -> the strategy that serves its queries until it launches (its ``interim``), for
        the breakdown's words ("before launch: Few-shot prompt serves").
    """

    scenario: str
    title: str
    strategies: tuple[str, ...]
    labels: Mapping[str, str]
    baseline: str
    samples: int
    seed: int
    sampler: str
    version: str
    currency: str = "USD"
    overrides: tuple[str, ...] = ()  # --set what-ifs the run was made with
    queries_per_month: float | None = None
    sweep_queries_per_month: tuple[float, float] | None = None
    horizon_months: int | None = None
    main_challenger: str | None = None
    decision_pair: tuple[str, str] | None = None
    interims: Mapping[str, str] = field(default_factory=dict)
    _colours: dict[str, str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "strategies", tuple(self.strategies))
        if self.baseline not in self.strategies:
            raise ValueError(
                f"baseline {self.baseline!r} is not one of the strategies {list(self.strategies)}"
            )
        if self.sampler not in ("mc", "lhs", "sobol"):
            raise ValueError(f"sampler must be 'mc', 'lhs' or 'sobol', not {self.sampler!r}")
        object.__setattr__(
            self, "_colours", strategy_colours(self.strategies, baseline=self.baseline)
        )

    @property
    def colours(self) -> dict[str, str]:
        """Strategy name -> hex colour: the baseline first, challengers in scenario order."""
        return dict(self._colours)

    @property
    def challengers(self) -> tuple[str, ...]:
        """Every strategy but the baseline, in scenario order."""
        return tuple(s for s in self.strategies if s != self.baseline)

    def main_pair(self) -> tuple[str, str] | None:
        """The main question as (strategy, the strategy it is compared with): the decision's pair,
        else the main challenger against the baseline, else None."""
        if self.decision_pair is not None:
            return tuple(self.decision_pair)
        return None if self.main_challenger is None else (self.main_challenger, self.baseline)

    def is_main_question(self, challenger: str) -> bool:
        """Whether ``challenger`` against the baseline is the main question: the decision's pair
        (either way round) when there is one, else the main challenger's."""
        if self.decision_pair is not None:
            return set(self.decision_pair) == {challenger, self.baseline}
        return challenger == self.main_challenger

    def main_first(self, strategies: Sequence[str]) -> list[str]:
        """``strategies`` with the main challenger (if among them) moved to the front."""
        main = [s for s in strategies if s == self.main_challenger]
        return main + [s for s in strategies if s != self.main_challenger]

    def label(self, strategy: str) -> str:
        """Human label of a strategy (its name when the scenario gives none), escaped for drawing
        and cut at :data:`TEXT_MAX_CHARS`."""
        return escape(cut(self.labels.get(strategy, strategy)))

    @property
    def short_title(self) -> str:
        """The scenario's title, cut at :data:`TEXT_MAX_CHARS`."""
        return cut(self.title)

    def colour(self, strategy: str) -> str:
        """Colour of one strategy (a name not in the scenario is an error)."""
        try:
            return self._colours[strategy]
        except KeyError:
            raise ValueError(
                f"strategy {strategy!r} is not in scenario {self.scenario!r} "
                f"(strategies: {list(self.strategies)})"
            ) from None

    def footnote(self, extra: str = "") -> str:
        """One line that says where a chart's numbers came from.

        >>> info.footnote("bands: 95 % Wilson intervals")  # doctest: +SKIP
        'Scenario support-classifier · 20,000 samples (lhs) · seed 2026 · ftrag-mc 0.1.0 · ...'
        """
        parts = [
            f"Scenario {self.scenario}",
            f"{self.samples:,} samples ({self.sampler})",
            f"seed {self.seed}",
            f"ftrag-mc {self.version}",
        ]
        if self.overrides:
            what_ifs = "; ".join(self.overrides)
            parts.append("with --set " + (what_ifs if len(what_ifs) <= 80 else what_ifs[:77] + "..."))
        if extra:
            parts.append(extra)
        return " · ".join(parts)


# --- numbers as people say them -------------------------------------------------------------


def volume_formatter() -> FuncFormatter:
    """Tick labels for a volume axis (1k, 10k, 100k, 1M, 10M)."""
    return FuncFormatter(lambda q, _pos: format_volume(q))


class _VolumeLogFormatter(LogFormatter):
    """Matplotlib's choice of which ticks of a log axis to label (minor ones only on an axis of
    about a decade or less), said as volumes: 30k, 40k, 60k rather than 3 x 10^4."""

    def __call__(self, x: float, pos: int | None = None) -> str:
        return format_volume(x) if super().__call__(x, pos) else ""


def volume_minor_formatter() -> LogFormatter:
    """Minor tick labels for a log volume axis: none on a wide axis, volumes on a short one."""
    return _VolumeLogFormatter(labelOnlyBase=False)


def usd_formatter(currency: str = "USD") -> FuncFormatter:
    """Tick labels for a money axis ($12.3k, $1.2M)."""
    return FuncFormatter(lambda x, _pos: format_usd(x, currency))


def percent_formatter(xmax: float = 1.0, decimals: int = 0) -> PercentFormatter:
    """Tick labels "0 %" ... "100 %" for an axis running 0..``xmax`` (1 for probabilities,
    100 for values already in percent)."""
    return PercentFormatter(xmax=xmax, decimals=decimals, symbol=" %")


def set_volume_axis(ax: Axes, label: str = "Starting volume (queries/month, log scale)") -> None:
    """Make the x axis a log volume axis labelled at each decade."""
    ax.set_xscale("log")
    ax.xaxis.set_major_locator(LogLocator(base=10, numticks=12))
    ax.xaxis.set_major_formatter(volume_formatter())
    ax.xaxis.set_minor_locator(LogLocator(base=10, subs=(2, 3, 5), numticks=12))
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.set_xlabel(label)


def month_ticks(ax: Axes, horizon: int) -> None:
    """An x axis of months 0..``horizon``, ticked every 1, 3 or 6 months."""
    step = 6 if horizon > 18 else (3 if horizon > 6 else 1)
    ax.set_xlim(0, horizon)
    ax.set_xticks(np.arange(0, horizon + 1, step))


def set_probability_axis(ax: Axes, label: str) -> None:
    """Make the y axis a 0-100 % probability axis with ticks every 25 %."""
    ax.set_ylim(-0.02, 1.02)
    ax.set_yticks([0, 0.25, 0.5, 0.75, 1.0])
    ax.yaxis.set_major_formatter(percent_formatter())
    ax.set_ylabel(label)


# --- fonts, spines, grid -------------------------------------------------------------------

# Labels are the user's text and may be Chinese, Japanese or Korean: DejaVu Sans has no glyphs
# for them, so matplotlib (>= 3.6 falls back per glyph along font.family) is given any CJK font
# that is installed. Only installed names are listed, so a machine without one gets no
# "font family not found" warnings (CJK text then draws as boxes: install e.g. Noto Sans CJK).
CJK_FONT_CANDIDATES: tuple[str, ...] = (
    "Noto Sans CJK SC", "Noto Sans CJK JP", "Noto Sans CJK TC", "Noto Sans CJK KR",
    "Noto Sans SC", "Noto Sans JP", "Source Han Sans SC", "Source Han Sans", "Source Han Sans JP",
    "WenQuanYi Zen Hei", "WenQuanYi Micro Hei", "Droid Sans Fallback", "AR PL UMing CN",
    "AR PL UKai CN", "IPAGothic", "IPAexGothic", "TakaoGothic", "VL Gothic", "Hiragino Sans",
    "PingFang SC", "Microsoft YaHei", "SimHei", "Yu Gothic", "MS Gothic", "Malgun Gothic",
    "NanumGothic", "Arial Unicode MS",
)


_REFRESHED = False  # system fonts looked for once per process (see _add_fonts_installed_since_cache)
_WARNED = False  # "no font draws these characters" is said once per process, not per glyph
_HAS_GLYPH: dict[tuple[str, str], bool] = {}


def _add_fonts_installed_since_cache() -> int:
    """Font files on the system that matplotlib's cached font list predates, added to it (in
    this process only: the cache file is not touched); how many were added."""
    from matplotlib import font_manager

    global _REFRESHED
    if _REFRESHED:
        return 0
    _REFRESHED = True
    known = {f.fname for f in font_manager.fontManager.ttflist}
    added = 0
    for path in font_manager.findSystemFonts():
        if path not in known:
            try:
                font_manager.fontManager.addfont(path)
                added += 1
            except (OSError, RuntimeError, ValueError):  # a file FreeType cannot read
                continue
    return added


def installed_cjk_fonts() -> list[str]:
    """The CJK font families of :data:`CJK_FONT_CANDIDATES` that matplotlib can find here.

    When matplotlib knows none, fonts installed after its font cache was built (e.g. by
    ``apt-get install fonts-noto-cjk``) are looked for, once per process.
    """
    from matplotlib import font_manager

    def found() -> list[str]:
        installed = {f.name for f in font_manager.fontManager.ttflist}
        return [name for name in CJK_FONT_CANDIDATES if name in installed]

    names = found()
    if not names and _add_fonts_installed_since_cache():
        names = found()
    return names


def _font_has(family: str, char: str) -> bool:
    key = (family, char)
    if key not in _HAS_GLYPH:
        from matplotlib import font_manager
        from matplotlib.ft2font import FT2Font

        path = font_manager.findfont(font_manager.FontProperties(family=family), fallback_to_default=False)
        _HAS_GLYPH[key] = FT2Font(path).get_char_index(ord(char)) != 0
    return _HAS_GLYPH[key]


def undrawable_characters(texts: Iterable[str]) -> str:
    """The characters of ``texts`` that no font of :func:`font_family` can draw (they would be
    boxes), in order of first appearance; "" when every one can be drawn."""
    families = font_family()
    missing: dict[str, None] = {}
    for text in texts:
        for char in text:
            if ord(char) < 0x250 or char.isspace() or char in missing:  # Latin: DejaVu has it
                continue
            try:
                if not any(_font_has(f, char) for f in families):
                    missing[char] = None
            except (OSError, RuntimeError, ValueError):
                continue
    return "".join(missing)


def warn_undrawable(fig: Figure) -> None:
    """Warn once per process, not once per glyph, when a chart holds text no installed font
    can draw (matplotlib's own per-glyph warnings are silenced where charts are written)."""
    global _WARNED
    if _WARNED:
        return
    from matplotlib.text import Text

    chars = undrawable_characters(t.get_text() for t in fig.findobj(Text))
    if chars:
        _WARNED = True
        warnings.warn(f"no installed font can draw {chars[:12]!r}{'…' if len(chars) > 12 else ''}: those "
                      "characters show as boxes on the charts (install a font that has them, e.g. "
                      "fonts-noto-cjk for Chinese, Japanese or Korean labels)", UserWarning, stacklevel=2)


@contextlib.contextmanager
def quiet_glyph_warnings() -> Iterator[None]:
    """Drawing inside this context does not warn once per missing glyph (see :func:`warn_undrawable`)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r"Glyph \d+ .*missing from")
        yield


# Whether the text drawn needs the CJK fallback fonts: None (unknown: use them), True or False,
# set by fonts_for around a report whose text is known.
_NEEDS_FALLBACK: contextvars.ContextVar[bool | None] = contextvars.ContextVar("ftrag_mc_fallback", default=None)


def font_family() -> list[str]:
    """DejaVu Sans first (the house font), then every installed CJK font as a fallback (unless
    :func:`fonts_for` knows the text needs none)."""
    if _NEEDS_FALLBACK.get() is False:
        return ["DejaVu Sans"]
    return ["DejaVu Sans", *installed_cjk_fonts()]


@contextlib.contextmanager
def fonts_for(texts: Iterable[str]) -> Iterator[None]:
    """Draw inside this context when every text a report can show is in ``texts`` (the scenario's
    words): the CJK fallback fonts are then used only if one of them needs a glyph DejaVu Sans
    lacks. Once used, a CJK font stays loaded (its file is 20 MB): a run with Latin labels only
    should not pay for it."""
    chars = {c for text in texts for c in str(text) if ord(c) >= 0x250 and not c.isspace()}
    try:
        need = any(not _font_has("DejaVu Sans", c) for c in chars)
    except (OSError, RuntimeError, ValueError):
        need = True
    token = _NEEDS_FALLBACK.set(need)
    try:
        yield
    finally:
        _NEEDS_FALLBACK.reset(token)


HOUSE_RC: dict[str, object] = {
    "font.size": BASE_FONT_PT,
    "axes.titlesize": 13.0,
    "axes.labelsize": BASE_FONT_PT,
    "axes.labelcolor": INK,
    "axes.edgecolor": "#888888",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "axes.axisbelow": True,
    "grid.color": GRID,
    "grid.linewidth": 0.8,
    "xtick.labelsize": SMALL_FONT_PT,
    "ytick.labelsize": SMALL_FONT_PT,
    "xtick.color": "#444444",
    "ytick.color": "#444444",
    "legend.fontsize": SMALL_FONT_PT,
    "legend.frameon": False,
    "figure.titlesize": TITLE_FONT_PT,
    "figure.titleweight": "bold",
    "figure.facecolor": "white",
    "lines.linewidth": 2.2,
}


@contextlib.contextmanager
def house_style() -> Iterator[None]:
    """Draw inside this context: fonts, spines and grid of the house style.

    Only text and axes created inside the context take it; :func:`apply_house_style` fixes up
    axes that were created elsewhere (a caller's ``ax``).
    """
    with mpl.rc_context({**HOUSE_RC, "font.family": font_family()}):
        yield


def apply_house_style(target: FigureBase | Axes) -> None:
    """Put the house look on a figure's or subfigure's axes (or one axes), whoever created them."""
    axes = target.axes if isinstance(target, FigureBase) else [target]
    for ax in axes:
        ax.spines[["top", "right"]].set_visible(False)
        for side in ("left", "bottom"):
            ax.spines[side].set_color("#888888")
        ax.grid(True, which="major", color=GRID, linewidth=0.8)
        ax.set_axisbelow(True)
        ax.tick_params(labelsize=SMALL_FONT_PT, colors="#444444")
        ax.xaxis.label.set_fontsize(BASE_FONT_PT)
        ax.yaxis.label.set_fontsize(BASE_FONT_PT)


_GLUE = "\u00a0"  # textwrap breaks only at ASCII whitespace


def wrap_words(text: str, width: int) -> list[str]:
    """``textwrap.wrap`` (hyphenated words kept whole) that never parts a number from its
    percent sign: "95 %" stays on one line."""
    lines = textwrap.wrap(text.replace(" %", _GLUE + "%"), width=width, break_on_hyphens=False)
    return [line.replace(_GLUE + "%", " %") for line in lines]


def wrap(text: str, width: int) -> str:
    """Wrap a title or footnote into as few lines of at most ``width`` characters as possible,
    balanced so the last line is not a lone word."""
    if len(text) <= width:
        return text
    n_lines = len(wrap_words(text, width))
    for w in range(math.ceil(len(text) / n_lines), width + 1):
        lines = wrap_words(text, w)
        if len(lines) <= n_lines:
            return "\n".join(lines)
    return "\n".join(wrap_words(text, width))


FOOTNOTE_GID = "ftrag-footnote"
FOOTNOTE_SEP = " · "
_FOOTNOTE_PARTS: weakref.WeakKeyDictionary[Figure, list[str]] = weakref.WeakKeyDictionary()


_UNESCAPED_DOLLAR = re.compile(r"(?<!\\)\$")


def escape(text: str) -> str:
    """User text for matplotlib: a ``$`` stays a dollar sign instead of starting mathtext.

    Idempotent (a dollar already escaped with a backslash is left as it is), so text may pass
    through it twice.
    """
    return _UNESCAPED_DOLLAR.sub(r"\\$", str(text))


@functools.cache
def _text_to_path():
    from matplotlib.textpath import TextToPath

    return TextToPath()


def _text_width_pt(line: str, size_pt: float) -> float:
    """Width in points of one line of plain text in the house font, as matplotlib lays it out."""
    from matplotlib.font_manager import FontProperties

    width, _height, _descent = _text_to_path().get_text_width_height_descent(
        line, FontProperties(size=size_pt), ismath=False)
    return float(width)


def add_footnote(fig: Figure, text: str) -> None:
    """Write the grey footnote at the bottom left of ``fig``, or extend the one already there.

    Several charts drawn into one figure (a caller's dashboard) share one footnote: the parts of
    ``text`` (split on " · ") not already in it are appended. With constrained layout the
    figure's layout leaves room for the footnote.
    """
    parts = _FOOTNOTE_PARTS.setdefault(fig, [])
    parts.extend(p for p in text.split(FOOTNOTE_SEP) if p not in parts)
    for old in [t for t in fig.texts if t.get_gid() == FOOTNOTE_GID]:
        old.remove()
    # ~0.072 in per character of 11 pt DejaVu Sans on average; wider for lines of words and digits,
    # so the lines are measured and wrapped shorter until each fits the figure.
    text, chars = FOOTNOTE_SEP.join(parts), max(40, int(fig.get_figwidth() / 0.078))
    room_pt = 0.98 * fig.get_figwidth() * 72.0
    while True:
        plain = wrap(text, chars)
        if chars <= 40 or max(_text_width_pt(line, SMALL_FONT_PT) for line in plain.split("\n")) <= room_pt:
            break
        chars -= 2
    wrapped = escape(plain)
    n_lines = wrapped.count("\n") + 1
    fig.text(0.01, 0.012, wrapped, ha="left", va="bottom", fontsize=SMALL_FONT_PT, color=MUTED,
             gid=FOOTNOTE_GID)
    engine = fig.get_layout_engine()
    if isinstance(engine, ConstrainedLayoutEngine):
        bottom = (0.12 + 0.19 * n_lines) / fig.get_figheight()
        engine.set(rect=(0.0, bottom, 1.0, 1.0 - bottom))
