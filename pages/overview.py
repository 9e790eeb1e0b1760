from functools import partial

import pandas as pd
import streamlit as st

from mobility import activities, communications, deliverables, indicators, overview
from mobility.charts import plotly_config
from mobility.exports import CHARTS
from mobility.i18n import fmt_date, fmt_datetime, fmt_int, fmt_month, fmt_pct, fmt_sek
from mobility.service import ConcurrentEditError, NotAllowed, ValidationError
from mobility.text import plain
from mobility.ui import drawn, shell
from mobility.ui.data import cached_build, cached_query, engine
from mobility.ui.exports import chart_downloads, table_downloads
from mobility.ui.numbers import kr_column
from mobility.ui.widgets import url_multiselect, url_selectbox

ctx = shell.page("overview")
lang, t = ctx.lang, ctx.t
as_of = ctx.as_of

table = cached_build(activities.activity_table)(as_of)  # shared frames and lists: read, never changed
summaries = cached_build(activities.area_summaries)(as_of)
area_names = {a.code: getattr(a, f"name_{lang}") for a in summaries}
texts = overview.plan_texts()

ctx.heading(t("overview.title"))

# Where each area stands: one row per area, worst news in words, icon and colour ---------------------------------
VERDICT_LOOK = {  # (icon, colour): the word carries the meaning, icon and colour repeat it
    "attention": (":material/error:", "red"), "watch": (":material/warning:", "orange"),
    "on_track": (":material/check_circle:", "green"), "not_started": (":material/schedule:", "gray"),
    "done": (":material/task_alt:", "green"),
}
AREA_LINK = {"A": "targets", "B": "targets", "C": "checklists", "D": "targets"}


def kr(ore: int) -> str:
    return fmt_sek(round(ore / 100), lang)  # whole kronor in headline figures


def measure_text(card: overview.AreaStatus) -> str:
    if card.target is not None:
        g = card.target
        if g["value"] is None:
            return t("overview.card.target_no_data", code=card.code)
        return t("overview.card.target", code=card.code, year=g["year"], value=fmt_int(g["value"], lang),
                 target=fmt_int(g["target"], lang), status=t(f"targets.status.{g['status']}").lower())
    if "visits" in card.measure:
        visits = card.measure["visits"]
        text = t("overview.card.visits", n=sum(visits.values())) + (
            " (" + " · ".join(f"{year}: **{n}**" for year, n in visits.items()) + ")" if visits else "")
        if staff := cached_query(indicators.staff_mobility)(as_of):  # C's staff mobility out/in, latest year
            year, (out, inc) = list(staff.items())[-1]
            text += "  \n" + t("indicators.staff_card") + f" {year}: {out}/{inc}"
        return text
    if card.code == "E":
        said = cached_query(communications.counts_by_channel_and_term)(as_of=as_of)
        return f"{t('comms.card')}: {communications.summary_line(said, lang)}"
    if card.measure.get("mix"):
        return t("overview.card.mix", year=card.measure["year"], **card.measure["mix"])
    return t("overview.card.no_measure")


def budget_text(card: overview.AreaStatus) -> str:
    """Used of allocated, then what the total holds: money not decided, items without an activity number (IBS)."""
    caveats = [t("money.not_decided_short", amount=kr(card.not_decided_ore))] if card.not_decided_ore else []
    caveats += [t("money.unnumbered_short", codes=", ".join(card.unnumbered))] if card.unnumbered else []
    return _used_text(card) + (f" :gray[· {' · '.join(caveats)}]" if caveats else "")  # one row: above the fold


def _used_text(card: overview.AreaStatus) -> str:
    if not card.allocated_ore:
        return t("overview.card.no_budget") if not card.spent_ore else t(
            "overview.card.over_budget", spent=kr(card.spent_ore), allocated=kr(0))
    if card.over_budget:  # looks different: icon, colour, bold
        return ":red[:material/money_off: **" + t("overview.card.over_budget", spent=kr(card.spent_ore),
                                                   allocated=kr(card.allocated_ore)) + "**]"
    return t("overview.card.budget", spent=kr(card.spent_ore), allocated=kr(card.allocated_ore),
             pct=fmt_pct(card.used_pct, lang, 0))


def activities_text(card: overview.AreaStatus) -> str:
    words = {b: f"{n} {t('overview.bucket.' + b)}" for b, n in card.buckets.items() if n or b != "cancelled"}
    counts = " · ".join(f"**{w}**" if b == "late" and card.buckets[b] else w for b, w in words.items())
    due = f" ({t('overview.reason.due_not_started', n=card.due_not_started)})" if card.due_not_started else ""
    return t("overview.card.activities", n=card.total) + ": " + counts + due


