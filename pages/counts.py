import streamlit as st

from mobility import counts, counts_grid, files
from mobility.examples import remove_example_data
from mobility.i18n import fmt_int
from mobility.service import ConcurrentEditError, NotAllowed, ValidationError
from mobility.text import plain
from mobility.ui import record_import as record_import_ui
from mobility.ui import shell
from mobility.ui.data import cached_build, cached_query, engine
from mobility.ui.widgets import url_selectbox

ctx = shell.page("counts")
lang, t = ctx.lang, ctx.t
PREVIEW_ROWS = 500


def cell_text(key: counts.Key) -> str:
    year, term, group, direction, programme, level, faculty = key
    parts = [str(year), t(f"counts.term.{term}"), t(f"counts.group.{group}"), t(f"counts.direction.{direction}"),
             t(f"counts.programme.{programme}"), t(f"counts.level.{level}") if level else "",
             t(f"counts.faculty.{faculty}") if faculty else ""]
    return " · ".join(p for p in parts if p)


def number(value) -> str:
    return "–" if value is None else fmt_int(value, lang)


def show_conflict(exc: counts.CountConflict) -> None:
    st.error(t("counts.conflict"))
    st.dataframe({t("counts.col.cell"): [cell_text(k) for k, _, _ in exc.conflicts],
                  t("counts.col.yours"): [number(v) for _, v, _ in exc.conflicts],
                  t("counts.col.now"): [number(v) for _, _, v in exc.conflicts]}, hide_index=True, width="stretch")


def grid_label(column: str, code: str) -> str:
    """The grid's row labels, short (its columns are narrow so every programme is in view): "Grund", "Alla"."""
    if column == "level" or not code:
        return t(f"counts.grid.short.{column}.{code}")
    return t(f"counts.{column}.{code}")


row_help = {"level": " · ".join(f"{grid_label('level', v)} = {t(f'counts.level.{v}')}" for v in counts.LEVELS),
            "faculty": f"{grid_label('faculty', '')} = {t('counts.faculty.')}"}



@cached_build
def _term_grid(engine, year: int, term: str, group: str, every: bool, lang: str) -> dict:
    """One term's grid as the editor draws it, the values it starts from, and whether any is example data: once per
    data version, view and language (shared: read, never changed; ``st.data_editor`` edits its own copy; a miss is
    built by a run in ``lang``: this run's ``t``)."""
    stored = counts_grid.term_counts(engine, year=year, term=term, group=group)
    rows = counts_grid.grid_rows(stored, every_breakdown=every)
    return {"frame": counts_grid.grid_frame(rows, stored, label=grid_label),
            "values": {k: v for k, (v, _) in stored.items()},
            "examples": any(source == "example" for _, source in stored.values())}


ctx.heading(t("counts.title"))
st.caption(t("counts.lead"))
# Only the open tab's contents are built (choosing a tab reruns the page)
grid_tab, import_tab, records_tab, example_tab = st.tabs(
    [t("counts.tab.grid"), t("counts.tab.import"), t("recimport.tab"), t("counts.tab.example")], key="counts-tab",
    on_change="rerun")

