"""Report charts drawn from plain data: labelled values and the words to print, PNG for the
chat, SVG for the pages.

The domain cannot see the application's report views, so callers hand in lists of
`(label, value)` and a `ChartText` already in the shop's language
(`application.report_charts` turns a `LiveReport` into them).

Drawn with matplotlib's object API (`Figure` and the Agg canvas, never `pyplot`): nothing here
touches pyplot's global figure list, so charts are drawn safely in worker threads and
processes. Text is set in Be Vietnam Pro, which has every Vietnamese letter with its marks.
The same data always gives the same bytes (no date in the metadata, fixed SVG ids), so an
unchanged chart can be cached or compared.
"""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Final, Literal

import matplotlib
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties, fontManager
from matplotlib.ft2font import FT2Font
from matplotlib.ticker import FuncFormatter, MaxNLocator

from render.fonts import font_path

Format = Literal["png", "svg"]
FORMATS: Final = ("png", "svg")

FAMILY: Final = "Be Vietnam Pro"
WIDTH_IN: Final = 10.0
HEIGHT_IN: Final = 5.6
DPI: Final = 100  # a PNG of 1000 x 560 pixels: sharp in a Telegram photo, small to send
SIZE_PX: Final = (round(WIDTH_IN * DPI), round(HEIGHT_IN * DPI))
LABEL_CHARS: Final = 22  # a longer name or code is cut with "…" so the bars keep their room
TITLE_CHARS: Final = 90  # a live's title can be long; the chart's title stays on one line
MAX_TICKS: Final = 12  # time labels under a long live are thinned to about this many

BAR: Final = "#2f6fb0"
SECOND: Final = "#e07b24"
GRID: Final = "#d9dee5"
INK: Final = "#1f2933"
MUTED: Final = "#6b7785"

for _weight in ("Regular", "SemiBold"):
    fontManager.addfont(str(font_path(_weight)))
# Read when a figure is saved, not when it is drawn, so they are set once for every chart:
# fixed ids make SVG output repeatable, and text stays text (searchable, and the page's own
# font draws it).
matplotlib.rcParams["svg.hashsalt"] = "chotdon-charts"
matplotlib.rcParams["svg.fonttype"] = "none"

_REGULAR: Final = FontProperties(family=FAMILY, weight="regular", size=10)
_TITLE: Final = FontProperties(family=FAMILY, weight="semibold", size=15)
_LABEL: Final = FontProperties(family=FAMILY, weight="regular", size=11)
_EMPTY: Final = FontProperties(family=FAMILY, weight="regular", size=16)
_CONTROL: Final = re.compile(r"[\x00-\x1f\x7f]")
# What the typeface draws (both weights have the same letters): anything else a person typed,
# an emoji in a staff name, is left out rather than drawn as an empty box.
_DRAWN: Final = frozenset(chr(code) for code in FT2Font(str(font_path("Regular"))).get_charmap())


@dataclass(frozen=True, slots=True)
class ChartText:
    """The words of one chart, in the shop's language."""

    title: str
    x_label: str = ""
    y_label: str = ""
    empty: str = ""  # said in the middle of a chart with nothing to draw yet
    separator: str = "."  # between groups of thousands: "." in Vietnamese, "," in English


@dataclass(frozen=True, slots=True)
class SecondSeries:
    """A count drawn as a line over the bars, on its own axis at the right."""

    label: str
    values: tuple[int, ...]
    bars_label: str = ""  # the bars' name in the legend


