import streamlit as st

from mobility import activities, checklists, communications, deliverables, indicators
from mobility.about import plain
from mobility.charts import plotly_config, timeline
from mobility.exports import CHARTS
from mobility.i18n import fmt_date, fmt_datetime, fmt_month, fmt_sek
from mobility.service import ConcurrentEditError, NotAllowed, ValidationError
from mobility.ui import shell
from mobility.ui.data import cached_query, engine
from mobility.ui.exports import chart_downloads, table_downloads
from mobility.ui.widgets import url_multiselect, url_selectbox

ctx = shell.page("overview")
lang, t = ctx.lang, ctx.t

table = cached_query(activities.activity_table)(ctx.today)
summaries = cached_query(activities.area_summaries)()
area_names = {a.code: getattr(a, f"name_{lang}") for a in summaries}

st.title(t("overview.title"))
st.caption(t("overview.lead"))

# Goal areas ----------------------------------------------------------------------------------------------------
st.header(t("overview.areas"), divider="gray")
for column, area in zip(st.columns(len(summaries)), summaries, strict=True):
    with column.container(border=True, height="stretch"):
        # A small heading: five cards side by side on a laptop otherwise break the long Swedish compounds mid-word
        st.markdown(f"###### {area.code} · {area_names[area.code]}")
        st.caption(getattr(area, f"goal_{lang}"))
        st.markdown(f"{t('overview.allocated')}  \n**{fmt_sek(area.allocated_sek, lang)}**")
        st.markdown(t("overview.activities_n", n=area.activities) + "  \n"
                    + " · ".join(f"{t('status.' + status)}: {n}" for status, n in area.by_status.items()))
        overdue = int(table[(table["area"] == area.code) & table["overdue"]].shape[0])
        if overdue:
            st.markdown(f":orange[:material/schedule: {t('overview.overdue_n', n=overdue)}]")
        if area.code == "C":
            visits = cached_query(checklists.staff_visits_per_year)()
            st.markdown(t("checklists.overview.visits") + "  \n" + (" · ".join(
                f"{year}: **{n}**" for year, n in visits.items()) or t("checklists.overview.no_visits")))
            staff = cached_query(indicators.staff_mobility)()
            if staff:
                st.markdown(t("indicators.staff_card") + "  \n" + " · ".join(
                    f"{year}: {out}/{inc}" for year, (out, inc) in list(staff.items())[-3:]))
            st.caption(t("labels.goal_c"))
        if area.code == "E":
            said = cached_query(communications.counts_by_channel_and_term)(as_of=ctx.today)
            st.markdown(f"{t('comms.card')}  \n{communications.summary_line(said, lang)}")
st.caption(t("overview.not_decided_note"))

# Timeline ------------------------------------------------------------------------------------------------------
undated = ", ".join(table.loc[table["start_month"].isna(), "code"])
figure = timeline(table, lang=lang, today=ctx.today, area_names=area_names)
st.plotly_chart(figure, theme=None, width="stretch", config=plotly_config(CHARTS["timeline"].file_stem(lang)),
                alt=t("chart.timeline.title"))
st.caption(t("overview.timeline_caption", undated=undated or "–"))
chart_downloads("timeline", figure, lang=lang, as_of=ctx.today, examples=False, all_charts=True)

# Activity table ------------------------------------------------------------------------------------------------
st.header(t("overview.table"), divider="gray")
years = sorted({y for ys in table["years"] for y in ys})
f1, f2, f3, f4 = st.columns(4)
areas = url_multiselect(t("overview.filter.area"), list(area_names), key="area", lang=lang, container=f1,
                        format_func=lambda c: f"{c} {area_names[c]}", placeholder=t("common.all"))
responsible = url_selectbox(t("overview.filter.responsible"), sorted(r for r in table["responsible"].unique() if r),
                            key="responsible", lang=lang, container=f2, placeholder=t("common.all"))
statuses = url_multiselect(t("overview.filter.status"), activities.STATUSES, key="status", lang=lang, container=f3,
                           format_func=lambda s: t(f"status.{s}"), placeholder=t("common.all"))
year = url_selectbox(t("overview.filter.year"), years, key="year", lang=lang, container=f4, placeholder=t("common.all"))
overdue_only = st.toggle(t("overview.filter.overdue"), key="overdue", bind="query-params")
shown = activities.filter_activities(table, areas=areas, responsible=responsible, statuses=statuses, year=year,
                                     overdue_only=overdue_only)


def notes(row) -> str:
    flags = [("overdue", row.overdue), ("not_decided", not row.decided), ("cofinancing", row.cofinancing_required)]
    return ", ".join(t(f"overview.flag.{name}") for name, on in flags if on)


st.caption(t("overview.shown", n=len(shown), total=len(table)))
st.dataframe(
    {
        t("overview.col.code"): shown["code"],
        t("overview.col.area"): shown["area"],
        t("overview.col.title"): shown[f"title_{lang}"],
        t("overview.col.status"): shown["status"].map(lambda s: t(f"status.{s}")),
        t("overview.col.flags"): [notes(r) for r in shown.itertuples()],
        t("overview.col.responsible"): shown["responsible"],
        t("overview.col.start"): shown["start_text"],
        t("overview.col.end"): shown["end_text"],
        t("overview.col.budget"): shown["budget_sek"].map(lambda v: fmt_sek(v, lang) if v == v else ""),
    },
    hide_index=True, width="stretch", alt=t("overview.table"),
    # Status and notes next to the title and narrower text columns: what a reader scans for is on screen
    column_config={t("overview.col.title"): st.column_config.TextColumn(width=300),
                   t("overview.col.flags"): st.column_config.TextColumn(width=170),
                   t("overview.col.responsible"): st.column_config.TextColumn(width=150)},
)
table_downloads(shown.drop(columns=["version", "years"]), stem="aktiviteter" if lang == "sv" else "activities",
                sheet="activities", lang=lang)

