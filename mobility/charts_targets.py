"""Figures for the target page (data in, go.Figure out): a target's path, the balance, the mix, Sweden vs Miun."""

import pandas as pd
import plotly.graph_objects as go

from mobility.charts import INK
from mobility.i18n import fmt_int, fmt_number, fmt_pct, t
from mobility.targets import year_label

# Status colours always come with the status word (never colour alone).
STATUS_COLOURS = {"achieved": "#3c8d40", "on_track": "#00487a", "behind": "#e07b00", "at_risk": "#c0392b",
                  "no_data": "#8a96a3"}
STATUS_ICONS = {"achieved": "✔", "on_track": "➜", "behind": "▲", "at_risk": "✖", "no_data": "–"}
MIUN, NATIONAL, OUT, IN = "#00487a", "#8a96a3", "#00487a", "#e07b00"
MIX_COLOURS = {"exchange": "#00487a", "fee_paying": "#e07b00", "no_fee": "#5a9a3c"}
# Series told apart without colour too (a greyscale print, colour blindness): a fill pattern per bar series,
# a marker shape per line. Solid, hatched and dotted bars; circles for Miun, squares for Sweden.
MIX_PATTERNS = {"exchange": "", "fee_paying": "/", "no_fee": "."}
BALANCE_PATTERNS = {"incoming": "", "outgoing": "/"}
WHO_SYMBOLS = {"university": "circle", "national": "square"}
# Below the x-axis title, so the two never overlap.
LEGEND = {"legend": {"y": -0.2, "yanchor": "top"}, "margin": {"b": 100}}


def fmt_target(value: float | None, lang: str) -> str:
    """125 stays 125; 127.5 keeps its decimal (reaching it takes 128)."""
    if value is None:
        return "–"
    return fmt_int(value, lang) if float(value).is_integer() else fmt_number(value, lang)


def _x_axis(years, academic: bool, lang: str) -> dict:
    years = sorted(years)
    return {"title": t("targets.axis.academic" if academic else "targets.axis.calendar", lang), "tickmode": "array",
            "tickvals": years, "ticktext": [year_label(y, academic) for y in years],
            "range": [years[0] - 0.6, years[-1] + 0.6] if years else None}


def _pattern(shape: str, colour: str) -> dict:
    """A faint white pattern over the bar's colour (an empty shape: a solid bar), faint so the numbers in the bars
    stay readable."""
    return {"shape": shape, "bgcolor": colour, "fgcolor": "white", "fgopacity": 0.4, "solidity": 0.2, "size": 10}


def target_chart(series: pd.DataFrame, report: dict, *, name: str, lang: str, academic: bool = False,
                 unit: str = "") -> go.Figure:
    """Yearly values, the straight expected path from baseline to target, and the target itself."""
    fig = go.Figure()
    by = report["baseline_year"]
    years = list(series["year"]) + [by, report["target_year"]]
    if report["baseline"] is not None:
        fig.add_scatter(
            x=[by, report["target_year"]], y=[report["baseline"], report["target"]], mode="lines",
            name=t("targets.chart.expected", lang), line={"color": INK, "dash": "dash", "width": 2},
            hovertemplate="%{y:.1f}<extra></extra>",
        )
        fig.add_scatter(
            x=[report["target_year"]], y=[report["target"]], mode="markers+text", name=t("targets.chart.target", lang),
            marker={"symbol": "star", "size": 16, "color": STATUS_COLOURS["achieved"]},
            text=[t("targets.chart.target_label", lang, value=fmt_target(report["target"], lang))],
            textposition="top left", hovertemplate="%{y:.1f}<extra></extra>",
        )
    fig.add_scatter(
        x=series["year"], y=series["value"], mode="lines+markers+text", name=t("targets.chart.actual", lang),
        line={"color": MIUN, "width": 3}, marker={"size": 9, "symbol": "circle"},
        text=[fmt_int(v, lang) for v in series["value"]],
        # beside, not under, the target year's point: under it the label sits on the target star
        textposition=["middle right" if y == report["target_year"] else "bottom center" for y in series["year"]],
        hovertemplate="%{y}<extra></extra>",
    )
    status = report["status"]
    fig.update_layout(
        title=t("targets.chart.title", lang, code=report["code"], name=name),
        xaxis=_x_axis(years, academic, lang),
        yaxis={"title": unit or t("targets.axis.count", lang),
               "range": [0, 1.2 * max([1, report["target"] or 0, *series["value"]])]},
        annotations=[{
            "x": 1, "xref": "paper", "y": 1.02, "yref": "paper", "xanchor": "right", "yanchor": "bottom",
            "showarrow": False, "font": {"color": STATUS_COLOURS[status], "size": 15},
            "text": f"{STATUS_ICONS[status]} {t(f'targets.status.{status}', lang)}",
        }],
        height=440, **LEGEND,
    )
    return fig