# Entry grid: one term's counts, a row per breakdown (level × faculty) and direction, a column per programme -----
with grid_tab:
    if grid_tab.open:
        years = list(range(ctx.today.year + 1, counts.MIN_YEAR + 9, -1))
        c1, c2, c3 = st.columns(3)
        year = url_selectbox(t("counts.year"), years, key="c_year", lang=lang, container=c1,
                             default=cached_query(counts.latest_year)() or ctx.today.year - 1)
        term = url_selectbox(t("counts.term"), counts.TERMS, key="c_term", lang=lang, default="VT", container=c2,
                             format_func=lambda v: t(f"counts.term.{v}"))
        group = url_selectbox(t("counts.group"), counts.GROUPS, key="c_group", lang=lang, default="student",
                              container=c3, format_func=lambda v: t(f"counts.group.{v}"))
        every = st.toggle(t("counts.grid.every_breakdown"), key=f"every-{year}-{term}-{group}",
                          help=t("counts.grid.every_breakdown_help"))
        term_grid = _term_grid(year, term, group, every, lang)
        editor_key = f"grid-{year}-{term}-{group}" + ("-all" if every else "")
        drawn_key = f"_drawn_{editor_key}"
        editing = bool(st.session_state.get(editor_key, {}).get("edited_rows"))
        # The values this editing began from: a save is refused if someone else changed them in between.
        if not editing or drawn_key not in st.session_state:
            st.session_state[drawn_key] = term_grid["values"]  # shared: read, never changed
        drawn = st.session_state[drawn_key]
        if term_grid["examples"]:
            st.markdown(f":orange-badge[:material/science: {t('example.badge')}] {t('counts.grid.example_cells')}")
        grid = term_grid["frame"]
        number_column = {"min_value": 0, "max_value": counts.MAX_COUNT, "step": 1, "format": "%d", "width": 66}
        edited = st.data_editor(
            grid, key=editor_key, hide_index=True, width="stretch", num_rows="fixed", placeholder="–",
            height=min(len(grid), 16) * 35 + 38,  # the whole term at a glance, scrolling only past 8 breakdowns
            column_config={
                **{c: st.column_config.TextColumn(t(f"counts.{c}"), disabled=True, pinned=True, width=w,
                                                  help=row_help.get(c))
                   for c, w in zip(counts_grid.ROW_COLUMNS, (80, 66, 76), strict=True)},
                **{p: st.column_config.NumberColumn(t(f"counts.grid.short.{p}"), help=t(f"counts.programme.{p}"),
                                                    **number_column)
                   for p in counts.PROGRAMMES},
            },
        )
        st.caption(t("counts.grid.legend", items=" · ".join(
            f"{short} = {full}" for p in counts.PROGRAMMES
            if (short := t(f"counts.grid.short.{p}")) != (full := t(f"counts.programme.{p}")))))
        st.caption(t("counts.grid.help"))
        cells, expected = (counts_grid.edited_cells(edited, drawn, year=year, term=term, group=group) if editing
                           else ([], {}))  # nothing typed: no need to walk the grid
        if cells:
            st.markdown(f"**{t('counts.grid.changes', n=len(cells))}**")
            st.dataframe({t("counts.col.cell"): [cell_text(c.key) for c in cells],
                          t("counts.col.before"): [number(expected[c.key]) for c in cells],
                          t("counts.col.after"): ["–" if c.count is None else str(c.count) for c in cells]},
                         hide_index=True, width="stretch")
        else:
            st.caption(t("counts.grid.no_changes"))
        if st.button(t("counts.grid.save"), type="primary", disabled=not cells, key="save-grid"):
            try:
                summary = counts.save_counts(engine=engine(), actor=ctx.actor, cells=cells, source="form",
                                             expected=expected, lang=lang)
            except counts.CountConflict as exc:
                st.session_state.pop(drawn_key, None)
                show_conflict(exc)
            except (ValidationError, ConcurrentEditError, NotAllowed) as exc:
                shell.show_write_error(exc, lang)
            else:
                st.session_state.pop(editor_key, None)
                st.session_state.pop(drawn_key, None)
                shell.saved(t("counts.grid.saved", n=summary.written))

