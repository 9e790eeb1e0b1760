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


def timeline(activities: pd.DataFrame, *, lang: str, today: date, area_names: dict[str, str]) -> go.Figure:
    """Gantt of all dated activities coloured by area.

    Activities with a start and an end are bars to the end of their end month; start-only activities are a
    marker at their start (the plan gives no end); not-decided ones are drawn hollow.
    """
    dated = activities[activities["start_month"].notna()].iloc[::-1]  # plan order from the top
    fig = go.Figure()
    for area, rows in dated.groupby("area", sort=True):
        name = f"{area} {area_names.get(area, '')}".strip()
        spans = rows[rows["end_month"].notna()]
        if len(spans):
            ends = [month_end(e) + timedelta(days=1) for e in spans["end_month"]]
            fig.add_bar(
                y=spans["code"], base=[s.isoformat() for s in spans["start_month"]],
                x=[(e - s).days * 86_400_000 for s, e in zip(spans["start_month"], ends, strict=True)],
                orientation="h", name=name, legendgroup=area, marker_color=AREA_COLOURS.get(area),
                customdata=list(zip(spans["start_text"], spans["end_text"], strict=True)),
                hovertemplate="%{y}: %{customdata[0]} – %{customdata[1]}<extra></extra>",
            )
        starts = rows[rows["end_month"].isna()]
        if len(starts):
            fig.add_scatter(
                y=starts["code"], x=[s.isoformat() for s in starts["start_month"]], mode="markers",
                name=name, legendgroup=area, showlegend=not len(spans),
                marker={
                    "color": AREA_COLOURS.get(area), "size": 14, "line": {"width": 2, "color": AREA_COLOURS.get(area)},
                    "symbol": ["triangle-right" if d else "triangle-right-open" for d in starts["decided"]],
                },
                customdata=starts["start_text"],
                hovertemplate="%{y}: " + t("chart.timeline.start_only", lang) + " %{customdata}<extra></extra>",
            )
    lo = date(int(dated["start_month"].min().year), 1, 1) if len(dated) else today
    hi = max([month_end(e) for e in dated["end_month"].dropna()] + list(dated["start_month"]), default=today)
    hi = date(hi.year + 1, 1, 1)
    if lo <= today <= hi:
        fig.add_shape(type="line", x0=today.isoformat(), x1=today.isoformat(), y0=0, y1=1, yref="paper",
                      line={"color": INK, "width": 2, "dash": "dot"})
        fig.add_annotation(x=today.isoformat(), y=1, yref="paper",
                           text=t("chart.today", lang, date=fmt_date(today, lang)),
                           showarrow=False, yanchor="bottom")
    else:
        fig.add_annotation(x=1, xref="paper", y=1, yref="paper", xanchor="right", yanchor="bottom", showarrow=False,
                           text=t("chart.today_outside", lang, date=fmt_date(today, lang)))
    fig.update_layout(
        title=t("chart.timeline.title", lang), barmode="overlay", height=max(420, 24 * len(dated) + 160),
        xaxis={"type": "date", "range": [lo.isoformat(), hi.isoformat()], "title": t("chart.timeline.x", lang),
                   "dtick": "M6", "tickformat": "%Y-%m"},
        yaxis={"title": t("chart.timeline.y", lang), "type": "category", "categoryorder": "array",
                   "categoryarray": list(dated["code"])},
        margin={"t": 110},
    )
    return fig
