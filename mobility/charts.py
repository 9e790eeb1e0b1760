"""Plotly figure builders (data in, go.Figure out) and the one house template.

Pages draw these with ``theme=None`` so the screen, the modebar PNG and a server-side export look alike.
"""

from datetime import date, timedelta

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from mobility.activities import month_end
from mobility.i18n import fmt_date, t

FONT = "DejaVu Sans, Verdana, Arial, sans-serif"
INK = "#1f2a37"
GRID = "#e3e7ec"
# Miun blue first; the others are distinct in hue and lightness so they survive greyscale print.
AREA_COLOURS = {"A": "#00487a", "B": "#e07b00", "C": "#5a9a3c", "D": "#8e4a9a", "E": "#c0392b"}
STATUS_COLOURS = {
    "planned": "#8a96a3", "ongoing": "#00487a", "done": "#3c8d40", "delayed": "#e07b00", "cancelled": "#6b6b6b",
}

pio.templates["miun"] = go.layout.Template(
    layout=go.Layout(
        font={"family": FONT, "size": 14, "color": INK},
        title={"font": {"size": 20}, "x": 0, "xanchor": "left", "y": 0.97},
        paper_bgcolor="white",
        plot_bgcolor="white",
        colorway=list(AREA_COLOURS.values()),
        xaxis={"gridcolor": GRID, "linecolor": INK, "ticks": "outside", "title_standoff": 8},
        yaxis={"gridcolor": GRID, "linecolor": INK, "ticks": "outside", "title_standoff": 8},
        legend={"orientation": "h", "yanchor": "top", "y": -0.12, "xanchor": "left", "x": 0},
        margin={"l": 70, "r": 30, "t": 90, "b": 60},
        hoverlabel={"font_family": FONT},
    )
)
pio.templates.default = "miun"


def plotly_config(filename: str) -> dict:
    """Modebar without the logo; its camera button saves a 2× PNG under a meaningful name."""
    return {
        "displaylogo": False,
        "modeBarButtonsToRemove": ["lasso2d", "select2d"],
        "toImageButtonOptions": {"format": "png", "filename": filename, "scale": 2},
    }


def mark_example(fig: go.Figure, lang: str) -> go.Figure:
    """Stamp "Exempeldata" on the image itself, so a screenshot or export cannot pass for real figures."""
    fig.add_annotation(text=t("example.badge", lang).upper(), name="example-stamp", xref="paper", yref="paper",
                       x=0.5, y=0.5, showarrow=False, font={"size": 56, "color": "rgba(224,123,0,0.22)"}, textangle=-20)
    return fig


# Status buckets on the schedule: colour, fill pattern and a word beside each bar, so no one needs the colour.
BUCKET_LOOK = {  # bucket → (colour, plotly fill pattern)
    "done": ("#2e7d32", ""), "ongoing": ("#00487a", "/"), "late": ("#b3261e", "x"),
    "not_started": ("#8a96a3", "."), "cancelled": ("#5f6670", "-"),
}
MONTHS = {
    "sv": ("jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt", "nov", "dec"),
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
}


