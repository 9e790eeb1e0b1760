"""Budget figures (data in, go.Figure out): cumulative spending against the planned straight-line burn."""

from datetime import date, timedelta

import pandas as pd
import plotly.graph_objects as go

from mobility.charts import AREA_COLOURS, GRID, INK  # importing charts also registers the house template
from mobility.i18n import fmt_date, fmt_sek, t

SPENT_COLOUR = AREA_COLOURS["A"]
PLANNED_COLOUR = "#8a96a3"
OVER_COLOUR = "#c0392b"


def separators(lang: str) -> str:
    """Plotly's decimal and thousands separators: 1 560 500,5 in Swedish, 1,560,500.5 in English."""
    return ", " if lang == "sv" else ".,"


def burn_chart(spend: pd.DataFrame, planned: pd.DataFrame, *, lang: str, scope: str, as_of: date,
               allocated_ore: int | None = None, period: tuple[date, date] | None = None) -> go.Figure:
    """Cumulative spending (a step line up to ``as_of``) against the planned burn (dashed) and the allocation.

    ``spend`` is ``budget.cumulative_spend`` (date, cumulative_sek), ``planned`` is ``budget.planned_burn``
    (date, planned_sek); ``scope`` names what is shown ("the whole plan", "B2 …"); ``period`` (first day, day after
    the last) fixes the time axis, e.g. to one year.
    """
    x, y = list(spend["date"]), list(spend["cumulative_sek"])
    px, py = list(planned["date"]), list(planned["planned_sek"])
    if not x or spend["amount_ore"].iloc[0] != 0:  # no carried total: spending starts from nothing
        x, y = [min([*x[:1], *px[:1]], default=as_of), *x], [0.0, *y]
    # Years after the plan are empty: past its last date the as-of day is a note in the corner, not an empty axis.
    last = period[1] if period else max([x[-1], *px[-1:]])
    as_of_shown = as_of <= last + timedelta(days=120)
    end = min(as_of, last) if as_of_shown else last
    if x[-1] < end:
        x, y = [*x, end], [*y, y[-1]]
    if px and px[-1] < last:  # a finished plan stays at its full allocation
        px, py = [*px, last], [*py, py[-1]]
    fig = go.Figure()
    if px:
        fig.add_scatter(
            x=px, y=py, mode="lines", name=t("chart.burn.planned", lang),
            line={"color": PLANNED_COLOUR, "width": 2.5, "dash": "dash"},
            hovertemplate="%{x|%Y-%m-%d}: %{y:,.0f} kr<extra>" + t("chart.burn.planned", lang) + "</extra>",
        )
    over = allocated_ore is not None and y and y[-1] * 100 > allocated_ore
    fig.add_scatter(
        x=x, y=y, mode="lines", line_shape="hv", name=t("chart.burn.actual", lang),
        line={"color": OVER_COLOUR if over else SPENT_COLOUR, "width": 3},
        hovertemplate="%{x|%Y-%m-%d}: %{y:,.2f} kr<extra>" + t("chart.burn.actual", lang) + "</extra>",
    )
    if allocated_ore:
        fig.add_hline(
            y=allocated_ore / 100, line={"color": INK, "width": 1.5, "dash": "dot"},
            annotation={"text": t("chart.burn.allocated", lang, amount=fmt_sek(allocated_ore / 100, lang)),
                        "xanchor": "left", "x": 0, "yanchor": "bottom", "showarrow": False},
        )
    as_of_text = t("common.data_date", lang, date=fmt_date(as_of, lang))
    if as_of_shown:
        fig.add_vline(x=as_of.isoformat(), line={"color": INK, "width": 1.5, "dash": "dot"})
        fig.add_annotation(x=as_of.isoformat(), y=1, yref="paper", xanchor="right", yanchor="bottom", showarrow=False,
                           text=as_of_text)
    else:
        fig.add_annotation(x=1, xref="paper", y=1, yref="paper", xanchor="right", yanchor="bottom", showarrow=False,
                           text=f"{as_of_text} →")
    fig.update_layout(
        title=t("chart.burn.title", lang, scope=scope), separators=separators(lang), height=460,
        xaxis={"type": "date", "title": t("chart.burn.x", lang), "tickformat": "%Y-%m", "gridcolor": GRID,
               "range": [period[0].isoformat(), period[1].isoformat()] if period else None},
        yaxis={"title": t("chart.burn.y", lang), "tickformat": ",.0f", "ticksuffix": " kr", "rangemode": "tozero"},
        margin={"t": 100, "l": 120},
    )
    return fig
