from datetime import date
from textwrap import shorten

import pandas as pd
import streamlit as st

from mobility import activities, budget, exports
from mobility.charts import plotly_config
from mobility.charts_budget import burn_chart
from mobility.i18n import fmt_date, fmt_pct, fmt_sek
from mobility.service import ConcurrentEditError, NotAllowed, ValidationError
from mobility.ui import shell
from mobility.ui.data import cached_query, engine
from mobility.ui.exports import chart_downloads, table_downloads, table_with_downloads
from mobility.ui.widgets import url_selectbox

ctx = shell.page("budget")
lang, t = ctx.lang, ctx.t


def kr(ore, *, exact: bool = False) -> str:
    """Öre → ``1 560 500 kr``; ``exact`` keeps the öre when there are any."""
    if ore is None or pd.isna(ore):
        return ""
    return fmt_sek(int(ore) / 100, lang, ore=exact and int(ore) % 100 != 0)


PCT_FORMAT = "%.0f %%" if lang == "sv" else "%.0f%%"  # 76 % / 76%, as fmt_pct writes them


def cell_sek(ore) -> str:
    """For table cells under a "(kr)" heading: ``1 560 500`` or ``45 049,50``."""
    return kr(ore, exact=True).removesuffix("\u00a0kr")


summaries = cached_query(activities.area_summaries)()
area_names = {a.code: getattr(a, f"name_{lang}") for a in summaries}
ledger = cached_query(budget.ledger_summary)()

st.title(t("budget.title"))
st.caption(t("budget.lead"))
f1, f2, _ = st.columns([2, 2, 3])
area = url_selectbox(t("budget.filter.area"), list(area_names), key="area", lang=lang, container=f1,
                     format_func=lambda c: f"{c} {area_names[c]}", placeholder=t("common.all"))
funded_from, funded_to = cached_query(budget.funded_period)()
last_spend_year = ledger["last_date"].year if ledger["last_date"] else 0
plan_years = list(range(funded_from.year, max(funded_to.year + 1, last_spend_year) + 1))
year = url_selectbox(t("budget.filter.year"), plan_years, key="year", lang=lang, container=f2,
                     placeholder=t("common.all"))
as_of = budget.position_date(year, ctx.today)
table = cached_query(budget.budget_table)(as_of=as_of)
shown = table[table["area"] == area] if area else table
titles = dict(zip(table["code"], table[f"title_{lang}"], strict=True))

if ledger["example_entries"]:
    st.info(f"**{t('example.badge')}** – " + t("budget.example_note", n=ledger["example_entries"]),
            icon=":material/science:")

# Key figures and warnings --------------------------------------------------------------------------------------
allocated = int(shown["allocated_ore"].fillna(0).sum())
spent = int(shown["spent_ore"].sum())
st.caption(t("budget.as_of", date=fmt_date(as_of, lang)))
m1, m2, m3 = st.columns(3)
m1.metric(t("budget.allocated"), kr(allocated), border=True)
m2.metric(t("budget.spent"), kr(spent, exact=True), border=True,
          help=t("budget.spent_share", pct=fmt_pct(100 * spent / allocated, lang)) if allocated else None)
m3.metric(t("budget.remaining"), kr(allocated - spent, exact=True), border=True)


def flagged(flag: str, detail) -> str:
    rows = shown[shown["flags"].map(lambda f: flag in f)]
    return ", ".join(f"**{r.code}** ({detail(r)})" for r in rows.itertuples())


over = flagged("over_budget", lambda r: f"{kr(r.spent_ore, exact=True)} / {kr(r.allocated_ore)}")
unfunded = flagged("unfunded_spend", lambda r: kr(r.spent_ore, exact=True))
idle = flagged("idle", lambda r: kr(r.allocated_ore))
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
areas = budget.area_totals(shown)
table_with_downloads(
    {
        t("budget.col.area"): [f"{c} {area_names[c]}" for c in areas["area"]],
        t("budget.col.allocated"): [cell_sek(v) for v in areas["allocated_ore"]],
        t("budget.col.spent"): [cell_sek(v) for v in areas["spent_ore"]],
        t("budget.col.remaining"): [cell_sek(v) for v in areas["remaining_ore"]],
        t("budget.col.burn"): [100 * s / a if a else None for s, a in zip(areas["spent_ore"], areas["allocated_ore"],
                                                                          strict=True)],
    },
    stem=f"budget-omraden-{as_of.isoformat()}" if lang == "sv" else f"budget-areas-{as_of.isoformat()}",
    sheet="areas", lang=lang,
    hide_index=True, width="stretch", column_config={t("budget.col.burn"): progress}, alt=t("budget.areas"),
)

