import pandas as pd
import streamlit as st

from mobility import checklist_documents, checklists
from mobility.i18n import fmt_date, fmt_datetime
from mobility.service import ConcurrentEditError, NotAllowed, ValidationError
from mobility.text import plain
from mobility.ui import shell
from mobility.ui.data import cached_build, engine
from mobility.ui.exports import table_with_downloads
from mobility.ui.numbers import count_column
from mobility.ui.widgets import url_multiselect, url_pills, url_selectbox

ctx = shell.page("checklists")
lang, t = ctx.lang, ctx.t

templates = cached_build(checklists.template_table)()
index = cached_build(checklists.library_index)()
titles = dict(zip(templates["key"], templates[f"title_{lang}"], strict=True))


def version_word(status: str, number: int) -> str:
    return t(f"checklists.status.{status}", n=number)


def show_items(items: list[dict]) -> None:
    for phase, group in checklist_documents.grouped_items(items):
        st.markdown(f"#### {checklists.phase_label(phase, lang)}")
        st.markdown("\n".join(
            f"- {plain(i[f'text_{lang}'], inline=True)}"
            + (f" *({checklists.fmt_due(i['due_days'], lang)})*" if i["due_days"] is not None else "")
            for i in group
        ))


def diff_line(change) -> str:
    """One change between two versions, as a list item: what, in which phase, the words struck and added."""
    item = change.new or change.old
    due = checklists.fmt_due(item["due_days"], lang)
    phase = checklists.phase_label(item["phase"], lang)
    if change.op == "changed":
        if change.old["due_days"] != change.new["due_days"]:
            due = f"{checklists.fmt_due(change.old['due_days'], lang) or '–'} → {due or '–'}"
        if change.old["phase"] != change.new["phase"]:
            phase = f"{checklists.phase_label(change.old['phase'], lang)} → {phase}"
        text = " ".join(
            {"equal": plain(w), "removed": f":red[~~{plain(w)}~~]", "added": f":green[**{plain(w)}**]"}[op]
            for op, w in checklists.word_diff(change.old[f"text_{lang}"], change.new[f"text_{lang}"]))
    else:
        text = plain(item[f"text_{lang}"], inline=True)
    return f"- **{t(f'checklists.diff.{change.op}')}** · {phase} · {text}" + (f" *({due})*" if due else "")


# The chosen template (also drawn alone in the print view) ----------------------------------------------------------
keys = list(templates["key"])
print_view = st.query_params.get("print") == "1"
if print_view:
    key = st.query_params.get("checklist") if st.query_params.get("checklist") in keys else keys[0]
    detail = cached_build(checklists.template_detail)(key)
    st.html("<style>[data-testid='stSidebar'],[data-testid='stHeader'],[data-testid='stSidebarCollapsedControl']"
            "{display:none}</style>")
    st.title(plain(detail[f"title_{lang}"], inline=True))
    st.caption(checklist_documents.status_line(detail, lang) + " · " + t("checklists.activities", codes=", ".join(
        detail["activities"])))
    st.markdown(plain(detail[f"intro_{lang}"]))
    show_items(detail["items"])
    st.caption(t("labels.checklists"))
    st.caption(t("checklists.print.hint"))
    st.page_link("pages/checklists.py", label=t("checklists.print.back"), icon=":material/arrow_back:",
                 query_params={**shell.lang_param(lang), "checklist": key})
    st.stop()

ctx.heading(t("checklists.title"))
st.caption(t("checklists.lead"))
st.caption(f":material/info: {t('labels.checklists')}")

# Library: search and filters ---------------------------------------------------------------------------------------
st.header(t("checklists.library"), divider="gray")
text = st.text_input(t("checklists.search"), key="q", bind="query-params", placeholder=t("checklists.search.hint"))
# Pills where the options are few and short (all in view, and light in the browser); wider columns for them
f1, f2, f3, f4 = st.columns([1.4, 1, 1.2, 1.3])
areas = url_pills(t("checklists.filter.area"), sorted(templates["area"].unique()), key="area", lang=lang, container=f1)
activities = url_multiselect(t("checklists.filter.activity"), sorted({c for cs in templates["activities"] for c in cs}),
                             key="activity", lang=lang, container=f2, placeholder=t("common.all"))
