import streamlit as st

from mobility import communications, press
from mobility.charts import plotly_config
from mobility.i18n import fmt_date
from mobility.ui import shell
from mobility.ui.data import cached_query
from mobility.ui.exports import chart_downloads

ctx = shell.page("press")
lang, t = ctx.lang, ctx.t

view = cached_query(press.press_view)(lang=lang, today=ctx.today)
source = t("press.source_line", source=press.SOURCE, date=fmt_date(ctx.today, lang))

head, badge = st.columns([5, 2], vertical_alignment="bottom")
head.title(t("press.title"))
head.markdown(t("press.subtitle", year=view.year or "–"))
if view.examples:
    badge.markdown(f":orange-badge[:material/science: {t('example.badge')}]  \n:orange[{t('press.example_note')}]")

for column, figure in zip(st.columns(len(view.headlines)), view.headlines, strict=True):
    with column.container(border=True, height="stretch"):
        st.metric(t(f"press.{figure.key}.label"), figure.value)
        status = f" · **{t(f'targets.status.{figure.status}')}**" if figure.status else ""
        st.markdown(f"{figure.detail}{status}")
        st.caption(t(f"press.{figure.key}.definition"))
st.caption(f"{source} · {t('press.small_counts')}")
said = cached_query(communications.counts_by_channel_and_term)(as_of=ctx.today)
st.markdown(t("comms.what_we_did", line=communications.summary_line(said, lang)))

for column, (stem, figure) in zip(st.columns(len(view.charts)), view.charts, strict=True):
    column.plotly_chart(figure, theme=None, width="stretch", config=plotly_config(stem), alt=figure.layout.title.text,
                        key=f"press-{stem}")

if st.query_params.get("present") != "1":  # download buttons would spoil a screenshot
    for column, (stem, figure) in zip(st.columns(len(view.charts)), view.charts, strict=True):
        with column:
            chart_downloads(stem, figure, lang=lang, today=ctx.today, all_charts=False)

if st.query_params.get("present") != "1" and st.button(t("press.present"), icon=":material/fullscreen:"):
    st.query_params["present"] = "1"
    st.rerun()
