import pandas as pd
import streamlit as st

from mobility import checklist_documents, checklist_runs, checklists
from mobility.i18n import fmt_date, fmt_datetime, fmt_pct
from mobility.service import ConcurrentEditError, NotAllowed, ValidationError
from mobility.text import plain
from mobility.ui import shell
from mobility.ui.data import cached_build, engine
from mobility.ui.exports import table_with_downloads
from mobility.ui.numbers import count_column, date_column
from mobility.ui.widgets import url_selectbox

ctx = shell.page("runs")
lang, t = ctx.lang, ctx.t
WRITE_ERRORS = (ValidationError, ConcurrentEditError, NotAllowed)

templates = cached_build(checklists.template_table)()  # shared frames: read, never changed
titles = dict(zip(templates["key"], templates[f"title_{lang}"], strict=True))

ctx.heading(t("runs.title"))
st.caption(t("runs.lead"))

# Start a run -------------------------------------------------------------------------------------------------------
# The form is built only when its box is open (opening it reruns the page)
with st.expander(t("runs.start"), icon=":material/playlist_add:", key="start-open", on_change="rerun") as box:
    if box.open:
        with st.form("start-run", clear_on_submit=True):
            key = st.selectbox(t("runs.start.checklist"), list(titles), format_func=titles.get)
            label = st.text_input(t("runs.start.label"), max_chars=checklist_runs.LABEL_MAX,
                                  placeholder=t("runs.start.label_hint"))
            st.caption(t("runs.start.privacy"))
            reference = st.date_input(t("runs.start.reference"), value=None, format="YYYY-MM-DD",
                                      min_value=ctx.period.first, help=t("runs.start.reference_help"))
            if st.form_submit_button(t("runs.start.submit"), type="primary", icon=":material/play_arrow:"):
                try:
                    run_id = checklist_runs.start_run(engine=engine(), actor=ctx.actor, key=key, label=label,
                                                  reference_date=reference, lang=lang)
                except WRITE_ERRORS as exc:
                    shell.show_write_error(exc, lang)
                else:
                    st.query_params["run"] = str(run_id)
                    # A keyed widget keeps its own value whatever its index says: open the new run by its state.
                    st.session_state["_url_run"] = str(run_id)
                    shell.saved(t("runs.start.done", label=plain(label.strip(), inline=True)))

# Runs --------------------------------------------------------------------------------------------------------------
st.header(t("runs.list"), divider="gray")
show_archived = st.toggle(t("runs.show_archived"), key="archived", bind="query-params")
runs = cached_build(checklist_runs.run_table)(ctx.as_of, include_archived=show_archived)
if runs.empty:
    st.info(t("runs.none"))
    st.stop()


@cached_build
def _drawn_runs(engine, as_of, include_archived: bool, lang: str) -> pd.DataFrame:
    """The runs as the table draws them, once per data version, view and language (shared: read, never changed; a
    miss is built by a run in ``lang``: this run's ``t`` and titles)."""
    runs = cached_build(checklist_runs.run_table)(as_of, include_archived=include_archived)
    return pd.DataFrame({
        t("runs.col.label"): runs["label"],
        t("runs.col.checklist"): runs["key"].map(titles),
        t("runs.col.reference"): pd.to_datetime(runs["reference_date"]),
        t("runs.col.status"): runs["status"].map(lambda s: t(f"runs.status.{s}")),
        t("runs.col.progress"): runs["progress"],
        t("runs.col.done"): runs["done"].astype("Int64"),
        t("runs.col.items"): runs["items"].astype("Int64"),
        t("runs.col.overdue"): runs["overdue"].astype("Int64"),
        t("runs.col.next_due"): pd.to_datetime(runs["next_due"]),
    })


@cached_build
def _at_a_glance(engine, as_of, include_archived: bool) -> dict:
    """The open and overdue counts, and the runs to pick from (ids as the URL holds them, and their labels), once
    per data version: at 100× the data the list has a thousand runs."""
    runs = cached_build(checklist_runs.run_table)(as_of, include_archived=include_archived)
    open_runs = runs[runs["status"] == "open"]
    ids = [str(i) for i in runs["id"]]
    return {"open": len(open_runs), "overdue_runs": int((open_runs["overdue"] > 0).sum()),
            "overdue_items": int(open_runs["overdue"].sum()), "ids": ids,
            "label_of": dict(zip(ids, runs["label"], strict=True))}


