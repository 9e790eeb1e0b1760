import streamlit as st

from mobility import deliverables
from mobility.i18n import fmt_date, fmt_int
from mobility.service import ConcurrentEditError, NotAllowed, ValidationError
from mobility.ui import shell
from mobility.ui.data import cached_query, engine
from mobility.ui.exports import table_with_downloads
from mobility.ui.widgets import url_selectbox

ctx = shell.page("deliverables")
lang, t = ctx.lang, ctx.t

ctx.heading(t("deliverables.title"))
st.caption(t("deliverables.lead"))
st.caption(f":material/info: {t('deliverables.reading')}")

rows = cached_query(deliverables.register)()
done = sum(r["state"] in deliverables.APPROVED for r in rows)
st.markdown(t("deliverables.counts", approved=done, total=len(rows)))


def approval(r: dict) -> str:
    if not r["approved_on"]:
        return ""
    return t("deliverables.approved_by", date=fmt_date(r["approved_on"], lang), who=r["approved_by"])


def file_cell(r: dict) -> str:
    return f"{r['file_name']} ({fmt_int(max(1, r['file_size'] // 1024), lang)} kB)" if r["file_name"] else ""


table_with_downloads(
    {
        t("deliverables.col.activity"): [r["activity_code"] for r in rows],
        t("deliverables.col.title"): [r[f"title_{lang}"] for r in rows],
        t("deliverables.col.kind"): [t(f"deliverables.kind.{r['kind']}") for r in rows],
        t("deliverables.col.state"): [t(f"deliverables.state.{r['state']}") for r in rows],
        t("deliverables.col.approved"): [approval(r) for r in rows],
        t("deliverables.col.link"): [r["link"] for r in rows],
        t("deliverables.col.file"): [file_cell(r) for r in rows],
    },
    stem="dokument" if lang == "sv" else "documents", sheet="deliverables", lang=lang,
    # A register read in the plan's order: a table to read (a grid adds ~110-190 ms: bench_elements.py)
    static=True, label=t("deliverables.title"), links=(t("deliverables.col.link"),),
)

# One document: its file to download, and (for editors) the form ---------------------------------------------------
keys = [r["key"] for r in rows]
by_key = {r["key"]: r for r in rows}
key = url_selectbox(t("deliverables.form.pick"), keys, key="doc", lang=lang, default=keys[0],
                    format_func=lambda k: f"{by_key[k]['activity_code']} – {by_key[k][f'title_{lang}'][:90]}")
chosen = by_key[key]
if chosen["file_name"]:
    st.download_button(t("deliverables.download", name=chosen["file_name"]), icon=":material/download:",
                       data=lambda: deliverables.file_content(engine(), key)[2], file_name=chosen["file_name"],
                       mime=deliverables.FILE_TYPES.get("." + chosen["file_name"].rsplit(".", 1)[-1].lower()),
                       on_click="ignore")

shell.editors_only_below(ctx)
with st.form(f"deliverable-{key}", clear_on_submit=True):
    st.markdown(f"**{t('deliverables.form.title')}**")
    state = st.segmented_control(t("deliverables.form.state"), deliverables.STATES, default=chosen["state"],
                                 format_func=lambda s: t(f"deliverables.state.{s}"))
    link = st.text_input(t("deliverables.form.link"), value=chosen["link"], max_chars=deliverables.LINK_MAX)
    left, right = st.columns(2)
    approved_on = left.date_input(t("deliverables.form.approved_on"), value=chosen["approved_on"],
                                  min_value=ctx.period.first, max_value=ctx.today, format="YYYY-MM-DD")
    approved_by = right.text_input(t("deliverables.form.approved_by"), value=chosen["approved_by"],
                                   max_chars=deliverables.NAME_MAX)
    upload = st.file_uploader(t("deliverables.form.file", mb=deliverables.MAX_FILE_BYTES // (1024 * 1024)),
                              type=["pdf", "docx"], max_upload_size=deliverables.MAX_FILE_BYTES // (1024 * 1024))
    drawn_version = shell.version_seen(f"deliverable-{key}", chosen["version"])
    if st.form_submit_button(t("deliverables.form.save"), type="primary"):
        try:
            deliverables.update_deliverable(engine=engine(), actor=ctx.actor, key=key, state=state or chosen["state"],
                                            link=link, approved_on=approved_on, approved_by=approved_by,
                                            expected_version=drawn_version, today=ctx.today, lang=lang,
                                            file=(upload.name, upload.getvalue()) if upload is not None else None)
        except (ValidationError, ConcurrentEditError, NotAllowed) as exc:
            shell.show_write_error(exc, lang)
        else:
            shell.saved(t("deliverables.form.saved", title=chosen[f"title_{lang}"][:60]))