# Import --------------------------------------------------------------------------------------------------------
with import_tab:
    if import_tab.open:
        st.markdown(t("counts.import.lead"))
        st.download_button(t("counts.import.template"), data=counts.template_csv(),
                           file_name="mobilitetsantal-mall.csv", mime="text/csv", icon=":material/download:",
                           on_click="ignore")
        with st.expander(t("counts.import.allowed")):
            vocab = {"term": counts.TERMS, "group": counts.GROUPS, "direction": counts.DIRECTIONS,
                     "programme": counts.PROGRAMMES, "level": counts.LEVELS, "faculty": counts.FACULTIES}
            st.markdown("\n".join(
                f"- `{column}`: " + ", ".join(
                    f"`{v}` ({t(f'counts.{column}.{v}')})" if v else f"({t(f'counts.{column}.')})" for v in values)
                for column, values in vocab.items()
            ) + f"\n- `year`: {counts.MIN_YEAR}–{counts.MAX_YEAR}\n- `count`: 0–{fmt_int(counts.MAX_COUNT, lang)}")
        upload_key = f"upload-{st.session_state.get('_uploads', 0)}"
        upload = st.file_uploader(t("counts.import.file"), type=["csv", "xlsx"], key=upload_key,
                                  help=files.limits_text(lang))
        if upload is not None:
            try:
                cells = counts.read_counts_file(upload.getvalue(), upload.name, lang=lang)
            except ValidationError as exc:
                st.error(t("counts.import.rejected") + "\n\n" + "\n".join(f"- {p}" for p in exc.problems[:200]))
            else:
                changes, summary = counts.preview(engine(), cells)
                # The click that imports reruns this page, and so the preview: save against what the editor saw in the
                # run before, so a cell someone else saved in between is a conflict, not silently overwritten.
                file_id = (upload.file_id, upload.name)
                seen = st.session_state.get("_counts_preview", {}).get(file_id, counts.shown_values(cells, changes))
                st.session_state["_counts_preview"] = {file_id: counts.shown_values(cells, changes)}
                st.markdown(t("counts.import.summary", file=plain(upload.name), rows=fmt_int(len(cells), lang),
                              added=fmt_int(summary.added, lang), changed=fmt_int(summary.changed, lang),
                              unchanged=fmt_int(summary.unchanged, lang)))
                if changes:
                    shown = changes[:PREVIEW_ROWS]
                    st.markdown(f"**{t('counts.import.preview')}**"
                                + (f" ({t('counts.import.preview_cut', n=PREVIEW_ROWS)})" if len(changes) > PREVIEW_ROWS
                                   else ""))
                    st.dataframe({t("counts.col.cell"): [cell_text(c.key) for c in shown],
                                  t("counts.col.before"): [number(c.before) for c in shown],
                                  t("counts.col.after"): [number(c.after) for c in shown]}, hide_index=True,
                                 width="stretch")
                    if st.button(t("counts.import.button"), type="primary", key="import"):
                        try:
                            summary = counts.save_counts(engine=engine(), actor=ctx.actor, cells=cells, source="import",
                                                         expected=seen, lang=lang)
                        except counts.CountConflict as exc:
                            show_conflict(exc)  # each cell with the value the preview showed and the value now
                        except (ValidationError, ConcurrentEditError, NotAllowed) as exc:
                            shell.show_write_error(exc, lang)
                        else:
                            st.session_state["_uploads"] = st.session_state.get("_uploads", 0) + 1
                            shell.saved(t("counts.import.saved", added=summary.added, changed=summary.changed))
                else:
                    st.info(t("counts.import.nothing"))

# A list of mobilities (one row each) → counts: mobility/ui/record_import.py -----------------------------------
with records_tab:
    if records_tab.open:
        record_import_ui.render(ctx)

# Example data --------------------------------------------------------------------------------------------------
with example_tab:
    if example_tab.open:
        n_example = cached_query(counts.count_rows)().get("example", 0)
        if n_example:
            st.markdown(t("counts.example.lead", n=fmt_int(n_example, lang)))
            confirmed = st.checkbox(t("counts.example.confirm"), key="confirm-remove-example")
            if st.button(t("counts.example.remove"), disabled=not confirmed, icon=":material/delete:",
                         key="remove-example"):
                try:
                    removed = remove_example_data(engine=engine(), actor=ctx.actor)
                except (ValidationError, ConcurrentEditError, NotAllowed) as exc:
                    shell.show_write_error(exc, lang)
                else:
                    shell.saved(t("counts.example.removed", n=sum(removed.values())))
        else:
            st.caption(t("counts.example.none"))