cards = cached_build(overview.area_cards)(as_of)
# Compact rows: all five areas fit a laptop's first screen (1280×720) with the sidebar open
st.html("<style>.st-key-area-status{gap:0.4rem}"
        ".st-key-area-status [data-testid='stMarkdownContainer'] p{font-size:0.92rem}"
        ".st-key-area-status [class*='st-key-area-']{border-bottom:1px solid #d5dbe1;padding-bottom:0.4rem}"
        # four cells of one width (as columns were), side by side down to a phone's width
        ".st-key-area-status [class*='st-key-area-']>*{flex:1 1 0 !important;min-width:9rem !important}"
        "</style>")
with st.container(key="area-status"):
    for card in cards:
        icon, colour = VERDICT_LOOK[card.verdict]
        # One row: four cells side by side in one horizontal container (not st.columns: four blocks fewer a row)
        with st.container(key=f"area-{card.code}", horizontal=True, vertical_alignment="center"):
            st.markdown(f"**{card.code} · {area_names[card.code]}**  \n"
                        f":{colour}[{icon} **{t('overview.verdict.' + card.verdict)}**]", width="stretch")
            st.markdown(activities_text(card), width="stretch")
            # C's measure is our reading of the plan's words: it says so behind its (?), keeping the row short
            st.markdown(measure_text(card), help=t("labels.goal_c_short") if "visits" in card.measure else None,
                        width="stretch")
            money = st.container(gap=None)
            money.markdown(budget_text(card))
            if target := AREA_LINK.get(card.code):
                money.page_link(shell.link_target(f"pages/{target}.py"), label=t(f"overview.card.link_{target}"),
                                icon=":material/arrow_forward:", query_params=shell.lang_param(lang))
            else:
                money.page_link(shell.link_target("pages/overview.py"), label=t("overview.card.link_activities"),
                                icon=":material/arrow_forward:",
                                query_params={**shell.lang_param(lang), "area": card.code})
    with st.expander(t("overview.goals"), icon=":material/flag:", key="goals-open", on_change="rerun") as box:
        if box.open:
            st.markdown("\n".join(f"- **{a.code} · {area_names[a.code]}:** {getattr(a, f'goal_{lang}')}"
                                  for a in summaries))
            unnumbered = " ".join(t("money.unnumbered", codes=", ".join(c.unnumbered), area=c.code)
                                  for c in cards if c.unnumbered)
            st.caption(" ".join(filter(None, (t("overview.not_decided_note"), unnumbered, t("labels.goal_c")))))

# Timeline ------------------------------------------------------------------------------------------------------


@cached_build
def _choices(engine, as_of, lang: str) -> dict:
    """What the page offers to pick from, and the schedule's undated activities, once per data version, date and
    language (a miss is built by a run in ``lang``: this run's texts)."""
    codes = list(table["code"])
    return {
        "undated": ", ".join(table.loc[table["start_month"].isna(), "code"]),
        "years": sorted({y for ys in table["years"] for y in ys}),
        "responsible": {r: overview.in_language(r, c, "responsible", texts, lang)
                        for c, r in zip(table["code"], table["responsible"], strict=True) if r},
        "codes": codes,
        "picks": {c: f"{c} – {title[:90]}" for c, title in zip(codes, table[f"title_{lang}"], strict=True)},
    }


choices = _choices(as_of, lang)
undated = choices["undated"]
schedule = cached_build(CHARTS["timeline"].make)(lang, as_of)  # the export's chart: built once per data version
figure = schedule.figure
drawn.plotly_chart(figure, theme=None, width="stretch", config=plotly_config(CHARTS["timeline"].file_stem(lang)),
                alt=schedule.alt)
st.caption(t("overview.timeline_caption", undated=undated or "–"))
chart_downloads("timeline", figure, lang=lang, as_of=as_of, examples=False, all_charts=True)

# Activity table ------------------------------------------------------------------------------------------------
st.header(t("overview.table"), divider="gray")
years = choices["years"]
f1, f2, f3, f4 = st.columns(4)
areas = url_multiselect(t("overview.filter.area"), list(area_names), key="area", lang=lang, container=f1,
                        format_func=lambda c: f"{c} {area_names[c]}", placeholder=t("common.all"))
responsible_names = choices["responsible"]
responsible = url_selectbox(t("overview.filter.responsible"), sorted(responsible_names), key="responsible",
                            lang=lang, container=f2, placeholder=t("common.all"),
                            format_func=lambda r: responsible_names[r])
statuses = url_multiselect(t("overview.filter.status"), activities.STATUSES, key="status", lang=lang, container=f3,
                           format_func=lambda s: t(f"status.{s}"), placeholder=t("common.all"))
