import streamlit as st

from mobility import about
from mobility.ui import shell
from mobility.ui.data import cached_query

ctx = shell.page("about")
lang, t = ctx.lang, ctx.t

plan = cached_query(about.about_the_plan)()
ctx.heading(plan["title"][lang])
st.caption(t("about.lead"))

for part in plan["sections"]:
    st.header(part["heading"][lang], divider="gray")
    st.markdown(about.plain(part[lang]))
    if part["key"] == "goals":
        for area in plan["areas"]:
            st.markdown(f"**{area['code']} · {about.plain(area['name'][lang])}**  \n{about.plain(area['goal'][lang])}")

st.header(t("about.working_group"), divider="gray")
st.markdown("\n".join(f"- {about.plain(name)}" for name in plan["working_group"]))
st.info(f"**{t('about.not_decided')}:** {plan['not_decided_note'][lang]}")

st.header(t("about.absent"), divider="gray")
st.markdown(t("about.absent_text"))
