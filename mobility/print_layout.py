"""One print layout for every chart image: a fixed canvas with margins, the title, the source line with the as-of
date, and the example stamp, whichever way the image is made (a page's button, the ZIP, ``export-charts``).

The canvas never depends on the browser: each size has a layout width in CSS pixels (fonts are sized for it) and
a scale to the requested output pixels. Title, legend and source line sit at fixed places measured from the
canvas edges (``container`` coordinates), the plot gets what is left, and text is measured with the very font
Chromium draws (DejaVu Sans), so a long title wraps instead of being cut and a legend takes the rows it needs.
"""

import math
import re
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

import plotly.graph_objects as go

from mobility.i18n import fmt_date, t

FONT_FILE = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
INK = "#1f2a37"
MUTED = "#4b5563"
STAMP = "#b35900"  # orange of the example badge, dark enough for small print
EXAMPLE_STAMP = "example-stamp"  # annotation names, so a figure is never stamped twice
SOURCE_LINE = "source-line"


@dataclass(frozen=True)
class PrintSize:
    key: str
    width: int  # output pixels
    height: int | None  # output pixels; None: as tall as the chart needs (a magazine column)
    layout_width: int  # CSS pixels the chart is laid out in; fonts are sized for this width


# A magazine column at 300 dpi: 85 mm → 1004 px, 175 mm → 2067 px; laid out so 14 px text prints at 7 pt.
SIZES: dict[str, PrintSize] = {
    "1200x675": PrintSize("1200x675", 1200, 675, 1200),
    "1920x1080": PrintSize("1920x1080", 1920, 1080, 1200),
    "2400x1350": PrintSize("2400x1350", 2400, 1350, 1200),
    "column-85mm": PrintSize("column-85mm", 1004, None, 480),
    "column-175mm": PrintSize("column-175mm", 2067, None, 988),
}
DEFAULT_SIZE = "1920x1080"
# The press view's charts on screen, twice as sharp as drawn: nearly square where the screen is tall, 3:2 with
# larger text where it is short (a laptop, a projector at 1280 × 720).
SCREEN = PrintSize("screen", 1200, 1120, 600)
SCREEN_SHORT = PrintSize("screen-short", 1200, 880, 600)


@dataclass(frozen=True)
class Canvas:
    figure: go.Figure  # laid out at width × height CSS pixels
    width: int  # CSS pixels
    height: int
    scale: float  # output pixels per CSS pixel

    @property
    def pixels(self) -> tuple[int, int]:
        # Chromium drops a fraction of a pixel; the epsilon keeps 480 × (1004 / 480) at 1004
        return math.floor(self.width * self.scale + 1e-6), math.floor(self.height * self.scale + 1e-6)


@cache
def _font(size: float):
    from PIL import ImageFont

    return ImageFont.truetype(str(FONT_FILE), size=size)


def text_width(text: str, size: float) -> float:
    """Width in CSS pixels of ``text`` (tags removed) in DejaVu Sans at ``size`` px, as Chromium draws it."""
    return _font(round(size * 4) / 4).getlength(plain(text))


def plain(text) -> str:
    """Text without plotly's tags; a line break becomes a space."""
    return re.sub(r"<[^>]+>", "", re.sub(r"<br\s*/?>", " ", str(text or ""))).strip()


def wrap(text: str, size: float, width: float) -> list[str]:
    """Words into lines no wider than ``width``; a word longer than a line stands alone."""
    lines: list[str] = []
    for word in plain(text).split():
        if lines and text_width(f"{lines[-1]} {word}", size) <= width:
            lines[-1] += f" {word}"
        else:
            lines.append(word)
    return lines or [""]


def source_line(lang: str, as_of: date, *, source_key: str = "print.source.io") -> str:
    return t("print.source_line", lang, source=t(source_key, lang), date=fmt_date(as_of, lang))


def _legend_items(fig: go.Figure) -> list[str]:
    """Names the legend shows: one per legend group, traces that are not hidden from it."""
    seen, names = set(), []
    for trace in fig.data:
        if trace.showlegend is False or not trace.name or (trace.legend or "legend") != "legend":
            continue
        group = trace.legendgroup or trace.name
        if group not in seen:
            seen.add(group)
            names.append(trace.name)
    return names


def _axes(fig: go.Figure, letter: str) -> list[str]:
    layout = fig.layout.to_plotly_json()
    return sorted(k for k in layout if re.fullmatch(f"{letter}axis\\d*", k)) or [f"{letter}axis"]


def _category_count(fig: go.Figure) -> int:
    """How many categories the (first) y-axis lists, e.g. the schedule's activities; 0 when it is numeric."""
    axis = fig.layout.yaxis
    if axis.type == "category" and axis.categoryarray is not None:
        return len(axis.categoryarray)
    return 0