# Per activity --------------------------------------------------------------------------------------------------
st.header(t("budget.activities"), divider="gray")
activity_rows = pd.DataFrame(
    {
        t("budget.col.code"): shown["code"],
        t("budget.col.title"): shown[f"title_{lang}"],
        t("budget.col.plan"): [cell_sek(v) for v in shown["plan_ore"]],
        t("budget.col.allocated"): [cell_sek(v) + (" *" if c else "") for v, c in zip(shown["allocated_ore"],
                                                                              shown["changed"], strict=True)],
        t("budget.col.spent"): [cell_sek(v) for v in shown["spent_ore"]],
        t("budget.col.remaining"): [cell_sek(v) for v in shown["remaining_ore"]],
        t("budget.col.burn"): shown["burn_pct"],
        t("budget.col.flags"): [", ".join(t(f"budget.flag.{f}") for f in flags) for flags in shown["flags"]],
    }
)
st.dataframe(
    activity_rows, hide_index=True, width="stretch", height="content", alt=t("budget.activities"),
    column_config={
        t("budget.col.code"): st.column_config.TextColumn(width=45),
        t("budget.col.title"): st.column_config.TextColumn(width=230),
        t("budget.col.burn"): st.column_config.ProgressColumn(t("budget.col.burn"), format=PCT_FORMAT, min_value=0,
                                                               max_value=100, width=130),
        t("budget.col.flags"): st.column_config.TextColumn(width=170),
    },
)
st.caption(t("budget.table_caption", date=fmt_date(as_of, lang)))
stem = f"budget-mobilitetsplan-{as_of.isoformat()}{'-' + area if area else ''}"
downloads = st.container(horizontal=True)
downloads.download_button(
    t("budget.download_xlsx"), data=lambda: budget.budget_xlsx(shown, lang=lang), file_name=f"{stem}.xlsx",
    mime=exports.XLSX_MIME, on_click="ignore", icon=":material/download:",
)
downloads.download_button(t("common.download_csv"), data=lambda: exports.to_csv(activity_rows),
                          file_name=f"{stem}.csv", mime="text/csv", on_click="ignore", icon=":material/download:")

# Spending over time --------------------------------------------------------------------------------------------
st.header(t("budget.burn"), divider="gray")
funded = f"{fmt_date(funded_from, lang)} – {fmt_date(funded_to, lang)}"


def draw_burn(code: str | None, scope: str, allocated_ore: int | None, filename: str, variant: str) -> None:
    spend = cached_query(budget.cumulative_spend)(activity=code, area=None if code else area, year=year, as_of=as_of)
    planned = cached_query(budget.planned_burn)(activity=code, area=None if code else area, year=year, as_of=as_of)
    period = (date(year, 1, 1), date(year + 1, 1, 1)) if year else None
    figure = burn_chart(spend, planned, lang=lang, scope=scope, as_of=as_of, allocated_ore=allocated_ore,
                        period=period)
    spent_now = int(spend["cumulative_ore"].iloc[-1]) if len(spend) else 0
    planned_now = planned.loc[planned["date"] <= as_of, "planned_ore"]
    alt = t("chart.burn.title", scope=scope) + ". " + t(
        "chart.burn.alt", spent=kr(spent_now, exact=True), planned=kr(planned_now.iloc[-1] if len(planned_now) else 0),
        date=fmt_date(as_of, lang), allocated=kr(allocated_ore) or "–",
    )
    st.plotly_chart(figure, theme=None, width="stretch", config=plotly_config(filename), alt=alt)
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
st.caption(t("budget.burn.caption", funded=funded, date=fmt_date(as_of, lang)))

# The ledger ----------------------------------------------------------------------------------------------------
st.header(t("budget.ledger"), divider="gray")
entries = cached_query(budget.ledger_entries)(area=area, limit=50)
if len(entries):
    st.dataframe(
        {
            t("budget.col.date"): [fmt_date(d, lang) for d in entries["spent_on"]],
            t("budget.col.code"): entries["activity"],
            t("budget.col.amount"): [cell_sek(v) for v in entries["amount_ore"]],
            t("budget.col.description"): entries["description"],
            t("budget.col.reference"): entries["reference"],
            t("budget.col.source"): [t(f"budget.source.{s}") for s in entries["source"]],
            t("budget.col.entered_by"): entries["entered_by"],
        },
        hide_index=True, width="stretch", alt=t("budget.ledger"),
    )
    st.caption(t("budget.ledger.caption", n=len(entries), total=ledger["entries"]))
    table_downloads(cached_query(budget.ledger_entries)(area=area, limit=None), lang=lang, sheet="ledger",
                    stem=f"{'utgifter' if lang == 'sv' else 'spending'}{'-' + area if area else ''}")
else:
    st.caption(t("budget.ledger.empty"))

# Editors: record, import, change an allocation ----------------------------------------------------------------
shell.editors_only_below(ctx)

st.header(t("budget.edit"), divider="gray")
all_codes = list(table["code"])
label = lambda c: f"{c} – {titles[c][:80]}"  # noqa: E731
record, upload_tab, allocation_tab = st.tabs([t("budget.form.title"), t("budget.import"), t("budget.alloc")])