audiences = url_multiselect(t("checklists.filter.audience"), list(checklists.AUDIENCES), key="audience", lang=lang,
                            container=f3, format_func=lambda a: t(f"checklists.audience.{a}"),
                            placeholder=t("common.all"))
phases = url_pills(t("checklists.filter.phase"), list(checklists.PHASES), key="phase", lang=lang, container=f4,
                   format_func=lambda p: checklists.phase_label(p, lang))


@cached_build
def _found(engine, text: str, areas: tuple, activities: tuple, audiences: tuple, phases: tuple, lang: str):
    """The library's search and its table as drawn, once per data version, query and language (shared: read, never
    changed; a miss is built by a run in ``lang``: this run's ``t``)."""
    library = cached_build(checklists.template_table)(), cached_build(checklists.library_index)()
    found = checklists.search_library(*library, text=text, areas=areas, activities=activities, audiences=audiences,
                                      phases=phases)
    return found, pd.DataFrame({
        t("checklists.col.title"): found[f"title_{lang}"],
        t("checklists.col.activities"): found["activities"].map(", ".join),
        t("checklists.col.audience"): found["audience"].map(lambda a: t(f"checklists.audience.{a}")),
        t("checklists.col.version"): [version_word(s, n) for s, n in zip(found["status"], found["version"],
                                                                          strict=True)],
        t("checklists.col.published"): found["published"].astype("Int64"),
        t("checklists.col.items"): found["items"].astype("Int64"),
        **({t("checklists.col.hits"): found["hits"].astype("Int64")} if text or phases else {}),
    })


shown, rows = _found(text or "", tuple(areas), tuple(activities), tuple(audiences), tuple(phases), lang)

st.caption(t("checklists.shown", n=len(shown), total=len(templates)))
if shown.empty:
    st.info(t("checklists.none_found"))
else:
    table_with_downloads(
        rows,
        stem="checklistor" if lang == "sv" else "checklists", sheet="checklists", lang=lang,
        hide_index=True, width="stretch", alt=t("checklists.library"),
        # a narrower title column keeps "last published" and the item count on screen on a laptop
        column_config={t("checklists.col.title"): st.column_config.TextColumn(width=360),
                       t("checklists.col.audience"): st.column_config.TextColumn(width=200),
                       # numbers, so they sort as numbers: "v3" is only how the version is written
                       t("checklists.col.published"): st.column_config.NumberColumn(format="v%d"),
                       t("checklists.col.items"): count_column(t("checklists.col.items"), lang),
                       t("checklists.col.hits"): count_column(t("checklists.col.hits"), lang)},
        placeholder="–",
    )

# One template ------------------------------------------------------------------------------------------------------
st.header(t("checklists.template"), divider="gray")
key = url_selectbox(t("checklists.pick"), keys, key="checklist", lang=lang,
                    default=shown["key"].iloc[0] if not shown.empty else keys[0], format_func=titles.get)
versions = cached_build(checklists.version_list)(key)
numbers = [v["number"] for v in versions]
by_number = {v["number"]: v for v in versions}
published = [n for n in numbers if by_number[n]["status"] == "published"]
# Readers see what was published; a draft in the making does not replace it. Editors see their draft.
current = published[0] if published and not ctx.actor.can_edit else numbers[0]
number = st.selectbox(t("checklists.version.pick"), numbers, index=numbers.index(current), key=f"version-{key}",
                      format_func=lambda n: version_word(by_number[n]["status"], n))
detail = cached_build(checklists.template_detail)(key, number)

st.subheader(plain(detail[f"title_{lang}"], inline=True))
if detail["status"] == "draft":
    st.badge(t("checklists.badge.draft"), icon=":material/edit_note:", color="orange")
else:
    st.badge(t("checklists.badge.published", n=detail["number"], date=fmt_date(detail["published_at"], lang)),
             icon=":material/verified:", color="green")
