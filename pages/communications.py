import streamlit as st

from mobility import communications
from mobility.activities import activity_table
from mobility.i18n import fmt_date
from mobility.service import ConcurrentEditError, NotAllowed, ValidationError
from mobility.ui import drawn, shell
from mobility.ui.data import cached_query, engine
from mobility.ui.exports import table_with_downloads

SHOWN = 200  # the newest entries on screen; the downloads and the CLI hold them all

ctx = shell.page("communications")
lang, t = ctx.lang, ctx.t

ctx.heading(t("comms.title"))
st.caption(t("comms.lead"))

counts = cached_query(communications.counts_by_channel_and_term)(as_of=ctx.as_of)
st.header(t("comms.per_term"), divider="gray")
if counts:
    drawn.table(communications.table_by_term(counts, lang), lang=lang, label=t("comms.per_term"))
    st.caption(t("comms.per_term_caption"))
else:
    st.caption(t("comms.none_yet"))

st.header(t("comms.latest"), divider="gray")
rows = cached_query(communications.entries)(until=ctx.as_of, limit=SHOWN)
total = cached_query(communications.count_entries)(until=ctx.as_of)
if rows:
    if total > len(rows):
        st.caption(t("comms.shown", n=len(rows), total=total))
    table_with_downloads(
        {
            t("comms.col.date"): [fmt_date(r["held_on"], lang) for r in rows],
            t("comms.col.channel"): [communications.channel_name(r["channel"], lang) for r in rows],
            t("comms.col.audience"): [r["audience"] for r in rows],
            t("comms.col.activity"): [r["activity_code"] for r in rows],
            t("comms.col.note"): [r["note"] for r in rows],
            t("comms.col.link"): [r["link"] for r in rows],
            t("comms.col.by"): [r["entered_by"] for r in rows],
        },
        stem="kommunikation" if lang == "sv" else "communication", sheet="communications", lang=lang,
        # The newest first, read as a log: a table to read (a grid adds ~110-190 ms: bench_elements.py)
        static=True, label=t("comms.latest"), links=(t("comms.col.link"),),
    )

ctx.source_line()
shell.editors_only_below(ctx)
codes = [""] + list(cached_query(activity_table)(ctx.as_of)["code"])
with st.form("communication", clear_on_submit=True):
    st.markdown(f"**{t('comms.form.title')}**")
    left, middle, right = st.columns(3)
    held_on = left.date_input(t("comms.form.date"), value=ctx.as_of, min_value=ctx.period.first, max_value=ctx.today,
                              format="YYYY-MM-DD")  # dated like the page: past activities can be logged
    channel = middle.selectbox(t("comms.form.channel"), list(communications.channels()),
                               format_func=lambda c: communications.channel_name(c, lang))
    activity = right.selectbox(t("comms.form.activity"), codes, format_func=lambda c: c or "–")
    audience = st.text_input(t("comms.form.audience"), max_chars=communications.AUDIENCE_MAX)
    note = st.text_area(t("comms.form.note"), max_chars=communications.NOTE_MAX)
    link = st.text_input(t("comms.form.link"), max_chars=communications.LINK_MAX)
    if st.form_submit_button(t("comms.form.save"), type="primary"):
        try:
            communications.add_communication(engine=engine(), actor=ctx.actor, held_on=held_on, channel=channel,
                                             audience=audience, activity=activity, note=note, link=link,
                                             today=ctx.today, lang=lang)
        except (ValidationError, ConcurrentEditError, NotAllowed) as exc:
            shell.show_write_error(exc, lang)
        else:
            shell.saved(t("comms.form.saved", date=fmt_date(held_on, lang)))