def _thin_date_ticks(fig: go.Figure, plot_width: float, size: float) -> None:
    """A date axis with a fixed step (``M6``) takes a longer step until its labels fit side by side."""
    axis = fig.layout.xaxis
    if axis.tickmode == "array" and axis.tickvals is not None and axis.ticktext is not None:
        values, labels = list(axis.tickvals), [str(x) for x in axis.ticktext]
        label = max((text_width(x, size) for x in labels), default=0) + size * 1.5
        step = 1
        while len(values) / step * label > plot_width * 0.9 and step < len(values):
            step += 1
        if step > 1:  # every step-th label, counted from the first
            axis.tickvals, axis.ticktext = values[::step], labels[::step]
        return
    if axis.type != "date" or not isinstance(axis.dtick, str) or not axis.dtick.startswith("M") or not axis.range:
        return
    first, last = (date.fromisoformat(str(v)[:10]) for v in axis.range)
    months = (last.year - first.year) * 12 + last.month - first.month
    label = max(text_width("2016-01", size), text_width("sep. 2016", size)) + size * 1.5
    step = int(axis.dtick[1:])
    while months / step * label > plot_width * 0.9 and step < 120:
        step *= 2
    axis.dtick = f"M{step}"


def _fit_tick_labels(fig: go.Figure, room: float, size: float) -> None:
    """Long category labels (the schedule's short titles) may take at most ``room``: smaller, then shortened with
    an ellipsis, so a narrow column keeps a plot to read."""
    axis = fig.layout.yaxis
    if axis.ticktext is None:
        return
    labels = [str(x) for x in axis.ticktext]
    font = axis.tickfont.size or size
    widest = max((text_width(x, font) for x in labels), default=0)
    if widest <= room:
        return
    font = max(9.0, math.floor(font * room / widest))
    axis.tickfont.size = font

    def shorten(label: str) -> str:
        while len(label) > 4 and text_width(label + "…", font) > room:
            label = label[:-1].rstrip()
        return label if text_width(label, font) <= room else label + "…"

    axis.ticktext = [x if text_width(x, font) <= room else shorten(x) for x in labels]


def _right_labels(fig: go.Figure, size: float) -> float:
    """Room for text drawn to the right of its point (a label at a bar's end), which may stand at the plot's edge."""
    widest = 0.0
    for trace in fig.data:
        position = getattr(trace, "textposition", None)
        texts = getattr(trace, "text", None)
        if not texts or isinstance(texts, str) or not position:
            continue
        positions = [position] * len(texts) if isinstance(position, str) else list(position)
        font = getattr(getattr(trace, "textfont", None), "size", None) or size
        widest = max([widest, *(text_width(t, font) for t, p in zip(texts, positions, strict=False)
                                if t and "right" in str(p))])
    return widest + 6 if widest else 0.0