year = url_selectbox(t("overview.filter.year"), years, key="year", lang=lang, container=f4, placeholder=t("common.all"))
overdue_only = st.toggle(t("overview.filter.overdue"), key="overdue", bind="query-params")


def notes(row) -> str:
    flags = [("overdue", row.overdue), ("not_decided", not row.decided), ("cofinancing", row.cofinancing_required)]
    return ", ".join(t(f"overview.flag.{name}") for name, on in flags if on)


@cached_build
def _table_rows(engine, as_of, areas: tuple, responsible, statuses: tuple, year, overdue_only: bool, lang: str):
    """The filtered activities and the table as drawn, once per data version, filter and language (a miss is built
    by a run in ``lang``: this run's ``t`` and texts)."""
    shown = activities.filter_activities(table, areas=list(areas), responsible=responsible, statuses=list(statuses),
                                         year=year, overdue_only=overdue_only)
    return shown, pd.DataFrame({
        t("overview.col.code"): shown["code"],
        t("overview.col.short"): [overview.short_title(c, texts, lang).removeprefix(c).strip() for c in shown["code"]],
        t("overview.col.status"): shown["status"].map(lambda s: t(f"status.{s}")),
        t("overview.col.flags"): [notes(r) for r in shown.itertuples()],
        t("overview.col.responsible"): [overview.in_language(r, c, "responsible", texts, lang)
                                        for c, r in zip(shown["code"], shown["responsible"], strict=True)],
        t("overview.col.start_shown"): [overview.date_label(x, m, lang)
                                        for x, m in zip(shown["start_text"], shown["start_month"], strict=True)],
        t("overview.col.end_shown"): [overview.date_label(x, m, lang)
                                      for x, m in zip(shown["end_text"], shown["end_month"], strict=True)],
        t("overview.col.budget"): pd.array(shown["budget_sek"].tolist(), dtype="Int64"),
        t("overview.col.full_title"): shown[f"title_{lang}"],
    })


shown, rows = _table_rows(as_of, tuple(areas), responsible, tuple(statuses), year, overdue_only, lang)
st.caption(t("overview.shown", n=len(shown), total=len(table)) + " · " + t("overview.detail.edit_hint"))


def open_activity(codes: list[str]) -> None:
    """A row chosen in the table opens that activity below, with its status form first."""
    if rows := st.session_state["activity-table"].selection.rows:
        st.session_state["_url_activity"] = codes[rows[0]]
        st.query_params["activity"] = codes[rows[0]]


drawn.dataframe(
    rows, hide_index=True, width="stretch", height="content", alt=t("overview.table"),
    placeholder="–", key="activity-table", on_select=partial(open_activity, list(shown["code"])),
    selection_mode="single-row",
    # A short name readable at a glance beside the code (the plan's whole title last and in the detail below)
    column_config={t("overview.col.code"): st.column_config.TextColumn(width=50),
                   t("overview.col.short"): st.column_config.TextColumn(width=210),
                   t("overview.col.full_title"): st.column_config.TextColumn(width=700),
                   t("overview.col.flags"): st.column_config.TextColumn(width=150),
                   t("overview.col.responsible"): st.column_config.TextColumn(width=170),
                   t("overview.col.budget"): kr_column(t("overview.col.budget"), lang)},
)
table_downloads(lambda: shown.drop(columns=["version", "years"]), stem="aktiviteter" if lang == "sv" else "activities",
                sheet="activities", lang=lang)

# One activity: its status and the form first, then what the plan says -----------------------------------------
st.header(t("overview.detail"), divider="gray", anchor="activity")
codes, picks = choices["codes"], choices["picks"]  # every activity, not only the filtered ones
code = url_selectbox(t("overview.detail.pick"), codes, key="activity", lang=lang, default=codes[0],
                     format_func=picks.__getitem__)
detail = cached_build(activities.activity_detail)(code, as_of)  # shared: read, never changed
none = f"*{t('overview.detail.none')}*"
st.subheader(f"{code} · {t('status.' + detail['status'])}")


def status_form() -> None:
    with st.form(f"status-{code}"):
        st.markdown(f"**{t('overview.form.title')}**")
        c1, c2 = st.columns([1, 3])
        new_status = c1.selectbox(t("overview.form.status"), activities.STATUSES,
                                  index=activities.STATUSES.index(detail["status"]),
                                  format_func=lambda s: t(f"status.{s}"))
        comment = c2.text_area(t("overview.form.comment"), max_chars=activities.COMMENT_MAX, height=68)
        effective_on = c1.date_input(t("overview.form.effective"), value=ctx.today, min_value=ctx.period.first,
                                     max_value=ctx.today, format="YYYY-MM-DD", help=t("overview.form.effective_help"))
        drawn_version = shell.version_seen(f"status-{code}", detail["version"])
        if st.form_submit_button(t("overview.form.save"), type="primary"):
            try:
                activities.set_status(engine=engine(), actor=ctx.actor, code=code, status=new_status,
                                      comment=comment, expected_version=drawn_version, effective_on=effective_on,
                                      today=ctx.today, lang=lang)
            except (ValidationError, ConcurrentEditError, NotAllowed) as exc:
                shell.show_write_error(exc, lang)
            else:
                shell.saved(t("overview.form.saved", code=code))