def bars(
    points: Sequence[tuple[str, int]],
    text: ChartText,
    *,
    fmt: Format = "png",
    horizontal: bool = False,
    annotate: bool = False,
    second: SecondSeries | None = None,
) -> bytes:
    """Bars of `points` in their order: upright with labels under them (thinned to about
    `MAX_TICKS` when there are many, as minutes of a long live), or `horizontal` with the
    first point on top. `annotate` writes each value at its bar; `second` adds a line on a
    right-hand axis. No points, or only zeros, give a chart that says `text.empty`."""
    _check(fmt)
    figure = _figure()
    values = [int(value) for _, value in points]
    empty = not any(values) and not (second and any(second.values))
    if empty:
        _draw_empty(figure, text)
        return _save(figure, fmt)
    axes = figure.add_subplot()
    _style(axes)
    labels = [_short(label) for label, _ in points]
    places = range(len(points))
    number = _number(text.separator)
    if horizontal:
        drawn = axes.barh(places, values, color=BAR, height=0.6)
        axes.set_yticks(list(places), labels, fontproperties=_REGULAR, parse_math=False)
        axes.invert_yaxis()
        axes.xaxis.set_major_formatter(FuncFormatter(lambda x, _: number(x)))
        axes.xaxis.set_major_locator(MaxNLocator(integer=True))
        axes.grid(axis="x", color=GRID)
    else:
        drawn = axes.bar(places, values, color=BAR, width=0.7)
        step = max(1, -(-len(points) // MAX_TICKS))
        shown = list(places)[::step]
        axes.set_xticks(shown, [labels[i] for i in shown], fontproperties=_REGULAR)
        for tick in axes.get_xticklabels():
            tick.set_parse_math(False)
        if len(shown) > 8 or max((len(labels[i]) for i in shown), default=0) > 8:
            axes.tick_params(axis="x", labelrotation=45)
            for tick in axes.get_xticklabels():
                tick.set_horizontalalignment("right")
        axes.yaxis.set_major_formatter(FuncFormatter(lambda y, _: number(y)))
        axes.yaxis.set_major_locator(MaxNLocator(integer=True))
        axes.grid(axis="y", color=GRID)
        axes.set_xlim(-0.6, len(points) - 0.4)
    axes.set_axisbelow(True)
    for tick in axes.get_yticklabels() + axes.get_xticklabels():
        tick.set_fontproperties(_REGULAR)
    if annotate:
        axes.bar_label(
            drawn,
            labels=[number(value) for value in values],
            padding=3,
            fontproperties=_REGULAR,
            color=INK,
        )
        if horizontal:
            axes.margins(x=0.12)
        else:
            axes.margins(y=0.12)
    if second is not None and not horizontal:
        _second_line(axes, second, number)
    _words(figure, axes, text)
    return _save(figure, fmt)


def _figure() -> Figure:
    figure = Figure(figsize=(WIDTH_IN, HEIGHT_IN), dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    figure.set_facecolor("white")
    return figure


def _style(axes: Axes) -> None:
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    axes.tick_params(colors=INK, labelcolor=INK)


def _words(figure: Figure, axes: Axes, text: ChartText) -> None:
    figure.suptitle(_title(text.title), fontproperties=_TITLE, color=INK, parse_math=False)
    if text.x_label:
        axes.set_xlabel(_clean(text.x_label), fontproperties=_LABEL, color=MUTED, parse_math=False)
    if text.y_label:
        axes.set_ylabel(_clean(text.y_label), fontproperties=_LABEL, color=MUTED, parse_math=False)


def _second_line(axes: Axes, second: SecondSeries, number: Callable[[float], str]) -> None:
    right = axes.twinx()
    places = list(range(len(second.values)))
    right.plot(places, list(second.values), color=SECOND, marker="o", linewidth=2)
    right.set_ylim(bottom=0, top=max(1, *second.values) * 1.15)
    right.yaxis.set_major_locator(MaxNLocator(integer=True))
    right.yaxis.set_major_formatter(FuncFormatter(lambda y, _: number(y)))
    right.set_ylabel(_clean(second.label), fontproperties=_LABEL, color=SECOND, parse_math=False)
    right.spines["top"].set_visible(False)
    right.tick_params(axis="y", colors=SECOND, labelcolor=SECOND)
    for tick in right.get_yticklabels():
        tick.set_fontproperties(_REGULAR)
    if second.bars_label:
        handles = [
            axes.patches[0] if axes.patches else None,
            right.lines[0],
        ]
        names = [_clean(second.bars_label), _clean(second.label)]
        kept = [(h, n) for h, n in zip(handles, names, strict=True) if h is not None]
        right.legend(
            [h for h, _ in kept],
            [n for _, n in kept],
            loc="upper left",
            prop=_REGULAR,
            frameon=False,
        )


def _draw_empty(figure: Figure, text: ChartText) -> None:
    figure.suptitle(_title(text.title), fontproperties=_TITLE, color=INK, parse_math=False)
    figure.text(
        0.5,
        0.5,
        _clean(text.empty),
        ha="center",
        va="center",
        color=MUTED,
        fontproperties=_EMPTY,
        parse_math=False,
    )


def _save(figure: Figure, fmt: Format) -> bytes:
    out = io.BytesIO()
    # No date, no software version: the same chart is the same bytes.
    metadata: dict[str, str | None] = (
        {"Date": None, "Creator": None} if fmt == "svg" else {"Software": None}
    )
    figure.savefig(out, format=fmt, dpi=DPI, metadata=metadata, facecolor="white")
    return out.getvalue()


def _check(fmt: str) -> None:
    if fmt not in FORMATS:
        raise ValueError(f"a chart is drawn as png or svg, not {fmt!r}")


def _clean(value: str) -> str:
    """What people typed (a live's title, a staff name) as one line the typeface draws."""
    line = _CONTROL.sub(" ", unicodedata.normalize("NFC", value or ""))
    return " ".join("".join(char for char in line if char in _DRAWN).split())


def _short(label: str, limit: int = LABEL_CHARS) -> str:
    """One line of at most `limit` letters; a label of nothing drawable is "…", not a gap."""
    label = _clean(label) or ("…" if label else "")
    return label if len(label) <= limit else label[: limit - 1].rstrip() + "…"


def _title(title: str) -> str:
    return _short(title, TITLE_CHARS)


def _number(separator: str) -> Callable[[float], str]:
    def written(value: float) -> str:
        return f"{round(value):,}".replace(",", separator)

    return written
