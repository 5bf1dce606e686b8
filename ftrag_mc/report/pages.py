"""The printed page of the board pack: one paper size for every page, margins, a footer, a chart
placed to fit, and tables whose cells wrap (never cut).

Every page is a :class:`Page`: a matplotlib Figure of the paper's size, laid out in inches from the
top-left corner inside the margins. A chart of any size is drawn to an image at print resolution
and scaled into the room left on the page (:meth:`Page.image`), so a 17-inch-wide panel chart and a
10-inch one print on the same sheet. Tables (:func:`table_rows`, :meth:`Page.table`) measure each
row by its wrapped lines, so :func:`paginate` knows in advance how many pages they take.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import PIL.Image
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle

from ftrag_mc.report.render import PNG_DPI, png_bytes
from ftrag_mc.report.style import INK, MUTED, escape, wrap_words

__all__ = ["PAPERS", "Page", "Row", "chart_image", "paginate", "paper_size", "table_rows"]

#: Landscape sheets, (width, height) in inches: ISO A4 and US Letter.
PAPERS: dict[str, tuple[float, float]] = {"a4": (11.69, 8.27), "letter": (11.0, 8.5)}
MARGIN_IN = 0.5
FOOTER_IN = 0.3  # the band at the bottom of each page for its footer
_CHAR_EM = 0.6  # width of an average DejaVu Sans character (text with digits and capitals), in em
_LINE = 1.32  # line height, in font sizes


def paper_size(paper: str) -> tuple[float, float]:
    """(width, height) in inches of ``paper`` ("a4" or "letter"), landscape."""
    try:
        return PAPERS[paper.lower()]
    except KeyError:
        raise ValueError(f"paper must be one of {', '.join(PAPERS)}, not {paper!r}") from None


def chars_for(width_in: float, font_pt: float) -> int:
    """How many characters of ``font_pt`` text fit on a line ``width_in`` wide."""
    return max(int(width_in * 72 / (font_pt * _CHAR_EM)), 8)


def line_in(font_pt: float) -> float:
    """The height of one line of ``font_pt`` text, in inches."""
    return font_pt * _LINE / 72


def wrap_lines(text: str, width_in: float, font_pt: float) -> list[str]:
    """``text`` on lines that fit ``width_in``: words whole, a word longer than a line broken
    (a URL), nothing left out; its own line breaks kept."""
    chars = chars_for(width_in, font_pt)
    lines: list[str] = []
    for part in str(text).split("\n"):
        lines += wrap_words(part, chars) or [""]
    return lines


def chart_image(chart: Figure | bytes, width_in: float, height_in: float):
    """A chart as an RGB image for a box of ``width_in`` x ``height_in`` (aspect kept): its PNG
    (``bytes``, as :func:`~ftrag_mc.report.render.png_bytes` renders it; a Figure is rendered so
    here), the very pixels of the report's PNG file; returns (image, printed width, printed height)
    in inches. At A4 a full-page chart prints at about 160 dpi."""
    png = chart if isinstance(chart, (bytes, bytearray)) else png_bytes(chart)
    with PIL.Image.open(io.BytesIO(png)) as opened:
        opaque = opened.mode == "RGBA" and opened.getextrema()[3] == (255, 255)  # a chart's white canvas
        if opened.mode in ("RGBA", "LA", "P") and not opaque:  # any transparency on white paper
            rgba = opened.convert("RGBA")
            image = PIL.Image.alpha_composite(PIL.Image.new("RGBA", rgba.size, "white"), rgba).convert("RGB")
        else:
            image = opened.convert("RGB")
    w, h = image.width / PNG_DPI, image.height / PNG_DPI
    scale = min(width_in / w, height_in / h)
    return np.asarray(image), w * scale, h * scale


@dataclass(frozen=True)
class Row:
    """One table row: its cells (already wrapped into lines), whether it heads a group, its height."""

    cells: tuple[tuple[str, ...], ...]
    group: bool = False
    height_in: float = 0.0


def table_rows(rows: Sequence[Sequence[str]], widths_in: Sequence[float], font_pt: float, *,
               groups: Sequence[bool] = ()) -> list[Row]:
    """Cells wrapped to their columns' widths and each row's height; a group row is one cell
    across the table."""
    out = []
    for k, cells in enumerate(rows):
        group = bool(groups[k]) if k < len(groups) else False
        spans = [sum(widths_in)] if group else widths_in
        wrapped = tuple(tuple(wrap_lines(c, w - 0.12, font_pt)) for c, w in zip(cells, spans))
        lines = max(len(c) for c in wrapped)
        out.append(Row(wrapped, group, lines * line_in(font_pt) + 0.09))
    return out


def paginate(rows: Sequence[Row], first_in: float, other_in: float, header_in: float) -> list[list[Row]]:
    """Rows split into pages: ``first_in`` of room on the first page, ``other_in`` on the others,
    each page repeating a header ``header_in`` tall; a group row never ends a page."""
    pages: list[list[Row]] = [[]]
    room = first_in - header_in
    for row in rows:
        if pages[-1] and row.height_in > room:
            carried = [pages[-1].pop()] if pages[-1][-1].group else []
            pages.append(carried)
            room = other_in - header_in - sum(r.height_in for r in carried)
        pages[-1].append(row)
        room -= row.height_in
    return pages


@dataclass
class Page:
    """One landscape sheet of ``paper``, laid out in inches from its top-left corner."""

    paper: str = "a4"
    fig: Figure = field(init=False)

    def __post_init__(self) -> None:
        self.width, self.height = paper_size(self.paper)
        self.fig = Figure(figsize=(self.width, self.height))
        self.left, self.right = MARGIN_IN, self.width - MARGIN_IN
        self.bottom = self.height - MARGIN_IN - FOOTER_IN  # the lowest y the content may reach

    @property
    def text_width(self) -> float:
        return self.right - self.left

    def _xy(self, x: float, y: float) -> tuple[float, float]:
        return x / self.width, 1 - y / self.height

    def text(self, x: float, y: float, text: str, **kw) -> None:
        """``text`` with its top-left corner at (x, y) inches (``ha``/``va`` in ``kw`` may change it)."""
        self.fig.text(*self._xy(x, y), escape(text), **{"va": "top", "ha": "left", **kw})

    def paragraph(self, y: float, text: str, font_pt: float, *, width: float | None = None, x: float | None = None,
                  linespacing: float = _LINE, **kw) -> float:
        """``text`` wrapped to ``width`` (the text width) from (x, y); returns the y under it."""
        x = self.left if x is None else x
        lines = wrap_lines(text, width or self.text_width, font_pt)
        self.text(x, y, "\n".join(lines), fontsize=font_pt, linespacing=linespacing, **kw)
        return y + len(lines) * font_pt * linespacing / 72

    def image(self, chart: Figure | bytes, x: float, y: float, width: float, height: float, *,
              centre: bool = True) -> float:
        """``chart`` scaled to fit the box (x, y, width, height) in inches; returns the y under it."""
        image, w, h = chart_image(chart, width, height)
        x0 = x + (width - w) / 2 if centre else x
        left, top = self._xy(x0, y)
        ax = self.fig.add_axes((left, top - h / self.height, w / self.width, h / self.height))
        ax.imshow(image, interpolation="none")
        ax.set_axis_off()
        return y + h

    def rule(self, y: float, *, colour: str = "#cccccc", width: float = 0.6) -> None:
        """A horizontal line across the text width at y."""
        (x0, yy), (x1, _) = self._xy(self.left, y), self._xy(self.right, y)
        self.fig.add_artist(Line2D([x0, x1], [yy, yy], color=colour, lw=width))

    def shade(self, y: float, height: float, colour: str) -> None:
        """A band across the text width from y, ``height`` inches tall."""
        x0, y0 = self._xy(self.left, y + height)
        self.fig.add_artist(Rectangle((x0, y0), self.text_width / self.width, height / self.height,
                                      facecolor=colour, edgecolor="none", zorder=0))

    def table(self, y: float, header: Sequence[str], rows: Sequence[Row], widths_in: Sequence[float],
              font_pt: float) -> float:
        """A table from y: a bold header on grey, then ``rows`` (group rows bold on light grey),
        thin rules between; returns the y under it."""
        head = table_rows([header], widths_in, font_pt)[0]
        y = self._row(y, head, widths_in, font_pt, shade="#e9e9e9", bold=True)
        for row in rows:
            y = self._row(y, row, widths_in, font_pt, shade="#f4f4f4" if row.group else None, bold=row.group)
        return y

    def _row(self, y: float, row: Row, widths_in: Sequence[float], font_pt: float, *, shade: str | None,
             bold: bool) -> float:
        if shade:
            self.shade(y, row.height_in, shade)
        x = self.left
        for cell, w in zip(row.cells, widths_in):
            self.text(x + 0.06, y + 0.045, "\n".join(cell), fontsize=font_pt, linespacing=_LINE, color=INK,
                      fontweight="bold" if bold else "normal")
            x += w
        self.rule(y + row.height_in)
        return y + row.height_in

    def footer(self, left: str, right: str) -> None:
        """The grey footer: ``left`` at the left margin, ``right`` (e.g. "page 3 of 12") at the right."""
        y = self.height - MARGIN_IN - FOOTER_IN / 2
        self.text(self.left, y, left, fontsize=7.5, color=MUTED, va="center")
        self.text(self.right, y, right, fontsize=7.5, color=MUTED, va="center", ha="right")