glance = _at_a_glance(ctx.as_of, show_archived)
m1, m2, m3 = st.columns(3)
m1.metric(t("runs.metric.open"), glance["open"])
m2.metric(t("runs.metric.overdue_runs"), glance["overdue_runs"])
m3.metric(t("runs.metric.overdue_items"), glance["overdue_items"])
table_with_downloads(
    _drawn_runs(ctx.as_of, show_archived, lang),
    stem="checklistor-arenden" if lang == "sv" else "checklist-runs", sheet="runs", lang=lang,
    hide_index=True, width="stretch", alt=t("runs.list"), placeholder="–",
    # Every column in view on a laptop: the ticked count is in "Klart" (%) and "Punkter" on screen, and in the files
    column_order=[t(f"runs.col.{c}") for c in ("label", "checklist", "reference", "status", "progress", "items",
                                               "overdue", "next_due")],
    column_config={
        t("runs.col.reference"): date_column(t("runs.col.reference"), lang),
        t("runs.col.next_due"): date_column(t("runs.col.next_due"), lang),
        **{t(f"runs.col.{c}"): count_column(t(f"runs.col.{c}"), lang) for c in ("done", "items", "overdue")},
        t("runs.col.label"): st.column_config.TextColumn(width=180),
        t("runs.col.checklist"): st.column_config.TextColumn(width=160),
        t("runs.col.progress"): st.column_config.ProgressColumn(format="percent", min_value=0, max_value=1,
                                                                width="small", help=t("runs.col.progress_help")),
    },
)

# One run -----------------------------------------------------------------------------------------------------------
run_id = url_selectbox(t("runs.pick"), glance["ids"], key="run", lang=lang, default=glance["ids"][0],
                       format_func=glance["label_of"].__getitem__)
run = cached_build(checklist_runs.run_detail)(int(run_id), ctx.as_of)
st.subheader(plain(run["label"], inline=True))
st.markdown(
    t("runs.detail.meta", title=plain(titles[run["key"]]), n=run["version_number"],
      status=t(f"checklists.status.{run['version_status']}", n=run["version_number"]),
      date=fmt_date(run["reference_date"], lang), who=plain(run["started_by"]))
    + f"  \n{t('runs.col.status')}: **{t('runs.status.' + run['status'])}**"
    + (f" · {run['completed_by']}, {fmt_datetime(run['completed_at'], lang)}" if run["completed_at"] else "")
)
st.progress(run["progress"], text=t("runs.detail.progress", done=run["done"], n=len(run["items"]),
                                     pct=fmt_pct(100 * run["progress"], lang, 0)))

editable = run["status"] == "open"
for phase, items in checklist_documents.grouped_items(run["items"]):
    st.markdown(f"#### {checklists.phase_label(phase, lang)}")
    for item in items:
        done = item["done_at"] is not None
        due = t("runs.detail.due", date=fmt_date(item["due_date"], lang)) if item["due_date"] else ""
        if done:
            who, when = plain(item["done_by"]), fmt_datetime(item["done_at"], lang)
            state = f":gray[{t('runs.detail.done_by', who=who, when=when)}]"
        elif item["overdue"]:
            state = f":orange[:material/schedule: {t('runs.detail.overdue')} · {due}]"
        else:
            state = f":gray[{due}]" if due else ""
        # Who ticked it, or when it is due, in the item's own label: one element an item, not two
        ticked = st.checkbox(plain(item[f"text_{lang}"], inline=True) + (f" · {state}" if state else ""), value=done,
                             disabled=not editable, key=f"tick-{item['id']}-{done}")
        if ticked != done:
            try:
                checklist_runs.tick_item(engine=engine(), actor=ctx.actor, run_id=run["id"], item_id=item["id"],
                                     done=ticked)
            except WRITE_ERRORS as exc:
                shell.show_write_error(exc, lang)
            else:
                shell.saved(t("runs.detail.ticked" if ticked else "runs.detail.unticked"))

st.download_button(t("runs.download"), data=lambda: checklist_documents.run_markdown(run, titles[run["key"]], lang),
                   file_name=f"checklista-{run['id']}-{lang}.md", mime="text/markdown", on_click="ignore",
                   icon=":material/markdown:")

# Close, archive or delete ------------------------------------------------------------------------------------------
st.subheader(t("runs.manage"))
b1, b2, b3 = st.columns(3)
action = None
if editable and b1.button(t("runs.complete"), type="primary", icon=":material/task_alt:"):
    action = (checklist_runs.complete_run, "runs.complete.done")
if run["status"] != "archived" and b2.button(t("runs.archive"), icon=":material/archive:"):
    action = (checklist_runs.archive_run, "runs.archive.done")
with b3.popover(t("runs.delete"), icon=":material/delete:"):
    st.caption(t("runs.delete.warning"))
    if st.button(t("runs.delete.confirm"), type="primary"):
        action = (checklist_runs.delete_run, "runs.delete.done")
if action:
    write, message = action
    try:
        write(engine=engine(), actor=ctx.actor, run_id=run["id"],
              **({"lang": lang} if write is checklist_runs.complete_run else {}))
    except WRITE_ERRORS as exc:
        shell.show_write_error(exc, lang)
    else:
        if write is not checklist_runs.complete_run:
            st.query_params.pop("run", None)
            st.session_state.pop("_url_run", None)
        shell.saved(t(message, label=run["label"]))