with record, st.form("spend"):
    c1, c2, c3 = st.columns([1, 2, 1])
    day = c1.date_input(t("budget.field.date"), value=ctx.today, min_value=date(2010, 1, 1),
                        max_value=ctx.today, format="YYYY-MM-DD")
    spend_code = c2.selectbox(t("budget.field.activity"), all_codes, index=None, format_func=label,
                              placeholder=t("budget.field.activity"))
    amount_text = c3.text_input(t("budget.field.amount_sek"), placeholder="12 500,50", help=t("budget.form.help"))
    d1, d2 = st.columns([3, 1])
    description = d1.text_input(t("budget.field.description"), max_chars=budget.DESCRIPTION_MAX)
    reference = d2.text_input(t("budget.field.reference"), max_chars=budget.REFERENCE_MAX)
    if st.form_submit_button(t("budget.form.save"), type="primary"):
        try:
            budget.add_spend(engine=engine(), actor=ctx.actor, spent_on=day, activity=spend_code or "",
                             amount=amount_text, description=description, reference=reference, lang=lang)
        except (ValidationError, NotAllowed) as exc:
            shell.show_write_error(exc, lang)
        else:
            shell.saved(t("budget.form.saved", code=spend_code,
                          amount=kr(budget.parse_amount(amount_text), exact=True)))

with upload_tab:
    st.markdown(t("budget.import.help"))
    upload_key = f"spend_upload_{st.session_state.get('_spend_uploads', 0)}"
    upload = st.file_uploader(t("budget.import.file"), type=["csv", "xlsx"], key=upload_key)
    if upload is not None:
        data = upload.getvalue()
        preview = budget.preview_import(engine(), data=data, filename=upload.name, lang=lang)
        if preview.problems:
            st.error(t("budget.import.errors") + "\n\n" + "\n".join(f"- {p}" for p in preview.problems))
        else:
            if preview.skipped:
                st.warning(t("budget.import.skipped", n=len(preview.skipped),
                             refs=", ".join(r.reference for r in preview.skipped)))
            if preview.rows:
                st.info(t("budget.import.preview", n=len(preview.rows), amount=kr(preview.total_ore, exact=True)))
                st.dataframe(
                    {
                        t("budget.col.date"): [r.spent_on.isoformat() for r in preview.rows],
                        t("budget.col.code"): [r.activity for r in preview.rows],
                        t("budget.col.amount"): [cell_sek(r.amount_ore) for r in preview.rows],
                        t("budget.col.description"): [r.description for r in preview.rows],
                        t("budget.col.reference"): [r.reference for r in preview.rows],
                    },
                    hide_index=True, width="stretch", alt=t("budget.import"),
                )
                if st.button(t("budget.import.go", n=len(preview.rows)), type="primary"):
                    try:
                        result = budget.import_spend(engine=engine(), actor=ctx.actor, data=data,
                                                     filename=upload.name, lang=lang)
                    except (ValidationError, NotAllowed) as exc:
                        shell.show_write_error(exc, lang)
                    else:
                        st.session_state["_spend_uploads"] = st.session_state.get("_spend_uploads", 0) + 1
                        shell.saved(t("budget.import.saved", n=len(result.rows), skipped=len(result.skipped),
                                      amount=kr(result.total_ore, exact=True)))
            else:
                st.info(t("budget.import.nothing"))

with allocation_tab:
    alloc_code = st.selectbox(t("budget.field.activity"), all_codes, format_func=label, key="alloc_code")
    history = cached_query(budget.allocation_history)(code=alloc_code)
    st.markdown(t("budget.alloc.current", plan=kr(history["plan_ore"]) or "–",
                  current=kr(history["current_ore"], exact=True) or "–"))
    for change in history["changes"]:
        st.caption(t("budget.alloc.history", date=fmt_date(change["decided_on"], lang),
                     amount=kr(change["amount_ore"], exact=True), note=change["note"], who=change["entered_by"]))
    with st.form(f"allocation-{alloc_code}"):
        a1, a2 = st.columns(2)
        new_amount = a1.text_input(t("budget.field.allocation"), placeholder="150 000")
        decided_on = a2.date_input(t("budget.field.decided_on"), value=ctx.today, min_value=date(2010, 1, 1),
                                   max_value=ctx.today, format="YYYY-MM-DD")
        note = st.text_area(t("budget.field.note"), max_chars=budget.NOTE_MAX)
        drawn = shell.version_seen(f"allocation-{alloc_code}", len(history["changes"]))
        if st.form_submit_button(t("budget.alloc.save"), type="primary"):
            try:
                saved_ore = budget.change_allocation(engine=engine(), actor=ctx.actor, code=alloc_code,
                                                     amount=new_amount, decided_on=decided_on, note=note,
                                                     expected_changes=drawn, lang=lang)
            except (ValidationError, ConcurrentEditError, NotAllowed) as exc:
                shell.show_write_error(exc, lang)
            else:
                shell.saved(t("budget.alloc.saved", code=alloc_code, amount=kr(saved_ore, exact=True)))
