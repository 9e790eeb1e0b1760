import pandas as pd
import streamlit as st

from mobility import indicators, targets
from mobility.charts import plotly_config
from mobility.charts_targets import (
    STATUS_ICONS,
    balance_chart,
    fmt_target,
    mix_chart,
    national_comparison_chart,
    target_chart,
)
from mobility.counts import FACULTIES, LEVELS, PROGRAMMES
from mobility.i18n import fmt_date, fmt_int, fmt_number, fmt_pct
from mobility.ui import shell
from mobility.ui.data import cached_build, cached_query
from mobility.ui.drawn import plotly_chart
from mobility.ui.exports import chart_downloads
from mobility.ui.numbers import count_column
from mobility.ui.widgets import url_segmented, url_selectbox


@cached_build
def _report_and_figures(engine, view: dict, year: int, lang: str) -> tuple[dict, dict]:
    """The chosen year's report and the page's figures: built once per data version and view, shared by sessions."""
    data = cached_build(targets.targets_page)(**view)
    report = targets.report_from_cube(data["cube"], year)
    academic = view["academic"]
    figures = {g.code: target_chart(data["series"][g.code], row, name=g.name[lang], lang=lang, academic=academic)
               for g, row in zip(targets.plan_goals()["targets"], report["targets"], strict=True)}
    figures["balance"] = balance_chart(data["balance"], lang=lang, academic=academic,
                                       goal_ratio=targets.plan_goals()["balance"]["goal_ratio"])
    figures["mix"] = mix_chart(data["composition"], lang=lang, academic=academic)
    figures["national"] = None if data["national"].empty else national_comparison_chart(data["national"], lang=lang)
    return report, figures


ctx = shell.page("targets")
lang, t = ctx.lang, ctx.t
STATUS_MARKS = {"achieved": "green", "on_track": "blue", "behind": "orange", "at_risk": "red", "no_data": "gray"}

ctx.heading(t("targets.title"))
st.caption(t("targets.lead"))

f1, f2, f3, f4, f5 = st.columns([1.6, 1, 1, 1, 1])  # room for "Academic year" at 1400 px
basis = url_segmented(t("targets.filter.basis"), ["calendar", "academic"], key="basis", lang=lang, default="calendar",
                      format_func=lambda b: t(f"targets.basis.{b}"), container=f1)
faculty = url_selectbox(t("counts.faculty"), [f for f in FACULTIES if f], key="faculty", lang=lang, container=f2,
                        format_func=lambda f: t(f"counts.faculty.{f}"), placeholder=t("common.all"))
programme = url_selectbox(t("counts.col.programme"), PROGRAMMES, key="programme", lang=lang, container=f3,
                          format_func=lambda p: t(f"counts.programme.{p}"), placeholder=t("common.all"))
level = url_selectbox(t("counts.level"), [v for v in LEVELS if v], key="level", lang=lang, container=f4,
                      format_func=lambda v: t(f"counts.level.{v}"), placeholder=t("common.all"))
academic = basis == "academic"
view = {"as_of": ctx.as_of, "academic": academic, "faculty": faculty, "programme": programme, "level": level}
data = cached_build(targets.targets_page)(**view)  # shared: read here, never changed
if not data["years"]:
    st.info(t("targets.no_data"))
    st.stop()
if st.query_params.get("t_year", "").isdigit() and int(st.query_params["t_year"]) not in data["years"]:
    del st.query_params["t_year"]  # a year of the other basis (or filter) is not an error: show the latest instead
headline, reason = data["headline"]
year = url_selectbox(t("targets.filter.year"), data["years"], key="t_year", lang=lang, default=headline,
                     container=f5, format_func=lambda y: targets.year_label(y, academic))
report, figures = _report_and_figures(view, year, lang)
label = targets.year_label(year, academic)
if year == headline:  # say plainly which year the figures are for, and why that one
    st.caption(t(f"targets.year_reason.{reason}", year=label, date=fmt_date(ctx.as_of, lang)))

if data["examples"]:
    st.markdown(f":orange-badge[:material/science: {t('example.badge')}] {t('targets.example_note')}")
chosen = [t(f"counts.faculty.{faculty}") if faculty else None,
          t(f"counts.programme.{programme}") if programme else None, t(f"counts.level.{level}") if level else None]
if any(chosen):
    st.info(t("targets.filtered_note", what=", ".join(c for c in chosen if c))
            + (f" {t('labels.faculty_split')}" if faculty else ""))
basis_note = t(f"targets.caption.basis_{basis}")
file_suffix = f"{'lasar' if academic else 'kalenderar'}-{lang}"
# A filtered view names what it shows; the plain view is the registered chart, the same file export-charts writes.
variant = "-".join(([t("targets.basis.academic")] if academic else []) + [c for c in (faculty, programme, level) if c])
examples = bool(data["examples"])
print_date = ctx.as_of  # the view's as-of date, on every image it exports