def print_figure(fig: go.Figure, *, size: str | PrintSize = DEFAULT_SIZE, lang: str, as_of: date, examples: bool,
                 source_key: str = "print.source.io") -> Canvas:
    """``fig`` laid out on the print canvas ``size``; the figure passed in is left as it was."""
    spec = size if isinstance(size, PrintSize) else SIZES[size]
    fig = go.Figure(fig)
    width = spec.layout_width
    scale = spec.width / width
    pad = max(16, round(width * 0.03))
    base = 14.0
    title_size = 20.0 if width >= 900 else 17.0
    small = 12.0
    inner = width - 2 * pad

    # Text that the print layout owns is removed and drawn again: a figure is never stamped twice.
    fig.layout.annotations = [a for a in fig.layout.annotations if a.name not in (EXAMPLE_STAMP, SOURCE_LINE)]
    for annotation in fig.layout.annotations:  # above the plot: one line in the band under the title
        if annotation.yref == "paper" and annotation.y is not None and annotation.y >= 1:
            annotation.update(y=1, yanchor="bottom", yshift=3)

    title_lines = wrap(fig.layout.title.text or "", title_size, inner)
    title_h = len(title_lines) * title_size * 1.3
    band_h = base * 1.5 + 6

    items = _legend_items(fig)
    legend_h = 0.0
    if len(items) > 1:  # plotly fills a horizontal legend row by row, each entry its text plus 45 px of symbol
        rows, used = 1, 0.0
        for name in items:
            entry = text_width(name, base) + 46
            if used and used + entry > inner:
                rows, used = rows + 1, 0.0
            used += entry
        legend_h = rows * base * 2.25 + 4

    stamp = t("print.example_stamp", lang)
    footer = ([stamp] if examples else []) + [source_line(lang, as_of, source_key=source_key)]
    footer_lines = wrap(" · ".join(footer), small, inner * (0.88 if examples else 0.98))  # bold is wider
    if examples:  # the stamp's words in bold orange, on whichever lines they fell
        stamp_words, seen, styled = len(stamp.split()), 0, []
        for line in footer_lines:
            words = []
            for word in line.split():
                words.append(f"<b style='color:{STAMP}'>{word}</b>" if seen < stamp_words else word)
                seen += 1
            styled.append(" ".join(words))
        footer_lines = styled
    footer_h = len(footer_lines) * small * 1.35

    x_ticks = base * 1.3 + 10
    x_title = base * 1.35 + 8 if plain(fig.layout.xaxis.title.text) else 0
    top = pad + title_h + 10 + band_h
    bottom = pad + footer_h + 10 + legend_h + (8 if legend_h else 0) + x_ticks + x_title
    categories = _category_count(fig)
    if spec.height:
        height = round(spec.height / scale)
    else:  # a column is as tall as the chart needs: room for every category row, else a 16:10 plot
        plot = max(width * 0.5, categories * base * 1.35)
        height = round(top + bottom + plot)
    plot_h = height - top - bottom
    if categories and plot_h / categories < base * 1.3:
        fig.update_yaxes(tickfont_size=max(7, math.floor(plot_h / categories / 1.3)), selector=0)

    for name in _axes(fig, "y"):  # a vertical axis title longer than a squat plot is set smaller, never cut
        axis = getattr(fig.layout, name)
        long = text_width(axis.title.text or "", base)
        if long > plot_h * 0.95:
            axis.title.font.size = max(8, math.floor(base * plot_h * 0.95 / long))
    right_axis = any(getattr(fig.layout, k).side == "right" for k in _axes(fig, "y"))
    left = pad + (base * 1.35 + 12 if plain(fig.layout.yaxis.title.text) else 0) + 24
    right = pad + (base * 1.35 + 36 if right_axis else 12) + _right_labels(fig, base)
    _fit_tick_labels(fig, (width - left - right) * 0.4, base)
    _thin_date_ticks(fig, (width - left - right) * (0.6 if fig.layout.yaxis.ticktext is not None else 1), base)

    fig.update_layout(
        width=width, height=height, autosize=False,
        font={"size": base},
        margin={"l": left, "r": right, "t": top, "b": bottom, "pad": 0, "autoexpand": True},
        title={"text": "<br>".join(title_lines), "font": {"size": title_size, "color": INK}, "xref": "container",
               "yref": "container", "x": pad / width, "y": 1 - pad / height, "xanchor": "left", "yanchor": "top",
               "automargin": False, "pad": {"t": 0, "b": 0, "l": 0, "r": 0}},
        showlegend=len(items) > 1,
        legend={"orientation": "h", "xref": "container", "yref": "container", "x": pad / width,
                "y": (pad + footer_h + 10) / height, "xanchor": "left", "yanchor": "bottom",
                "font": {"size": base},
                "bgcolor": "rgba(0,0,0,0)", "valign": "middle"},
        legend2={"orientation": "h", "xref": "container", "yref": "container", "x": pad / width, "y": pad / height,
                 "xanchor": "left", "yanchor": "bottom", "itemwidth": 30, "bgcolor": "rgba(0,0,0,0)",
                 "title": {"text": "<br>".join(footer_lines), "font": {"size": small, "color": MUTED}}},
    )
    fig.update_xaxes(automargin=True, tickangle=0, title_standoff=8)
    fig.update_yaxes(automargin=True, title_standoff=8)
    # The source line is the title of a legend of its own: a legend can be placed from the canvas edge, a note
    # cannot, and the plot's left edge moves with the width of its tick labels.
    fig.add_scatter(x=[None], y=[None], mode="markers", name="", legend="legend2", showlegend=True,
                    marker={"color": "rgba(0,0,0,0)", "size": 1}, hoverinfo="skip")
    if examples:
        _stamp(fig, lang, width - left - right)
    return Canvas(fig, width, height, scale)


def _stamp(fig: go.Figure, lang: str, plot_width: float) -> None:
    """The example stamp across the plot, as large as fits its width once turned."""
    text = t("example.badge", lang).upper()
    size = min(56.0, plot_width * 0.75 / max(1.0, text_width(text, 1) * math.cos(math.radians(20))))
    fig.add_annotation(text=text, name=EXAMPLE_STAMP, xref="paper", yref="paper", x=0.5, y=0.5, showarrow=False,
                       font={"size": size, "color": "rgba(224,123,0,0.22)"}, textangle=-20)