st.markdown(
    " · ".join(f"**{c}** {detail['activity_titles'][c][lang]}" for c in detail["activities"])
    + f"  \n{t('checklists.col.audience')}: {t('checklists.audience.' + detail['audience'])}"
)
if number != numbers[0]:
    st.info(t("checklists.old_version", n=number, newest=version_word(by_number[numbers[0]]["status"], numbers[0])))
st.markdown(plain(detail[f"intro_{lang}"]))

# One row, like the follow-up page's downloads, with the print link level with the buttons
downloads = st.container(horizontal=True, vertical_alignment="center")
file_stem = f"{key}-v{detail['number']}-{lang}"
downloads.download_button(t("checklists.download.docx"), data=lambda: checklist_documents.to_docx(detail, lang),
                          file_name=f"{file_stem}.docx", icon=":material/description:", on_click="ignore",
                          mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document")
downloads.download_button(t("checklists.download.md"), data=lambda: checklist_documents.to_markdown(detail, lang),
                          file_name=f"{file_stem}.md", mime="text/markdown", icon=":material/markdown:",
                          on_click="ignore")
downloads.page_link("pages/checklists.py", label=t("checklists.print"), icon=":material/print:",
                    query_params={**shell.lang_param(lang), "checklist": key, "print": "1"})
show_items(detail["items"])

# Versions and differences ------------------------------------------------------------------------------------------
# Built only when opened (opening reruns): most readers never look at the versions
with st.expander(t("checklists.versions", n=len(versions)), icon=":material/history:", key="versions-open",
                 on_change="rerun") as box:
    if box.open:
        st.dataframe(
            {
                t("checklists.col.version"): [version_word(v["status"], v["number"]) for v in versions],
                t("checklists.versions.published"): [fmt_datetime(v["published_at"], lang) if v["published_at"] else "–"
                                                     for v in versions],
                t("checklists.versions.by"): [v["published_by"] or v["created_by"] for v in versions],
                t("checklists.versions.note"): [v["note"] for v in versions],
            },
            hide_index=True, width="stretch", alt=t("checklists.versions", n=len(versions)),
        )
        if len(numbers) > 1:
            c1, c2 = st.columns(2)
            old = c1.selectbox(t("checklists.diff.old"), numbers, index=1, key=f"diff-old-{key}",
                               format_func=lambda n: version_word(by_number[n]["status"], n))
            new = c2.selectbox(t("checklists.diff.new"), numbers, index=0, key=f"diff-new-{key}",
                               format_func=lambda n: version_word(by_number[n]["status"], n))
            diff = cached_build(checklists.diff_versions)(key, old, new)
            for code, (before, after) in diff["titles"].items():
                st.markdown(t("checklists.diff.title_changed", lang_code=code, before=plain(before, inline=True),
                              after=plain(after, inline=True)))
            if diff["items"]:
                st.markdown("\n".join(diff_line(c) for c in diff["items"]))
            else:
                st.caption(t("checklists.diff.same"))
        else:
            st.caption(t("checklists.versions.only_one"))

# Editing (editors) -------------------------------------------------------------------------------------------------
shell.editors_only_below(ctx)

st.header(t("checklists.edit"), divider="gray")
newest = cached_build(checklists.template_detail)(key)
drawn_version = shell.version_seen(f"checklist-{key}", newest["edit_version"])
if newest["status"] == "draft":
    st.caption(t("checklists.edit.draft", n=newest["number"]))
else:
    st.caption(t("checklists.edit.new_draft", n=newest["number"], next=newest["number"] + 1))

PHASE_CHOICES = [checklists.phase_label(p, lang) for p in (*checklists.PHASES, None)]
phase_code = {checklists.phase_label(p, lang): p for p in (*checklists.PHASES, None)}
c1, c2 = st.columns(2)
title_sv = c1.text_input(t("checklists.edit.title_sv"), newest["title_sv"], max_chars=checklists.TITLE_MAX,
                         key=f"title_sv-{key}-{drawn_version}")
title_en = c2.text_input(t("checklists.edit.title_en"), newest["title_en"], max_chars=checklists.TITLE_MAX,
                         key=f"title_en-{key}-{drawn_version}")
intro_sv = c1.text_area(t("checklists.edit.intro_sv"), newest["intro_sv"], max_chars=checklists.INTRO_MAX,
                        key=f"intro_sv-{key}-{drawn_version}")
intro_en = c2.text_area(t("checklists.edit.intro_en"), newest["intro_en"], max_chars=checklists.INTRO_MAX,
                        key=f"intro_en-{key}-{drawn_version}")
st.caption(t("checklists.edit.items_hint"))


@cached_build
def _edit_rows(engine, key: str, lang: str) -> pd.DataFrame:
    """The newest version's items as the editor's grid starts from them, once per data version and language
    (shared: read, never changed; ``st.data_editor`` edits its own copy)."""
    items = cached_build(checklists.template_detail)(key)["items"]
    return pd.DataFrame({
        "order": range(1, len(items) + 1),
        "phase": [checklists.phase_label(i["phase"], lang) for i in items],
        "text_sv": [i["text_sv"] for i in items],
        "text_en": [i["text_en"] for i in items],
        "due_days": pd.array([i["due_days"] for i in items], dtype="Int64"),
    })


rows = _edit_rows(key, lang)
edited = st.data_editor(
    rows, key=f"items-{key}-{drawn_version}", num_rows="dynamic", hide_index=True, width="stretch", height=420,
    placeholder="–",  # an item without a due date, not "None"
    column_config={
        "order": st.column_config.NumberColumn(t("checklists.edit.order"), min_value=1, step=1, width="small"),
        "phase": st.column_config.SelectboxColumn(t("checklists.edit.phase"), options=PHASE_CHOICES, width="small"),
        "text_sv": st.column_config.TextColumn(t("checklists.edit.text_sv"), max_chars=checklists.TEXT_MAX,
                                               width=360),  # "large" pushed the days column off a laptop screen
        "text_en": st.column_config.TextColumn(t("checklists.edit.text_en"), max_chars=checklists.TEXT_MAX,
                                               width=360),  # "large" pushed the days column off a laptop screen
        "due_days": st.column_config.NumberColumn(t("checklists.edit.due"), help=t("checklists.edit.due_help"),
                                                  step=1, width="small"),
    },
)
if st.button(t("checklists.edit.save"), type="primary", icon=":material/save:"):
    rows_in_order = checklists.apply_order([
        {"order": None if pd.isna(r.order) else int(r.order), "was": r.Index + 1 if r.Index < len(rows) else None,
         "phase": phase_code.get(r.phase), "text_sv": r.text_sv if isinstance(r.text_sv, str) else "",
         "text_en": r.text_en if isinstance(r.text_en, str) else "",
         "due_days": None if pd.isna(r.due_days) else int(r.due_days)}
        for r in edited.itertuples()
    ])
    items = [{k: r[k] for k in ("phase", "text_sv", "text_en", "due_days")} for r in rows_in_order]
    try:
        saved_as = checklists.save_draft(engine=engine(), actor=ctx.actor, key=key, items=items, title_sv=title_sv,
                                         title_en=title_en, intro_sv=intro_sv, intro_en=intro_en,
                                         expected_version=drawn_version, lang=lang)
    except (ValidationError, ConcurrentEditError, NotAllowed) as exc:
        shell.show_write_error(exc, lang)
    else:
        st.session_state.pop(f"version-{key}", None)
        shell.saved(t("checklists.edit.saved", n=saved_as))

if newest["status"] == "draft":
    with st.form(f"publish-{key}"):
        note = st.text_input(t("checklists.publish.note"), max_chars=checklists.NOTE_MAX,
                             placeholder=t("checklists.publish.note_hint"))
        if st.form_submit_button(t("checklists.publish", n=newest["number"]), icon=":material/publish:"):
            try:
                published = checklists.publish(engine=engine(), actor=ctx.actor, key=key, note=note,
                                               expected_version=drawn_version, lang=lang)
            except (ValidationError, ConcurrentEditError, NotAllowed) as exc:
                shell.show_write_error(exc, lang)
            else:
                shell.saved(t("checklists.publish.done", n=published))