# Targets A and B -----------------------------------------------------------------------------------------------
st.header(t("targets.section.targets"), divider="gray")
goals = targets.plan_goals()["targets"]
for column, g, row in zip(st.columns(len(goals)), goals, report["targets"], strict=True):
    with column.container(border=True):
        name = g.name[lang]
        status = row["status"]
        st.subheader(f"{g.code} · {name}")
        st.markdown(f":{STATUS_MARKS[status]}[**{STATUS_ICONS[status]} {t(f'targets.status.{status}')}**]")
        st.markdown(
            t("targets.headline", year=label, value=fmt_int(row["value"], lang),
              target=fmt_target(row["target"], lang),
              target_year=targets.year_label(g.target_year, academic))
            + "  \n" + t("targets.headline.baseline", year=targets.year_label(g.baseline_year, academic),
                         value=fmt_int(row["baseline"], lang))
            + "  \n" + t("targets.headline.progress", progress=fmt_pct(row["progress_pct"], lang),
                         expected=fmt_pct(row["expected_pct"], lang))
        )
        figure = figures[g.code]
        plotly_chart(figure, theme=None, width="stretch", key=f"target-{g.code}",
                        config=plotly_config(f"mal-{g.code}-{file_suffix}"),
                        alt=t("targets.chart.title", code=g.code, name=name))
        chart_downloads(f"target_{g.code.lower()}", figure, lang=lang, as_of=print_date, examples=examples,
                        variant=variant)
        st.caption(f"**{t('targets.definition')}:** {g.definition[lang]} {basis_note} "
                   f"{t('targets.caption.expected')}")
st.caption(t("targets.status.rule"))

# Balance -------------------------------------------------------------------------------------------------------
balance_spec = targets.plan_goals()["balance"]
st.header(t("targets.section.balance"), divider="gray")
b = report["balance"]
st.markdown(t("targets.balance.headline", year=label, ratio=fmt_number(b["ratio"], lang, 2),
              outgoing=fmt_int(b["outgoing"], lang), incoming=fmt_int(b["incoming"], lang),
              goal=fmt_number(balance_spec["goal_ratio"], lang, 1)))
figure = figures["balance"]
plotly_chart(figure, theme=None, width="stretch", key="balance", config=plotly_config(f"balans-{file_suffix}"),
                alt=t("targets.balance.title"))
chart_downloads("balance", figure, lang=lang, as_of=print_date, examples=examples, variant=variant)
st.caption(f"**{t('targets.definition')}:** {balance_spec['definition'][lang]} {basis_note}")
st.caption(f":material/info: {t('labels.balance')}")

# Mix (goal D) --------------------------------------------------------------------------------------------------
mix_spec = targets.plan_goals()["composition"]
st.header(t("targets.section.mix"), divider="gray")
parts = report["composition"]
total = sum(parts.values())
st.markdown(t("targets.mix.headline", year=label, parts=" · ".join(
    f"{t(f'targets.mix.{p}')} **{fmt_int(n, lang)}** ({fmt_pct(100 * n / total if total else None, lang, 0)})"
    for p, n in parts.items())))
figure = figures["mix"]
plotly_chart(figure, theme=None, width="stretch", key="mix", config=plotly_config(f"sammansattning-{file_suffix}"),
                alt=t("targets.mix.title"))
chart_downloads("mix", figure, lang=lang, as_of=print_date, examples=examples, variant=variant, all_charts=True)
st.caption(f"**{t('targets.definition')}:** {mix_spec['definition'][lang]} {basis_note}")

# Without a numeric target ---------------------------------------------------------------------------------------
st.header(t("indicators.title"), divider="gray")
years, rows = indicators.table(cached_query(indicators.yearly)(ctx.as_of))
if years:
    # Counts stay numbers (they sort as numbers); the browser writes them in the page's language
    st.dataframe({t("indicators.col.indicator"): [t(f"indicators.{key}") for key in rows],
                  **{str(y): pd.array([values[n] for values in rows.values()], dtype="Int64")
                     for n, y in enumerate(years)}},
                 hide_index=True, width="stretch", placeholder="–", alt=t("indicators.title"),
                 column_config={str(y): count_column(str(y), lang) for y in years})
else:
    st.caption(t("indicators.none"))
st.caption(t("indicators.lead"))

# Sweden --------------------------------------------------------------------------------------------------------
st.header(t("targets.section.national"), divider="gray")
if data["national"].empty:
    st.info(t("targets.national.none"))
else:
    figure = figures["national"]
    plotly_chart(figure, theme=None, width="stretch", key="national",
                    config=plotly_config(f"miun-och-sverige-nationellt-{lang}"), alt=t("targets.national.title"))
    national_variant = "-".join(c for c in (faculty, programme, level) if c)  # always per academic year
    chart_downloads("national", figure, lang=lang, as_of=print_date, examples=examples, variant=national_variant)
    sources = ", ".join(f"[{y}]({u})" for y, u in cached_query(targets.national_sources)())
    st.caption(t("targets.national.caption", sources=sources))

ctx.source_line(data["updated_at"])  # one for the whole page, not one per chart