def month_ticks(lo: date, hi: date, lang: str, every: int = 6) -> tuple[list[str], list[str]]:
    """Tick positions and labels every ``every`` months in the page's language ("jan 2016", "jul 2016")."""
    values, labels, month = [], [], date(lo.year, 1, 1)
    while month <= hi:
        if month >= lo:
            values.append(month.isoformat())
            labels.append(f"{MONTHS[lang][month.month - 1]} {month.year}")
        month = date(month.year + (month.month + every - 1) // 12, (month.month + every - 1) % 12 + 1, 1)
    return values, labels


def timeline(activities: pd.DataFrame, *, lang: str, today: date, area_names: dict[str, str],
             short_titles: dict[str, str] | None = None) -> go.Figure:
    """Gantt of all dated activities, one labelled row each, coloured *and* patterned by status on ``today``.

    Activities with a start and an end are bars to the end of their end month; start-only activities are a
    marker at their start (the plan gives no end); not-decided ones are drawn hollow. Each row carries its
    status in words beside it; a dotted line marks the as-of date.
    """
    from mobility.overview import bucket  # the same buckets as the overview's area rows

    short_titles = short_titles or {}
    dated = activities[activities["start_month"].notna()].iloc[::-1].copy()  # plan order from the top
    dated["bucket"] = [bucket(s, a, e if e == e else None, today) for s, a, e in
                       zip(dated["status"], dated["start_month"], dated["end_month"], strict=True)]
    fig = go.Figure()
    for name, (colour, pattern) in BUCKET_LOOK.items():
        rows = dated[dated["bucket"] == name]
        label = t(f"overview.bucket.{name}", lang)
        words = [label + ("" if d else " · " + t("overview.flag.not_decided", lang)) for d in rows["decided"]]
        spans = rows[rows["end_month"].notna()]
        span_words = [w for w, has_end in zip(words, rows["end_month"].notna(), strict=True) if has_end]
        if len(spans):
            ends = [month_end(e) + timedelta(days=1) for e in spans["end_month"]]
            fig.add_bar(
                y=spans["code"], base=[s.isoformat() for s in spans["start_month"]],
                x=[(e - s).days * 86_400_000 for s, e in zip(spans["start_month"], ends, strict=True)],
                orientation="h", name=label.capitalize(), legendgroup=name,
                marker={"color": colour,
                        "pattern": {"shape": pattern, "bgcolor": colour, "fgcolor": "white", "solidity": 0.3},
                        "line": {"color": colour, "width": 1},
                        "opacity": [1 if d else 0.45 for d in spans["decided"]]},
                text=span_words, textposition="outside", cliponaxis=False,
                textfont={"color": INK, "size": 12},
                customdata=list(zip(spans["start_text"], spans["end_text"], span_words, strict=True)),
                hovertemplate="%{y}: %{customdata[0]} – %{customdata[1]} (%{customdata[2]})<extra></extra>",
            )
        starts = rows[rows["end_month"].isna()]
        start_words = [w for w, has_end in zip(words, rows["end_month"].notna(), strict=True) if not has_end]
        if len(starts):
            fig.add_scatter(
                y=starts["code"], x=[s.isoformat() for s in starts["start_month"]], mode="markers+text",
                name=label.capitalize(), legendgroup=name, showlegend=not len(spans),
                marker={"color": colour, "size": 14, "line": {"width": 2, "color": colour},
                        "symbol": ["triangle-right" if d else "triangle-right-open" for d in starts["decided"]]},
                text=start_words, textposition="middle right", textfont={"color": INK, "size": 12},
                customdata=starts["start_text"], cliponaxis=False,
                hovertemplate="%{y}: " + t("chart.timeline.start_only", lang) + " %{customdata}<extra></extra>",
            )
    lo = date(int(dated["start_month"].min().year), 1, 1) if len(dated) else today
    hi = max([month_end(e) for e in dated["end_month"].dropna()] + list(dated["start_month"]), default=today)
    hi = date(hi.year + 1, 1, 1)
    if lo <= today <= hi:
        fig.add_shape(type="line", x0=today.isoformat(), x1=today.isoformat(), y0=0, y1=1, yref="paper",
                      line={"color": INK, "width": 2, "dash": "dot"})
        fig.add_annotation(x=today.isoformat(), y=1, yref="paper", font={"color": INK},
                           text=t("chart.today", lang, date=fmt_date(today, lang)),
                           showarrow=False, yanchor="bottom")
    else:
        fig.add_annotation(x=1, xref="paper", y=1, yref="paper", xanchor="right", yanchor="bottom", showarrow=False,
                           font={"color": INK}, text=t("chart.today_outside", lang, date=fmt_date(today, lang)))
    tick_values, tick_labels = month_ticks(lo, hi, lang)
    codes = list(dated["code"])
    fig.update_layout(
        title=t("chart.timeline.title", lang), barmode="overlay", height=max(420, 26 * len(dated) + 190),
        # Half a year of room on the right for the status words beside the last bars
        xaxis={"type": "date", "range": [lo.isoformat(), date(hi.year, 7, 1).isoformat()],
               "title": t("chart.timeline.x", lang), "tickmode": "array", "tickvals": tick_values,
               "ticktext": tick_labels},
        # Every row labelled, also in an image export: one tick per activity, its code and a few words
        yaxis={"title": t("chart.timeline.y", lang), "type": "category", "categoryorder": "array",
               "categoryarray": codes, "tickmode": "array", "tickvals": codes,
               "ticktext": [short_titles.get(c, c) for c in codes], "automargin": True},
        legend={"traceorder": "normal"},
        margin={"t": 110},
    )
    return fig