# One activity --------------------------------------------------------------------------------------------------
st.header(t("overview.detail"), divider="gray")
codes = list(table["code"])
code = url_selectbox(t("overview.detail.pick"), codes, key="activity", lang=lang, default=codes[0],
                     format_func=lambda c: f"{c} – {table.loc[table['code'] == c, f'title_{lang}'].iloc[0][:90]}")
detail = cached_query(activities.activity_detail)(code)
none = f"*{t('overview.detail.none')}*"
left, right = st.columns([3, 2])
with left:
    st.subheader(f"{code} · {t('status.' + detail['status'])}")
    st.markdown(f"**{detail[f'title_{lang}']}**")
    st.markdown(f"**{t('overview.detail.purpose')}**  \n{detail[f'purpose_{lang}'] or none}")
    st.markdown(
        f"{t('overview.detail.section', area=detail['area'])} · "
        f"{t('overview.detail.goals', goals=detail['goals_text'] or '–')}  \n"
        f"**{t('overview.col.responsible')}:** {detail['responsible'] or none}"
    )
with right:
    when = " / ".join(x for x in (detail["start_text"], detail["end_text"]) if x)
    parsed = " – ".join(fmt_month(m, lang) for m in (detail["start_month"], detail["end_month"]) if m)
    st.markdown("  \n".join([f"**{t('overview.detail.when')}:** {when or none}"]
                            + ([f"{t('overview.detail.parsed')}: {parsed}"] if parsed else [])))
    notes = [t("overview.detail.formula", formula=detail["budget_formula"])] if detail["budget_formula"] else []
    if detail["unit_cost_sek"]:
        notes.append(t("overview.detail.unit_cost", cost=fmt_sek(detail["unit_cost_sek"], lang),
                       unit=detail["unit_cost_text"]))
    if detail["cofinancing_required"]:
        notes.append(t("overview.flag.cofinancing"))
    if not detail["decided"]:
        notes.append(t("overview.flag.not_decided"))
    resources = [f"**{t('overview.detail.resources')}:** {detail['resources_text'] or none}"]
    if detail["budget_sek"] is not None:
        resources.append(f"{t('overview.detail.amount')}: {fmt_sek(detail['budget_sek'], lang)}")
    st.markdown("  \n".join(resources + ([", ".join(notes)] if notes else [])))
    if detail["links"]:
        st.markdown(f"**{t('overview.detail.links')}:** {', '.join(detail['links'])}")
    if detail["linked_from"]:
        st.markdown(f"**{t('overview.detail.linked_from')}:** {', '.join(detail['linked_from'])}")
    documents = [d for d in cached_query(deliverables.register)() if d["activity_code"] == code]
    if documents:  # whether its document exists, who approved it and where it is
        summary = cached_query(deliverables.state_by_activity)()[code]
        st.markdown(f"**{t('deliverables.on_activity')}:** {summary.text(lang)}  \n" + "  \n".join(
            f"{d[f'title_{lang}']} – {t('deliverables.state.' + d['state'])}"
            + (f", {t('deliverables.approved_by', date=fmt_date(d['approved_on'], lang), who=plain(d['approved_by']))}"
               if d["approved_on"] else "")
            + (f" · [{t('deliverables.col.link')}](<{d['link']}>)" if d["link"] else "")
            for d in documents))

st.subheader(t("overview.detail.history"))
if detail["history"]:
    st.dataframe(
        {
            t("overview.history.when"): [fmt_datetime(h["changed_at"], lang) for h in detail["history"]],
            t("overview.history.who"): [h["changed_by"] for h in detail["history"]],
            t("overview.history.change"): [
                f"{t('status.' + h['previous_status']) if h['previous_status'] else '–'} → {t('status.' + h['status'])}"
                for h in detail["history"]
            ],
            t("overview.history.comment"): [h["comment"] for h in detail["history"]],
        },
        hide_index=True, width="stretch", alt=t("overview.detail.history"),
    )
else:
    st.caption(t("overview.detail.no_history"))

if ctx.actor.can_edit:
    with st.form(f"status-{code}"):
        st.markdown(f"**{t('overview.form.title')}**")
        new_status = st.selectbox(t("overview.form.status"), activities.STATUSES,
                                  index=activities.STATUSES.index(detail["status"]),
                                  format_func=lambda s: t(f"status.{s}"))
        comment = st.text_area(t("overview.form.comment"), max_chars=activities.COMMENT_MAX)
        drawn_version = shell.version_seen(f"status-{code}", detail["version"])
        if st.form_submit_button(t("overview.form.save"), type="primary"):
            try:
                activities.set_status(engine=engine(), actor=ctx.actor, code=code, status=new_status,
                                      comment=comment, expected_version=drawn_version)
            except (ValidationError, ConcurrentEditError, NotAllowed) as exc:
                shell.show_write_error(exc, lang)
            else:
                shell.saved(t("overview.form.saved", code=code))
else:
    st.caption(t("auth.edit_hint"))
