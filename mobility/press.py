"""The press view's figures: the plan's headline numbers, publishable as they are.

Built from the same reports as the CLI (``targets_report``, ``budget_report``) so the magazine and the dashboard
never disagree. Counts under five can identify people, so a publishable count below that is shown as "<5".
"""

from dataclasses import dataclass
from datetime import date

import plotly.graph_objects as go
from sqlalchemy import Engine

from mobility import budget, targets
from mobility.activities import activity_table
from mobility.charts import mark_example
from mobility.charts_budget import burn_chart
from mobility.charts_targets import target_chart
from mobility.examples import example_counts
from mobility.i18n import fmt_date, fmt_int, fmt_number, fmt_pct, fmt_sek, t

SMALL_COUNT = 5
SOURCE = "International Office, Mittuniversitetet"


def publishable_count(n: int | None, lang: str) -> str:
    """A count as it may be printed: "<5" below the threshold, the number otherwise."""
    if n is None:
        return "–"
    return "<5" if n < SMALL_COUNT else fmt_int(n, lang)


@dataclass(frozen=True)
class Headline:
    key: str  # press.<key>.label / .definition in the locale files
    value: str
    detail: str
    status: str | None = None  # a target's status word, or None


def headlines(*, target_figures: dict, budget_figures: dict, activities_done: int, activities_total: int,
              lang: str) -> list[Headline]:
    """Outgoing students vs target, Erasmus teachers vs target, balance, budget used, activities done."""
    by_code = {row["code"]: row for row in target_figures.get("targets", [])}
    out = []
    for code in ("A", "B"):
        row = by_code.get(code)
        if row is None:
            continue
        out.append(Headline(
            key=f"target_{code.lower()}",
            value=publishable_count(row["value"], lang),
            detail=t("press.vs_target", lang, target=publishable_count(row["target"], lang),
                     year=row["target_year"], baseline=publishable_count(row["baseline"], lang),
                     baseline_year=row["baseline_year"]),
            status=row["status"],
        ))
    balance = target_figures.get("balance") or {}
    ratio = balance.get("ratio")
    out.append(Headline(
        key="balance",
        value="–" if ratio is None else fmt_number(ratio, lang, 2),
        detail=t("press.balance_detail", lang, outgoing=publishable_count(balance.get("outgoing"), lang),
                 incoming=publishable_count(balance.get("incoming"), lang)),
    ))
    total = budget_figures["total"]
    used = 100 * total["spent"] / total["allocated"] if total["allocated"] else None
    out.append(Headline(
        key="budget", value=fmt_pct(used, lang, 0),
        detail=t("press.budget_detail", lang, spent=fmt_sek(total["spent"], lang),
                 allocated=fmt_sek(total["allocated"], lang)) + (
            f" ({t('money.not_decided_short', lang, amount=fmt_sek(total['not_decided'], lang))})"
            if total["not_decided"] else ""),
    ))
    out.append(Headline(
        key="activities", value=f"{activities_done}/{activities_total}",
        detail=t("press.activities_detail", lang, pct=fmt_pct(100 * activities_done / activities_total, lang, 0)),
    ))
    return out


def suppress_small_counts(fig: go.Figure) -> go.Figure:
    """Hide every plotted count under five: the point goes, a "<5" label sits low on the axis, hovers are off."""
    labels = []
    for trace in fig.data:
        ys = list(trace.y) if trace.y is not None else []
        small = [y is not None and y < SMALL_COUNT for y in ys]
        if not any(small):
            continue
        trace.y = [None if hide else y for y, hide in zip(ys, small, strict=True)]
        if trace.text is not None and not isinstance(trace.text, str):
            trace.text = ["<5" if hide else text for text, hide in zip(trace.text, small, strict=True)]
        labels += [x for x, hide in zip(trace.x, small, strict=True) if hide]
    if labels:
        fig.add_scatter(x=labels, y=[SMALL_COUNT / 2] * len(labels), mode="text", text=["<5"] * len(labels),
                        showlegend=False, hoverinfo="skip")
    fig.update_traces(hoverinfo="skip", hovertemplate=None)
    return fig


def stamp_source(fig: go.Figure, *, lang: str, as_of) -> go.Figure:
    """The source and the data date on the image itself, so a chart cut out for print keeps them."""
    fig.add_annotation(text=t("press.source_line", lang, source=SOURCE, date=fmt_date(as_of, lang)),
                       name="source-line", xref="paper", yref="paper", x=0, y=-0.4, xanchor="left", yanchor="top",
                       showarrow=False,
                       font={"size": 12, "color": "#5b6673"})
    return fig


def press_images(engine: Engine, *, lang: str, as_of: date) -> list[tuple[str, dict[str, str], str]]:
    """(chart key, {"tall": SVG, "short": SVG}, alt text) of the press view's charts in the print layout, as the
    screen shows them: what is on the screen is what the magazine gets."""
    from mobility import exports
    from mobility.print_layout import SCREEN, SCREEN_SHORT, plain

    view = press_view(engine, lang=lang, as_of=as_of)
    by_chart = {"target_a": "target_a", "target_b": "target_b", "budget_burn": "budget"}
    details = {h.key: f"{h.value} ({h.detail})" for h in view.headlines}
    return [(key, {shape: exports.print_image(figure, lang=lang, as_of=as_of, examples=view.examples, size=size,
                                              fmt="svg", source_key=exports.CHARTS[key].source_key).decode("utf-8")
                   for shape, size in (("tall", SCREEN), ("short", SCREEN_SHORT))},
             f"{plain(figure.layout.title.text)}: {details[by_chart[key]]}")
            for key, figure in view.charts]


@dataclass(frozen=True)
class PressView:
    headlines: list[Headline]
    charts: list[tuple[str, go.Figure]]  # (key in exports.CHARTS, figure)
    examples: bool
    year: int | None


def press_view(engine: Engine, *, lang: str, as_of: date) -> PressView:
    """Everything the press view shows on ``as_of``, from the same reports as the CLI."""
    cube = targets.up_to(targets.count_cube(engine), as_of)
    report = targets.report_from_cube(cube, targets.headline_year(cube["year"].unique(), as_of)[0])
    money = budget.budget_report(engine, as_of=as_of)
    table = activity_table(engine, as_of)
    examples = bool(cube["examples"].any()) or money["example"] or bool(example_counts(engine).get("statuschange"))
    done = int((table["status"] == "done").sum())
    figures = headlines(target_figures=report, budget_figures=money, activities_done=done, activities_total=len(table),
                        lang=lang)
    charts = []
    for row in report["targets"]:
        goal = targets.goal(row["code"])
        figure = target_chart(targets.series_from_cube(cube, goal), row, name=goal.name[lang], lang=lang)
        charts.append((f"target_{row['code'].lower()}", suppress_small_counts(figure)))
    burn = burn_chart(budget.cumulative_spend(engine, as_of=as_of), budget.planned_burn(engine, as_of=as_of),
                      lang=lang, scope=t("chart.burn.whole", lang), as_of=as_of,
                      allocated_ore=round(money["total"]["allocated"] * 100))
    charts.append(("budget_burn", burn))
    for _, figure in charts:
        figure.update_layout(height=520, margin={"t": 70, "b": 150, "r": 30}, title_font_size=17,
                             legend={"y": -0.22, "yanchor": "top"})
        figure.update_yaxes(automargin=True)
        stamp_source(figure, lang=lang, as_of=as_of)
        if examples:
            mark_example(figure, lang)
    return PressView(figures, charts, examples, report["year"])