if ctx.actor.can_edit:
    status_form()
left, right = st.columns([3, 2])  # each column one Markdown of paragraphs: one element, not one per paragraph
responsible_text = overview.in_language(detail["responsible"], code, "responsible", texts, lang)
left.markdown("\n\n".join([
    f"**{detail[f'title_{lang}']}**",
    f"**{t('overview.detail.purpose')}**  \n{detail[f'purpose_{lang}'] or none}",
    f"{t('overview.detail.section', area=detail['area'])} · "
    f"{t('overview.detail.goals', goals=detail['goals_text'] or '–')}  \n"
    f"**{t('overview.col.responsible')}:** {responsible_text or none}",
]))
when = " / ".join(x for x in (detail["start_text"], detail["end_text"]) if x)
parsed = " – ".join(fmt_month(m, lang) for m in (detail["start_month"], detail["end_month"]) if m)
paragraphs = ["  \n".join([f"**{t('overview.detail.when')}:** {when or none}"]
                          + ([f"{t('overview.detail.parsed')}: {parsed}"] if parsed else []))]
money_notes = [t("overview.detail.formula", formula=detail["budget_formula"])] if detail["budget_formula"] else []
if detail["unit_cost_sek"]:
    money_notes.append(t("overview.detail.unit_cost", cost=fmt_sek(detail["unit_cost_sek"], lang),
                   unit=detail["unit_cost_text"]))
if detail["cofinancing_required"]:
    money_notes.append(t("overview.flag.cofinancing"))
if not detail["decided"]:
    money_notes.append(t("overview.flag.not_decided"))
resources_text = overview.in_language(detail["resources_text"], code, "resources", texts, lang)
resources = [f"**{t('overview.detail.resources')}:** {resources_text or none}"]
if detail["budget_sek"] is not None:
    resources.append(f"{t('overview.detail.amount')}: {fmt_sek(detail['budget_sek'], lang)}")
paragraphs.append("  \n".join(resources + ([", ".join(money_notes)] if money_notes else [])))
if detail["links"]:
    paragraphs.append(f"**{t('overview.detail.links')}:** {', '.join(detail['links'])}")
if detail["linked_from"]:
    paragraphs.append(f"**{t('overview.detail.linked_from')}:** {', '.join(detail['linked_from'])}")
documents = [d for d in cached_query(deliverables.register)() if d["activity_code"] == code]
if documents:  # whether its document exists, who approved it and where it is
    summary = cached_query(deliverables.state_by_activity)()[code]
    paragraphs.append(f"**{t('deliverables.on_activity')}:** {summary.text(lang)}  \n" + "  \n".join(
        f"{d[f'title_{lang}']} – {t('deliverables.state.' + d['state'])}"
        + (f", {t('deliverables.approved_by', date=fmt_date(d['approved_on'], lang), who=plain(d['approved_by']))}"
           if d["approved_on"] else "")
        + (f" · [{t('deliverables.col.link')}](<{d['link']}>)" if d["link"] else "")
        for d in documents))
right.markdown("\n\n".join(paragraphs))



@cached_build
def _history(engine, code: str, as_of, lang: str) -> pd.DataFrame:
    """The activity's status history as drawn, once per data version, activity, date and language (a miss is built
    by a run in ``lang``: this run's ``t``)."""
    history = cached_build(activities.activity_detail)(code, as_of)["history"]
    return pd.DataFrame({
        t("overview.history.when"): [fmt_datetime(h["changed_at"], lang) for h in history],
        t("overview.history.who"): [h["changed_by"] for h in history],
        t("overview.history.change"): [
            f"{t('status.' + h['previous_status']) if h['previous_status'] else '–'} → {t('status.' + h['status'])}"
            for h in history
        ],
        t("overview.history.comment"): [h["comment"] for h in history],
    })


st.subheader(t("overview.detail.history"))
if detail["history"]:
    # a few changes, read in order: a table to read (a second grid cost the page ~45 ms: bench_elements.py)
    drawn.table(_history(code, as_of, lang), lang=lang, label=t("overview.detail.history"))
else:
    st.caption(t("overview.detail.no_history"))
ctx.source_line()
if not ctx.actor.can_edit:
    st.caption(t("auth.edit_hint"))