def balance_chart(balance: pd.DataFrame, *, lang: str, academic: bool = False, goal_ratio: float = 1.0) -> go.Figure:
    """Incoming and outgoing exchange students as bars, their ratio as a line against the goal 1.0."""
    fig = go.Figure()
    for side, colour in (("incoming", IN), ("outgoing", OUT)):
        fig.add_bar(x=balance["year"], y=balance[side], name=t(f"targets.balance.{side}", lang),
                    marker={"color": colour, "pattern": _pattern(BALANCE_PATTERNS[side], colour)},
                    hovertemplate="%{y}<extra></extra>")
    fig.add_scatter(x=balance["year"], y=balance["ratio"], yaxis="y2", mode="lines+markers+text",
                    name=t("targets.balance.ratio", lang), line={"color": INK, "width": 3},
                    marker={"symbol": "diamond", "size": 9},
                    text=[fmt_number(r, lang, 2) if r == r and r is not None else "" for r in balance["ratio"]],
                    textposition="top center", hovertemplate="%{y:.2f}<extra></extra>")
    fig.add_scatter(x=list(balance["year"]), y=[goal_ratio] * len(balance), yaxis="y2", mode="lines",
                    name=t("targets.balance.goal", lang, goal=fmt_number(goal_ratio, lang, 1)),
                    line={"color": STATUS_COLOURS["achieved"], "dash": "dash", "width": 2}, hoverinfo="skip")
    top = max([goal_ratio, *[r for r in balance["ratio"] if r is not None and r == r]]) * 1.2
    fig.update_layout(
        title=t("targets.balance.title", lang), barmode="group", height=420,
        xaxis=_x_axis(balance["year"], academic, lang),
        yaxis={"title": t("targets.axis.students", lang), "rangemode": "tozero"},
        yaxis2={"title": t("targets.balance.ratio_axis", lang), "overlaying": "y", "side": "right", "range": [0, top],
                "showgrid": False, "dtick": 0.25, "tickformat": ".2f"},
        legend=LEGEND["legend"], margin={"r": 80, "b": 100},
    )
    return fig


def mix_chart(mix: pd.DataFrame, *, lang: str, academic: bool = False) -> go.Figure:
    """Incoming students stacked by kind; the share of each kind shows on hover and in the bar."""
    fig = go.Figure()
    parts = [p for p in MIX_COLOURS if p in mix]
    totals = mix[parts].sum(axis=1).replace(0, float("nan"))
    for part in parts:
        shares = 100 * mix[part] / totals
        fig.add_bar(
            x=mix["year"], y=mix[part], name=t(f"targets.mix.{part}", lang),
            marker={"color": MIX_COLOURS[part], "pattern": _pattern(MIX_PATTERNS[part], MIX_COLOURS[part])},
            text=[f"{fmt_int(v, lang)} ({fmt_pct(s, lang, 0)})" if s == s else "" for v, s in zip(mix[part], shares,
                                                                                                      strict=True)],
            textposition="inside", hovertemplate="%{y}<extra></extra>",
        )
    fig.update_layout(title=t("targets.mix.title", lang), barmode="stack", height=420,
                      xaxis=_x_axis(mix["year"], academic, lang),
                      yaxis={"title": t("targets.axis.students", lang), "rangemode": "tozero"}, **LEGEND)
    return fig


def national_comparison_chart(comparison: pd.DataFrame, *, lang: str) -> go.Figure:
    """Miun's trend against Sweden's (index, first common academic year = 100); national lines are labelled so."""
    fig = go.Figure()
    for direction, dash in (("out", "solid"), ("in", "dot")):
        for who, colour in (("university", MIUN), ("national", NATIONAL)):
            rows = comparison[(comparison["direction"] == direction) & (comparison["who"] == who)]
            if rows.empty:
                continue
            fig.add_scatter(
                x=rows["year"], y=rows["index"], mode="lines+markers", line={"color": colour, "dash": dash, "width": 3},
                marker={"symbol": WHO_SYMBOLS[who], "size": 9},
                name=t(f"targets.national.{who}_{direction}", lang), customdata=rows["value"],
                hovertemplate="%{y:.1f} (%{customdata:,.0f})<extra></extra>",
            )
    fig.add_hline(y=100, line={"color": INK, "width": 1})
    years = sorted(set(comparison["year"])) if len(comparison) else []
    fig.update_layout(title=t("targets.national.title", lang), height=440, xaxis=_x_axis(years, True, lang),
                      yaxis={"title": t("targets.national.axis", lang)}, **LEGEND)
    return fig
