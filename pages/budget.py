from datetime import date
from textwrap import shorten

import pandas as pd
import streamlit as st

from mobility import activities, budget, exports
from mobility.charts import plotly_config
from mobility.charts_budget import burn_chart
from mobility.i18n import fmt_date, fmt_int, fmt_pct, fmt_sek
from mobility.ui import numbers, shell
from mobility.ui.data import cached_build, cached_query, engine
from mobility.ui.drawn import dataframe as drawn_dataframe
from mobility.ui.drawn import plotly_chart
from mobility.ui.exports import chart_downloads, table_downloads, table_with_downloads
from mobility.ui.numbers import kr_column
from mobility.ui.widgets import url_selectbox


@cached_build
def _position(engine, as_of: date, area: str | None) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Every activity's position, the area's rows, and their totals per area: shared frames, read and never changed."""
    table = budget.budget_table(engine, as_of=as_of)
    shown = table[table["area"] == area] if area else table
    return table, shown, budget.area_totals(shown)


@cached_build
def _burn(engine, code: str | None, area: str | None, year: int | None, as_of: date, lang: str, scope: str,
          allocated_ore: int | None):
    """A burn chart and the two figures its text alternative names: built once per data version, shared."""
    spend = budget.cumulative_spend(engine, activity=code, area=None if code else area, year=year, as_of=as_of)
    planned = budget.planned_burn(engine, activity=code, area=None if code else area, year=year, as_of=as_of)
    period = (date(year, 1, 1), date(year + 1, 1, 1)) if year else None
    figure = burn_chart(spend, planned, lang=lang, scope=scope, as_of=as_of, allocated_ore=allocated_ore,
                        period=period)
    spent_now = int(spend["cumulative_ore"].iloc[-1]) if len(spend) else 0
    planned_now = planned.loc[planned["date"] <= as_of, "planned_ore"]
    return figure, spent_now, planned_now.iloc[-1] if len(planned_now) else 0


ctx = shell.page("budget")
lang, t = ctx.lang, ctx.t


def kr(ore, *, exact: bool = False) -> str:
    """Öre → ``1 560 500 kr``; ``exact`` keeps the öre when there are any."""
    if ore is None or pd.isna(ore):
        return ""
    return fmt_sek(int(ore) / 100, lang, ore=exact and int(ore) % 100 != 0)


PCT_FORMAT = numbers.PCT_FORMAT[lang]


def kronor(values, *, ore: bool = False) -> pd.Series:
    """Öre → kronor as numbers for a "(kr)" column: whole kronor (Int64), or to the öre (Float64) in the ledger."""
    kr = pd.array([None if v is None or pd.isna(v) else int(v) for v in values], dtype="Float64") / 100
    return kr if ore else kr.round().astype("Int64")


def notes(flags, changed: bool) -> str:
    """Over budget leads, with a warning sign: the row reads differently, not only its bar."""
    words = [("⚠ " + t("budget.flag.over_budget").upper()) if f == "over_budget" else t(f"budget.flag.{f}")
             for f in sorted(flags, key=lambda f: f != "over_budget")]
    return ", ".join(words + ([t("budget.flag.changed")] if changed else []))


def flagged(shown: pd.DataFrame, flag: str, detail) -> str:
    rows = shown[shown["flags"].map(lambda f: flag in f)]
    return ", ".join(f"**{r.code}** ({detail(r)})" for r in rows.itertuples())


@cached_build
def _tables(engine, as_of: date, area: str | None, lang: str) -> dict:
    """The warnings and the two tables as drawn, once per data version, view and language (this run's ``t``, ``kr``
    and ``area_names`` are in ``lang``: a miss is built by a run of that language)."""
    _table, shown, areas = _position(as_of, area)
    return {
        "over": flagged(shown, "over_budget", lambda r: f"{kr(r.spent_ore, exact=True)} / {kr(r.allocated_ore)}"),
        "unfunded": flagged(shown, "unfunded_spend", lambda r: kr(r.spent_ore, exact=True)),
        "idle": flagged(shown, "idle", lambda r: kr(r.allocated_ore)),
        "areas": pd.DataFrame({
            t("budget.col.area"): [f"{c} {area_names[c]}" for c in areas["area"]],
            t("budget.col.allocated"): kronor(areas["allocated_ore"]),
            t("budget.col.decided"): kronor(areas["decided_ore"]),
            t("budget.col.not_decided"): kronor(areas["not_decided_ore"]),
            t("budget.col.spent"): kronor(areas["spent_ore"]),
            t("budget.col.remaining"): kronor(areas["remaining_ore"]),
            t("budget.col.burn"): pd.array([100 * s / a if a else None for s, a in zip(areas["spent_ore"],
                                            areas["allocated_ore"], strict=True)], dtype="Float64"),
        }),
        "activities": pd.DataFrame({
            t("budget.col.code"): shown["code"],
            t("budget.col.title"): shown[f"title_{lang}"],
            t("budget.col.plan"): kronor(shown["plan_ore"]),
            t("budget.col.allocated"): kronor(shown["allocated_ore"]),
            t("budget.col.spent"): kronor(shown["spent_ore"]),
            t("budget.col.remaining"): kronor(shown["remaining_ore"]),
            t("budget.col.burn"): pd.array(list(shown["burn_pct"]), dtype="Float64"),
            t("budget.col.flags"): [notes(f, c) for f, c in zip(shown["flags"], shown["changed"], strict=True)],
        }),
    }


summaries = cached_query(activities.area_summaries)()
area_names = {a.code: getattr(a, f"name_{lang}") for a in summaries}
ledger = cached_query(budget.ledger_summary)()

ctx.heading(t("budget.title"))
st.caption(t("budget.lead"))
if ctx.actor.can_edit:  # IO records spending on a page of its own, without scrolling past the charts
    st.page_link("pages/spending.py", label=t("spending.link"), icon=":material/receipt_long:",
                 query_params=shell.lang_param(lang))
f1, f2, _ = st.columns([2, 2, 3])
area = url_selectbox(t("budget.filter.area"), list(area_names), key="area", lang=lang, container=f1,
                     format_func=lambda c: f"{c} {area_names[c]}", placeholder=t("common.all"))
funded_from, funded_to = cached_query(budget.funded_period)()
last_spend_year = ledger["last_date"].year if ledger["last_date"] else 0
plan_years = list(range(funded_from.year, max(funded_to.year + 1, last_spend_year) + 1))
year = url_selectbox(t("budget.filter.year"), plan_years, key="year", lang=lang, container=f2,
                     placeholder=t("common.all"))
as_of = budget.position_date(year, ctx.as_of)
table, shown, areas = _position(as_of, area)
titles = dict(zip(table["code"], table[f"title_{lang}"], strict=True))

if ledger["example_entries"]:
    st.info(f"**{t('example.badge')}** – " + t("budget.example_note", n=ledger["example_entries"]),
            icon=":material/science:")

# Key figures and warnings --------------------------------------------------------------------------------------
allocated = int(shown["allocated_ore"].fillna(0).sum())
spent = int(shown["spent_ore"].sum())
if as_of != ctx.as_of:  # a year filter moves the position to that year's end; the heading says the page's date
    st.caption(t("budget.as_of", date=fmt_date(as_of, lang)))
m1, m2, m3 = st.columns(3)
m1.metric(t("budget.allocated"), kr(allocated), border=True)
m2.metric(t("budget.spent"), kr(spent), border=True,
          help=t("budget.spent_share", pct=fmt_pct(100 * spent / allocated, lang)) if allocated else None)
m3.metric(t("budget.remaining"), kr(allocated - spent), border=True)
not_decided = int(areas["not_decided_ore"].sum())
if not_decided:  # the plan left 2018 undecided: say how much of the total is not yet money
    m1.caption(t("money.decided_split", decided=kr(allocated - not_decided), not_decided=kr(not_decided)))
for row in areas[areas["unnumbered"].map(bool)].itertuples():
    m1.caption(t("money.unnumbered", codes=", ".join(row.unnumbered), area=row.area))

drawn = _tables(as_of, area, lang)  # shared: drawn as they are, never changed
over, unfunded, idle = drawn["over"], drawn["unfunded"], drawn["idle"]
if over:
    st.error(t("budget.warn.over", items=over), icon=":material/warning:")
if unfunded:
    st.warning(t("budget.warn.unfunded", items=unfunded), icon=":material/money_off:")
if idle:
    st.warning(t("budget.warn.idle", items=idle), icon=":material/hourglass_empty:")
if not (over or unfunded or idle):
    st.success(t("budget.all_well"), icon=":material/check_circle:")

# Per area ------------------------------------------------------------------------------------------------------
progress = st.column_config.ProgressColumn(t("budget.col.burn"), format=PCT_FORMAT, min_value=0, max_value=100,
                                           width="medium")
st.header(t("budget.areas"), divider="gray")
areas_frame = drawn["areas"]
table_with_downloads(
    areas_frame,
    stem=f"budget-omraden-{as_of.isoformat()}" if lang == "sv" else f"budget-areas-{as_of.isoformat()}",
    sheet="areas", lang=lang,
    hide_index=True, width="stretch", alt=t("budget.areas"),
    column_config={t("budget.col.burn"): progress,
                   **{t(f"budget.col.{c}"): kr_column(t(f"budget.col.{c}"), lang)
                      for c in ("allocated", "decided", "not_decided", "spent", "remaining")}},
)

# Per activity --------------------------------------------------------------------------------------------------
st.header(t("budget.activities"), divider="gray")


activity_rows = drawn["activities"]
drawn_dataframe(
    activity_rows, hide_index=True, width="stretch", height="content", alt=t("budget.activities"), placeholder="–",
    column_config={
        t("budget.col.code"): st.column_config.TextColumn(width=45),
        t("budget.col.title"): st.column_config.TextColumn(width=230),
        **{t(f"budget.col.{c}"): kr_column(t(f"budget.col.{c}"), lang)
           for c in ("plan", "allocated", "spent", "remaining")},
        t("budget.col.burn"): st.column_config.ProgressColumn(t("budget.col.burn"), format=PCT_FORMAT, min_value=0,
                                                               max_value=100, width=130),
        t("budget.col.flags"): st.column_config.TextColumn(width=190),
    },
)
st.caption(t("budget.table_caption"))
stem = f"budget-mobilitetsplan-{as_of.isoformat()}{'-' + area if area else ''}"
# The house order and wording of table downloads (as table_downloads): CSV, then Excel
downloads = st.container(horizontal=True)
downloads.download_button(t("common.download_csv"), data=lambda: exports.to_csv(activity_rows),
                          file_name=f"{stem}.csv", mime="text/csv", on_click="ignore", icon=":material/download:",
                          key="csv-budget-activities")
downloads.download_button(
    t("export.download_xlsx"), data=lambda: budget.budget_xlsx(shown, lang=lang), file_name=f"{stem}.xlsx",
    mime=exports.XLSX_MIME, on_click="ignore", icon=":material/table_view:", key="xlsx-budget-activities",
)

# Spending over time --------------------------------------------------------------------------------------------
st.header(t("budget.burn"), divider="gray")
funded = f"{fmt_date(funded_from, lang)} – {fmt_date(funded_to, lang)}"


def draw_burn(code: str | None, scope: str, allocated_ore: int | None, filename: str, variant: str) -> None:
    figure, spent_now, planned_now = _burn(code, area, year, as_of, lang, scope, allocated_ore)
    alt = t("chart.burn.title", scope=scope) + ". " + t(
        "chart.burn.alt", spent=kr(spent_now, exact=True), planned=kr(planned_now),
        date=fmt_date(as_of, lang), allocated=kr(allocated_ore) or "–",
    )
    plotly_chart(figure, theme=None, width="stretch", config=plotly_config(filename), alt=alt)
    chart_downloads("budget_burn", figure, lang=lang, as_of=as_of, examples=bool(ledger["example_entries"]),
                    variant="-".join(str(p) for p in (variant, year) if p))


scope = t("chart.burn.area", area=f"{area} {area_names[area]}") if area else t("chart.burn.whole")
draw_burn(None, scope, allocated, f"budget-forbrukning-{area or 'hela-planen'}-{lang}", area or "")
funded_codes = [c for c, a in zip(shown["code"], shown["allocated_ore"], strict=True) if not pd.isna(a)]
code = url_selectbox(t("budget.burn.pick"), list(table["code"]), key="activity", lang=lang,  # a link stays valid
                     default=funded_codes[0] if funded_codes else shown["code"].iloc[0],
                     format_func=lambda c: f"{c} – {titles[c][:90]}")
if code:
    row = table[table["code"] == code].iloc[0]
    if pd.isna(row["allocated_ore"]):
        st.caption(t("budget.burn.no_allocation", code=code))
    draw_burn(code, f"{code} {shorten(titles[code], 60, placeholder=' …')}", None if pd.isna(row["allocated_ore"])
              else int(row["allocated_ore"]), f"budget-forbrukning-{code}-{lang}", code)
st.caption(t("budget.burn.caption", funded=funded))

# The ledger ----------------------------------------------------------------------------------------------------
st.header(t("budget.ledger"), divider="gray")
SHOWN = 50  # one page of the ledger, newest first; the downloads hold every entry of the selection
total = cached_query(budget.ledger_count)(area=area)
pages = max(1, -(-total // SHOWN))
page_no = 1
if pages > 1:
    page_no = int(st.number_input(t("budget.ledger.page", pages=fmt_int(pages, lang)), min_value=1, max_value=pages,
                                  value=1, step=1, key="l_page", bind="query-params", width=200))


@cached_build
def _ledger_page(engine, area: str | None, page_no: int, lang: str) -> pd.DataFrame:
    """One page of the ledger as drawn, once per data version, page and language (a miss is built by a run in
    ``lang``: this run's ``t``)."""
    entries = budget.ledger_entries(engine, area=area, limit=SHOWN, offset=(page_no - 1) * SHOWN)
    return pd.DataFrame({
        t("budget.col.date"): pd.to_datetime(entries["spent_on"]),
        t("budget.col.code"): entries["activity"],
        t("budget.col.amount"): kronor(entries["amount_ore"], ore=True),
        t("budget.col.description"): entries["description"],
        t("budget.col.reference"): entries["reference"],
        t("budget.col.source"): [t(f"budget.source.{s}") for s in entries["source"]],
        t("budget.col.entered_by"): entries["entered_by"],
    })


entries = _ledger_page(area, page_no, lang)
if len(entries):
    drawn_dataframe(
        entries, hide_index=True, width="stretch", alt=t("budget.ledger"),
        column_config={t("budget.col.date"): st.column_config.DateColumn(format="YYYY-MM-DD"),
                       t("budget.col.amount"): kr_column(t("budget.col.amount"), lang, ore=True)},
    )
    first = (page_no - 1) * SHOWN + 1
    st.caption(t("budget.ledger.caption", first=fmt_int(first, lang), last=fmt_int(first + len(entries) - 1, lang),
                 total=fmt_int(total, lang)))
    # The whole selection, read only when a file is asked for (50 000 rows are not read on every run)
    table_downloads(lambda: budget.ledger_entries(engine(), area=area, limit=None), lang=lang, sheet="ledger",
                    stem=f"{'utgifter' if lang == 'sv' else 'spending'}{'-' + area if area else ''}")
else:
    st.caption(t("budget.ledger.empty"))
ctx.source_line(as_of)  # the position's date: a year filter moves it to that year's end
if not ctx.actor.can_edit:
    st.caption(t("auth.edit_hint"))
